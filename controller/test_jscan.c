/* test_jscan.c - the relays' JSON scanner: members found as jansson finds them, every
 * malformed text refused, strings unescaped exactly, and jansson's verdict matched on
 * many mutated messages. */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

static int scan(const char *text, const char *key, ippc_jspan_t *v)
{
    const char *keys[] = {key};
    return ippc_jscan_object(text, strlen(text), keys, v, 1);
}

/* The string value of key in text, or NULL (a static buffer). */
static const char *str_of(const char *text, const char *key)
{
    static char out[256];
    ippc_jspan_t v;
    if (scan(text, key, &v) < 0 || ippc_jscan_string(v, out, sizeof(out)) < 0)
        return NULL;
    return out;
}

START_TEST(finds_members)
{
    const char *h = " {\"msg_id\": \"abc-1\", \"nested\": {\"msg_id\": \"inner\", \"l\": [1, -2.5e+3, true, null, "
                    "{}, []]}, \"msg_type\" : \"apply_request\", \"n\": 0}\n";
    ck_assert_str_eq(str_of(h, "msg_id"), "abc-1");
    ck_assert_str_eq(str_of(h, "msg_type"), "apply_request");
    ck_assert_ptr_null(str_of(h, "missing"));
    ck_assert_ptr_null(str_of(h, "n")); /* not a string */
    ippc_jspan_t v;
    ck_assert_int_eq(scan(h, "nested", &v), 0);
    ck_assert_int_eq(v.p[0], '{');
    ck_assert_int_eq(v.p[v.len - 1], '}');
    /* a repeated key: the last one, as jansson and Python keep */
    ck_assert_str_eq(str_of("{\"a\":\"1\",\"a\":\"2\"}", "a"), "2");
    ck_assert_int_eq(scan("{}", "a", &v), 0);
    ck_assert_ptr_null(v.p);
    /* several keys at once */
    const char *keys[] = {"msg_type", "msg_id"};
    ippc_jspan_t vals[2];
    ck_assert_int_eq(ippc_jscan_object(h, strlen(h), keys, vals, 2), 0);
    ck_assert_int_eq(strncmp(vals[0].p, "\"apply_request\"", vals[0].len), 0);
    ck_assert_int_eq(strncmp(vals[1].p, "\"abc-1\"", vals[1].len), 0);
}
END_TEST

START_TEST(refuses_malformed)
{
    static const char *const bad[] = {
        "", " ", "[]", "\"x\"", "1", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}",
        "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}",
        "{\"a\":tru}", "{\"a\":nulll}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"tab\there\"}", "{\"a\":\"open}", "{\"a\":1}x", "{\"a\":1}{}", "{\"a\":[}", "{\"a\":{]}",
        "{\"a\":NaN}", "{\"a\":Infinity}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ippc_jspan_t v;
        ck_assert_msg(scan(bad[i], "a", &v) < 0, "accepted: %s", bad[i]);
    }
    /* a NUL inside the text is not JSON */
    const char nul[] = "{\"a\":\"x\0y\"}";
    const char *keys[] = {"a"};
    ippc_jspan_t v;
    ck_assert_int_lt(ippc_jscan_object(nul, sizeof(nul) - 1, keys, &v, 1), 0);
}
END_TEST

