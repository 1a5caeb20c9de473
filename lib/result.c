/* result.c - AsyncResult: the tasks of one call, waiting for them, their value or
 * error, and per-request metadata (engine, dates, output). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"

struct ippc_result {
    ippc_client_t *client;
    ippc_shape_t shape;
    bool return_exceptions;
    ippc_task_t **tasks;
    size_t n, cap;
    size_t nreplied, nsettled; /* tasks[0..nreplied) replied, [0..nsettled) also output_done */
    bool assembled;
    ippc_value_t *value;
    ippc_error_t *error;
    ippc_tracker_t *tracker;
};

ippc_result_t *ippc_result_new(ippc_client_t *c, ippc_shape_t shape, bool return_exceptions)
{
    ippc_result_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->client = ippc_client_ref(c);
    r->shape = shape;
    r->return_exceptions = return_exceptions;
    return r;
}

int ippc_result_add_task(ippc_result_t *r, ippc_task_t *t)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4;
        ippc_task_t **tasks = realloc(r->tasks, cap * sizeof(*tasks));
        if (!tasks)
            return -1;
        r->tasks = tasks;
        r->cap = cap;
    }
    r->tasks[r->n++] = ippc_task_ref(t);
    return 0;
}

void ippc_result_set_tracker(ippc_result_t *r, ippc_tracker_t *tr)
{
    ippc_tracker_unref(&r->tracker);
    r->tracker = tr;
}

ippc_tracker_t *ippc_result_tracker(const ippc_result_t *r) { return r->tracker; }
ippc_client_t *ippc_result_client(const ippc_result_t *r) { return r->client; }

void ippc_result_destroy(ippc_result_t **rp)
{
    if (!rp || !*rp)
        return;
    ippc_result_t *r = *rp;
    *rp = NULL;
    if (r->tracker)
        r->tracker->owner = NULL; /* no callback for a result that is gone */
    ippc_tracker_unref(&r->tracker);
    for (size_t i = 0; i < r->n; i++)
        ippc_task_unref(&r->tasks[i]);
    free(r->tasks);
    ippc_value_destroy(&r->value);
    ippc_error_destroy(&r->error);
    ippc_client_unref(&r->client);
    free(r);
}

/* ---------------------------------------------------------------- waiting */

/* A task never becomes unreplied or unsettled again: the prefixes only grow, so that
 * waiting on many tasks costs O(tasks) in all, not per message received. */
static bool all_replied(void *data)
{
    ippc_result_t *r = data;
    while (r->nreplied < r->n && r->tasks[r->nreplied]->replied)
        r->nreplied++;
    return r->nreplied == r->n;
}

static bool all_settled(void *data)
{
    ippc_result_t *r = data;
    while (r->nsettled < r->n && r->tasks[r->nsettled]->replied && r->tasks[r->nsettled]->output_done)
        r->nsettled++;
    return r->nsettled == r->n;
}


/* Wait for replies, then for their output (while messages arrive, at most
 * IPPC_OUTPUT_GRACE of silence), until the deadline. 1: all replied; 0: not yet; -1:
 * the client cannot receive anymore and replies are missing. */
static int wait_until(ippc_result_t *r, const ippc_deadline_t *dl, ippc_error_t **err)
{
    if (all_settled(r))
        return 1;
    ippc_error_t *e = NULL;
    int rc = ippc_client_pump(r->client, dl, all_replied, r, false, &e);
    if (rc < 0 && !all_replied(r)) {
        if (err && !*err)
            *err = e;
        else
            ippc_error_destroy(&e);
        return -1;
    }
    ippc_error_destroy(&e);
    if (!all_replied(r))
        return 0;
    for (;;) { /* the output: while messages keep coming, up to the deadline */
        unsigned long seen = r->client->received;
        ippc_deadline_t grace = ippc_deadline_in(IPPC_OUTPUT_GRACE);
        const ippc_deadline_t *until = ippc_deadline_first(dl, &grace);
        if (ippc_client_pump(r->client, until, all_settled, r, false, NULL) != 0 || until == dl ||
            r->client->received == seen)
            break;
    }
    return 1;
}

bool ippc_result_ready(ippc_result_t *r)
{
    if (!r)
        return false;
    if (!all_replied(r)) {
        ippc_deadline_t now = ippc_deadline_in(0);
        ippc_client_pump(r->client, &now, NULL, NULL, true, NULL);
    }
    return all_replied(r);
}

bool ippc_result_wait(ippc_result_t *r, double timeout)
{
    if (!r)
        return false;
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    return wait_until(r, &dl, NULL) == 1;
}

int ippc_result_settle(ippc_result_t *r, ippc_error_t **err)
{
    ippc_deadline_t dl = ippc_deadline_in(IPPC_FOREVER);
    return wait_until(r, &dl, err) == 1 ? 0 : -1;
}

typedef struct {
    ippc_result_t *const *rs;
    size_t n;
    size_t first; /* rs[0..first) all replied */
} many_t;

static bool many_replied(void *data)
{
    many_t *m = data;
    while (m->first < m->n && all_replied(m->rs[m->first]))
        m->first++;
    return m->first == m->n;
}

