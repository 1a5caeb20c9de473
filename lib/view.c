/* view.c - DirectView: targets and flags, turning one call into one request per
 * target engine, and the two primitive operations apply (native encoding) and
 * execute. The other operations (view_ops.c, view_func.c) are built on these. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"

struct ippc_view {
    int refs;               /* the user's, plus function handles */
    ippc_client_t *client;
    ippc_targets_t targets; /* ALL, or frozen ids */
    bool block, track;
};

ippc_view_t *ippc_client_view(ippc_client_t *c, const char *targets, ippc_error_t **err)
{
    if (ippc_client_check_open(c, err) != 0)
        return NULL;
    ippc_view_t *v = calloc(1, sizeof(*v));
    if (!v) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (ippc_targets_parse(targets, c->ids, c->nengines, &v->targets, err) != 0) {
        free(v);
        return NULL;
    }
    v->refs = 1;
    v->client = ippc_client_ref(c);
    return v;
}

ippc_view_t *ippc_view_ref(ippc_view_t *v)
{
    if (v)
        v->refs++;
    return v;
}

void ippc_view_destroy(ippc_view_t **vp)
{
    if (!vp || !*vp)
        return;
    ippc_view_t *v = *vp;
    *vp = NULL;
    if (--v->refs > 0)
        return;
    ippc_targets_free(&v->targets);
    ippc_client_unref(&v->client);
    free(v);
}

ippc_client_t *ippc_view_client(const ippc_view_t *v) { return v->client; }

void ippc_view_set_block(ippc_view_t *v, bool block)
{
    if (v)
        v->block = block;
}

bool ippc_view_get_block(const ippc_view_t *v) { return v && v->block; }

void ippc_view_set_track(ippc_view_t *v, bool track)
{
    if (v)
        v->track = track;
}

bool ippc_view_get_track(const ippc_view_t *v) { return v && v->track; }

int ippc_view_set_targets(ippc_view_t *v, const char *targets, ippc_error_t **err)
{
    if (!v)
        return ippc_error_set(err, IPPC_E_INVALID, "no view");
    if (ippc_client_check_open(v->client, err) != 0)
        return -1;
    ippc_targets_t t;
    if (ippc_targets_parse(targets, v->client->ids, v->client->nengines, &t, err) != 0)
        return -1;
    ippc_targets_free(&v->targets);
    v->targets = t;
    return 0;
}

int ippc_view_get_targets(ippc_view_t *v, const int **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!v || v->client->closed)
        return -1;
    if (v->targets.kind == IPPC_TARGETS_ALL)
        return ippc_client_ids(v->client, ids, n);
    *ids = v->targets.ids;
    *n = v->targets.n;
    return 0;
}

/* ------------------------------------------------------------------ calls */

static bool flag(ippc_flag_t f, bool dflt) { return f == IPPC_FLAG_DEFAULT ? dflt : f == IPPC_FLAG_ON; }

int ippc_view_call_begin(ippc_view_t *v, const ippc_opts_t *opts, ippc_call_t *call, ippc_error_t **err)
{
    memset(call, 0, sizeof(*call));
    if (!v)
        return ippc_error_set(err, IPPC_E_INVALID, "no view");
    if (ippc_client_check_open(v->client, err) != 0)
        return -1;
    static const ippc_opts_t none = {0};
    if (!opts)
        opts = &none;
    ippc_client_t *c = v->client;
    int rc;
    if (opts->targets) { /* a per-call spec is resolved now, "all" included */
        ippc_targets_t t;
        rc = ippc_targets_parse(opts->targets, c->ids, c->nengines, &t, err);
        if (rc == 0) {
            rc = ippc_client_resolve(c, &t, &call->targets, err);
            ippc_targets_free(&t);
        }
    } else {
        rc = ippc_client_resolve(c, &v->targets, &call->targets, err);
    }
    if (rc != 0)
        return -1;
    call->block = flag(opts->block, v->block);
    call->track = flag(opts->track, v->track);
    call->silent = flag(opts->silent, true);
    call->return_exceptions = opts->return_exceptions;
    call->on_sent = opts->on_sent;
    call->on_sent_data = opts->on_sent_data;
    return 0;
}

