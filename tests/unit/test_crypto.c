/* test_crypto.c - HMAC-SHA256 known answers (RFC 4231), multi-part hashing, hex,
 * constant-time compare, random bytes and uuid4. */
#include "config.h"

#include <check.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

/* HMAC of one part, as lowercase hex. */
static void hmac_hex(const void *key, size_t keylen, const void *data, size_t len,
                     char out[2 * IPPC_HMAC_LEN + 1])
{
    ippc_iovec_t part = {data, len};
    unsigned char mac[IPPC_HMAC_LEN];
    ck_assert_int_eq(ippc_hmac_sha256(key, keylen, &part, 1, mac), 0);
    ippc_hex(mac, sizeof mac, out);
}

START_TEST(test_rfc4231_case1)
{
    unsigned char key[20];
    memset(key, 0x0b, sizeof key);
    char hex[65];
    hmac_hex(key, sizeof key, "Hi There", 8, hex);
    ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}
END_TEST

START_TEST(test_rfc4231_case2)
{
    char hex[65];
    const char *data = "what do ya want for nothing?";
    hmac_hex("Jefe", 4, data, strlen(data), hex);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(test_rfc4231_case3)
{
    unsigned char key[20], data[50];
    memset(key, 0xaa, sizeof key);
    memset(data, 0xdd, sizeof data);
    char hex[65];
    hmac_hex(key, sizeof key, data, sizeof data, hex);
    ck_assert_str_eq(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}
END_TEST

/* A key longer than the SHA-256 block is hashed first (RFC 4231 case 6). */
START_TEST(test_rfc4231_case6_long_key)
{
    unsigned char key[131];
    memset(key, 0xaa, sizeof key);
    const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
    char hex[65];
    hmac_hex(key, sizeof key, data, strlen(data), hex);
    ck_assert_str_eq(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

START_TEST(test_empty_key_and_data)
{
    char hex[65];
    hmac_hex("", 0, "", 0, hex);
    ck_assert_str_eq(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    unsigned char mac[IPPC_HMAC_LEN];
    ck_assert_int_eq(ippc_hmac_sha256(NULL, 0, NULL, 0, mac), 0);
    char hex2[65];
    ippc_hex(mac, sizeof mac, hex2);
    ck_assert_str_eq(hex2, hex);
}
END_TEST

/* Hashing parts equals hashing their concatenation, wherever the cuts are (and with
 * empty parts in between): the wire signature is over four parts. */
START_TEST(test_multipart_equals_single)
{
    const char *msg = "{\"msg_id\":\"a\"}{}{}{\"code\":\"1+1\"}";
    size_t len = strlen(msg);
    char whole[65];
    hmac_hex("secret", 6, msg, len, whole);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b += 3) {
            ippc_iovec_t parts[4] = {{msg, a}, {msg + a, 0}, {msg + a, b - a}, {msg + b, len - b}};
            unsigned char mac[IPPC_HMAC_LEN];
            ck_assert_int_eq(ippc_hmac_sha256("secret", 6, parts, 4, mac), 0);
            char hex[65];
            ippc_hex(mac, sizeof mac, hex);
            ck_assert_str_eq(hex, whole);
        }
    }
    /* computed by Python: hmac.new(b'secret', b'{"a":1}{}{}{}', sha256) */
    ippc_iovec_t four[4] = {{"{\"a\":1}", 7}, {"{}", 2}, {"{}", 2}, {"{}", 2}};
    unsigned char mac[IPPC_HMAC_LEN];
    ck_assert_int_eq(ippc_hmac_sha256("secret", 6, four, 4, mac), 0);
    char hex[65];
    ippc_hex(mac, sizeof mac, hex);
    ck_assert_str_eq(hex, "5439160579203ae5952244a353b0f81b6ca58a3fb44727217799b393ee79601c");
}
END_TEST

START_TEST(test_hex_roundtrip)
{
    unsigned char in[256], back[256];
    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)i;
    char hex[513];
    ippc_hex(in, sizeof in, hex);
    ck_assert_uint_eq(strlen(hex), 512);
    ck_assert(strncmp(hex, "000102", 6) == 0);
    ck_assert_str_eq(hex + 506, "fdfeff");
    ck_assert_int_eq(ippc_unhex(hex, 512, back, sizeof back), 0);
    ck_assert_mem_eq(in, back, sizeof in);
    char empty[1];
    ippc_hex(in, 0, empty);
    ck_assert_str_eq(empty, "");
}
END_TEST

START_TEST(test_unhex_rejects)
{
    unsigned char out[2];
    ck_assert_int_eq(ippc_unhex("ABcd", 4, out, 2), 0);
    ck_assert_uint_eq(out[0], 0xab);
    ck_assert_uint_eq(out[1], 0xcd);
    ck_assert_int_eq(ippc_unhex("abc", 3, out, 2), -1);   /* too short */
    ck_assert_int_eq(ippc_unhex("abcde", 5, out, 2), -1); /* too long */
    ck_assert_int_eq(ippc_unhex("abcg", 4, out, 2), -1);  /* not a hex digit */
    ck_assert_int_eq(ippc_unhex("ab c", 4, out, 2), -1);
    ck_assert_int_eq(ippc_unhex("ab\0c", 4, out, 2), -1);
    ck_assert_int_eq(ippc_unhex("", 0, out, 0), 0);
}
END_TEST

START_TEST(test_memeq_ct)
{
    unsigned char a[32] = {0}, b[32] = {0};
    ck_assert(ippc_memeq_ct(a, b, sizeof a));
    b[31] = 1;
    ck_assert(!ippc_memeq_ct(a, b, sizeof a));
    ck_assert(ippc_memeq_ct(a, b, 31));
    b[0] = 0x80;
    ck_assert(!ippc_memeq_ct(a, b, 1));
    ck_assert(ippc_memeq_ct(a, b, 0));
}
END_TEST

START_TEST(test_random_bytes)
{
    unsigned char a[32], b[32];
    ck_assert_int_eq(ippc_random_bytes(a, sizeof a), 0);
    ck_assert_int_eq(ippc_random_bytes(b, sizeof b), 0);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    ck_assert_int_eq(ippc_random_bytes(a, 0), 0);
}
END_TEST

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

START_TEST(test_uuid4_format_and_unique)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    enum { N = 2000 };
    char (*ids)[IPPC_UUID_LEN + 1] = calloc(N, sizeof(*ids));
    ck_assert_ptr_nonnull(ids);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(ippc_uuid4(ids[i]), 0);
        ck_assert_uint_eq(strlen(ids[i]), IPPC_UUID_LEN);
        ck_assert_msg(regexec(&re, ids[i], 0, NULL, 0) == 0, "bad uuid4: %s", ids[i]);
    }
    qsort(ids, N, sizeof(*ids), cmp_str);
    for (int i = 1; i < N; i++)
        ck_assert_str_ne(ids[i - 1], ids[i]);
    free(ids);
    regfree(&re);
}
END_TEST

static Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("crypto");
    tcase_add_test(tc, test_rfc4231_case1);
    tcase_add_test(tc, test_rfc4231_case2);
    tcase_add_test(tc, test_rfc4231_case3);
    tcase_add_test(tc, test_rfc4231_case6_long_key);
    tcase_add_test(tc, test_empty_key_and_data);
    tcase_add_test(tc, test_multipart_equals_single);
    tcase_add_test(tc, test_hex_roundtrip);
    tcase_add_test(tc, test_unhex_rejects);
    tcase_add_test(tc, test_memeq_ct);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_uuid4_format_and_unique);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(crypto_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
