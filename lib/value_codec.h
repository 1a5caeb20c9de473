/* value_codec.h - the native encoding of ippc values between the C client and engines:
 * a JSON description (in message content) plus buffer frames for byte payloads.
 *
 *   None → null     bool → true/false    int → integer     float → real, or
 *   {"@": "float", "v": "nan"|"inf"|"-inf"}    str → string (UTF-8; with NUL: {"@":"str","buf":i})
 *   list → [..]     tuple → {"@": "tuple", "items": [..]}
 *   dict → {"@": "dict", "items": [[key, value], ...]}       (insertion order kept)
 *   bytes → {"@": "bytes", "buf": i}
 *   ndarray → {"@": "ndarray", "dtype": "<f8", "shape": [..], "buf": i}
 *   range → {"@": "range", "start": a, "stop": b, "step": c}
 *   pyobj → {"@": "pyobj", "type": "mod.Class", "repr": "...", "buf": i}   (pickle bytes)
 *
 * Buffers are blobs: encoding takes references to the value's memory (no copy) and
 * decoding keeps references to the received frames (no copy for bytes and arrays). */
#ifndef IPPC_VALUE_CODEC_H
#define IPPC_VALUE_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "blob.h"
#include "ippc.h"

#define IPPC_VALUE_MAX_DEPTH 256

typedef struct {
    ippc_blob_t **items;
    size_t n, cap;
} ippc_bloblist_t;

void ippc_bloblist_init(ippc_bloblist_t *l);
int ippc_bloblist_push(ippc_bloblist_t *l, ippc_blob_t *b); /* takes a reference */
void ippc_bloblist_clear(ippc_bloblist_t *l);               /* drops all references */

/* Encode v; buffers are appended to bufs (their indices count from bufs->n at the call). */
json_t *ippc_value_encode(const ippc_value_t *v, ippc_bloblist_t *bufs, ippc_error_t **err);
/* Decode a description with its buffers. Hostile input gives IPPC_E_PARSE naming the
 * problem (unknown tag, bad buffer index, shape that does not match the buffer size,
 * depth over IPPC_VALUE_MAX_DEPTH, invalid dtype, ...). */
ippc_value_t *ippc_value_decode(const json_t *desc, ippc_blob_t *const *bufs, size_t nbufs,
                                ippc_error_t **err);

#endif
