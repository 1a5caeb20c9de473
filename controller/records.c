/* records.c - the bounded task record store (see records.h). */
#include "config.h"

#include "records.h"

#include <stdlib.h>
#include <string.h>

#include "clog.h"
#include "dbquery.h"
#include "strmap.h"

/* What a record costs beyond its parts: the struct, the JSON object of ~20 keys, the
 * table slot. An estimate; it keeps the count of tiny records honest in the byte limit. */
#define RECORD_OVERHEAD 1024

enum { IO_EXECUTE_INPUT, IO_EXECUTE_RESULT, IO_DISPLAY_DATA, IO_ERROR, IO_COUNT };
static const char *const io_keys[IO_COUNT] = {"execute_input", "execute_result", "display_data", "error"};

/* The TaskRecord keys kept in rec->doc, in the stock order. */
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

static void release_rbufs(ippc_record_t *rec)
{
    for (size_t i = 0; i < rec->nrbufs; i++)
        ippc_blob_destroy(&rec->rbufs[i]);
    free(rec->rbufs);
    rec->rbufs = NULL;
    rec->nrbufs = 0;
}

static void record_free(ippc_record_t *rec)
{
    release_rbufs(rec);
    json_decref(rec->doc);
    strbuf_free(&rec->out);
    strbuf_free(&rec->err);
    free(rec->msg_id);
    free(rec);
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

/* Recompute a record's size and the store's total after a change. */
static void resize(ippc_records_t *r, ippc_record_t *rec)
{
    size_t b = RECORD_OVERHEAD + 2 * strlen(rec->msg_id) + rec->req_bytes + rec->res_bytes +
               rec->out.len + rec->err.len;
    for (int i = 0; i < IO_COUNT; i++)
        b += rec->io_bytes[i];
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

static ippc_record_t *record_new(ippc_records_t *r, const char *msg_id)
{
    ippc_record_t *rec = calloc(1, sizeof(*rec));
    if (!rec)
        return NULL;
    rec->msg_id = strdup(msg_id);
    rec->doc = json_object();
    if (!rec->msg_id || !rec->doc)
        goto fail;
    for (size_t i = 0; i < NDOC_KEYS; i++)
        if (json_object_set_new(rec->doc, doc_keys[i], json_null()) < 0)
            goto fail;
    if (json_object_set_new(rec->doc, "msg_id", json_string(msg_id)) < 0)
        goto fail;
    strbuf_init(&rec->out);
    strbuf_init(&rec->err);
    rec->submitted_us = INT64_MIN;
    if (ippc_strmap_put(r->by_id, msg_id, strlen(msg_id), rec) < 0)
        goto fail;
    rec->seq = r->seq++;
    list_append(&r->pending, rec);
    r->count++;
    return rec;
fail:
    json_decref(rec->doc);
    free(rec->msg_id);
    free(rec);
    CLOG_E("records: out of memory; %s not recorded", msg_id);
    return NULL;
}

static const char *json_str(const json_t *obj, const char *key)
{
    return obj ? json_string_value(json_object_get(obj, key)) : NULL;
}

static void set_field(ippc_record_t *rec, const char *key, json_t *value)
{
    json_object_set(rec->doc, key, value ? value : json_null());
}

static void set_field_str(ippc_record_t *rec, const char *key, const char *s)
{
    json_object_set_new(rec->doc, key, s ? json_string(s) : json_null());
}

void ippc_records_request(ippc_records_t *r, const char *msg_id, json_t *header, json_t *metadata,
                          json_t *content, size_t bytes, const char *engine_uuid, const char *queue)
{
    if (!r->enabled)
        return;
    ippc_record_t *rec = ippc_records_get(r, msg_id);
    if (!rec && !(rec = record_new(r, msg_id)))
        return;
    set_field(rec, "header", header);
    set_field(rec, "metadata", metadata);
    set_field(rec, "content", content);
    const char *date = json_str(header, "date");
    set_field_str(rec, "submitted", date);
    if (!date || ippc_date_parse(date, &rec->submitted_us) < 0)
        rec->submitted_us = INT64_MIN;
    set_field_str(rec, "client_uuid", json_str(header, "session"));
    set_field_str(rec, "engine_uuid", engine_uuid);
    set_field_str(rec, "queue", queue);
    rec->req_bytes = bytes;
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

bool ippc_records_result(ippc_records_t *r, const char *msg_id, json_t *header, json_t *metadata,
                         json_t *content, size_t bytes, zmq_msg_t *buffers, size_t nbuffers,
                         const char *received)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec)
        return false;
    set_field(rec, "result_header", header);
    set_field(rec, "result_metadata", metadata);
    set_field(rec, "result_content", content);
    json_t *started = metadata ? json_object_get(metadata, "started") : NULL;
    set_field(rec, "started", json_is_string(started) ? started : NULL);
    const char *date = json_str(header, "date");
    set_field_str(rec, "completed", date ? date : received);
    set_field_str(rec, "received", received);
    release_rbufs(rec);
    if (nbuffers) {
        rec->rbufs = calloc(nbuffers, sizeof(*rec->rbufs));
        for (size_t i = 0; rec->rbufs && i < nbuffers; i++) {
            zmq_msg_t copy;
            zmq_msg_init(&copy);
            /* zmq_msg_copy shares the frame's memory (a reference count), so keeping
             * the result costs no copy of the data the relay forwards. */
            if (zmq_msg_copy(&copy, &buffers[i]) < 0 || !(rec->rbufs[i] = ippc_blob_from_zmq(&copy))) {
                zmq_msg_close(&copy);
                break;
            }
            rec->nrbufs++;
        }
        if (rec->nrbufs < nbuffers)
            CLOG_E("records: out of memory keeping the buffers of %s", msg_id);
    }
    rec->res_bytes = bytes;
    mark_completed(r, rec);
    resize(r, rec);
    enforce(r);
    return true;
}

void ippc_records_fail(ippc_records_t *r, const char *msg_id, const char *engine_uuid, json_t *content,
                       const char *when)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec) {
        json_decref(content);
        return;
    }
    /* The stock hub's fake result header is {engine, date}; we also give metadata so
     * the stock client can build its result metadata from it (it reads .get()s). */
    json_t *hdr = json_pack("{s:s, s:s}", "engine", engine_uuid, "date", when);
    set_field(rec, "result_header", hdr);
    json_decref(hdr);
    json_t *md = json_pack("{s:s, s:s, s:b, s:b, s:b}", "engine", engine_uuid, "status", "error",
                           "dependencies_met", 1, "is_broadcast", 0, "is_coalescing", 0);
    set_field(rec, "result_metadata", md);
    json_decref(md);
    set_field(rec, "result_content", content);
    size_t csize = 256;
    char *text = json_dumps(content, JSON_COMPACT);
    if (text) {
        csize += strlen(text);
        free(text);
    }
    json_decref(content);
    set_field_str(rec, "completed", when);
    set_field_str(rec, "received", when);
    set_field_str(rec, "engine_uuid", engine_uuid);
    release_rbufs(rec);
    rec->res_bytes = csize;
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

