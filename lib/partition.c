/* partition.c - scatter and gather as the stock client does them
 * (ipyparallel/client/map.py, class Map):
 *
 *   getPartition(seq, p, q): seq[low:high] with the block bounds below, so a list
 *     gives a list, a tuple a tuple, a range a range, a str a str, an ndarray its
 *     rows; a dict cannot be sliced and falls back to list(islice(dict, ...)): keys.
 *   joinPartitions(parts): looks at the first part only - ndarray: concatenate;
 *     list or tuple: list(chain(*parts)); anything else (a range too): the parts
 *     themselves, as a list.
 *
 * Slices of bytes and ndarrays share the original memory (no copy). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "value_int.h"

int ippc_partition(size_t n, size_t q, size_t p, size_t *low, size_t *high)
{
    if (q == 0 || p >= q)
        return -1;
    size_t remainder = n % q, basesize = n / q, lo;
    if (p < remainder) { /* the first n % q parts get one extra item */
        lo = p * (basesize + 1);
        *high = lo + basesize + 1;
    } else {
        lo = p * basesize + remainder;
        *high = lo + basesize;
    }
    *low = lo;
    return 0;
}

static ippc_value_t *nomem(ippc_error_t **err)
{
    ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return NULL;
}

/* ------------------------------------------------------------------ slices */

static void release_parent(void *data, void *hint)
{
    (void)data;
    ippc_blob_t *parent = hint;
    ippc_blob_destroy(&parent);
}

/* A blob over bytes [off, off + len) of parent that keeps parent alive. */
static ippc_blob_t *blob_slice(ippc_blob_t *parent, size_t off, size_t len)
{
    if (off == 0 && len == ippc_blob_size(parent))
        return ippc_blob_ref(parent);
    ippc_blob_t *ref = ippc_blob_ref(parent);
    ippc_blob_t *b = ippc_blob_wrap((char *)ippc_blob_data(parent) + off, len, release_parent, ref);
    if (!b)
        ippc_blob_destroy(&ref);
    return b;
}

static ippc_value_t *slice_seq(const ippc_value_t *seq, size_t lo, size_t hi)
{
    ippc_value_t *out = seq->type == IPPC_T_TUPLE ? ippc_value_new_tuple() : ippc_value_new_list();
    for (size_t i = lo; out && i < hi; i++)
        if (ippc_value_append(out, ippc_value_copy(seq->u.seq.items[i])) != 0)
            ippc_value_destroy(&out);
    return out;
}

/* start + k * step, clamped to int64 (a slice end that overflows int64 still
 * describes the same items when clamped, though Python would print the big value). */
static int64_t range_at(int64_t start, int64_t step, size_t k)
{
    __int128 x = (__int128)start + (__int128)k * step;
    return x > INT64_MAX ? INT64_MAX : x < INT64_MIN ? INT64_MIN : (int64_t)x;
}

/* range(a, b, s)[lo:hi] == range(a + lo*s, a + hi*s, s), as Python computes it. */
static ippc_value_t *slice_range(const ippc_value_t *r, size_t lo, size_t hi)
{
    int64_t start = r->u.range.start, step = r->u.range.step;
    return ippc_value_new_range(range_at(start, step, lo), range_at(start, step, hi), step);
}

/* str slices count characters (code points), not bytes. */
static ippc_value_t *slice_str(const ippc_value_t *s, size_t lo, size_t hi)
{
    size_t a = ippc_utf8_offset(s->u.str.s, s->u.str.len, lo);
    size_t b = ippc_utf8_offset(s->u.str.s, s->u.str.len, hi);
    return ippc_value_new_strn(s->u.str.s + a, b - a);
}

static ippc_value_t *slice_bytes(const ippc_value_t *v, size_t lo, size_t hi)
{
    ippc_blob_t *b = blob_slice(v->u.bytes, lo, hi - lo);
    ippc_value_t *out = b ? ippc_value_new_bytes_blob(b) : NULL;
    ippc_blob_destroy(&b);
    return out;
}

/* The keys [lo, hi) of a dict, as the list islice() yields. */
static ippc_value_t *slice_dict_keys(const ippc_value_t *d, size_t lo, size_t hi)
{
    ippc_value_t *out = ippc_value_new_list();
    for (size_t i = lo; out && i < hi; i++)
        if (ippc_value_append(out, ippc_value_new_strn(d->u.dict.e[i].key, d->u.dict.e[i].klen)) != 0)
            ippc_value_destroy(&out);
    return out;
}

/* Rows [lo, hi) along the first axis, over the same memory. */
static ippc_value_t *slice_rows(const ippc_value_t *a, size_t lo, size_t hi)
{
    size_t shape[IPPC_NDARRAY_MAX_DIMS], count;
    memcpy(shape, a->u.nd.shape, a->u.nd.ndim * sizeof(size_t));
    shape[0] = 1;
    ippc_shape_count(a->u.nd.ndim, shape, &count); /* cannot overflow: the array exists */
    size_t row = count * a->u.nd.itemsize;
    shape[0] = hi - lo;
    ippc_blob_t *b = blob_slice(a->u.nd.data, lo * row, (hi - lo) * row);
    ippc_value_t *out = b ? ippc_value_new_ndarray_blob(a->u.nd.dtype, a->u.nd.ndim, shape, b, NULL) : NULL;
    ippc_blob_destroy(&b);
    return out;
}

