/* direct_client.c - the C side of bench/direct.sh: libippc's Direct interface timed
 * against a running cluster.
 *
 *   ippc-direct-client CLIENT_JSON
 *
 * Reads one command a line on stdin and answers each with one JSON line on stdout
 * (times in seconds), so that bench/direct_run.py can interleave it with the other
 * clients figure by figure. The same commands, with the same method, are implemented
 * by direct_py.py (the stock Python client) and direct_zmq.c (the raw ZeroMQ floor); the
 * loop reading them is cmdloop.c:
 *
 *   rtt KIND N WARM     N timed round trips after WARM untimed ones; KIND is
 *                       apply1   rc[0].apply_sync(lambda: None)
 *                       applyall rc[:].apply_sync(lambda: None)
 *                       execute  rc[0].execute('pass', block=True)
 *                       push     rc[0].push({'a': 1}, block=True)
 *                       pull     rc[0].pull('a', block=True)
 *                       -> {"samples": [...]}
 *   async M             M rc[0].apply_async(lambda: None), then wait for all
 *                       -> {"samples": [elapsed]}
 *   bulk BYTES          push {'x': float64 array of BYTES} to rc[0], then pull 'x'
 *                       -> {"push": t, "pull": t}; the array is made and written once
 *                       (pre-faulted) before the clock starts and reused
 *   scatter KIND N      scatter 's' of range(N) | list(range(N)) | a float64 array of N
 *                       bytes over rc[:], then gather 's' -> {"scatter": t, "gather": t}
 *   cleanup             del x, s on the engines
 *   quit
 *
 * A failed command answers {"error": "..."}; results are checked outside the clock. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ippc.h>

#include "cmdloop.h"

static ippc_client_t *rc;
static ippc_view_t *one, *all;

static void reply_error(const char *what, ippc_error_t *err)
{
    char *text = ippc_error_summary(err, 0);
    printf("{\"error\": \"%s: ", what);
    for (const char *p = text ? text : ippc_error_message(err); p && *p; p++) /* a JSON string */
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    printf("\"}\n");
    free(text);
    ippc_error_destroy(&err);
}

/* One round trip of kind; 0 / -1 with *err. */
static int round_trip(const char *kind, const ippc_value_t *ns, ippc_error_t **err)
{
    ippc_value_t *v = NULL;
    int rc_ = 0;
    if (strcmp(kind, "apply1") == 0)
        v = ippc_view_apply_sync(one, "lambda: None", NULL, NULL, NULL, err);
    else if (strcmp(kind, "applyall") == 0)
        v = ippc_view_apply_sync(all, "lambda: None", NULL, NULL, NULL, err);
    else if (strcmp(kind, "execute") == 0)
        return ippc_view_execute_sync(one, "pass", NULL, err);
    else if (strcmp(kind, "push") == 0)
        return ippc_view_push_sync(one, ns, NULL, err);
    else if (strcmp(kind, "pull") == 0)
        v = ippc_view_pull_sync(one, "a", NULL, err);
    else {
        *err = ippc_error_new(IPPC_E_INVALID, "unknown kind %s", kind);
        return -1;
    }
    if (!v)
        rc_ = -1;
    ippc_value_destroy(&v);
    return rc_;
}

static void cmd_rtt(const char *kind, size_t n, size_t warm)
{
    ippc_error_t *err = NULL;
    ippc_value_t *ns = ippc_value_new_dict();
    ippc_value_dict_set(ns, "a", ippc_value_new_int(1));
    if (ippc_view_push_sync(one, ns, NULL, &err) != 0) { /* so that pull finds a */
        ippc_value_destroy(&ns);
        reply_error("push", err);
        return;
    }
    double *s = calloc(n ? n : 1, sizeof(*s));
    for (size_t i = 0; i < warm + n; i++) {
        double t0 = bench_now();
        if (round_trip(kind, ns, &err) != 0) {
            reply_error(kind, err);
            free(s);
            ippc_value_destroy(&ns);
            return;
        }
        if (i >= warm)
            s[i - warm] = bench_now() - t0;
    }
    bench_reply_samples(s, n);
    free(s);
    ippc_value_destroy(&ns);
}

static void cmd_async(size_t m)
{
    ippc_error_t *err = NULL;
    ippc_result_t **rs = calloc(m ? m : 1, sizeof(*rs));
    double t0 = bench_now();
    for (size_t i = 0; i < m; i++)
        if (!(rs[i] = ippc_view_apply(one, "lambda: None", NULL, NULL, NULL, &err))) {
            reply_error("apply_async", err);
            for (size_t j = 0; j < i; j++)
                ippc_result_destroy(&rs[j]);
            free(rs);
            return;
        }
    bool ok = ippc_wait(rs, m, 600);
    double t = bench_now() - t0;
    size_t failed = 0;
    for (size_t i = 0; i < m; i++) {
        failed += !ippc_result_successful(rs[i]);
        ippc_result_destroy(&rs[i]);
    }
    free(rs);
    if (!ok || failed)
        reply_error("async", ippc_error_new(IPPC_E_STATE, "%zu of %zu failed or not ready", failed, m));
    else
        bench_reply_samples(&t, 1);
}

/* A float64 array of nbytes (rounded down to items), written before use. The memory
 * is the bench's and is reused by every round of the same size. */
static ippc_value_t *bench_array(size_t nbytes)
{
    static double *data;
    static size_t have;
    size_t n = nbytes / sizeof(double);
    if (have < n) {
        free(data);
        data = malloc(n * sizeof(double));
        have = data ? n : 0;
        if (!data)
            return NULL;
    }
    for (size_t i = 0; i < n; i++)
        data[i] = (double)i;
    return ippc_value_wrap_ndarray("<f8", 1, &n, data, NULL, NULL);
}

