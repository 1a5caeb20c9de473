/* test_conninfo.c - connection files: reading what ipcontroller 7.1 writes, writing it
 * back byte for byte, the atomic 0600 writer, and every kind of bad input with its error
 * code and message. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conninfo.h"
#include "filetest.h"
#include "jsonfile.h"
#include "strbuf.h"

/* Written by a real `ipcontroller --ip=127.0.0.1 --cluster-id=t1` (ipyparallel 7.1). */
static const char stock_client[] = "{\n"
                                   "  \"ssh\": \"\",\n"
                                   "  \"interface\": \"tcp://127.0.0.1\",\n"
                                   "  \"registration\": 35561,\n"
                                   "  \"control\": 43589,\n"
                                   "  \"mux\": 45299,\n"
                                   "  \"task\": 35423,\n"
                                   "  \"task_scheme\": \"leastload\",\n"
                                   "  \"iopub\": 33541,\n"
                                   "  \"notification\": 51581,\n"
                                   "  \"broadcast\": 60229,\n"
                                   "  \"key\": \"ef8d4a5c-44e81015f365815342931d6c\",\n"
                                   "  \"curve_serverkey\": null,\n"
                                   "  \"location\": \"vm\",\n"
                                   "  \"pack\": \"json\",\n"
                                   "  \"unpack\": \"json\",\n"
                                   "  \"signature_scheme\": \"hmac-sha256\"\n"
                                   "}";

static const char stock_engine[] = "{\n"
                                   "  \"ssh\": \"\",\n"
                                   "  \"interface\": \"tcp://127.0.0.1\",\n"
                                   "  \"registration\": 35561,\n"
                                   "  \"control\": 35399,\n"
                                   "  \"mux\": 51901,\n"
                                   "  \"task\": 56495,\n"
                                   "  \"iopub\": 36313,\n"
                                   "  \"hb_ping\": 42289,\n"
                                   "  \"hb_pong\": 57989,\n"
                                   "  \"broadcast\": [\n"
                                   "    37687,\n"
                                   "    36469\n"
                                   "  ],\n"
                                   "  \"key\": \"ef8d4a5c-44e81015f365815342931d6c\",\n"
                                   "  \"curve_serverkey\": null,\n"
                                   "  \"location\": \"vm\",\n"
                                   "  \"pack\": \"json\",\n"
                                   "  \"unpack\": \"json\",\n"
                                   "  \"signature_scheme\": \"hmac-sha256\"\n"
                                   "}";

static char *dir;

static void setup(void) { dir = ft_tmpdir(); }
static void teardown(void)
{
    ft_rmtree(dir);
    dir = NULL;
}

/* Write text to dir/name and read it back as a connection file. */
static ippc_conninfo_t *read_text(const char *name, const char *text, ippc_error_t **err)
{
    char *path = ft_path(dir, name);
    ft_write(path, text);
    ippc_conninfo_t *ci = ippc_conninfo_read(path, err);
    free(path);
    return ci;
}

/* A stock text with one key's value replaced (or the key removed when value is NULL),
 * to make bad inputs that differ from a good file in one place. */
static char *stock_with(const char *stock, const char *key, const char *value)
{
    json_t *j = json_loads(stock, 0, NULL);
    ck_assert_ptr_nonnull(j);
    if (value)
        json_object_set_new(j, key, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(j, key);
    char *text = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    return text;
}

static char *client_with(const char *key, const char *value) { return stock_with(stock_client, key, value); }
static char *engine_with(const char *key, const char *value) { return stock_with(stock_engine, key, value); }

/* ------------------------------------------------------------------ reading */

START_TEST(reads_the_stock_client_file)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = read_text("c.json", stock_client, &err);
    ck_assert_msg(ci != NULL, "%s", ippc_error_message(err));
    ck_assert_int_eq(ci->side, IPPC_SIDE_CLIENT);
    ck_assert_str_eq(ci->interface, "tcp://127.0.0.1");
    ck_assert_str_eq(ci->location, "vm");
    ck_assert_str_eq(ci->key, "ef8d4a5c-44e81015f365815342931d6c");
    ck_assert_str_eq(ci->signature_scheme, "hmac-sha256");
    ck_assert_str_eq(ci->ssh, "");
    ck_assert_str_eq(ci->pack, "json");
    ck_assert_str_eq(ci->unpack, "json");
    ck_assert_str_eq(ci->task_scheme, "leastload");
    ck_assert_ptr_null(ci->curve_serverkey);
    ck_assert_int_eq(ci->registration, 35561);
    ck_assert_int_eq(ci->control, 43589);
    ck_assert_int_eq(ci->mux, 45299);
    ck_assert_int_eq(ci->task, 35423);
    ck_assert_int_eq(ci->iopub, 33541);
    ck_assert_int_eq(ci->notification, 51581);
    ck_assert_uint_eq(ci->nbroadcast, 1);
    ck_assert_int_eq(ci->broadcast[0], 60229);
    ck_assert_uint_eq(json_object_size(ci->extra), 0);
    ippc_conninfo_destroy(&ci);
    ck_assert_ptr_null(ci);
    ippc_conninfo_destroy(&ci);
    ippc_conninfo_destroy(NULL);
}
END_TEST