void ippc_view_call_end(ippc_call_t *call) { ippc_targets_free(&call->targets); }

void ippc_request_clear(ippc_request_t *rq)
{
    json_decref(rq->content);
    json_decref(rq->metadata);
    ippc_bloblist_clear(&rq->bufs);
    memset(rq, 0, sizeof(*rq));
}

void ippc_borrow_seq(ippc_value_t *out, ippc_type_t type, ippc_value_t *const *items, size_t n)
{
    *out = (ippc_value_t){.type = type, .u.seq = {(ippc_value_t **)items, n, n}};
}

void ippc_borrow_dict1(ippc_value_t *out, ippc_dict_entry_t *e, const char *key, const ippc_value_t *val)
{
    *e = (ippc_dict_entry_t){.key = (char *)key, .klen = strlen(key), .val = (ippc_value_t *)val};
    *out = (ippc_value_t){.type = IPPC_T_DICT, .u.dict = {.e = e, .n = 1, .cap = 1}};
}

/* The encoding of args (list/tuple) or kwargs (dict), or null when absent. */
static json_t *encode_arg(const ippc_value_t *v, ippc_type_t want, ippc_type_t also, const char *what,
                          ippc_bloblist_t *bufs, ippc_error_t **err)
{
    if (!v)
        return json_null();
    ippc_type_t t = ippc_value_type(v);
    if (t != want && t != also) {
        ippc_error_set(err, IPPC_E_INVALID, "%s must be a %s, not %s", what, ippc_type_name(want), ippc_type_name(t));
        return NULL;
    }
    return ippc_value_encode(v, bufs, err);
}

int ippc_request_apply(ippc_request_t *rq, const char *callable, const ippc_value_t *args,
                       const ippc_value_t *kwargs, ippc_error_t **err)
{
    memset(rq, 0, sizeof(*rq));
    if (!callable || !*callable)
        return ippc_error_set(err, IPPC_E_INVALID, "callable must be a Python expression");
    rq->kind = IPPC_TASK_APPLY;
    ippc_bloblist_init(&rq->bufs);
    json_t *a = encode_arg(args, IPPC_T_LIST, IPPC_T_TUPLE, "args", &rq->bufs, err);
    json_t *k = a ? encode_arg(kwargs, IPPC_T_DICT, IPPC_T_DICT, "kwargs", &rq->bufs, err) : NULL;
    if (a && k) {
        rq->content = json_pack("{s:s, s:o, s:o}", "callable", callable, "args", a, "kwargs", k);
        rq->metadata = json_pack("{s:i}", "ippc", 1);
        a = k = NULL; /* stolen by json_pack, also when it fails */
    }
    json_decref(a);
    json_decref(k);
    if (!rq->content || !rq->metadata) {
        ippc_request_clear(rq);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory building an apply request");
    }
    return 0;
}

static int request_execute(ippc_request_t *rq, const char *code, bool silent, ippc_error_t **err)
{
    memset(rq, 0, sizeof(*rq));
    if (!code)
        return ippc_error_set(err, IPPC_E_INVALID, "execute: no code");
    rq->kind = IPPC_TASK_EXECUTE;
    ippc_bloblist_init(&rq->bufs);
    rq->content = json_pack("{s:s, s:b, s:{}}", "code", code, "silent", silent, "user_expressions");
    rq->metadata = json_object();
    if (!rq->content || !rq->metadata) {
        ippc_request_clear(rq);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory building an execute request");
    }
    return 0;
}

/* Put the request's buffers behind the tracker of r when the call tracks. */
static int track_request(ippc_view_t *v, const ippc_call_t *call, ippc_request_t *rq, ippc_result_t *r,
                         ippc_error_t **err)
{
    if (!call->track)
        return 0;
    ippc_tracker_t *tr = ippc_result_tracker(r);
    if (!tr) {
        tr = ippc_tracker_new(v->client->wake_fd);
        if (!tr)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_result_set_tracker(r, tr);
    }
    return ippc_tracker_wrap(tr, &rq->bufs, err);
}

