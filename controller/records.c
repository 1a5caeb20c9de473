/* records.c - the bounded task record store (see records.h). */
#include "config.h"

#include "records.h"

#include <stdlib.h>
#include <string.h>

#include "clog.h"
#include "dbquery.h"
#include "jscan.h"
#include "strmap.h"
#include "wire.h"

/* What a record costs beyond its parts: the struct, its table slot, the list links. An
 * estimate; it keeps the count of tiny records honest in the byte limit. */
#define RECORD_OVERHEAD 1024
/* Result buffers smaller than this are copied: a shared frame this small usually lives
 * inside one of libzmq's 8 KiB receive buffers and would keep all of it alive. */
#define SHARE_MIN_BYTES 8192

static const char *const io_keys[IPPC_IO_COUNT] = {"execute_input", "execute_result", "display_data", "error"};

/* The TaskRecord keys, in the stock order (stdout and stderr are added after them). */
static const char *const doc_keys[] = {
    "msg_id", "header", "metadata", "content", "submitted", "client_uuid", "engine_uuid",
    "started", "completed", "resubmitted", "received", "result_header", "result_metadata",
    "result_content", "queue", "execute_input", "execute_result", "error",
};
#define NDOC_KEYS (sizeof(doc_keys) / sizeof(doc_keys[0]))

typedef struct {
    ippc_record_t *head, *tail;
} rlist_t;

struct ippc_records {
    ippc_strmap_t *by_id;
    rlist_t pending, done;
    size_t count, bytes, max_count, max_bytes;
    unsigned long dropped;
    uint64_t seq;
    bool enabled;
};

ippc_records_t *ippc_records_new(size_t max_count, size_t max_bytes, bool enabled)
{
    ippc_records_t *r = calloc(1, sizeof(*r));
    if (!r || !(r->by_id = ippc_strmap_new())) {
        free(r);
        return NULL;
    }
    r->max_count = max_count;
    r->max_bytes = max_bytes;
    r->enabled = enabled;
    return r;
}

static void list_remove(rlist_t *l, ippc_record_t *rec)
{
    if (rec->prev)
        rec->prev->next = rec->next;
    else
        l->head = rec->next;
    if (rec->next)
        rec->next->prev = rec->prev;
    else
        l->tail = rec->prev;
    rec->prev = rec->next = NULL;
}

static void list_append(rlist_t *l, ippc_record_t *rec)
{
    rec->prev = l->tail;
    rec->next = NULL;
    if (l->tail)
        l->tail->next = rec;
    else
        l->head = rec;
    l->tail = rec;
}

static void release_result(ippc_record_t *rec)
{
    for (size_t i = 0; i < rec->nrbufs; i++)
        ippc_blob_destroy(&rec->rbufs[i]);
    free(rec->rbufs);
    rec->rbufs = NULL;
    rec->nrbufs = 0;
    free(rec->res);
    rec->res = NULL;
    memset(rec->res_len, 0, sizeof(rec->res_len));
}

static void record_free(ippc_record_t *rec)
{
    release_result(rec);
    for (int i = 0; i < IPPC_IO_COUNT; i++)
        free(rec->io[i]);
    strbuf_free(&rec->out);
    strbuf_free(&rec->err);
    free(rec); /* msg_id, engine_uuid and the request text are part of it */
}

void ippc_records_drop(ippc_records_t *r, ippc_record_t *rec)
{
    ippc_strmap_remove(r->by_id, rec->msg_id, strlen(rec->msg_id));
    list_remove(rec->completed ? &r->done : &r->pending, rec);
    r->count--;
    r->bytes -= rec->bytes;
    record_free(rec);
}

void ippc_records_destroy(ippc_records_t **pr)
{
    ippc_records_t *r = pr ? *pr : NULL;
    if (!r)
        return;
    while (r->done.head)
        ippc_records_drop(r, r->done.head);
    while (r->pending.head)
        ippc_records_drop(r, r->pending.head);
    ippc_strmap_destroy(&r->by_id);
    free(r);
    *pr = NULL;
}

