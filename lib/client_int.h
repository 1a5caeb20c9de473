/* client_int.h - the insides of the C client (client*.c, view*.c, result*.c, targets.c,
 * cluster.c). Not installed.
 *
 * Model. A client owns the sockets of one connection to a controller, the engine table
 * (kept current from notifications) and a table of tasks: one task per request message
 * sent to one engine (apply, execute, control) or to the controller (query). A task
 * collects its reply and its IOPub output. Results (AsyncResult) hold references to
 * tasks; views and function handles hold a reference to the client. The client is
 * single-threaded: it sends at once and receives only inside client_pump(). */
#ifndef IPPC_CLIENT_INT_H
#define IPPC_CLIENT_INT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ippc.h"
#include "strbuf.h"
#include "value_codec.h"
#include "value_int.h"
#include "wire.h"

/* ------------------------------------------------------------- deadlines */

/* A deadline on CLOCK_MONOTONIC; forever when the timeout was negative. */
typedef struct {
    bool forever;
    struct timespec at;
} ippc_deadline_t;

ippc_deadline_t ippc_deadline_in(double timeout);
/* Milliseconds left for zmq_poll: -1 forever, 0 when passed. */
long ippc_deadline_ms(const ippc_deadline_t *d);
bool ippc_deadline_passed(const ippc_deadline_t *d);
/* How long waiting for IOPub goes on in silence (s): for the output of replied requests
 * and for the SUB sockets' handshakes when connecting. Engines publish their output
 * before they reply and the idle status right after, so it is normally there at once;
 * but an IOPub message can be lost (published before our subscription took effect),
 * and a result must not then wait forever (the stock client never waits for output). */
#define IPPC_OUTPUT_GRACE 2.0
/* The one of a and b that comes first. */
const ippc_deadline_t *ippc_deadline_first(const ippc_deadline_t *a, const ippc_deadline_t *b);

/* ----------------------------------------------------------------- tasks */

typedef enum {
    IPPC_TASK_APPLY,   /* apply_request on mux */
    IPPC_TASK_EXECUTE, /* execute_request on mux */
    IPPC_TASK_CONTROL, /* a control request (signal_request) */
    IPPC_TASK_QUERY    /* a request to the controller (connection_request) */
} ippc_task_kind_t;

typedef struct ippc_task {
    int refs;               /* the client's table while pending, plus each result */
    ippc_task_kind_t kind;
    char *msg_id;
    int engine_id;          /* -1 for queries */
    char *engine_uuid;      /* NULL for queries */
    bool replied;           /* a reply arrived (or was made up: engine died) */
    bool output_done;       /* IOPub status idle seen, or no output is coming */
    bool in_table;
    /* outcome, once replied */
    ippc_value_t *value;    /* apply: the decoded result; execute: None */
    ippc_error_t *error;    /* this engine's exception, EngineError, or a decoding failure */
    json_t *reply;          /* the reply content (control and query callers read it) */
    /* metadata */
    char submitted[32];     /* our request header's date */
    char *started;          /* reply metadata.started */
    char *completed;        /* reply header.date */
    strbuf_t out, err;      /* IOPub stream text */
    char *execute_result;   /* text/plain of execute_result */
} ippc_task_t;

ippc_task_t *ippc_task_new(ippc_task_kind_t kind, const char *msg_id, int engine_id, const char *uuid);
ippc_task_t *ippc_task_ref(ippc_task_t *t);
void ippc_task_unref(ippc_task_t **t);
/* Append IOPub stream text the way the stock client does (a '\r' not followed by a
 * newline discards the line so far: progress bars). */
void ippc_task_add_stream(ippc_task_t *t, bool is_stderr, const char *text, size_t len);
/* stdout/stderr text so far ("" when none; stable until the next add). */
const char *ippc_task_stream(ippc_task_t *t, bool is_stderr);
/* Record a reply: status ok → value (apply: decoded from content.result and buffers;
 * execute: None), error/aborted → error. Sets replied. */
