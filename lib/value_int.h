/* value_int.h - the layout of ippc_value_t and the helpers shared by the value files
 * (value.c, value_codec.c, value_repr.c, value_parse.c, partition.c). Not installed. */
#ifndef IPPC_VALUE_INT_H
#define IPPC_VALUE_INT_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "ippc.h"

/* numpy's NPY_MAXDIMS (1.x): arrays with more dimensions cannot exist on the engine. */
#define IPPC_NDARRAY_MAX_DIMS 32
/* Dicts up to this many keys are searched linearly; bigger ones get a hash index. */
#define IPPC_DICT_LINEAR_MAX 16

typedef struct {
    char *key; /* NUL-terminated copy; klen counts bytes (a decoded key may hold NUL) */
    size_t klen;
    uint64_t hash;
    ippc_value_t *val;
} ippc_dict_entry_t;

struct ippc_value {
    ippc_type_t type;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *s; /* valid UTF-8, NUL-terminated (len excludes the terminator) */
            size_t len;
        } str;
        ippc_blob_t *bytes;
        struct {
            ippc_value_t **items;
            size_t n, cap;
        } seq; /* list and tuple */
        struct {
            ippc_dict_entry_t *e; /* in insertion order */
            size_t n, cap;
            size_t *index;    /* open addressing: entry number + 1, 0 = free; NULL while small */
            size_t index_cap; /* a power of two, at least twice n */
        } dict;
        struct {
            int64_t start, stop, step;
        } range;
        struct {
            char dtype[5]; /* normalized like numpy's dtype.str: "<f8", "|b1", "<c16" */
            size_t itemsize;
            size_t ndim;
            size_t *shape; /* NULL when ndim == 0 */
            ippc_blob_t *data;
        } nd;
        struct {
            char *type;
            char *repr;
            ippc_blob_t *pickle;
        } py;
    } u;
};

/* ---- constructors over existing blobs (each takes its own reference to the blob) */

ippc_value_t *ippc_value_new_bytes_blob(ippc_blob_t *b);
/* Checks dtype, ndim and that the blob holds exactly prod(shape) * itemsize bytes;
 * failures are IPPC_E_INVALID with a message the decoder reuses. */
ippc_value_t *ippc_value_new_ndarray_blob(const char *dtype, size_t ndim, const size_t *shape,
                                          ippc_blob_t *b, ippc_error_t **err);
ippc_value_t *ippc_value_new_pyobj_blob(const char *type_name, const char *repr, ippc_blob_t *b);
/* The blob behind a bytes, ndarray or pyobj value (borrowed), else NULL. */
ippc_blob_t *ippc_value_blob(const ippc_value_t *v);

/* dict_set with a key of explicit length (decoded keys may contain NUL). */
int ippc_value_dict_setn(ippc_value_t *dict, const char *key, size_t klen, ippc_value_t *item);
const char *ippc_value_dict_keyn(const ippc_value_t *dict, size_t i, size_t *klen);

/* Python's len(range(start, stop, step)); step must not be 0. */
uint64_t ippc_range_len(int64_t start, int64_t stop, int64_t step);

/* Parse a numpy type string ("<f8", "=i4", "|u1", ">c16", "|b1") into numpy's canonical
 * form (dtype.str: '|' for one-byte items, '=' and multi-byte '|' become the native
 * order). Returns the item size, or 0 when numpy would not accept the string. */
size_t ippc_dtype_normalize(const char *dtype, char out[5]);
/* True when byte order of a normalized dtype is the host's. */
bool ippc_dtype_is_native(const char *dtype);
/* prod(shape) (overflow-checked); false on overflow. */
bool ippc_shape_count(size_t ndim, const size_t *shape, size_t *count);

/* ---- ndarray elements */

/* One element of an ndarray, converted to native byte order and widened: kinds 'f'
 * use re, 'c' re and im, 'i' i, 'u' u, 'b' u (0 or not). index is a flat C-order one. */
typedef struct {
    long double re, im;
    int64_t i;
    uint64_t u;
} ippc_elem_t;
ippc_elem_t ippc_ndarray_elem(const ippc_value_t *v, size_t index);
float ippc_half_to_float(uint16_t h);

/* ---- UTF-8 */

/* Decode one strict UTF-8 sequence (no overlongs, no surrogates, <= U+10FFFF) at s.
 * Returns its length (1..4) with *cp set, or 0 when s does not start a valid one. */
size_t ippc_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp (a scalar value) into out; returns the length (1..4), 0 for surrogates or
 * code points above U+10FFFF. */
size_t ippc_utf8_encode(uint32_t cp, char out[4]);
bool ippc_utf8_valid(const char *s, size_t len);
/* Number of code points of valid UTF-8, and the byte offset of code point i. */
size_t ippc_utf8_count(const char *s, size_t len);
size_t ippc_utf8_offset(const char *s, size_t len, size_t i);

/* ---- backslash escapes shared by repr (writes them) and parse (reads them) */

/* The letter of the one-character escape for byte c (n t r and backslash; the quotes
 * are handled by the caller), or 0. Only these appear in Python's repr. */
char ippc_escape_letter(unsigned char c);
/* The byte a one-letter escape stands for in a Python literal (n t r a b f v, quotes,
 * backslash), or -1 when letter is not a one-letter escape. */
int ippc_unescape_letter(char letter);

/* ---- locale: repr and parse format and read numbers in the "C" locale even when the
 * program has called setlocale() with a decimal comma (per thread, via uselocale). */
typedef struct {
    locale_t c, old;
} ippc_c_locale_t;
void ippc_c_locale_enter(ippc_c_locale_t *l);
void ippc_c_locale_leave(ippc_c_locale_t *l);

/* ---- float digits, shared by Python float repr and numpy array repr */

/* The precision classes of floating point data. */
typedef enum { IPPC_FP_HALF, IPPC_FP_SINGLE, IPPC_FP_DOUBLE, IPPC_FP_LONG } ippc_fp_kind_t;

/* The shortest decimal digits that read back as x in the given precision (round-trip
 * like Python's repr and numpy's Dragon4 "unique" mode): digits without a point or
 * trailing zeros ("15" for 1.5e-3) and exp, the power of ten of the first digit
 * (-3). x must be finite; its sign is ignored. digits needs 48 bytes. */
void ippc_fp_shortest(long double x, ippc_fp_kind_t kind, char digits[48], int *exp);

#endif
