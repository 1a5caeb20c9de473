/* crypto.c - HMAC-SHA256, random bytes, uuid4 and hex (see crypto.h).
 *
 * The primitives come from libsodium when configure found it (IPPC_CRYPTO_SODIUM),
 * else from OpenSSL's libcrypto. Only the backend-specific pieces are #if'd: the
 * HMAC itself, the random source and the constant-time compare. */
#include "config.h"

#include "crypto.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#if defined(IPPC_CRYPTO_SODIUM)
#include <sodium.h>
#include <stdatomic.h>
#else
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <stdatomic.h>
#else
#include <openssl/hmac.h>
#endif
#endif

/* ------------------------------------------------------------------ libsodium */
#if defined(IPPC_CRYPTO_SODIUM)

/* sodium_init() must run before the first use. It is itself thread-safe and
 * idempotent, so racing first callers are harmless; the flag only saves its lock. */
static int crypto_ready(void)
{
    static atomic_int ready;
    if (atomic_load_explicit(&ready, memory_order_acquire))
        return 0;
    if (sodium_init() < 0)
        return -1;
    atomic_store_explicit(&ready, 1, memory_order_release);
    return 0;
}

int ippc_hmac_sha256(const void *key, size_t keylen, const ippc_iovec_t *parts, size_t nparts,
                     unsigned char out[IPPC_HMAC_LEN])
{
    if (crypto_ready() != 0)
        return -1;
    crypto_auth_hmacsha256_state st;
    /* libsodium hashes keys longer than the block size, as RFC 2104 asks. The key is
     * declared nonnull, even when empty. */
    if (crypto_auth_hmacsha256_init(&st, key ? key : (const void *)"", keylen) != 0)
        return -1;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].len && crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len) != 0)
            return -1;
    int rc = crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st); /* the state holds key-derived pads */
    return rc == 0 ? 0 : -1;
}

int ippc_random_bytes(void *out, size_t len)
{
    if (crypto_ready() != 0)
        return -1;
    randombytes_buf(out, len);
    return 0;
}

bool ippc_memeq_ct(const void *a, const void *b, size_t len)
{
    return len == 0 || sodium_memcmp(a, b, len) == 0;
}

/* ------------------------------------------------------- OpenSSL 3 (EVP_MAC) */
#elif OPENSSL_VERSION_NUMBER >= 0x30000000L

/* Fetching the HMAC implementation looks it up in the provider tables: do it once.
 * A racing second fetch is freed and the first one kept. */
static EVP_MAC *hmac_impl(void)
{
    static _Atomic(EVP_MAC *) cached;
    EVP_MAC *mac = atomic_load_explicit(&cached, memory_order_acquire);
    if (mac)
        return mac;
    EVP_MAC *fresh = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!fresh)
        return NULL;
    EVP_MAC *expected = NULL;
    if (!atomic_compare_exchange_strong(&cached, &expected, fresh)) {
        EVP_MAC_free(fresh);
        return expected;
    }
    return fresh;
}

int ippc_hmac_sha256(const void *key, size_t keylen, const ippc_iovec_t *parts, size_t nparts,
                     unsigned char out[IPPC_HMAC_LEN])
{
    EVP_MAC *mac = hmac_impl();
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (!ctx)
        return -1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    /* A NULL key means "keep the previous key" to EVP_MAC_init: pass "" for an empty one. */
    int ok = EVP_MAC_init(ctx, key ? key : (const void *)"", keylen, params);
    for (size_t i = 0; ok && i < nparts; i++)
        if (parts[i].len)
            ok = EVP_MAC_update(ctx, parts[i].data, parts[i].len);
    size_t outlen = 0;
    ok = ok && EVP_MAC_final(ctx, out, &outlen, IPPC_HMAC_LEN) && outlen == IPPC_HMAC_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------ OpenSSL 1.1 (HMAC_CTX) */
#else

int ippc_hmac_sha256(const void *key, size_t keylen, const ippc_iovec_t *parts, size_t nparts,
                     unsigned char out[IPPC_HMAC_LEN])
{
    if (keylen > INT_MAX)
        return -1;
    HMAC_CTX *ctx = HMAC_CTX_new();
    if (!ctx)
        return -1;
    int ok = HMAC_Init_ex(ctx, key ? key : (const void *)"", (int)keylen, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < nparts; i++)
        if (parts[i].len)
            ok = HMAC_Update(ctx, parts[i].data, parts[i].len);
    unsigned int outlen = 0;
    ok = ok && HMAC_Final(ctx, out, &outlen) && outlen == IPPC_HMAC_LEN;
    HMAC_CTX_free(ctx);
    return ok ? 0 : -1;
}

#endif

#if !defined(IPPC_CRYPTO_SODIUM)
int ippc_random_bytes(void *out, size_t len)
{
    /* RAND_bytes takes an int length. */
    unsigned char *p = out;
    while (len) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(p, chunk) != 1)
            return -1;
        p += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

bool ippc_memeq_ct(const void *a, const void *b, size_t len)
{
    return len == 0 || CRYPTO_memcmp(a, b, len) == 0;
}
#endif

/* ------------------------------------------------------------ backend-neutral */

void ippc_hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * len] = '\0';
}

/* Each hex digit's value plus one (0: not a hex digit): a lookup instead of three range
 * tests per character, as every received signature is decoded. */
static const unsigned char hex_value1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int ippc_unhex(const char *in, size_t inlen, unsigned char *out, size_t len)
{
    if (inlen != 2 * len)
        return -1;
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned hi = hex_value1[(unsigned char)in[2 * i]], lo = hex_value1[(unsigned char)in[2 * i + 1]];
        bad |= (hi == 0) | (lo == 0);
        out[i] = (unsigned char)((hi - 1) << 4 | ((lo - 1) & 0xf));
    }
    return bad ? -1 : 0;
}

int ippc_uuid4(char out[IPPC_UUID_LEN + 1])
{
    unsigned char b[16];
    if (ippc_random_bytes(b, sizeof b) != 0)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char hex[33];
    ippc_hex(b, sizeof b, hex);
    snprintf(out, IPPC_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    return 0;
}