START_TEST(reads_the_stock_engine_file)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = read_text("e.json", stock_engine, &err);
    ck_assert_msg(ci != NULL, "%s", ippc_error_message(err));
    ck_assert_int_eq(ci->side, IPPC_SIDE_ENGINE);
    ck_assert_int_eq(ci->registration, 35561);
    ck_assert_int_eq(ci->control, 35399);
    ck_assert_int_eq(ci->hb_ping, 42289);
    ck_assert_int_eq(ci->hb_pong, 57989);
    ck_assert_uint_eq(ci->nbroadcast, 2);
    ck_assert_int_eq(ci->broadcast[0], 37687);
    ck_assert_int_eq(ci->broadcast[1], 36469);
    ck_assert_ptr_null(ci->task_scheme);
    ippc_conninfo_destroy(&ci);
}
END_TEST

/* The engine reads ssh and curve_serverkey only if present; the client needs no
 * location (cfg.setdefault('location', None)). */
START_TEST(optional_keys_take_the_stock_defaults)
{
    ippc_error_t *err = NULL;
    char *text = engine_with("ssh", NULL);
    json_t *j = json_loads(text, 0, NULL);
    json_object_del(j, "curve_serverkey");
    ippc_conninfo_t *ci = ippc_conninfo_from_json(j, "env IPP_CONNECTION_INFO", &err);
    ck_assert_msg(ci != NULL, "%s", ippc_error_message(err));
    ck_assert_str_eq(ci->ssh, "");
    ck_assert_ptr_null(ci->curve_serverkey);
    ippc_conninfo_destroy(&ci);
    json_decref(j);
    free(text);

    text = client_with("location", NULL);
    ci = read_text("c.json", text, &err);
    ck_assert_ptr_nonnull(ci);
    ck_assert_ptr_null(ci->location);
    char *url = ippc_conninfo_url(ci, 5);
    ck_assert_str_eq(url, "tcp://127.0.0.1:5");
    free(url);
    ippc_conninfo_destroy(&ci);
    free(text);

    text = client_with("curve_serverkey", "\"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"");
    ci = read_text("c.json", text, &err);
    ck_assert_ptr_nonnull(ci);
    ck_assert_str_eq(ci->curve_serverkey, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    ippc_conninfo_destroy(&ci);
    free(text);
}
END_TEST

START_TEST(parses_text_as_from_the_environment)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = ippc_conninfo_parse(stock_engine, strlen(stock_engine), "IPP_CONNECTION_INFO", &err);
    ck_assert_ptr_nonnull(ci);
    ck_assert_int_eq(ci->side, IPPC_SIDE_ENGINE);
    ippc_conninfo_destroy(&ci);
    ck_assert_ptr_null(ippc_conninfo_parse("{\"mux\": ", 8, "IPP_CONNECTION_INFO", &err));
    ft_assert_error(&err, IPPC_E_PARSE, "IPP_CONNECTION_INFO:1:8: invalid JSON: ");
    json_t *arr = json_array();
    ck_assert_ptr_null(ippc_conninfo_from_json(arr, "X", &err));
    ft_assert_error(&err, IPPC_E_PARSE, "X: not a JSON object");
    json_decref(arr);
}
END_TEST

/* ------------------------------------------------------------------ writing */

static void assert_rewrite_is_identical(const char *text)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = read_text("in.json", text, &err);
    ck_assert_ptr_nonnull(ci);
    char *out = ft_path(dir, "out.json");
    ck_assert_int_eq(ippc_conninfo_write(ci, out, &err), 0);
    char *got = ft_read(out);
    ck_assert_str_eq(got, text);
    free(got);
    free(out);
    ippc_conninfo_destroy(&ci);
}

