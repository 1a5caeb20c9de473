/* value_codec.c - values to and from a JSON description plus buffer frames (the format
 * is documented in value_codec.h). The decoder treats its input as hostile: every
 * problem is an IPPC_E_PARSE naming the place in the description ($.items[2]...). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "value_codec.h"
#include "value_int.h"

/* --------------------------------------------------------------- bloblist */

void ippc_bloblist_init(ippc_bloblist_t *l) { memset(l, 0, sizeof(*l)); }

int ippc_bloblist_push(ippc_bloblist_t *l, ippc_blob_t *b)
{
    if (!b)
        return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        ippc_blob_t **items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return -1;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = ippc_blob_ref(b);
    return 0;
}

/* Drop the references above n (undoes the pushes of a failed encode). */
static void bloblist_truncate(ippc_bloblist_t *l, size_t n)
{
    while (l->n > n)
        ippc_blob_destroy(&l->items[--l->n]);
}

void ippc_bloblist_clear(ippc_bloblist_t *l)
{
    bloblist_truncate(l, 0);
    free(l->items);
    ippc_bloblist_init(l);
}

/* ----------------------------------------------------------------- encode */

typedef struct {
    ippc_bloblist_t *bufs;
    size_t base; /* buffer indices in descriptions count from here */
    ippc_error_t **err;
} encoder_t;

static json_t *encode_at(encoder_t *enc, const ippc_value_t *v, int depth);

static json_t *nomem(ippc_error_t **err)
{
    ippc_error_set(err, IPPC_E_NOMEM, "out of memory encoding a value");
    return NULL;
}

/* {"@": tag} with the buffer index of b under "buf" (b gets a reference in the list). */
static json_t *tagged_with_buf(encoder_t *enc, const char *tag, ippc_blob_t *b)
{
    json_t *o = json_pack("{s:s, s:I}", "@", tag, "buf", (json_int_t)(enc->bufs->n - enc->base));
    if (!o || ippc_bloblist_push(enc->bufs, b) != 0) {
        json_decref(o);
        return nomem(enc->err);
    }
    return o;
}

