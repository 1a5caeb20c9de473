/* test_client_result.c - the client's pure parts: replies turned into task outcomes,
 * outcomes assembled into a result's value or error (AsyncResult._resolve_result and
 * error.collect_exceptions), IOPub stream text ("\r" rule of the stock client, expected
 * values from Python's re), and the task table. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

/* ------------------------------------------------------------- helpers */

/* A reply message as the engine sends it: content and metadata parsed from JSON. */
static ippc_msg_t *reply(const char *content, const char *metadata)
{
    ippc_msg_t *m = ippc_msg_new();
    ck_assert_ptr_nonnull(m);
    json_decref(m->content);
    json_decref(m->metadata);
    m->content = json_loads(content, 0, NULL);
    m->metadata = json_loads(metadata ? metadata : "{}", 0, NULL);
    json_object_set_new(m->header, "date", json_string("2026-11-25T12:00:01.000000Z"));
    ck_assert_ptr_nonnull(m->content);
    return m;
}

static ippc_task_t *task_ok(int engine, const char *literal)
{
    char id[32];
    snprintf(id, sizeof(id), "ok-%d", engine);
    ippc_task_t *t = ippc_task_new(IPPC_TASK_APPLY, id, engine, "uuid");
    t->replied = t->output_done = true;
    t->value = ippc_value_parse(literal, NULL);
    ck_assert_ptr_nonnull(t->value);
    return t;
}

static ippc_task_t *task_failed(int engine, const char *ename, const char *evalue)
{
    char id[32];
    snprintf(id, sizeof(id), "bad-%d", engine);
    ippc_task_t *t = ippc_task_new(IPPC_TASK_APPLY, id, engine, "uuid");
    const char *tb[] = {"Traceback", ename};
    t->replied = t->output_done = true;
    t->error = ippc_error_new_remote(engine, "apply", ename, evalue, tb, 2);
    return t;
}

static ippc_task_t *task_died(int engine)
{
    ippc_task_t *t = ippc_task_new(IPPC_TASK_APPLY, "dead", engine, "uuid");
    ippc_task_fail(t, ippc_error_new(IPPC_E_ENGINE, "Engine %d died while running task 'dead'", engine));
    return t;
}

static void free_tasks(ippc_task_t **ts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ippc_task_unref(&ts[i]);
}

static void expect_value(ippc_task_t **ts, size_t n, ippc_shape_t shape, bool rex, const char *want)
{
    ippc_value_t *v;
    ippc_error_t *e;
    int rc = ippc_result_assemble(ts, n, shape, rex, false, &v, &e);
    ck_assert_msg(rc == 0, "assemble failed: %s", ippc_error_message(e));
    char *r = ippc_value_repr(v);
    ck_assert_str_eq(r, want);
    free(r);
    ippc_value_destroy(&v);
}

static ippc_error_t *expect_error(ippc_task_t **ts, size_t n, ippc_shape_t shape, ippc_errcode_t code)
{
    ippc_value_t *v;
    ippc_error_t *e;
    ck_assert_int_eq(ippc_result_assemble(ts, n, shape, false, false, &v, &e), -1);
    ck_assert_ptr_null(v);
    ck_assert_msg(ippc_error_code(e) == code, "got %s: %s", ippc_errcode_name(ippc_error_code(e)),
                  ippc_error_message(e));
    return e;
}

/* ------------------------------------------------------------- replies */