START_TEST(rewriting_a_stock_file_gives_the_same_bytes)
{
    assert_rewrite_is_identical(stock_client);
    assert_rewrite_is_identical(stock_engine);
}
END_TEST

static ippc_conninfo_t *made(ippc_side_t side)
{
    ippc_conninfo_t *ci = ippc_conninfo_new(side);
    ck_assert_ptr_nonnull(ci);
    free(ci->key);
    ci->key = strdup("k\xc3\xa9y"); /* non-ASCII: \u-escaped like Python's json */
    ci->registration = 1001;
    ci->control = 1002;
    ci->mux = 1003;
    ci->task = 1004;
    ci->iopub = 1005;
    if (side == IPPC_SIDE_CLIENT) {
        ci->notification = 1006;
        ci->broadcast[0] = 1007;
        ci->nbroadcast = 1;
    } else {
        ci->hb_ping = 1008;
        ci->hb_pong = 1009;
        for (int i = 0; i < 3; i++)
            ci->broadcast[i] = 1010 + i;
        ci->nbroadcast = 3;
    }
    return ci;
}

static void assert_same(const ippc_conninfo_t *a, const ippc_conninfo_t *b)
{
    ck_assert_int_eq(a->side, b->side);
    ck_assert_str_eq(a->interface, b->interface);
    ck_assert_str_eq(a->location, b->location);
    ck_assert_str_eq(a->key, b->key);
    ck_assert_str_eq(a->signature_scheme, b->signature_scheme);
    ck_assert_str_eq(a->ssh, b->ssh);
    ck_assert_str_eq(a->pack, b->pack);
    ck_assert_str_eq(a->unpack, b->unpack);
    ck_assert_int_eq(a->registration, b->registration);
    ck_assert_int_eq(a->control, b->control);
    ck_assert_int_eq(a->mux, b->mux);
    ck_assert_int_eq(a->task, b->task);
    ck_assert_int_eq(a->iopub, b->iopub);
    ck_assert_int_eq(a->notification, b->notification);
    ck_assert_int_eq(a->hb_ping, b->hb_ping);
    ck_assert_int_eq(a->hb_pong, b->hb_pong);
    ck_assert_uint_eq(a->nbroadcast, b->nbroadcast);
    for (size_t i = 0; i < a->nbroadcast; i++)
        ck_assert_int_eq(a->broadcast[i], b->broadcast[i]);
}

START_TEST(round_trip_both_sides)
{
    for (int side = IPPC_SIDE_CLIENT; side <= IPPC_SIDE_ENGINE; side++) {
        ippc_conninfo_t *ci = made((ippc_side_t)side);
        char *path = ft_path(dir, "security/rt.json"); /* the directory is created */
        ippc_error_t *err = NULL;
        ck_assert_msg(ippc_conninfo_write(ci, path, &err) == 0, "%s", ippc_error_message(err));
        ippc_conninfo_t *back = ippc_conninfo_read(path, &err);
        ck_assert_msg(back != NULL, "%s", ippc_error_message(err));
        assert_same(ci, back);
        char *text = ft_read(path);
        ck_assert_ptr_nonnull(strstr(text, "\"key\": \"k\\u00e9y\""));
        ck_assert_ptr_nonnull(strstr(text, "\"curve_serverkey\": null"));
        ck_assert_ptr_nonnull(strstr(text, "\"ssh\": \"\""));
        ck_assert_ptr_nonnull(strstr(text, "\"pack\": \"json\""));
        free(text);
        char *sec = ft_path(dir, "security");
        ck_assert_uint_eq(ft_mode(sec), 0700);
        free(sec);
        ippc_conninfo_destroy(&back);
        ippc_conninfo_destroy(&ci);
        free(path);
    }
}
END_TEST

START_TEST(unknown_keys_are_kept_after_the_known_ones)
{
    char *text = client_with("zz_future", "{\"a\": [1, 2]}");
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = read_text("c.json", text, &err);
    ck_assert_ptr_nonnull(ci);
    ck_assert_uint_eq(json_object_size(ci->extra), 1);
    ck_assert_ptr_nonnull(json_object_get(ci->extra, "zz_future"));
    /* a known key put into extra does not override the field */
    json_object_set_new(ci->extra, "mux", json_integer(1));
    json_t *j = ippc_conninfo_to_json(ci);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "mux")), 45299);
    const char *last = NULL, *key;
    json_t *v;
    json_object_foreach (j, key, v)
        last = key;
    ck_assert_str_eq(last, "zz_future");
    json_decref(j);
    /* an engine file with a client-only key: that key is unknown there */
    free(text);
    text = engine_with("notification", "5");
    ippc_conninfo_t *e = read_text("e.json", text, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(json_integer_value(json_object_get(e->extra, "notification")), 5);
    ippc_conninfo_destroy(&e);
    ippc_conninfo_destroy(&ci);
    free(text);
}
END_TEST