bool ippc_records_enabled(const ippc_records_t *r) { return r->enabled; }
size_t ippc_records_count(const ippc_records_t *r) { return r->count; }
size_t ippc_records_bytes(const ippc_records_t *r) { return r->bytes; }
size_t ippc_records_max_count(const ippc_records_t *r) { return r->max_count; }
size_t ippc_records_max_bytes(const ippc_records_t *r) { return r->max_bytes; }
unsigned long ippc_records_dropped(const ippc_records_t *r) { return r->dropped; }

ippc_record_t *ippc_records_get(const ippc_records_t *r, const char *msg_id)
{
    return ippc_strmap_get(r->by_id, msg_id, strlen(msg_id));
}

static size_t sum3(const size_t len[3]) { return len[0] + len[1] + len[2]; }

/* Recompute a record's size and the store's total after a change. */
static void resize(ippc_records_t *r, ippc_record_t *rec)
{
    size_t b = RECORD_OVERHEAD + 2 * strlen(rec->msg_id) + strlen(rec->engine_uuid) + sum3(rec->req_len) +
               sum3(rec->res_len) + rec->out.len + rec->err.len;
    for (int i = 0; i < IPPC_IO_COUNT; i++)
        b += rec->io_len[i];
    for (size_t i = 0; i < rec->nrbufs; i++)
        b += ippc_blob_size(rec->rbufs[i]);
    r->bytes = r->bytes - rec->bytes + b;
    rec->bytes = b;
}

/* Keep within the limits: oldest completed first, then oldest pending. Callers must
 * not touch a record after this (it may be the one dropped). */
static void enforce(ippc_records_t *r)
{
    unsigned long before = r->dropped;
    while (r->count && (r->count > r->max_count || r->bytes > r->max_bytes)) {
        ippc_record_t *victim = r->done.head ? r->done.head : r->pending.head;
        CLOG_D("records: dropping %s (%s, %zu bytes)", victim->msg_id,
               victim->completed ? "completed" : "pending", victim->bytes);
        ippc_records_drop(r, victim);
        r->dropped++;
    }
    /* Say so the first time, and then every 1000: an operator who wonders where old
     * results went finds it in the log. */
    if (r->dropped != before && (before == 0 || r->dropped / 1000 != before / 1000))
        CLOG_I("records: %lu record(s) dropped so far to stay within --records-max=%zu / "
               "--records-max-bytes=%zu", r->dropped, r->max_count, r->max_bytes);
}

/* Copy three parts back to back into dst. */
static void copy3(char *dst, const ippc_rawmsg_t *m, size_t len[3])
{
    for (int k = 0; k < 3; k++) {
        if (m->len[k])
            memcpy(dst, m->data[k], m->len[k]);
        dst += m->len[k];
        len[k] = m->len[k];
    }
}

void ippc_records_request(ippc_records_t *r, const char *msg_id, const ippc_rawmsg_t *req,
                          const char *engine_uuid, const char *queue)
{
    if (!r->enabled)
        return;
    ippc_record_t *old = ippc_records_get(r, msg_id);
    if (old)
        ippc_records_drop(r, old);
    size_t idlen = strlen(msg_id), ulen = engine_uuid ? strlen(engine_uuid) : 0;
    /* One allocation: the record, its msg_id, its engine and the request's text. */
    ippc_record_t *rec = malloc(sizeof(*rec) + idlen + 1 + ulen + 1 + sum3(req->len));
    if (!rec) {
        CLOG_E("records: out of memory; %s not recorded", msg_id);
        return;
    }
    memset(rec, 0, sizeof(*rec));
    char *p = (char *)(rec + 1);
    rec->msg_id = memcpy(p, msg_id, idlen + 1);
    p += idlen + 1;
    rec->engine_uuid = p;
    if (ulen)
        memcpy(p, engine_uuid, ulen);
    p[ulen] = '\0';
    p += ulen + 1;
    rec->req = p;
    copy3(p, req, rec->req_len);
    rec->queue = queue;
    strbuf_init(&rec->out);
    strbuf_init(&rec->err);
    if (ippc_strmap_put_ref(r->by_id, rec->msg_id, idlen, rec) < 0) {
        free(rec);
        CLOG_E("records: out of memory; %s not recorded", msg_id);
        return;
    }
    rec->seq = r->seq++;
    list_append(&r->pending, rec);
    r->count++;
    resize(r, rec);
    enforce(r);
}