START_TEST(test_reply_apply_ok)
{
    ippc_task_t *t = ippc_task_new(IPPC_TASK_APPLY, "m1", 3, "u3");
    ippc_msg_t *m = reply("{\"status\": \"ok\", \"result\": {\"@\": \"tuple\", \"items\": [1, {\"@\": \"bytes\", \"buf\": 0}]}}",
                          "{\"started\": \"2026-11-25T12:00:00.500000Z\", \"engine\": \"u3\"}");
    ippc_blob_t *b = ippc_blob_copy("xyz", 3);
    ippc_msg_add_buffer(m, b);
    ippc_blob_destroy(&b);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert(t->replied);
    ck_assert(!t->output_done); /* the idle status is still to come */
    ck_assert_ptr_null(t->error);
    char *r = ippc_value_repr(t->value);
    ck_assert_str_eq(r, "(1, b'xyz')");
    free(r);
    ck_assert_str_eq(t->started, "2026-11-25T12:00:00.500000Z");
    ck_assert_str_eq(t->completed, "2026-11-25T12:00:01.000000Z");
    ippc_task_unref(&t);
}
END_TEST

START_TEST(test_reply_execute_and_errors)
{
    ippc_task_t *t = ippc_task_new(IPPC_TASK_EXECUTE, "m2", 0, "u0");
    ippc_msg_t *m = reply("{\"status\": \"ok\", \"execution_count\": 1}", NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(ippc_value_type(t->value), IPPC_T_NONE);
    ippc_task_unref(&t);

    /* the stock error content: method from engine_info, traceback kept line by line */
    t = ippc_task_new(IPPC_TASK_EXECUTE, "m3", 1, "u1");
    m = reply("{\"status\": \"error\", \"ename\": \"ZeroDivisionError\", \"evalue\": \"division by zero\","
              " \"traceback\": [\"----> 1 1/0\", \"ZeroDivisionError: division by zero\"],"
              " \"engine_info\": {\"engine_uuid\": \"u1\", \"engine_id\": 1, \"method\": \"execute\"}}",
              NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(ippc_error_code(t->error), IPPC_E_REMOTE);
    ck_assert_int_eq(ippc_error_engine_id(t->error, 0), 1);
    ck_assert_str_eq(ippc_error_method(t->error, 0), "execute");
    ck_assert_str_eq(ippc_error_ename(t->error, 0), "ZeroDivisionError");
    ck_assert_uint_eq(ippc_error_traceback_len(t->error, 0), 2);
    ck_assert(!t->output_done); /* an engine-reported failure still has output */
    ippc_task_unref(&t);

    /* aborted: TaskAborted(msg_id); a failure without engine_info brings no output */
    t = ippc_task_new(IPPC_TASK_APPLY, "m4", 2, "u2");
    m = reply("{\"status\": \"aborted\"}", NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_str_eq(ippc_error_ename(t->error, 0), "TaskAborted");
    ck_assert_str_eq(ippc_error_evalue(t->error, 0), "m4");
    ck_assert(t->output_done);
    ippc_task_unref(&t);
}
END_TEST

/* A stock engine answers a native apply without "result": say what is needed. */
START_TEST(test_reply_not_native)
{
    ippc_task_t *t = ippc_task_new(IPPC_TASK_APPLY, "m5", 4, "u4");
    ippc_msg_t *m = reply("{\"status\": \"ok\"}", NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(ippc_error_code(t->error), IPPC_E_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(t->error), "ippc-engine"));
    ippc_task_unref(&t);

    /* a stock engine fails inside its pickle decoder: say so instead of its assertion */
    t = ippc_task_new(IPPC_TASK_APPLY, "m7", 1, "u1");
    m = reply("{\"status\": \"error\", \"ename\": \"AssertionError\", \"evalue\": \"not enough buffers!\","
              " \"traceback\": [\"File serialize.py:200, in unpack_apply_message(bufs, g, copy)\"],"
              " \"engine_info\": {\"engine_uuid\": \"u1\", \"engine_id\": 1, \"method\": \"apply\"}}",
              NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(ippc_error_code(t->error), IPPC_E_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(t->error), "stock ipengine"));
    ippc_task_unref(&t);

    /* a hostile description is a decoding error naming the engine */
    t = ippc_task_new(IPPC_TASK_APPLY, "m6", 4, "u4");
    m = reply("{\"status\": \"ok\", \"result\": {\"@\": \"bytes\", \"buf\": 3}}", NULL);
    ippc_task_take_reply(t, m);
    ippc_msg_destroy(&m);
    ck_assert_int_eq(ippc_error_code(t->error), IPPC_E_PARSE);
    ck_assert_ptr_nonnull(strstr(ippc_error_message(t->error), "engine 4"));
    ippc_task_unref(&t);
}
END_TEST

/* -------------------------------------------------------------- assembly */

/* consume (a result assembles once): list and tuple parts give their items away */
START_TEST(test_assemble_consume)
{
    ippc_task_t *ts[4] = {task_ok(0, "[2, 3]"), task_ok(1, "()"), task_ok(2, "(4, 'x')"), task_ok(3, "5")};
    ippc_value_t *v;
    ippc_error_t *e = NULL;
    ck_assert_int_eq(ippc_result_assemble(ts, 3, IPPC_SHAPE_JOIN, false, true, &v, &e), 0);
    char *r = ippc_value_repr(v);
    ck_assert_str_eq(r, "[2, 3, 4, 'x']");
    free(r);
    ippc_value_destroy(&v);
    ck_assert_uint_eq(ippc_value_len(ts[0]->value), 0);
    ck_assert_uint_eq(ippc_value_len(ts[2]->value), 0);
    /* a part that is not a list or tuple: joined as ippc_value_concat does, nothing moved */
    ippc_task_t *mixed[2] = {ts[3], task_ok(0, "[1]")};
    ck_assert_int_eq(ippc_result_assemble(mixed, 2, IPPC_SHAPE_JOIN, false, true, &v, &e), 0);
    r = ippc_value_repr(v);
    ck_assert_str_eq(r, "[5, [1]]");
    free(r);
    ippc_value_destroy(&v);
    ck_assert_uint_eq(ippc_value_len(mixed[1]->value), 1);
    ippc_task_unref(&mixed[1]);
    free_tasks(ts, 4);
}
END_TEST

START_TEST(test_assemble_values)
{
    ippc_task_t *ts[3] = {task_ok(0, "1"), task_ok(1, "[2, 3]"), task_ok(2, "(4,)")};
    expect_value(ts, 3, IPPC_SHAPE_LIST, false, "[1, [2, 3], (4,)]");
    expect_value(ts, 1, IPPC_SHAPE_SINGLE, false, "1");
    expect_value(ts, 3, IPPC_SHAPE_NONE, false, "None");
    expect_value(ts + 1, 2, IPPC_SHAPE_JOIN, false, "[2, 3, 4]"); /* map/gather: chained */
    expect_value(ts, 0, IPPC_SHAPE_JOIN, false, "[]");            /* map over nothing */
    expect_value(ts, 2, IPPC_SHAPE_JOIN, false, "[1, [2, 3]]");   /* scalars first: parts as they are */
    free_tasks(ts, 3);
}
END_TEST

START_TEST(test_assemble_errors)
{
    ippc_task_t *ts[4] = {task_ok(0, "1"), task_failed(1, "ValueError", "boom"), task_ok(2, "3"),
                          task_failed(3, "KeyError", "'k'")};
    /* one failing engine: a RemoteError */
    ippc_error_t *e = expect_error(ts, 3, IPPC_SHAPE_LIST, IPPC_E_REMOTE);
    ck_assert_str_eq(ippc_error_message(e), "ValueError(boom)");
    ck_assert_uint_eq(ippc_error_traceback_len(e, 0), 2);
    ippc_error_destroy(&e);
    /* several: a CompositeError in target order */
    e = expect_error(ts, 4, IPPC_SHAPE_LIST, IPPC_E_COMPOSITE);
    ck_assert_uint_eq(ippc_error_count(e), 2);
    ck_assert_int_eq(ippc_error_engine_id(e, 0), 1);
    ck_assert_str_eq(ippc_error_ename(e, 1), "KeyError");
    ck_assert_str_eq(ippc_error_message(e), "one or more exceptions from call to method: apply");
    /* a composite inside is flattened, as collect_exceptions does */
    ippc_task_t *nested = ippc_task_new(IPPC_TASK_APPLY, "n", 5, "u5");
    nested->replied = nested->output_done = true;
    nested->error = ippc_error_clone(e);
    ippc_task_t *two[2] = {ts[1], nested};
    ippc_error_t *flat = expect_error(two, 2, IPPC_SHAPE_JOIN, IPPC_E_COMPOSITE);
    ck_assert_uint_eq(ippc_error_count(flat), 3);
    ippc_error_destroy(&flat);
    ippc_task_unref(&nested);
    ippc_error_destroy(&e);
    /* with return_exceptions the failures are values with the stock repr */
    expect_value(ts, 4, IPPC_SHAPE_LIST, true,
                 "[1, <Remote[1]:ValueError(boom)>, 3, <Remote[3]:KeyError('k')>]");
    expect_value(ts + 1, 1, IPPC_SHAPE_SINGLE, true, "<Remote[1]:ValueError(boom)>");
    free_tasks(ts, 4);
}
END_TEST

START_TEST(test_assemble_engine_death)
{
    ippc_task_t *ts[3] = {task_ok(0, "1"), task_died(1), task_failed(2, "ValueError", "x")};
    /* alone: EngineError with the stock message */
    ippc_error_t *e = expect_error(ts, 2, IPPC_SHAPE_LIST, IPPC_E_ENGINE);
    ck_assert_str_eq(ippc_error_message(e), "Engine 1 died while running task 'dead'");
    ippc_error_destroy(&e);
    /* among others: an EngineError entry of the composite */
    e = expect_error(ts, 3, IPPC_SHAPE_LIST, IPPC_E_COMPOSITE);
    ck_assert_str_eq(ippc_error_ename(e, 0), "EngineError");
    ck_assert_int_eq(ippc_error_engine_id(e, 0), 1);
    ck_assert_str_eq(ippc_error_ename(e, 1), "ValueError");
    ippc_error_destroy(&e);
    free_tasks(ts, 3);
}
END_TEST

/* AsyncMapResult with return_exceptions and failures: parts chained, failures as items. */
START_TEST(test_assemble_map_with_failures)
{
    ippc_task_t *ts[3] = {task_ok(0, "[1, 2]"), task_failed(1, "ValueError", "v"), task_ok(2, "[5]")};
    expect_value(ts, 3, IPPC_SHAPE_JOIN, true, "[1, 2, <Remote[1]:ValueError(v)>, 5]");
    free_tasks(ts, 3);
}
END_TEST

START_TEST(test_error_clone)
{
    ippc_error_t *local = ippc_error_new(IPPC_E_TIMEOUT, "Result not ready.");
    ippc_error_t *c = ippc_error_clone(local);
    ck_assert_int_eq(ippc_error_code(c), IPPC_E_TIMEOUT);
    ck_assert_str_eq(ippc_error_message(c), "Result not ready.");
    ippc_error_destroy(&c);
    ippc_error_destroy(&local);
    const char *tb[] = {"a", "b"};
    ippc_error_t *r = ippc_error_new_remote(2, "execute", "E", "v", tb, 2);
    ippc_error_add_remote(r, 3, "execute", "F", "w", NULL, 0);
    c = ippc_error_clone(r);
    ck_assert_int_eq(ippc_error_code(c), IPPC_E_COMPOSITE);
    char *r1 = ippc_error_render(r, 0), *r2 = ippc_error_render(c, 0);
    ck_assert_str_eq(r1, r2);
    free(r1);
    free(r2);
    ippc_error_destroy(&c);
    ippc_error_destroy(&r);
}
END_TEST

/* ---------------------------------------------------------------- streams */

START_TEST(test_stream_cr)
{
    /* python3: re.compile(r'.*\r(?=[^\n])').sub('', s) */
    static const struct {
        const char *in, *want;
    } cases[] = {{"abc\rdef", "def"},       {"a\r\nb", "a\r\nb"}, {"x\r", "x\r"}, {"1\r2\r3\nq\rw", "3\nw"},
                 {"\r\rz", "z"},            {"ab\r\r\ncd\rx\ry\n", "\r\ny\n"}, {"p\rq\r", "q\r"},
                 {"plain\ntext\n", "plain\ntext\n"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        size_t len = strlen(cases[i].in);
        memcpy(buf, cases[i].in, len + 1);
        len = ippc_stream_fold_cr(buf, len);
        ck_assert_uint_eq(len, strlen(cases[i].want));
        ck_assert_msg(memcmp(buf, cases[i].want, len) == 0, "case %zu", i);
    }
    /* accumulated: the rule applies to all text so far when new text has a '\r' */
    ippc_task_t *t = ippc_task_new(IPPC_TASK_EXECUTE, "s", 0, "u");
    ippc_task_add_stream(t, false, "10%", 3);
    ippc_task_add_stream(t, false, "\r50%", 4);
    ippc_task_add_stream(t, false, "\r100%\n", 6);
    ippc_task_add_stream(t, true, "warn\n", 5);
    ck_assert_str_eq(ippc_task_stream(t, false), "100%\n");
    ck_assert_str_eq(ippc_task_stream(t, true), "warn\n");
    ippc_task_unref(&t);
}
END_TEST

/* ------------------------------------------------------------------ table */

START_TEST(test_tasktab)
{
    enum { N = 2000 };
    ippc_tasktab_t tt;
    ippc_tasktab_init(&tt);
    ippc_task_t *ts[N];
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof(id), "msg-%d", i);
        ts[i] = ippc_task_new(IPPC_TASK_APPLY, id, i % 7, "u");
        ck_assert_int_eq(ippc_tasktab_add(&tt, ts[i]), 0);
    }
    ck_assert_int_eq(ippc_tasktab_add(&tt, ts[5]), -1); /* duplicate msg_id */
    for (int i = 0; i < N; i += 2)
        ippc_tasktab_remove(&tt, ts[i]);
    ck_assert_uint_eq(tt.n, N / 2);
    for (int i = 0; i < N; i++) {
        ippc_task_t *got = ippc_tasktab_get(&tt, ts[i]->msg_id);
        ck_assert_ptr_eq(got, i % 2 ? ts[i] : NULL);
        ck_assert(ts[i]->in_table == (i % 2 == 1));
    }
    /* removed slots are reused without growing forever */
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i += 2)
            ck_assert_int_eq(ippc_tasktab_add(&tt, ts[i]), 0);
        for (int i = 0; i < N; i += 2)
            ippc_tasktab_remove(&tt, ts[i]);
    }
    ck_assert_uint_le(tt.cap, 8192);
    ck_assert_ptr_null(ippc_tasktab_get(&tt, "nope"));
    ippc_tasktab_clear(&tt);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(ts[i]->refs, 1); /* the table's references are gone */
        ippc_task_unref(&ts[i]);
    }
}
END_TEST

static Suite *result_suite(void)
{
    Suite *s = suite_create("client_result");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reply_apply_ok);
    tcase_add_test(tc, test_reply_execute_and_errors);
    tcase_add_test(tc, test_reply_not_native);
    tcase_add_test(tc, test_assemble_values);
    tcase_add_test(tc, test_assemble_consume);
    tcase_add_test(tc, test_assemble_errors);
    tcase_add_test(tc, test_assemble_engine_death);
    tcase_add_test(tc, test_assemble_map_with_failures);
    tcase_add_test(tc, test_error_clone);
    tcase_add_test(tc, test_stream_cr);
    tcase_add_test(tc, test_tasktab);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(result_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