static char *nested(int depth)
{
    char *s = malloc(2 * (size_t)depth + 16);
    size_t n = 0;
    n += (size_t)sprintf(s, "{\"a\":");
    for (int i = 0; i < depth; i++)
        s[n++] = '[';
    for (int i = 0; i < depth; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = '\0';
    return s;
}

START_TEST(bounded_depth)
{
    ippc_jspan_t v;
    char *ok = nested(IPPC_JSCAN_MAX_DEPTH), *deep = nested(IPPC_JSCAN_MAX_DEPTH + 1), *huge = nested(100000);
    ck_assert_int_eq(scan(ok, "a", &v), 0);
    ck_assert_int_lt(scan(deep, "a", &v), 0);
    ck_assert_int_lt(scan(huge, "a", &v), 0);
    free(ok);
    free(deep);
    free(huge);
}
END_TEST

START_TEST(unescapes_strings)
{
    ck_assert_str_eq(str_of("{\"a\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}", "a"), "q\"b\\s/n\nt\tr\rb\bf\f");
    ck_assert_str_eq(str_of("{\"a\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}", "a"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    ck_assert_str_eq(str_of("{\"a\":\"caf\xc3\xa9\"}", "a"), "caf\xc3\xa9");
    ck_assert_str_eq(str_of("{\"a\":\"\"}", "a"), "");
    ck_assert_ptr_null(str_of("{\"a\":\"a\\u0000b\"}", "a"));   /* NUL */
    ck_assert_ptr_null(str_of("{\"a\":\"\\ud83d\"}", "a"));     /* lone high surrogate */
    ck_assert_ptr_null(str_of("{\"a\":\"\\ude00x\"}", "a"));    /* lone low surrogate */
    ck_assert_ptr_null(str_of("{\"a\":\"\\ud83d\\u0041\"}", "a")); /* high then not low */
    ck_assert_ptr_null(str_of("{\"a\":\"\xff\xfe\"}", "a"));    /* not UTF-8 */
    ck_assert_ptr_null(str_of("{\"a\":\"\xc0\xaf\"}", "a"));    /* overlong */
    ck_assert_ptr_null(str_of("{\"a\":\"\xed\xa0\x80\"}", "a")); /* encoded surrogate */
    ck_assert_ptr_null(str_of("{\"a\":\"\xe2\x82\"}", "a"));    /* truncated */
    ippc_jspan_t v;
    ck_assert_int_eq(scan("{\"a\":\"0123456789\"}", "a", &v), 0);
    char small[10];
    ck_assert_int_lt(ippc_jscan_string(v, small, sizeof(small)), 0); /* no room for the NUL */
    char fits[11];
    ck_assert_int_eq(ippc_jscan_string(v, fits, sizeof(fits)), 10);
    ck_assert_str_eq(fits, "0123456789");
    ck_assert_int_lt(ippc_jscan_string((ippc_jspan_t){NULL, 0}, fits, sizeof(fits)), 0);
}
END_TEST

/* Mutations of real message parts must get jansson's verdict (object or not), and the
 * members must be the same strings. The known differences are left out: jansson also
 * refuses numbers that overflow and \u escapes of surrogates or NUL in any string,
 * which the scanner checks only in the strings it reads. */
static bool known_difference(const char *text, size_t len, const json_error_t *je)
{
    return memmem(text, len, "\\u", 2) || strstr(je->text, "too big") || strstr(je->text, "overflow") ||
           strstr(je->text, "NUL");
}

START_TEST(agrees_with_jansson)
{
    static const char *const seeds[] = {
        "{\"msg_id\":\"5d2f-0\",\"msg_type\":\"apply_request\",\"username\":\"u\",\"session\":\"s\","
        "\"date\":\"2026-11-25T12:02:52.109945Z\",\"version\":\"5.3\"}",
        "{\"dependencies_met\":true,\"engine\":\"e\",\"started\":\"2026-11-25T12:02:52Z\",\"status\":\"ok\","
        "\"is_broadcast\":false,\"follow\":[],\"after\":[],\"retries\":0,\"timeout\":null}",
        "{\"a\": [1, 2.5, -3e4, {\"b\": \"c\\\"d\"}, [[]], true, false, null], \"e\": {}}",
    };
    static const char alphabet[] = "{}[]\",:0123456789.-+eE \\tnrufalsx";
    srand(12345);
    unsigned long agreed = 0;
    for (int round = 0; round < 200000; round++) {
        const char *seed = seeds[round % 3];
        char text[512];
        size_t len = strlen(seed);
        memcpy(text, seed, len + 1);
        for (int m = 0, nm = 1 + rand() % 3; m < nm; m++) {
            size_t at = (size_t)rand() % len;
            int op = rand() % 3;
            char c = alphabet[rand() % (sizeof(alphabet) - 1)];
            if (op == 0) {
                text[at] = c;
            } else if (op == 1 && len > 1) {
                memmove(text + at, text + at + 1, len - at);
                len--;
            } else if (len + 1 < sizeof(text)) {
                memmove(text + at + 1, text + at, len - at + 1);
                text[at] = c;
                len++;
            }
        }
        json_error_t je;
        json_t *j = json_loadb(text, len, 0, &je);
        bool jansson_ok = j && json_is_object(j);
        const char *keys[] = {"msg_id", "a"};
        ippc_jspan_t v[2];
        bool scan_ok = ippc_jscan_object(text, len, keys, v, 2) == 0;
        if (jansson_ok != scan_ok && !(j == NULL && known_difference(text, len, &je)))
            ck_abort_msg("jansson %s, scanner %s: %.*s", jansson_ok ? "accepts" : "refuses",
                         scan_ok ? "accepts" : "refuses", (int)len, text);
        if (jansson_ok && scan_ok) {
            const char *want = json_string_value(json_object_get(j, "msg_id"));
            char got[512];
            long n = ippc_jscan_string(v[0], got, sizeof(got));
            if (want)
                ck_assert_msg(n >= 0 && strcmp(got, want) == 0, "msg_id of %.*s", (int)len, text);
            else
                ck_assert_int_lt(n, 0);
            agreed++;
        }
        json_decref(j);
    }
    ck_assert_uint_gt(agreed, 1000); /* the mutations leave enough valid objects */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jscan");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, finds_members);
    tcase_add_test(tc, refuses_malformed);
    tcase_add_test(tc, bounded_depth);
    tcase_add_test(tc, unescapes_strings);
    tcase_add_test(tc, agrees_with_jansson);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
