/* value_codec.h - the native encoding of ippc values between the C client and engines:
 * a JSON description (in message content) plus buffer frames for byte payloads.
 *
 *   None → null     bool → true/false    int → integer     float → real (always written
 *   with a '.' or exponent, so 1.0 stays a float), or {"@": "float", "v": "nan"|"inf"|"-inf"}
 *   str → string (UTF-8; a str holding NUL: {"@": "str", "buf": i}, the UTF-8 bytes in buffer i)
 *   list → [..]     tuple → {"@": "tuple", "items": [..]}
 *   list of IPPC_PACKED_MIN or more items, all int or all float → {"@": "list", "dtype":
 *          "<i8" | "<f8", "buf": i}: the items as little-endian int64 / float64 in buffer i
 *          (packed: a million numbers cost one frame, not a million JSON numbers to write
 *          and parse; nan and infinities need no tags). Shorter and mixed lists stay JSON
 *          arrays, and decoders take both forms.
 *   dict → {"@": "dict", "items": [[key, value], ...]}       (insertion order kept; keys are
 *          strings; a repeated key replaces the value at its first position, as in Python)
 *   bytes → {"@": "bytes", "buf": i}
 *   ndarray → {"@": "ndarray", "dtype": "<f8", "shape": [..], "buf": i}   (C order; dtype as
 *          numpy's dtype.str; shape [] for 0-d; buffer size must be prod(shape) * itemsize)
 *   range → {"@": "range", "start": a, "stop": b, "step": c}              (step != 0)
 *   pyobj → {"@": "pyobj", "type": "mod.Class", "repr": "...", "buf": i}   (pickle bytes)
 *
 * Every JSON object is tagged with "@"; an object may hold only the fields its tag lists
 * (anything else means the two sides disagree about the format and is an error).
 * Buffer indices count from 0 for the first buffer of the value being encoded.
 *
 * Buffers are blobs: encoding takes references to the value's memory (no copy) and
 * decoding keeps references to the received frames (no copy for bytes and arrays). */
#ifndef IPPC_VALUE_CODEC_H
#define IPPC_VALUE_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "blob.h"
#include "ippc.h"

/* At most this many containers (list, tuple, dict) nest in a value that is encoded,
 * decoded or parsed: hostile input must not exhaust the stack. */
#define IPPC_VALUE_MAX_DEPTH 256
/* Lists of at least this many ints (or floats) are encoded packed. */
#define IPPC_PACKED_MIN 16

typedef struct {
    ippc_blob_t **items;
    size_t n, cap;
} ippc_bloblist_t;

void ippc_bloblist_init(ippc_bloblist_t *l);
/* Append b; the list takes a reference of its own (the caller keeps its one). 0 / -1. */
int ippc_bloblist_push(ippc_bloblist_t *l, ippc_blob_t *b);
void ippc_bloblist_clear(ippc_bloblist_t *l);               /* drops all references */

/* Encode v; its buffers are appended to bufs, and "buf" indices in the description
 * count from bufs->n at the call (so other frames may come first: decode with
 * bufs->items + that count). On failure (IPPC_E_INVALID for more than
 * IPPC_VALUE_MAX_DEPTH nested containers, IPPC_E_NOMEM) bufs is left as it was. */
json_t *ippc_value_encode(const ippc_value_t *v, ippc_bloblist_t *bufs, ippc_error_t **err);
/* Decode a description with its buffers. Hostile input gives IPPC_E_PARSE "invalid value
 * description at $.items[2][1]: <problem>", naming where and what: unknown tag, missing
 * or unexpected field, field of the wrong JSON type, bad buffer index, shape that does
 * not match the buffer size, negative dimension, invalid dtype, more than
 * IPPC_VALUE_MAX_DEPTH nested containers, non-string dict key, invalid UTF-8. */
ippc_value_t *ippc_value_decode(const json_t *desc, ippc_blob_t *const *bufs, size_t nbufs,
                                ippc_error_t **err);

#endif
