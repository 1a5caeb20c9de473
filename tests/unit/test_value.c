/* test_value.c - the native value model: constructors and accessors of every type,
 * UTF-8 validation, ownership rules (containers take items even on failure), deep
 * copy sharing array memory, equality, dict order and large-dict lookups. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"

/* An ndarray over caller memory whose release we can count. */
static int freed;
static void count_free(void *data, void *hint)
{
    (void)hint;
    free(data);
    freed++;
}

static ippc_value_t *tracked_array(void)
{
    size_t shape[1] = {4};
    double *d = calloc(4, sizeof(double));
    return ippc_value_wrap_ndarray("<f8", 1, shape, d, count_free, NULL);
}

START_TEST(test_scalars)
{
    ippc_value_t *v = ippc_value_new_none();
    ck_assert_int_eq(ippc_value_type(v), IPPC_T_NONE);
    ippc_value_destroy(&v);
    ck_assert_ptr_null(v);
    ippc_value_destroy(&v); /* NULL is fine */
    ippc_value_destroy(NULL);

    v = ippc_value_new_bool(true);
    ck_assert(ippc_value_bool(v));
    ck_assert(ippc_value_float(v) == 1.0);
    ippc_value_destroy(&v);

    v = ippc_value_new_int(INT64_MIN);
    ck_assert_int_eq(ippc_value_int(v), INT64_MIN);
    ck_assert(ippc_value_float(v) == -0x1p63);
    ck_assert(!ippc_value_bool(v)); /* wrong type: false */
    ck_assert_ptr_null(ippc_value_str(v, NULL));
    ck_assert_uint_eq(ippc_value_len(v), 0);
    ippc_value_destroy(&v);

    v = ippc_value_new_float(-2.5);
    ck_assert(ippc_value_float(v) == -2.5);
    ck_assert_int_eq(ippc_value_int(v), 0);
    ippc_value_destroy(&v);
}
END_TEST

START_TEST(test_type_names)
{
    ck_assert_str_eq(ippc_type_name(IPPC_T_NONE), "NoneType");
    ck_assert_str_eq(ippc_type_name(IPPC_T_INT), "int");
    ck_assert_str_eq(ippc_type_name(IPPC_T_LIST), "list");
    ck_assert_str_eq(ippc_type_name(IPPC_T_NDARRAY), "ndarray");
    ck_assert_str_eq(ippc_type_name(IPPC_T_PYOBJ), "pyobj");
    ck_assert_str_eq(ippc_type_name((ippc_type_t)99), "unknown");
}
END_TEST

