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
 * string that is not UTF-8). Containers take ownership of the items added to them. */
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
 * type string: byte order '<' '>' '|' '=' then kind b i u f c and item size, e.g. "<f8". */
IPPC_EXPORT ippc_value_t *ippc_value_new_ndarray(const char *dtype, size_t ndim, const size_t *shape,
                                                 const void *data);
/* An ndarray over the caller's memory, without a copy; free_fn(data, hint) is called when
 * the last reference to it goes (also after a zero-copy send completes). free_fn may be NULL. */
IPPC_EXPORT ippc_value_t *ippc_value_wrap_ndarray(const char *dtype, size_t ndim, const size_t *shape,
                                                  void *data, void (*free_fn)(void *data, void *hint),
                                                  void *hint);
IPPC_EXPORT ippc_value_t *ippc_value_new_pyobj(const char *type_name, const char *repr,
                                               const void *pickle, size_t len);
IPPC_EXPORT void ippc_value_destroy(ippc_value_t **v);
IPPC_EXPORT ippc_value_t *ippc_value_copy(const ippc_value_t *v);  /* deep; array data shared */
IPPC_EXPORT bool ippc_value_equal(const ippc_value_t *a, const ippc_value_t *b);

/* Containers: append to list/tuple (takes ownership of item, also on failure). */
IPPC_EXPORT int ippc_value_append(ippc_value_t *seq, ippc_value_t *item);
/* dict: set (replaces an existing key in place; takes ownership of item, also on failure). */
IPPC_EXPORT int ippc_value_dict_set(ippc_value_t *dict, const char *key, ippc_value_t *item);
IPPC_EXPORT ippc_value_t *ippc_value_dict_get(const ippc_value_t *dict, const char *key);
IPPC_EXPORT const char *ippc_value_dict_key(const ippc_value_t *dict, size_t i);

/* Accessors. On a value of another type they return 0 / NULL / false. */
IPPC_EXPORT ippc_type_t ippc_value_type(const ippc_value_t *v);
IPPC_EXPORT const char *ippc_type_name(ippc_type_t t);   /* "int", "list", "ndarray" ... */
IPPC_EXPORT bool ippc_value_bool(const ippc_value_t *v);
IPPC_EXPORT int64_t ippc_value_int(const ippc_value_t *v);
IPPC_EXPORT double ippc_value_float(const ippc_value_t *v);  /* also converts int and bool */
IPPC_EXPORT const char *ippc_value_str(const ippc_value_t *v, size_t *len);
IPPC_EXPORT const void *ippc_value_bytes(const ippc_value_t *v, size_t *len);
/* Number of items: list, tuple, dict, range (as Python len()), str (bytes), bytes. */
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
 * stored repr for opaque objects. Returns a malloc'd string, NULL on ENOMEM. */
IPPC_EXPORT char *ippc_value_repr(const ippc_value_t *v);

/* Parse a Python literal (what a user types after `ippctl push a=`): None, True/False,
 * ints, floats, 'str'/"str", b'..', [..], (..), {'k': v}, range(a[, b[, c]]). */
IPPC_EXPORT ippc_value_t *ippc_value_parse(const char *text, ippc_error_t **err);

/* ------------------------------------------------------------ partitions */

/* The block partition of DirectView.scatter (dist='b'): item range [*low, *high) of part p
 * of n items split over q parts; the first n % q parts get one extra item.
 * Returns 0, or -1 when q == 0 or p >= q. */
IPPC_EXPORT int ippc_partition(size_t n, size_t q, size_t p, size_t *low, size_t *high);

/* Split a list, tuple, range or ndarray (along its first axis) into part p of q,
 * exactly as the stock client's scatter does (a range gives a range, a list a list). */
IPPC_EXPORT ippc_value_t *ippc_value_partition(const ippc_value_t *seq, size_t q, size_t p,
                                               ippc_error_t **err);
/* Join parts as gather does: lists/tuples/ranges chained into a list, ndarrays
 * concatenated along the first axis. parts is a list value. */
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

#ifdef __cplusplus
}
#endif
#endif /* IPPC_H */
