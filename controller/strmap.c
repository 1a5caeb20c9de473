/* strmap.c - seeded hash table from byte strings to pointers (see strmap.h). */
#include "config.h"

#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key; /* NULL: empty slot */
    size_t len;
    bool owned;      /* the table's copy, freed with the slot */
    uint64_t hash;
    void *value;
} slot_t;

struct ippc_strmap {
    slot_t *slots;
    size_t cap; /* a power of two */
    size_t count;
};

static uint64_t sip_k0 = 0x736f6d6570736575ULL, sip_k1 = 0x646f72616e646f6dULL;

void ippc_strmap_seed(const unsigned char key[16])
{
    memcpy(&sip_k0, key, 8);
    memcpy(&sip_k1, key + 8, 8);
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
    do {                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                  \
    } while (0)

/* SipHash-1-3: enough for hash-flooding resistance in a table, and fast on short keys. */
static uint64_t siphash13(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t v0 = 0x736f6d6570736575ULL ^ sip_k0, v1 = 0x646f72616e646f6dULL ^ sip_k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ sip_k0, v3 = 0x7465646279746573ULL ^ sip_k1;
    size_t left = len;
    while (left >= 8) {
        uint64_t m;
        memcpy(&m, p, 8);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
        p += 8;
        left -= 8;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < left; i++)
        b |= (uint64_t)p[i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

ippc_strmap_t *ippc_strmap_new(void)
{
    ippc_strmap_t *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = 16;
    m->slots = calloc(m->cap, sizeof(slot_t));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void ippc_strmap_destroy(ippc_strmap_t **pm)
{
    ippc_strmap_t *m = pm ? *pm : NULL;
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].owned)
            free((char *)m->slots[i].key);
    free(m->slots);
    free(m);
    *pm = NULL;
}

size_t ippc_strmap_count(const ippc_strmap_t *m) { return m->count; }

static size_t find_slot(const ippc_strmap_t *m, const void *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const slot_t *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && (len == 0 || memcmp(s->key, key, len) == 0)))
            return i;
    }
}

void *ippc_strmap_get(const ippc_strmap_t *m, const void *key, size_t len)
{
    const slot_t *s = &m->slots[find_slot(m, key, len, siphash13(key, len))];
    return s->key ? s->value : NULL;
}

static int grow(ippc_strmap_t *m)
{
    size_t ncap = m->cap * 2;
    slot_t *ns = calloc(ncap, sizeof(slot_t));
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        slot_t *s = &m->slots[i];
        if (!s->key)
            continue;
        size_t j = s->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

static int put(ippc_strmap_t *m, const void *key, size_t len, void *value, bool copy)
{
    /* keep the load under 1/2 so probe runs stay short */
    if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
        return -1;
    uint64_t h = siphash13(key, len);
    slot_t *s = &m->slots[find_slot(m, key, len, h)];
    if (s->key) {
        s->value = value;
        if (!copy) { /* the new value holds the key now; the old one may go away */
            if (s->owned)
                free((char *)s->key);
            s->key = key;
            s->owned = false;
        }
        return 0;
    }
    if (copy) {
        char *k = malloc(len + 1);
        if (!k)
            return -1;
        if (len)
            memcpy(k, key, len);
        k[len] = '\0';
        s->key = k;
    } else {
        s->key = key;
    }
    s->owned = copy;
    s->len = len;
    s->hash = h;
    s->value = value;
    m->count++;
    return 0;
}

int ippc_strmap_put(ippc_strmap_t *m, const void *key, size_t len, void *value)
{
    return put(m, key, len, value, true);
}

int ippc_strmap_put_ref(ippc_strmap_t *m, const void *key, size_t len, void *value)
{
    return put(m, key, len, value, false);
}

void *ippc_strmap_remove(ippc_strmap_t *m, const void *key, size_t len)
{
    size_t mask = m->cap - 1;
    size_t i = find_slot(m, key, len, siphash13(key, len));
    if (!m->slots[i].key)
        return NULL;
    void *value = m->slots[i].value;
    if (m->slots[i].owned)
        free((char *)m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* Backward-shift: move later entries of the probe run into the hole so lookups
     * never stop early at it (no tombstones to accumulate). */
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        /* the entry at j may move to i if i lies cyclically within [home, j) */
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    return value;
}

bool ippc_strmap_next(const ippc_strmap_t *m, size_t *pos, const char **key, size_t *len, void **value)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (m->slots[i].key) {
            if (key)
                *key = m->slots[i].key;
            if (len)
                *len = m->slots[i].len;
            if (value)
                *value = m->slots[i].value;
            *pos = i + 1;
            return true;
        }
    }
    *pos = m->cap;
    return false;
}