static json_t *encode_float(double d)
{
    if (isfinite(d))
        return json_real(d);
    return json_pack("{s:s, s:s}", "@", "float", "v", isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
}

static json_t *encode_str(encoder_t *enc, const ippc_value_t *v)
{
    if (!memchr(v->u.str.s, '\0', v->u.str.len))
        return json_stringn(v->u.str.s, v->u.str.len);
    /* JSON text with NUL trips up too many readers: the bytes go in a frame */
    ippc_blob_t *b = ippc_blob_copy(v->u.str.s, v->u.str.len);
    json_t *o = b ? tagged_with_buf(enc, "str", b) : nomem(enc->err);
    ippc_blob_destroy(&b);
    return o;
}

/* Packed lists: one buffer of little-endian 8-byte items instead of a JSON array,
 * which costs far more to write and to parse on both sides (see value_codec.h). */
static void put_le64(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* The packed description of a list of IPPC_PACKED_MIN or more items that are all int
 * or all float (one pass: the buffer is written while the types are checked), else
 * NULL with *packed false. */
static json_t *encode_packed(encoder_t *enc, const ippc_value_t *v, bool *packed)
{
    *packed = false;
    size_t n = v->u.seq.n;
    ippc_type_t kind = n ? v->u.seq.items[0]->type : IPPC_T_NONE;
    if (v->type != IPPC_T_LIST || n < IPPC_PACKED_MIN || (kind != IPPC_T_INT && kind != IPPC_T_FLOAT))
        return NULL;
    ippc_blob_t *b = ippc_blob_new(n * 8);
    *packed = true;
    if (!b)
        return nomem(enc->err);
    unsigned char *p = ippc_blob_data(b);
    for (size_t i = 0; i < n; i++) {
        const ippc_value_t *item = v->u.seq.items[i];
        if (item->type != kind) {
            ippc_blob_destroy(&b);
            *packed = false;
            return NULL;
        }
        uint64_t x;
        if (kind == IPPC_T_INT)
            x = (uint64_t)item->u.i;
        else
            memcpy(&x, &item->u.d, sizeof x);
        put_le64(p + 8 * i, x);
    }
    json_t *o = tagged_with_buf(enc, "list", b);
    ippc_blob_destroy(&b);
    if (o && json_object_set_new(o, "dtype", json_string(kind == IPPC_T_INT ? "<i8" : "<f8")) != 0) {
        json_decref(o);
        return nomem(enc->err);
    }
    return o;
}

/* The items of a list/tuple as a JSON array. */
static json_t *encode_items(encoder_t *enc, const ippc_value_t *v, int depth)
{
    bool packed;
    json_t *p = encode_packed(enc, v, &packed);
    if (packed)
        return p;
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->u.seq.n; i++) {
        json_t *item = encode_at(enc, v->u.seq.items[i], depth + 1);
        if (!item || json_array_append_new(a, item) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a ? a : nomem(enc->err);
}

static json_t *encode_tuple(encoder_t *enc, const ippc_value_t *v, int depth)
{
    json_t *items = encode_items(enc, v, depth);
    if (!items)
        return NULL;
    json_t *o = json_pack("{s:s, s:o}", "@", "tuple", "items", items); /* steals items */
    return o ? o : nomem(enc->err);
}

static json_t *encode_dict(encoder_t *enc, const ippc_value_t *v, int depth)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < v->u.dict.n; i++) {
        const ippc_dict_entry_t *e = &v->u.dict.e[i];
        json_t *val = encode_at(enc, e->val, depth + 1);
        json_t *pair = val ? json_pack("[s%, o]", e->key, e->klen, val) : NULL;
        if (!pair || json_array_append_new(items, pair) != 0) {
            json_decref(items);
            return val ? nomem(enc->err) : NULL;
        }
    }
    json_t *o = items ? json_pack("{s:s, s:o}", "@", "dict", "items", items) : NULL;
    return o ? o : nomem(enc->err);
}

static json_t *encode_ndarray(encoder_t *enc, const ippc_value_t *v)
{
    json_t *shape = json_array();
    for (size_t i = 0; shape && i < v->u.nd.ndim; i++)
        if (json_array_append_new(shape, json_integer((json_int_t)v->u.nd.shape[i])) != 0)
            json_decref(shape), shape = NULL;
    json_t *o = shape ? tagged_with_buf(enc, "ndarray", v->u.nd.data) : NULL;
    if (!o || json_object_set_new(o, "dtype", json_string(v->u.nd.dtype)) != 0 ||
        json_object_set_new(o, "shape", shape) != 0) {
        json_decref(o);
        return nomem(enc->err);
    }
    return o;
}

static json_t *encode_pyobj(encoder_t *enc, const ippc_value_t *v)
{
    json_t *o = tagged_with_buf(enc, "pyobj", v->u.py.pickle);
    if (!o || json_object_set_new(o, "type", json_string(v->u.py.type)) != 0 ||
        json_object_set_new(o, "repr", json_string(v->u.py.repr)) != 0) {
        json_decref(o);
        return nomem(enc->err);
    }
    return o;
}

static json_t *encode_scalar(const ippc_value_t *v)
{
    switch (v->type) {
    case IPPC_T_BOOL:
        return json_boolean(v->u.b);
    case IPPC_T_INT:
        return json_integer((json_int_t)v->u.i);
    case IPPC_T_FLOAT:
        return encode_float(v->u.d);
    case IPPC_T_RANGE:
        return json_pack("{s:s, s:I, s:I, s:I}", "@", "range", "start", (json_int_t)v->u.range.start,
                         "stop", (json_int_t)v->u.range.stop, "step", (json_int_t)v->u.range.step);
    default:
        return json_null();
    }
}

static json_t *encode_at(encoder_t *enc, const ippc_value_t *v, int depth)
{
    if (!v) {
        ippc_error_set(enc->err, IPPC_E_INVALID, "cannot encode a NULL value");
        return NULL;
    }
    bool container = v->type == IPPC_T_LIST || v->type == IPPC_T_TUPLE || v->type == IPPC_T_DICT;
    if (container && depth >= IPPC_VALUE_MAX_DEPTH) {
        ippc_error_set(enc->err, IPPC_E_INVALID, "value nests more than %d containers", IPPC_VALUE_MAX_DEPTH);
        return NULL;
    }
    json_t *j;
    switch (v->type) {
    case IPPC_T_STR:
        return encode_str(enc, v);
    case IPPC_T_BYTES:
        return tagged_with_buf(enc, "bytes", v->u.bytes);
    case IPPC_T_LIST:
        return encode_items(enc, v, depth);
    case IPPC_T_TUPLE:
        return encode_tuple(enc, v, depth);
    case IPPC_T_DICT:
        return encode_dict(enc, v, depth);
    case IPPC_T_NDARRAY:
        return encode_ndarray(enc, v);
    case IPPC_T_PYOBJ:
        return encode_pyobj(enc, v);
    default:
        j = encode_scalar(v);
        return j ? j : nomem(enc->err);
    }
}

json_t *ippc_value_encode(const ippc_value_t *v, ippc_bloblist_t *bufs, ippc_error_t **err)
{
    if (!bufs) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_value_encode: bufs is NULL");
        return NULL;
    }
    encoder_t enc = {bufs, bufs->n, err};
    json_t *j = encode_at(&enc, v, 0);
    if (!j)
        bloblist_truncate(bufs, enc.base);
    return j;
}

