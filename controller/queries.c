/* queries.c - registration and hub queries (see queries.h). */
#include "config.h"

#include "queries.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbquery.h"
#include "error_int.h"
#include "hubmsg.h"
#include "records.h"
#include "registry.h"
#include "strbuf.h"

static void reply(ippc_ctl_t *ctl, const ippc_msg_t *msg, const char *type, json_t *content,
                  ippc_blob_t *const *bufs, size_t nbufs)
{
    ippc_hubmsg_send(ctl, SOCK_REG, msg->idents[0].data, msg->idents[0].len, type, content, msg->header, NULL,
                     bufs, nbufs);
}

/* Why a msg_id is unknown, for the end of a KeyError message: an operator who limited
 * the records (or disabled them) should be able to tell from the client's error. */
static void unknown_hint(const ippc_ctl_t *ctl, char *out, size_t n)
{
    const ippc_records_t *r = ctl->records;
    if (!ippc_records_enabled(r))
        snprintf(out, n, " (the controller runs with --nodb and keeps no task records)");
    else if (ippc_records_dropped(r))
        snprintf(out, n, " (records are limited to %zu records / %zu bytes; %lu older records were dropped)",
                 ippc_records_max_count(r), ippc_records_max_bytes(r), ippc_records_dropped(r));
    else
        out[0] = '\0';
}

static json_t *nodb_error(void)
{
    return ippc_hubmsg_keyerror("NoDB backend doesn't store any data (the controller runs with --nodb)");
}

/* ------------------------------------------------------------- targets */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* The stock hub's _validate_targets: None means every engine; ints are ids; strings
 * are uuids. Returns NULL with a malloc'd id list, or error content. */
static json_t *validate_targets(ippc_ctl_t *ctl, const json_t *targets, int **ids, size_t *n)
{
    ippc_registry_t *r = ctl->registry;
    *ids = NULL;
    *n = 0;
    if (!targets || json_is_null(targets)) {
        if (r->nregistered == 0)
            return ippc_hubmsg_error("IndexError", "No Engines Registered");
        *ids = malloc(r->nregistered * sizeof(int));
        if (!*ids)
            return ippc_hubmsg_error("MemoryError", "out of memory");
        for (ippc_engine_t *e = r->head; e; e = e->next)
            if (e->registered)
                (*ids)[(*n)++] = e->id;
        qsort(*ids, *n, sizeof(int), cmp_int);
        return NULL;
    }
    json_t *list = json_is_array(targets) ? json_incref((json_t *)targets) : json_pack("[O]", targets);
    size_t count = json_array_size(list);
    if (count == 0) {
        json_decref(list);
        return ippc_hubmsg_error("IndexError", "No Engines Registered");
    }
    *ids = malloc(count * sizeof(int));
    strbuf_t bad;
    strbuf_init(&bad);
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        ippc_engine_t *e = NULL;
        if (json_is_integer(t))
            e = ippc_registry_by_id(r, (long)json_integer_value(t));
        else if (json_is_string(t))
            e = ippc_registry_by_uuid(r, json_string_value(t), json_string_length(t));
        if (e && e->registered) {
            if (*ids)
                (*ids)[(*n)++] = e->id;
            continue;
        }
        char *text = json_dumps(t, JSON_ENCODE_ANY);
        strbuf_printf(&bad, "%s%s", bad.len ? ", " : "", text ? text : "?");
        free(text);
    }
    json_decref(list);
    json_t *error = NULL;
    if (bad.len)
        error = ippc_hubmsg_error("IndexError", "No Such Engine: [%s]", bad.data);
    else if (!*ids)
        error = ippc_hubmsg_error("MemoryError", "out of memory");
    strbuf_free(&bad);
    if (error) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return error;
}

/* ------------------------------------------------------------ handlers */

static void connection_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    json_t *engines = json_object();
    for (ippc_engine_t *e = ctl->registry->head; e; e = e->next) {
        if (!e->registered)
            continue;
        char k[16];
        snprintf(k, sizeof(k), "%d", e->id);
        json_object_set_new(engines, k, json_string(e->uuid));
    }
    reply(ctl, msg, "connection_reply", json_pack("{s:s, s:o}", "status", "ok", "engines", engines), NULL, 0);
}

static json_t *completed_ids(ippc_ctl_t *ctl, const ippc_engine_t *e)
{
    json_t *list = json_array();
    size_t n;
    ippc_record_t **all = ippc_records_list(ctl->records, &n);
    for (size_t i = 0; i < n; i++) {
        if (all[i]->completed && strcmp(all[i]->engine_uuid, e->uuid) == 0)
            json_array_append_new(list, json_string(all[i]->msg_id));
    }
    free(all);
    return list;
}

