/* view_ops.c - the DirectView operations built on apply and execute, as the stock
 * view builds them: push/pull (util._push/_pull as native callables), view[name],
 * scatter/gather over contiguous parts, map with one apply per engine, sync_imports. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"
#include "strbuf.h"

/* The namespace helpers run in the engine's user namespace (lambdas evaluated there
 * have it as globals), so names resolve as the stock _push/_pull make them. */
#define PUSH_CALLABLE "lambda **ns: globals().update(ns)"
#define PULL_ONE_CALLABLE "lambda k: eval(k, globals())"
#define PULL_MANY_CALLABLE "lambda *ks: tuple(eval(k, globals()) for k in ks)"
#define MAP_CALLABLE "lambda __ippc_f, __ippc_s: list(map(eval(__ippc_f, globals()), __ippc_s))"

/* ------------------------------------------------------------- push, pull */

static int request_push(ippc_request_t *rq, const ippc_value_t *ns, ippc_error_t **err)
{
    if (ippc_value_type(ns) != IPPC_T_DICT) {
        memset(rq, 0, sizeof(*rq));
        return ippc_error_set(err, IPPC_E_INVALID, "push: ns must be a dict, not %s",
                              ns ? ippc_type_name(ippc_value_type(ns)) : "NULL");
    }
    return ippc_request_apply(rq, PUSH_CALLABLE, NULL, ns, err);
}

ippc_result_t *ippc_view_push(ippc_view_t *v, const ippc_value_t *ns, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_request_t rq;
    if (request_push(&rq, ns, err) != 0)
        return NULL;
    return ippc_view_apply_request(v, &rq, opts, err);
}

int ippc_view_push_sync(ippc_view_t *v, const ippc_value_t *ns, const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_finish(ippc_view_push(v, ns, opts, err), err);
}

/* names "a" or "a, b" → the pull request: one name gives its value, several a tuple. */
static int request_pull(ippc_request_t *rq, const char *names, ippc_error_t **err)
{
    memset(rq, 0, sizeof(*rq));
    if (!names)
        return ippc_error_set(err, IPPC_E_INVALID, "pull: no names");
    ippc_value_t *args = ippc_value_new_tuple();
    size_t count = 0;
    for (const char *p = names; args;) {
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strcspn(p, ",");
        size_t len = n;
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (!len) {
            ippc_value_destroy(&args);
            return ippc_error_set(err, IPPC_E_INVALID, "pull: bad names '%s' (use \"a\" or \"a,b\")", names);
        }
        if (ippc_value_append(args, ippc_value_new_strn(p, len)) != 0)
            ippc_value_destroy(&args);
        count++;
        if (!p[n])
            break;
        p += n + 1;
    }
    if (!args)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int rc = ippc_request_apply(rq, count == 1 ? PULL_ONE_CALLABLE : PULL_MANY_CALLABLE, args, NULL, err);
    ippc_value_destroy(&args);
    return rc;
}

ippc_result_t *ippc_view_pull(ippc_view_t *v, const char *names, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_request_t rq;
    if (request_pull(&rq, names, err) != 0)
        return NULL;
    return ippc_view_apply_request(v, &rq, opts, err);
}

ippc_value_t *ippc_view_pull_sync(ippc_view_t *v, const char *names, const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_take(ippc_view_pull(v, names, opts, err), err);
}

static const ippc_opts_t blocking = {.block = IPPC_FLAG_ON};

ippc_value_t *ippc_view_get(ippc_view_t *v, const char *name, ippc_error_t **err)
{
    return ippc_view_pull_sync(v, name, &blocking, err);
}

