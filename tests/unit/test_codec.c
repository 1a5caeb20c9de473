/* test_codec.c - the JSON + buffers encoding of values (value_codec.h): the exact
 * descriptions, round trips of every type, zero-copy buffers, and every kind of
 * malformed description giving IPPC_E_PARSE with a precise message. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"
#include "value_codec.h"

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Encode, check the description text and the number of buffers, decode, compare. */
static void roundtrip(ippc_value_t *v, const char *want_json, size_t want_bufs)
{
    ck_assert_ptr_nonnull(v);
    ippc_error_t *err = NULL;
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    json_t *j = ippc_value_encode(v, &bufs, &err);
    ck_assert_msg(j != NULL, "encode: %s", err ? ippc_error_message(err) : "?");
    char *text = dump(j);
    if (want_json)
        ck_assert_str_eq(text, want_json);
    ck_assert_uint_eq(bufs.n, want_bufs);
    /* through text, as it travels */
    json_error_t jerr;
    json_t *back_json = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    ck_assert_ptr_nonnull(back_json);
    ippc_value_t *back = ippc_value_decode(back_json, bufs.items, bufs.n, &err);
    ck_assert_msg(back != NULL, "decode %s: %s", text, err ? ippc_error_message(err) : "?");
    ck_assert_msg(ippc_value_equal(v, back), "round trip of %s differs", text);
    free(text);
    json_decref(j);
    json_decref(back_json);
    ippc_bloblist_clear(&bufs);
    ippc_value_destroy(&v);
    ippc_value_destroy(&back);
}

static ippc_value_t *parse(const char *text)
{
    ippc_value_t *v = ippc_value_parse(text, NULL);
    ck_assert_msg(v != NULL, "parse %s", text);
    return v;
}

START_TEST(test_scalars)
{
    roundtrip(ippc_value_new_none(), "null", 0);
    roundtrip(ippc_value_new_bool(false), "false", 0);
    roundtrip(ippc_value_new_int(INT64_MIN), "-9223372036854775808", 0);
    roundtrip(ippc_value_new_int(INT64_MAX), "9223372036854775807", 0);
    roundtrip(ippc_value_new_float(1.0), "1.0", 0); /* stays a float */
    roundtrip(ippc_value_new_float(-0.0), "-0.0", 0);
    roundtrip(ippc_value_new_float(0.1), "0.10000000000000001", 0);
    roundtrip(ippc_value_new_float(5e-324), NULL, 0);
    roundtrip(ippc_value_new_float(1.7976931348623157e308), NULL, 0);
    roundtrip(ippc_value_new_float(NAN), "{\"@\":\"float\",\"v\":\"nan\"}", 0);
    roundtrip(ippc_value_new_float(INFINITY), "{\"@\":\"float\",\"v\":\"inf\"}", 0);
    roundtrip(ippc_value_new_float(-INFINITY), "{\"@\":\"float\",\"v\":\"-inf\"}", 0);
    roundtrip(ippc_value_new_range(10, -3, -2), "{\"@\":\"range\",\"start\":10,\"step\":-2,\"stop\":-3}", 0);
}
END_TEST

START_TEST(test_strings)
{
    roundtrip(ippc_value_new_str(""), "\"\"", 0);
    roundtrip(ippc_value_new_str("h\xc3\xa9 \xf0\x9f\x98\x80"), NULL, 0);
    /* text with NUL travels as a buffer */
    roundtrip(ippc_value_new_strn("a\0b", 3), "{\"@\":\"str\",\"buf\":0}", 1);
    roundtrip(ippc_value_new_bytes("\0\xff", 2), "{\"@\":\"bytes\",\"buf\":0}", 1);
    roundtrip(ippc_value_new_bytes("", 0), "{\"@\":\"bytes\",\"buf\":0}", 1);
}
END_TEST

