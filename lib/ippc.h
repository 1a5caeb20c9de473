/* ippc.h - the public interface of libippc.
 *
 * libippc is the C side of ippc: IPython Parallel's wire protocol, its connection and
 * cluster files, a native value model for data exchanged with Python engines, and (in
 * later releases) the client and views of the Direct interface.
 *
 * Conventions: every type is opaque and made by ippc_<thing>_new / destroyed by
 * ippc_<thing>_destroy(&p) (which sets p to NULL and accepts NULL). Functions return
 * 0 / -1, or a pointer / NULL, and on failure fill an ippc_error_t **err (when err is
 * non-NULL) that the caller destroys.
 */
#ifndef IPPC_H
#define IPPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IPPC_EXPORT __attribute__((visibility("default")))
#else
#define IPPC_EXPORT
#endif

#define IPPC_VERSION_STRING "0.1.0"

/* The version of the library in use (may differ from the header it was built with). */
IPPC_EXPORT const char *ippc_version(void);

/* ---------------------------------------------------------------- errors */

typedef enum {
    IPPC_OK = 0,
    IPPC_E_INVALID,     /* a bad argument from the caller */
    IPPC_E_NOMEM,       /* out of memory */
    IPPC_E_IO,          /* a file or socket operation failed (see message for errno text) */
    IPPC_E_NOTFOUND,    /* a file, key, profile or engine that does not exist */
    IPPC_E_PARSE,       /* malformed input: JSON, YAML, frames, values */
    IPPC_E_SIGNATURE,   /* a message with a missing or wrong HMAC signature */
    IPPC_E_REPLAY,      /* a message whose signature was seen before */
    IPPC_E_PROTOCOL,    /* a well-formed message that breaks the protocol */
    IPPC_E_TIMEOUT,     /* a deadline passed ("Result not ready.") */
    IPPC_E_REMOTE,      /* one engine raised an exception (RemoteError) */
    IPPC_E_COMPOSITE,   /* several engines raised exceptions (CompositeError) */
    IPPC_E_ENGINE,      /* an engine died while a request was outstanding (EngineError) */
    IPPC_E_CONNECT,     /* nothing answered at the controller's address */
    IPPC_E_STATE,       /* the operation does not fit the object's state */
    IPPC_E_SYSTEM       /* another operating-system failure */
} ippc_errcode_t;

typedef struct ippc_error ippc_error_t;