int ippc_view_send(ippc_view_t *v, const ippc_call_t *call, ippc_request_t *rq, size_t lo, size_t hi,
                   ippc_result_t *r, ippc_error_t **err)
{
    ippc_client_t *c = v->client;
    const char *type = rq->kind == IPPC_TASK_APPLY ? "apply_request" : "execute_request";
    int rc = track_request(v, call, rq, r, err);
    for (size_t i = lo; rc == 0 && i < hi; i++) {
        const ippc_engine_t *e = ippc_client_engine(c, call->targets.ids[i]);
        if (!e) { /* unregistered since the view froze its ids */
            rc = ippc_error_set(err, IPPC_E_NOTFOUND, "No such engine: %d", call->targets.ids[i]);
            break;
        }
        ippc_task_t *t = ippc_client_send(c, c->mux, rq->kind, e, type, rq->content, rq->metadata, &rq->bufs, err);
        if (!t || ippc_result_add_task(r, t) != 0)
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_task_unref(&t);
    }
    /* the messages hold their own references to the buffers now */
    ippc_request_clear(rq);
    return rc;
}

ippc_result_t *ippc_view_finish(const ippc_call_t *call, ippc_result_t *r)
{
    ippc_tracker_t *tr = ippc_result_tracker(r);
    if (tr) {
        ippc_tracker_arm(tr);
        if (call->on_sent)
            ippc_client_watch_tracker(ippc_result_client(r), tr, r, call->on_sent, call->on_sent_data);
    }
    if (call->block)
        ippc_result_settle(r, NULL); /* the outcome, failure included, is the result's */
    return r;
}

ippc_result_t *ippc_view_submit(ippc_view_t *v, const ippc_call_t *call, ippc_request_t *rq, ippc_shape_t shape,
                                ippc_error_t **err)
{
    ippc_result_t *r = ippc_result_new(v->client, shape, call->return_exceptions);
    if (!r) {
        ippc_request_clear(rq);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (ippc_view_send(v, call, rq, 0, call->targets.n, r, err) != 0) {
        ippc_result_destroy(&r);
        return NULL;
    }
    return ippc_view_finish(call, r);
}

/* -------------------------------------------------------------- operations */

static ippc_shape_t shape_of(const ippc_call_t *call)
{
    return call->targets.kind == IPPC_TARGETS_SINGLE ? IPPC_SHAPE_SINGLE : IPPC_SHAPE_LIST;
}

ippc_result_t *ippc_view_apply_request(ippc_view_t *v, ippc_request_t *rq, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_call_t call;
    if (ippc_view_call_begin(v, opts, &call, err) != 0) {
        ippc_request_clear(rq);
        return NULL;
    }
    ippc_result_t *r = ippc_view_submit(v, &call, rq, shape_of(&call), err);
    ippc_view_call_end(&call);
    return r;
}

ippc_result_t *ippc_view_apply(ippc_view_t *v, const char *callable, const ippc_value_t *args,
                               const ippc_value_t *kwargs, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_request_t rq;
    if (ippc_request_apply(&rq, callable, args, kwargs, err) != 0)
        return NULL;
    return ippc_view_apply_request(v, &rq, opts, err);
}

ippc_value_t *ippc_view_apply_sync(ippc_view_t *v, const char *callable, const ippc_value_t *args,
                                   const ippc_value_t *kwargs, const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_take(ippc_view_apply(v, callable, args, kwargs, opts, err), err);
}

ippc_result_t *ippc_view_execute(ippc_view_t *v, const char *code, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_call_t call;
    if (ippc_view_call_begin(v, opts, &call, err) != 0)
        return NULL;
    ippc_request_t rq;
    ippc_result_t *r = NULL;
    if (request_execute(&rq, code, call.silent, err) == 0)
        r = ippc_view_submit(v, &call, &rq, shape_of(&call), err);
    ippc_view_call_end(&call);
    return r;
}

int ippc_view_execute_sync(ippc_view_t *v, const char *code, const ippc_opts_t *opts, ippc_error_t **err)
{
    return ippc_result_finish(ippc_view_execute(v, code, opts, err), err);
}