static void mark_completed(ippc_records_t *r, ippc_record_t *rec)
{
    if (rec->completed) {
        /* a second reply (after an EngineError) replaces the first: it is the newest */
        list_remove(&r->done, rec);
    } else {
        list_remove(&r->pending, rec);
        rec->completed = true;
    }
    list_append(&r->done, rec);
}

static ippc_blob_t *keep_buffer(zmq_msg_t *frame)
{
    size_t size = zmq_msg_size(frame);
    if (size < SHARE_MIN_BYTES)
        return ippc_blob_copy(zmq_msg_data(frame), size);
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    /* zmq_msg_copy shares the frame's memory (a reference count): keeping a large
     * result costs no copy of the data the relay forwards. */
    ippc_blob_t *b = zmq_msg_copy(&copy, frame) == 0 ? ippc_blob_from_zmq(&copy) : NULL;
    if (!b)
        zmq_msg_close(&copy);
    return b;
}

/* Replace the result text; false when out of memory (the old result is gone then). */
static bool set_result(ippc_record_t *rec, const ippc_rawmsg_t *res)
{
    release_result(rec);
    rec->res = malloc(sum3(res->len) + 1);
    if (!rec->res)
        return false;
    copy3(rec->res, res, rec->res_len);
    return true;
}

bool ippc_records_result(ippc_records_t *r, const char *msg_id, const ippc_rawmsg_t *res, zmq_msg_t *buffers,
                         size_t nbuffers, const struct timespec *received)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec)
        return false;
    if (!set_result(rec, res))
        CLOG_E("records: out of memory keeping the result of %s", msg_id);
    rec->received = *received;
    if (nbuffers && rec->res) {
        rec->rbufs = calloc(nbuffers, sizeof(*rec->rbufs));
        for (size_t i = 0; rec->rbufs && i < nbuffers && (rec->rbufs[i] = keep_buffer(&buffers[i])); i++)
            rec->nrbufs++;
        if (rec->nrbufs < nbuffers)
            CLOG_E("records: out of memory keeping the buffers of %s", msg_id);
    }
    mark_completed(r, rec);
    resize(r, rec);
    enforce(r);
    return true;
}

static char *dump(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    return s;
}

void ippc_records_fail(ippc_records_t *r, const char *msg_id, const char *engine_uuid, json_t *content,
                       const struct timespec *when)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec) {
        json_decref(content);
        return;
    }
    char date[32];
    ippc_wire_isodate(when, date);
    /* The stock hub's fake result header is {engine, date}; we also give metadata so
     * the stock client can build its result metadata from it (it reads .get()s). */
    char *parts[3] = {
        dump(json_pack("{s:s, s:s}", "engine", engine_uuid, "date", date)),
        dump(json_pack("{s:s, s:s, s:b, s:b, s:b}", "engine", engine_uuid, "status", "error", "dependencies_met", 1,
                       "is_broadcast", 0, "is_coalescing", 0)),
        dump(content),
    };
    if (parts[0] && parts[1] && parts[2]) {
        ippc_rawmsg_t res = {{parts[0], parts[1], parts[2]}, {strlen(parts[0]), strlen(parts[1]), strlen(parts[2])}};
        if (!set_result(rec, &res))
            CLOG_E("records: out of memory recording the failure of %s", msg_id);
    } else {
        release_result(rec);
        CLOG_E("records: out of memory recording the failure of %s", msg_id);
    }
    for (int k = 0; k < 3; k++)
        free(parts[k]);
    rec->received = *when;
    mark_completed(r, rec);
    resize(r, rec);
    enforce(r);
}

