/* crypto.h - HMAC-SHA256 (libsodium or libcrypto), random bytes, uuid4 and hex. */
#ifndef IPPC_CRYPTO_H
#define IPPC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define IPPC_HMAC_LEN 32
#define IPPC_UUID_LEN 36 /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" without the NUL */

typedef struct {
    const void *data;
    size_t len;
} ippc_iovec_t;

/* HMAC-SHA256 of the concatenation of parts under key. Returns 0 / -1. */
int ippc_hmac_sha256(const void *key, size_t keylen, const ippc_iovec_t *parts, size_t nparts,
                     unsigned char out[IPPC_HMAC_LEN]);
/* Lowercase hex of len bytes into out (2*len+1 bytes with the NUL). */
void ippc_hex(const unsigned char *in, size_t len, char *out);
/* Parse exactly 2*len lowercase-or-uppercase hex chars; returns 0 / -1. */
int ippc_unhex(const char *in, size_t inlen, unsigned char *out, size_t len);
/* Constant-time equality of two byte strings of the same length. */
bool ippc_memeq_ct(const void *a, const void *b, size_t len);
/* Cryptographically random bytes. Returns 0 / -1. */
int ippc_random_bytes(void *out, size_t len);
/* A random (version 4) UUID as text into out[IPPC_UUID_LEN + 1]. Returns 0 / -1. */
int ippc_uuid4(char out[IPPC_UUID_LEN + 1]);

#endif