/* The pulled or gathered array is whole: n items, item i == i. */
static bool array_ok(const ippc_value_t *v, size_t n)
{
    size_t nbytes = 0;
    const double *d = ippc_value_ndarray_data(v, &nbytes);
    if (!d || nbytes != n * sizeof(double))
        return false;
    for (size_t i = 0; i < n; i += 4099)
        if (d[i] != (double)i)
            return false;
    return n == 0 || d[n - 1] == (double)(n - 1);
}

static void cmd_bulk(size_t nbytes)
{
    ippc_error_t *err = NULL;
    ippc_value_t *arr = bench_array(nbytes);
    ippc_value_t *ns = ippc_value_new_dict();
    if (!arr || !ns) {
        ippc_value_destroy(&arr);
        ippc_value_destroy(&ns);
        reply_error("bulk", ippc_error_new(IPPC_E_NOMEM, "out of memory"));
        return;
    }
    ippc_value_dict_set(ns, "x", arr);
    double t0 = bench_now();
    int pushed = ippc_view_push_sync(one, ns, NULL, &err);
    double t_push = bench_now() - t0;
    ippc_value_destroy(&ns);
    if (pushed != 0) {
        reply_error("push", err);
        return;
    }
    t0 = bench_now();
    ippc_value_t *v = ippc_view_pull_sync(one, "x", NULL, &err);
    double t_pull = bench_now() - t0;
    if (!v) {
        reply_error("pull", err);
        return;
    }
    bool ok = array_ok(v, nbytes / sizeof(double));
    ippc_value_destroy(&v);
    if (!ok)
        reply_error("pull", ippc_error_new(IPPC_E_PROTOCOL, "the pulled array differs"));
    else
        printf("{\"push\": %.9f, \"pull\": %.9f}\n", t_push, t_pull);
}

static void cmd_scatter(const char *kind, size_t n)
{
    ippc_error_t *err = NULL;
    ippc_value_t *seq = NULL;
    size_t items = n;
    if (strcmp(kind, "range") == 0) {
        seq = ippc_value_new_range(0, (int64_t)n, 1);
    } else if (strcmp(kind, "list") == 0) {
        seq = ippc_value_new_list();
        for (size_t i = 0; seq && i < n; i++)
            if (ippc_value_append(seq, ippc_value_new_int((int64_t)i)) != 0)
                ippc_value_destroy(&seq);
    } else if (strcmp(kind, "array") == 0) {
        seq = bench_array(n);
        items = n / sizeof(double);
    } else {
        reply_error("scatter", ippc_error_new(IPPC_E_INVALID, "unknown kind %s", kind));
        return;
    }
    if (!seq) {
        reply_error("scatter", ippc_error_new(IPPC_E_NOMEM, "out of memory"));
        return;
    }
    double t0 = bench_now();
    int scattered = ippc_view_scatter_sync(all, "s", seq, false, NULL, &err);
    double t_scatter = bench_now() - t0;
    if (scattered != 0) {
        ippc_value_destroy(&seq);
        reply_error("scatter", err);
        return;
    }
    t0 = bench_now();
    ippc_value_t *v = ippc_view_gather_sync(all, "s", NULL, &err);
    double t_gather = bench_now() - t0;
    if (!v) {
        ippc_value_destroy(&seq);
        reply_error("gather", err);
        return;
    }
    bool ok;
    if (strcmp(kind, "array") == 0)
        ok = array_ok(v, items);
    else if (strcmp(kind, "range") == 0) /* ranges gather to the list of the parts */
        ok = ippc_value_type(v) == IPPC_T_LIST && ippc_value_len(v) == 4 &&
             ippc_value_range_stop(ippc_value_item(v, 3)) == (int64_t)n;
    else
        ok = ippc_value_equal(v, seq);
    ippc_value_destroy(&v);
    ippc_value_destroy(&seq);
    if (!ok)
        reply_error("gather", ippc_error_new(IPPC_E_PROTOCOL, "the gathered value differs"));
    else
        printf("{\"scatter\": %.9f, \"gather\": %.9f}\n", t_scatter, t_gather);
}

static void cmd_bad(const char *line)
{
    reply_error("command", ippc_error_new(IPPC_E_INVALID, "bad command: %.100s", line));
}

static void cmd_cleanup(void)
{
    ippc_error_t *err = NULL;
    if (ippc_view_execute_sync(all, "x = s = None", NULL, &err) != 0)
        reply_error("cleanup", err);
    else
        printf("{\"ok\": true}\n");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: %s CLIENT_JSON\n", argv[0]);
        return 2;
    }
    ippc_error_t *err = NULL;
    rc = ippc_client_connect(argv[1], 30, &err);
    if (!rc || ippc_client_wait_for_engines(rc, 4, 120, &err) != 0 || !(one = ippc_client_view(rc, "0", &err)) ||
        !(all = ippc_client_view(rc, ":", &err))) {
        reply_error("connect", err);
        return 1;
    }
    printf("{\"ready\": true, \"client\": \"libippc %s\"}\n", ippc_version());
    bench_cmdloop(&(bench_commands_t){cmd_rtt, cmd_async, cmd_bulk, cmd_scatter, cmd_cleanup, cmd_bad});
    ippc_view_destroy(&one);
    ippc_view_destroy(&all);
    ippc_client_destroy(&rc);
    return 0;
}