static void queue_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    int *ids;
    size_t n;
    json_t *err = validate_targets(ctl, json_object_get(msg->content, "targets"), &ids, &n);
    if (err) {
        reply(ctl, msg, "hub_error", err, NULL, 0);
        return;
    }
    bool verbose = json_is_true(json_object_get(msg->content, "verbose"));
    json_t *content = json_pack("{s:s}", "status", "ok");
    for (size_t i = 0; i < n; i++) {
        ippc_engine_t *e = ippc_registry_by_id(ctl->registry, ids[i]);
        json_t *q;
        if (verbose) {
            json_t *pending = json_array();
            for (ippc_pend_t *p = e->pend_head; p; p = p->next)
                json_array_append_new(pending, json_string(p->msg_id));
            /* completed: the ids still recorded (the count covers all) */
            q = json_pack("{s:o, s:o, s:[]}", "queue", pending, "completed", completed_ids(ctl, e), "tasks");
        } else {
            q = json_pack("{s:I, s:I, s:i}", "queue", (json_int_t)e->npending, "completed",
                          (json_int_t)e->ncompleted, "tasks", 0);
        }
        char k[16];
        snprintf(k, sizeof(k), "%d", ids[i]);
        json_object_set_new(content, k, q);
    }
    json_object_set_new(content, "unassigned", verbose ? json_array() : json_integer(0));
    free(ids);
    reply(ctl, msg, "queue_reply", content, NULL, 0);
}

static void load_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    int *ids;
    size_t n;
    json_t *err = validate_targets(ctl, json_object_get(msg->content, "targets"), &ids, &n);
    if (err) {
        reply(ctl, msg, "hub_error", err, NULL, 0);
        return;
    }
    json_t *content = json_pack("{s:s}", "status", "ok");
    for (size_t i = 0; i < n; i++) {
        char k[16];
        snprintf(k, sizeof(k), "%d", ids[i]);
        json_object_set_new(content, k, json_integer((json_int_t)ippc_registry_by_id(ctl->registry, ids[i])->npending));
    }
    free(ids);
    reply(ctl, msg, "load_reply", content, NULL, 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* msg_ids of a request: a list of strings, sorted, without duplicates (as the stock
 * hub's sorted(set(...))). NULL when malformed. */
static const char **sorted_ids(const json_t *list, size_t *n)
{
    *n = 0;
    if (!json_is_array(list))
        return NULL;
    const char **ids = malloc((json_array_size(list) + 1) * sizeof(*ids));
    if (!ids)
        return NULL;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_is_string(v)) {
            free(ids);
            return NULL;
        }
        ids[(*n)++] = json_string_value(v);
    }
    qsort(ids, *n, sizeof(*ids), cmp_str);
    size_t k = 0;
    for (size_t j = 0; j < *n; j++)
        if (k == 0 || strcmp(ids[k - 1], ids[j]) != 0)
            ids[k++] = ids[j];
    *n = k;
    return ids;
}

/* The stock hub's _extract_record. */
static json_t *extract_record(const ippc_record_t *rec)
{
    bool owned;
#define FIELD(name) ippc_record_field(rec, name, &owned)
    json_t *io = json_pack("{s:o, s:o, s:o, s:o, s:o}", "execute_input", FIELD("execute_input"), "execute_result",
                           FIELD("execute_result"), "error", FIELD("error"), "stdout", FIELD("stdout"), "stderr",
                           FIELD("stderr"));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "header", FIELD("header"), "metadata", FIELD("metadata"),
                     "result_metadata", FIELD("result_metadata"), "result_header", FIELD("result_header"),
                     "result_content", FIELD("result_content"), "received", FIELD("received"), "io", io);
#undef FIELD
}