START_TEST(test_containers)
{
    roundtrip(parse("[]"), "[]", 0);
    roundtrip(parse("[1, [2, [3]]]"), "[1,[2,[3]]]", 0);
    roundtrip(parse("()"), "{\"@\":\"tuple\",\"items\":[]}", 0);
    roundtrip(parse("(1, 'a')"), "{\"@\":\"tuple\",\"items\":[1,\"a\"]}", 0);
    roundtrip(parse("{}"), "{\"@\":\"dict\",\"items\":[]}", 0);
    /* insertion order, not key order */
    roundtrip(parse("{'b': 1, 'a': None}"), "{\"@\":\"dict\",\"items\":[[\"b\",1],[\"a\",null]]}", 0);
    roundtrip(parse("{'@': 1}"), "{\"@\":\"dict\",\"items\":[[\"@\",1]]}", 0);
    roundtrip(parse("[b'x', (b'y', {'k': [b'z', 'n\\x00ul']})]"), NULL, 4);
    roundtrip(ippc_value_new_pyobj("decimal.Decimal", "Decimal('1.5')", "\x80\x04", 2),
              "{\"@\":\"pyobj\",\"buf\":0,\"repr\":\"Decimal('1.5')\",\"type\":\"decimal.Decimal\"}", 1);
}
END_TEST

START_TEST(test_dict_order_kept)
{
    ippc_value_t *d = ippc_value_new_dict();
    for (int i = 40; i > 0; i--) { /* past the hashed size */
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        ippc_value_dict_set(d, k, ippc_value_new_int(i));
    }
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    json_t *j = ippc_value_encode(d, &bufs, NULL);
    ippc_value_t *back = ippc_value_decode(j, NULL, 0, NULL);
    for (size_t i = 0; i < 40; i++)
        ck_assert_str_eq(ippc_value_dict_key(back, i), ippc_value_dict_key(d, i));
    json_decref(j);
    ippc_value_destroy(&d);
    ippc_value_destroy(&back);
}
END_TEST

START_TEST(test_ndarrays)
{
    size_t shape[3] = {2, 3, 4};
    int32_t data[24];
    for (int i = 0; i < 24; i++)
        data[i] = i * 1000;
    roundtrip(ippc_value_new_ndarray("<i4", 3, shape, data),
              "{\"@\":\"ndarray\",\"buf\":0,\"dtype\":\"<i4\",\"shape\":[2,3,4]}", 1);
    roundtrip(ippc_value_new_ndarray(">f8", 1, shape, NULL), NULL, 1);
    roundtrip(ippc_value_new_ndarray("<c16", 0, NULL, NULL), "{\"@\":\"ndarray\",\"buf\":0,\"dtype\":\"<c16\",\"shape\":[]}", 1);
    size_t empty[2] = {0, 5};
    roundtrip(ippc_value_new_ndarray("<f4", 2, empty, NULL), "{\"@\":\"ndarray\",\"buf\":0,\"dtype\":\"<f4\",\"shape\":[0,5]}", 1);
    roundtrip(ippc_value_new_ndarray("=u2", 1, shape, NULL), NULL, 1);
}
END_TEST

static ippc_value_t *int_list(size_t n, int64_t first)
{
    ippc_value_t *l = ippc_value_new_list();
    for (size_t i = 0; i < n; i++)
        ippc_value_append(l, ippc_value_new_int(first + (int64_t)i));
    return l;
}

/* Long lists of ints or floats travel packed (one little-endian buffer); short, mixed
 * and bool lists stay JSON arrays; both decode. */
