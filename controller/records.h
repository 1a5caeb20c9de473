/* records.h - task records: what the hub remembers about each request it relayed.
 *
 * A record holds the fields of the stock hub's TaskRecord (dictdb.py): the request's
 * header, metadata and content; submitted/started/completed/received dates; client and
 * engine; the result's header, metadata, content and buffers; the iopub output
 * (stdout, stderr, execute_input, execute_result, display_data, error). The request's
 * buffers are not kept (nothing here resubmits). Dates, client and started come from
 * the headers and metadata when a query asks.
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
#include <time.h>
#include <zmq.h>

#include "blob.h"
#include "strbuf.h"

/* The JSON text of a message's header, metadata and content (borrowed). */
typedef struct {
    const char *data[3];
    size_t len[3];
} ippc_rawmsg_t;

enum { IPPC_IO_EXECUTE_INPUT, IPPC_IO_EXECUTE_RESULT, IPPC_IO_DISPLAY_DATA, IPPC_IO_ERROR, IPPC_IO_COUNT };

/* The parts of a record are kept as the text that came over the wire and parsed only
 * when a query asks for them: relaying a message costs a copy of its JSON parts, never
 * a parse or a tree of allocations. */
typedef struct ippc_record {
    char *msg_id;          /* in the same allocation as the record */
    char *engine_uuid;     /* likewise; "" when unknown */
    const char *queue;     /* "mux" (static) */
    char *req;             /* request header, metadata, content back to back (same allocation) */
    size_t req_len[3];
    char *res;             /* result header, metadata, content (malloc'd); NULL: no result */
    size_t res_len[3];
    struct timespec received;   /* when the result arrived (wall clock) */
    char *io[IPPC_IO_COUNT];    /* iopub content text (malloc'd), NULL when none came */
    size_t io_len[IPPC_IO_COUNT];
    strbuf_t out, err;     /* stdout / stderr text */
    ippc_blob_t **rbufs;   /* result buffers */
    size_t nrbufs;
    uint64_t seq;          /* creation order */
    size_t bytes;          /* all of it, as counted against --records-max-bytes */
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

/* A request seen on its way to an engine (its text is copied). A msg_id seen again
 * starts a new record. */
void ippc_records_request(ippc_records_t *r, const char *msg_id, const ippc_rawmsg_t *req,
                          const char *engine_uuid, const char *queue);
/* A reply seen on its way back (its text is copied; large buffer frames are shared with
 * zmq_msg_copy, small ones copied so they do not pin libzmq's receive buffers).
 * received: when it arrived. Returns false when there is no record for it (unknown or
 * dropped). */
bool ippc_records_result(ippc_records_t *r, const char *msg_id, const ippc_rawmsg_t *res, zmq_msg_t *buffers,
                         size_t nbuffers, const struct timespec *received);
/* iopub output for a recorded request: stream text (name "stdout"/"stderr"), or the
 * content text of an execute_input / execute_result / display_data / error message. */
void ippc_records_stream(ippc_records_t *r, const char *msg_id, const char *name, const char *text,
                         size_t len);
void ippc_records_iopub(ippc_records_t *r, const char *msg_id, int io, const char *content, size_t len);
/* The request's engine died: complete the record with this error content (stolen). */
void ippc_records_fail(ippc_records_t *r, const char *msg_id, const char *engine_uuid, json_t *content,
                       const struct timespec *when);

void ippc_records_drop(ippc_records_t *r, ippc_record_t *rec);

/* All records, in creation order, as a malloc'd array (NULL with *n = 0 when empty). */
ippc_record_t **ippc_records_list(const ippc_records_t *r, size_t *n);

/* The record as the stock db returns it: a new object with every key (or, when keys is
 * an array of names, msg_id and those keys; a name that is not a record key sets
 * *bad_key and returns NULL). buffers come out as [] (never kept); result_buffers are
 * not included (the caller sends them as frames). */
json_t *ippc_record_json(const ippc_record_t *rec, const json_t *keys, const char **bad_key);
/* One field of the record, for query matching: a new reference (*owned is set true), or
 * json null for a key that is not a record key. */
json_t *ippc_record_field(const ippc_record_t *rec, const char *key, bool *owned);
bool ippc_record_is_key(const char *key);
/* The request's submission date (its header's date) in microseconds since the epoch:
 * false when the header has none; INT64_MIN when it is not a date. */
bool ippc_record_submitted(const ippc_record_t *rec, int64_t *us);

#endif
