/* test_wire.c - messages: headers, serialization, signing, round trips over real ZMQ
 * sockets (identities, zero-copy buffers), and every kind of malformed input the
 * parser must refuse with its own error code and message. */
#include "config.h"

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "wire.h"
#include "wire_int.h"

#define KEY "4b72be71-8d197964393dddbbb367ee1a"
#define DATE_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"

static void *ctx;

static void ctx_setup(void) { ctx = zmq_ctx_new(); }
static void ctx_teardown(void) { zmq_ctx_term(ctx); }

/* ------------------------------------------------------------------ helpers */

static ippc_session_t *session(const char *key)
{
    ippc_error_t *err = NULL;
    ippc_session_t *s = ippc_session_new(key, NULL, "tester", &err);
    ck_assert_msg(s != NULL, "session: %s", ippc_error_message(err));
    return s;
}

static bool matches(const char *pattern, const char *text)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static ippc_msg_t *make_msg(ippc_session_t *s, const char *type, const char *content_json)
{
    ippc_error_t *err = NULL;
    json_t *content = content_json ? json_loads(content_json, 0, NULL) : NULL;
    ippc_msg_t *m = ippc_session_msg(s, type, content, NULL, NULL, &err);
    ck_assert_msg(m != NULL, "msg: %s", ippc_error_message(err));
    return m;
}

/* A serialized message whose frames a test may replace (up to MAXF of them). */
#define MAXF 80
typedef struct {
    ippc_msg_t *m;
    ippc_wire_out_t out;
    ippc_frame_t f[MAXF];
    size_t n;
    size_t delim;
    char sig[2 * IPPC_HMAC_LEN + 1];
} env_t;

static void env_build(env_t *e, ippc_session_t *s, size_t nidents, size_t nbufs)
{
    memset(e, 0, sizeof(*e));
    e->m = make_msg(s, "apply_request", "{\"a\": 1, \"s\": \"caf\\u00e9\"}");
    for (size_t i = 0; i < nidents; i++) {
        char id[16];
        snprintf(id, sizeof id, "id%zu", i);
        ck_assert_int_eq(ippc_msg_add_ident(e->m, id, strlen(id)), 0);
    }
    for (size_t i = 0; i < nbufs; i++) {
        ippc_blob_t *b = ippc_blob_copy("buffer-data", i);
        ck_assert_int_eq(ippc_msg_add_buffer(e->m, b), 0);
        ippc_blob_destroy(&b);
    }
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_session_serialize(s, e->m, &e->out, &err), 0);
    ck_assert_uint_le(e->out.nframes, MAXF);
    memcpy(e->f, e->out.frames, e->out.nframes * sizeof(ippc_frame_t));
    e->n = e->out.nframes;
    e->delim = nidents;
}

static void env_free(env_t *e)
{
    ippc_wire_out_free(&e->out);
    ippc_msg_destroy(&e->m);
}

/* Replace part i (0 header .. 3 content) and sign the result again, so that the parser
 * gets past the signature to the part itself. */
static void env_set_part(env_t *e, const ippc_session_t *s, int i, const void *data, size_t len)
{
    e->f[e->delim + 2 + i] = (ippc_frame_t){data, len};
    ippc_iovec_t iov[4];
    for (int k = 0; k < 4; k++)
        iov[k] = (ippc_iovec_t){e->f[e->delim + 2 + k].data, e->f[e->delim + 2 + k].len};
    ck_assert_int_eq(ippc_session_sign(s, iov, e->sig), 0);
    e->f[e->delim + 1] = (ippc_frame_t){e->sig, strlen(e->sig)};
}

static void expect_fail(ippc_session_t *s, const ippc_frame_t *f, size_t n, ippc_errcode_t code,
                        const char *text)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_parse(s, f, n, &err);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(ippc_error_code(err) == code, "want %s, got %s: %s", ippc_errcode_name(code),
                  ippc_errcode_name(ippc_error_code(err)), ippc_error_message(err));
    ck_assert_msg(strstr(ippc_error_message(err), text), "message \"%s\" lacks \"%s\"",
                  ippc_error_message(err), text);
    ippc_error_destroy(&err);
}

static ippc_msg_t *expect_ok(ippc_session_t *s, const ippc_frame_t *f, size_t n)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_parse(s, f, n, &err);
    ck_assert_msg(m != NULL, "parse: %s", ippc_error_message(err));
    return m;
}

/* A header part with one field changed, as JSON text (caller frees). */
static char *header_with(const ippc_msg_t *m, const char *key, json_t *value)
{
    json_t *h = json_deep_copy(m->header);
    if (value)
        json_object_set_new(h, key, value);
    else
        json_object_del(h, key);
    char *s = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    return s;
}

static void sock_pair(void **a, void **b, int ta, int tb, const char *ep)
{
    *a = zmq_socket(ctx, ta);
    *b = zmq_socket(ctx, tb);
    int linger = 0;
    zmq_setsockopt(*a, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(*b, ZMQ_LINGER, &linger, sizeof linger);
    ck_assert_int_eq(zmq_bind(*a, ep), 0);
    ck_assert_int_eq(zmq_connect(*b, ep), 0);
}

static ippc_msg_t *recv_ok(ippc_session_t *s, void *sock)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_recv(s, sock, 0, &err);
    ck_assert_msg(m != NULL, "recv: %s", ippc_error_message(err));
    return m;
}

static void send_ok(ippc_session_t *s, void *sock, const ippc_msg_t *m)
{
    ippc_error_t *err = NULL;
    int rc = ippc_session_send(s, sock, m, 0, &err);
    ck_assert_msg(rc == 0, "send: %s", ippc_error_message(err));
}

/* ----------------------------------------------------------------- messages */

static int freed;
static void count_free(void *data, void *hint)
{
    (void)hint;
    free(data);
    freed++;
}

