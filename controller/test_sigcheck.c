/* test_sigcheck.c - the relays' HMAC-SHA256 gives lib's answer for every key length and
 * every way a message is cut into parts (on this CPU's fast path when it has one). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigcheck.h"

START_TEST(matches_lib)
{
    static const size_t keylens[] = {0, 1, 36, 63, 64, 65, 200};
    unsigned char key[200], msg[2000];
    srand(777);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (unsigned char)rand();
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (unsigned char)rand();
    for (size_t k = 0; k < sizeof(keylens) / sizeof(keylens[0]); k++) {
        ippc_sigcheck_t *c = ippc_sigcheck_new(key, keylens[k]);
        ck_assert_ptr_nonnull(c);
        if (k == 2)
            printf("key of 36 bytes: %s\n", ippc_sigcheck_accelerated(c) ? "SHA instructions" : "lib's HMAC");
        for (int round = 0; round < 3000; round++) {
            size_t n = (size_t)rand() % (round < 1000 ? 200 : sizeof(msg)), cut[5] = {0, 0, 0, 0, n};
            for (int i = 1; i < 4; i++)
                cut[i] = n ? (size_t)rand() % (n + 1) : 0;
            for (int i = 1; i < 4; i++) /* sort the three cuts */
                for (int j = i + 1; j < 4; j++)
                    if (cut[j] < cut[i]) {
                        size_t t = cut[i];
                        cut[i] = cut[j];
                        cut[j] = t;
                    }
            ippc_iovec_t parts[4];
            for (int i = 0; i < 4; i++)
                parts[i] = (ippc_iovec_t){msg + cut[i], cut[i + 1] - cut[i]};
            unsigned char want[IPPC_HMAC_LEN], got[IPPC_HMAC_LEN];
            ck_assert_int_eq(ippc_hmac_sha256(key, keylens[k], parts, 4, want), 0);
            ck_assert_int_eq(ippc_sigcheck_mac(c, parts, 4, got), 0);
            ck_assert_msg(memcmp(want, got, sizeof(want)) == 0, "key %zu bytes, message %zu bytes cut at %zu/%zu/%zu",
                          keylens[k], n, cut[1], cut[2], cut[3]);
        }
        ippc_sigcheck_destroy(&c);
        ck_assert_ptr_null(c);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sigcheck");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, matches_lib);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