START_TEST(files_are_0600_whatever_the_umask)
{
    ippc_conninfo_t *ci = made(IPPC_SIDE_CLIENT);
    char *path = ft_path(dir, "c.json");
    mode_t old = umask(0);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), 0);
    ck_assert_uint_eq(ft_mode(path), 0600);
    /* replacing a world-readable file also gives 0600 */
    ck_assert_int_eq(chmod(path, 0644), 0);
    umask(0077);
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), 0);
    ck_assert_uint_eq(ft_mode(path), 0600);
    umask(old);
    ck_assert_uint_eq(ft_count_temps(dir), 0);
    ippc_conninfo_destroy(&ci);
    free(path);
}
END_TEST

/* A write that fails half-way (the file size limit hits) leaves the old file as it was
 * and no temp file behind. */
START_TEST(a_failed_write_leaves_the_old_file)
{
    char *path = ft_path(dir, "c.json");
    ft_write(path, stock_client);
    ippc_conninfo_t *ci = made(IPPC_SIDE_CLIENT);
    free(ci->key);
    ci->key = malloc(8193);
    memset(ci->key, 'k', 8192);
    ci->key[8192] = '\0';

    struct rlimit saved, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    ippc_error_t *err = NULL;
    int rc = ippc_conninfo_write(ci, path, &err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, SIG_DFL);

    ck_assert_int_eq(rc, -1);
    ft_assert_error(&err, IPPC_E_IO, "write");
    char *text = ft_read(path);
    ck_assert_str_eq(text, stock_client);
    ck_assert_uint_eq(ft_count_temps(dir), 0);
    free(text);
    ippc_conninfo_destroy(&ci);
    free(path);
}
END_TEST

START_TEST(a_failed_rename_leaves_no_temp_file)
{
    char *path = ft_path(dir, "busy");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    char *inner = ft_path(path, "x");
    ft_write(inner, "keep");
    ippc_conninfo_t *ci = made(IPPC_SIDE_ENGINE);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "cannot replace");
    ck_assert_uint_eq(ft_count_temps(dir), 0);
    char *text = ft_read(inner);
    ck_assert_str_eq(text, "keep");
    free(text);
    free(inner);
    ippc_conninfo_destroy(&ci);
    free(path);
}
END_TEST

START_TEST(an_unwritable_directory_is_an_io_error)
{
    if (geteuid() == 0)
        return; /* root writes anywhere: nothing to test */
    char *sub = ft_path(dir, "ro");
    ck_assert_int_eq(mkdir(sub, 0500), 0);
    char *path = ft_path(sub, "c.json");
    ippc_conninfo_t *ci = made(IPPC_SIDE_CLIENT);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "cannot create a temporary file");
    ippc_conninfo_destroy(&ci);
    free(path);
    free(sub);
}
END_TEST

START_TEST(an_invalid_record_is_not_written)
{
    ippc_conninfo_t *ci = made(IPPC_SIDE_ENGINE);
    ci->hb_pong = 0;
    char *path = ft_path(dir, "e.json");
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), -1);
    ft_assert_error(&err, IPPC_E_INVALID, "key 'hb_pong' must be a port number in 1..65535, not 0");
    ck_assert_int_eq(access(path, F_OK), -1);
    ci->hb_pong = 9;
    ci->nbroadcast = 0;
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), -1);
    ft_assert_error(&err, IPPC_E_INVALID, "key 'broadcast' must list 1..64 ports, not 0");
    ci->nbroadcast = 1;
    free(ci->signature_scheme);
    ci->signature_scheme = strdup("hmac-md5");
    ck_assert_int_eq(ippc_conninfo_write(ci, path, &err), -1);
    ft_assert_error(&err, IPPC_E_INVALID, "signature_scheme 'hmac-md5' is not supported");
    ck_assert_int_eq(ippc_conninfo_write(NULL, path, &err), -1);
    ck_assert_ptr_nonnull(err);
    ippc_error_destroy(&err);
    ippc_conninfo_destroy(&ci);
    free(path);
}
END_TEST