START_TEST(test_packed_lists)
{
    ck_assert_int_eq(IPPC_PACKED_MIN, 16);
    roundtrip(int_list(15, 0), "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]", 0);
    roundtrip(int_list(16, 0), "{\"@\":\"list\",\"buf\":0,\"dtype\":\"<i8\"}", 1);
    roundtrip(int_list(100000, INT64_MAX - 99999), NULL, 1);
    ippc_value_t *f = ippc_value_new_list();
    for (int i = 0; i < 20; i++)
        ippc_value_append(f, ippc_value_new_float(i == 3 ? -0.0 : i == 5 ? INFINITY : i / 4.0));
    roundtrip(f, "{\"@\":\"list\",\"buf\":0,\"dtype\":\"<f8\"}", 1);
    ippc_value_t *mixed = int_list(20, 0);
    ippc_value_append(mixed, ippc_value_new_float(1.0));
    roundtrip(mixed, NULL, 0);
    ippc_value_t *bools = ippc_value_new_list();
    for (int i = 0; i < 20; i++)
        ippc_value_append(bools, ippc_value_new_bool(i & 1));
    roundtrip(bools, NULL, 0);
    roundtrip(ippc_value_parse("(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)", NULL),
              "{\"@\":\"tuple\",\"items\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}", 0);

    /* the bytes on the wire: little-endian whatever the host */
    ippc_value_t *v = int_list(16, -1);
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    json_t *j = ippc_value_encode(v, &bufs, NULL);
    ck_assert_uint_eq(ippc_blob_size(bufs.items[0]), 16 * 8);
    const unsigned char *p = ippc_blob_data(bufs.items[0]);
    ck_assert_mem_eq(p, "\xff\xff\xff\xff\xff\xff\xff\xff\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0", 24);
    json_decref(j);
    ippc_bloblist_clear(&bufs);
    ippc_value_destroy(&v);

    /* a packed description of any length decodes, an empty one too */
    ippc_blob_t *frame = ippc_blob_copy("\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\xf8\x3f", 16);
    json_t *desc = json_pack("{s:s, s:s, s:i}", "@", "list", "dtype", "<i8", "buf", 0);
    v = ippc_value_decode(desc, &frame, 1, NULL);
    char *r = ippc_value_repr(v);
    ck_assert_str_eq(r, "[2, 4609434218613702656]");
    free(r);
    ippc_value_destroy(&v);
    json_object_set_new(desc, "dtype", json_string("<f8"));
    v = ippc_value_decode(desc, &frame, 1, NULL);
    r = ippc_value_repr(v);
    ck_assert_str_eq(r, "[1e-323, 1.5]");
    free(r);
    ippc_value_destroy(&v);
    ippc_blob_destroy(&frame);
    frame = ippc_blob_new(0);
    v = ippc_value_decode(desc, &frame, 1, NULL);
    ck_assert_int_eq(ippc_value_type(v), IPPC_T_LIST);
    ck_assert_uint_eq(ippc_value_len(v), 0);
    ippc_value_destroy(&v);
    ippc_blob_destroy(&frame);
    json_decref(desc);
}
END_TEST

/* The buffers of a value count from where the list stood: other frames may come first. */
START_TEST(test_buffer_base)
{
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    ippc_blob_t *other = ippc_blob_copy("other", 5);
    ippc_bloblist_push(&bufs, other);
    ippc_blob_destroy(&other); /* the list keeps its own reference */
    ippc_value_t *v = parse("[b'one', b'two']");
    json_t *j = ippc_value_encode(v, &bufs, NULL);
    char *text = dump(j);
    ck_assert_str_eq(text, "[{\"@\":\"bytes\",\"buf\":0},{\"@\":\"bytes\",\"buf\":1}]");
    ck_assert_uint_eq(bufs.n, 3);
    ck_assert_mem_eq(ippc_blob_data(bufs.items[0]), "other", 5);
    ippc_value_t *back = ippc_value_decode(j, bufs.items + 1, bufs.n - 1, NULL);
    ck_assert(ippc_value_equal(v, back));
    free(text);
    json_decref(j);
    ippc_bloblist_clear(&bufs);
    ck_assert_uint_eq(bufs.n, 0);
    ippc_value_destroy(&v);
    ippc_value_destroy(&back);
}
END_TEST

/* Encoding references the value's memory and decoding references the frames. */
static int freed;
static void count_free(void *data, void *hint)
{
    (void)data;
    (void)hint;
    freed++;
}