int ippc_view_set(ippc_view_t *v, const char *name, const ippc_value_t *value, ippc_error_t **err)
{
    if (!name || !value)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_view_set: no name or no value");
    ippc_value_t *ns = ippc_value_new_dict();
    if (!ns || ippc_value_dict_set(ns, name, ippc_value_copy(value)) != 0) {
        ippc_value_destroy(&ns);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    int rc = ippc_view_push_sync(v, ns, &blocking, err);
    ippc_value_destroy(&ns);
    return rc;
}

/* ------------------------------------------------------------------ parts */

/* Items along the first axis of a sequence scatter and map accept. */
static int seq_len(const ippc_value_t *seq, size_t *n, ippc_error_t **err)
{
    switch (ippc_value_type(seq)) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
    case IPPC_T_RANGE:
        *n = ippc_value_len(seq);
        return 0;
    case IPPC_T_NDARRAY:
        if (ippc_value_ndarray_ndim(seq) > 0) {
            *n = ippc_value_ndarray_shape(seq)[0];
            return 0;
        }
        break;
    default:
        break;
    }
    return ippc_error_set(err, IPPC_E_INVALID, "a sequence (list, tuple, range or ndarray) is needed, not %s",
                          seq ? ippc_type_name(ippc_value_type(seq)) : "NULL");
}

ippc_result_t *ippc_view_apply_parts(ippc_view_t *v, const ippc_value_t *seq, const ippc_opts_t *opts,
                                     ippc_shape_t shape, bool skip_empty,
                                     ippc_part_request_fn make, void *data, ippc_error_t **err)
{
    size_t len;
    if (seq_len(seq, &len, err) != 0)
        return NULL;
    ippc_call_t call;
    if (ippc_view_call_begin(v, opts, &call, err) != 0)
        return NULL;
    ippc_result_t *r = ippc_result_new(ippc_view_client(v), shape, call.return_exceptions);
    if (!r)
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    size_t q = call.targets.n;
    bool seq_items = seq->type == IPPC_T_LIST || seq->type == IPPC_T_TUPLE;
    for (size_t p = 0; r && p < q; p++) {
        size_t lo, hi;
        ippc_partition(len, q, p, &lo, &hi);
        if (skip_empty && lo == hi)
            continue;
        /* a list or tuple part borrows the items (see ippc_borrow_seq) */
        ippc_value_t slice, *part = NULL;
        if (seq_items)
            ippc_borrow_seq(&slice, seq->type, lo < hi ? seq->u.seq.items + lo : NULL, hi - lo);
        else
            part = ippc_value_partition(seq, q, p, err);
        ippc_request_t rq;
        if ((!seq_items && !part) || make(&rq, seq_items ? &slice : part, data, err) != 0 ||
            ippc_view_send(v, &call, &rq, p, p + 1, r, err) != 0)
            ippc_result_destroy(&r);
        ippc_value_destroy(&part);
    }
    if (r)
        r = ippc_view_finish(&call, r);
    ippc_view_call_end(&call);
    return r;
}

/* ---------------------------------------------------------- scatter, gather */

typedef struct {
    const char *name;
    bool flatten;
} scatter_t;

/* part[0] of a one-item part (scatter with flatten): the item itself. */
static ippc_value_t *only_item(const ippc_value_t *part)
{
    switch (ippc_value_type(part)) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        return ippc_value_copy(ippc_value_item(part, 0));
    case IPPC_T_RANGE:
        return ippc_value_new_int(ippc_value_range_start(part));
    case IPPC_T_NDARRAY: {
        size_t nbytes;
        const char *data = ippc_value_ndarray_data(part, &nbytes);
        return ippc_value_new_ndarray(ippc_value_ndarray_dtype(part), ippc_value_ndarray_ndim(part) - 1,
                                      ippc_value_ndarray_shape(part) + 1, data);
    }
    default:
        return ippc_value_copy(part);
    }
}