START_TEST(test_str)
{
    size_t len;
    ippc_value_t *v = ippc_value_new_str("h\xc3\xa9llo");
    ck_assert_str_eq(ippc_value_str(v, &len), "h\xc3\xa9llo");
    ck_assert_uint_eq(len, 6);
    ck_assert_uint_eq(ippc_value_len(v), 6); /* bytes */
    ippc_value_destroy(&v);

    v = ippc_value_new_strn("a\0b", 3); /* NUL inside */
    const char *s = ippc_value_str(v, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(s, "a\0b", 4); /* and terminated */
    ippc_value_destroy(&v);

    v = ippc_value_new_strn(NULL, 0);
    ck_assert_str_eq(ippc_value_str(v, NULL), "");
    ippc_value_destroy(&v);
    ck_assert_ptr_null(ippc_value_new_str(NULL));
    v = ippc_value_new_str("\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80"); /* U+10FFFF, U+1F600 */
    ck_assert_ptr_nonnull(v);
    ippc_value_destroy(&v);
}
END_TEST

/* Strict UTF-8: each of these is rejected. */
static const char *const bad_utf8[] = {
    "\x80",             /* lone continuation */
    "\xc3",             /* truncated */
    "\xc0\xaf",         /* overlong '/' */
    "\xe0\x80\xaf",     /* overlong, 3 bytes */
    "\xed\xa0\x80",     /* surrogate U+D800 */
    "\xf4\x90\x80\x80", /* above U+10FFFF */
    "\xf8\x88\x80\x80\x80",
    "\xfe",
    "a\xe2\x82",        /* truncated at the end */
    "\xe2\x28\xa1",     /* bad continuation */
};

START_TEST(test_str_invalid_utf8)
{
    ck_assert_ptr_null(ippc_value_new_str(bad_utf8[_i]));
    ippc_value_t *d = ippc_value_new_dict();
    ck_assert_int_eq(ippc_value_dict_set(d, bad_utf8[_i], ippc_value_new_none()), -1);
    ck_assert_uint_eq(ippc_value_len(d), 0);
    ippc_value_destroy(&d);
    ck_assert_ptr_null(ippc_value_new_pyobj(bad_utf8[_i], "r", "", 0));
}
END_TEST

START_TEST(test_bytes)
{
    size_t len;
    ippc_value_t *v = ippc_value_new_bytes("\0\xff\x01", 3);
    const unsigned char *b = ippc_value_bytes(v, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(b[1], 0xff);
    ck_assert_uint_eq(ippc_value_len(v), 3);
    ippc_value_destroy(&v);
    v = ippc_value_new_bytes(NULL, 0);
    ck_assert_ptr_nonnull(ippc_value_bytes(v, &len));
    ck_assert_uint_eq(len, 0);
    ippc_value_destroy(&v);
    ck_assert_ptr_null(ippc_value_new_bytes(NULL, 5));
}
END_TEST

START_TEST(test_list_tuple)
{
    ippc_value_t *l = ippc_value_new_list();
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(ippc_value_append(l, ippc_value_new_int(i)), 0);
    ck_assert_uint_eq(ippc_value_len(l), 100);
    ck_assert_int_eq(ippc_value_int(ippc_value_item(l, 42)), 42);
    ck_assert_ptr_null(ippc_value_item(l, 100));
    ippc_value_t *t = ippc_value_new_tuple();
    ck_assert_int_eq(ippc_value_append(t, l), 0);
    ck_assert_int_eq(ippc_value_type(t), IPPC_T_TUPLE);
    ck_assert_ptr_eq(ippc_value_item(t, 0), l); /* borrowed */
    ippc_value_destroy(&t);
}
END_TEST

/* Containers own what is handed to them, also when adding fails. */
START_TEST(test_ownership_on_failure)
{
    freed = 0;
    ippc_value_t *i = ippc_value_new_int(1);
    ck_assert_int_eq(ippc_value_append(i, tracked_array()), -1); /* not a sequence */
    ck_assert_int_eq(freed, 1);
    ck_assert_int_eq(ippc_value_append(NULL, tracked_array()), -1);
    ck_assert_int_eq(freed, 2);
    ck_assert_int_eq(ippc_value_dict_set(i, "k", tracked_array()), -1); /* not a dict */
    ck_assert_int_eq(freed, 3);
    ippc_value_t *d = ippc_value_new_dict();
    ck_assert_int_eq(ippc_value_dict_set(d, NULL, tracked_array()), -1);
    ck_assert_int_eq(ippc_value_dict_set(d, "\xff", tracked_array()), -1);
    ck_assert_int_eq(freed, 5);
    ck_assert_int_eq(ippc_value_append(d, NULL), -1); /* NULL item: nothing to free */
    /* a container cannot be put into itself; like any refused item it is consumed
     * (the sanitizer build checks that nothing leaks or is freed twice) */
    ippc_value_t *l = ippc_value_new_list();
    ck_assert_int_eq(ippc_value_append(l, l), -1);
    ippc_value_destroy(&i);
    ippc_value_destroy(&d);
}
END_TEST

START_TEST(test_dict)
{
    ippc_value_t *d = ippc_value_new_dict();
    ck_assert_int_eq(ippc_value_dict_set(d, "b", ippc_value_new_int(1)), 0);
    ck_assert_int_eq(ippc_value_dict_set(d, "a", ippc_value_new_int(2)), 0);
    ck_assert_int_eq(ippc_value_dict_set(d, "c", ippc_value_new_int(3)), 0);
    freed = 0;
    ck_assert_int_eq(ippc_value_dict_set(d, "a", tracked_array()), 0);
    ck_assert_int_eq(ippc_value_dict_set(d, "a", ippc_value_new_int(20)), 0); /* replaces, frees the old */
    ck_assert_int_eq(freed, 1);
    ck_assert_uint_eq(ippc_value_len(d), 3);
    /* insertion order kept, a replaced key stays where it was */
    ck_assert_str_eq(ippc_value_dict_key(d, 0), "b");
    ck_assert_str_eq(ippc_value_dict_key(d, 1), "a");
    ck_assert_str_eq(ippc_value_dict_key(d, 2), "c");
    ck_assert_ptr_null(ippc_value_dict_key(d, 3));
    ck_assert_int_eq(ippc_value_int(ippc_value_item(d, 1)), 20);
    ck_assert_int_eq(ippc_value_int(ippc_value_dict_get(d, "a")), 20);
    ck_assert_ptr_null(ippc_value_dict_get(d, "z"));
    ck_assert_ptr_null(ippc_value_dict_get(d, NULL));
    ck_assert_ptr_null(ippc_value_dict_get(NULL, "a"));
    ippc_value_destroy(&d);
}
END_TEST

/* Past the linear-scan size the dict keeps a hash index: replacing and looking up
 * keys stays correct while the index grows, and 200000 keys take linear time (a
 * quadratic dict would run into the test timeout). */
START_TEST(test_dict_large)
{
    enum { N = 200000 };
    char key[32];
    ippc_value_t *d = ippc_value_new_dict();
    /* plain comparisons in the loops: a Check assertion per key is slow under ASan */
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        if (ippc_value_dict_set(d, key, ippc_value_new_int(i)) != 0)
            ck_abort_msg("set %s", key);
        if (i % 1000 == 7) { /* replace an earlier key now and then */
            snprintf(key, sizeof key, "key%d", i / 2);
            if (ippc_value_dict_set(d, key, ippc_value_new_int(-i)) != 0)
                ck_abort_msg("replace %s", key);
        }
    }
    ck_assert_uint_eq(ippc_value_len(d), N);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        if (!ippc_value_dict_get(d, key) || strcmp(ippc_value_dict_key(d, (size_t)i), key) != 0)
            ck_abort_msg("lookup %s", key);
    }
    ck_assert_int_eq(ippc_value_int(ippc_value_dict_get(d, "key3")), -7);
    ck_assert_ptr_null(ippc_value_dict_get(d, "key200000"));
    ippc_value_t *c = ippc_value_copy(d);
    ck_assert(ippc_value_equal(c, d));
    ippc_value_destroy(&c);
    ippc_value_destroy(&d);
}
END_TEST