START_TEST(test_zero_copy)
{
    static double mem[8];
    size_t shape[1] = {8};
    freed = 0;
    ippc_value_t *a = ippc_value_wrap_ndarray("<f8", 1, shape, mem, count_free, NULL);
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    json_t *j = ippc_value_encode(a, &bufs, NULL);
    ck_assert_ptr_eq(ippc_blob_data(bufs.items[0]), mem);
    ippc_value_destroy(&a);
    ck_assert_int_eq(freed, 0); /* the list still holds the memory */
    ippc_value_t *back = ippc_value_decode(j, bufs.items, bufs.n, NULL);
    ck_assert_ptr_eq(ippc_value_ndarray_data(back, NULL), mem);
    ippc_bloblist_clear(&bufs);
    ck_assert_int_eq(freed, 0);
    ippc_value_destroy(&back);
    ck_assert_int_eq(freed, 1);
    json_decref(j);

    ippc_blob_t *frame = ippc_blob_copy("payload", 7);
    json_t *desc = json_pack("{s:s, s:i}", "@", "bytes", "buf", 0);
    ippc_value_t *b = ippc_value_decode(desc, &frame, 1, NULL);
    ck_assert_ptr_eq(ippc_value_bytes(b, NULL), ippc_blob_data(frame));
    ippc_blob_destroy(&frame);
    ck_assert_mem_eq(ippc_value_bytes(b, NULL), "payload", 7); /* still alive */
    ippc_value_destroy(&b);
    json_decref(desc);
}
END_TEST