START_TEST(test_msg_new_and_parts)
{
    ippc_msg_t *m = ippc_msg_new();
    ck_assert(json_is_object(m->header) && json_object_size(m->header) == 0);
    ck_assert(json_is_object(m->parent_header));
    ck_assert(json_is_object(m->metadata));
    ck_assert(json_is_object(m->content));
    ck_assert_ptr_null(ippc_msg_type(m));
    ck_assert_ptr_null(ippc_msg_id(m));
    ck_assert_ptr_null(ippc_msg_parent_id(m));
    char id[3] = "ab";
    ck_assert_int_eq(ippc_msg_add_ident(m, id, 2), 0);
    id[0] = 'X'; /* the message keeps its own copy */
    ck_assert_int_eq(ippc_msg_add_ident(m, NULL, 0), 0);
    ck_assert_uint_eq(m->nidents, 2);
    ck_assert_mem_eq(m->idents[0].data, "ab", 2);
    ck_assert_uint_eq(m->idents[1].len, 0);

    /* add_buffer takes its own reference: the memory lives until both are dropped */
    freed = 0;
    ippc_blob_t *b = ippc_blob_wrap(strdup("xyz"), 3, count_free, NULL);
    ck_assert_int_eq(ippc_msg_add_buffer(m, b), 0);
    ippc_blob_destroy(&b);
    ck_assert_int_eq(freed, 0);
    ck_assert_mem_eq(ippc_blob_data(m->buffers[0]), "xyz", 3);
    ippc_msg_destroy(&m);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(freed, 1);
    ippc_msg_destroy(&m);
    ippc_msg_destroy(NULL);
}
END_TEST

START_TEST(test_many_idents_and_buffers_grow)
{
    ippc_msg_t *m = ippc_msg_new();
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(ippc_msg_add_ident(m, &i, sizeof i), 0);
        ippc_blob_t *b = ippc_blob_copy(&i, sizeof i);
        ck_assert_int_eq(ippc_msg_add_buffer(m, b), 0);
        ippc_blob_destroy(&b);
    }
    for (int i = 0; i < 1000; i++) {
        ck_assert_mem_eq(m->idents[i].data, &i, sizeof i);
        ck_assert_mem_eq(ippc_blob_data(m->buffers[i]), &i, sizeof i);
    }
    ippc_msg_destroy(&m);
}
END_TEST