static void result_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    size_t n;
    const char **ids = sorted_ids(json_object_get(msg->content, "msg_ids"), &n);
    if (!ids) {
        reply(ctl, msg, "result_reply", ippc_hubmsg_error("TypeError", "msg_ids must be a list of str"), NULL, 0);
        return;
    }
    bool status_only = json_is_true(json_object_get(msg->content, "status_only"));
    if (!status_only && !ippc_records_enabled(ctl->records)) {
        free(ids);
        reply(ctl, msg, "result_reply", nodb_error(), NULL, 0);
        return;
    }
    json_t *pending = json_array(), *completed = json_array();
    json_t *content = json_pack("{s:s, s:O, s:O}", "status", "ok", "pending", pending, "completed", completed);
    ippc_blob_t **bufs = NULL;
    size_t nbufs = 0, capbufs = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        if (ippc_registry_is_outstanding(ctl->registry, id)) {
            json_array_append_new(pending, json_string(id));
            continue;
        }
        ippc_record_t *rec = ippc_records_get(ctl->records, id);
        if (rec && !rec->completed) {
            json_array_append_new(pending, json_string(id));
            continue;
        }
        if (!rec) {
            char hint[192];
            unknown_hint(ctl, hint, sizeof(hint));
            json_decref(content);
            content = ippc_hubmsg_keyerror("No such message: %s%s", id, hint);
            nbufs = 0;
            break;
        }
        json_array_append_new(completed, json_string(id));
        if (status_only)
            continue;
        json_object_set_new(content, id, extract_record(rec));
        if (nbufs + rec->nrbufs > capbufs) {
            capbufs = (nbufs + rec->nrbufs) * 2;
            ippc_blob_t **nb = realloc(bufs, capbufs * sizeof(*nb));
            if (!nb)
                continue;
            bufs = nb;
        }
        for (size_t b = 0; b < rec->nrbufs; b++)
            bufs[nbufs++] = rec->rbufs[b];
    }
    json_decref(pending);
    json_decref(completed);
    reply(ctl, msg, "result_reply", content, bufs, nbufs);
    free(bufs);
    free(ids);
}

typedef struct {
    int64_t submitted_us;
    ippc_record_t *rec;
} dated_t;

static int by_submitted(const void *a, const void *b)
{
    const dated_t *x = a, *y = b;
    if (x->submitted_us != y->submitted_us)
        return x->submitted_us < y->submitted_us ? -1 : 1;
    return x->rec->seq < y->rec->seq ? -1 : x->rec->seq > y->rec->seq;
}

static void history_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    if (!ippc_records_enabled(ctl->records)) {
        reply(ctl, msg, "history_reply", nodb_error(), NULL, 0);
        return;
    }
    size_t n, k = 0;
    ippc_record_t **all = ippc_records_list(ctl->records, &n);
    dated_t *dated = n ? malloc(n * sizeof(*dated)) : NULL;
    /* like the stock DictDB: only records with a submission date, oldest first */
    for (size_t i = 0; dated && i < n; i++)
        if (ippc_record_submitted(all[i], &dated[k].submitted_us))
            dated[k++].rec = all[i];
    if (k)
        qsort(dated, k, sizeof(*dated), by_submitted);
    json_t *history = json_array();
    for (size_t i = 0; i < k; i++)
        json_array_append_new(history, json_string(dated[i].rec->msg_id));
    free(dated);
    free(all);
    reply(ctl, msg, "history_reply", json_pack("{s:s, s:o}", "status", "ok", "history", history), NULL, 0);
}

static bool keys_have(const json_t *keys, const char *name)
{
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) if (json_is_string(k) && strcmp(json_string_value(k), name) == 0) return true;
    return false;
}

static void db_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    if (!ippc_records_enabled(ctl->records)) {
        reply(ctl, msg, "db_reply", nodb_error(), NULL, 0);
        return;
    }
    json_t *query = json_object_get(msg->content, "query");
    json_t *keys = json_object_get(msg->content, "keys");
    json_t *empty = NULL;
    if (!query)
        query = empty = json_object();
    json_t *err = ippc_dbquery_check(query);
    if (!err && keys && !json_is_null(keys) && !json_is_array(keys))
        err = ippc_hubmsg_error("TypeError", "keys must be a list of str");
    if (err) {
        json_decref(empty);
        reply(ctl, msg, "db_reply", err, NULL, 0);
        return;
    }
    bool with_keys = keys && json_is_array(keys);
    json_t *buffer_lens = with_keys && keys_have(keys, "buffers") ? json_array() : NULL;
    json_t *result_lens = with_keys && keys_have(keys, "result_buffers") ? json_array() : NULL;
    json_t *records = json_array();
    ippc_blob_t **bufs = NULL;
    size_t nbufs = 0, capbufs = 0;
    size_t n;
    ippc_record_t **all = ippc_records_list(ctl->records, &n);
    for (size_t i = 0; i < n && !err; i++) {
        if (!ippc_dbquery_match(all[i], query))
            continue;
        const char *bad = NULL;
        json_t *rec = ippc_record_json(all[i], with_keys ? keys : NULL, &bad);
        if (!rec) {
            err = bad ? ippc_hubmsg_keyerror("%s", bad) : ippc_hubmsg_error("MemoryError", "out of memory");
            break;
        }
        json_array_append_new(records, rec);
        if (buffer_lens)
            json_array_append_new(buffer_lens, json_integer(0)); /* request buffers are not kept */
        if (result_lens) {
            json_array_append_new(result_lens, json_integer((json_int_t)all[i]->nrbufs));
            if (nbufs + all[i]->nrbufs > capbufs) {
                capbufs = (nbufs + all[i]->nrbufs) * 2;
                ippc_blob_t **nb = realloc(bufs, capbufs * sizeof(*nb));
                if (!nb) {
                    err = ippc_hubmsg_error("MemoryError", "out of memory");
                    break;
                }
                bufs = nb;
            }
            for (size_t b = 0; b < all[i]->nrbufs; b++)
                bufs[nbufs++] = all[i]->rbufs[b];
        }
    }
    free(all);
    json_decref(empty);
    if (err) {
        json_decref(records);
        json_decref(buffer_lens);
        json_decref(result_lens);
        reply(ctl, msg, "db_reply", err, NULL, 0);
    } else {
        json_t *content = json_pack("{s:s, s:o, s:o?, s:o?}", "status", "ok", "records", records, "buffer_lens",
                                    buffer_lens, "result_buffer_lens", result_lens);
        reply(ctl, msg, "db_reply", content, bufs, nbufs);
    }
    free(bufs);
}