/* Python's len(range(...)) for these, computed with /usr/bin/python3. */
static const struct {
    int64_t start, stop, step;
    size_t len;
} range_cases[] = {
    {0, 16, 1, 16},
    {0, 10, 3, 4},
    {10, 0, -3, 4},
    {0, 0, 1, 0},
    {5, 0, 1, 0},
    {0, 5, -1, 0},
    {-5, 5, 2, 5},
    {INT64_MIN, INT64_MAX, 1, (size_t)UINT64_MAX},
    {INT64_MAX, INT64_MIN, -1, (size_t)UINT64_MAX},
    {INT64_MIN, INT64_MAX, INT64_MAX, 3},
    {INT64_MAX, INT64_MIN, INT64_MIN, 2},
    {0, 1, INT64_MAX, 1},
};

START_TEST(test_range)
{
    ippc_value_t *r = ippc_value_new_range(range_cases[_i].start, range_cases[_i].stop, range_cases[_i].step);
    ck_assert_uint_eq(ippc_value_len(r), range_cases[_i].len);
    ck_assert_int_eq(ippc_value_range_start(r), range_cases[_i].start);
    ck_assert_int_eq(ippc_value_range_stop(r), range_cases[_i].stop);
    ck_assert_int_eq(ippc_value_range_step(r), range_cases[_i].step);
    ippc_value_destroy(&r);
}
END_TEST

START_TEST(test_range_invalid)
{
    ck_assert_ptr_null(ippc_value_new_range(0, 10, 0));
}
END_TEST

static bool little_endian(void)
{
    union {
        uint16_t u;
        unsigned char c[2];
    } x = {1};
    return x.c[0] == 1;
}