START_TEST(test_header_fields)
{
    ippc_error_t *err = NULL;
    ippc_session_t *s = ippc_session_new(KEY, "my-session", "alice", &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(ippc_session_id(s), "my-session");
    ippc_msg_t *m = make_msg(s, "execute_request", "{\"code\": \"1+1\"}");
    /* keys in jupyter_client's order */
    static const char *const order[] = {"msg_id", "msg_type", "username", "session", "date", "version"};
    void *it = json_object_iter(m->header);
    for (size_t i = 0; i < 6; i++, it = json_object_iter_next(m->header, it)) {
        ck_assert_ptr_nonnull(it);
        ck_assert_str_eq(json_object_iter_key(it), order[i]);
        ck_assert(json_is_string(json_object_iter_value(it)));
    }
    ck_assert_ptr_null(it);
    ck_assert_str_eq(ippc_msg_type(m), "execute_request");
    ck_assert_str_eq(json_string_value(json_object_get(m->header, "username")), "alice");
    ck_assert_str_eq(json_string_value(json_object_get(m->header, "session")), "my-session");
    ck_assert_str_eq(json_string_value(json_object_get(m->header, "version")), "5.3");
    ck_assert(matches(DATE_RE, json_string_value(json_object_get(m->header, "date"))));
    char want[64];
    snprintf(want, sizeof want, "my-session_%ld_0", (long)getpid());
    ck_assert_str_eq(ippc_msg_id(m), want);
    ck_assert_int_eq(json_object_size(m->parent_header), 0);
    ck_assert_int_eq(json_object_size(m->metadata), 0);
    ck_assert_str_eq(json_string_value(json_object_get(m->content, "code")), "1+1");

    ippc_msg_t *m2 = make_msg(s, "execute_request", NULL);
    snprintf(want, sizeof want, "my-session_%ld_1", (long)getpid());
    ck_assert_str_eq(ippc_msg_id(m2), want);
    ck_assert_int_eq(json_object_size(m2->content), 0);
    ippc_msg_destroy(&m);
    ippc_msg_destroy(&m2);
    ippc_session_destroy(&s);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_default_session_id_and_user)
{
    ippc_session_t *s = ippc_session_new(NULL, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert(matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                      ippc_session_id(s)));
    ippc_session_t *s2 = ippc_session_new(NULL, NULL, NULL, NULL);
    ck_assert_str_ne(ippc_session_id(s), ippc_session_id(s2));
    ippc_msg_t *m = make_msg(s, "x", NULL);
    const char *user = json_string_value(json_object_get(m->header, "username"));
    ck_assert(user && *user);
    ippc_msg_destroy(&m);
    ippc_session_destroy(&s);
    ippc_session_destroy(&s2);
}
END_TEST

START_TEST(test_isodate)
{
    char out[32];
    struct timespec ts = {0, 123456789};
    ippc_wire_isodate(&ts, out);
    ck_assert_str_eq(out, "1970-01-01T00:00:00.123456Z");
    ts = (struct timespec){1795608146, 5000};
    ippc_wire_isodate(&ts, out);
    ck_assert_str_eq(out, "2026-11-25T12:02:26.000005Z");
    ippc_wire_isodate(NULL, out);
    ck_assert(matches(DATE_RE, out));
}
END_TEST

START_TEST(test_session_msg_refuses_non_objects)
{
    ippc_session_t *s = session(KEY);
    ippc_error_t *err = NULL;
    /* content and metadata are stolen even on failure (ASan would see a leak) */
    ck_assert_ptr_null(ippc_session_msg(s, "x", json_array(), NULL, json_object(), &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(err), "content"));
    ippc_error_destroy(&err);
    json_t *parent = json_string("not a header");
    ck_assert_ptr_null(ippc_session_msg(s, "x", NULL, parent, NULL, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ck_assert_int_eq(parent->refcount, 1); /* referenced, not stolen */
    json_decref(parent);
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_session_msg(s, NULL, NULL, NULL, NULL, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ippc_error_destroy(&err);
    ck_assert_ptr_null(ippc_session_msg(s, "bad\xff", NULL, NULL, NULL, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ippc_error_destroy(&err);
    ippc_session_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------ serialization */

/* ippc_wire_dump writes what json_dumps(JSON_COMPACT) writes, on its own fast path
 * (plain strings, integers, nesting) and on jansson's (escapes, UTF-8, reals, depth). */
START_TEST(test_dump_matches_jansson)
{
    static const char *const texts[] = {
        "{}",
        "{\"msg_id\":\"abc_1_2\",\"msg_type\":\"apply_request\",\"username\":\"u\",\"session\":\"s\","
        "\"date\":\"2026-11-25T12:02:52.109945Z\",\"version\":\"5.3\"}",
        "{\"z\":1,\"a\":-9223372036854775808,\"m\":9223372036854775807,\"n\":0,\"t\":true,\"f\":false,\"x\":null}",
        "{\"callable\":\"lambda: None\",\"args\":[],\"kwargs\":{},\"l\":[1,[2,{\"k\":[]}],\"s\"]}",
        "{\"q\":\"a\\\"b\\\\c/d\\n\\u0001\\u007f\"}",
        "{\"u\":\"caf\u00e9 \u2028\",\"r\":1.5,\"e\":1e300}",
        "{\"nul\":\"a\\u0000b\"}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_error_t je;
        json_t *v = json_loads(texts[i], JSON_ALLOW_NUL, &je);
        ck_assert_msg(v != NULL, "case %zu: %s", i, je.text);
        char *want = json_dumps(v, JSON_COMPACT);
        size_t len = 0;
        char *got = ippc_wire_dump(v, &len);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(len, strlen(want));
        free(got);
        free(want);
        json_decref(v);
    }
    /* deeper than the fast path goes */
    json_t *deep = json_integer(1);
    for (int i = 0; i < 40; i++) {
        json_t *a = json_array();
        json_array_append_new(a, deep);
        deep = a;
    }
    json_t *top = json_pack("{s:o}", "d", deep);
    char *dwant = json_dumps(top, JSON_COMPACT);
    size_t dlen = 0;
    char *dgot = ippc_wire_dump(top, &dlen);
    ck_assert_str_eq(dgot, dwant);
    free(dgot);
    free(dwant);
    json_decref(top);
    /* a value larger than the stack buffer */
    json_t *big = json_object();
    for (int i = 0; i < 500; i++) {
        char key[16];
        snprintf(key, sizeof key, "key%d", i);
        json_object_set_new(big, key, json_string("value"));
    }
    char *want = json_dumps(big, JSON_COMPACT);
    size_t len = 0;
    char *got = ippc_wire_dump(big, &len);
    ck_assert_str_eq(got, want);
    ck_assert_uint_eq(len, strlen(want));
    free(got);
    free(want);
    json_decref(big);
}
END_TEST

START_TEST(test_serialize_compact_and_signed)
{
    ippc_session_t *s = session("secret");
    ippc_msg_t *m = ippc_msg_new();
    json_object_set_new(m->header, "msg_id", json_string("a"));
    json_object_set_new(m->content, "s", json_string("caf\xc3\xa9"));
    json_object_set_new(m->content, "n", json_integer(1));
    ck_assert_int_eq(ippc_msg_add_ident(m, "route", 5), 0);
    ippc_wire_out_t out;
    ck_assert_int_eq(ippc_session_serialize(s, m, &out, NULL), 0);
    ck_assert_uint_eq(out.nframes, 7);
    ck_assert_mem_eq(out.frames[0].data, "route", 5);
    ck_assert_uint_eq(out.frames[1].len, IPPC_DELIM_LEN);
    ck_assert_mem_eq(out.frames[1].data, IPPC_DELIM, IPPC_DELIM_LEN);
    ck_assert_str_eq(out.parts[0], "{\"msg_id\":\"a\"}");
    ck_assert_str_eq(out.parts[1], "{}");
    ck_assert_str_eq(out.parts[3], "{\"s\":\"caf\xc3\xa9\",\"n\":1}"); /* raw UTF-8, in order */
    /* the signature is HMAC over the concatenated parts, as jupyter_client computes it */
    char cat[256];
    snprintf(cat, sizeof cat, "%s%s%s%s", out.parts[0], out.parts[1], out.parts[2], out.parts[3]);
    ippc_iovec_t one = {cat, strlen(cat)};
    unsigned char mac[IPPC_HMAC_LEN];
    ck_assert_int_eq(ippc_hmac_sha256("secret", 6, &one, 1, mac), 0);
    char hex[65];
    ippc_hex(mac, sizeof mac, hex);
    ck_assert_str_eq(out.sig, hex);
    ck_assert_uint_eq(out.frames[2].len, 64);
    ippc_wire_out_free(&out);
    ippc_wire_out_free(&out); /* idempotent */

    json_decref(m->metadata);
    m->metadata = json_array();
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_session_serialize(s, m, &out, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_INVALID);
    ck_assert_str_eq(ippc_error_message(err), "message metadata is not a JSON object");
    ippc_error_destroy(&err);
    ippc_wire_out_free(&out);
    ippc_msg_destroy(&m);
    ippc_session_destroy(&s);
}
END_TEST

START_TEST(test_parse_roundtrip_in_memory)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 2, 3);
    ippc_session_t *r = session(KEY);
    ippc_msg_t *m = expect_ok(r, e.f, e.n);
    ck_assert(json_equal(m->header, e.m->header));
    ck_assert(json_equal(m->content, e.m->content));
    ck_assert_uint_eq(m->nidents, 2);
    ck_assert_mem_eq(m->idents[1].data, "id1", 3);
    ck_assert_uint_eq(m->nbuffers, 3);
    ck_assert_uint_eq(ippc_blob_size(m->buffers[0]), 0);
    ck_assert_uint_eq(ippc_blob_size(m->buffers[2]), 2);
    ck_assert_mem_eq(ippc_blob_data(m->buffers[2]), "bu", 2);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&r);
    ippc_session_destroy(&s);
}
END_TEST

/* ------------------------------------------------------------- over sockets */

START_TEST(test_roundtrip_pair_buffers)
{
    void *a, *b;
    sock_pair(&a, &b, ZMQ_PAIR, ZMQ_PAIR, "inproc://wire-pair");
    ippc_session_t *s = session(KEY);
    ippc_msg_t *m = make_msg(s, "apply_request", "{\"x\": [1, 2.5, null, \"\\u00fc\"]}");
    json_object_set_new(m->metadata, "label", json_null());
    const size_t big = 1 << 20;
    unsigned char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    freed = 0;
    ippc_blob_t *bufs[3] = {ippc_blob_new(0), ippc_blob_copy("small", 5),
                            ippc_blob_wrap(data, big, count_free, NULL)};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ippc_msg_add_buffer(m, bufs[i]), 0);
        ippc_blob_destroy(&bufs[i]);
    }
    send_ok(s, a, m);
    ippc_session_t *r = session(KEY);
    ippc_msg_t *got = recv_ok(r, b);
    ck_assert(json_equal(got->header, m->header));
    ck_assert(json_equal(got->parent_header, m->parent_header));
    ck_assert(json_equal(got->metadata, m->metadata));
    ck_assert(json_equal(got->content, m->content));
    ck_assert_uint_eq(got->nidents, 0);
    ck_assert_uint_eq(got->nbuffers, 3);
    ck_assert_uint_eq(ippc_blob_size(got->buffers[0]), 0);
    ck_assert_uint_eq(ippc_blob_size(got->buffers[1]), 5);
    ck_assert_mem_eq(ippc_blob_data(got->buffers[1]), "small", 5);
    ck_assert_uint_eq(ippc_blob_size(got->buffers[2]), big);
    unsigned char *rd = ippc_blob_data(got->buffers[2]);
    unsigned char *want = malloc(big);
    for (size_t i = 0; i < big; i++)
        want[i] = (unsigned char)(i * 31 + 7);
    ck_assert(memcmp(rd, want, big) == 0);
    free(want);
    /* inproc hands the very memory across: sent and received without a copy */
    ck_assert_ptr_eq(rd, data);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(freed, 0); /* still the receiver's */
    ippc_msg_destroy(&got);
    ck_assert_int_eq(freed, 1);
    ippc_session_destroy(&s);
    ippc_session_destroy(&r);
    zmq_close(a);
    zmq_close(b);
}
END_TEST

/* The raw receive: frames first (more than the inline few here), the parts' text as
 * sent, verification once (a second call does not trip the replay check), then the
 * same message ippc_session_recv gives; a replayed copy fails verification. */
START_TEST(test_recv_raw)
{
    void *a, *b;
    sock_pair(&a, &b, ZMQ_PAIR, ZMQ_PAIR, "inproc://wire-raw");
    ippc_session_t *s = session(KEY), *r = session(KEY);
    ippc_msg_t *m = make_msg(s, "apply_reply", "{\"status\": \"ok\"}");
    for (int i = 0; i < 2 * IPPC_WIRE_INLINE_FRAMES; i++) {
        ippc_blob_t *bl = ippc_blob_copy(&i, sizeof i);
        ck_assert_int_eq(ippc_msg_add_buffer(m, bl), 0);
        ippc_blob_destroy(&bl);
    }
    send_ok(s, a, m);
    send_ok(s, a, m); /* the same bytes again: a replay */
    ippc_wire_out_t out;
    ck_assert_int_eq(ippc_session_serialize(s, m, &out, NULL), 0);
    ippc_wire_raw_t raw;
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_session_recv_raw(r, b, 0, &raw, &err), 0);
    ck_assert_uint_eq(raw.nframes, 2 + 4 + 2 * IPPC_WIRE_INLINE_FRAMES);
    ck_assert_uint_eq(raw.first_buffer, 6);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(raw.parts[i].len, out.lens[i]);
        ck_assert_mem_eq(raw.parts[i].data, out.parts[i], out.lens[i]);
    }
    ck_assert_int_eq(ippc_session_verify_raw(r, &raw, &err), 0);
    ck_assert_int_eq(ippc_session_verify_raw(r, &raw, &err), 0);
    ippc_msg_t *got = ippc_session_parse_raw(r, &raw, &err);
    ck_assert_msg(got != NULL, "parse_raw: %s", ippc_error_message(err));
    ck_assert(json_equal(got->header, m->header));
    ck_assert(json_equal(got->content, m->content));
    ck_assert_uint_eq(got->nbuffers, 2 * IPPC_WIRE_INLINE_FRAMES);
    ck_assert_mem_eq(ippc_blob_data(got->buffers[20]), &(int){20}, sizeof(int));
    ippc_msg_destroy(&got);
    ippc_wire_raw_free(&raw);
    ck_assert_int_eq(ippc_session_recv_raw(r, b, 0, &raw, &err), 0);
    ck_assert_int_eq(ippc_session_verify_raw(r, &raw, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_REPLAY);
    ippc_error_destroy(&err);
    ippc_wire_raw_free(&raw);
    ck_assert_int_eq(ippc_session_recv_raw(r, b, ZMQ_DONTWAIT, &raw, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_TIMEOUT);
    ippc_error_destroy(&err);
    ippc_wire_raw_free(&raw);
    ippc_wire_out_free(&out);
    ippc_msg_destroy(&m);
    ippc_session_destroy(&s);
    ippc_session_destroy(&r);
    zmq_close(a);
    zmq_close(b);
}
END_TEST

/* DEALER → ROUTER with the routing identity, reply with the request header as parent. */
START_TEST(test_router_dealer_reply)
{
    void *router, *dealer;
    router = zmq_socket(ctx, ZMQ_ROUTER);
    dealer = zmq_socket(ctx, ZMQ_DEALER);
    ck_assert_int_eq(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "engine-uuid", 11), 0);
    ck_assert_int_eq(zmq_bind(router, "inproc://wire-router"), 0);
    ck_assert_int_eq(zmq_connect(dealer, "inproc://wire-router"), 0);

    ippc_session_t *client = session(KEY), *engine = session(KEY);
    ippc_msg_t *req = make_msg(client, "execute_request", "{\"code\": \"a = 1\", \"silent\": false}");
    send_ok(client, dealer, req);

    ippc_msg_t *in = recv_ok(engine, router);
    ck_assert_uint_eq(in->nidents, 1);
    ck_assert_uint_eq(in->idents[0].len, 11);
    ck_assert_mem_eq(in->idents[0].data, "engine-uuid", 11);
    ck_assert_str_eq(ippc_msg_type(in), "execute_request");

    ippc_msg_t *rep = ippc_session_msg(engine, "execute_reply",
                                       json_pack("{s:s, s:i}", "status", "ok", "execution_count", 1),
                                       in->header, NULL, NULL);
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(ippc_msg_add_ident(rep, in->idents[0].data, in->idents[0].len), 0);
    send_ok(engine, router, rep);

    ippc_msg_t *back = recv_ok(client, dealer);
    ck_assert_str_eq(ippc_msg_type(back), "execute_reply");
    ck_assert(json_equal(back->parent_header, req->header)); /* the full header, echoed */
    ck_assert_str_eq(ippc_msg_parent_id(back), ippc_msg_id(req));
    ck_assert_str_eq(json_string_value(json_object_get(back->header, "session")),
                     ippc_session_id(engine));
    ck_assert_str_ne(ippc_msg_id(back), ippc_msg_id(req));

    ippc_msg_destroy(&req);
    ippc_msg_destroy(&in);
    ippc_msg_destroy(&rep);
    ippc_msg_destroy(&back);
    ippc_session_destroy(&client);
    ippc_session_destroy(&engine);
    zmq_close(router);
    zmq_close(dealer);
}
END_TEST

/* A malformed message is consumed whole: the next receive gets the next message. */
START_TEST(test_recv_consumes_malformed)
{
    void *a, *b;
    sock_pair(&a, &b, ZMQ_PAIR, ZMQ_PAIR, "inproc://wire-consume");
    ippc_session_t *s = session(KEY);
    zmq_send(a, "one", 3, ZMQ_SNDMORE);
    zmq_send(a, "two", 3, ZMQ_SNDMORE);
    zmq_send(a, "three", 5, 0);
    ippc_msg_t *m = make_msg(s, "ping", NULL);
    send_ok(s, a, m);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_session_recv(s, b, 0, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_PARSE);
    ck_assert_str_eq(ippc_error_message(err), "message has no <IDS|MSG> delimiter");
    ippc_error_destroy(&err);
    ippc_msg_t *got = recv_ok(s, b);
    ck_assert_str_eq(ippc_msg_id(got), ippc_msg_id(m));
    ippc_msg_destroy(&got);

    /* over the frame limit: refused, and still consumed to the end */
    for (int i = 0; i < IPPC_WIRE_MAX_FRAMES + 10; i++)
        ck_assert_int_ge(zmq_send(a, "", 0, ZMQ_SNDMORE), 0);
    zmq_send(a, "", 0, 0);
    ippc_msg_t *m2 = make_msg(s, "ping", NULL);
    send_ok(s, a, m2);
    ck_assert_ptr_null(ippc_session_recv(s, b, 0, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_PARSE);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(err), "more than 65536 frames"));
    ippc_error_destroy(&err);
    got = recv_ok(s, b);
    ck_assert_str_eq(ippc_msg_id(got), ippc_msg_id(m2));

    /* a rejected signature also leaves the socket at the next message */
    ippc_session_t *other = session("other-key");
    ippc_msg_t *m3 = make_msg(s, "ping", NULL);
    send_ok(other, a, m);
    send_ok(s, a, m3);
    ck_assert_ptr_null(ippc_session_recv(s, b, 0, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_SIGNATURE);
    ippc_error_destroy(&err);
    ippc_msg_destroy(&got);
    got = recv_ok(s, b);
    ck_assert_str_eq(ippc_msg_id(got), ippc_msg_id(m3));

    ippc_msg_destroy(&got);
    ippc_msg_destroy(&m);
    ippc_msg_destroy(&m2);
    ippc_msg_destroy(&m3);
    ippc_session_destroy(&s);
    ippc_session_destroy(&other);
    zmq_close(a);
    zmq_close(b);
}
END_TEST

START_TEST(test_dontwait)
{
    void *a, *b;
    sock_pair(&a, &b, ZMQ_PAIR, ZMQ_PAIR, "inproc://wire-dontwait");
    ippc_session_t *s = session(KEY);
    ippc_error_t *err = NULL;
    ck_assert_ptr_null(ippc_session_recv(s, b, ZMQ_DONTWAIT, &err));
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_TIMEOUT);
    ippc_error_destroy(&err);

    /* a DEALER with no peer cannot take a message */
    void *lonely = zmq_socket(ctx, ZMQ_DEALER);
    ippc_msg_t *m = make_msg(s, "ping", NULL);
    ck_assert_int_eq(ippc_session_send(s, lonely, m, ZMQ_DONTWAIT, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_TIMEOUT);
    ippc_error_destroy(&err);
    ippc_msg_destroy(&m);
    ippc_session_destroy(&s);
    zmq_close(lonely);
    zmq_close(a);
    zmq_close(b);
}
END_TEST

/* An unroutable identity fails on the first frame: nothing half-sent stays queued. */
START_TEST(test_send_unroutable)
{
    void *router = zmq_socket(ctx, ZMQ_ROUTER), *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int on = 1;
    zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &on, sizeof on);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "peer", 4);
    ck_assert_int_eq(zmq_bind(router, "inproc://wire-unroutable"), 0);
    ck_assert_int_eq(zmq_connect(dealer, "inproc://wire-unroutable"), 0);
    ippc_session_t *s = session(KEY);
    /* wait until the router knows the peer */
    ippc_msg_t *hello = make_msg(s, "hello", NULL);
    send_ok(s, dealer, hello);
    ippc_msg_t *in = recv_ok(s, router);

    ippc_msg_t *m = make_msg(s, "ping", NULL);
    ck_assert_int_eq(ippc_msg_add_ident(m, "nobody", 6), 0);
    ippc_blob_t *big = ippc_blob_new(4096); /* a zero-copy buffer must be released too */
    memset(ippc_blob_data(big), 1, 4096);
    ippc_msg_add_buffer(m, big);
    ippc_blob_destroy(&big);
    ippc_error_t *err = NULL;
    ck_assert_int_eq(ippc_session_send(s, router, m, 0, &err), -1);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_IO);
    ippc_error_destroy(&err);

    ippc_msg_t *ok = make_msg(s, "pong", NULL);
    ck_assert_int_eq(ippc_msg_add_ident(ok, "peer", 4), 0);
    send_ok(s, router, ok);
    ippc_msg_t *got = recv_ok(s, dealer);
    ck_assert_str_eq(ippc_msg_type(got), "pong");
    ck_assert_uint_eq(got->nidents, 0);
    ippc_msg_t *none = ippc_session_recv(s, dealer, ZMQ_DONTWAIT, &err);
    ck_assert_ptr_null(none);
    ck_assert_int_eq(ippc_error_code(err), IPPC_E_TIMEOUT);
    ippc_error_destroy(&err);

    ippc_msg_destroy(&hello);
    ippc_msg_destroy(&in);
    ippc_msg_destroy(&m);
    ippc_msg_destroy(&ok);
    ippc_msg_destroy(&got);
    ippc_session_destroy(&s);
    zmq_close(router);
    zmq_close(dealer);
}
END_TEST

