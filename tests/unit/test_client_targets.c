/* test_client_targets.c - target specs as Client._build_targets reads the Python values
 * behind them: slices over the sorted ids (expected values computed with Python's own
 * list slicing over [0, 2, 5, 7, 9]), engine ids, indices from the end, lists, "all". */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

/* Non-contiguous on purpose: a slice indexes positions, an int names an engine. */
static const int ids[] = {0, 2, 5, 7, 9};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static char *joined(const ippc_targets_t *t)
{
    static char buf[256];
    buf[0] = '\0';
    for (size_t i = 0; i < t->n; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%d", i ? "," : "", t->ids[i]);
    return buf;
}

/* python3 -c 'ids=[0,2,5,7,9]; print([ids[i] for i in range(5)[slice(...)]])' */
static const struct {
    const char *spec, *want;
} slices[] = {
    {":", "0,2,5,7,9"},   {"::", "0,2,5,7,9"},     {"::2", "0,5,9"},       {"1:3", "2,5"},
    {"-1:", "9"},         {"-2:", "7,9"},          {":-1", "0,2,5,7"},     {"::-1", "9,7,5,2,0"},
    {"3:0:-1", "7,5,2"},  {"-1:-4:-1", "9,7,5"},   {"1::2", "2,7"},        {"-10:2", "0,2"},
    {"::-2", "9,5,0"},    {"4:1:-2", "9,5"},       {":10:3", "0,7"},       {"1:-1", "2,5,7"},
    {"-3:-1", "5,7"},     {"0:1", "0"},            {"::3", "0,7"},         {"-5::2", "0,5,9"},
    {":-6:-1", "9,7,5,2,0"}, {"1:4:1", "2,5,7"},   {" 1 : 3 ", "2,5"},
};

START_TEST(test_slices)
{
    for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
        ippc_targets_t t;
        ippc_error_t *err = NULL;
        int rc = ippc_targets_parse(slices[i].spec, ids, NIDS, &t, &err);
        ck_assert_msg(rc == 0, "%s: %s", slices[i].spec, ippc_error_message(err));
        ck_assert_int_eq(t.kind, IPPC_TARGETS_LIST);
        ck_assert_msg(strcmp(joined(&t), slices[i].want) == 0, "%s: got %s, want %s", slices[i].spec, joined(&t),
                      slices[i].want);
        ippc_targets_free(&t);
    }
}
END_TEST

/* rc[10:], rc[2:2]: an empty selection is refused when the view is made */
START_TEST(test_empty_slices)
{
    const char *specs[] = {"10:", "2:2", "5:"};
    for (size_t i = 0; i < 3; i++) {
        ippc_targets_t t;
        ippc_error_t *err = NULL;
        ck_assert_int_eq(ippc_targets_parse(specs[i], ids, NIDS, &t, &err), -1);
        ck_assert_int_eq(ippc_error_code(err), IPPC_E_NOTFOUND);
        ck_assert_ptr_null(t.ids);
        ippc_error_destroy(&err);
    }
}
END_TEST

START_TEST(test_single)
{
    static const struct {
        const char *spec;
        int want;
    } cases[] = {{"5", 5}, {"0", 0}, {"-1", 9}, {"-5", 0}, {" 7 ", 7}, {"+2", 2}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ippc_targets_t t;
        ippc_error_t *err = NULL;
        ck_assert_msg(ippc_targets_parse(cases[i].spec, ids, NIDS, &t, &err) == 0, "%s: %s", cases[i].spec,
                      ippc_error_message(err));
        ck_assert_int_eq(t.kind, IPPC_TARGETS_SINGLE);
        ck_assert_uint_eq(t.n, 1);
        ck_assert_int_eq(t.ids[0], cases[i].want);
        ippc_targets_free(&t);
    }
}
END_TEST