/* ---------------------------------------------------------------- bad input */

START_TEST(a_missing_file_is_not_found)
{
    char *path = ft_path(dir, "nope.json");
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_conninfo_read(path, &err));
    char *want = ippc_strdup_printf("%s: no such file", path);
    ck_assert_str_eq(ippc_error_message(err), want);
    ft_assert_error(&err, IPPC_E_NOTFOUND, want);
    free(want);
    free(path);
    ck_assert_ptr_null(ippc_conninfo_read(NULL, &err));
    ft_assert_error(&err, IPPC_E_INVALID, "no path");
}
END_TEST

START_TEST(a_directory_or_unreadable_file_is_an_io_error)
{
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_conninfo_read(dir, &err));
    ft_assert_error(&err, IPPC_E_IO, dir);
    if (geteuid() == 0)
        return; /* root reads mode 000 files */
    char *path = ft_path(dir, "secret.json");
    ft_write(path, stock_client);
    chmod(path, 0);
    ck_assert_ptr_null(ippc_conninfo_read(path, &err));
    ft_assert_error(&err, IPPC_E_IO, "cannot open");
    free(path);
}
END_TEST

START_TEST(a_huge_file_is_refused_unread)
{
    char *path = ft_path(dir, "huge.json");
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)IPPC_JSON_MAX_FILE_SIZE + 1), 0);
    close(fd);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_conninfo_read(path, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "file is too large");
    free(path);
}
END_TEST

/* A stream that never ends (a FIFO fed from /dev/zero would do; a character device is
 * enough): the cap applies while reading too. */
START_TEST(an_endless_stream_is_cut_at_the_cap)
{
    if (access("/dev/zero", R_OK) != 0)
        return;
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_json_read_file("/dev/zero", &err));
    ft_assert_error(&err, IPPC_E_PARSE, "file is too large");
}
END_TEST

START_TEST(a_raw_nul_byte_is_bad_json)
{
    char *path = ft_path(dir, "nul.json");
    ft_write_n(path, "{\"ssh\": \"\0\"}", 12);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_conninfo_read(path, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "nul.json:1:");
    free(path);
}
END_TEST

typedef struct {
    const char *name;
    const char *text;       /* whole file; NULL: client_with(key, value) */
    const char *key, *value; /* value NULL removes the key */
    ippc_errcode_t code;
    const char *message;     /* a part of the message (after the path) */
} bad_t;

static const bad_t bad_inputs[] = {
    {"empty file", "", NULL, NULL, IPPC_E_PARSE, ": empty file"},
    {"only blanks", " \n\t\n", NULL, NULL, IPPC_E_PARSE, ": empty file"},
    {"bad JSON", "{\n  \"mux\": 1,\n  oops\n}", NULL, NULL, IPPC_E_PARSE, "bad.json:3:6: invalid JSON: string or '}' expected near 'oops'"},
    {"truncated", "{\"ssh\": \"\", \"interface\": \"tcp", NULL, NULL, IPPC_E_PARSE, ":1:"},
    {"trailing junk", "{} {}", NULL, NULL, IPPC_E_PARSE, "invalid JSON"},
    {"NUL byte", "{\"ssh\": \"a\\u0000b\"}", NULL, NULL, IPPC_E_PARSE, "invalid JSON"},
    {"array", "[1, 2]", NULL, NULL, IPPC_E_PARSE, ": not a JSON object (the top level is a list)"},
    {"string", "\"x\"", NULL, NULL, IPPC_E_PARSE, ": not a JSON object (the top level is a string)"},
    {"null", "null", NULL, NULL, IPPC_E_PARSE, ": not a JSON object (the top level is null)"},
    {"missing mux", NULL, "mux", NULL, IPPC_E_NOTFOUND, ": key 'mux' is missing"},
    {"missing key", NULL, "key", NULL, IPPC_E_NOTFOUND, ": key 'key' is missing"},
    {"missing ssh", NULL, "ssh", NULL, IPPC_E_NOTFOUND, ": key 'ssh' is missing"},
    {"missing task_scheme", NULL, "task_scheme", NULL, IPPC_E_NOTFOUND, ": key 'task_scheme' is missing"},
    {"missing notification", NULL, "notification", NULL, IPPC_E_NOTFOUND, ": key 'notification' is missing"},
    {"missing registration", NULL, "registration", NULL, IPPC_E_NOTFOUND, ": key 'registration' is missing"},
    {"mux string", NULL, "mux", "\"45299\"", IPPC_E_PARSE, ": key 'mux' must be an integer, not a string"},
    {"mux real", NULL, "mux", "45299.0", IPPC_E_PARSE, ": key 'mux' must be an integer, not a real number"},
    {"mux bool", NULL, "mux", "true", IPPC_E_PARSE, ": key 'mux' must be an integer, not a boolean"},
    {"mux null", NULL, "mux", "null", IPPC_E_PARSE, ": key 'mux' must be an integer, not null"},
    {"port 0", NULL, "control", "0", IPPC_E_PARSE, ": key 'control' must be a port number in 1..65535, not 0"},
    {"port 70000", NULL, "iopub", "70000", IPPC_E_PARSE, ": key 'iopub' must be a port number in 1..65535, not 70000"},
    {"port -1", NULL, "task", "-1", IPPC_E_PARSE, ": key 'task' must be a port number in 1..65535, not -1"},
    {"broadcast list", NULL, "broadcast", "[1, 2]", IPPC_E_PARSE, ": key 'broadcast' must be an integer, not a list"},
    {"key number", NULL, "key", "42", IPPC_E_PARSE, ": key 'key' must be a string, not an integer"},
    {"interface object", NULL, "interface", "{}", IPPC_E_PARSE, ": key 'interface' must be a string, not an object"},
    {"interface no scheme", NULL, "interface", "\"127.0.0.1\"", IPPC_E_PARSE,
     ": key 'interface' must look like 'tcp://<address>', not '127.0.0.1'"},
    {"md5", NULL, "signature_scheme", "\"hmac-md5\"", IPPC_E_PARSE,
     ": signature_scheme 'hmac-md5' is not supported (only hmac-sha256)"},
    {"no scheme", NULL, "signature_scheme", NULL, IPPC_E_NOTFOUND, ": key 'signature_scheme' is missing"},
    {"location number", NULL, "location", "1", IPPC_E_PARSE, ": key 'location' must be a string or null, not an integer"},
    {"curve number", NULL, "curve_serverkey", "1", IPPC_E_PARSE,
     ": key 'curve_serverkey' must be a string or null, not an integer"},
};