/* ----------------------------------------------------------------- decode */

typedef struct {
    ippc_blob_t *const *bufs;
    size_t nbufs;
    ippc_error_t **err;
    char path[256]; /* where we are in the description, for messages: $.items[2][1] */
    size_t pathlen;
} decoder_t;

/* Append a path segment; returns the length to restore with path_pop. */
__attribute__((format(printf, 2, 3))) static size_t path_push(decoder_t *d, const char *fmt, ...)
{
    size_t old = d->pathlen;
    if (old < sizeof d->path - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(d->path + old, sizeof d->path - old, fmt, ap);
        va_end(ap);
        if (n > 0)
            d->pathlen = old + (size_t)n < sizeof d->path ? old + (size_t)n : sizeof d->path - 1;
    }
    return old;
}

static void path_pop(decoder_t *d, size_t old)
{
    d->pathlen = old;
    d->path[old] = '\0';
}

__attribute__((format(printf, 2, 3))) static ippc_value_t *bad(decoder_t *d, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ippc_error_set(d->err, IPPC_E_PARSE, "invalid value description at %s: %s", d->path, msg);
    return NULL;
}

static ippc_value_t *dnomem(decoder_t *d)
{
    ippc_error_set(d->err, IPPC_E_NOMEM, "out of memory decoding a value");
    return NULL;
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static ippc_value_t *decode_at(decoder_t *d, const json_t *j, int depth);

/* Field helpers: each reports a missing field or one of the wrong JSON type. */
static const json_t *field(decoder_t *d, const json_t *o, const char *name, json_type type,
                           const char *what)
{
    const json_t *f = json_object_get(o, name);
    if (!f)
        bad(d, "missing field '%s'", name);
    else if (json_typeof(f) != type)
        bad(d, "field '%s' must be %s, not %s", name, what, json_kind(f));
    else
        return f;
    return NULL;
}

static int field_int(decoder_t *d, const json_t *o, const char *name, int64_t *out)
{
    const json_t *f = field(d, o, name, JSON_INTEGER, "an integer");
    if (!f)
        return -1;
    *out = (int64_t)json_integer_value(f);
    return 0;
}

static const char *field_str(decoder_t *d, const json_t *o, const char *name)
{
    const json_t *f = field(d, o, name, JSON_STRING, "a string");
    if (!f)
        return NULL;
    if (strlen(json_string_value(f)) != json_string_length(f)) {
        bad(d, "field '%s' contains NUL", name);
        return NULL;
    }
    return json_string_value(f);
}

static ippc_blob_t *field_buf(decoder_t *d, const json_t *o)
{
    int64_t i;
    if (field_int(d, o, "buf", &i) != 0)
        return NULL;
    if (i < 0 || (uint64_t)i >= d->nbufs) {
        bad(d, "buffer index %lld out of range (%zu buffers)", (long long)i, d->nbufs);
        return NULL;
    }
    if (!d->bufs[i]) {
        bad(d, "buffer %lld is missing", (long long)i);
        return NULL;
    }
    return d->bufs[i];
}

/* Only the fields a tag defines are allowed: anything else means the two sides
 * disagree about the format, which should not pass silently. */
static int check_fields(decoder_t *d, const json_t *o, const char *tag, const char *const *allowed)
{
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        bool ok = strcmp(key, "@") == 0;
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            bad(d, "unexpected field '%s' in %s", key, tag);
            return -1;
        }
    }
    return 0;
}

