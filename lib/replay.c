/* replay.c - bounded FIFO history of message signatures (see replay.h).
 *
 * Signatures live in a ring buffer in arrival order; when it is full the oldest one is
 * overwritten. An open-addressing (linear probing) table maps signatures to ring slots.
 * It is sized to at least twice the capacity, so probes stay short, and entries are
 * deleted by backward shifting (no tombstones), so a long-running session never
 * degrades. Every operation is O(1) expected. */
#include "config.h"

#include "replay.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Ring slots are stored in the table as slot + 1 (0 = empty), in 32 bits. */
#define REPLAY_MAX_CAPACITY ((size_t)1 << 30)

struct ippc_replay {
    unsigned char (*ring)[IPPC_HMAC_LEN];
    size_t capacity;
    size_t head;  /* ring slot of the oldest signature */
    size_t count; /* signatures held */
    uint32_t *table;
    size_t mask; /* table size - 1 (a power of two) */
    uint64_t seed;
};

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Signatures that pass verification are HMAC outputs and so already uniform, but the
 * history does not know where its input came from: mixing in a random per-history
 * seed (splitmix64 finalizer) keeps chosen inputs from piling up in one probe run. */
static size_t sig_hash(const ippc_replay_t *r, const unsigned char *sig)
{
    uint64_t h = r->seed ^ load64(sig) ^ (load64(sig + 8) * 0x9e3779b97f4a7c15ULL) ^
                 load64(sig + 16) ^ (load64(sig + 24) * 0xc2b2ae3d27d4eb4fULL);
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (size_t)h & r->mask;
}

ippc_replay_t *ippc_replay_new(size_t capacity)
{
    if (capacity == 0)
        capacity = IPPC_REPLAY_DEFAULT_CAPACITY;
    if (capacity > REPLAY_MAX_CAPACITY)
        return NULL;
    ippc_replay_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    size_t size = 2;
    while (size < 2 * capacity)
        size *= 2;
    r->capacity = capacity;
    r->mask = size - 1;
    r->ring = malloc(capacity * sizeof(*r->ring));
    r->table = calloc(size, sizeof(*r->table));
    if (!r->ring || !r->table || ippc_random_bytes(&r->seed, sizeof r->seed) != 0) {
        ippc_replay_destroy(&r);
        return NULL;
    }
    return r;
}

void ippc_replay_destroy(ippc_replay_t **rp)
{
    if (!rp || !*rp)
        return;
    free((*rp)->ring);
    free((*rp)->table);
    free(*rp);
    *rp = NULL;
}

size_t ippc_replay_count(const ippc_replay_t *r) { return r ? r->count : 0; }

/* The table index holding sig, or of the empty entry that ends its probe run. */
static size_t find(const ippc_replay_t *r, const unsigned char *sig)
{
    size_t i = sig_hash(r, sig);
    while (r->table[i] && memcmp(r->ring[r->table[i] - 1], sig, IPPC_HMAC_LEN) != 0)
        i = (i + 1) & r->mask;
    return i;
}

/* Whether home position k lies cyclically in (i, j]: then an entry found at j may not
 * move back to i, because a lookup starting at k would no longer pass over it. */
static int between(size_t i, size_t k, size_t j)
{
    return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

/* Remove the table entry at i and close the gap by shifting later entries of the same
 * probe run back (Knuth's algorithm R for linear probing). */
static void remove_at(ippc_replay_t *r, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & r->mask;
        if (!r->table[j])
            break;
        size_t k = sig_hash(r, r->ring[r->table[j] - 1]);
        if (between(i, k, j))
            continue;
        r->table[i] = r->table[j];
        i = j;
    }
    r->table[i] = 0;
}

/* Forget the oldest signature to free its ring slot. */
static void evict_oldest(ippc_replay_t *r)
{
    size_t i = find(r, r->ring[r->head]);
    remove_at(r, i);
    r->head = (r->head + 1) % r->capacity;
    r->count--;
}

bool ippc_replay_check_and_add(ippc_replay_t *r, const unsigned char sig[IPPC_HMAC_LEN])
{
    size_t i = find(r, sig);
    if (r->table[i])
        return false;
    if (r->count == r->capacity) {
        evict_oldest(r);
        i = find(r, sig); /* the shift may have moved the empty end of sig's run */
    }
    size_t slot = (r->head + r->count) % r->capacity;
    memcpy(r->ring[slot], sig, IPPC_HMAC_LEN);
    r->table[i] = (uint32_t)(slot + 1);
    r->count++;
    return true;
}