void ippc_task_take_reply(ippc_task_t *t, const ippc_msg_t *reply);
/* The same from the pieces of a reply (the client reads date and started from the JSON
 * text without parsing header and metadata); content is referenced, buffers are not kept. */
void ippc_task_take_reply_parts(ippc_task_t *t, json_t *content, const char *date, const char *started,
                                ippc_blob_t *const *buffers, size_t nbuffers);
/* Fail a task that has no reply with a local error (takes err). Sets replied and
 * output_done. */
void ippc_task_fail(ippc_task_t *t, ippc_error_t *err);

/* Python's "_cr_pat" rule on text in place: in each line, drop everything up to and
 * including the last '\r' that is followed by another character of the line. Returns
 * the new length. */
size_t ippc_stream_fold_cr(char *text, size_t len);

/* A table of tasks by msg_id (open addressing, linear probing; grows). */
typedef struct {
    ippc_task_t **slots; /* NULL: free; a tombstone marks a removed entry */
    size_t n;            /* tasks in the table */
    size_t used;         /* tasks plus tombstones */
    size_t cap;          /* a power of two */
} ippc_tasktab_t;

void ippc_tasktab_init(ippc_tasktab_t *tt);
void ippc_tasktab_clear(ippc_tasktab_t *tt); /* drops the table's references */
int ippc_tasktab_add(ippc_tasktab_t *tt, ippc_task_t *t); /* takes a reference */
ippc_task_t *ippc_tasktab_get(const ippc_tasktab_t *tt, const char *msg_id);
void ippc_tasktab_remove(ippc_tasktab_t *tt, ippc_task_t *t); /* drops the reference */
/* Call fn on every task (fn may remove the task it is given). */
void ippc_tasktab_each(ippc_tasktab_t *tt, void (*fn)(ippc_tasktab_t *, ippc_task_t *, void *), void *data);

/* --------------------------------------------------------------- targets */

typedef enum {
    IPPC_TARGETS_ALL,    /* "all" (or NULL): every engine registered at each call */
    IPPC_TARGETS_LIST,   /* a slice or a list: results are lists */
    IPPC_TARGETS_SINGLE  /* one int: results are single values */
} ippc_targets_kind_t;

typedef struct {
    ippc_targets_kind_t kind;
    int *ids;   /* LIST/SINGLE: engine ids in order (malloc'd); ALL: NULL */
    size_t n;
} ippc_targets_t;

/* Parse a targets spec against the sorted registered ids, as Client._build_targets
 * does with Python values: "all"; a slice "start:stop:step" of the sorted ids (":",
 * "1:3", "::2", "-2:"); an int "3" (engine id) or "-1" (index from the end) giving a
 * single-engine target; a list of engine ids "0,2" or "[0, 2]" or "3,". Errors:
 * IPPC_E_PARSE (syntax), IPPC_E_NOTFOUND (no such engine, or nothing selected),
 * IPPC_E_STATE (no engines registered). */
int ippc_targets_parse(const char *spec, const int *ids, size_t nids, ippc_targets_t *out,
                       ippc_error_t **err);
void ippc_targets_free(ippc_targets_t *t);
int ippc_targets_copy(ippc_targets_t *dst, const ippc_targets_t *src);

/* ---------------------------------------------------------------- client */

typedef struct {
    int id;
    char *uuid;
} ippc_engine_t;

/* Send tracking of one request (track=true): the buffers go out through wrapper blobs
 * whose release (in libzmq's I/O thread) counts down `pending` and wakes the client. */
typedef struct ippc_tracker {
    atomic_int refs;
    atomic_size_t pending;
    int wake_fd;           /* the client's eventfd */
    struct ippc_tracker *next_active; /* client's list of trackers with a callback due */
    ippc_result_t *owner;  /* for the callback; NULL once the result is gone */
    void (*on_sent)(ippc_result_t *r, void *data);
    void *on_sent_data;
} ippc_tracker_t;