START_TEST(bad_client_input)
{
    const bad_t *b = &bad_inputs[_i];
    char *text = b->text ? strdup(b->text) : client_with(b->key, b->value);
    ippc_error_t *err = NULL;
    ippc_conninfo_t *ci = read_text("bad.json", text, &err);
    ck_assert_msg(ci == NULL, "%s: accepted", b->name);
    ck_assert_msg(err && strstr(ippc_error_message(err), "bad.json") != NULL, "%s: no file name in '%s'", b->name,
                  ippc_error_message(err));
    ft_assert_error(&err, b->code, b->message);
    free(text);
}
END_TEST

static const bad_t bad_engine_inputs[] = {
    {"missing hb_pong", NULL, "hb_pong", NULL, IPPC_E_NOTFOUND, ": key 'hb_pong' is missing"},
    {"missing location", NULL, "location", NULL, IPPC_E_NOTFOUND, ": key 'location' is missing"},
    {"missing broadcast", NULL, "broadcast", NULL, IPPC_E_NOTFOUND, ": key 'broadcast' is missing"},
    {"broadcast int", NULL, "broadcast", "5", IPPC_E_PARSE, ": key 'broadcast' must be a list, not an integer"},
    {"broadcast empty", NULL, "broadcast", "[]", IPPC_E_PARSE, ": key 'broadcast' must list 1..64 ports, not 0"},
    {"broadcast item", NULL, "broadcast", "[1, \"2\"]", IPPC_E_PARSE,
     ": key 'broadcast' item 1 must be an integer, not a string"},
    {"broadcast port", NULL, "broadcast", "[1, 65536]", IPPC_E_PARSE,
     ": key 'broadcast' item 1 must be a port number in 1..65535, not 65536"},
    {"hb_ping string", NULL, "hb_ping", "\"1\"", IPPC_E_PARSE, ": key 'hb_ping' must be an integer, not a string"},
    {"ssh number", NULL, "ssh", "0", IPPC_E_PARSE, ": key 'ssh' must be a string or null, not an integer"},
};

START_TEST(bad_engine_input)
{
    const bad_t *b = &bad_engine_inputs[_i];
    char *text = engine_with(b->key, b->value);
    ippc_error_t *err = NULL;
    ck_assert_msg(read_text("bad-engine.json", text, &err) == NULL, "%s: accepted", b->name);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(err), "bad-engine.json: key"));
    ft_assert_error(&err, b->code, b->message);
    free(text);
}
END_TEST