void ippc_records_iopub(ippc_records_t *r, const char *msg_id, const char *key, json_t *value, size_t bytes)
{
    ippc_record_t *rec = r->enabled ? ippc_records_get(r, msg_id) : NULL;
    if (!rec)
        return;
    for (int i = 0; i < IO_COUNT; i++)
        if (strcmp(key, io_keys[i]) == 0) {
            set_field(rec, key, value);
            rec->io_bytes[i] = bytes;
            resize(r, rec);
            enforce(r);
            return;
        }
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

static json_t *text_value(const strbuf_t *sb)
{
    return json_stringn_nocheck(sb->len ? sb->data : "", sb->len);
}

json_t *ippc_record_field(const ippc_record_t *rec, const char *key, bool *owned)
{
    *owned = false;
    if (strcmp(key, "stdout") == 0 || strcmp(key, "stderr") == 0) {
        *owned = true;
        return text_value(key[3] == 'o' ? &rec->out : &rec->err);
    }
    json_t *v = json_object_get(rec->doc, key);
    return v ? v : json_null();
}

json_t *ippc_record_json(const ippc_record_t *rec, const json_t *keys, const char **bad_key)
{
    *bad_key = NULL;
    json_t *o;
    if (!keys || json_is_null(keys)) {
        o = json_copy(rec->doc); /* shallow: the values are shared, not duplicated */
        if (!o)
            return NULL;
        json_object_set_new(o, "stdout", text_value(&rec->out));
        json_object_set_new(o, "stderr", text_value(&rec->err));
        return o;
    }
    o = json_object();
    if (!o)
        return NULL;
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
        bool owned;
        json_t *v = ippc_record_field(rec, name, &owned);
        if (owned)
            json_object_set_new(o, name, v);
        else
            json_object_set(o, name, v);
    }
    return o;
}