START_TEST(test_parse_zmq_moves_buffers)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 1, 2);
    zmq_msg_t frames[MAXF];
    for (size_t i = 0; i < e.n; i++) {
        zmq_msg_init_size(&frames[i], e.f[i].len);
        memcpy(zmq_msg_data(&frames[i]), e.f[i].data, e.f[i].len);
    }
    /* a large last buffer, so that its memory is not stored inside the zmq_msg_t */
    zmq_msg_close(&frames[e.n - 1]);
    zmq_msg_init_size(&frames[e.n - 1], 5000);
    memset(zmq_msg_data(&frames[e.n - 1]), 'q', 5000);
    void *where = zmq_msg_data(&frames[e.n - 1]);
    ippc_session_t *r = session(KEY);
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_parse_zmq(r, frames, e.n, &err);
    ck_assert_msg(m != NULL, "%s", ippc_error_message(err));
    ck_assert_uint_eq(m->nbuffers, 2);
    ck_assert_ptr_eq(ippc_blob_data(m->buffers[1]), where);
    ck_assert_uint_eq(zmq_msg_size(&frames[e.n - 1]), 0); /* moved out */
    ck_assert_uint_eq(zmq_msg_size(&frames[0]), 3);        /* identities stay */
    for (size_t i = 0; i < e.n; i++)
        zmq_msg_close(&frames[i]);
    ck_assert_mem_eq(ippc_blob_data(m->buffers[1]), "qqqq", 4);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&s);
    ippc_session_destroy(&r);
}
END_TEST