static ippc_value_t *decode_float_tag(decoder_t *d, const json_t *o)
{
    const char *s = field_str(d, o, "v");
    if (!s)
        return NULL;
    double x;
    if (strcmp(s, "nan") == 0)
        x = NAN;
    else if (strcmp(s, "inf") == 0)
        x = INFINITY;
    else if (strcmp(s, "-inf") == 0)
        x = -INFINITY;
    else
        return bad(d, "float 'v' must be \"nan\", \"inf\" or \"-inf\", not \"%s\"", s);
    ippc_value_t *v = ippc_value_new_float(x);
    return v ? v : dnomem(d);
}

static ippc_value_t *decode_strn(decoder_t *d, const char *s, size_t len)
{
    if (!ippc_utf8_valid(s, len))
        return bad(d, "string is not valid UTF-8");
    ippc_value_t *v = ippc_value_new_strn(s, len);
    return v ? v : dnomem(d);
}

static ippc_value_t *decode_str_tag(decoder_t *d, const json_t *o)
{
    ippc_blob_t *b = field_buf(d, o);
    return b ? decode_strn(d, ippc_blob_data(b), ippc_blob_size(b)) : NULL;
}

static ippc_value_t *decode_bytes(decoder_t *d, const json_t *o)
{
    ippc_blob_t *b = field_buf(d, o);
    ippc_value_t *v = b ? ippc_value_new_bytes_blob(b) : NULL;
    return v || !b ? v : dnomem(d);
}

/* Append the decoded items of JSON array a to seq. */
static ippc_value_t *decode_items(decoder_t *d, const json_t *a, ippc_value_t *seq, int depth)
{
    for (size_t i = 0; seq && i < json_array_size(a); i++) {
        size_t mark = path_push(d, "[%zu]", i);
        ippc_value_t *item = decode_at(d, json_array_get(a, i), depth + 1);
        path_pop(d, mark);
        if (!item)
            ippc_value_destroy(&seq);
        else if (ippc_value_append(seq, item) != 0) {
            ippc_value_destroy(&seq);
            return dnomem(d);
        }
    }
    return seq;
}

static ippc_value_t *decode_tuple(decoder_t *d, const json_t *o, int depth)
{
    const json_t *items = field(d, o, "items", JSON_ARRAY, "an array");
    if (!items)
        return NULL;
    size_t mark = path_push(d, ".items");
    ippc_value_t *t = ippc_value_new_tuple();
    ippc_value_t *v = t ? decode_items(d, items, t, depth) : dnomem(d);
    path_pop(d, mark);
    return v;
}

/* One [key, value] pair of a dict description into dict. */
static int decode_pair(decoder_t *d, const json_t *pair, ippc_value_t *dict, int depth)
{
    if (!json_is_array(pair) || json_array_size(pair) != 2) {
        bad(d, "dict item must be a [key, value] pair, not %s", json_kind(pair));
        return -1;
    }
    const json_t *k = json_array_get(pair, 0);
    if (!json_is_string(k)) {
        bad(d, "dict key must be a string, not %s", json_kind(k));
        return -1;
    }
    const char *key = json_string_value(k);
    size_t klen = json_string_length(k);
    if (!ippc_utf8_valid(key, klen)) {
        bad(d, "dict key is not valid UTF-8");
        return -1;
    }
    size_t mark = path_push(d, "[1]");
    ippc_value_t *val = decode_at(d, json_array_get(pair, 1), depth + 1);
    path_pop(d, mark);
    if (!val)
        return -1;
    if (ippc_value_dict_setn(dict, key, klen, val) != 0) {
        dnomem(d);
        return -1;
    }
    return 0;
}

