/* result_assemble.c - the outcome of a finished call from its tasks, as
 * AsyncResult._resolve_result / _reconstruct_result and error.collect_exceptions do it:
 * values in target order (or the single value of an int view, or the parts joined for
 * map and gather), else one error: a RemoteError for one failing engine, a
 * CompositeError holding every failing engine's exception for several. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"
#include "value_int.h"

/* The exception name a local failure shows inside a CompositeError. */
static const char *local_ename(const ippc_error_t *e)
{
    switch (ippc_error_code(e)) {
    case IPPC_E_ENGINE:
        return "EngineError";
    case IPPC_E_TIMEOUT:
        return "TimeoutError";
    default:
        return ippc_errcode_name(ippc_error_code(e));
    }
}

/* Append the entries of e (a task's error) to *acc, creating it on the first one. */
static int collect(ippc_error_t **acc, const ippc_error_t *e, int engine_id, const char *method)
{
    size_t n = ippc_error_count(e);
    for (size_t i = 0; i < (n ? n : 1); i++) {
        int id = n ? ippc_error_engine_id(e, i) : engine_id;
        const char *m = n ? ippc_error_method(e, i) : method;
        const char *ename = n ? ippc_error_ename(e, i) : local_ename(e);
        const char *evalue = n ? ippc_error_evalue(e, i) : ippc_error_message(e);
        size_t ntb = n ? ippc_error_traceback_len(e, i) : 0;
        const char **tb = calloc(ntb ? ntb : 1, sizeof(*tb));
        if (!tb)
            return -1;
        for (size_t k = 0; k < ntb; k++)
            tb[k] = ippc_error_traceback_line(e, i, k);
        int rc = 0;
        if (!*acc)
            rc = (*acc = ippc_error_new_remote(id, m, ename, evalue, tb, ntb)) ? 0 : -1;
        else
            rc = ippc_error_add_remote(*acc, id, m, ename, evalue, tb, ntb);
        free(tb);
        if (rc != 0)
            return -1;
    }
    return 0;
}

ippc_error_t *ippc_error_clone(const ippc_error_t *e)
{
    if (!e)
        return NULL;
    if (ippc_error_count(e) == 0)
        return ippc_error_new(ippc_error_code(e), "%s", ippc_error_message(e));
    ippc_error_t *copy = NULL;
    if (collect(&copy, e, -1, NULL) != 0) {
        ippc_error_destroy(&copy);
        return ippc_error_new(IPPC_E_NOMEM, "out of memory");
    }
    return copy;
}

static const char *task_method(const ippc_task_t *t)
{
    return t->kind == IPPC_TASK_EXECUTE ? "execute" : t->kind == IPPC_TASK_APPLY ? "apply" : "control";
}

ippc_value_t *ippc_error_as_value(const ippc_error_t *e, int engine_id)
{
    bool remote = ippc_error_count(e) > 0;
    const char *ename = remote ? ippc_error_ename(e, 0) : local_ename(e);
    const char *evalue = remote ? ippc_error_evalue(e, 0) : ippc_error_message(e);
    if (ippc_error_count(e) > 1) { /* a flattened composite: say so */
        ename = "CompositeError";
        evalue = ippc_error_message(e);
    }
    char *repr = ippc_strdup_printf("<Remote[%d]:%s(%s)>", remote ? ippc_error_engine_id(e, 0) : engine_id, ename,
                                    evalue);
    ippc_value_t *v = repr ? ippc_value_new_pyobj("ipyparallel.error.RemoteError", repr, NULL, 0) : NULL;
    free(repr);
    return v;
}

/* The value of task t as an item: its value, or its failure as a value. */
static ippc_value_t *item_of(const ippc_task_t *t)
{
    return t->error ? ippc_error_as_value(t->error, t->engine_id) : ippc_value_copy(t->value);
}

/* AsyncMapResult._reconstruct_result with return_exceptions and failures: the parts
 * chained, each failure as one item. */
static ippc_value_t *flatten_with_failures(ippc_task_t *const *tasks, size_t n)
{
    ippc_value_t *out = ippc_value_new_list();
    for (size_t i = 0; out && i < n; i++) {
        const ippc_value_t *v = tasks[i]->value;
        ippc_type_t ty = ippc_value_type(v);
        if (!tasks[i]->error && (ty == IPPC_T_LIST || ty == IPPC_T_TUPLE)) {
            for (size_t k = 0; out && k < ippc_value_len(v); k++)
                if (ippc_value_append(out, ippc_value_copy(ippc_value_item(v, k))) != 0)
                    ippc_value_destroy(&out);
        } else if (ippc_value_append(out, item_of(tasks[i])) != 0) {
            ippc_value_destroy(&out);
        }
    }
    return out;
}