/* ------------------------------------------------------- keys and replays */

START_TEST(test_unsigned_mode)
{
    ippc_session_t *s = session("");
    env_t e;
    env_build(&e, s, 0, 1);
    ck_assert_uint_eq(e.f[1].len, 0); /* empty signature */
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    m = expect_ok(s, e.f, e.n); /* no replay history without a key */
    ippc_msg_destroy(&m);
    e.f[1] = (ippc_frame_t){"anything", 8}; /* and the signature frame is ignored */
    m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    /* a keyed receiver refuses unsigned messages */
    ippc_session_t *keyed = session(KEY);
    e.f[1] = (ippc_frame_t){"", 0};
    expect_fail(keyed, e.f, e.n, IPPC_E_SIGNATURE, "message is not signed");
    ippc_session_t *nullkey = ippc_session_new(NULL, NULL, NULL, NULL);
    m = expect_ok(nullkey, e.f, e.n);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&s);
    ippc_session_destroy(&keyed);
    ippc_session_destroy(&nullkey);
}
END_TEST

START_TEST(test_wrong_key)
{
    ippc_session_t *s = session(KEY), *r = session("not-the-key");
    env_t e;
    env_build(&e, s, 0, 0);
    expect_fail(r, e.f, e.n, IPPC_E_SIGNATURE, "signature mismatch");
    env_free(&e);
    ippc_session_destroy(&s);
    ippc_session_destroy(&r);
}
END_TEST