static ippc_value_t *decode_dict(decoder_t *d, const json_t *o, int depth)
{
    const json_t *items = field(d, o, "items", JSON_ARRAY, "an array");
    ippc_value_t *dict = items ? ippc_value_new_dict() : NULL;
    if (items && !dict)
        return dnomem(d);
    for (size_t i = 0; dict && i < json_array_size(items); i++) {
        size_t mark = path_push(d, ".items[%zu]", i);
        if (decode_pair(d, json_array_get(items, i), dict, depth) != 0)
            ippc_value_destroy(&dict);
        path_pop(d, mark);
    }
    return dict;
}

static int decode_shape(decoder_t *d, const json_t *o, size_t shape[IPPC_NDARRAY_MAX_DIMS], size_t *ndim)
{
    const json_t *a = field(d, o, "shape", JSON_ARRAY, "an array");
    if (!a)
        return -1;
    *ndim = json_array_size(a);
    if (*ndim > IPPC_NDARRAY_MAX_DIMS) {
        bad(d, "ndarray has %zu dimensions (at most %d)", *ndim, IPPC_NDARRAY_MAX_DIMS);
        return -1;
    }
    for (size_t i = 0; i < *ndim; i++) {
        const json_t *dim = json_array_get(a, i);
        if (!json_is_integer(dim) || json_integer_value(dim) < 0) {
            bad(d, "shape[%zu] must be a non-negative integer", i);
            return -1;
        }
        shape[i] = (size_t)json_integer_value(dim);
    }
    return 0;
}

static ippc_value_t *decode_ndarray(decoder_t *d, const json_t *o)
{
    size_t shape[IPPC_NDARRAY_MAX_DIMS], ndim;
    const char *dtype = field_str(d, o, "dtype");
    if (!dtype || decode_shape(d, o, shape, &ndim) != 0)
        return NULL;
    ippc_blob_t *b = field_buf(d, o);
    if (!b)
        return NULL;
    ippc_error_t *e = NULL;
    ippc_value_t *v = ippc_value_new_ndarray_blob(dtype, ndim, shape, b, &e);
    if (!v && ippc_error_code(e) == IPPC_E_NOMEM)
        dnomem(d);
    else if (!v) /* the constructor's reason (dtype, size mismatch), placed in the description */
        bad(d, "%s", ippc_error_message(e));
    ippc_error_destroy(&e);
    return v;
}

static ippc_value_t *decode_range(decoder_t *d, const json_t *o)
{
    int64_t start, stop, step;
    if (field_int(d, o, "start", &start) != 0 || field_int(d, o, "stop", &stop) != 0 ||
        field_int(d, o, "step", &step) != 0)
        return NULL;
    if (step == 0)
        return bad(d, "range step must not be zero");
    ippc_value_t *v = ippc_value_new_range(start, stop, step);
    return v ? v : dnomem(d);
}

static ippc_value_t *decode_packed(decoder_t *d, const json_t *o)
{
    const char *dtype = field_str(d, o, "dtype");
    ippc_blob_t *b = dtype ? field_buf(d, o) : NULL;
    if (!b)
        return NULL;
    bool is_int = strcmp(dtype, "<i8") == 0;
    if (!is_int && strcmp(dtype, "<f8") != 0)
        return bad(d, "packed list dtype must be \"<i8\" or \"<f8\", not \"%s\"", dtype);
    size_t size = ippc_blob_size(b);
    if (size % 8)
        return bad(d, "packed list buffer holds %zu bytes, not a multiple of 8", size);
    const unsigned char *p = ippc_blob_data(b);
    ippc_value_t *list = ippc_value_new_list();
    for (size_t i = 0; list && i < size / 8; i++) {
        uint64_t x = get_le64(p + 8 * i);
        double f;
        memcpy(&f, &x, sizeof f);
        if (ippc_value_append(list, is_int ? ippc_value_new_int((int64_t)x) : ippc_value_new_float(f)) != 0)
            ippc_value_destroy(&list);
    }
    return list ? list : dnomem(d);
}

