/* sigcheck.h - the HMAC-SHA256 of messages, cheaply (internal to libippc-core).
 *
 * Every message a session sends or receives is signed or checked (and every message
 * through the controller's relays), so the MAC is a large part of a message's cost:
 * here the key's inner and outer pads are hashed once (not twice per message), and on
 * CPUs with the SHA extensions the blocks go through those instructions (several times
 * faster than the portable code of libsodium). Elsewhere, and for keys longer than a
 * SHA-256 block, lib's ippc_hmac_sha256 does the work. The fast path checks itself
 * against lib's HMAC when it is set up and is not used if they disagree. */
#ifndef IPPC_SIGCHECK_H
#define IPPC_SIGCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"

typedef struct ippc_sigcheck ippc_sigcheck_t;

/* NULL when out of memory. The key is copied (an empty key signs nothing). */
ippc_sigcheck_t *ippc_sigcheck_new(const void *key, size_t keylen);
void ippc_sigcheck_destroy(ippc_sigcheck_t **c);
/* Whether the SHA instructions are used (for the log). */
bool ippc_sigcheck_accelerated(const ippc_sigcheck_t *c);
/* HMAC-SHA256 of the concatenated parts. Returns 0 / -1. */
int ippc_sigcheck_mac(const ippc_sigcheck_t *c, const ippc_iovec_t *parts, size_t nparts,
                      unsigned char out[IPPC_HMAC_LEN]);

#endif