START_TEST(too_many_broadcast_ports)
{
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "[");
    for (int i = 0; i <= IPPC_MAX_BROADCAST; i++)
        strbuf_printf(&sb, "%s%d", i ? ", " : "", 2000 + i);
    strbuf_puts(&sb, "]");
    char *list = strbuf_release(&sb);
    char *text = engine_with("broadcast", list);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(read_text("e.json", text, &err));
    ft_assert_error(&err, IPPC_E_PARSE, "must list 1..64 ports, not 65");
    free(text);
    free(list);
}
END_TEST

/* ---------------------------------------------------------------------- urls */

static void assert_url(const char *interface, const char *location, int port, const char *want)
{
    ippc_conninfo_t *ci = ippc_conninfo_new(IPPC_SIDE_CLIENT);
    free(ci->interface);
    ci->interface = strdup(interface);
    free(ci->location);
    ci->location = location ? strdup(location) : NULL;
    char *url = ippc_conninfo_url(ci, port);
    ck_assert_str_eq(url, want);
    free(url);
    ippc_conninfo_destroy(&ci);
}

START_TEST(urls_substitute_the_location_for_wildcards)
{
    assert_url("tcp://127.0.0.1", "vm", 5000, "tcp://127.0.0.1:5000");
    assert_url("tcp://10.0.0.7", "elsewhere", 1, "tcp://10.0.0.7:1");
    assert_url("tcp://*", "10.1.2.3", 5000, "tcp://10.1.2.3:5000");
    assert_url("tcp://0.0.0.0", "head-node", 5000, "tcp://head-node:5000");
    assert_url("tcp://*", NULL, 5000, "tcp://127.0.0.1:5000");
    assert_url("tcp://*", "", 5000, "tcp://127.0.0.1:5000");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    assert_url("tcp://*", host, 7, "tcp://127.0.0.1:7"); /* this very machine */
    assert_url("ipc:///tmp/ippc", "vm", 3, "ipc:///tmp/ippc-3");
    ck_assert_ptr_null(ippc_conninfo_url(NULL, 1));
}
END_TEST

START_TEST(new_records_have_the_stock_defaults)
{
    ippc_conninfo_t *c = ippc_conninfo_new(IPPC_SIDE_CLIENT);
    ck_assert_str_eq(c->interface, "tcp://127.0.0.1");
    ck_assert_str_eq(c->signature_scheme, "hmac-sha256");
    ck_assert_str_eq(c->task_scheme, "leastload");
    ck_assert_str_eq(c->pack, "json");
    ck_assert_str_eq(c->unpack, "json");
    ck_assert_str_eq(c->ssh, "");
    ck_assert_ptr_nonnull(c->location);
    ck_assert_ptr_null(c->curve_serverkey);
    ippc_conninfo_destroy(&c);
    ippc_conninfo_t *e = ippc_conninfo_new(IPPC_SIDE_ENGINE);
    ck_assert_ptr_null(e->task_scheme);
    ippc_conninfo_destroy(&e);
}
END_TEST

/* ---------------------------------------------------- jsonfile on its own */

