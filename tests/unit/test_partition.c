/* test_partition.c - scatter's block partition and gather's join, as the stock
 * client does them (ipyparallel/client/map.py): bounds for many n and q, slices of
 * every sequence type, zero-copy array rows, and joinPartitions' rules. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"

/* Map.getPartition's arithmetic, written the way map.py has it. */
static void stock_partition(size_t n, size_t q, size_t p, size_t *low, size_t *high)
{
    size_t remainder = n % q, basesize = n / q;
    if (p < remainder) {
        *low = p * (basesize + 1);
        *high = *low + basesize + 1;
    } else {
        *low = p * basesize + remainder;
        *high = *low + basesize;
    }
}

/* Plain comparisons in the loops: a Check assertion per item is slow under ASan. */
START_TEST(test_bounds)
{
    for (size_t n = 0; n <= 300; n++) {
        for (size_t q = 1; q <= 40; q++) {
            size_t expect_low = 0;
            for (size_t p = 0; p < q; p++) {
                size_t lo = 0, hi = 0, slo, shi;
                int rc = ippc_partition(n, q, p, &lo, &hi);
                stock_partition(n, q, p, &slo, &shi);
                /* as map.py; contiguous, covering, the first n % q parts one longer */
                if (rc != 0 || lo != slo || hi != shi || lo != expect_low || hi - lo != n / q + (p < n % q))
                    ck_abort_msg("n=%zu q=%zu p=%zu: got [%zu, %zu), want [%zu, %zu)", n, q, p, lo, hi, slo, shi);
                expect_low = hi;
            }
            if (expect_low != n)
                ck_abort_msg("n=%zu q=%zu: parts end at %zu", n, q, expect_low);
        }
    }
}
END_TEST

START_TEST(test_bounds_invalid)
{
    size_t lo = 7, hi = 7;
    ck_assert_int_eq(ippc_partition(10, 0, 0, &lo, &hi), -1);
    ck_assert_int_eq(ippc_partition(10, 3, 3, &lo, &hi), -1);
    ck_assert_uint_eq(lo, 7);
    ck_assert_int_eq(ippc_partition(SIZE_MAX, 3, 2, &lo, &hi), 0); /* no overflow */
    ck_assert_uint_eq(hi, SIZE_MAX);
}
END_TEST

static char *repr_part(const char *literal, size_t q, size_t p)
{
    ippc_error_t *err = NULL;
    ippc_value_t *v = ippc_value_parse(literal, &err);
    ck_assert_ptr_nonnull(v);
    ippc_value_t *part = ippc_value_partition(v, q, p, &err);
    ck_assert_msg(part != NULL, "%s: %s", literal, err ? ippc_error_message(err) : "?");
    char *s = ippc_value_repr(part);
    ippc_value_destroy(&v);
    ippc_value_destroy(&part);
    return s;
}

/* Expected parts from Python: [repr(Map().getPartition(eval(lit), p, q)) for p in range(q)]. */
static const struct {
    const char *literal;
    size_t q;
    const char *parts[4];
} scatter_cases[] = {
    {"range(5)", 2, {"range(0, 3)", "range(3, 5)"}},
    {"range(0, 16)", 4, {"range(0, 4)", "range(4, 8)", "range(8, 12)", "range(12, 16)"}},
    {"range(0, 10, 3)", 3, {"range(0, 6, 3)", "range(6, 9, 3)", "range(9, 12, 3)"}},
    {"range(10, 0, -3)", 2, {"range(10, 4, -3)", "range(4, -2, -3)"}},
    {"range(2)", 3, {"range(0, 1)", "range(1, 2)", "range(2, 2)"}},
    {"[0, 1, 2, 3, 4]", 2, {"[0, 1, 2]", "[3, 4]"}},
    {"[[1], 'a', None]", 4, {"[[1]]", "['a']", "[None]", "[]"}},
    {"(1, 2, 3)", 2, {"(1, 2)", "(3,)"}},
    {"()", 2, {"()", "()"}},
    {"'h\xc3\xa9llo w\xc3\xb6rld'", 3, {"'h\xc3\xa9ll'", "'o w\xc3\xb6'", "'rld'"}},
    {"b'abcdef'", 4, {"b'ab'", "b'cd'", "b'e'", "b'f'"}},
    {"{'a': 1, 'b': 2, 'c': 3}", 2, {"['a', 'b']", "['c']"}},
};