/* The client's sockets in the order they are read: replies before notifications, so
 * that an engine table in a reply cannot undo a later unregistration. */
enum { IPPC_SOCK_QUERY, IPPC_SOCK_MUX, IPPC_SOCK_CONTROL, IPPC_SOCK_NOTIFICATION, IPPC_SOCK_IOPUB, IPPC_NSOCK };

struct ippc_client {
    int refs;              /* the user's, plus views, results and handles */
    bool closed;           /* ippc_client_destroy ran (or the connection failed) */
    bool controller_gone;  /* shutdown_notification seen */
    void *ctx;
    void *query, *notification, *mux, *control, *iopub;
    int sock_fds[IPPC_NSOCK]; /* their ZMQ_FDs (client_io.c), once sock_fds_known */
    bool sock_fds_known;
    unsigned unread;       /* bit per IPPC_SOCK_*: sent on since last read to the end */
    int wake_fd;           /* eventfd: send trackers finished */
    int epoll_fd;          /* ippc_client_fd, made on first use */
    ippc_session_t *session;
    char *registration_url;
    ippc_engine_t *engines; /* sorted by id */
    int *ids;
    size_t nengines, engines_cap;
    unsigned long received; /* messages handled, ever */
    unsigned long unregistrations; /* count, for wait_for_engines */
    int last_unregistered;
    void *dead_uuids;      /* uuids of engines that unregistered (client.c) */
    ippc_tasktab_t tasks;
    ippc_tracker_t *active_trackers;
    void (*on_engine)(ippc_client_t *c, int id, bool registered, void *data);
    void *on_engine_data;
};

ippc_client_t *ippc_client_ref(ippc_client_t *c);
/* Drop a reference; the last one frees the (already closed) client. */
void ippc_client_unref(ippc_client_t **c);
/* IPPC_E_STATE unless the client is open. */
int ippc_client_check_open(const ippc_client_t *c, ippc_error_t **err);
const ippc_engine_t *ippc_client_engine(const ippc_client_t *c, int id);
/* Add or drop an engine (from notifications or a connection reply). */
int ippc_client_add_engine(ippc_client_t *c, int id, const char *uuid);
void ippc_client_drop_engine(ippc_client_t *c, int id);

/* Send one request: a message of msg_type with content and metadata (referenced, not
 * stolen) and buffers, routed to the engine (or to the controller when engine is NULL)
 * on socket; registers a task for the reply. Returns the new task (a reference for the
 * caller) or NULL. */
ippc_task_t *ippc_client_send(ippc_client_t *c, void *socket, ippc_task_kind_t kind,
                              const ippc_engine_t *engine, const char *msg_type, json_t *content,
                              json_t *metadata, const ippc_bloblist_t *bufs, ippc_error_t **err);
/* Wait for messages until the deadline, handle them, and return: after the first batch
 * when `once`, else when done(data) holds or the deadline passes. Returns 1 when
 * done(data) holds, 0 on a timeout, -1 on an error (closed client, zmq failure, the
 * controller shut down while waiting). done may be NULL (with once). */
int ippc_client_pump(ippc_client_t *c, const ippc_deadline_t *dl, bool (*done)(void *), void *data,
                     bool once, ippc_error_t **err);
/* The sockets in IPPC_SOCK_* order. */
void ippc_client_sockets(const ippc_client_t *c, void *socks[IPPC_NSOCK]);
/* Handle one received message from the given socket. */
void ippc_client_dispatch(ippc_client_t *c, void *socket, ippc_msg_t *m);
/* The engine ids a targets record designates right now (ALL → the registered ids). */
int ippc_client_resolve(ippc_client_t *c, const ippc_targets_t *t, ippc_targets_t *out,
                        ippc_error_t **err);
/* Called by the dispatcher when trackers may have finished. */
void ippc_client_run_trackers(ippc_client_t *c);

/* ---------------------------------------------------------------- results */