/* dtype strings numpy accepts, and what numpy's dtype.str makes of them. */
static const struct {
    const char *in, *norm;
    size_t itemsize;
} good_dtypes[] = {
    {"<f8", "<f8", 8}, {"=f8", "<f8", 8},  {"|f4", "<f4", 4},  {">f8", ">f8", 8},  {"<i1", "|i1", 1},
    {">u1", "|u1", 1}, {"|b1", "|b1", 1},  {"<b1", "|b1", 1},  {"<f2", "<f2", 2},  {"<f16", "<f16", 16},
    {"<c8", "<c8", 8}, {">c16", ">c16", 16}, {"<c32", "<c32", 32}, {"<i8", "<i8", 8}, {"<u2", "<u2", 2},
};
static const char *const bad_dtypes[] = {"f8", "<f", "<f3", "<i16", "<f1", "<c4", "<b2", "<x8", "<f08", "<f8 ",
                                         "!f8", "", "<U8", "<O8", "<f888", NULL};

START_TEST(test_ndarray_dtypes)
{
    size_t shape[1] = {3};
    for (size_t i = 0; i < sizeof good_dtypes / sizeof good_dtypes[0]; i++) {
        ippc_value_t *a = ippc_value_new_ndarray(good_dtypes[i].in, 1, shape, NULL);
        ck_assert_msg(a != NULL, "dtype %s rejected", good_dtypes[i].in);
        /* the expectations assume a little-endian host for native order */
        if (good_dtypes[i].norm[0] != '<' || little_endian())
            ck_assert_str_eq(ippc_value_ndarray_dtype(a), good_dtypes[i].norm);
        ck_assert_uint_eq(ippc_value_ndarray_itemsize(a), good_dtypes[i].itemsize);
        size_t nbytes;
        unsigned char *data = ippc_value_ndarray_data(a, &nbytes);
        ck_assert_uint_eq(nbytes, 3 * good_dtypes[i].itemsize);
        for (size_t k = 0; k < nbytes; k++) /* zero-filled */
            ck_assert_int_eq(data[k], 0);
        ippc_value_destroy(&a);
    }
    for (size_t i = 0; i < sizeof bad_dtypes / sizeof bad_dtypes[0]; i++)
        ck_assert_msg(ippc_value_new_ndarray(bad_dtypes[i], 1, shape, NULL) == NULL, "dtype %s accepted",
                      bad_dtypes[i] ? bad_dtypes[i] : "NULL");
}
END_TEST

START_TEST(test_ndarray)
{
    size_t shape[2] = {2, 3};
    double data[6] = {1, 2, 3, 4, 5, 6};
    ippc_value_t *a = ippc_value_new_ndarray("<f8", 2, shape, data);
    ck_assert_uint_eq(ippc_value_ndarray_ndim(a), 2);
    ck_assert_uint_eq(ippc_value_ndarray_shape(a)[1], 3);
    ck_assert_uint_eq(ippc_value_len(a), 2);
    size_t nbytes;
    double *d = ippc_value_ndarray_data(a, &nbytes);
    ck_assert_uint_eq(nbytes, sizeof data);
    ck_assert_ptr_ne(d, data); /* copied */
    ck_assert(d[5] == 6);
    ippc_value_destroy(&a);

    a = ippc_value_new_ndarray("<i4", 0, NULL, NULL); /* 0-d: one item */
    ippc_value_ndarray_data(a, &nbytes);
    ck_assert_uint_eq(nbytes, 4);
    ck_assert_uint_eq(ippc_value_len(a), 0);
    ck_assert_ptr_null(ippc_value_ndarray_shape(a));
    ippc_value_destroy(&a);

    size_t empty[3] = {4, 0, SIZE_MAX}; /* a zero dimension makes any shape empty */
    a = ippc_value_new_ndarray("<f8", 3, empty, NULL);
    ck_assert_ptr_nonnull(a);
    ippc_value_ndarray_data(a, &nbytes);
    ck_assert_uint_eq(nbytes, 0);
    ippc_value_destroy(&a);

    size_t huge[2] = {SIZE_MAX / 2, 3};
    ck_assert_ptr_null(ippc_value_new_ndarray("<f8", 2, huge, NULL)); /* overflow */
    size_t big8[1] = {SIZE_MAX / 4};
    ck_assert_ptr_null(ippc_value_new_ndarray("<f8", 1, big8, NULL)); /* times itemsize */
    size_t many[33] = {0};
    ck_assert_ptr_null(ippc_value_new_ndarray("<f8", 33, many, NULL)); /* numpy allows 32 dims */
    ck_assert_ptr_null(ippc_value_new_ndarray("<f8", 2, NULL, NULL));
}
END_TEST