static ippc_value_t *decode_pyobj(decoder_t *d, const json_t *o)
{
    const char *type = field_str(d, o, "type");
    const char *repr = type ? field_str(d, o, "repr") : NULL;
    ippc_blob_t *b = repr ? field_buf(d, o) : NULL;
    if (!b)
        return NULL;
    ippc_value_t *v = ippc_value_new_pyobj_blob(type, repr, b);
    return v ? v : dnomem(d);
}

typedef struct {
    const char *tag;
    const char *fields[5];
} tag_def_t;

static const tag_def_t tags[] = {
    {"float", {"v", NULL}},
    {"str", {"buf", NULL}},
    {"bytes", {"buf", NULL}},
    {"tuple", {"items", NULL}},
    {"dict", {"items", NULL}},
    {"ndarray", {"dtype", "shape", "buf", NULL}},
    {"range", {"start", "stop", "step", NULL}},
    {"list", {"dtype", "buf", NULL}},
    {"pyobj", {"type", "repr", "buf", NULL}},
};

static ippc_value_t *decode_object(decoder_t *d, const json_t *o, int depth)
{
    const json_t *t = json_object_get(o, "@");
    if (!t)
        return bad(d, "object without an \"@\" tag");
    if (!json_is_string(t))
        return bad(d, "\"@\" tag must be a string, not %s", json_kind(t));
    const char *tag = json_string_value(t);
    size_t i = 0;
    while (i < sizeof tags / sizeof tags[0] && strcmp(tags[i].tag, tag) != 0)
        i++;
    if (i == sizeof tags / sizeof tags[0])
        return bad(d, "unknown tag \"%s\"", tag);
    if (check_fields(d, o, tag, tags[i].fields) != 0)
        return NULL;
    switch (i) {
    case 0:
        return decode_float_tag(d, o);
    case 1:
        return decode_str_tag(d, o);
    case 2:
        return decode_bytes(d, o);
    case 3:
        return decode_tuple(d, o, depth);
    case 4:
        return decode_dict(d, o, depth);
    case 5:
        return decode_ndarray(d, o);
    case 6:
        return decode_range(d, o);
    case 7:
        return decode_packed(d, o);
    default:
        return decode_pyobj(d, o);
    }
}

static ippc_value_t *decode_at(decoder_t *d, const json_t *j, int depth)
{
    if (!j)
        return bad(d, "missing value");
    if ((json_is_array(j) || json_is_object(j)) && depth >= IPPC_VALUE_MAX_DEPTH)
        return bad(d, "more than %d nested containers", IPPC_VALUE_MAX_DEPTH);
    ippc_value_t *v;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return decode_object(d, j, depth);
    case JSON_ARRAY:
        v = ippc_value_new_list();
        return v ? decode_items(d, j, v, depth) : dnomem(d);
    case JSON_STRING:
        return decode_strn(d, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        v = ippc_value_new_int((int64_t)json_integer_value(j));
        break;
    case JSON_REAL:
        v = ippc_value_new_float(json_real_value(j));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v = ippc_value_new_bool(json_is_true(j));
        break;
    default:
        v = ippc_value_new_none();
        break;
    }
    return v ? v : dnomem(d);
}

ippc_value_t *ippc_value_decode(const json_t *desc, ippc_blob_t *const *bufs, size_t nbufs, ippc_error_t **err)
{
    decoder_t d = {.bufs = bufs, .nbufs = bufs ? nbufs : 0, .err = err, .path = "$", .pathlen = 1};
    return decode_at(&d, desc, 0);
}