/* Make an error with a printf-style message. Returns NULL only when memory is exhausted. */
IPPC_EXPORT ippc_error_t *ippc_error_new(ippc_errcode_t code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
IPPC_EXPORT void ippc_error_destroy(ippc_error_t **err);
IPPC_EXPORT ippc_errcode_t ippc_error_code(const ippc_error_t *err);
IPPC_EXPORT const char *ippc_error_message(const ippc_error_t *err);
/* A stable short name for a code: "IPPC_E_PARSE" ... */
IPPC_EXPORT const char *ippc_errcode_name(ippc_errcode_t code);

/* Remote errors. A RemoteError holds one entry; a CompositeError holds several. Each
 * entry is what one engine reported: its id, the method ("apply", "execute"), the
 * exception name and value, and the traceback lines. */
IPPC_EXPORT ippc_error_t *ippc_error_new_remote(int engine_id, const char *method, const char *ename,
                                                const char *evalue, const char *const *traceback,
                                                size_t ntraceback);
/* Append one engine's exception (copied); a RemoteError with two or more entries
 * becomes a CompositeError. Returns 0 / -1. */
IPPC_EXPORT int ippc_error_add_remote(ippc_error_t *err, int engine_id, const char *method,
                                      const char *ename, const char *evalue,
                                      const char *const *traceback, size_t ntraceback);
IPPC_EXPORT size_t ippc_error_count(const ippc_error_t *err);       /* remote entries; 0 for local */
IPPC_EXPORT int ippc_error_engine_id(const ippc_error_t *err, size_t i);
IPPC_EXPORT const char *ippc_error_method(const ippc_error_t *err, size_t i);
IPPC_EXPORT const char *ippc_error_ename(const ippc_error_t *err, size_t i);
IPPC_EXPORT const char *ippc_error_evalue(const ippc_error_t *err, size_t i);
IPPC_EXPORT size_t ippc_error_traceback_len(const ippc_error_t *err, size_t i);
IPPC_EXPORT const char *ippc_error_traceback_line(const ippc_error_t *err, size_t i, size_t line);
/* A RemoteError copy of entry i of a composite (like CompositeError.raise_exception(i)). */
IPPC_EXPORT ippc_error_t *ippc_error_raise_exception(const ippc_error_t *err, size_t i);

#define IPPC_TB_LIMIT_DEFAULT 5
/* Render like the stock client shows an uncaught error: for a composite, the summary
 * "one or more exceptions from call to method: M" and then per engine a "[id:method]:"
 * block with its traceback, at most tb_limit of them, then "... N more exceptions ...".
 * tb_limit <= 0 means IPPC_TB_LIMIT_DEFAULT. Returns a malloc'd string (NULL on ENOMEM). */
IPPC_EXPORT char *ippc_error_render(const ippc_error_t *err, int tb_limit);
/* The one-line summary str(err) of the stock client ("[0:apply]: ValueError: boom" lines). */
IPPC_EXPORT char *ippc_error_summary(const ippc_error_t *err, int tb_limit);

/* ---------------------------------------------------------------- values */

typedef enum {
    IPPC_T_NONE,
    IPPC_T_BOOL,
    IPPC_T_INT,     /* int64 */
    IPPC_T_FLOAT,   /* double */
    IPPC_T_STR,     /* UTF-8 */
    IPPC_T_BYTES,
    IPPC_T_LIST,
    IPPC_T_TUPLE,
    IPPC_T_DICT,    /* str keys, insertion order */
    IPPC_T_NDARRAY, /* numpy-style dtype ("<f8"), shape, C-contiguous data */
    IPPC_T_RANGE,
    IPPC_T_PYOBJ    /* an opaque Python object: type name, repr and pickle bytes */
} ippc_type_t;

typedef struct ippc_value ippc_value_t;

/* Constructors. Each returns a new value (NULL on ENOMEM or invalid input such as a
 * string that is not strict UTF-8: no overlong forms, surrogates or code points above
 * U+10FFFF). Containers take ownership of the items added to them. */
IPPC_EXPORT ippc_value_t *ippc_value_new_none(void);
IPPC_EXPORT ippc_value_t *ippc_value_new_bool(bool b);
IPPC_EXPORT ippc_value_t *ippc_value_new_int(int64_t i);
IPPC_EXPORT ippc_value_t *ippc_value_new_float(double d);
IPPC_EXPORT ippc_value_t *ippc_value_new_str(const char *s);                 /* NUL-terminated */
IPPC_EXPORT ippc_value_t *ippc_value_new_strn(const char *s, size_t len);    /* may hold NUL */
IPPC_EXPORT ippc_value_t *ippc_value_new_bytes(const void *data, size_t len); /* copies */
IPPC_EXPORT ippc_value_t *ippc_value_new_list(void);
IPPC_EXPORT ippc_value_t *ippc_value_new_tuple(void);
IPPC_EXPORT ippc_value_t *ippc_value_new_dict(void);
IPPC_EXPORT ippc_value_t *ippc_value_new_range(int64_t start, int64_t stop, int64_t step); /* step != 0 */
/* An ndarray with a copy of data (or zero-filled when data is NULL). dtype is a numpy
 * type string: byte order '<' '>' '|' '=' then kind b i u f c and item size, e.g. "<f8"
 * (b1; i and u 1 2 4 8; f 2 4 8 16; c 8 16 32, as numpy allows); it is kept the way
 * numpy's dtype.str writes it ("=f8" -> "<f8" on little-endian hosts, "<i1" -> "|i1").
 * At most 32 dimensions (numpy's limit); NULL when prod(shape) * itemsize overflows. */
IPPC_EXPORT ippc_value_t *ippc_value_new_ndarray(const char *dtype, size_t ndim, const size_t *shape,
                                                 const void *data);
/* An ndarray over the caller's memory, without a copy; free_fn(data, hint) is called when
 * the last reference to it goes (also after a zero-copy send completes). free_fn may be NULL.
 * On failure (NULL) free_fn is not called: the memory stays the caller's. */
IPPC_EXPORT ippc_value_t *ippc_value_wrap_ndarray(const char *dtype, size_t ndim, const size_t *shape,
                                                  void *data, void (*free_fn)(void *data, void *hint),
                                                  void *hint);
IPPC_EXPORT ippc_value_t *ippc_value_new_pyobj(const char *type_name, const char *repr,
                                               const void *pickle, size_t len);
IPPC_EXPORT void ippc_value_destroy(ippc_value_t **v);
IPPC_EXPORT ippc_value_t *ippc_value_copy(const ippc_value_t *v);  /* deep; array data shared */
/* Structural equality: the same type (1 and 1.0 differ) and equal contents; NaN equals
 * NaN (so that round trips compare equal); dicts compare like Python's (any order),
 * ranges as sequences (range(0, 3, 2) == range(0, 4, 2)); arrays by dtype, shape, bytes. */
IPPC_EXPORT bool ippc_value_equal(const ippc_value_t *a, const ippc_value_t *b);

/* Containers: append to list/tuple (takes ownership of item, also on failure; a
 * container cannot be appended to itself). */
IPPC_EXPORT int ippc_value_append(ippc_value_t *seq, ippc_value_t *item);
/* dict: set (replaces an existing key in place; takes ownership of item, also on failure). */
IPPC_EXPORT int ippc_value_dict_set(ippc_value_t *dict, const char *key, ippc_value_t *item);
IPPC_EXPORT ippc_value_t *ippc_value_dict_get(const ippc_value_t *dict, const char *key);
/* The i-th key in insertion order (borrowed), NULL past the end. (A key received from
 * an engine may contain NUL; this shows the part before it.) */
IPPC_EXPORT const char *ippc_value_dict_key(const ippc_value_t *dict, size_t i);

/* Accessors. On a value of another type they return 0 / NULL / false. */
IPPC_EXPORT ippc_type_t ippc_value_type(const ippc_value_t *v);
IPPC_EXPORT const char *ippc_type_name(ippc_type_t t);   /* "NoneType", "int", "list", "ndarray", "pyobj" ... */
IPPC_EXPORT bool ippc_value_bool(const ippc_value_t *v);
IPPC_EXPORT int64_t ippc_value_int(const ippc_value_t *v);
IPPC_EXPORT double ippc_value_float(const ippc_value_t *v);  /* also converts int and bool */
IPPC_EXPORT const char *ippc_value_str(const ippc_value_t *v, size_t *len);
IPPC_EXPORT const void *ippc_value_bytes(const ippc_value_t *v, size_t *len);
/* Number of items: list, tuple, dict, range (as Python len()), str (bytes), bytes, and
 * ndarray (the first dimension; 0 for 0-d arrays). */
IPPC_EXPORT size_t ippc_value_len(const ippc_value_t *v);
/* Item i of a list, tuple or dict (the value of the i-th key); borrowed. */
IPPC_EXPORT ippc_value_t *ippc_value_item(const ippc_value_t *v, size_t i);
IPPC_EXPORT int64_t ippc_value_range_start(const ippc_value_t *v);
IPPC_EXPORT int64_t ippc_value_range_stop(const ippc_value_t *v);
IPPC_EXPORT int64_t ippc_value_range_step(const ippc_value_t *v);
IPPC_EXPORT const char *ippc_value_ndarray_dtype(const ippc_value_t *v);
IPPC_EXPORT size_t ippc_value_ndarray_ndim(const ippc_value_t *v);
IPPC_EXPORT const size_t *ippc_value_ndarray_shape(const ippc_value_t *v);
IPPC_EXPORT size_t ippc_value_ndarray_itemsize(const ippc_value_t *v);
IPPC_EXPORT void *ippc_value_ndarray_data(const ippc_value_t *v, size_t *nbytes);
IPPC_EXPORT const char *ippc_value_pyobj_type(const ippc_value_t *v);
IPPC_EXPORT const char *ippc_value_pyobj_repr(const ippc_value_t *v);
IPPC_EXPORT const void *ippc_value_pyobj_pickle(const ippc_value_t *v, size_t *len);

/* Python repr() of the value, as `ippctl pull` prints it: None, True, 42, 1.5, 'a',
 * b'\x00', [1, 2], (1,), {'a': 1}, range(0, 16), array([...]) for ndarrays, and the
 * stored repr for opaque objects. Matches Python 3.11 (shortest round-trip floats,
 * its quoting and escapes, Unicode 14 printability) and numpy 1.24's array repr with
 * default print options (line width 75, '...' summaries above 1000 items). Returns a
 * malloc'd string, NULL on ENOMEM. */
IPPC_EXPORT char *ippc_value_repr(const ippc_value_t *v);

/* Parse a Python literal (what a user types after `ippctl push a=`): None, True/False,
 * ints (0x 0o 0b, '_', unary signs; int64 range), floats (also float('inf'), float('nan')),
 * 'str'/"str" with r/b/u prefixes, triple quotes, escapes and implicit concatenation,
 * b'..', [..], (..), {'k': v} (str keys), range(a[, b[, c]]). Errors are IPPC_E_PARSE
 * "at column N: expected ..." ("at line L, column N" for text over several lines). */
IPPC_EXPORT ippc_value_t *ippc_value_parse(const char *text, ippc_error_t **err);

/* ------------------------------------------------------------ partitions */

/* The block partition of DirectView.scatter (dist='b'): item range [*low, *high) of part p
 * of n items split over q parts; the first n % q parts get one extra item.
 * Returns 0, or -1 when q == 0 or p >= q. */
IPPC_EXPORT int ippc_partition(size_t n, size_t q, size_t p, size_t *low, size_t *high);

/* Split a list, tuple, range or ndarray (along its first axis) into part p of q,
 * exactly as the stock client's scatter does (seq[low:high]: a range gives a range, a
 * list a list, a tuple a tuple, a str a str (by characters), bytes bytes; a dict gives
 * a list of its keys). Array and bytes parts share the original memory.
 * IPPC_E_INVALID for values without len() (int, pyobj, 0-d array) and p >= q. */
IPPC_EXPORT ippc_value_t *ippc_value_partition(const ippc_value_t *seq, size_t q, size_t p,
                                               ippc_error_t **err);
/* Join parts as gather does (stock joinPartitions, which looks at the first part): an
 * ndarray first: all concatenated along the first axis (same dtype and trailing shape,
 * else IPPC_E_INVALID); a list or tuple first: list(chain(*parts)) - later parts may be
 * any iterable (list, tuple, range, str, bytes, dict keys, array items); anything else
 * first, a range included: the list of parts itself (so scattered ranges gather to
 * [range(0, 3), range(3, 5)], as in Python). parts is a list value; no parts is an error. */
IPPC_EXPORT ippc_value_t *ippc_value_concat(const ippc_value_t *parts, ippc_error_t **err);

/* ------------------------------------------------------------------ files */

/* The directory IPython uses: $IPYTHONDIR, else ~/.ipython. malloc'd. */
IPPC_EXPORT char *ippc_ipython_dir(void);
/* $IPYTHONDIR/profile_<name>; name NULL or "" means "default". malloc'd. */
IPPC_EXPORT char *ippc_profile_dir(const char *profile);
/* <profile_dir>/security/ipcontroller[-<cluster_id>]-<side>.json, side "client"|"engine". */
IPPC_EXPORT char *ippc_connection_file_path(const char *profile_dir, const char *cluster_id,
                                            const char *side);
/* <profile_dir>/security/cluster-<cluster_id>.json */
IPPC_EXPORT char *ippc_cluster_file_path(const char *profile_dir, const char *cluster_id);

/* ----------------------------------------------------------------- client
 *
 * The Direct interface of IPython Parallel from C: a client connected to a controller,
 * views on sets of engines, and results of the calls made through them.
 *
 * Threads: a client and everything made from it (views, results, handles) belong to
 * one thread at a time. Requests are sent at once; replies are received only inside
 * libippc calls that wait or look (ippc_result_get/_ready/_wait, ippc_wait,
 * ippc_client_poll, ippc_client_wait_for_engines ...). An event loop can watch
 * ippc_client_fd().
 *
 * Timeouts are seconds as a double: negative waits forever, 0 only looks.
 *
 * Engines: apply, push, pull, scatter, gather, map and the function handles use the
 * native value encoding and need ippc-engine; execute, sync_imports and send_signal
 * work with stock ipengines too. */

typedef struct ippc_client ippc_client_t;
typedef struct ippc_cluster ippc_cluster_t;
typedef struct ippc_view ippc_view_t;
typedef struct ippc_result ippc_result_t;
typedef struct ippc_remote ippc_remote_t;
typedef struct ippc_parallel ippc_parallel_t;

#define IPPC_FOREVER (-1.0)

/* Connect to the controller of a client connection file (ipcontroller[-ID]-client.json):
 * one connection_request on the registration port must be answered within timeout, else
 * IPPC_E_CONNECT ("no controller answered at tcp://127.0.0.1:NNNN within 5 s ..."). A
 * missing or invalid file is IPPC_E_NOTFOUND / IPPC_E_PARSE naming the file. */
IPPC_EXPORT ippc_client_t *ippc_client_connect(const char *connection_file, double timeout,
                                               ippc_error_t **err);
/* Close the sockets and release the client. Views, results and handles made from it may
 * still be destroyed afterwards (their operations then fail with IPPC_E_STATE). */
IPPC_EXPORT void ippc_client_destroy(ippc_client_t **c);
/* Wait until at least n engines are registered. IPPC_E_TIMEOUT ("N engines not ready in
 * T seconds. Currently ready: K") when the time runs out, IPPC_E_ENGINE when an engine
 * unregisters meanwhile (as the stock client does). */
IPPC_EXPORT int ippc_client_wait_for_engines(ippc_client_t *c, size_t n, double timeout,
                                             ippc_error_t **err);
/* The registered engine ids, sorted (kept current from the controller's notifications,
 * which are read inside libippc calls). *ids stays valid until the next libippc call on
 * c. Returns 0, or -1 when the client is closed (then *n is 0). */
IPPC_EXPORT int ippc_client_ids(ippc_client_t *c, const int **ids, size_t *n);
/* Be told when an engine registers (registered true) or unregisters; called from inside
 * libippc calls on c. fn NULL removes the callback. */
IPPC_EXPORT void ippc_client_on_engine(ippc_client_t *c,
                                       void (*fn)(ippc_client_t *c, int engine_id, bool registered,
                                                  void *data),
                                       void *data);
/* Receive and handle what has arrived, waiting up to timeout for the first message.
 * Returns the number of messages handled (0 on a timeout), -1 on an error. */
IPPC_EXPORT int ippc_client_poll(ippc_client_t *c, double timeout, ippc_error_t **err);
/* A file descriptor for event loops: watch it for readability, and when it is readable
 * call ippc_client_poll(c, 0, ...). It is edge-triggered like ZMQ_FD: it signals that
 * something arrived since libippc last read; messages that arrive while another libippc
 * call runs are handled by that call, so the descriptor may then stay quiet, and it may
 * also wake spuriously (ippc_client_poll returns 0). Owned by the client. -1 on error. */
IPPC_EXPORT int ippc_client_fd(ippc_client_t *c, ippc_error_t **err);
/* Send signal sig to the engines of targets (a targets spec as for ippc_client_view;
 * NULL means all) through the control channel and wait for their replies. An engine
 * that refuses answers with an error (RemoteError / CompositeError). */
IPPC_EXPORT int ippc_client_send_signal(ippc_client_t *c, int sig, const char *targets,
                                        ippc_error_t **err);

/* A running cluster, as the stock Cluster.from_file() finds it: the cluster file
 * <profile_dir>/security/cluster-<cluster_id>.json. profile is a profile name (NULL or ""
 * means "default", in $IPYTHONDIR) or a profile directory (a path with a '/');
 * cluster_id NULL means "" (ipcluster's and ippctl's default). IPPC_E_NOTFOUND when there
 * is no such file. */
IPPC_EXPORT ippc_cluster_t *ippc_cluster_from_file(const char *profile, const char *cluster_id,
                                                   ippc_error_t **err);
/* The cluster's id, as its file records it. */
IPPC_EXPORT const char *ippc_cluster_id(const ippc_cluster_t *cl);
/* The cluster's profile directory, as its file records it. */
IPPC_EXPORT const char *ippc_cluster_profile_dir(const ippc_cluster_t *cl);
/* Connect a client: wait (up to timeout) for the controller's connection files like
 * Cluster.connect_client(), failing early when the recorded controller process is gone,
 * then ippc_client_connect with the time left. */
IPPC_EXPORT ippc_client_t *ippc_cluster_connect(ippc_cluster_t *cl, double timeout, ippc_error_t **err);
/* Forget the cluster record (the cluster itself keeps running). */
IPPC_EXPORT void ippc_cluster_destroy(ippc_cluster_t **cl);

/* Starting and stopping a cluster from C (Option 1 of the tutorial), through the same
 * launcher as `ippctl start` (the library runs ippctl: $IPPC_IPPCTL, else
 * $(bindir)/ippctl, else ippctl on PATH). A zero-initialised struct asks for the default
 * profile's cluster under a new id. */
typedef struct {
    size_t n;                     /* engines; 0: the profile's cluster.n */
    const char *profile;          /* a profile name or file (ippc-profile(5)); NULL: default */
    const char *cluster_id;       /* NULL: a new id "<seconds>-<4 letters>", as ipp.Cluster()
                                     makes; "": the profile's default cluster */
    const char *launcher;         /* "local" ...; NULL: the profile's */
    const char *const *settings;  /* "section.key=value" profile settings (as --set), NULL
                                     ended; NULL: none */
} ippc_cluster_opts_t;

/* A cluster to start (nothing runs yet; opts NULL: all defaults). IPPC_E_INVALID for a
 * bad option. */
IPPC_EXPORT ippc_cluster_t *ippc_cluster_new(const ippc_cluster_opts_t *opts, ippc_error_t **err);
/* Start it and wait until all its engines have registered (at most timeout seconds;
 * negative: 120). On failure nothing of it is left running, and the error says why
 * (an engine that could not start comes with the end of its log; IPPC_E_TIMEOUT when
 * the time ran out; IPPC_E_STATE when the cluster id runs already). Then
 * ippc_cluster_connect gives a client. */
IPPC_EXPORT int ippc_cluster_start(ippc_cluster_t *cl, double timeout, ippc_error_t **err);
/* Stop the cluster (started by ippc_cluster_start, or found by ippc_cluster_from_file):
 * engines and controller get SIGTERM, then SIGKILL after 5 s; succeeds when none of its
 * processes is left. IPPC_E_STATE when it is not running. */
IPPC_EXPORT int ippc_cluster_stop(ippc_cluster_t *cl, ippc_error_t **err);

/* ------------------------------------------------------------------ views */

/* A tri-state for per-call options: DEFAULT takes the view's setting. */
typedef enum { IPPC_FLAG_OFF = -1, IPPC_FLAG_DEFAULT = 0, IPPC_FLAG_ON = 1 } ippc_flag_t;

/* Per-call options; a zero-initialised struct (or NULL) means the view's settings. */
typedef struct {
    const char *targets;    /* a targets spec for this call (NULL: the view's) */
    ippc_flag_t block;      /* ON: the call waits for the result before returning */
    ippc_flag_t track;      /* ON: follow the zero-copy send (ippc_result_sent, on_sent) */
    ippc_flag_t silent;     /* execute: OFF asks engines for execute_input/execute_result
                               (DEFAULT: silent, as the stock execute) */
    bool return_exceptions; /* failures become values instead of an error from get */
    /* track: called (inside a libippc call on the client) once libzmq has released all
     * buffers of the call; r is the call's result and must not be destroyed here. */
    void (*on_sent)(ippc_result_t *r, void *data);
    void *on_sent_data;
} ippc_opts_t;

/* A view on engines. targets: "all" or NULL (every engine registered at each call), a
 * slice of the sorted ids "start:stop:step" (":", "1:3", "::2", "-2:"), a list of engine
 * ids "0,2" (also "[0, 2]", "3,"), or one int: an engine id "3" or an index from the end
 * "-1". Slices and lists are frozen to the ids registered now, like rc[:] of the stock
 * client; a view of one int gives single values instead of lists, like rc[3]. The view
 * starts non-blocking and untracked. */
IPPC_EXPORT ippc_view_t *ippc_client_view(ippc_client_t *c, const char *targets, ippc_error_t **err);
/* Release a view (function handles made from it keep what they need). */
IPPC_EXPORT void ippc_view_destroy(ippc_view_t **v);
/* block: operations wait for their result before returning it. */
IPPC_EXPORT void ippc_view_set_block(ippc_view_t *v, bool block);
IPPC_EXPORT bool ippc_view_get_block(const ippc_view_t *v);
/* track: operations follow their zero-copy sends (see ippc_result_sent). */
IPPC_EXPORT void ippc_view_set_track(ippc_view_t *v, bool track);
IPPC_EXPORT bool ippc_view_get_track(const ippc_view_t *v);
/* Change the targets (a spec as for ippc_client_view, resolved now). */
IPPC_EXPORT int ippc_view_set_targets(ippc_view_t *v, const char *targets, ippc_error_t **err);
/* The view's engine ids now ("all": the registered ids); valid until the next libippc
 * call on the client. 0 / -1. */
IPPC_EXPORT int ippc_view_get_targets(ippc_view_t *v, const int **ids, size_t *n);

/* Operations. Each has an asynchronous form returning a result (which the view's or the
 * call's block flag makes wait before returning; destroy it with ippc_result_destroy)
 * and a _sync form that always waits and returns the value (or 0 when there is none).
 * Values passed in are borrowed: they may be destroyed once the call returns (their
 * buffers stay referenced until sent). */

/* Call callable(*args, **kwargs) on each engine. callable is a Python expression
 * evaluated in the engine's namespace ("f", "lambda x: a + x", "time.sleep"); args is a
 * list or tuple (NULL: none), kwargs a dict (NULL: none). */
IPPC_EXPORT ippc_result_t *ippc_view_apply(ippc_view_t *v, const char *callable, const ippc_value_t *args,
                                           const ippc_value_t *kwargs, const ippc_opts_t *opts,
                                           ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_view_apply_sync(ippc_view_t *v, const char *callable,
                                               const ippc_value_t *args, const ippc_value_t *kwargs,
                                               const ippc_opts_t *opts, ippc_error_t **err);
/* Run code on each engine (execute_request; works with stock engines). The value per
 * engine is None; output is in the result's metadata. */
IPPC_EXPORT ippc_result_t *ippc_view_execute(ippc_view_t *v, const char *code, const ippc_opts_t *opts,
                                             ippc_error_t **err);
IPPC_EXPORT int ippc_view_execute_sync(ippc_view_t *v, const char *code, const ippc_opts_t *opts,
                                       ippc_error_t **err);
/* Update each engine's namespace with the items of the dict ns. */
IPPC_EXPORT ippc_result_t *ippc_view_push(ippc_view_t *v, const ippc_value_t *ns, const ippc_opts_t *opts,
                                          ippc_error_t **err);
IPPC_EXPORT int ippc_view_push_sync(ippc_view_t *v, const ippc_value_t *ns, const ippc_opts_t *opts,
                                    ippc_error_t **err);
/* Fetch names from each engine: "a" gives a's value, "a,b" a tuple (a, b) (the stock
 * client gives a list there). */
IPPC_EXPORT ippc_result_t *ippc_view_pull(ippc_view_t *v, const char *names, const ippc_opts_t *opts,
                                          ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_view_pull_sync(ippc_view_t *v, const char *names, const ippc_opts_t *opts,
                                              ippc_error_t **err);
/* Dictionary-style access, always waiting: view[name] (a pull) and view[name] = value
 * (a push). */
IPPC_EXPORT ippc_value_t *ippc_view_get(ippc_view_t *v, const char *name, ippc_error_t **err);
IPPC_EXPORT int ippc_view_set(ippc_view_t *v, const char *name, const ippc_value_t *value,
                              ippc_error_t **err);
/* Split seq (list, tuple, range or ndarray) into contiguous parts, one per target (the
 * first len % n get one more item), and push part i to engine i as name; with flatten a
 * part of one item is pushed as that item. */
IPPC_EXPORT ippc_result_t *ippc_view_scatter(ippc_view_t *v, const char *name, const ippc_value_t *seq,
                                             bool flatten, const ippc_opts_t *opts, ippc_error_t **err);
IPPC_EXPORT int ippc_view_scatter_sync(ippc_view_t *v, const char *name, const ippc_value_t *seq,
                                       bool flatten, const ippc_opts_t *opts, ippc_error_t **err);
/* Pull name from each target and join the parts in target order (lists chained,
 * ndarrays concatenated, as ippc_value_concat). */
IPPC_EXPORT ippc_result_t *ippc_view_gather(ippc_view_t *v, const char *name, const ippc_opts_t *opts,
                                            ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_view_gather_sync(ippc_view_t *v, const char *name, const ippc_opts_t *opts,
                                                ippc_error_t **err);
/* [callable(x) for x in seq], with seq split into contiguous parts, one apply per engine
 * (empty parts skipped), results joined into one list. */
IPPC_EXPORT ippc_result_t *ippc_view_map(ippc_view_t *v, const char *callable, const ippc_value_t *seq,
                                         const ippc_opts_t *opts, ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_view_map_sync(ippc_view_t *v, const char *callable, const ippc_value_t *seq,
                                             const ippc_opts_t *opts, ippc_error_t **err);
/* Import modules ("numpy, os.path") on each engine ("import x" through execute), waiting;
 * an ImportError comes back as a remote error. */
IPPC_EXPORT int ippc_view_sync_imports(ippc_view_t *v, const char *modules, const ippc_opts_t *opts,
                                       ippc_error_t **err);

/* A remote function: callable applied through view v with the options opts (copied) at
 * each call, like @view.remote(). */
IPPC_EXPORT ippc_remote_t *ippc_view_remote(ippc_view_t *v, const char *callable, const ippc_opts_t *opts,
                                            ippc_error_t **err);
/* Call the remote function with args (list/tuple or NULL) and kwargs (dict or NULL). */
IPPC_EXPORT ippc_result_t *ippc_remote_call(ippc_remote_t *f, const ippc_value_t *args,
                                            const ippc_value_t *kwargs, ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_remote_call_sync(ippc_remote_t *f, const ippc_value_t *args,
                                                const ippc_value_t *kwargs, ippc_error_t **err);
/* Like @require("numpy", "os"): before each call the engine imports modules (a comma-
 * separated list, added to those required already); a missing one fails the call with
 * a remote error whose ename is "UnmetDependency" and evalue the module name. */
IPPC_EXPORT int ippc_remote_require(ippc_remote_t *f, const char *modules, ippc_error_t **err);
/* Release a remote function (results of its calls stay valid). */
IPPC_EXPORT void ippc_remote_destroy(ippc_remote_t **f);

/* A parallel function, like @view.parallel(): callable receives each engine's
 * contiguous part of a sequence. */
IPPC_EXPORT ippc_parallel_t *ippc_view_parallel(ippc_view_t *v, const char *callable,
                                                const ippc_opts_t *opts, ippc_error_t **err);
/* callable(part) once per engine; the per-engine results joined (as gather). */
IPPC_EXPORT ippc_result_t *ippc_parallel_call(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_parallel_call_sync(ippc_parallel_t *p, const ippc_value_t *seq,
                                                  ippc_error_t **err);
/* callable applied to every item (as ippc_view_map). */
IPPC_EXPORT ippc_result_t *ippc_parallel_map(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err);
IPPC_EXPORT ippc_value_t *ippc_parallel_map_sync(ippc_parallel_t *p, const ippc_value_t *seq,
                                                 ippc_error_t **err);
/* As ippc_remote_require. */
IPPC_EXPORT int ippc_parallel_require(ippc_parallel_t *p, const char *modules, ippc_error_t **err);
/* Release a parallel function (results of its calls stay valid). */
IPPC_EXPORT void ippc_parallel_destroy(ippc_parallel_t **p);

/* ---------------------------------------------------------------- results */

/* The value of a finished call (a new value for the caller): a list in target order
 * for a list view, one value for an int view, the joined parts for map/gather/parallel
 * calls. Waits up to timeout: IPPC_E_TIMEOUT "Result not ready." when it runs out. A
 * failed call gives its error: one failing engine a RemoteError (IPPC_E_REMOTE), several
 * a CompositeError, an engine that died IPPC_E_ENGINE ("Engine 1 died while running task
 * '<msg_id>'"); with return_exceptions the failures are values instead (see
 * ippc_result_error). Waiting also collects the engines' output (stdout/stderr). */
IPPC_EXPORT int ippc_result_get(ippc_result_t *r, double timeout, ippc_value_t **value, ippc_error_t **err);
/* Whether every engine has replied (reads what has arrived, without waiting). */
IPPC_EXPORT bool ippc_result_ready(ippc_result_t *r);
/* Wait up to timeout for the replies (and the output); true when ready. */
IPPC_EXPORT bool ippc_result_wait(ippc_result_t *r, double timeout);
/* Wait up to timeout until all n results are ready; true when they are. */
IPPC_EXPORT bool ippc_wait(ippc_result_t *const *results, size_t n, double timeout);
/* Ready and no engine failed. */
IPPC_EXPORT bool ippc_result_successful(ippc_result_t *r);
/* Per-request metadata: i counts the requests of the call in target order (0 .. len-1;
 * a map skips engines whose part is empty). Strings are owned by the result and valid
 * until the next libippc call on its client; NULL when not known (yet). Dates are
 * ISO 8601 UTC strings as the messages carry them. These read what has arrived: they
 * never wait or receive. */

/* The number of requests the call sent. */
IPPC_EXPORT size_t ippc_result_len(const ippc_result_t *r);
/* The engine request i went to (-1 when i is out of range). */
IPPC_EXPORT int ippc_result_engine_id(const ippc_result_t *r, size_t i);
/* The msg_id of request i. */
IPPC_EXPORT const char *ippc_result_msg_id(const ippc_result_t *r, size_t i);
/* When request i was sent (its header date). */
IPPC_EXPORT const char *ippc_result_submitted(const ippc_result_t *r, size_t i);
/* When the engine started request i (reply metadata "started"). */
IPPC_EXPORT const char *ippc_result_started(const ippc_result_t *r, size_t i);
/* When the engine finished request i (its reply's header date). */
IPPC_EXPORT const char *ippc_result_completed(const ippc_result_t *r, size_t i);
/* What the engine printed to stdout while running request i ("" when nothing). */
IPPC_EXPORT const char *ippc_result_stdout(const ippc_result_t *r, size_t i);
/* What the engine printed to stderr while running request i ("" when nothing). */
IPPC_EXPORT const char *ippc_result_stderr(const ippc_result_t *r, size_t i);
/* execute with silent OFF: the text/plain of the engine's execute_result (Out[n]). */
IPPC_EXPORT const char *ippc_result_execute_result(const ippc_result_t *r, size_t i);
/* execute: the engine's execution count for request i (the n of Out[id:n] and
 * "Cell In [n]", ExecuteReply.execution_count); -1 for other calls or before the reply. */
IPPC_EXPORT int ippc_result_execution_count(const ippc_result_t *r, size_t i);
/* The error of request i (borrowed), NULL when it succeeded or has not replied. */
IPPC_EXPORT const ippc_error_t *ippc_result_error(const ippc_result_t *r, size_t i);
/* Whether libzmq has released every buffer of a tracked call (always true untracked). */
IPPC_EXPORT bool ippc_result_sent(ippc_result_t *r);
/* Wait until ippc_result_sent; IPPC_E_TIMEOUT "Still waiting to be sent". */
IPPC_EXPORT int ippc_result_wait_for_send(ippc_result_t *r, double timeout, ippc_error_t **err);
/* Destroy a result; replies still due are received and dropped later. */
IPPC_EXPORT void ippc_result_destroy(ippc_result_t **r);

#ifdef __cplusplus
}
#endif
#endif /* IPPC_H */