static ippc_value_t *list_of_items(ippc_task_t *const *tasks, size_t n)
{
    ippc_value_t *out = ippc_value_new_list();
    for (size_t i = 0; out && i < n; i++)
        if (ippc_value_append(out, item_of(tasks[i])) != 0)
            ippc_value_destroy(&out);
    return out;
}

/* The items of list and tuple parts moved into one list (the parts are left empty),
 * or NULL with *moved false when a part is something else. */
static ippc_value_t *chain_moving(ippc_task_t *const *tasks, size_t n, bool *moved)
{
    size_t total = 0;
    *moved = false;
    for (size_t i = 0; i < n; i++) {
        ippc_type_t t = ippc_value_type(tasks[i]->value);
        if (t != IPPC_T_LIST && t != IPPC_T_TUPLE)
            return NULL;
        total += tasks[i]->value->u.seq.n;
    }
    *moved = true;
    ippc_value_t *out = ippc_value_new_list();
    ippc_value_t **items = out && total ? malloc(total * sizeof(*items)) : NULL;
    if (!out || (total && !items)) {
        ippc_value_destroy(&out);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ippc_value_t *part = tasks[i]->value;
        if (part->u.seq.n)
            memcpy(items + k, part->u.seq.items, part->u.seq.n * sizeof(*items));
        k += part->u.seq.n;
        part->u.seq.n = 0;
    }
    out->u.seq.items = items;
    out->u.seq.n = out->u.seq.cap = total;
    return out;
}

/* The tasks' values joined (none failed). With consume the items of list parts move;
 * otherwise the list of parts only borrows the values: a gathered million items are
 * copied once, into the joined value, not twice. */
static ippc_value_t *join_parts(ippc_task_t *const *tasks, size_t n, bool consume, ippc_error_t **error)
{
    if (n == 0) /* map over an empty sequence */
        return ippc_value_new_list();
    bool moved = false;
    ippc_value_t *chained = consume ? chain_moving(tasks, n, &moved) : NULL;
    if (moved)
        return chained;
    ippc_value_t *parts = ippc_value_new_list();
    ippc_value_t **items = parts ? malloc(n * sizeof(*items)) : NULL;
    if (!items) {
        ippc_value_destroy(&parts);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = tasks[i]->value;
    parts->u.seq.items = items;
    parts->u.seq.n = parts->u.seq.cap = n;
    ippc_value_t *joined = ippc_value_concat(parts, error);
    parts->u.seq.n = 0; /* give the borrowed values back before the list goes */
    ippc_value_destroy(&parts);
    return joined;
}

int ippc_result_assemble(ippc_task_t *const *tasks, size_t n, ippc_shape_t shape, bool return_exceptions,
                         bool consume, ippc_value_t **value, ippc_error_t **error)
{
    *value = NULL;
    *error = NULL;
    size_t failed = 0, first_failed = 0;
    for (size_t i = 0; i < n; i++)
        if (tasks[i]->error && failed++ == 0)
            first_failed = i;
    if (failed && !return_exceptions) {
        if (failed == 1 || shape == IPPC_SHAPE_SINGLE) {
            *error = ippc_error_clone(tasks[first_failed]->error);
        } else {
            for (size_t i = 0; i < n; i++) {
                if (tasks[i]->error && collect(error, tasks[i]->error, tasks[i]->engine_id, task_method(tasks[i])) != 0) {
                    ippc_error_destroy(error);
                    *error = ippc_error_new(IPPC_E_NOMEM, "out of memory");
                    break;
                }
            }
        }
        return -1;
    }
    switch (shape) {
    case IPPC_SHAPE_SINGLE:
        *value = n ? item_of(tasks[0]) : ippc_value_new_none();
        break;
    case IPPC_SHAPE_NONE:
        *value = failed ? list_of_items(tasks, n) : ippc_value_new_none();
        break;
    case IPPC_SHAPE_LIST:
        *value = list_of_items(tasks, n);
        break;
    case IPPC_SHAPE_JOIN:
        *value = failed ? flatten_with_failures(tasks, n) : join_parts(tasks, n, consume, error);
        break;
    }
    if (!*value) {
        if (!*error)
            *error = ippc_error_new(IPPC_E_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}