START_TEST(test_scatter)
{
    for (size_t p = 0; p < scatter_cases[_i].q; p++) {
        char *s = repr_part(scatter_cases[_i].literal, scatter_cases[_i].q, p);
        ck_assert_str_eq(s, scatter_cases[_i].parts[p]);
        free(s);
    }
}
END_TEST

/* Parts of a list for many sizes, joined again, give the list back. */
START_TEST(test_scatter_gather_lists)
{
    for (size_t n = 0; n <= 60; n++) {
        ippc_value_t *l = ippc_value_new_list(), *r = ippc_value_new_range(0, (int64_t)n, 1);
        for (size_t i = 0; i < n; i++)
            ippc_value_append(l, ippc_value_new_int((int64_t)i));
        for (size_t q = 1; q <= 9; q++) {
            ippc_value_t *parts = ippc_value_new_list();
            for (size_t p = 0; p < q; p++) {
                ippc_value_t *part = ippc_value_partition(l, q, p, NULL);
                ippc_value_t *rpart = ippc_value_partition(r, q, p, NULL);
                size_t lo, hi;
                ippc_partition(n, q, p, &lo, &hi);
                ck_assert_uint_eq(ippc_value_len(part), hi - lo);
                ck_assert_uint_eq(ippc_value_len(rpart), hi - lo);
                ck_assert_int_eq(ippc_value_range_start(rpart), (int64_t)lo);
                ippc_value_destroy(&rpart);
                ippc_value_append(parts, part);
            }
            ippc_value_t *joined = ippc_value_concat(parts, NULL);
            ck_assert(ippc_value_equal(joined, l));
            ippc_value_destroy(&joined);
            ippc_value_destroy(&parts);
        }
        ippc_value_destroy(&l);
        ippc_value_destroy(&r);
    }
}
END_TEST

/* Array parts are rows over the same memory; concatenating them restores the array. */
START_TEST(test_scatter_gather_arrays)
{
    size_t shape[2] = {7, 3};
    unsigned char data[42]; /* big-endian -10 .. 10 */
    for (int i = 0; i < 21; i++) {
        uint16_t x = (uint16_t)(i - 10);
        data[2 * i] = (unsigned char)(x >> 8);
        data[2 * i + 1] = (unsigned char)x;
    }
    ippc_value_t *a = ippc_value_new_ndarray(">i2", 2, shape, data);
    const char *base = ippc_value_ndarray_data(a, NULL);
    for (size_t q = 1; q <= 9; q++) {
        ippc_value_t *parts = ippc_value_new_list();
        for (size_t p = 0; p < q; p++) {
            ippc_value_t *part = ippc_value_partition(a, q, p, NULL);
            size_t lo, hi, nbytes;
            ippc_partition(7, q, p, &lo, &hi);
            ck_assert_str_eq(ippc_value_ndarray_dtype(part), ">i2");
            ck_assert_uint_eq(ippc_value_ndarray_shape(part)[0], hi - lo);
            ck_assert_uint_eq(ippc_value_ndarray_shape(part)[1], 3);
            ck_assert_ptr_eq(ippc_value_ndarray_data(part, &nbytes), base + lo * 6); /* zero-copy */
            ck_assert_uint_eq(nbytes, (hi - lo) * 6);
            ippc_value_append(parts, part);
        }
        ippc_value_t *joined = ippc_value_concat(parts, NULL);
        ck_assert(ippc_value_equal(joined, a));
        ippc_value_destroy(&parts);
        ippc_value_destroy(&joined);
    }
    /* a part outlives the array it came from */
    ippc_value_t *part = ippc_value_partition(a, 2, 1, NULL);
    ippc_value_destroy(&a);
    char *s = ippc_value_repr(part);
    ck_assert_str_eq(s, "array([[ 2,  3,  4],\n       [ 5,  6,  7],\n       [ 8,  9, 10]], dtype=int16)");
    free(s);
    ippc_value_destroy(&part);
}
END_TEST