/* a[i] of an array with two or more dimensions: a row with the first axis dropped. */
static ippc_value_t *array_row(const ippc_value_t *a, size_t i)
{
    size_t count;
    ippc_shape_count(a->u.nd.ndim - 1, a->u.nd.shape + 1, &count); /* the array exists: no overflow */
    size_t row = count * a->u.nd.itemsize;
    ippc_blob_t *b = blob_slice(a->u.nd.data, i * row, row);
    ippc_value_t *out = b ? ippc_value_new_ndarray_blob(a->u.nd.dtype, a->u.nd.ndim - 1, a->u.nd.shape + 1, b, NULL)
                          : NULL;
    ippc_blob_destroy(&b);
    return out;
}

/* Python's len(seq) for the types scatter accepts; -1 (with the error) otherwise. */
static int scatter_len(const ippc_value_t *seq, size_t *n, ippc_error_t **err)
{
    switch (seq ? seq->type : IPPC_T_NONE) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
    case IPPC_T_DICT:
    case IPPC_T_RANGE:
    case IPPC_T_BYTES:
        *n = ippc_value_len(seq);
        return 0;
    case IPPC_T_STR:
        *n = ippc_utf8_count(seq->u.str.s, seq->u.str.len);
        return 0;
    case IPPC_T_NDARRAY:
        if (seq->u.nd.ndim == 0)
            return ippc_error_set(err, IPPC_E_INVALID, "cannot scatter a 0-d ndarray: len() of unsized object");
        *n = seq->u.nd.shape[0];
        return 0;
    default:
        return ippc_error_set(err, IPPC_E_INVALID, "cannot scatter: object of type '%s' has no len()",
                              seq ? (seq->type == IPPC_T_PYOBJ ? seq->u.py.type : ippc_type_name(seq->type))
                                  : "NULL");
    }
}

ippc_value_t *ippc_value_partition(const ippc_value_t *seq, size_t q, size_t p, ippc_error_t **err)
{
    size_t n, lo, hi;
    if (scatter_len(seq, &n, err) != 0)
        return NULL;
    if (ippc_partition(n, q, p, &lo, &hi) != 0) {
        ippc_error_set(err, IPPC_E_INVALID, "must have 0 <= p < q, but have p=%zu, q=%zu", p, q);
        return NULL;
    }
    ippc_value_t *out;
    switch (seq->type) {
    case IPPC_T_RANGE:
        out = slice_range(seq, lo, hi);
        break;
    case IPPC_T_STR:
        out = slice_str(seq, lo, hi);
        break;
    case IPPC_T_BYTES:
        out = slice_bytes(seq, lo, hi);
        break;
    case IPPC_T_DICT:
        out = slice_dict_keys(seq, lo, hi);
        break;
    case IPPC_T_NDARRAY:
        out = slice_rows(seq, lo, hi);
        break;
    default:
        out = slice_seq(seq, lo, hi);
        break;
    }
    return out ? out : nomem(err);
}

/* ----------------------------------------------------------------- gather */

/* Element i of a 1-D array as the Python scalar list(chain(...)) would give
 * (numpy scalars print like ints, floats and bools). */
static ippc_value_t *array_scalar(const ippc_value_t *a, size_t i, ippc_error_t **err)
{
    ippc_elem_t e = ippc_ndarray_elem(a, i);
    switch (a->u.nd.dtype[1]) {
    case 'b':
        return ippc_value_new_bool(e.u != 0);
    case 'i':
        return ippc_value_new_int(e.i);
    case 'u':
        if (e.u > INT64_MAX) {
            ippc_error_set(err, IPPC_E_INVALID, "cannot gather uint64 value %llu as an int64",
                           (unsigned long long)e.u);
            return NULL;
        }
        return ippc_value_new_int((int64_t)e.u);
    case 'f':
        return ippc_value_new_float((double)e.re);
    default:
        ippc_error_set(err, IPPC_E_INVALID, "cannot gather complex array items into a list");
        return NULL;
    }
}

/* Item i of an iterable part, as Python's iteration yields it. */
static ippc_value_t *iter_item(const ippc_value_t *part, size_t i, ippc_error_t **err)
{
    switch (part->type) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
        return ippc_value_copy(part->u.seq.items[i]);
    case IPPC_T_RANGE:
        return ippc_value_new_int(range_at(part->u.range.start, part->u.range.step, i));
    case IPPC_T_STR:
        return slice_str(part, i, i + 1);
    case IPPC_T_BYTES:
        return ippc_value_new_int(((const unsigned char *)ippc_blob_data(part->u.bytes))[i]);
    case IPPC_T_DICT:
        return ippc_value_new_strn(part->u.dict.e[i].key, part->u.dict.e[i].klen);
    default: /* ndarray: scalars of a 1-D array, else rows */
        return part->u.nd.ndim == 1 ? array_scalar(part, i, err) : array_row(part, i);
    }
}