/* Drop the completed records that pass keep() == false. */
static void drop_completed(ippc_ctl_t *ctl, const char *engine_uuid)
{
    size_t n;
    ippc_record_t **all = ippc_records_list(ctl->records, &n);
    for (size_t i = 0; i < n; i++) {
        if (!all[i]->completed)
            continue;
        if (!engine_uuid || strcmp(all[i]->engine_uuid, engine_uuid) == 0)
            ippc_records_drop(ctl->records, all[i]);
    }
    free(all);
}

static void purge_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    json_t *ids = json_object_get(msg->content, "msg_ids");
    json_t *eids = json_object_get(msg->content, "engine_ids");
    CLOG_I("purge: dropping records of %s", json_is_string(ids) ? json_string_value(ids) : "a list of requests");
    if (json_is_string(ids) && strcmp(json_string_value(ids), "all") == 0) {
        drop_completed(ctl, NULL);
        reply(ctl, msg, "purge_reply", json_pack("{s:s}", "status", "ok"), NULL, 0);
        return;
    }
    if (ids && !json_is_array(ids)) {
        reply(ctl, msg, "purge_reply", ippc_hubmsg_error("TypeError", "msg_ids must be 'all' or a list"), NULL, 0);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        const char *id = json_string_value(v);
        if (id && ippc_registry_is_outstanding(ctl->registry, id)) {
            reply(ctl, msg, "purge_reply", ippc_hubmsg_error("IndexError", "msg pending: '%s'", id), NULL, 0);
            return;
        }
    }
    json_array_foreach(ids, i, v) {
        const char *id = json_string_value(v);
        ippc_record_t *rec = id ? ippc_records_get(ctl->records, id) : NULL;
        if (rec)
            ippc_records_drop(ctl->records, rec);
    }
    json_array_foreach(eids, i, v) {
        ippc_engine_t *e = json_is_integer(v) ? ippc_registry_by_id(ctl->registry, (long)json_integer_value(v)) : NULL;
        if (!e || !e->registered) {
            char *text = json_dumps(v, JSON_ENCODE_ANY);
            reply(ctl, msg, "purge_reply", ippc_hubmsg_error("IndexError", "No such engine: %s", text ? text : "?"),
                  NULL, 0);
            free(text);
            return;
        }
        drop_completed(ctl, e->uuid);
    }
    reply(ctl, msg, "purge_reply", json_pack("{s:s}", "status", "ok"), NULL, 0);
}

static void resubmit_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    json_t *ids = json_object_get(msg->content, "msg_ids");
    if (!json_is_array(ids)) {
        reply(ctl, msg, "resubmit_reply", ippc_hubmsg_error("TypeError", "msg_ids must be a list"), NULL, 0);
        return;
    }
    strbuf_t missing;
    strbuf_init(&missing);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        const char *id = json_string_value(v);
        if (!id || !ippc_records_get(ctl->records, id))
            strbuf_printf(&missing, "%s'%s'", missing.len ? ", " : "", id ? id : "?");
    }
    json_t *content;
    if (missing.len)
        content = ippc_hubmsg_keyerror("No such msg(s): [%s]", missing.data);
    else
        content = ippc_hubmsg_error("NotImplementedError",
                                    "resubmit is not available in this controller (it has no task scheduler)");
    strbuf_free(&missing);
    reply(ctl, msg, "resubmit_reply", content, NULL, 0);
}

/* Ask every registered engine to shut down, as `Client.shutdown(hub=True)` would; the
 * replies come back to IPPC_HUB_IDENT and are swallowed by the control relay. */
