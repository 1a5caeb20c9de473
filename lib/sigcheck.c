/* sigcheck.c - HMAC-SHA256 with precomputed pads and the SHA instructions (see sigcheck.h). */
#include "config.h"

#include "sigcheck.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SHA_NI_CODE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#define BLOCK 64

struct ippc_sigcheck {
    unsigned char *key;
    size_t keylen;
    bool fast;
    uint32_t inner[8], outer[8]; /* SHA-256 states after the key's ipad / opad block */
};

static const uint32_t sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#ifdef HAVE_SHA_NI_CODE
static const uint32_t K256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* SHA-256 compression of nblocks 64-byte blocks with SHA256RNDS2/MSG1/MSG2. The state
 * lives in two registers as ABEF and CDGH, the order the instructions want. */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress(uint32_t state[8], const unsigned char *data,
                                                                 size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xb1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1b);  /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                                          /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xf0);                                               /* CDGH */
    for (; nblocks; nblocks--, data += BLOCK) {
        __m128i save0 = s0, save1 = s1, w[16];
        for (int i = 0; i < 16; i++) {
            if (i < 4) {
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), bswap);
            } else {
                /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four words at a time */
                __m128i x = _mm_sha256msg1_epu32(w[i - 4], w[i - 3]);
                x = _mm_add_epi32(x, _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
                w[i] = _mm_sha256msg2_epu32(x, w[i - 1]);
            }
            __m128i m = _mm_add_epi32(w[i], _mm_load_si128((const __m128i *)&K256[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0e));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1b); /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xb1);  /* DCHG */
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(tmp, s1, 0xf0)); /* DCBA */
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(s1, tmp, 8));   /* HGFE */
}

static bool cpu_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    return (b & bit_SHA) != 0;
}
#else
static void compress(uint32_t state[8], const unsigned char *data, size_t nblocks)
{
    (void)state, (void)data, (void)nblocks;
}
static bool cpu_has_sha(void) { return false; }
#endif

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Finish a hash whose input is `total` bytes, of which all but the n bytes of `tail`
 * (less than a block) went into state: pad with 0x80, zeros and the bit length. */
static void finish(uint32_t state[8], const unsigned char *tail, size_t n, uint64_t total, unsigned char out[32])
{
    unsigned char last[2 * BLOCK];
    memcpy(last, tail, n);
    last[n] = 0x80;
    size_t len = n + 1 + 8 <= BLOCK ? BLOCK : 2 * BLOCK;
    memset(last + n + 1, 0, len - n - 1);
    uint64_t bits = total * 8;
    for (int i = 0; i < 8; i++)
        last[len - 1 - i] = (unsigned char)(bits >> (8 * i));
    compress(state, last, len / BLOCK);
    for (int i = 0; i < 8; i++)
        put_be32(out + 4 * i, state[i]);
}

static int fast_mac(const ippc_sigcheck_t *c, const ippc_iovec_t *parts, size_t nparts, unsigned char out[32])
{
    uint32_t st[8];
    unsigned char buf[BLOCK];
    size_t fill = 0;
    uint64_t total = BLOCK; /* the ipad block */
    memcpy(st, c->inner, sizeof(st));
    for (size_t i = 0; i < nparts; i++) {
        const unsigned char *p = parts[i].data;
        size_t n = parts[i].len;
        total += n;
        if (fill) {
            size_t take = BLOCK - fill < n ? BLOCK - fill : n;
            memcpy(buf + fill, p, take);
            fill += take, p += take, n -= take;
            if (fill < BLOCK)
                continue;
            compress(st, buf, 1);
            fill = 0;
        }
        if (n >= BLOCK) {
            compress(st, p, n / BLOCK);
            p += n - n % BLOCK;
            n %= BLOCK;
        }
        memcpy(buf, p, n);
        fill = n;
    }
    unsigned char inner[32];
    finish(st, buf, fill, total, inner);
    memcpy(st, c->outer, sizeof(st));
    finish(st, inner, sizeof(inner), BLOCK + sizeof(inner), out);
    return 0;
}

int ippc_sigcheck_mac(const ippc_sigcheck_t *c, const ippc_iovec_t *parts, size_t nparts,
                      unsigned char out[IPPC_HMAC_LEN])
{
    if (c->fast)
        return fast_mac(c, parts, nparts, out);
    return ippc_hmac_sha256(c->key, c->keylen, parts, nparts, out);
}

bool ippc_sigcheck_accelerated(const ippc_sigcheck_t *c) { return c->fast; }

/* The states after one block of key ^ pad. */
static void pad_state(const ippc_sigcheck_t *c, unsigned char pad, uint32_t state[8])
{
    unsigned char block[BLOCK];
    memset(block, pad, sizeof(block));
    for (size_t i = 0; i < c->keylen; i++)
        block[i] ^= c->key[i];
    memcpy(state, sha256_iv, sizeof(sha256_iv));
    compress(state, block, 1);
    explicit_bzero(block, sizeof(block));
}

/* The fast path against lib's HMAC, on lengths around the block boundaries and split
 * across parts in several ways. */
static bool self_test(const ippc_sigcheck_t *c)
{
    unsigned char msg[300];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (unsigned char)(i * 7 + 3);
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200, 300};
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        size_t n = lens[k], a = n / 3, b = n / 2;
        ippc_iovec_t parts[4] = {{msg, a}, {msg + a, b - a}, {msg + b, 0}, {msg + b, n - b}};
        unsigned char want[32], got[32];
        if (ippc_hmac_sha256(c->key, c->keylen, parts, 4, want) < 0 || fast_mac(c, parts, 4, got) < 0 ||
            memcmp(want, got, sizeof(want)) != 0)
            return false;
    }
    return true;
}

ippc_sigcheck_t *ippc_sigcheck_new(const void *key, size_t keylen)
{
    ippc_sigcheck_t *c = calloc(1, sizeof(*c));
    if (!c || !(c->key = malloc(keylen ? keylen : 1))) {
        free(c);
        return NULL;
    }
    if (keylen)
        memcpy(c->key, key, keylen);
    c->keylen = keylen;
    /* Keys longer than a block would be hashed first (RFC 2104): lib handles those. */
    if (keylen <= BLOCK && cpu_has_sha()) {
        pad_state(c, 0x36, c->inner);
        pad_state(c, 0x5c, c->outer);
        c->fast = self_test(c);
        if (!c->fast)
            ippc_log(IPPC_LOG_WARNING, "the SHA-256 instructions disagree with the HMAC library; "
                              "signatures are made and checked without them");
    }
    return c;
}

void ippc_sigcheck_destroy(ippc_sigcheck_t **pc)
{
    ippc_sigcheck_t *c = pc ? *pc : NULL;
    if (!c)
        return;
    unsigned char *key = c->key;
    explicit_bzero(key, c->keylen);
    explicit_bzero(c, sizeof(*c)); /* the pad states are as good as the key */
    free(key);
    free(c);
    *pc = NULL;
}