/* A failed encode leaves the buffer list as it was. */
START_TEST(test_encode_errors)
{
    ippc_error_t *err = NULL;
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    ippc_value_t *root = ippc_value_new_list(), *cur = root;
    ippc_value_append(cur, ippc_value_new_bytes("x", 1));
    for (int i = 0; i < IPPC_VALUE_MAX_DEPTH; i++) {
        ippc_value_t *next = ippc_value_new_list();
        ippc_value_append(cur, next);
        cur = next;
    }
    ck_assert_ptr_null(ippc_value_encode(root, &bufs, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ck_assert_str_eq(ippc_error_message(err), "value nests more than 256 containers");
    ck_assert_uint_eq(bufs.n, 0);
    ippc_error_destroy(&err);
    ippc_value_destroy(&root);
    ck_assert_ptr_null(ippc_value_encode(NULL, &bufs, &err));
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_value_encode(root, NULL, &err));
    ippc_error_destroy(&err);
    ippc_bloblist_clear(&bufs);
}
END_TEST

/* Exactly IPPC_VALUE_MAX_DEPTH nested containers decode; one more does not. */
START_TEST(test_decode_depth)
{
    ippc_error_t *err = NULL;
    char text[600];
    for (int depth = 256; depth <= 257; depth++) {
        memset(text, '[', (size_t)depth);
        memset(text + depth, ']', (size_t)depth);
        text[2 * depth] = '\0';
        json_t *j = json_loads(text, 0, NULL);
        ippc_value_t *v = ippc_value_decode(j, NULL, 0, &err);
        if (depth == 256) {
            ck_assert_ptr_nonnull(v);
        } else {
            ck_assert_ptr_null(v);
            ck_assert_int_eq(ippc_error_code(err), IPPC_E_PARSE);
            ck_assert_ptr_nonnull(strstr(ippc_error_message(err), ": more than 256 nested containers"));
            ippc_error_destroy(&err);
        }
        ippc_value_destroy(&v);
        json_decref(j);
    }
}
END_TEST

/* Hostile descriptions. Buffers available: 0 = 16 bytes, 1 = "\xff\xfe" (bad UTF-8). */
static const struct {
    const char *json, *message;
} bad_cases[] = {
    {"{\"a\": 1}", "invalid value description at $: object without an \"@\" tag"},
    {"{\"@\": 5}", "at $: \"@\" tag must be a string, not an integer"},
    {"{\"@\": \"frob\"}", "at $: unknown tag \"frob\""},
    {"{\"@\": \"range\", \"start\": 0, \"stop\": 1}", "at $: missing field 'step'"},
    {"{\"@\": \"range\", \"start\": \"0\", \"stop\": 1, \"step\": 1}", "at $: field 'start' must be an integer, not a string"},
    {"{\"@\": \"range\", \"start\": 0, \"stop\": 1.0, \"step\": 1}", "at $: field 'stop' must be an integer, not a real"},
    {"{\"@\": \"range\", \"start\": 0, \"stop\": 1, \"step\": 0}", "at $: range step must not be zero"},
    {"{\"@\": \"range\", \"start\": 0, \"stop\": 1, \"step\": 1, \"x\": 0}", "at $: unexpected field 'x' in range"},
    {"{\"@\": \"float\", \"v\": \"NaN\"}", "at $: float 'v' must be \"nan\", \"inf\" or \"-inf\", not \"NaN\""},
    {"{\"@\": \"float\", \"v\": 1.5}", "at $: field 'v' must be a string, not a real"},
    {"{\"@\": \"bytes\", \"buf\": 2}", "at $: buffer index 2 out of range (2 buffers)"},
    {"{\"@\": \"bytes\", \"buf\": -1}", "at $: buffer index -1 out of range (2 buffers)"},
    {"{\"@\": \"bytes\", \"buf\": null}", "at $: field 'buf' must be an integer, not null"},
    {"{\"@\": \"bytes\"}", "at $: missing field 'buf'"},
    {"{\"@\": \"str\", \"buf\": 1}", "at $: string is not valid UTF-8"},
    {"{\"@\": \"tuple\"}", "at $: missing field 'items'"},
    {"{\"@\": \"tuple\", \"items\": {}}", "at $: field 'items' must be an array, not an object"},
    {"{\"@\": \"dict\", \"items\": [[1, 2]]}", "at $.items[0]: dict key must be a string, not an integer"},
    {"{\"@\": \"dict\", \"items\": [[\"a\"]]}", "at $.items[0]: dict item must be a [key, value] pair, not an array"},
    {"{\"@\": \"dict\", \"items\": [\"a\"]}", "at $.items[0]: dict item must be a [key, value] pair, not a string"},
    {"{\"@\": \"dict\", \"items\": [[\"a\", {\"@\": 1}]]}", "at $.items[0][1]: \"@\" tag must be a string"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f8\", \"shape\": [3], \"buf\": 0}",
     "at $: ndarray buffer holds 16 bytes, shape and dtype <f8 need 24"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f8\", \"shape\": [-1], \"buf\": 0}", "at $: shape[0] must be a non-negative integer"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f8\", \"shape\": [\"2\"], \"buf\": 0}", "at $: shape[0] must be a non-negative integer"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f3\", \"shape\": [2], \"buf\": 0}", "at $: invalid dtype '<f3'"},
    {"{\"@\": \"ndarray\", \"dtype\": 8, \"shape\": [2], \"buf\": 0}", "at $: field 'dtype' must be a string"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f8\", \"shape\": [4611686018427387904, 4611686018427387904], \"buf\": 0}",
     "at $: ndarray shape overflows the address space"},
    {"{\"@\": \"ndarray\", \"dtype\": \"<f8\", \"shape\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1], "
     "\"buf\": 0}",
     "at $: ndarray has 33 dimensions (at most 32)"},
    {"{\"@\": \"ndarray\", \"shape\": [2], \"buf\": 0}", "at $: missing field 'dtype'"},
    {"{\"@\": \"pyobj\", \"type\": \"T\", \"repr\": \"T()\"}", "at $: missing field 'buf'"},
    {"{\"@\": \"pyobj\", \"type\": \"T\", \"buf\": 0}", "at $: missing field 'repr'"},
    {"[1, [2, {\"@\": \"bytes\", \"buf\": 9}]]", "at $[1][1]: buffer index 9 out of range"},
    {"{\"@\": \"tuple\", \"items\": [0, {}]}", "at $.items[1]: object without an \"@\" tag"},
    {"{\"@\": \"list\", \"dtype\": \"<i4\", \"buf\": 0}",
     "at $: packed list dtype must be \"<i8\" or \"<f8\", not \"<i4\""},
    {"{\"@\": \"list\", \"dtype\": \"<f8\", \"buf\": 1}", "at $: packed list buffer holds 2 bytes, not a multiple of 8"},
    {"{\"@\": \"list\", \"buf\": 0}", "at $: missing field 'dtype'"},
    {"{\"@\": \"list\", \"dtype\": \"<i8\"}", "at $: missing field 'buf'"},
    {"{\"@\": \"list\", \"dtype\": \"<i8\", \"buf\": 0, \"shape\": [2]}", "at $: unexpected field 'shape' in list"},
    {"[{\"@\": \"list\", \"dtype\": \"<i8\", \"buf\": 5}]", "at $[0]: buffer index 5 out of range"},
};

START_TEST(test_decode_malformed)
{
    ippc_blob_t *bufs[2] = {ippc_blob_new(16), ippc_blob_copy("\xff\xfe", 2)};
    memset(ippc_blob_data(bufs[0]), 0, 16);
    json_error_t jerr;
    json_t *j = json_loads(bad_cases[_i].json, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", bad_cases[_i].json, jerr.text);
    ippc_error_t *err = NULL;
    ippc_value_t *v = ippc_value_decode(j, bufs, 2, &err);
    ck_assert_msg(v == NULL, "%s decoded", bad_cases[_i].json);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_PARSE);
    ck_assert_msg(strstr(ippc_error_message(err), bad_cases[_i].message) != NULL, "%s: got \"%s\", want \"%s\"",
                  bad_cases[_i].json, ippc_error_message(err), bad_cases[_i].message);
    ippc_value_destroy(&v);
    ippc_error_destroy(&err);
    json_decref(j);
    ippc_blob_destroy(&bufs[0]);
    ippc_blob_destroy(&bufs[1]);
}
END_TEST

/* Strings that bypassed jansson's UTF-8 check, and a NUL-less error path. */
START_TEST(test_decode_invalid_utf8_json)
{
    ippc_error_t *err = NULL;
    json_t *s = json_stringn_nocheck("\xc0\xaf", 2);
    ck_assert_ptr_null(ippc_value_decode(s, NULL, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "invalid value description at $: string is not valid UTF-8");
    ippc_error_destroy(&err);
    json_t *d = json_pack("{s:s, s:[[o, i]]}", "@", "dict", "items", json_stringn_nocheck("\xed\xa0\x80", 3), 1);
    ck_assert_ptr_null(ippc_value_decode(d, NULL, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "invalid value description at $.items[0]: dict key is not valid UTF-8");
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_value_decode(NULL, NULL, 0, &err));
    ck_assert_str_eq(ippc_error_message(err), "invalid value description at $: missing value");
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_value_decode(d, NULL, 0, NULL)); /* err may be NULL */
    json_decref(s);
    json_decref(d);
}
END_TEST

/* Duplicate keys in a description: the last value wins at the first position (as a
 * Python dict literal does). */
START_TEST(test_decode_duplicate_keys)
{
    json_t *j = json_loads("{\"@\":\"dict\",\"items\":[[\"a\",1],[\"b\",2],[\"a\",3]]}", 0, NULL);
    ippc_value_t *v = ippc_value_decode(j, NULL, 0, NULL);
    char *r = ippc_value_repr(v);
    ck_assert_str_eq(r, "{'a': 3, 'b': 2}");
    free(r);
    ippc_value_destroy(&v);
    json_decref(j);
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_scalars);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_containers);
    tcase_add_test(tc, test_dict_order_kept);
    tcase_add_test(tc, test_ndarrays);
    tcase_add_test(tc, test_packed_lists);
    tcase_add_test(tc, test_buffer_base);
    tcase_add_test(tc, test_zero_copy);
    tcase_add_test(tc, test_encode_errors);
    tcase_add_test(tc, test_decode_depth);
    tcase_add_loop_test(tc, test_decode_malformed, 0, sizeof bad_cases / sizeof bad_cases[0]);
    tcase_add_test(tc, test_decode_invalid_utf8_json);
    tcase_add_test(tc, test_decode_duplicate_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