static void shutdown_engines(ippc_ctl_t *ctl)
{
    for (ippc_engine_t *e = ctl->registry->head; e; e = e->next) {
        if (!e->registered)
            continue;
        ippc_error_t *err = NULL;
        ippc_msg_t *m = ippc_session_msg(ctl->session, "shutdown_request", json_pack("{s:b}", "restart", 0),
                                         NULL, NULL, &err);
        if (m && ippc_msg_add_ident(m, e->uuid, e->uuid_len) == 0 &&
            ippc_msg_add_ident(m, IPPC_HUB_IDENT, strlen(IPPC_HUB_IDENT)) == 0 &&
            ippc_session_send(ctl->session, ctl->sock[SOCK_CTL_OUT], m, ZMQ_DONTWAIT, &err) == 0)
            CLOG_I("shutdown: asked engine %d to shut down", e->id);
        else
            CLOG_W("shutdown: cannot ask engine %d to shut down: %s", e->id,
                   err ? ippc_error_message(err) : "out of memory");
        ippc_error_destroy(&err);
        ippc_msg_destroy(&m);
    }
}

static void shutdown_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    CLOG_I("shutdown: requested by a client");
    reply(ctl, msg, "shutdown_reply", json_pack("{s:s}", "status", "ok"), NULL, 0);
    ippc_hubmsg_send(ctl, SOCK_NOTIF, NULL, 0, "shutdown_notification", json_pack("{s:s}", "status", "ok"),
                     msg->header, NULL, NULL, 0);
    shutdown_engines(ctl);
    if (!ctl->stopping) {
        /* the stock hub exits a second later; the loop runs on meanwhile so that the
         * replies and notifications go out */
        ctl->stopping = true;
        ctl->stop_at = ctl->now + 1.0;
    }
}

static void unregistration_request(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    json_t *id = json_object_get(msg->content, "id");
    ippc_engine_t *e = json_is_integer(id) ? ippc_registry_by_id(ctl->registry, (long)json_integer_value(id)) : NULL;
    if (!e || !e->registered) {
        if (json_is_integer(id))
            CLOG_I("unregistration: engine %lld is not registered (already gone?)", (long long)json_integer_value(id));
        else
            CLOG_W("unregistration: request without an engine id; ignored");
        return;
    }
    ippc_registry_unregister(ctl, e, "it asked to (unregistration_request)");
}

typedef void (*handler_fn)(ippc_ctl_t *ctl, const ippc_msg_t *msg);

static const struct {
    const char *type;
    handler_fn fn;
} handlers[] = {
    {"registration_request", ippc_registry_register},
    {"unregistration_request", unregistration_request},
    {"connection_request", connection_request},
    {"queue_request", queue_request},
    {"result_request", result_request},
    {"history_request", history_request},
    {"db_request", db_request},
    {"purge_request", purge_request},
    {"load_request", load_request},
    {"resubmit_request", resubmit_request},
    {"shutdown_request", shutdown_request},
};

static void dispatch(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    const char *type = ippc_msg_type(msg);
    if (!type)
        type = "";
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (strcmp(type, handlers[i].type) == 0) {
            if (strcmp(type, "registration_request") != 0 && strcmp(type, "connection_request") != 0)
                CLOG_D("query: %s", type);
            handlers[i].fn(ctl, msg);
            return;
        }
    CLOG_W("query: unknown message type '%s'", type);
    reply(ctl, msg, "hub_error", ippc_hubmsg_keyerror("Bad Message Type: '%s'", type), NULL, 0);
}

bool ippc_queries_on_recv(ippc_ctl_t *ctl)
{
    for (int batch = 0; batch < IPPC_BATCH; batch++) {
        ippc_error_t *err = NULL;
        ippc_msg_t *msg = ippc_session_recv(ctl->session, ctl->sock[SOCK_REG], ZMQ_DONTWAIT, &err);
        if (!msg) {
            ippc_errcode_t code = ippc_error_code(err);
            if (code != IPPC_E_TIMEOUT)
                ippc_droplog_note(&ctl->drops[SOCK_REG], ctl->now, "%s", ippc_error_message(err));
            ippc_error_destroy(&err);
            if (code == IPPC_E_TIMEOUT || code == IPPC_E_IO)
                return false;
            continue;
        }
        if (msg->nidents == 0 || !json_is_object(msg->content))
            ippc_droplog_note(&ctl->drops[SOCK_REG], ctl->now, "message without a routing identity or content");
        else
            dispatch(ctl, msg);
        ippc_msg_destroy(&msg);
    }
    return true;
}
