/* records.h - task records: what the hub remembers about each request it relayed.
 *
 * A record holds the fields of the stock hub's TaskRecord (dictdb.py): the request's
 * header, metadata and content; submitted/started/completed/received dates; client and
 * engine; the result's header, metadata, content and buffers; the iopub output
 * (stdout, stderr, execute_input, execute_result, display_data, error). The request's
 * buffers are not kept (nothing here resubmits).
 *
 * Records are bounded by count and by bytes (every part of a record counts: its JSON
 * parts, output text and result buffers). When a limit is passed the oldest completed
 * records are dropped first (oldest by completion), then the oldest pending ones. A
 * dropped record is forgotten: queries answer for it as for an unknown msg_id. */
#ifndef IPPC_RECORDS_H
#define IPPC_RECORDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "blob.h"
#include "strbuf.h"

typedef struct ippc_record {
    char *msg_id;
    json_t *doc;           /* every TaskRecord key except buffers, result_buffers, stdout, stderr */
    strbuf_t out, err;     /* stdout / stderr text */
    ippc_blob_t **rbufs;   /* result buffers */
    size_t nrbufs;
    int64_t submitted_us;  /* for history order; INT64_MIN when unknown */
    uint64_t seq;          /* creation order */
    size_t bytes;          /* all of it, as counted against --records-max-bytes */
    size_t req_bytes, res_bytes, io_bytes[4]; /* its parts, so a replaced part is uncounted */
    bool completed;
    struct ippc_record *prev, *next; /* in the pending or the completed list */
} ippc_record_t;

typedef struct ippc_records ippc_records_t;

/* enabled false (--nodb): nothing is ever stored. */
ippc_records_t *ippc_records_new(size_t max_count, size_t max_bytes, bool enabled);
void ippc_records_destroy(ippc_records_t **r);
bool ippc_records_enabled(const ippc_records_t *r);
size_t ippc_records_count(const ippc_records_t *r);
size_t ippc_records_bytes(const ippc_records_t *r);
size_t ippc_records_max_count(const ippc_records_t *r);
size_t ippc_records_max_bytes(const ippc_records_t *r);
unsigned long ippc_records_dropped(const ippc_records_t *r);

ippc_record_t *ippc_records_get(const ippc_records_t *r, const char *msg_id);

/* A request seen on its way to an engine. header, metadata and content are borrowed
 * (a reference is taken); bytes is the size of their serialized form. */
void ippc_records_request(ippc_records_t *r, const char *msg_id, json_t *header, json_t *metadata,
                          json_t *content, size_t bytes, const char *engine_uuid, const char *queue);
/* A reply seen on its way back. The buffer frames are shared, not copied (zmq_msg_copy).
 * received is the time it arrived (header date format). Returns false when there is no
 * record for it (unknown or dropped). */
bool ippc_records_result(ippc_records_t *r, const char *msg_id, json_t *header, json_t *metadata,
                         json_t *content, size_t bytes, zmq_msg_t *buffers, size_t nbuffers,
                         const char *received);
/* iopub output for a recorded request: stream text (name "stdout"/"stderr"), or a
 * whole value for key execute_input / execute_result / display_data / error (borrowed). */
void ippc_records_stream(ippc_records_t *r, const char *msg_id, const char *name, const char *text,
                         size_t len);
void ippc_records_iopub(ippc_records_t *r, const char *msg_id, const char *key, json_t *value,
                        size_t bytes);
/* The request's engine died: complete the record with this error content (stolen). */
void ippc_records_fail(ippc_records_t *r, const char *msg_id, const char *engine_uuid, json_t *content,
                       const char *when);

void ippc_records_drop(ippc_records_t *r, ippc_record_t *rec);

/* All records, in creation order, as a malloc'd array (NULL with *n = 0 when empty). */
ippc_record_t **ippc_records_list(const ippc_records_t *r, size_t *n);

/* The record as the stock db returns it: a new object with every key (or, when keys is
 * an array of names, msg_id and those keys; a name that is not a record key sets
 * *bad_key and returns NULL). buffers come out as [] (never kept); result_buffers are
 * not included (the caller sends them as frames). */
json_t *ippc_record_json(const ippc_record_t *rec, const json_t *keys, const char **bad_key);
/* One field of the record (borrowed or new as *owned says), for query matching. */
json_t *ippc_record_field(const ippc_record_t *rec, const char *key, bool *owned);
bool ippc_record_is_key(const char *key);

#endif