typedef enum {
    IPPC_SHAPE_LIST,   /* one value per engine, in target order */
    IPPC_SHAPE_SINGLE, /* an int view: the one value */
    IPPC_SHAPE_JOIN,   /* map/gather: the per-engine parts joined (ippc_value_concat) */
    IPPC_SHAPE_NONE    /* calls whose value is None when they succeed (send_signal) */
} ippc_shape_t;

ippc_result_t *ippc_result_new(ippc_client_t *c, ippc_shape_t shape, bool return_exceptions);
int ippc_result_add_task(ippc_result_t *r, ippc_task_t *t); /* takes a reference */
/* Attach send tracking (the result takes the tracker reference). */
void ippc_result_set_tracker(ippc_result_t *r, ippc_tracker_t *tr);
ippc_tracker_t *ippc_result_tracker(const ippc_result_t *r);
ippc_client_t *ippc_result_client(const ippc_result_t *r);
/* Block until every task has its reply and output (forever); errors only local ones. */
int ippc_result_settle(ippc_result_t *r, ippc_error_t **err);

/* Assemble the outcome of finished tasks: the value (shape) or the error. With
 * return_exceptions, failures become values (see ippc_error_as_value). With consume,
 * the list and tuple parts of a JOIN give their items to the joined list instead of
 * copying them (those task values are left empty: for a caller that assembles once).
 * Otherwise pure: used by result.c and by the unit tests. */
int ippc_result_assemble(ippc_task_t *const *tasks, size_t n, ippc_shape_t shape, bool return_exceptions,
                         bool consume, ippc_value_t **value, ippc_error_t **error);
/* A copy of an error (local: code and message; remote: every entry). */
ippc_error_t *ippc_error_clone(const ippc_error_t *e);
/* A failure as a value: an opaque object of type ipyparallel.error.RemoteError whose
 * repr is the stock one, "<Remote[0]:ZeroDivisionError(division by zero)>". */
ippc_value_t *ippc_error_as_value(const ippc_error_t *e, int engine_id);

/* -------------------------------------------------------------- trackers */

ippc_tracker_t *ippc_tracker_new(int wake_fd);
void ippc_tracker_unref(ippc_tracker_t **tr);
bool ippc_tracker_done(const ippc_tracker_t *tr);
/* Replace each buffer of bufs by a wrapper blob counted by tr (the originals stay
 * referenced by the wrappers until libzmq releases them). */
int ippc_tracker_wrap(ippc_tracker_t *tr, ippc_bloblist_t *bufs, ippc_error_t **err);
/* The wrappers are all made: from here on, pending reaching 0 means sent. */
void ippc_tracker_arm(ippc_tracker_t *tr);
/* Call on_sent(owner, data) from the client's thread once tr is done (owner cleared
 * when the result goes first). */
void ippc_client_watch_tracker(ippc_client_t *c, ippc_tracker_t *tr, ippc_result_t *owner,
                               void (*on_sent)(ippc_result_t *, void *), void *data);

/* ------------------------------------------------------------------ views */

/* The request a view operation sends to each target. */
typedef struct {
    ippc_task_kind_t kind;  /* APPLY or EXECUTE */
    json_t *content;        /* shared by all targets */
    json_t *metadata;
    ippc_bloblist_t bufs;
} ippc_request_t;

/* An apply request in the native encoding (metadata {"ippc": 1}): content
 * {"callable", "args", "kwargs"} with the values' buffers. args NULL means no
 * arguments, kwargs NULL no keywords. */
int ippc_request_apply(ippc_request_t *rq, const char *callable, const ippc_value_t *args,
                       const ippc_value_t *kwargs, ippc_error_t **err);
void ippc_request_clear(ippc_request_t *rq);

/* The flags of one call: the view's, overridden by opts. */
typedef struct {
    ippc_targets_t targets; /* resolved engine ids (kind SINGLE or LIST) */
    bool block, track, silent, return_exceptions;
    void (*on_sent)(ippc_result_t *r, void *data);
    void *on_sent_data;
} ippc_call_t;

