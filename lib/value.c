/* value.c - ippc_value_t: constructors, accessors, copy, equality, containers, and the
 * small helpers (UTF-8, dtypes, escapes) the other value files share. */
#include "config.h"

#include <math.h> /* isnan: a macro, libippc does not link libm */
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "value_int.h"

/* ------------------------------------------------------------------ UTF-8 */

static size_t utf8_seq_len(unsigned char c, uint32_t *cp)
{
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        *cp = c & 0x1f;
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        *cp = c & 0x0f;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        *cp = c & 0x07;
        return 4;
    }
    return 0; /* continuation byte, overlong lead (c0 c1) or beyond U+10FFFF */
}

size_t ippc_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t c;
    size_t n = len ? utf8_seq_len((unsigned char)s[0], &c) : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t k = 1; k < n; k++) {
        unsigned char b = (unsigned char)s[k];
        if ((b & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (b & 0x3f);
    }
    if (c < min_for_len[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

size_t ippc_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    if (cp > 0x10ffff)
        return 0;
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

bool ippc_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        if ((unsigned char)s[i] < 0x80) { /* fast path for ASCII */
            i++;
            continue;
        }
        size_t n = ippc_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t ippc_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

size_t ippc_utf8_offset(const char *s, size_t len, size_t i)
{
    size_t off = 0;
    for (size_t seen = 0; off < len; off++) {
        if (((unsigned char)s[off] & 0xc0) != 0x80 && seen++ == i)
            return off;
    }
    return len;
}

/* ---------------------------------------------------------------- escapes */

/* One table for both directions; `in_repr` marks the escapes Python's repr writes. */
static const struct {
    char letter;
    char byte;
    bool in_repr;
} escapes[] = {
    {'n', '\n', true}, {'t', '\t', true}, {'r', '\r', true}, {'\\', '\\', true},
    {'\'', '\'', false}, {'"', '"', false}, {'a', '\a', false}, {'b', '\b', false},
    {'f', '\f', false}, {'v', '\v', false},
};

char ippc_escape_letter(unsigned char c)
{
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
        if (escapes[i].in_repr && (unsigned char)escapes[i].byte == c)
            return escapes[i].letter;
    return 0;
}

int ippc_unescape_letter(char letter)
{
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
        if (escapes[i].letter == letter)
            return (unsigned char)escapes[i].byte;
    return -1;
}

/* ----------------------------------------------------------------- locale */

void ippc_c_locale_enter(ippc_c_locale_t *l)
{
    l->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    l->old = l->c ? uselocale(l->c) : (locale_t)0;
}

void ippc_c_locale_leave(ippc_c_locale_t *l)
{
    if (!l->c)
        return;
    uselocale(l->old);
    freelocale(l->c);
    l->c = (locale_t)0;
}

/* ---------------------------------------------------------------- dtypes */

static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* Item sizes numpy accepts per kind (bool is one byte only; f16/c32 are long double). */
static bool dtype_size_ok(char kind, unsigned size)
{
    switch (kind) {
    case 'b':
        return size == 1;
    case 'i':
    case 'u':
        return size == 1 || size == 2 || size == 4 || size == 8;
    case 'f':
        return size == 2 || size == 4 || size == 8 || size == 16;
    case 'c':
        return size == 8 || size == 16 || size == 32;
    default:
        return false;
    }
}

size_t ippc_dtype_normalize(const char *dtype, char out[5])
{
    if (!dtype || !dtype[0] || !strchr("<>|=", dtype[0]) || !dtype[1])
        return 0;
    char order = dtype[0], kind = dtype[1];
    const char *digits = dtype + 2;
    size_t nd = strspn(digits, "0123456789");
    if (nd == 0 || nd > 2 || digits[nd] != '\0' || digits[0] == '0')
        return 0;
    unsigned size = (unsigned)atoi(digits);
    if (!dtype_size_ok(kind, size))
        return 0;
    char native = host_is_little_endian() ? '<' : '>';
    if (size == 1)
        order = '|';
    else if (order == '=' || order == '|')
        order = native;
    out[0] = order;
    out[1] = kind;
    memcpy(out + 2, digits, nd);
    out[2 + nd] = '\0';
    return size;
}

bool ippc_dtype_is_native(const char *dtype)
{
    return dtype[0] == '|' || dtype[0] == (host_is_little_endian() ? '<' : '>');
}

bool ippc_shape_count(size_t ndim, const size_t *shape, size_t *count)
{
    size_t n = 1;
    for (size_t i = 0; i < ndim; i++) {
        if (shape[i] != 0 && n > SIZE_MAX / shape[i]) {
            /* a zero dimension later still makes the product 0 */
            for (size_t k = i + 1; k < ndim; k++)
                if (shape[k] == 0) {
                    *count = 0;
                    return true;
                }
            return false;
        }
        n *= shape[i];
    }
    *count = n;
    return true;
}

/* ---------------------------------------------------------- ndarray items */

float ippc_half_to_float(uint16_t h)
{
    /* by bits, so that libippc does not need libm */
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, bits;
    float f;
    if (e == 0) { /* subnormal: m units of 2^-24, exact in a float */
        f = (float)m * 0x1p-24f;
        return sign ? -f : f;
    }
    bits = e == 31 ? sign | 0x7f800000u | (m << 13) : sign | ((e + 112) << 23) | (m << 13);
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* A float of `size` bytes at p (already in native order). */
static long double load_float(const unsigned char *p, size_t size)
{
    uint16_t h;
    float f;
    double d;
    long double ld = 0;
    switch (size) {
    case 2:
        memcpy(&h, p, 2);
        return ippc_half_to_float(h);
    case 4:
        memcpy(&f, p, 4);
        return f;
    case 8:
        memcpy(&d, p, 8);
        return d;
    default:
        /* numpy's float128 is the platform long double stored in 16 bytes */
        memcpy(&ld, p, sizeof ld < 16 ? sizeof ld : 16);
        return ld;
    }
}

/* Copy n bytes, reversed when the array is not in native order. */
static void load_bytes(unsigned char *out, const unsigned char *p, size_t n, bool swap)
{
    for (size_t k = 0; k < n; k++)
        out[k] = swap ? p[n - 1 - k] : p[k];
}

static uint64_t load_unsigned(const unsigned char *raw, size_t size)
{
    uint8_t u8 = raw[0];
    uint16_t u16;
    uint32_t u32;
    uint64_t u64 = u8;
    if (size == 2)
        memcpy(&u16, raw, 2), u64 = u16;
    else if (size == 4)
        memcpy(&u32, raw, 4), u64 = u32;
    else if (size == 8)
        memcpy(&u64, raw, 8);
    return u64;
}

static int64_t load_signed(const unsigned char *raw, size_t size)
{
    uint64_t u = load_unsigned(raw, size);
    unsigned bits = (unsigned)size * 8;
    if (bits < 64 && (u >> (bits - 1)) & 1) /* sign-extend */
        u |= ~(uint64_t)0 << bits;
    return (int64_t)u;
}

ippc_elem_t ippc_ndarray_elem(const ippc_value_t *v, size_t index)
{
    unsigned char raw[32] = {0};
    size_t size = v->u.nd.itemsize;
    const unsigned char *p = (const unsigned char *)ippc_blob_data(v->u.nd.data) + index * size;
    bool swap = !ippc_dtype_is_native(v->u.nd.dtype);
    ippc_elem_t e = {0};
    switch (v->u.nd.dtype[1]) {
    case 'c': /* two floats, each in the array's byte order */
        load_bytes(raw, p, size / 2, swap);
        load_bytes(raw + size / 2, p + size / 2, size / 2, swap);
        e.re = load_float(raw, size / 2);
        e.im = load_float(raw + size / 2, size / 2);
        break;
    case 'f':
        load_bytes(raw, p, size, swap);
        e.re = load_float(raw, size);
        break;
    case 'i':
        load_bytes(raw, p, size, swap);
        e.i = load_signed(raw, size);
        break;
    default: /* 'u' and 'b' */
        load_bytes(raw, p, size, swap);
        e.u = load_unsigned(raw, size);
        e.i = (int64_t)e.u;
        break;
    }
    return e;
}

/* ----------------------------------------------------------- constructors */

static ippc_value_t *value_alloc(ippc_type_t type)
{
    ippc_value_t *v = calloc(1, sizeof(*v));
    if (v)
        v->type = type;
    return v;
}

ippc_value_t *ippc_value_new_none(void) { return value_alloc(IPPC_T_NONE); }
ippc_value_t *ippc_value_new_list(void) { return value_alloc(IPPC_T_LIST); }
ippc_value_t *ippc_value_new_tuple(void) { return value_alloc(IPPC_T_TUPLE); }
ippc_value_t *ippc_value_new_dict(void) { return value_alloc(IPPC_T_DICT); }

ippc_value_t *ippc_value_new_bool(bool b)
{
    ippc_value_t *v = value_alloc(IPPC_T_BOOL);
    if (v)
        v->u.b = b;
    return v;
}

ippc_value_t *ippc_value_new_int(int64_t i)
{
    ippc_value_t *v = value_alloc(IPPC_T_INT);
    if (v)
        v->u.i = i;
    return v;
}

ippc_value_t *ippc_value_new_float(double d)
{
    ippc_value_t *v = value_alloc(IPPC_T_FLOAT);
    if (v)
        v->u.d = d;
    return v;
}

static char *memdup0(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p) {
        if (len)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

ippc_value_t *ippc_value_new_strn(const char *s, size_t len)
{
    if ((!s && len) || !ippc_utf8_valid(s, len))
        return NULL;
    ippc_value_t *v = value_alloc(IPPC_T_STR);
    if (!v)
        return NULL;
    v->u.str.s = memdup0(s ? s : "", len);
    v->u.str.len = len;
    if (!v->u.str.s) {
        free(v);
        return NULL;
    }
    return v;
}

ippc_value_t *ippc_value_new_str(const char *s)
{
    return s ? ippc_value_new_strn(s, strlen(s)) : NULL;
}

ippc_value_t *ippc_value_new_bytes_blob(ippc_blob_t *b)
{
    ippc_value_t *v = b ? value_alloc(IPPC_T_BYTES) : NULL;
    if (v)
        v->u.bytes = ippc_blob_ref(b);
    return v;
}

ippc_value_t *ippc_value_new_bytes(const void *data, size_t len)
{
    if (!data && len)
        return NULL;
    ippc_blob_t *b = ippc_blob_copy(data, len);
    ippc_value_t *v = ippc_value_new_bytes_blob(b);
    ippc_blob_destroy(&b);
    return v;
}

ippc_value_t *ippc_value_new_range(int64_t start, int64_t stop, int64_t step)
{
    if (step == 0)
        return NULL;
    ippc_value_t *v = value_alloc(IPPC_T_RANGE);
    if (v) {
        v->u.range.start = start;
        v->u.range.stop = stop;
        v->u.range.step = step;
    }
    return v;
}

uint64_t ippc_range_len(int64_t start, int64_t stop, int64_t step)
{
    /* The differences are taken in uint64 so that they cannot overflow. */
    if (step > 0 && start < stop)
        return ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
    if (step < 0 && start > stop)
        return ((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1;
    return 0;
}

/* Check what an ndarray needs before any memory is taken: the dtype, the number of
 * dimensions and the byte size. Fills out_dtype, *itemsize and *nbytes. */
static int ndarray_check(const char *dtype, size_t ndim, const size_t *shape, char out_dtype[5],
                         size_t *itemsize, size_t *nbytes, ippc_error_t **err)
{
    *itemsize = ippc_dtype_normalize(dtype, out_dtype);
    if (*itemsize == 0)
        return ippc_error_set(err, IPPC_E_INVALID, "invalid dtype '%s' (expected byte order <>|= "
                              "then b1, i1-i8, u1-u8, f2-f16 or c8-c32)", dtype ? dtype : "(null)");
    if (ndim > IPPC_NDARRAY_MAX_DIMS)
        return ippc_error_set(err, IPPC_E_INVALID, "ndarray has %zu dimensions (at most %d)", ndim,
                              IPPC_NDARRAY_MAX_DIMS);
    if (ndim && !shape)
        return ippc_error_set(err, IPPC_E_INVALID, "ndarray shape missing");
    size_t count;
    if (!ippc_shape_count(ndim, shape, &count) || count > SIZE_MAX / *itemsize)
        return ippc_error_set(err, IPPC_E_INVALID, "ndarray shape overflows the address space");
    *nbytes = count * *itemsize;
    return 0;
}

/* The value part of an ndarray; data is attached by the callers. */
static ippc_value_t *ndarray_alloc(const char *norm_dtype, size_t itemsize, size_t ndim,
                                   const size_t *shape)
{
    ippc_value_t *v = value_alloc(IPPC_T_NDARRAY);
    if (!v)
        return NULL;
    memcpy(v->u.nd.dtype, norm_dtype, sizeof v->u.nd.dtype);
    v->u.nd.itemsize = itemsize;
    v->u.nd.ndim = ndim;
    if (ndim) {
        v->u.nd.shape = malloc(ndim * sizeof(size_t));
        if (!v->u.nd.shape) {
            free(v);
            return NULL;
        }
        memcpy(v->u.nd.shape, shape, ndim * sizeof(size_t));
    }
    return v;
}

ippc_value_t *ippc_value_new_ndarray_blob(const char *dtype, size_t ndim, const size_t *shape,
                                          ippc_blob_t *b, ippc_error_t **err)
{
    char norm[5];
    size_t itemsize, nbytes;
    if (ndarray_check(dtype, ndim, shape, norm, &itemsize, &nbytes, err) != 0)
        return NULL;
    if (!b || ippc_blob_size(b) != nbytes) {
        ippc_error_set(err, IPPC_E_INVALID, "ndarray buffer holds %zu bytes, shape and dtype %s need %zu",
                       ippc_blob_size(b), norm, nbytes);
        return NULL;
    }
    ippc_value_t *v = ndarray_alloc(norm, itemsize, ndim, shape);
    if (!v) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    v->u.nd.data = ippc_blob_ref(b);
    return v;
}

ippc_value_t *ippc_value_new_ndarray(const char *dtype, size_t ndim, const size_t *shape,
                                     const void *data)
{
    char norm[5];
    size_t itemsize, nbytes;
    if (ndarray_check(dtype, ndim, shape, norm, &itemsize, &nbytes, NULL) != 0)
        return NULL;
    ippc_blob_t *b = data ? ippc_blob_copy(data, nbytes) : ippc_blob_new(nbytes);
    if (!b)
        return NULL;
    if (!data)
        memset(ippc_blob_data(b), 0, nbytes);
    ippc_value_t *v = ippc_value_new_ndarray_blob(norm, ndim, shape, b, NULL);
    ippc_blob_destroy(&b);
    return v;
}

ippc_value_t *ippc_value_wrap_ndarray(const char *dtype, size_t ndim, const size_t *shape, void *data,
                                      void (*free_fn)(void *data, void *hint), void *hint)
{
    char norm[5];
    size_t itemsize, nbytes;
    if (ndarray_check(dtype, ndim, shape, norm, &itemsize, &nbytes, NULL) != 0 || (!data && nbytes))
        return NULL;
    ippc_value_t *v = ndarray_alloc(norm, itemsize, ndim, shape);
    if (!v)
        return NULL;
    v->u.nd.data = ippc_blob_wrap(data, nbytes, free_fn, hint);
    if (!v->u.nd.data) {
        /* the caller keeps its memory when we fail */
        free(v->u.nd.shape);
        free(v);
        return NULL;
    }
    return v;
}

ippc_value_t *ippc_value_new_pyobj_blob(const char *type_name, const char *repr, ippc_blob_t *b)
{
    if (!type_name || !repr || !b || !ippc_utf8_valid(type_name, strlen(type_name)) ||
        !ippc_utf8_valid(repr, strlen(repr)))
        return NULL;
    ippc_value_t *v = value_alloc(IPPC_T_PYOBJ);
    if (!v)
        return NULL;
    v->u.py.type = strdup(type_name);
    v->u.py.repr = strdup(repr);
    if (!v->u.py.type || !v->u.py.repr) {
        free(v->u.py.type);
        free(v->u.py.repr);
        free(v);
        return NULL;
    }
    v->u.py.pickle = ippc_blob_ref(b);
    return v;
}

ippc_value_t *ippc_value_new_pyobj(const char *type_name, const char *repr, const void *pickle, size_t len)
{
    if (!pickle && len)
        return NULL;
    ippc_blob_t *b = ippc_blob_copy(pickle, len);
    ippc_value_t *v = ippc_value_new_pyobj_blob(type_name, repr, b);
    ippc_blob_destroy(&b);
    return v;
}

ippc_blob_t *ippc_value_blob(const ippc_value_t *v)
{
    if (!v)
        return NULL;
    switch (v->type) {
    case IPPC_T_BYTES:
        return v->u.bytes;
    case IPPC_T_NDARRAY:
        return v->u.nd.data;
    case IPPC_T_PYOBJ:
        return v->u.py.pickle;
    default:
        return NULL;
    }
}

/* ---------------------------------------------------------------- destroy */

static void dict_clear(ippc_value_t *v)
{
    for (size_t i = 0; i < v->u.dict.n; i++) {
        free(v->u.dict.e[i].key);
        ippc_value_destroy(&v->u.dict.e[i].val);
    }
    free(v->u.dict.e);
    free(v->u.dict.index);
}

void ippc_value_destroy(ippc_value_t **vp)
{
    if (!vp || !*vp)
        return;
    ippc_value_t *v = *vp;
    *vp = NULL;
    switch (v->type) {
    case IPPC_T_STR:
        free(v->u.str.s);
        break;
    case IPPC_T_BYTES:
        ippc_blob_destroy(&v->u.bytes);
        break;
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        for (size_t i = 0; i < v->u.seq.n; i++)
            ippc_value_destroy(&v->u.seq.items[i]);
        free(v->u.seq.items);
        break;
    case IPPC_T_DICT:
        dict_clear(v);
        break;
    case IPPC_T_NDARRAY:
        free(v->u.nd.shape);
        ippc_blob_destroy(&v->u.nd.data);
        break;
    case IPPC_T_PYOBJ:
        free(v->u.py.type);
        free(v->u.py.repr);
        ippc_blob_destroy(&v->u.py.pickle);
        break;
    default:
        break;
    }
    free(v);
}

/* ------------------------------------------------------------- containers */

/* An array of `size`-byte elements (maybe moved) with room for need + 1 of them, or
 * NULL with the old array untouched. */
static void *grow(void *items, size_t *cap, size_t need, size_t size)
{
    if (need < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap <= need || ncap > SIZE_MAX / size)
        return NULL;
    void *p = realloc(items, ncap * size);
    if (p)
        *cap = ncap;
    return p;
}

int ippc_value_append(ippc_value_t *seq, ippc_value_t *item)
{
    ippc_value_t **items = NULL;
    if (seq && item && item != seq && (seq->type == IPPC_T_LIST || seq->type == IPPC_T_TUPLE))
        items = grow(seq->u.seq.items, &seq->u.seq.cap, seq->u.seq.n, sizeof(*items));
    if (!items) {
        ippc_value_destroy(&item);
        return -1;
    }
    seq->u.seq.items = items;
    items[seq->u.seq.n++] = item;
    return 0;
}

/* FNV-1a: cheap and good enough for short string keys. */
static uint64_t key_hash(const char *k, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
    return h;
}

static bool entry_is(const ippc_dict_entry_t *e, const char *k, size_t len, uint64_t h)
{
    return e->hash == h && e->klen == len && memcmp(e->key, k, len) == 0;
}

/* Insert entry number i into the index (which has room). */
static void index_put(ippc_value_t *d, size_t i)
{
    size_t mask = d->u.dict.index_cap - 1;
    size_t slot = (size_t)d->u.dict.e[i].hash & mask;
    while (d->u.dict.index[slot])
        slot = (slot + 1) & mask;
    d->u.dict.index[slot] = i + 1;
}

/* Keep the index at most half full; built once the dict outgrows a linear scan. */
static int index_fit(ippc_value_t *d, size_t n)
{
    if (n <= IPPC_DICT_LINEAR_MAX || n * 2 <= d->u.dict.index_cap)
        return 0;
    size_t cap = d->u.dict.index_cap ? d->u.dict.index_cap : 64;
    while (cap < n * 2)
        cap *= 2;
    size_t *idx = calloc(cap, sizeof(size_t));
    if (!idx)
        return -1;
    free(d->u.dict.index);
    d->u.dict.index = idx;
    d->u.dict.index_cap = cap;
    for (size_t i = 0; i < d->u.dict.n; i++)
        index_put(d, i);
    return 0;
}

/* The entry number of key, or -1. */
static ptrdiff_t dict_find(const ippc_value_t *d, const char *k, size_t len, uint64_t h)
{
    if (!d->u.dict.index) {
        for (size_t i = 0; i < d->u.dict.n; i++)
            if (entry_is(&d->u.dict.e[i], k, len, h))
                return (ptrdiff_t)i;
        return -1;
    }
    size_t mask = d->u.dict.index_cap - 1;
    for (size_t slot = (size_t)h & mask; d->u.dict.index[slot]; slot = (slot + 1) & mask) {
        size_t i = d->u.dict.index[slot] - 1;
        if (entry_is(&d->u.dict.e[i], k, len, h))
            return (ptrdiff_t)i;
    }
    return -1;
}

static int dict_add(ippc_value_t *d, const char *k, size_t len, uint64_t h, ippc_value_t *item)
{
    ippc_dict_entry_t *entries = grow(d->u.dict.e, &d->u.dict.cap, d->u.dict.n, sizeof(*entries));
    if (!entries)
        return -1;
    d->u.dict.e = entries;
    if (index_fit(d, d->u.dict.n + 1) != 0)
        return -1;
    char *key = memdup0(k, len);
    if (!key)
        return -1;
    ippc_dict_entry_t *e = &d->u.dict.e[d->u.dict.n];
    *e = (ippc_dict_entry_t){key, len, h, item};
    if (d->u.dict.index)
        index_put(d, d->u.dict.n);
    d->u.dict.n++;
    return 0;
}

int ippc_value_dict_setn(ippc_value_t *dict, const char *key, size_t klen, ippc_value_t *item)
{
    if (!dict || dict->type != IPPC_T_DICT || !key || !item || item == dict || !ippc_utf8_valid(key, klen)) {
        ippc_value_destroy(&item);
        return -1;
    }
    uint64_t h = key_hash(key, klen);
    ptrdiff_t i = dict_find(dict, key, klen, h);
    if (i >= 0) { /* Python keeps the first position of a key */
        ippc_value_destroy(&dict->u.dict.e[i].val);
        dict->u.dict.e[i].val = item;
        return 0;
    }
    if (dict_add(dict, key, klen, h, item) != 0) {
        ippc_value_destroy(&item);
        return -1;
    }
    return 0;
}

int ippc_value_dict_set(ippc_value_t *dict, const char *key, ippc_value_t *item)
{
    return ippc_value_dict_setn(dict, key, key ? strlen(key) : 0, item);
}

ippc_value_t *ippc_value_dict_get(const ippc_value_t *dict, const char *key)
{
    if (!dict || dict->type != IPPC_T_DICT || !key)
        return NULL;
    size_t len = strlen(key);
    ptrdiff_t i = dict_find(dict, key, len, key_hash(key, len));
    return i >= 0 ? dict->u.dict.e[i].val : NULL;
}

const char *ippc_value_dict_keyn(const ippc_value_t *dict, size_t i, size_t *klen)
{
    if (!dict || dict->type != IPPC_T_DICT || i >= dict->u.dict.n)
        return NULL;
    if (klen)
        *klen = dict->u.dict.e[i].klen;
    return dict->u.dict.e[i].key;
}

const char *ippc_value_dict_key(const ippc_value_t *dict, size_t i)
{
    return ippc_value_dict_keyn(dict, i, NULL);
}

/* -------------------------------------------------------------- accessors */

ippc_type_t ippc_value_type(const ippc_value_t *v) { return v ? v->type : IPPC_T_NONE; }

const char *ippc_type_name(ippc_type_t t)
{
    static const char *const names[] = {"NoneType", "bool", "int",   "float",   "str",   "bytes",
                                        "list",     "tuple", "dict", "ndarray", "range", "pyobj"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static bool is(const ippc_value_t *v, ippc_type_t t) { return v && v->type == t; }

bool ippc_value_bool(const ippc_value_t *v) { return is(v, IPPC_T_BOOL) && v->u.b; }
int64_t ippc_value_int(const ippc_value_t *v) { return is(v, IPPC_T_INT) ? v->u.i : 0; }

double ippc_value_float(const ippc_value_t *v)
{
    if (is(v, IPPC_T_FLOAT))
        return v->u.d;
    if (is(v, IPPC_T_INT))
        return (double)v->u.i;
    return is(v, IPPC_T_BOOL) && v->u.b ? 1.0 : 0.0;
}

const char *ippc_value_str(const ippc_value_t *v, size_t *len)
{
    if (!is(v, IPPC_T_STR)) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = v->u.str.len;
    return v->u.str.s;
}

const void *ippc_value_bytes(const ippc_value_t *v, size_t *len)
{
    const ippc_blob_t *b = is(v, IPPC_T_BYTES) ? v->u.bytes : NULL;
    if (len)
        *len = ippc_blob_size(b);
    return ippc_blob_data(b);
}

size_t ippc_value_len(const ippc_value_t *v)
{
    if (!v)
        return 0;
    switch (v->type) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        return v->u.seq.n;
    case IPPC_T_DICT:
        return v->u.dict.n;
    case IPPC_T_RANGE:
        return (size_t)ippc_range_len(v->u.range.start, v->u.range.stop, v->u.range.step);
    case IPPC_T_STR:
        return v->u.str.len;
    case IPPC_T_BYTES:
        return ippc_blob_size(v->u.bytes);
    case IPPC_T_NDARRAY:
        return v->u.nd.ndim ? v->u.nd.shape[0] : 0;
    default:
        return 0;
    }
}

ippc_value_t *ippc_value_item(const ippc_value_t *v, size_t i)
{
    if ((is(v, IPPC_T_LIST) || is(v, IPPC_T_TUPLE)) && i < v->u.seq.n)
        return v->u.seq.items[i];
    if (is(v, IPPC_T_DICT) && i < v->u.dict.n)
        return v->u.dict.e[i].val;
    return NULL;
}

int64_t ippc_value_range_start(const ippc_value_t *v) { return is(v, IPPC_T_RANGE) ? v->u.range.start : 0; }
int64_t ippc_value_range_stop(const ippc_value_t *v) { return is(v, IPPC_T_RANGE) ? v->u.range.stop : 0; }
int64_t ippc_value_range_step(const ippc_value_t *v) { return is(v, IPPC_T_RANGE) ? v->u.range.step : 0; }

const char *ippc_value_ndarray_dtype(const ippc_value_t *v) { return is(v, IPPC_T_NDARRAY) ? v->u.nd.dtype : NULL; }
size_t ippc_value_ndarray_ndim(const ippc_value_t *v) { return is(v, IPPC_T_NDARRAY) ? v->u.nd.ndim : 0; }
const size_t *ippc_value_ndarray_shape(const ippc_value_t *v) { return is(v, IPPC_T_NDARRAY) ? v->u.nd.shape : NULL; }
size_t ippc_value_ndarray_itemsize(const ippc_value_t *v) { return is(v, IPPC_T_NDARRAY) ? v->u.nd.itemsize : 0; }

void *ippc_value_ndarray_data(const ippc_value_t *v, size_t *nbytes)
{
    const ippc_blob_t *b = is(v, IPPC_T_NDARRAY) ? v->u.nd.data : NULL;
    if (nbytes)
        *nbytes = ippc_blob_size(b);
    return ippc_blob_data(b);
}

const char *ippc_value_pyobj_type(const ippc_value_t *v) { return is(v, IPPC_T_PYOBJ) ? v->u.py.type : NULL; }
const char *ippc_value_pyobj_repr(const ippc_value_t *v) { return is(v, IPPC_T_PYOBJ) ? v->u.py.repr : NULL; }

const void *ippc_value_pyobj_pickle(const ippc_value_t *v, size_t *len)
{
    const ippc_blob_t *b = is(v, IPPC_T_PYOBJ) ? v->u.py.pickle : NULL;
    if (len)
        *len = ippc_blob_size(b);
    return ippc_blob_data(b);
}

/* ------------------------------------------------------------------- copy */

static ippc_value_t *copy_seq(const ippc_value_t *v)
{
    ippc_value_t *c = value_alloc(v->type);
    for (size_t i = 0; c && i < v->u.seq.n; i++)
        if (ippc_value_append(c, ippc_value_copy(v->u.seq.items[i])) != 0)
            ippc_value_destroy(&c);
    return c;
}

static ippc_value_t *copy_dict(const ippc_value_t *v)
{
    ippc_value_t *c = value_alloc(IPPC_T_DICT);
    for (size_t i = 0; c && i < v->u.dict.n; i++) {
        const ippc_dict_entry_t *e = &v->u.dict.e[i];
        if (ippc_value_dict_setn(c, e->key, e->klen, ippc_value_copy(e->val)) != 0)
            ippc_value_destroy(&c);
    }
    return c;
}

ippc_value_t *ippc_value_copy(const ippc_value_t *v)
{
    if (!v)
        return NULL;
    switch (v->type) {
    case IPPC_T_STR:
        return ippc_value_new_strn(v->u.str.s, v->u.str.len);
    case IPPC_T_BYTES:
        return ippc_value_new_bytes_blob(v->u.bytes);
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        return copy_seq(v);
    case IPPC_T_DICT:
        return copy_dict(v);
    case IPPC_T_NDARRAY:
        return ippc_value_new_ndarray_blob(v->u.nd.dtype, v->u.nd.ndim, v->u.nd.shape, v->u.nd.data, NULL);
    case IPPC_T_PYOBJ:
        return ippc_value_new_pyobj_blob(v->u.py.type, v->u.py.repr, v->u.py.pickle);
    default: {
        /* scalars and ranges hold no pointers */
        ippc_value_t *c = value_alloc(v->type);
        if (c)
            c->u = v->u;
        return c;
    }
    }
}

/* ------------------------------------------------------------------ equal */

static bool blob_equal(const ippc_blob_t *a, const ippc_blob_t *b)
{
    size_t n = ippc_blob_size(a);
    return n == ippc_blob_size(b) && (n == 0 || memcmp(ippc_blob_data(a), ippc_blob_data(b), n) == 0);
}

/* Python's range equality: equal as sequences. */
static bool range_equal(const ippc_value_t *a, const ippc_value_t *b)
{
    uint64_t n = ippc_range_len(a->u.range.start, a->u.range.stop, a->u.range.step);
    if (n != ippc_range_len(b->u.range.start, b->u.range.stop, b->u.range.step))
        return false;
    return n == 0 || (a->u.range.start == b->u.range.start && (n == 1 || a->u.range.step == b->u.range.step));
}

static bool seq_equal(const ippc_value_t *a, const ippc_value_t *b)
{
    if (a->u.seq.n != b->u.seq.n)
        return false;
    for (size_t i = 0; i < a->u.seq.n; i++)
        if (!ippc_value_equal(a->u.seq.items[i], b->u.seq.items[i]))
            return false;
    return true;
}

/* Like Python: the same keys with equal values, in any order. */
static bool dict_equal(const ippc_value_t *a, const ippc_value_t *b)
{
    if (a->u.dict.n != b->u.dict.n)
        return false;
    for (size_t i = 0; i < a->u.dict.n; i++) {
        const ippc_dict_entry_t *e = &a->u.dict.e[i];
        ptrdiff_t j = dict_find(b, e->key, e->klen, e->hash);
        if (j < 0 || !ippc_value_equal(e->val, b->u.dict.e[j].val))
            return false;
    }
    return true;
}

static bool ndarray_equal(const ippc_value_t *a, const ippc_value_t *b)
{
    if (strcmp(a->u.nd.dtype, b->u.nd.dtype) != 0 || a->u.nd.ndim != b->u.nd.ndim)
        return false;
    for (size_t i = 0; i < a->u.nd.ndim; i++)
        if (a->u.nd.shape[i] != b->u.nd.shape[i])
            return false;
    return blob_equal(a->u.nd.data, b->u.nd.data);
}

bool ippc_value_equal(const ippc_value_t *a, const ippc_value_t *b)
{
    if (!a || !b || a->type != b->type)
        return a == b;
    switch (a->type) {
    case IPPC_T_NONE:
        return true;
    case IPPC_T_BOOL:
        return a->u.b == b->u.b;
    case IPPC_T_INT:
        return a->u.i == b->u.i;
    case IPPC_T_FLOAT: /* NaN equals NaN here so that round trips compare equal */
        return a->u.d == b->u.d || (isnan(a->u.d) && isnan(b->u.d));
    case IPPC_T_STR:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case IPPC_T_BYTES:
        return blob_equal(a->u.bytes, b->u.bytes);
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        return seq_equal(a, b);
    case IPPC_T_DICT:
        return dict_equal(a, b);
    case IPPC_T_NDARRAY:
        return ndarray_equal(a, b);
    case IPPC_T_RANGE:
        return range_equal(a, b);
    case IPPC_T_PYOBJ:
        return strcmp(a->u.py.type, b->u.py.type) == 0 && strcmp(a->u.py.repr, b->u.py.repr) == 0 &&
               blob_equal(a->u.py.pickle, b->u.py.pickle);
    }
    return false;
}
