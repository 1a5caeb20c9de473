/* test_error.c - ippc_error_t: local errors, remote errors, and the rendering of
 * RemoteError / CompositeError as the stock client prints them. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "ippc.h"

static const char *const tb_zero[] = {
    "---------------------------------------------------------------------------",
    "ZeroDivisionError                         Traceback (most recent call last)",
    "----> 1 1/0",
    "ZeroDivisionError: division by zero",
};

START_TEST(local_error_has_code_and_message)
{
    ippc_error_t *e = ippc_error_new(IPPC_E_NOTFOUND, "profile '%s' not found", "foo");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(ippc_error_code(e), IPPC_E_NOTFOUND);
    ck_assert_str_eq(ippc_error_message(e), "profile 'foo' not found");
    ck_assert_str_eq(ippc_errcode_name(ippc_error_code(e)), "IPPC_E_NOTFOUND");
    ck_assert_uint_eq(ippc_error_count(e), 0);
    char *r = ippc_error_render(e, 0);
    ck_assert_str_eq(r, "profile 'foo' not found\n");
    free(r);
    ippc_error_destroy(&e);
    ck_assert_ptr_null(e);
    ippc_error_destroy(&e); /* NULL is fine */
    ippc_error_destroy(NULL);
}
END_TEST

START_TEST(set_keeps_first_cause_and_prefix_adds_context)
{
    ippc_error_t *e = NULL;
    ck_assert_int_eq(ippc_error_set(&e, IPPC_E_PARSE, "bad %s", "json"), -1);
    ck_assert_int_eq(ippc_error_set(&e, IPPC_E_IO, "later"), -1);
    ck_assert_int_eq(ippc_error_code(e), IPPC_E_PARSE);
    ippc_error_prefix(&e, "%s", "/tmp/x.json");
    ck_assert_str_eq(ippc_error_message(e), "/tmp/x.json: bad json");
    ippc_error_destroy(&e);
    ck_assert_int_eq(ippc_error_set(NULL, IPPC_E_IO, "nobody listens"), -1);
    ippc_error_set_errno(&e, IPPC_E_IO, ENOENT, "open %s", "a");
    ck_assert_str_eq(ippc_error_message(e), "open a: No such file or directory");
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(unknown_code_has_a_name)
{
    ck_assert_str_eq(ippc_errcode_name((ippc_errcode_t)999), "IPPC_E_UNKNOWN");
    ck_assert_str_eq(ippc_errcode_name(IPPC_OK), "IPPC_OK");
}
END_TEST

START_TEST(remote_error_renders_its_traceback)
{
    ippc_error_t *e = ippc_error_new_remote(0, "execute", "ZeroDivisionError", "division by zero", tb_zero, 4);
    ck_assert_int_eq(ippc_error_code(e), IPPC_E_REMOTE);
    ck_assert_str_eq(ippc_error_message(e), "ZeroDivisionError(division by zero)");
    ck_assert_uint_eq(ippc_error_count(e), 1);
    ck_assert_int_eq(ippc_error_engine_id(e, 0), 0);
    ck_assert_str_eq(ippc_error_method(e, 0), "execute");
    ck_assert_uint_eq(ippc_error_traceback_len(e, 0), 4);
    ck_assert_str_eq(ippc_error_traceback_line(e, 0, 2), "----> 1 1/0");
    ck_assert_ptr_null(ippc_error_traceback_line(e, 0, 4));
    ck_assert_ptr_null(ippc_error_ename(e, 1));
    char *r = ippc_error_render(e, 0);
    ck_assert_str_eq(r, "---------------------------------------------------------------------------\n"
                        "ZeroDivisionError                         Traceback (most recent call last)\n"
                        "----> 1 1/0\n"
                        "ZeroDivisionError: division by zero\n");
    free(r);
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(remote_error_without_traceback)
{
    ippc_error_t *e = ippc_error_new_remote(3, "apply", "ValueError", "boom", NULL, 0);
    char *r = ippc_error_render(e, 0);
    ck_assert_str_eq(r, "No traceback available\n");
    free(r);
    ippc_error_destroy(&e);
}
END_TEST

/* A composite of n ZeroDivisionErrors from engines 0..n-1, as dview.execute('1/0') gives. */
static ippc_error_t *composite(int n)
{
    ippc_error_t *e = ippc_error_new_remote(0, "execute", "ZeroDivisionError", "division by zero", tb_zero, 4);
    for (int i = 1; i < n; i++)
        ck_assert_int_eq(ippc_error_add_remote(e, i, "execute", "ZeroDivisionError", "division by zero", tb_zero, 4), 0);
    return e;
}

START_TEST(composite_renders_blocks_per_engine)
{
    ippc_error_t *e = composite(4);
    ck_assert_int_eq(ippc_error_code(e), IPPC_E_COMPOSITE);
    ck_assert_str_eq(ippc_error_message(e), "one or more exceptions from call to method: execute");
    char *r = ippc_error_render(e, 0);
    /* four "[i:execute]: " blocks (the stock header keeps its trailing space), each
     * followed by the traceback and a blank line; nothing elided under tb_limit 5 */
    const char *p = r;
    for (int i = 0; i < 4; i++) {
        char head[32];
        snprintf(head, sizeof head, "[%d:execute]: \n----", i);
        p = strstr(p, head);
        ck_assert_msg(p != NULL, "block %d missing in:\n%s", i, r);
        p++;
    }
    ck_assert_ptr_null(strstr(r, "more exceptions"));
    ck_assert(strstr(r, "ZeroDivisionError: division by zero\n\n[1:execute]") != NULL);
    free(r);
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(composite_tb_limit_elides_the_rest)
{
    ippc_error_t *e = composite(4);
    char *r = ippc_error_render(e, 1);
    ck_assert_ptr_nonnull(strstr(r, "[0:execute]: \n"));
    ck_assert_ptr_null(strstr(r, "[1:execute]"));
    size_t len = strlen(r);
    const char *tail = "... 3 more exceptions ...\n";
    ck_assert_uint_ge(len, strlen(tail));
    ck_assert_str_eq(r + len - strlen(tail), tail);
    free(r);
    ippc_error_destroy(&e);

    e = composite(7); /* default limit 5 */
    r = ippc_error_render(e, 0);
    ck_assert_ptr_nonnull(strstr(r, "[4:execute]"));
    ck_assert_ptr_null(strstr(r, "[5:execute]"));
    ck_assert_ptr_nonnull(strstr(r, "... 2 more exceptions ...\n"));
    free(r);
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(composite_summary_is_str_of_the_stock_error)
{
    ippc_error_t *e = composite(3);
    char *s = ippc_error_summary(e, 2);
    ck_assert_str_eq(s, "one or more exceptions from call to method: execute\n"
                        "[0:execute]: ZeroDivisionError: division by zero\n"
                        "[1:execute]: ZeroDivisionError: division by zero\n"
                        ".... 1 more exceptions ...");
    free(s);
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(raise_exception_extracts_one_engine)
{
    ippc_error_t *e = ippc_error_new_remote(0, "apply", "ValueError", "a", NULL, 0);
    ippc_error_add_remote(e, 2, "apply", "KeyError", "'b'", tb_zero, 1);
    ippc_error_t *one = ippc_error_raise_exception(e, 1);
    ck_assert_int_eq(ippc_error_code(one), IPPC_E_REMOTE);
    ck_assert_int_eq(ippc_error_engine_id(one, 0), 2);
    ck_assert_str_eq(ippc_error_ename(one, 0), "KeyError");
    ck_assert_str_eq(ippc_error_message(one), "KeyError('b')");
    ippc_error_destroy(&one);
    one = ippc_error_raise_exception(e, 5);
    ck_assert_int_eq(ippc_error_code(one), IPPC_E_INVALID);
    ck_assert_str_eq(ippc_error_message(one), "an exception with index 5 does not exist");
    ippc_error_destroy(&one);
    ippc_error_destroy(&e);
}
END_TEST

START_TEST(traceback_lines_are_split_like_splitlines)
{
    /* the stock client joins the lines with \n and splits them again */
    const char *tb[] = {"Traceback:\n  line a\r\n  line b", "Err: x\n"};
    ippc_error_t *e = ippc_error_new_remote(1, "apply", "Err", "x", tb, 2);
    char *r = ippc_error_render(e, 0);
    ck_assert_str_eq(r, "Traceback:\n  line a\n  line b\nErr: x\n");
    free(r);
    ippc_error_destroy(&e);
}
END_TEST

static Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, local_error_has_code_and_message);
    tcase_add_test(tc, set_keeps_first_cause_and_prefix_adds_context);
    tcase_add_test(tc, unknown_code_has_a_name);
    tcase_add_test(tc, remote_error_renders_its_traceback);
    tcase_add_test(tc, remote_error_without_traceback);
    tcase_add_test(tc, composite_renders_blocks_per_engine);
    tcase_add_test(tc, composite_tb_limit_elides_the_rest);
    tcase_add_test(tc, composite_summary_is_str_of_the_stock_error);
    tcase_add_test(tc, raise_exception_extracts_one_engine);
    tcase_add_test(tc, traceback_lines_are_split_like_splitlines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(error_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
