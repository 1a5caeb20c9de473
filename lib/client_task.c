/* client_task.c - one request to one engine and what came back for it: the reply
 * (value or exception), the timestamps, the IOPub output; and the table that finds a
 * task again by msg_id when its reply or output arrives. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"

/* ------------------------------------------------------------------ tasks */

ippc_task_t *ippc_task_new(ippc_task_kind_t kind, const char *msg_id, int engine_id, const char *uuid)
{
    ippc_task_t *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->refs = 1;
    t->kind = kind;
    t->engine_id = engine_id;
    t->msg_id = strdup(msg_id);
    t->engine_uuid = uuid ? strdup(uuid) : NULL;
    strbuf_init(&t->out);
    strbuf_init(&t->err);
    /* control requests and queries produce no IOPub output */
    t->output_done = kind == IPPC_TASK_CONTROL || kind == IPPC_TASK_QUERY;
    if (!t->msg_id || (uuid && !t->engine_uuid))
        ippc_task_unref(&t);
    return t;
}

ippc_task_t *ippc_task_ref(ippc_task_t *t)
{
    if (t)
        t->refs++;
    return t;
}

void ippc_task_unref(ippc_task_t **tp)
{
    if (!tp || !*tp)
        return;
    ippc_task_t *t = *tp;
    *tp = NULL;
    if (--t->refs > 0)
        return;
    free(t->msg_id);
    free(t->engine_uuid);
    ippc_value_destroy(&t->value);
    ippc_error_destroy(&t->error);
    json_decref(t->reply);
    free(t->started);
    free(t->completed);
    strbuf_free(&t->out);
    strbuf_free(&t->err);
    free(t->execute_result);
    free(t);
}

size_t ippc_stream_fold_cr(char *text, size_t len)
{
    size_t r = 0, w = 0;
    while (r < len) {
        size_t end = r;
        while (end < len && text[end] != '\n')
            end++;
        size_t start = r;
        for (size_t k = r; k + 1 < end; k++)
            if (text[k] == '\r')
                start = k + 1;
        memmove(text + w, text + start, end - start);
        w += end - start;
        if (end < len)
            text[w++] = '\n';
        r = end + 1;
    }
    if (w < len)
        text[w] = '\0';
    return w;
}

void ippc_task_add_stream(ippc_task_t *t, bool is_stderr, const char *text, size_t len)
{
    strbuf_t *sb = is_stderr ? &t->err : &t->out;
    strbuf_putn(sb, text, len);
    if (sb->data && memchr(text, '\r', len))
        sb->len = ippc_stream_fold_cr(sb->data, sb->len);
}

const char *ippc_task_stream(ippc_task_t *t, bool is_stderr)
{
    strbuf_t *sb = is_stderr ? &t->err : &t->out;
    return sb->data && !sb->failed ? sb->data : "";
}