static int scatter_request(ippc_request_t *rq, const ippc_value_t *part, void *data, ippc_error_t **err)
{
    const scatter_t *s = data;
    size_t n = 0;
    seq_len(part, &n, NULL);
    ippc_value_t *item = s->flatten && n == 1 ? only_item(part) : NULL;
    if (s->flatten && n == 1 && !item) {
        memset(rq, 0, sizeof(*rq));
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    ippc_value_t ns;
    ippc_dict_entry_t entry;
    ippc_borrow_dict1(&ns, &entry, s->name, item ? item : part);
    int rc = request_push(rq, &ns, err);
    ippc_value_destroy(&item);
    return rc;
}

ippc_result_t *ippc_view_scatter(ippc_view_t *v, const char *name, const ippc_value_t *seq, bool flatten,
                                 const ippc_opts_t *opts, ippc_error_t **err)
{
    if (!name || !*name) {
        ippc_error_set(err, IPPC_E_INVALID, "scatter: no name");
        return NULL;
    }
    scatter_t s = {name, flatten};
    return ippc_view_apply_parts(v, seq, opts, IPPC_SHAPE_LIST, false, scatter_request, &s, err);
}

int ippc_view_scatter_sync(ippc_view_t *v, const char *name, const ippc_value_t *seq, bool flatten,
                           const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_finish(ippc_view_scatter(v, name, seq, flatten, opts, err), err);
}

ippc_result_t *ippc_view_gather(ippc_view_t *v, const char *name, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_request_t rq;
    if (!name || strchr(name, ',')) {
        ippc_error_set(err, IPPC_E_INVALID, "gather: one name is needed");
        return NULL;
    }
    if (request_pull(&rq, name, err) != 0)
        return NULL;
    ippc_call_t call;
    if (ippc_view_call_begin(v, opts, &call, err) != 0) {
        ippc_request_clear(&rq);
        return NULL;
    }
    ippc_result_t *r = ippc_view_submit(v, &call, &rq, IPPC_SHAPE_JOIN, err);
    ippc_view_call_end(&call);
    return r;
}

ippc_value_t *ippc_view_gather_sync(ippc_view_t *v, const char *name, const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_take(ippc_view_gather(v, name, opts, err), err);
}

/* -------------------------------------------------------------------- map */

int ippc_request_map(ippc_request_t *rq, const char *callable, const char *modules, const ippc_value_t *part,
                     ippc_error_t **err)
{
    memset(rq, 0, sizeof(*rq));
    if (!callable || !*callable)
        return ippc_error_set(err, IPPC_E_INVALID, "map: callable must be a Python expression");
    ippc_value_t *f = ippc_value_new_str(callable);
    if (!f)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    ippc_value_t args, *items[2] = {f, (ippc_value_t *)part};
    ippc_borrow_seq(&args, IPPC_T_TUPLE, items, 2);
    int rc = modules ? ippc_request_apply_requiring(rq, modules, MAP_CALLABLE, &args, NULL, err)
                     : ippc_request_apply(rq, MAP_CALLABLE, &args, NULL, err);
    ippc_value_destroy(&f);
    return rc;
}

static int map_request(ippc_request_t *rq, const ippc_value_t *part, void *data, ippc_error_t **err)
{
    return ippc_request_map(rq, data, NULL, part, err);
}

ippc_result_t *ippc_view_map(ippc_view_t *v, const char *callable, const ippc_value_t *seq, const ippc_opts_t *opts,
                             ippc_error_t **err)
{
    if (!callable || !*callable) {
        ippc_error_set(err, IPPC_E_INVALID, "map: callable must be a Python expression");
        return NULL;
    }
    return ippc_view_apply_parts(v, seq, opts, IPPC_SHAPE_JOIN, true, map_request, (void *)callable, err);
}

ippc_value_t *ippc_view_map_sync(ippc_view_t *v, const char *callable, const ippc_value_t *seq,
                                 const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_take(ippc_view_map(v, callable, seq, opts, err), err);
}

/* ----------------------------------------------------------- sync_imports */

/* "numpy, os.path" → "import numpy\nimport os.path\n". */
static char *import_code(const char *modules, ippc_error_t **err)
{
    ippc_value_t *mods = ippc_module_list(modules, "sync_imports", err);
    if (!mods)
        return NULL;
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < ippc_value_len(mods); i++)
        strbuf_printf(&sb, "import %s\n", ippc_value_str(ippc_value_item(mods, i), NULL));
    ippc_value_destroy(&mods);
    char *code = strbuf_release(&sb);
    if (!code)
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return code;
}

int ippc_view_sync_imports(ippc_view_t *v, const char *modules, const ippc_opts_t *opts, ippc_error_t **err)
{
    char *code = import_code(modules, err);
    if (!code)
        return -1;
    int rc = ippc_view_execute_sync(v, code, opts, err);
    free(code);
    return rc;
}