/* list(chain.from_iterable(parts)) */
static ippc_value_t *chain_parts(const ippc_value_t *parts, ippc_error_t **err)
{
    ippc_value_t *out = ippc_value_new_list();
    if (!out)
        return nomem(err);
    for (size_t k = 0; k < parts->u.seq.n; k++) {
        const ippc_value_t *part = parts->u.seq.items[k];
        size_t n;
        if (scatter_len(part, &n, NULL) != 0) {
            ippc_value_destroy(&out);
            ippc_error_set(err, IPPC_E_INVALID, "cannot gather part %zu: '%s' object is not iterable", k,
                           ippc_type_name(part->type));
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            ippc_value_t *item = iter_item(part, i, err);
            if (!item || ippc_value_append(out, item) != 0) {
                nomem(err); /* a no-op when iter_item already said why */
                ippc_value_destroy(&out);
                return NULL;
            }
        }
    }
    return out;
}

/* numpy.concatenate(parts) along axis 0: same dtype, same trailing shape. */
static int check_concat(const ippc_value_t *first, const ippc_value_t *part, size_t k, ippc_error_t **err)
{
    if (part->type != IPPC_T_NDARRAY)
        return ippc_error_set(err, IPPC_E_INVALID, "cannot concatenate part %zu: a %s after an ndarray", k,
                              ippc_type_name(part->type));
    if (part->u.nd.ndim == 0)
        return ippc_error_set(err, IPPC_E_INVALID, "zero-dimensional arrays cannot be concatenated (part %zu)", k);
    if (strcmp(part->u.nd.dtype, first->u.nd.dtype) != 0)
        return ippc_error_set(err, IPPC_E_INVALID, "cannot concatenate part %zu: dtype %s differs from %s", k,
                              part->u.nd.dtype, first->u.nd.dtype);
    if (part->u.nd.ndim != first->u.nd.ndim ||
        memcmp(part->u.nd.shape + 1, first->u.nd.shape + 1, (part->u.nd.ndim - 1) * sizeof(size_t)) != 0)
        return ippc_error_set(err, IPPC_E_INVALID,
                              "cannot concatenate part %zu: all the dimensions except the first must match", k);
    return 0;
}

static ippc_value_t *concat_arrays(const ippc_value_t *parts, ippc_error_t **err)
{
    const ippc_value_t *first = parts->u.seq.items[0];
    size_t rows = 0, nbytes = 0;
    for (size_t k = 0; k < parts->u.seq.n; k++) {
        const ippc_value_t *part = parts->u.seq.items[k];
        if (check_concat(first, part, k, err) != 0)
            return NULL;
        rows += part->u.nd.shape[0];
        nbytes += ippc_blob_size(part->u.nd.data);
    }
    ippc_blob_t *b = ippc_blob_new(nbytes);
    if (!b)
        return nomem(err);
    size_t off = 0;
    for (size_t k = 0; k < parts->u.seq.n; k++) {
        const ippc_blob_t *src = parts->u.seq.items[k]->u.nd.data;
        if (ippc_blob_size(src))
            memcpy((char *)ippc_blob_data(b) + off, ippc_blob_data(src), ippc_blob_size(src));
        off += ippc_blob_size(src);
    }
    size_t shape[IPPC_NDARRAY_MAX_DIMS];
    memcpy(shape, first->u.nd.shape, first->u.nd.ndim * sizeof(size_t));
    shape[0] = rows;
    ippc_value_t *out = ippc_value_new_ndarray_blob(first->u.nd.dtype, first->u.nd.ndim, shape, b, err);
    ippc_blob_destroy(&b);
    return out;
}

ippc_value_t *ippc_value_concat(const ippc_value_t *parts, ippc_error_t **err)
{
    if (!parts || (parts->type != IPPC_T_LIST && parts->type != IPPC_T_TUPLE)) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_value_concat: parts must be a list");
        return NULL;
    }
    if (parts->u.seq.n == 0) { /* stock: IndexError on listOfPartitions[0] */
        ippc_error_set(err, IPPC_E_INVALID, "nothing to gather: no parts");
        return NULL;
    }
    const ippc_value_t *first = parts->u.seq.items[0];
    if (first->type == IPPC_T_NDARRAY) {
        if (first->u.nd.ndim == 0) {
            ippc_error_set(err, IPPC_E_INVALID, "zero-dimensional arrays cannot be concatenated (part 0)");
            return NULL;
        }
        return concat_arrays(parts, err);
    }
    if (first->type == IPPC_T_LIST || first->type == IPPC_T_TUPLE)
        return chain_parts(parts, err);
    /* scalars, ranges, strs, dicts ...: stock returns the list of parts unchanged */
    ippc_value_t *out = ippc_value_new_list();
    for (size_t k = 0; out && k < parts->u.seq.n; k++)
        if (ippc_value_append(out, ippc_value_copy(parts->u.seq.items[k])) != 0)
            ippc_value_destroy(&out);
    return out ? out : nomem(err);
}