START_TEST(test_replay_rejected)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 1, 1);
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    expect_fail(s, e.f, e.n, IPPC_E_REPLAY, "seen before");
    /* identities and buffers are not signed: changing them is still a replay */
    e.f[0] = (ippc_frame_t){"other", 5};
    expect_fail(s, e.f, e.n, IPPC_E_REPLAY, "seen before");
    /* with replay checking off the same message passes again */
    ippc_session_set_replay_check(s, false);
    m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

/* A forgery carrying a genuine signature must not put that signature in the history,
 * or it could block the genuine message. */
START_TEST(test_replay_checked_after_verify)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 0, 0);
    ippc_frame_t saved = e.f[5];
    e.f[5] = (ippc_frame_t){"{\"evil\":1}", 10};
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature mismatch");
    e.f[5] = saved;
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

START_TEST(test_uppercase_signature_accepted)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 0, 0);
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] = (char)(e.out.sig[i] >= 'a' && e.out.sig[i] <= 'f' ? e.out.sig[i] - 32 : e.out.sig[i]);
    e.f[1] = (ippc_frame_t){upper, 64};
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ippc_msg_destroy(&m);
    /* the history holds the bytes, not the text: a case change is still a replay */
    e.f[1] = (ippc_frame_t){e.out.sig, 64};
    expect_fail(s, e.f, e.n, IPPC_E_REPLAY, "seen before");
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