START_TEST(test_wrap_ndarray)
{
    freed = 0;
    ippc_value_t *a = tracked_array();
    ck_assert_ptr_nonnull(a);
    ippc_value_t *c = ippc_value_copy(a); /* shares the memory */
    ck_assert_ptr_eq(ippc_value_ndarray_data(a, NULL), ippc_value_ndarray_data(c, NULL));
    ippc_value_destroy(&a);
    ck_assert_int_eq(freed, 0);
    ippc_value_destroy(&c);
    ck_assert_int_eq(freed, 1);
    /* on failure the caller keeps its memory: free_fn is not called */
    size_t shape[1] = {1};
    double x;
    ck_assert_ptr_null(ippc_value_wrap_ndarray("<q8", 1, shape, &x, count_free, NULL));
    ck_assert_ptr_null(ippc_value_wrap_ndarray("<f8", 1, shape, NULL, count_free, NULL));
    ck_assert_int_eq(freed, 1);
    a = ippc_value_wrap_ndarray("<f8", 1, shape, &x, NULL, NULL); /* no free_fn */
    ck_assert_ptr_eq(ippc_value_ndarray_data(a, NULL), &x);
    ippc_value_destroy(&a);
}
END_TEST

START_TEST(test_pyobj)
{
    size_t len;
    ippc_value_t *p = ippc_value_new_pyobj("datetime.date", "datetime.date(2024, 1, 2)", "\x80\x04\x95", 3);
    ck_assert_str_eq(ippc_value_pyobj_type(p), "datetime.date");
    ck_assert_str_eq(ippc_value_pyobj_repr(p), "datetime.date(2024, 1, 2)");
    ck_assert_mem_eq(ippc_value_pyobj_pickle(p, &len), "\x80\x04\x95", 3);
    ck_assert_uint_eq(len, 3);
    ippc_value_destroy(&p);
    ck_assert_ptr_null(ippc_value_new_pyobj(NULL, "r", "", 0));
    ck_assert_ptr_null(ippc_value_new_pyobj("t", NULL, "", 0));
    ck_assert_ptr_null(ippc_value_new_pyobj("t", "r", NULL, 2));
}
END_TEST

static ippc_value_t *sample(void)
{
    ippc_value_t *l = ippc_value_new_list();
    ippc_value_t *d = ippc_value_new_dict();
    ippc_value_dict_set(d, "arr", tracked_array());
    ippc_value_dict_set(d, "s", ippc_value_new_str("x"));
    ippc_value_append(l, d);
    ippc_value_append(l, ippc_value_new_float(NAN));
    ippc_value_append(l, ippc_value_new_bytes("ab", 2));
    ippc_value_append(l, ippc_value_new_pyobj("T", "T()", "p", 1));
    ippc_value_append(l, ippc_value_new_range(0, 4, 2));
    return l;
}

START_TEST(test_copy_deep)
{
    freed = 0;
    ippc_value_t *a = sample();
    ippc_value_t *b = ippc_value_copy(a);
    ck_assert(ippc_value_equal(a, b)); /* NaN equals NaN structurally */
    ck_assert_ptr_ne(ippc_value_item(a, 0), ippc_value_item(b, 0));
    /* array memory is shared, the containers are not */
    ck_assert_ptr_eq(ippc_value_ndarray_data(ippc_value_dict_get(ippc_value_item(a, 0), "arr"), NULL),
                     ippc_value_ndarray_data(ippc_value_dict_get(ippc_value_item(b, 0), "arr"), NULL));
    ippc_value_append(b, ippc_value_new_none());
    ck_assert(!ippc_value_equal(a, b));
    ck_assert_uint_eq(ippc_value_len(a), 5);
    ippc_value_destroy(&a);
    ck_assert_int_eq(freed, 0);
    ippc_value_destroy(&b);
    ck_assert_int_eq(freed, 1);
    ck_assert_ptr_null(ippc_value_copy(NULL));
}
END_TEST