START_TEST(test_scatter_errors)
{
    ippc_error_t *err = NULL;
    ippc_value_t *v = ippc_value_new_int(5);
    ck_assert_ptr_null(ippc_value_partition(v, 2, 0, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ck_assert_str_eq(ippc_error_message(err), "cannot scatter: object of type 'int' has no len()");
    ippc_error_destroy(&err);
    ippc_value_destroy(&v);

    v = ippc_value_new_pyobj("collections.deque", "deque([1])", "", 0);
    ck_assert_ptr_null(ippc_value_partition(v, 2, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot scatter: object of type 'collections.deque' has no len()");
    ippc_error_destroy(&err);
    ippc_value_destroy(&v);

    v = ippc_value_new_ndarray("<f8", 0, NULL, NULL);
    ck_assert_ptr_null(ippc_value_partition(v, 2, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot scatter a 0-d ndarray: len() of unsized object");
    ippc_error_destroy(&err);
    ippc_value_destroy(&v);

    v = ippc_value_new_list();
    ck_assert_ptr_null(ippc_value_partition(v, 0, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "must have 0 <= p < q, but have p=0, q=0");
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_value_partition(v, 2, 2, &err));
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_value_partition(NULL, 2, 0, &err));
    ippc_error_destroy(&err);
    ippc_value_destroy(&v);
}
END_TEST

/* A range near the int64 limits: the parts stay exact where Python's would fit. */
START_TEST(test_scatter_big_range)
{
    ippc_value_t *r = ippc_value_new_range(INT64_MIN, INT64_MAX, 1);
    ippc_value_t *last = ippc_value_partition(r, 3, 2, NULL);
    ck_assert_int_eq(ippc_value_range_stop(last), INT64_MAX);
    ck_assert_uint_eq(ippc_value_len(last), (size_t)UINT64_MAX / 3);
    ippc_value_destroy(&last);
    ippc_value_destroy(&r);
}
END_TEST

/* joinPartitions: expected values from Python with the stock Map. */
static const struct {
    const char *parts, *expected;
} gather_cases[] = {
    {"[[1, 2], [3]]", "[1, 2, 3]"},
    {"[(1,), (2, 3)]", "[1, 2, 3]"},
    {"[[1], (2, 3), range(4, 6)]", "[1, 2, 3, 4, 5]"},
    {"[(1,), 'ab']", "[1, 'a', 'b']"},
    {"[[], [], []]", "[]"},
    {"[[1], b'\\x05', {'k': 0}]", "[1, 5, 'k']"},
    {"[range(0, 3), range(3, 5)]", "[range(0, 3), range(3, 5)]"},
    {"[1, 2, 3]", "[1, 2, 3]"},
    {"['ab', 'cd']", "['ab', 'cd']"},
    {"[None]", "[None]"},
    {"[{'a': 1}, {'b': 2}]", "[{'a': 1}, {'b': 2}]"},
};

START_TEST(test_gather)
{
    ippc_value_t *parts = ippc_value_parse(gather_cases[_i].parts, NULL);
    ippc_error_t *err = NULL;
    ippc_value_t *joined = ippc_value_concat(parts, &err);
    ck_assert_msg(joined != NULL, "%s: %s", gather_cases[_i].parts, err ? ippc_error_message(err) : "?");
    char *s = ippc_value_repr(joined);
    ck_assert_str_eq(s, gather_cases[_i].expected);
    free(s);
    ippc_value_destroy(&parts);
    ippc_value_destroy(&joined);
}
END_TEST

static ippc_value_t *arr(const char *dtype, size_t ndim, size_t d0, size_t d1, const void *data)
{
    size_t shape[2] = {d0, d1};
    return ippc_value_new_ndarray(dtype, ndim, shape, data);
}

/* list(chain(...)) over a 1-D array yields its items as Python scalars. */
START_TEST(test_gather_array_into_list)
{
    int32_t i4[2] = {2, -3};
    double f8[2] = {0.5, 1e20};
    ippc_value_t *parts = ippc_value_parse("[[1]]", NULL);
    ippc_value_append(parts, arr("<i4", 1, 2, 0, i4));
    ippc_value_append(parts, arr("<f8", 1, 2, 0, f8));
    ippc_value_append(parts, arr("|b1", 1, 1, 0, "\1"));
    ippc_value_append(parts, arr("<i8", 2, 1, 2, NULL)); /* a 2-D array gives rows */
    ippc_value_t *joined = ippc_value_concat(parts, NULL);
    char *s = ippc_value_repr(joined);
    ck_assert_str_eq(s, "[1, 2, -3, 0.5, 1e+20, True, array([0, 0])]");
    free(s);
    ippc_value_destroy(&joined);
    ippc_value_destroy(&parts);
}
END_TEST

START_TEST(test_gather_errors)
{
    ippc_error_t *err = NULL;
    ippc_value_t *parts = ippc_value_new_list();
    ck_assert_ptr_null(ippc_value_concat(parts, &err)); /* stock: IndexError */
    ck_assert_str_eq(ippc_error_message(err), "nothing to gather: no parts");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_parse("[[1], 2]", NULL);
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot gather part 1: 'int' object is not iterable");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_new_list();
    ippc_value_append(parts, arr("<f8", 1, 2, 0, NULL));
    ippc_value_append(parts, arr("<f4", 1, 2, 0, NULL));
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot concatenate part 1: dtype <f4 differs from <f8");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_new_list();
    ippc_value_append(parts, arr("<f8", 2, 2, 3, NULL));
    ippc_value_append(parts, arr("<f8", 2, 2, 4, NULL));
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err),
                     "cannot concatenate part 1: all the dimensions except the first must match");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_new_list();
    ippc_value_append(parts, arr("<f8", 1, 2, 0, NULL));
    ippc_value_append(parts, ippc_value_new_list());
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot concatenate part 1: a list after an ndarray");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_new_list();
    ippc_value_append(parts, arr("<f8", 0, 0, 0, NULL));
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err), "zero-dimensional arrays cannot be concatenated (part 0)");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    parts = ippc_value_parse("[[1]]", NULL);
    ippc_value_append(parts, arr("<c16", 1, 1, 0, NULL));
    ck_assert_ptr_null(ippc_value_concat(parts, &err));
    ck_assert_str_eq(ippc_error_message(err), "cannot gather complex array items into a list");
    ippc_error_destroy(&err);
    ippc_value_destroy(&parts);

    ck_assert_ptr_null(ippc_value_concat(NULL, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ippc_error_destroy(&err);
}
END_TEST

static Suite *partition_suite(void)
{
    Suite *s = suite_create("partition");
    TCase *tc = tcase_create("partition");
    tcase_add_test(tc, test_bounds);
    tcase_add_test(tc, test_bounds_invalid);
    tcase_add_loop_test(tc, test_scatter, 0, sizeof scatter_cases / sizeof scatter_cases[0]);
    tcase_add_test(tc, test_scatter_gather_lists);
    tcase_add_test(tc, test_scatter_gather_arrays);
    tcase_add_test(tc, test_scatter_errors);
    tcase_add_test(tc, test_scatter_big_range);
    tcase_add_loop_test(tc, test_gather, 0, sizeof gather_cases / sizeof gather_cases[0]);
    tcase_add_test(tc, test_gather_array_into_list);
    tcase_add_test(tc, test_gather_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(partition_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