/* --------------------------------------------------------- malformed input */

START_TEST(test_bad_frames)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 2, 0);
    expect_fail(s, NULL, 0, IPPC_E_PARSE, "message has no <IDS|MSG> delimiter");
    expect_fail(s, e.f, 2, IPPC_E_PARSE, "message has no <IDS|MSG> delimiter");
    /* a delimiter-like frame of the wrong length is no delimiter */
    ippc_frame_t nodelim[7] = {{"<IDS|MSG", 8}, {"<IDS|MSG>x", 10}, {"", 0}, {"{}", 2},
                               {"{}", 2},       {"{}", 2},          {"{}", 2}};
    expect_fail(s, nodelim, 7, IPPC_E_PARSE, "no <IDS|MSG> delimiter");
    for (size_t n = 3; n < e.n; n++)
        expect_fail(s, e.f, n, IPPC_E_PARSE, "frames after the <IDS|MSG> delimiter");
    expect_fail(s, e.f, 6, IPPC_E_PARSE, "message has 3 frames after the <IDS|MSG> delimiter");
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

START_TEST(test_too_many_idents_and_frames)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, IPPC_WIRE_MAX_IDENTS, 0);
    ippc_msg_t *m = expect_ok(s, e.f, e.n); /* exactly the limit is fine */
    ck_assert_uint_eq(m->nidents, IPPC_WIRE_MAX_IDENTS);
    ippc_msg_destroy(&m);
    env_free(&e);
    env_build(&e, s, IPPC_WIRE_MAX_IDENTS + 1, 0);
    expect_fail(s, e.f, e.n, IPPC_E_PARSE, "65 routing identities (at most 64)");
    env_free(&e);

    size_t n = IPPC_WIRE_MAX_FRAMES + 1;
    ippc_frame_t *many = calloc(n, sizeof(*many));
    env_build(&e, s, 0, 0);
    memcpy(many, e.f, e.n * sizeof(*many));
    expect_fail(s, many, n, IPPC_E_PARSE, "frames (at most 65536)");
    free(many);
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

START_TEST(test_bad_signature_syntax)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 0, 0);
    char sig[80];
    memcpy(sig, e.out.sig, 65);
    e.f[1] = (ippc_frame_t){sig, 63};
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature is not 64 hex digits");
    e.f[1] = (ippc_frame_t){sig, 64};
    sig[64] = '0';
    e.f[1].len = 65;
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature is not 64 hex digits");
    sig[10] = 'g';
    e.f[1].len = 64;
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature is not 64 hex digits");
    sig[10] = '\0';
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature is not 64 hex digits");
    memcpy(sig, e.out.sig, 65);
    sig[63] = sig[63] == '0' ? '1' : '0'; /* well-formed, one bit off */
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature mismatch");
    /* a changed part with the old signature */
    e.f[1] = (ippc_frame_t){e.out.sig, 64};
    e.f[4] = (ippc_frame_t){"{\"x\":1}", 7};
    expect_fail(s, e.f, e.n, IPPC_E_SIGNATURE, "signature mismatch");
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

/* Each part must be valid UTF-8 JSON holding an object; every failure names the part. */
START_TEST(test_bad_json)
{
    static const struct {
        int part;
        const char *data;
        size_t len;
        const char *error;
    } cases[] = {
        {3, "{\"a\": \"\xff\"}", 10, "message content is not valid JSON"},
        {3, "{\"a\": \"\xc3\"}", 10, "message content is not valid JSON"},
        {3, "{\"a\": \"\xed\xa0\x80\"}", 12, "message content is not valid JSON"}, /* surrogate */
        {0, "{\"msg_id\": ", 11, "message header is not valid JSON"},
        {1, "{}x", 3, "message parent_header is not valid JSON"},
        {1, "{}{}", 4, "message parent_header is not valid JSON"},
        {2, "{\"a\":1,}", 8, "message metadata is not valid JSON"},
        {2, "{\"a\":NaN}", 9, "message metadata is not valid JSON"},
        {3, "{\"a\":1}\0", 8, "message content is not valid JSON"},
        {3, "[1, 2]", 6, "message content is not a JSON object"},
        {0, "\"header\"", 8, "message header is not a JSON object"},
        {1, "null", 4, "message parent_header is not a JSON object"},
        {2, "42", 2, "message metadata is not a JSON object"},
        {2, "", 0, "message metadata is empty"},
        {0, "   ", 3, "message header is not valid JSON"},
    };
    ippc_session_t *s = session(KEY);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        env_t e;
        env_build(&e, s, 1, 1);
        env_set_part(&e, s, cases[i].part, cases[i].data, cases[i].len);
        expect_fail(s, e.f, e.n, IPPC_E_PARSE, cases[i].error);
        env_free(&e);
    }
    ippc_session_destroy(&s);
}
END_TEST