static void expect_error(const char *spec, ippc_errcode_t code, const char *needle)
{
    ippc_targets_t t;
    ippc_error_t *err = NULL;
    ck_assert_msg(ippc_targets_parse(spec, ids, NIDS, &t, &err) == -1, "%s parsed", spec);
    ck_assert_msg(ippc_error_code(err) == code, "%s: %s", spec, ippc_error_message(err));
    ck_assert_msg(strstr(ippc_error_message(err), needle), "%s: '%s' lacks '%s'", spec, ippc_error_message(err), needle);
    ippc_error_destroy(&err);
}

START_TEST(test_errors)
{
    /* an int is an engine id (IndexError "No such engine" in the stock client) */
    expect_error("3", IPPC_E_NOTFOUND, "No such engine: 3");
    expect_error("-6", IPPC_E_NOTFOUND, "out of range");
    expect_error("0,3", IPPC_E_NOTFOUND, "No such engine: 3");
    expect_error("0,-1", IPPC_E_NOTFOUND, "No such engine: -1");
    expect_error("::0", IPPC_E_PARSE, "step cannot be zero");
    expect_error("1:2:3:4", IPPC_E_PARSE, "start:stop:step");
    expect_error("a:b", IPPC_E_PARSE, "bad targets");
    expect_error("", IPPC_E_PARSE, "empty");
    expect_error("two", IPPC_E_PARSE, "not a number");
    expect_error("0,,2", IPPC_E_PARSE, "separated by commas");
    expect_error(",", IPPC_E_PARSE, "separated by commas");
    expect_error("[0, 2", IPPC_E_PARSE, "missing ']'");
    expect_error("[0] x", IPPC_E_PARSE, "unexpected text");
    expect_error("99999999999999999999", IPPC_E_PARSE, "out of range");
    expect_error("[]", IPPC_E_NOTFOUND, "select no engines");
}
END_TEST

START_TEST(test_lists_and_all)
{
    static const struct {
        const char *spec, *want;
    } cases[] = {{"0,2", "0,2"}, {"9, 0", "9,0"}, {"[5, 7]", "5,7"}, {"7,", "7"}, {"[2,]", "2"}, {"2,2", "2,2"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ippc_targets_t t;
        ippc_error_t *err = NULL;
        ck_assert_msg(ippc_targets_parse(cases[i].spec, ids, NIDS, &t, &err) == 0, "%s: %s", cases[i].spec,
                      ippc_error_message(err));
        ck_assert_int_eq(t.kind, IPPC_TARGETS_LIST); /* a one-item list stays a list */
        ck_assert_str_eq(joined(&t), cases[i].want);
        ippc_targets_free(&t);
    }
    const char *alls[] = {"all", "ALL", " all ", NULL};
    for (size_t i = 0; i < 4; i++) {
        ippc_targets_t t;
        ck_assert_int_eq(ippc_targets_parse(alls[i], ids, NIDS, &t, NULL), 0);
        ck_assert_int_eq(t.kind, IPPC_TARGETS_ALL);
        ck_assert_ptr_null(t.ids);
    }
}
END_TEST

/* Without engines, anything but the lazy "all" fails like NoEnginesRegistered. */
START_TEST(test_no_engines)
{
    ippc_targets_t t;
    ck_assert_int_eq(ippc_targets_parse("all", NULL, 0, &t, NULL), 0);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_targets_parse(":", NULL, 0, &t, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_STATE);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(err), "requires engines"));
    ippc_error_destroy(&err);
}
END_TEST

START_TEST(test_copy)
{
    ippc_targets_t t, c;
    ck_assert_int_eq(ippc_targets_parse("::2", ids, NIDS, &t, NULL), 0);
    ck_assert_int_eq(ippc_targets_copy(&c, &t), 0);
    ippc_targets_free(&t);
    ck_assert_str_eq(joined(&c), "0,5,9");
    ippc_targets_free(&c);
}
END_TEST

static Suite *targets_suite(void)
{
    Suite *s = suite_create("client_targets");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_slices);
    tcase_add_test(tc, test_empty_slices);
    tcase_add_test(tc, test_single);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_lists_and_all);
    tcase_add_test(tc, test_no_engines);
    tcase_add_test(tc, test_copy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(targets_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
