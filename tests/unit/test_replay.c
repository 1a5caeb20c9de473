/* test_replay.c - the signature history: replays found, FIFO forgetting at capacity,
 * and agreement with a naive model under heavy eviction (which exercises deletion from
 * the hash index). */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* A signature made from a number, so tests can name them. */
static void sig_of(uint64_t n, unsigned char sig[IPPC_HMAC_LEN])
{
    memset(sig, 0, IPPC_HMAC_LEN);
    memcpy(sig, &n, sizeof n);
    sig[IPPC_HMAC_LEN - 1] = 0x5a;
}

static bool add(ippc_replay_t *r, uint64_t n)
{
    unsigned char sig[IPPC_HMAC_LEN];
    sig_of(n, sig);
    return ippc_replay_check_and_add(r, sig);
}

START_TEST(test_new_then_replay)
{
    ippc_replay_t *r = ippc_replay_new(16);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(ippc_replay_count(r), 0);
    ck_assert(add(r, 1));
    ck_assert(!add(r, 1));
    ck_assert(add(r, 2));
    ck_assert(!add(r, 2));
    ck_assert(!add(r, 1));
    ck_assert_uint_eq(ippc_replay_count(r), 2);
    ippc_replay_destroy(&r);
    ck_assert_ptr_null(r);
    ippc_replay_destroy(&r); /* NULL is fine */
    ippc_replay_destroy(NULL);
}
END_TEST

START_TEST(test_fifo_eviction)
{
    ippc_replay_t *r = ippc_replay_new(4);
    for (uint64_t i = 0; i < 5; i++)
        ck_assert(add(r, i));
    ck_assert_uint_eq(ippc_replay_count(r), 4);
    /* 0 was the oldest and is forgotten; 1..4 are still known (finding them changes nothing) */
    for (uint64_t i = 1; i < 5; i++)
        ck_assert(!add(r, i));
    ck_assert(add(r, 0)); /* new again: now 1 is the oldest and goes */
    ck_assert(add(r, 1));
    ck_assert(!add(r, 3));
    ck_assert(!add(r, 4));
    ck_assert(!add(r, 0));
    ck_assert(add(r, 2));
    ck_assert_uint_eq(ippc_replay_count(r), 4);
    ippc_replay_destroy(&r);
}
END_TEST

START_TEST(test_capacity_one)
{
    ippc_replay_t *r = ippc_replay_new(1);
    ck_assert(add(r, 7));
    ck_assert(!add(r, 7));
    ck_assert(add(r, 8));
    ck_assert(add(r, 7));
    ck_assert(!add(r, 7));
    ck_assert_uint_eq(ippc_replay_count(r), 1);
    ippc_replay_destroy(&r);
}
END_TEST

/* Capacity 0 means the default: 65536 signatures are kept, the 65537th pushes out the first. */
START_TEST(test_default_capacity)
{
    ippc_replay_t *r = ippc_replay_new(0);
    ck_assert_ptr_nonnull(r);
    for (uint64_t i = 0; i < IPPC_REPLAY_DEFAULT_CAPACITY; i++)
        ck_assert(add(r, i));
    ck_assert_uint_eq(ippc_replay_count(r), IPPC_REPLAY_DEFAULT_CAPACITY);
    ck_assert(!add(r, 0));
    ck_assert(!add(r, IPPC_REPLAY_DEFAULT_CAPACITY - 1));
    ck_assert(add(r, IPPC_REPLAY_DEFAULT_CAPACITY));
    ck_assert_uint_eq(ippc_replay_count(r), IPPC_REPLAY_DEFAULT_CAPACITY);
    ck_assert(add(r, 0));
    ck_assert(!add(r, 2));
    ippc_replay_destroy(&r);
}
END_TEST

START_TEST(test_too_large)
{
    ck_assert_ptr_null(ippc_replay_new((size_t)1 << 31));
}
END_TEST

/* Long runs at capacity: after N insertions only the last `cap` are known. */
START_TEST(test_window_after_many)
{
    const size_t cap = 1000;
    ippc_replay_t *r = ippc_replay_new(cap);
    const uint64_t total = 100000;
    for (uint64_t i = 0; i < total; i++)
        ck_assert(add(r, i * 7919));
    ck_assert_uint_eq(ippc_replay_count(r), cap);
    for (uint64_t i = total - cap; i < total; i++)
        ck_assert_msg(!add(r, i * 7919), "signature %lu forgotten too early", (unsigned long)i);
    ck_assert(add(r, (total - cap - 1) * 7919));
    ippc_replay_destroy(&r);
}
END_TEST

/* The naive model: the last `cap` distinct signatures added, oldest first. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} model_t;

static bool model_check_and_add(model_t *m, uint64_t x)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i] == x)
            return false;
    if (m->n == m->cap) {
        memmove(m->v, m->v + 1, (m->n - 1) * sizeof(*m->v));
        m->n--;
    }
    m->v[m->n++] = x;
    return true;
}

/* Random re-checks of recent and just-forgotten signatures against a small table, so
 * that probe runs collide and backward-shift deletion runs constantly. */
START_TEST(test_matches_model)
{
    for (size_t cap = 1; cap <= 33; cap += 4) {
        ippc_replay_t *r = ippc_replay_new(cap);
        model_t m = {calloc(cap, sizeof(uint64_t)), 0, cap};
        uint64_t rng = 0x243f6a8885a308d3ULL ^ cap, next = 0;
        for (int step = 0; step < 20000; step++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            /* half fresh, half one of the last 2*cap fresh ones (known or forgotten) */
            uint64_t x = (rng & 1) || next == 0 ? next++ : next - 1 - (rng >> 8) % (next < 2 * cap ? next : 2 * cap);
            bool want = model_check_and_add(&m, x);
            ck_assert_msg(add(r, x) == want, "cap %zu step %d sig %lu", cap, step, (unsigned long)x);
            ck_assert_uint_eq(ippc_replay_count(r), m.n);
        }
        free(m.v);
        ippc_replay_destroy(&r);
    }
}
END_TEST

static Suite *replay_suite(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, test_new_then_replay);
    tcase_add_test(tc, test_fifo_eviction);
    tcase_add_test(tc, test_capacity_one);
    tcase_add_test(tc, test_default_capacity);
    tcase_add_test(tc, test_too_large);
    tcase_add_test(tc, test_window_after_many);
    tcase_add_test(tc, test_matches_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(replay_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