int ippc_view_call_begin(ippc_view_t *v, const ippc_opts_t *opts, ippc_call_t *call, ippc_error_t **err);
void ippc_view_call_end(ippc_call_t *call);
/* Send rq to the engines at call->targets.ids[lo..hi) (one task each, added to r),
 * its buffers behind r's tracker when the call tracks; rq is cleared. */
int ippc_view_send(ippc_view_t *v, const ippc_call_t *call, ippc_request_t *rq, size_t lo, size_t hi,
                   ippc_result_t *r, ippc_error_t **err);
/* Finish a call's result after its sends: arm tracking, then wait when blocking. */
ippc_result_t *ippc_view_finish(const ippc_call_t *call, ippc_result_t *r);
/* A new result of the given shape for rq sent to all of call's targets, finished. */
ippc_result_t *ippc_view_submit(ippc_view_t *v, const ippc_call_t *call, ippc_request_t *rq,
                                ippc_shape_t shape, ippc_error_t **err);
ippc_client_t *ippc_view_client(const ippc_view_t *v);
ippc_view_t *ippc_view_ref(ippc_view_t *v); /* ippc_view_destroy drops one */
/* Send a built request to the view's (or opts') targets: one value per engine, or the
 * single value of an int view. rq is cleared. */
ippc_result_t *ippc_view_apply_request(ippc_view_t *v, ippc_request_t *rq, const ippc_opts_t *opts,
                                       ippc_error_t **err);
/* Builds the request for part p of a sequence (part: borrowed for the call). */
typedef int (*ippc_part_request_fn)(ippc_request_t *rq, const ippc_value_t *part, void *data, ippc_error_t **err);
/* Values that only borrow (kept by the caller, e.g. on the stack, and never destroyed):
 * a part of a list or tuple and the containers a request puts it in, so that scatter
 * and map encode a million items once instead of copying, encoding and freeing them.
 */
void ippc_borrow_seq(ippc_value_t *out, ippc_type_t type, ippc_value_t *const *items, size_t n);
/* A one-entry dict {key: val}; e is the caller's storage for the entry. */
void ippc_borrow_dict1(ippc_value_t *out, ippc_dict_entry_t *e, const char *key, const ippc_value_t *val);
/* One request per target on that target's contiguous part of seq (empty parts skipped
 * when skip_empty), collected in a result of the given shape. */
ippc_result_t *ippc_view_apply_parts(ippc_view_t *v, const ippc_value_t *seq, const ippc_opts_t *opts,
                                     ippc_shape_t shape, bool skip_empty,
                                     ippc_part_request_fn make, void *data, ippc_error_t **err);
/* The map request: [eval(callable)(x) for x in part] (with modules required first when
 * modules is non-NULL). part is borrowed. */
int ippc_request_map(ippc_request_t *rq, const char *callable, const char *modules, const ippc_value_t *part,
                     ippc_error_t **err);
/* The sync form of an operation: wait for r and take its value (r is destroyed). */
ippc_value_t *ippc_result_take(ippc_result_t *r, ippc_error_t **err);
/* Same, for operations without a value: 0 / -1. */
int ippc_result_finish(ippc_result_t *r, ippc_error_t **err);

/* "numpy, os.path" → ['numpy', 'os.path'] (dotted names; IPPC_E_INVALID naming `what`
 * for a bad or missing name). */
ippc_value_t *ippc_module_list(const char *modules, const char *what, ippc_error_t **err);
/* The callable that runs `callable` after importing modules (a comma-separated list)
 * on the engine, raising UnmetDependency(module) when one cannot be imported; args and
 * kwargs of the call are passed through. Returns the apply request. */
int ippc_request_apply_requiring(ippc_request_t *rq, const char *modules, const char *callable,
                                 const ippc_value_t *args, const ippc_value_t *kwargs,
                                 ippc_error_t **err);

#endif