bool ippc_wait(ippc_result_t *const *results, size_t n, double timeout)
{
    many_t m = {results, n, 0};
    bool mixed = false;
    for (size_t i = 0; i < n; i++) {
        if (!results[i])
            return false;
        mixed |= results[i]->client != results[0]->client;
    }
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    while (!many_replied(&m)) {
        /* results of one client wait on it directly; of several, in turns */
        ippc_deadline_t slice = mixed ? ippc_deadline_in(0.01) : dl;
        if (ippc_client_pump(results[m.first]->client, &slice, many_replied, &m, false, NULL) < 0 ||
            ippc_deadline_passed(&dl))
            break;
    }
    if (!many_replied(&m))
        return false;
    /* the output of replied requests is usually right behind: collect what is there */
    for (size_t i = 0; i < n; i++)
        wait_until(results[i], &dl, NULL);
    return true;
}

/* ----------------------------------------------------------------- values */

static void assemble(ippc_result_t *r)
{
    if (!r->assembled) {
        ippc_result_assemble(r->tasks, r->n, r->shape, r->return_exceptions, true, &r->value, &r->error);
        r->assembled = true;
    }
}

/* The outcome by the deadline: a copy of the value, or with steal r's own (for a
 * result about to go: a gathered million items are not copied once more). */
static int outcome(ippc_result_t *r, const ippc_deadline_t *dl, bool steal, ippc_value_t **value, ippc_error_t **err)
{
    int rc = wait_until(r, dl, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ippc_error_set(err, IPPC_E_TIMEOUT, "Result not ready.");
    assemble(r);
    if (r->error) {
        if (err && !*err)
            *err = ippc_error_clone(r->error);
        return -1;
    }
    *value = steal ? r->value : ippc_value_copy(r->value);
    if (steal)
        r->value = NULL;
    if (!*value)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return 0;
}

int ippc_result_get(ippc_result_t *r, double timeout, ippc_value_t **value, ippc_error_t **err)
{
    if (value)
        *value = NULL;
    if (!r || !value)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_result_get: no result or no place for the value");
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    return outcome(r, &dl, false, value, err);
}

bool ippc_result_successful(ippc_result_t *r)
{
    if (!ippc_result_ready(r))
        return false;
    for (size_t i = 0; i < r->n; i++)
        if (r->tasks[i]->error)
            return false;
    return true;
}

ippc_value_t *ippc_result_take(ippc_result_t *r, ippc_error_t **err)
{
    ippc_value_t *v = NULL;
    if (r)
        outcome(r, &(ippc_deadline_t){.forever = true}, true, &v, err);
    ippc_result_destroy(&r);
    return v;
}

int ippc_result_finish(ippc_result_t *r, ippc_error_t **err)
{
    ippc_value_t *v = ippc_result_take(r, err);
    if (!v)
        return -1;
    ippc_value_destroy(&v);
    return 0;
}

/* ---------------------------------------------------------------- metadata */

static ippc_task_t *task_at(const ippc_result_t *r, size_t i) { return r && i < r->n ? r->tasks[i] : NULL; }

size_t ippc_result_len(const ippc_result_t *r) { return r ? r->n : 0; }

int ippc_result_engine_id(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->engine_id : -1;
}

const char *ippc_result_msg_id(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->msg_id : NULL;
}

const char *ippc_result_submitted(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t && t->submitted[0] ? t->submitted : NULL;
}

const char *ippc_result_started(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->started : NULL;
}

const char *ippc_result_completed(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->completed : NULL;
}

const char *ippc_result_stdout(const ippc_result_t *r, size_t i)
{
    ippc_task_t *t = task_at(r, i);
    return t ? ippc_task_stream(t, false) : NULL;
}

const char *ippc_result_stderr(const ippc_result_t *r, size_t i)
{
    ippc_task_t *t = task_at(r, i);
    return t ? ippc_task_stream(t, true) : NULL;
}

const char *ippc_result_execute_result(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->execute_result : NULL;
}

int ippc_result_execution_count(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    const json_t *n = t && t->kind == IPPC_TASK_EXECUTE ? json_object_get(t->reply, "execution_count") : NULL;
    return json_is_integer(n) ? (int)json_integer_value(n) : -1;
}

const ippc_error_t *ippc_result_error(const ippc_result_t *r, size_t i)
{
    const ippc_task_t *t = task_at(r, i);
    return t ? t->error : NULL;
}

/* ------------------------------------------------------------ send tracking */

bool ippc_result_sent(ippc_result_t *r)
{
    if (!r)
        return false;
    if (!ippc_tracker_done(r->tracker)) { /* let a pending wake-up be read */
        ippc_deadline_t now = ippc_deadline_in(0);
        ippc_client_pump(r->client, &now, NULL, NULL, true, NULL);
    }
    return ippc_tracker_done(r->tracker);
}

static bool tracker_done(void *data) { return ippc_tracker_done(data); }

int ippc_result_wait_for_send(ippc_result_t *r, double timeout, ippc_error_t **err)
{
    if (!r)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_result_wait_for_send: no result");
    if (ippc_tracker_done(r->tracker))
        return 0;
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    int rc = ippc_client_pump(r->client, &dl, tracker_done, r->tracker, false, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ippc_error_set(err, IPPC_E_TIMEOUT, "Still waiting to be sent");
    return 0;
}