static const char *str_member(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static const char *kind_method(ippc_task_kind_t kind)
{
    switch (kind) {
    case IPPC_TASK_APPLY:
        return "apply";
    case IPPC_TASK_EXECUTE:
        return "execute";
    case IPPC_TASK_CONTROL:
        return "control";
    case IPPC_TASK_QUERY:
        break;
    }
    return "query";
}

/* The stock error content {ename, evalue, traceback, engine_info} as a RemoteError. */
static ippc_error_t *remote_error(const ippc_task_t *t, const json_t *content)
{
    const char *ename = json_string_value(json_object_get(content, "ename"));
    const char *evalue = json_string_value(json_object_get(content, "evalue"));
    const char *method = json_string_value(json_object_get(json_object_get(content, "engine_info"), "method"));
    json_t *tb = json_object_get(content, "traceback");
    size_t ntb = json_is_array(tb) ? json_array_size(tb) : 0;
    const char **lines = calloc(ntb ? ntb : 1, sizeof(*lines));
    if (!lines)
        return ippc_error_new(IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < ntb; i++) {
        const char *s = json_string_value(json_array_get(tb, i));
        lines[i] = s ? s : "";
    }
    ippc_error_t *e = ippc_error_new_remote(t->engine_id, method ? method : kind_method(t->kind),
                                            ename ? ename : "UnknownError", evalue ? evalue : "", lines, ntb);
    free(lines);
    return e ? e : ippc_error_new(IPPC_E_NOMEM, "out of memory");
}

/* A stock engine fails on a native apply_request inside its pickle decoder
 * (serialize.unpack_apply_message): that says which kind of engine it is. */
static bool stock_unpack_failed(const json_t *content)
{
    const json_t *tb = json_object_get(content, "traceback");
    for (size_t i = 0; i < json_array_size(tb); i++) {
        const char *line = json_string_value(json_array_get(tb, i));
        if (line && strstr(line, "unpack_apply_message"))
            return true;
    }
    return false;
}

/* The value of a successful reply. */
static void take_value(ippc_task_t *t, const json_t *content, ippc_blob_t *const *buffers, size_t nbuffers)
{
    if (t->kind != IPPC_TASK_APPLY) {
        t->value = ippc_value_new_none();
        if (!t->value)
            t->error = ippc_error_new(IPPC_E_NOMEM, "out of memory");
        return;
    }
    const json_t *desc = json_object_get(content, "result");
    if (!desc) {
        t->error = ippc_error_new(IPPC_E_PROTOCOL,
                                  "engine %d answered apply without a native result: apply from C needs "
                                  "ippc-engine (stock engines understand only pickled Python calls)",
                                  t->engine_id);
        return;
    }
    t->value = ippc_value_decode(desc, buffers, nbuffers, &t->error);
    if (!t->value)
        ippc_error_prefix(&t->error, "engine %d: bad result", t->engine_id);
}

void ippc_task_take_reply(ippc_task_t *t, const ippc_msg_t *reply)
{
    ippc_task_take_reply_parts(t, reply->content, str_member(reply->header, "date"),
                               str_member(reply->metadata, "started"), reply->buffers, reply->nbuffers);
}

void ippc_task_take_reply_parts(ippc_task_t *t, json_t *content, const char *date, const char *started,
                                ippc_blob_t *const *buffers, size_t nbuffers)
{
    if (t->replied)
        return;
    t->replied = true;
    t->reply = json_incref(content);
    t->completed = date ? strdup(date) : NULL;
    t->started = started ? strdup(started) : NULL;
    const char *status = json_string_value(json_object_get(content, "status"));
    if (status && strcmp(status, "ok") == 0) {
        take_value(t, content, buffers, nbuffers);
        return;
    }
    if (status && strcmp(status, "aborted") == 0)
        t->error = ippc_error_new_remote(t->engine_id, kind_method(t->kind), "TaskAborted", t->msg_id, NULL, 0);
    else if (t->kind == IPPC_TASK_APPLY && stock_unpack_failed(content))
        t->error = ippc_error_new(IPPC_E_PROTOCOL,
                                  "engine %d cannot run native apply requests (a stock ipengine? it failed "
                                  "unpacking: %s): apply and the operations built on it need ippc-engine",
                                  t->engine_id, json_string_value(json_object_get(content, "ename")));
    else
        t->error = remote_error(t, content);
    if (!t->error)
        t->error = ippc_error_new(IPPC_E_NOMEM, "out of memory");
    /* as the stock client: a failure the engine did not report itself brings no output */
    if (!json_object_get(content, "engine_info"))
        t->output_done = true;
}

void ippc_task_fail(ippc_task_t *t, ippc_error_t *err)
{
    if (!t->replied) {
        t->replied = true;
        t->error = err;
    } else {
        ippc_error_destroy(&err);
    }
    t->output_done = true;
}

/* ------------------------------------------------------------------ table */

static ippc_task_t tombstone_task;
#define TOMBSTONE (&tombstone_task)

/* FNV-1a: msg_ids are random enough; this only spreads them over the slots. */
static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

void ippc_tasktab_init(ippc_tasktab_t *tt) { memset(tt, 0, sizeof(*tt)); }

void ippc_tasktab_clear(ippc_tasktab_t *tt)
{
    for (size_t i = 0; i < tt->cap; i++) {
        ippc_task_t *t = tt->slots[i];
        if (t && t != TOMBSTONE) {
            t->in_table = false;
            ippc_task_unref(&t);
        }
    }
    free(tt->slots);
    ippc_tasktab_init(tt);
}

/* The slot of msg_id, or the first free slot on its probe sequence (insert position). */
static size_t probe(const ippc_tasktab_t *tt, const char *msg_id, bool for_insert)
{
    size_t mask = tt->cap - 1, i = hash_str(msg_id) & mask;
    size_t first_free = (size_t)-1;
    for (;;) {
        ippc_task_t *t = tt->slots[i];
        if (!t)
            return for_insert && first_free != (size_t)-1 ? first_free : i;
        if (t == TOMBSTONE) {
            if (first_free == (size_t)-1)
                first_free = i;
        } else if (strcmp(t->msg_id, msg_id) == 0) {
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int grow(ippc_tasktab_t *tt)
{
    size_t cap = tt->cap ? tt->cap : 64;
    while ((tt->n + 1) * 2 > cap)
        cap *= 2;
    ippc_task_t **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -1;
    ippc_tasktab_t fresh = {.slots = slots, .cap = cap};
    for (size_t i = 0; i < tt->cap; i++) {
        ippc_task_t *t = tt->slots[i];
        if (t && t != TOMBSTONE) {
            fresh.slots[probe(&fresh, t->msg_id, true)] = t;
            fresh.n++;
        }
    }
    fresh.used = fresh.n;
    free(tt->slots);
    *tt = fresh;
    return 0;
}

int ippc_tasktab_add(ippc_tasktab_t *tt, ippc_task_t *t)
{
    /* keep at most 3/4 of the slots taken (tasks and tombstones) so probes stay short */
    if ((tt->used + 1) * 4 > tt->cap * 3 && grow(tt) != 0)
        return -1;
    size_t i = probe(tt, t->msg_id, true);
    if (tt->slots[i] && tt->slots[i] != TOMBSTONE)
        return -1; /* msg_ids are unique: a duplicate is a bug */
    if (!tt->slots[i])
        tt->used++;
    tt->slots[i] = ippc_task_ref(t);
    tt->n++;
    t->in_table = true;
    return 0;
}

ippc_task_t *ippc_tasktab_get(const ippc_tasktab_t *tt, const char *msg_id)
{
    if (!tt->cap || !msg_id)
        return NULL;
    ippc_task_t *t = tt->slots[probe(tt, msg_id, false)];
    return t && t != TOMBSTONE ? t : NULL;
}

void ippc_tasktab_remove(ippc_tasktab_t *tt, ippc_task_t *t)
{
    if (!t->in_table || !tt->cap)
        return;
    size_t i = probe(tt, t->msg_id, false);
    if (tt->slots[i] != t)
        return;
    tt->slots[i] = TOMBSTONE;
    tt->n--;
    t->in_table = false;
    ippc_task_unref(&t);
}

void ippc_tasktab_each(ippc_tasktab_t *tt, void (*fn)(ippc_tasktab_t *, ippc_task_t *, void *), void *data)
{
    /* removal leaves a tombstone in place, so the scan is not disturbed */
    for (size_t i = 0; i < tt->cap; i++) {
        ippc_task_t *t = tt->slots[i];
        if (t && t != TOMBSTONE)
            fn(tt, t, data);
    }
}
