/* jscan.h - read a few members of a JSON object's text without building the object
 * (internal to libippc-core).
 *
 * The controller's relays and the client's receiver need two or three strings of each
 * message (the header's msg_id, the parent's msg_id, an iopub message's type): parsing
 * the whole part into a jansson tree costs dozens of allocations per message, a scan
 * costs none. The scan checks
 * the whole text against the JSON grammar (RFC 8259), so what passes is an object
 * jansson would read too, except that strings are checked for UTF-8 only where their
 * value is taken. */
#ifndef IPPC_JSCAN_H
#define IPPC_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Containers nest at most this deep (deeper text is refused). */
#define IPPC_JSCAN_MAX_DEPTH 512

/* A value's text within the scanned text (p NULL: the member is absent). */
typedef struct {
    const char *p;
    size_t len;
} ippc_jspan_t;

/* Check that text[0..len) is one JSON object (whitespace around it allowed) and find
 * the top-level members keys[0..nkeys): vals[i] is the value of keys[i] (the last one
 * when a key repeats, as jansson and Python keep), or {NULL, 0}. Keys are compared
 * byte for byte with the member names as written, so a name spelled with escapes does
 * not match (our keys are plain ASCII; a peer writing "msg\u005fid" is odd, not
 * hostile). Returns 0, or -1 when the text is not a JSON object. */
int ippc_jscan_object(const char *text, size_t len, const char *const *keys, ippc_jspan_t *vals, size_t nkeys);

/* The value of a string span from ippc_jscan_object, unescaped into out[0..cap) and
 * NUL-terminated. Returns its length, or -1 when the span is absent or not a string,
 * when the value does not fit, holds a NUL, or is not valid UTF-8. */
long ippc_jscan_string(ippc_jspan_t v, char *out, size_t cap);

#endif
