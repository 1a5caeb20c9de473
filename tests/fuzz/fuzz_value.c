/* fuzz_value.c - the value decoder and the literal parser on hostile input.
 *
 * Input layout: a JSON description, a NUL byte, then buffer frames, each one length
 * byte followed by that many bytes (the last may be short). The description is
 * decoded with its frames; a decoded value is printed, encoded and decoded again
 * (it must come back equal) and split and joined as scatter/gather do. The whole
 * input, as NUL-terminated text, also goes through ippc_value_parse; a parsed value
 * must survive repr -> parse unchanged (unless it holds inf/nan, which Python cannot
 * write as literals either). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"
#include "value_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_corpus_name = "value";

#define MAX_FRAMES 16

/* Split what follows the description into frames. */
static size_t split_frames(const uint8_t *p, size_t n, ippc_blob_t **frames)
{
    size_t count = 0;
    while (n > 0 && count < MAX_FRAMES) {
        size_t len = p[0] < n - 1 ? p[0] : n - 1;
        frames[count++] = ippc_blob_copy(p + 1, len);
        p += 1 + len;
        n -= 1 + len;
    }
    return count;
}

static bool has_nonfinite(const ippc_value_t *v)
{
    switch (ippc_value_type(v)) {
    case IPPC_T_FLOAT:
        return !isfinite(ippc_value_float(v));
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
    case IPPC_T_DICT:
        for (size_t i = 0; i < ippc_value_len(v); i++)
            if (has_nonfinite(ippc_value_item(v, i)))
                return true;
        return false;
    default:
        return false;
    }
}

/* Encoding a decoded value and decoding it again gives an equal value. */
static void check_reencode(const ippc_value_t *v)
{
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    json_t *j = ippc_value_encode(v, &bufs, NULL);
    if (!j)
        abort(); /* everything decodable is encodable */
    ippc_value_t *back = ippc_value_decode(j, bufs.items, bufs.n, NULL);
    if (!back || !ippc_value_equal(v, back))
        abort();
    ippc_value_destroy(&back);
    json_decref(j);
    ippc_bloblist_clear(&bufs);
}

/* Scatter into q parts and gather them: lists and arrays come back whole. */
static void check_scatter_gather(const ippc_value_t *v)
{
    for (size_t q = 1; q <= 3; q++) {
        ippc_value_t *parts = ippc_value_new_list();
        for (size_t p = 0; p < q; p++) {
            ippc_value_t *part = ippc_value_partition(v, q, p, NULL);
            if (!part) {
                ippc_value_destroy(&parts);
                return; /* not scatterable */
            }
            free(ippc_value_repr(part));
            ippc_value_append(parts, part);
        }
        ippc_value_t *joined = ippc_value_concat(parts, NULL);
        ippc_type_t t = ippc_value_type(v);
        if ((t == IPPC_T_LIST || t == IPPC_T_NDARRAY) && q == 1 && !ippc_value_equal(joined, v))
            abort();
        ippc_value_destroy(&joined);
        ippc_value_destroy(&parts);
    }
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t jlen = nul ? (size_t)(nul - data) : size;
    ippc_blob_t *frames[MAX_FRAMES];
    size_t nframes = nul ? split_frames(nul + 1, size - jlen - 1, frames) : 0;
    json_error_t jerr;
    json_t *desc = json_loadb((const char *)data, jlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    ippc_error_t *err = NULL;
    ippc_value_t *v = desc ? ippc_value_decode(desc, frames, nframes, &err) : NULL;
    if (v) {
        free(ippc_value_repr(v));
        check_reencode(v);
        check_scatter_gather(v);
    } else if (desc && !err) {
        abort(); /* a failure always says why */
    }
    ippc_value_destroy(&v);
    ippc_error_destroy(&err);
    json_decref(desc);
    for (size_t i = 0; i < nframes; i++)
        ippc_blob_destroy(&frames[i]);
}

static void fuzz_parse(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    ippc_error_t *err = NULL;
    ippc_value_t *v = ippc_value_parse(text, &err);
    if (v) {
        char *r = ippc_value_repr(v);
        if (r && !has_nonfinite(v)) {
            ippc_value_t *back = ippc_value_parse(r, NULL);
            if (!back || !ippc_value_equal(v, back))
                abort(); /* repr must be a literal for the same value */
            ippc_value_destroy(&back);
        }
        free(r);
    } else if (!err) {
        abort();
    }
    ippc_value_destroy(&v);
    ippc_error_destroy(&err);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size);
    fuzz_parse(data, size);
    return 0;
}