START_TEST(typed_getters_name_the_key)
{
    json_t *o = json_pack("{s:s, s:i, s:n, s:[i]}", "s", "x", "i", 7, "z", "l", 1);
    ippc_error_t *err = NULL;
    const char *s;
    long long i;
    int port;
    json_t *v;
    ck_assert_int_eq(ippc_json_get_str(o, "s", "W", &s, &err), 0);
    ck_assert_str_eq(s, "x");
    ck_assert_int_eq(ippc_json_get_int(o, "i", "W", &i, &err), 0);
    ck_assert_int_eq(i, 7);
    ck_assert_int_eq(ippc_json_get_port(o, "i", "W", &port, &err), 0);
    ck_assert_int_eq(port, 7);
    ck_assert_int_eq(ippc_json_get_int(o, "s", "W", &i, &err), -1);
    ck_assert_str_eq(ippc_error_message(err), "W: key 's' must be an integer, not a string");
    ippc_error_destroy(&err);
    ck_assert_int_eq(ippc_json_get_str(o, "q", "W", &s, &err), -1);
    ck_assert_str_eq(ippc_error_message(err), "W: key 'q' is missing");
    ippc_error_destroy(&err);
    ck_assert_int_eq(ippc_json_get(o, "q", "W", JSON_STRING, IPPC_JSON_OPTIONAL, &v, &err), 0);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(ippc_json_get(o, "z", "W", JSON_STRING, IPPC_JSON_NULLABLE, &v, &err), 0);
    ck_assert(json_is_null(v));
    ck_assert_int_eq(ippc_json_get(o, "z", "W", JSON_OBJECT, 0, &v, &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "W: key 'z' must be an object, not null");
    ck_assert_int_eq(ippc_json_get(o, "i", "W", JSON_REAL, 0, &v, &err), 0); /* any number */
    ck_assert_int_eq(ippc_json_get(o, "i", "W", JSON_TRUE, 0, &v, &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "must be a boolean, not an integer");
    ck_assert_int_eq(ippc_json_get(o, "l", "W", JSON_ARRAY, 0, &v, &err), 0);
    json_t *arr = json_array();
    ck_assert_int_eq(ippc_json_get(arr, "x", "W", JSON_ARRAY, 0, &v, &err), -1);
    ft_assert_error(&err, IPPC_E_PARSE, "W: not a JSON object");
    json_decref(arr);
    json_decref(o);
}
END_TEST

START_TEST(mkdir_p_creates_and_reports)
{
    char *deep = ft_path(dir, "a/b//c/");
    ippc_error_t *err = NULL;
    umask(022); /* mkdir's mode goes through the umask, as os.makedirs' does */
    ck_assert_int_eq(ippc_mkdir_p(deep, 0750, &err), 0);
    ck_assert_int_eq(ippc_mkdir_p(deep, 0750, &err), 0); /* again: fine */
    char *a = ft_path(dir, "a");
    ck_assert_uint_eq(ft_mode(a), 0750);
    char *file = ft_path(dir, "f");
    ft_write(file, "x");
    char *under = ft_path(file, "d");
    ck_assert_int_eq(ippc_mkdir_p(under, 0700, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "f: exists and is not a directory");
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    char *too_long = ft_path(dir, long_name);
    ck_assert_int_eq(ippc_mkdir_p(too_long, 0700, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "cannot create directory");
    free(too_long);
    ck_assert_int_eq(ippc_mkdir_p(file, 0700, &err), -1);
    ft_assert_error(&err, IPPC_E_IO, "exists and is not a directory");
    ck_assert_int_eq(ippc_mkdir_p("", 0700, &err), -1);
    ft_assert_error(&err, IPPC_E_INVALID, "empty path");
    free(under);
    free(file);
    free(a);
    free(deep);
}
END_TEST

static Suite *conninfo_suite(void)
{
    Suite *s = suite_create("conninfo");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, reads_the_stock_client_file);
    tcase_add_test(tc, reads_the_stock_engine_file);
    tcase_add_test(tc, optional_keys_take_the_stock_defaults);
    tcase_add_test(tc, parses_text_as_from_the_environment);
    tcase_add_test(tc, rewriting_a_stock_file_gives_the_same_bytes);
    tcase_add_test(tc, round_trip_both_sides);
    tcase_add_test(tc, unknown_keys_are_kept_after_the_known_ones);
    tcase_add_test(tc, files_are_0600_whatever_the_umask);
    tcase_add_test(tc, a_failed_write_leaves_the_old_file);
    tcase_add_test(tc, a_failed_rename_leaves_no_temp_file);
    tcase_add_test(tc, an_unwritable_directory_is_an_io_error);
    tcase_add_test(tc, an_invalid_record_is_not_written);
    tcase_add_test(tc, a_missing_file_is_not_found);
    tcase_add_test(tc, a_directory_or_unreadable_file_is_an_io_error);
    tcase_add_test(tc, a_huge_file_is_refused_unread);
    tcase_add_test(tc, an_endless_stream_is_cut_at_the_cap);
    tcase_add_test(tc, a_raw_nul_byte_is_bad_json);
    tcase_add_loop_test(tc, bad_client_input, 0, (int)(sizeof bad_inputs / sizeof bad_inputs[0]));
    tcase_add_loop_test(tc, bad_engine_input, 0, (int)(sizeof bad_engine_inputs / sizeof bad_engine_inputs[0]));
    tcase_add_test(tc, too_many_broadcast_ports);
    tcase_add_test(tc, urls_substitute_the_location_for_wildcards);
    tcase_add_test(tc, new_records_have_the_stock_defaults);
    tcase_add_test(tc, typed_getters_name_the_key);
    tcase_add_test(tc, mkdir_p_creates_and_reports);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conninfo_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
