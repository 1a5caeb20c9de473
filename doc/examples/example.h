/* example.h - what the tutorial's example programs share.
 *
 * Each example retells one part of IPython Parallel's "Direct interface" tutorial in
 * C. It prints what it does the way an interactive session shows it ("In:" the Python
 * the seed typed, then "Out:" what libippc gave back), and compares each result with
 * the seed's. A difference prints "MISMATCH" and makes the program exit with status 1;
 * an unexpected error stops it at once (status 1). Status 0: everything as the seed.
 *
 * Which cluster: the client connection file named on the command line, else the one
 * in $IPPC_CONNECTION_FILE, else the running cluster of the default profile as
 * Cluster.from_file() finds it ($IPYTHONDIR/profile_default/security/cluster-.json).
 * Every example needs 4 engines (ids 0..3) and waits up to 60 s for them. */
#ifndef IPPC_EXAMPLE_H
#define IPPC_EXAMPLE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ippc.h>

#define EX_ENGINES 4

static int ex_mismatches;

/* Print an unexpected error (rendered as the stock client shows it) and exit 1. */
static inline void ex_die(const char *what, ippc_error_t *err)
{
    char *text = ippc_error_render(err, 0);
    fprintf(stderr, "error: %s: %s: %s", what, err ? ippc_errcode_name(ippc_error_code(err)) : "?",
            text ? text : "(no message)\n");
    free(text);
    ippc_error_destroy(&err);
    exit(1);
}

/* A value that must exist (the result of a call that should have worked). */
static inline ippc_value_t *ex_ok(ippc_value_t *v, const char *what, ippc_error_t *err)
{
    if (!v)
        ex_die(what, err);
    return v;
}

/* "In:" line: the Python the seed typed for this step. */
static inline void ex_in(const char *python)
{
    printf("In : %s\n", python);
}

/* A fact the example checked that is not a value: printed, and compared. */
static inline void ex_check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "ok : " : "MISMATCH: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!ok)
        ex_mismatches++;
}

/* "Out:" line: repr(v); when expected is not NULL it must equal the seed's output. */
static inline void ex_out(const ippc_value_t *v, const char *expected)
{
    char *repr = ippc_value_repr(v);
    printf("Out: %s\n", repr ? repr : "(repr failed)");
    if (expected && (!repr || strcmp(repr, expected) != 0)) {
        printf("MISMATCH: the seed shows %s\n", expected);
        ex_mismatches++;
    }
    free(repr);
}

/* Print an expected error like the interactive session shows it, rendered with
 * tb_limit (0: the default), and check its code. */
static inline void ex_show_error(const ippc_error_t *err, int tb_limit, ippc_errcode_t code)
{
    char *text = ippc_error_render(err, tb_limit);
    printf("%s", text ? text : "(render failed)\n");
    free(text);
    ex_check(err && ippc_error_code(err) == code, "the error is %s", ippc_errcode_name(code));
}

/* Seconds on a monotonic clock. */
static inline double ex_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse a Python literal of the example's own text (a bug in the example if it fails). */
static inline ippc_value_t *ex_lit(const char *text)
{
    ippc_error_t *err = NULL;
    return ex_ok(ippc_value_parse(text, &err), text, err);
}

/* Connect to the cluster (see the top of this file) and wait for EX_ENGINES engines. */
static inline ippc_client_t *ex_connect(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *file = argc > 1 ? argv[1] : getenv("IPPC_CONNECTION_FILE");
    ippc_error_t *err = NULL;
    ippc_client_t *rc = NULL;
    if (file && *file) {
        rc = ippc_client_connect(file, 30, &err);
    } else {
        ippc_cluster_t *cluster = ippc_cluster_from_file(NULL, NULL, &err);
        if (cluster)
            rc = ippc_cluster_connect(cluster, 30, &err);
        ippc_cluster_destroy(&cluster);
    }
    if (!rc)
        ex_die("connect", err);
    if (ippc_client_wait_for_engines(rc, EX_ENGINES, 60, &err) != 0)
        ex_die("wait_for_engines", err);
    return rc;
}

/* The list of engine ids, as a value ([0, 1, 2, 3]). */
static inline ippc_value_t *ex_ids(const int *ids, size_t n)
{
    ippc_value_t *list = ippc_value_new_list();
    for (size_t i = 0; list && i < n; i++)
        if (ippc_value_append(list, ippc_value_new_int(ids[i])) != 0)
            ippc_value_destroy(&list);
    if (!list)
        ex_die("ids", ippc_error_new(IPPC_E_NOMEM, "out of memory"));
    return list;
}

/* A view that must work. */
static inline ippc_view_t *ex_view(ippc_client_t *rc, const char *targets)
{
    ippc_error_t *err = NULL;
    ippc_view_t *v = ippc_client_view(rc, targets, &err);
    if (!v)
        ex_die(targets, err);
    return v;
}

/* The end of an example: 0 when every result matched the seed's. */
static inline int ex_finish(void)
{
    if (ex_mismatches)
        printf("%d result(s) differ from the seed\n", ex_mismatches);
    return ex_mismatches ? 1 : 0;
}

#endif /* IPPC_EXAMPLE_H */