void ippc_records_stream(ippc_records_t *r, const char *msg_id, const char *name, const char *text,
                         size_t len)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec)
        return;
    if (strcmp(name, "stdout") == 0)
        strbuf_putn(&rec->out, text, len);
    else if (strcmp(name, "stderr") == 0)
        strbuf_putn(&rec->err, text, len);
    else
        return;
    resize(r, rec);
    enforce(r);
}

void ippc_records_iopub(ippc_records_t *r, const char *msg_id, int io, const char *content, size_t len)
{
    ippc_record_t *rec = r->enabled && io >= 0 && io < IPPC_IO_COUNT ? ippc_records_get(r, msg_id) : NULL;
    if (!rec)
        return;
    char *copy = malloc(len + 1);
    if (!copy) {
        CLOG_E("records: out of memory keeping the %s of %s", io_keys[io], msg_id);
        return;
    }
    memcpy(copy, content, len);
    free(rec->io[io]);
    rec->io[io] = copy;
    rec->io_len[io] = len;
    resize(r, rec);
    enforce(r);
}

static int by_seq(const void *a, const void *b)
{
    const ippc_record_t *x = *(ippc_record_t *const *)a, *y = *(ippc_record_t *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

ippc_record_t **ippc_records_list(const ippc_records_t *r, size_t *n)
{
    *n = 0;
    if (!r->count)
        return NULL;
    ippc_record_t **all = malloc(r->count * sizeof(*all));
    if (!all)
        return NULL;
    for (ippc_record_t *rec = r->pending.head; rec; rec = rec->next)
        all[(*n)++] = rec;
    for (ippc_record_t *rec = r->done.head; rec; rec = rec->next)
        all[(*n)++] = rec;
    qsort(all, *n, sizeof(*all), by_seq);
    return all;
}

bool ippc_record_is_key(const char *key)
{
    static const char *const extra[] = {"buffers", "result_buffers", "stdout", "stderr", "display_data"};
    for (size_t i = 0; i < NDOC_KEYS; i++)
        if (strcmp(key, doc_keys[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        if (strcmp(key, extra[i]) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------ reading a record */

/* Part k of three stored back to back, parsed; json null when absent or not JSON. */
static json_t *parse_part(const char *base, const size_t len[3], int k)
{
    if (!base)
        return json_null();
    const char *p = base;
    for (int i = 0; i < k; i++)
        p += len[i];
    json_t *v = json_loadb(p, len[k], 0, NULL);
    return v ? v : json_null();
}

static json_t *text_value(const strbuf_t *sb)
{
    return json_stringn_nocheck(sb->len ? sb->data : "", sb->len);
}

/* A string member of a part, as a new json string, or null. */
static json_t *member_string(const char *base, const size_t len[3], int k, const char *member)
{
    json_t *part = parse_part(base, len, k);
    json_t *v = json_object_get(part, member);
    json_t *out = json_is_string(v) ? json_incref(v) : json_null();
    json_decref(part);
    return out;
}

static json_t *received_value(const ippc_record_t *rec)
{
    if (!rec->res)
        return json_null();
    char date[32];
    ippc_wire_isodate(&rec->received, date);
    return json_string(date);
}

static json_t *io_value(const ippc_record_t *rec, int io)
{
    if (!rec->io[io])
        return json_null();
    json_t *content = json_loadb(rec->io[io], rec->io_len[io], 0, NULL);
    if (io != IPPC_IO_EXECUTE_INPUT)
        return content ? content : json_null();
    /* execute_input is kept as its code, as the stock hub does */
    json_t *code = json_object_get(content, "code");
    json_t *out = json_is_string(code) ? json_incref(code) : json_null();
    json_decref(content);
    return out;
}

json_t *ippc_record_field(const ippc_record_t *rec, const char *key, bool *owned)
{
    enum { H, M, C };
    *owned = true;
    if (strcmp(key, "msg_id") == 0)
        return json_string(rec->msg_id);
    if (strcmp(key, "header") == 0)
        return parse_part(rec->req, rec->req_len, H);
    if (strcmp(key, "metadata") == 0)
        return parse_part(rec->req, rec->req_len, M);
    if (strcmp(key, "content") == 0)
        return parse_part(rec->req, rec->req_len, C);
    if (strcmp(key, "submitted") == 0)
        return member_string(rec->req, rec->req_len, H, "date");
    if (strcmp(key, "client_uuid") == 0)
        return member_string(rec->req, rec->req_len, H, "session");
    if (strcmp(key, "engine_uuid") == 0)
        return rec->engine_uuid[0] ? json_string(rec->engine_uuid) : json_null();
    if (strcmp(key, "started") == 0)
        return member_string(rec->res, rec->res_len, M, "started");
    if (strcmp(key, "completed") == 0) {
        json_t *date = member_string(rec->res, rec->res_len, H, "date");
        if (json_is_null(date) && rec->res)
            return received_value(rec);
        return date;
    }
    if (strcmp(key, "received") == 0)
        return received_value(rec);
    if (strcmp(key, "result_header") == 0)
        return parse_part(rec->res, rec->res_len, H);
    if (strcmp(key, "result_metadata") == 0)
        return parse_part(rec->res, rec->res_len, M);
    if (strcmp(key, "result_content") == 0)
        return parse_part(rec->res, rec->res_len, C);
    if (strcmp(key, "queue") == 0)
        return rec->queue ? json_string(rec->queue) : json_null();
    if (strcmp(key, "stdout") == 0)
        return text_value(&rec->out);
    if (strcmp(key, "stderr") == 0)
        return text_value(&rec->err);
    for (int i = 0; i < IPPC_IO_COUNT; i++)
        if (strcmp(key, io_keys[i]) == 0)
            return io_value(rec, i);
    return json_null(); /* resubmitted, and names that are not keys */
}

json_t *ippc_record_json(const ippc_record_t *rec, const json_t *keys, const char **bad_key)
{
    *bad_key = NULL;
    bool owned;
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (!keys || json_is_null(keys)) {
        for (size_t i = 0; i < NDOC_KEYS; i++)
            json_object_set_new(o, doc_keys[i], ippc_record_field(rec, doc_keys[i], &owned));
        json_object_set_new(o, "stdout", text_value(&rec->out));
        json_object_set_new(o, "stderr", text_value(&rec->err));
        /* the stock hub adds this key only when such output came */
        if (rec->io[IPPC_IO_DISPLAY_DATA])
            json_object_set_new(o, "display_data", io_value(rec, IPPC_IO_DISPLAY_DATA));
        return o;
    }
    json_object_set_new(o, "msg_id", json_string(rec->msg_id));
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k) {
        const char *name = json_string_value(k);
        if (!name || !ippc_record_is_key(name)) {
            *bad_key = name ? name : "(not a string)";
            json_decref(o);
            return NULL;
        }
        /* buffers travel as frames with their lengths beside the records */
        if (strcmp(name, "buffers") == 0 || strcmp(name, "result_buffers") == 0)
            continue;
        json_object_set_new(o, name, ippc_record_field(rec, name, &owned));
    }
    return o;
}

bool ippc_record_submitted(const ippc_record_t *rec, int64_t *us)
{
    static const char *const keys[] = {"date"};
    ippc_jspan_t date;
    char text[64];
    if (!rec->req || ippc_jscan_object(rec->req, rec->req_len[0], keys, &date, 1) < 0 || !date.p ||
        date.p[0] != '"')
        return false;
    if (ippc_jscan_string(date, text, sizeof(text)) < 0 || ippc_date_parse(text, us) < 0)
        *us = INT64_MIN;
    return true;
}