START_TEST(test_bad_header_fields)
{
    static const char *const fields[] = {"msg_id", "msg_type", "session"};
    ippc_session_t *s = session(KEY);
    for (size_t i = 0; i < 3; i++) {
        struct {
            json_t *value;
            const char *suffix;
        } cases[] = {
            {NULL, "missing"},
            {json_integer(3), "is not a string"},
            {json_null(), "is not a string"},
            {json_object(), "is not a string"},
            {json_stringn("a\0b", 3), "contains a NUL character"},
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            env_t e;
            env_build(&e, s, 0, 0);
            char *h = header_with(e.m, fields[i], cases[k].value);
            env_set_part(&e, s, 0, h, strlen(h));
            char want[64];
            snprintf(want, sizeof want, "header.%s %s", fields[i], cases[k].suffix);
            expect_fail(s, e.f, e.n, IPPC_E_PARSE, want);
            free(h);
            env_free(&e);
        }
    }
    ippc_session_destroy(&s);
}
END_TEST

/* What is tolerated: extra or missing optional header fields, NUL inside content strings
 * (Python sends "\u0000"), parts not followed by a NUL byte, large parts. */
START_TEST(test_tolerated_inputs)
{
    ippc_session_t *s = session(KEY);
    env_t e;
    env_build(&e, s, 0, 0);
    const char *minimal = "{\"msg_id\":\"m\",\"msg_type\":\"t\",\"session\":\"s\",\"extra\":[1]}";
    env_set_part(&e, s, 0, minimal, strlen(minimal));
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ck_assert_str_eq(ippc_msg_type(m), "t");
    ippc_msg_destroy(&m);

    const char *nul = "{\"text\":\"a\\u0000b\"}";
    env_set_part(&e, s, 3, nul, strlen(nul));
    m = expect_ok(s, e.f, e.n);
    ck_assert_uint_eq(json_string_length(json_object_get(m->content, "text")), 3);
    ippc_msg_destroy(&m);

    /* the part is {"k":2} followed by bytes that are not part of it */
    const char *unterminated = "{\"k\":2}GARBAGE";
    env_set_part(&e, s, 2, unterminated, 7);
    m = expect_ok(s, e.f, e.n);
    ck_assert_int_eq(json_integer_value(json_object_get(m->metadata, "k")), 2);
    ippc_msg_destroy(&m);

    /* 16 MiB of content */
    size_t big = 16 << 20;
    char *huge = malloc(big);
    memcpy(huge, "{\"blob\":\"", 9);
    memset(huge + 9, 'x', big - 11);
    memcpy(huge + big - 2, "\"}", 2);
    env_set_part(&e, s, 3, huge, big);
    m = expect_ok(s, e.f, e.n);
    ck_assert_uint_eq(json_string_length(json_object_get(m->content, "blob")), big - 11);
    ippc_msg_destroy(&m);
    free(huge);
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

/* The first delimiter ends the identities, as in jupyter_client's feed_identities. */
START_TEST(test_first_delimiter_wins)
{
    ippc_session_t *s = session("");
    env_t e;
    env_build(&e, s, 0, 2);
    e.f[e.n - 1] = (ippc_frame_t){IPPC_DELIM, IPPC_DELIM_LEN}; /* a buffer that looks like one */
    ippc_msg_t *m = expect_ok(s, e.f, e.n);
    ck_assert_uint_eq(m->nidents, 0);
    ck_assert_uint_eq(m->nbuffers, 2);
    ck_assert_mem_eq(ippc_blob_data(m->buffers[1]), IPPC_DELIM, IPPC_DELIM_LEN);
    ck_assert_int_eq(ippc_wire_find_delim(e.f, e.n), 0);
    ck_assert_int_eq(ippc_wire_find_delim(e.f + 1, e.n - 1), (long)e.n - 2);
    ck_assert_int_eq(ippc_wire_find_delim(e.f + 1, e.n - 2), -1);
    ippc_msg_destroy(&m);
    env_free(&e);
    ippc_session_destroy(&s);
}
END_TEST

static Suite *wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *msg = tcase_create("messages");
    tcase_add_test(msg, test_msg_new_and_parts);
    tcase_add_test(msg, test_many_idents_and_buffers_grow);
    tcase_add_test(msg, test_header_fields);
    tcase_add_test(msg, test_default_session_id_and_user);
    tcase_add_test(msg, test_isodate);
    tcase_add_test(msg, test_session_msg_refuses_non_objects);
    tcase_add_test(msg, test_serialize_compact_and_signed);
    tcase_add_test(msg, test_dump_matches_jansson);
    tcase_add_test(msg, test_parse_roundtrip_in_memory);
    suite_add_tcase(s, msg);

    TCase *sock = tcase_create("sockets");
    tcase_add_checked_fixture(sock, ctx_setup, ctx_teardown);
    tcase_add_test(sock, test_roundtrip_pair_buffers);
    tcase_add_test(sock, test_recv_raw);
    tcase_add_test(sock, test_router_dealer_reply);
    tcase_add_test(sock, test_recv_consumes_malformed);
    tcase_add_test(sock, test_dontwait);
    tcase_add_test(sock, test_send_unroutable);
    tcase_add_test(sock, test_parse_zmq_moves_buffers);
    suite_add_tcase(s, sock);

    TCase *sec = tcase_create("signatures");
    tcase_add_test(sec, test_unsigned_mode);
    tcase_add_test(sec, test_wrong_key);
    tcase_add_test(sec, test_replay_rejected);
    tcase_add_test(sec, test_replay_checked_after_verify);
    tcase_add_test(sec, test_uppercase_signature_accepted);
    suite_add_tcase(s, sec);

    TCase *bad = tcase_create("malformed");
    tcase_add_test(bad, test_bad_frames);
    tcase_add_test(bad, test_too_many_idents_and_frames);
    tcase_add_test(bad, test_bad_signature_syntax);
    tcase_add_test(bad, test_bad_json);
    tcase_add_test(bad, test_bad_header_fields);
    tcase_add_test(bad, test_tolerated_inputs);
    tcase_add_test(bad, test_first_delimiter_wins);
    suite_add_tcase(s, bad);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(wire_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