START_TEST(test_equal)
{
    ippc_value_t *a, *b;
#define EQ(x, y, want)                                                                                      \
    do {                                                                                                    \
        a = (x);                                                                                            \
        b = (y);                                                                                            \
        ck_assert_msg(ippc_value_equal(a, b) == (want), "line %d", __LINE__);                             \
        ippc_value_destroy(&a);                                                                             \
        ippc_value_destroy(&b);                                                                             \
    } while (0)
    EQ(ippc_value_new_int(1), ippc_value_new_float(1.0), false); /* types differ */
    EQ(ippc_value_new_float(-0.0), ippc_value_new_float(0.0), true);
    EQ(ippc_value_new_float(NAN), ippc_value_new_float(NAN), true);
    EQ(ippc_value_new_str("a"), ippc_value_new_strn("a\0", 2), false);
    EQ(ippc_value_new_list(), ippc_value_new_tuple(), false);
    /* ranges compare as sequences, like Python */
    EQ(ippc_value_new_range(0, 0, 1), ippc_value_new_range(5, 5, 3), true);
    EQ(ippc_value_new_range(0, 3, 2), ippc_value_new_range(0, 4, 2), true);
    EQ(ippc_value_new_range(0, 1, 2), ippc_value_new_range(0, 1, 5), true);
    EQ(ippc_value_new_range(0, 3, 1), ippc_value_new_range(0, 4, 1), false);
    EQ(ippc_value_new_bytes("ab", 2), ippc_value_new_bytes("ab", 2), true);
    EQ(ippc_value_new_pyobj("T", "r", "x", 1), ippc_value_new_pyobj("T", "r", "y", 1), false);
    size_t s1[1] = {2}, s2[2] = {1, 2};
    EQ(ippc_value_new_ndarray("<f8", 1, s1, NULL), ippc_value_new_ndarray("<f8", 2, s2, NULL), false);
    EQ(ippc_value_new_ndarray("<f8", 1, s1, NULL), ippc_value_new_ndarray("<i8", 1, s1, NULL), false);
    EQ(ippc_value_new_ndarray("=f8", 1, s1, NULL), ippc_value_new_ndarray("<f8", 1, s1, NULL), true);
    ck_assert(ippc_value_equal(NULL, NULL));
    /* dicts: the same items in any order */
    a = ippc_value_new_dict();
    b = ippc_value_new_dict();
    ippc_value_dict_set(a, "x", ippc_value_new_int(1));
    ippc_value_dict_set(a, "y", ippc_value_new_int(2));
    ippc_value_dict_set(b, "y", ippc_value_new_int(2));
    ck_assert(!ippc_value_equal(a, b));
    ippc_value_dict_set(b, "x", ippc_value_new_int(1));
    ck_assert(ippc_value_equal(a, b));
    ippc_value_dict_set(b, "x", ippc_value_new_int(3));
    ck_assert(!ippc_value_equal(a, b));
    ippc_value_destroy(&a);
    ippc_value_destroy(&b);
#undef EQ
}
END_TEST

static Suite *value_suite(void)
{
    Suite *s = suite_create("value");
    TCase *tc = tcase_create("value");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_scalars);
    tcase_add_test(tc, test_type_names);
    tcase_add_test(tc, test_str);
    tcase_add_loop_test(tc, test_str_invalid_utf8, 0, sizeof bad_utf8 / sizeof bad_utf8[0]);
    tcase_add_test(tc, test_bytes);
    tcase_add_test(tc, test_list_tuple);
    tcase_add_test(tc, test_ownership_on_failure);
    tcase_add_test(tc, test_dict);
    tcase_add_test(tc, test_dict_large);
    tcase_add_loop_test(tc, test_range, 0, sizeof range_cases / sizeof range_cases[0]);
    tcase_add_test(tc, test_range_invalid);
    tcase_add_test(tc, test_ndarray_dtypes);
    tcase_add_test(tc, test_ndarray);
    tcase_add_test(tc, test_wrap_ndarray);
    tcase_add_test(tc, test_pyobj);
    tcase_add_test(tc, test_copy_deep);
    tcase_add_test(tc, test_equal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(value_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
