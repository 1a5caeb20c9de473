/* ippc-valuetool - drive the value model from shell tests.
 *
 * usage: ippc-valuetool [--json] COMMAND ARGS
 *   repr VALUE...        repr() of each value, one per line (--json: a JSON array)
 *   partition N Q        "lo hi" of each part of N items over Q; N and Q may be
 *                        ranges A-B, then every pair is printed as "n q p lo hi"
 *   scatter VALUE Q      repr() of each of the Q parts (--json: a JSON array)
 *   gather PART...       repr() of the parts joined as gather joins them
 *   encode VALUE         the JSON description, then one "buffer I: N bytes" line each
 *   roundtrip VALUE      encode then decode; prints the repr, fails when not equal
 *
 * VALUE is a Python literal, or @DTYPE:SHAPE:FILE for an ndarray read from the raw
 * bytes in FILE (SHAPE is comma-separated, empty for a 0-d array).
 * Exit status: 0 ok, 1 failure (reason on stderr), 2 usage. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"
#include "value_codec.h"

static bool json_out;

static int usage(void)
{
    fprintf(stderr, "usage: ippc-valuetool [--json] repr VALUE... | partition N Q | scatter VALUE Q |\n"
                    "                      gather PART... | encode VALUE | roundtrip VALUE\n"
                    "VALUE: a Python literal or @DTYPE:SHAPE:FILE (raw ndarray bytes)\n");
    return 2;
}

static int report(const char *what, ippc_error_t **err)
{
    fprintf(stderr, "ippc-valuetool: %s: %s: %s\n", what, ippc_errcode_name(ippc_error_code(*err)),
            ippc_error_message(*err));
    ippc_error_destroy(err);
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* @DTYPE:SHAPE:FILE */
static ippc_value_t *array_arg(const char *arg, ippc_error_t **err)
{
    char dtype[16], shape_text[256];
    const char *c1 = strchr(arg + 1, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || (size_t)(c1 - arg - 1) >= sizeof dtype || (size_t)(c2 - c1 - 1) >= sizeof shape_text) {
        *err = ippc_error_new(IPPC_E_INVALID, "array argument must be @DTYPE:SHAPE:FILE");
        return NULL;
    }
    snprintf(dtype, sizeof dtype, "%.*s", (int)(c1 - arg - 1), arg + 1);
    snprintf(shape_text, sizeof shape_text, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    size_t shape[32], ndim = 0;
    for (char *s = shape_text, *tok; ndim < 32 && (tok = strsep(&s, ",")) && *tok;)
        shape[ndim++] = strtoull(tok, NULL, 10);
    size_t len;
    char *data = read_file(c2 + 1, &len);
    if (!data) {
        *err = ippc_error_new(IPPC_E_IO, "%s: %s", c2 + 1, strerror(errno));
        return NULL;
    }
    /* zero-filled first: the file must hold exactly the bytes the shape needs */
    ippc_value_t *v = ippc_value_new_ndarray(dtype, ndim, shape, NULL);
    size_t nbytes = 0;
    void *dst = ippc_value_ndarray_data(v, &nbytes);
    if (v && nbytes != len)
        ippc_value_destroy(&v);
    else if (v && len)
        memcpy(dst, data, len);
    free(data);
    if (!v)
        *err = ippc_error_new(IPPC_E_INVALID, "bad array %s (dtype, or file size against the shape)", arg);
    return v;
}

static ippc_value_t *value_arg(const char *arg, ippc_error_t **err)
{
    return arg[0] == '@' ? array_arg(arg, err) : ippc_value_parse(arg, err);
}

/* Print a list of strings, one per line or as a JSON array. */
static void print_all(char **texts, size_t n)
{
    if (!json_out) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", texts[i]);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(texts[i]));
    char *s = json_dumps(a, JSON_ENSURE_ASCII);
    printf("%s\n", s);
    free(s);
    json_decref(a);
}

static void free_all(char **texts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
}

static int cmd_repr(int argc, char **argv)
{
    char **out = calloc((size_t)argc + 1, sizeof(char *));
    ippc_error_t *err = NULL;
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        ippc_value_t *v = value_arg(argv[i], &err);
        if (!v)
            rc = report(argv[i], &err);
        out[i] = ippc_value_repr(v);
        ippc_value_destroy(&v);
    }
    if (rc == 0)
        print_all(out, (size_t)argc);
    free_all(out, (size_t)argc);
    return rc;
}

/* "A-B" or "A" */
static int parse_span(const char *s, size_t *lo, size_t *hi)
{
    char *end;
    *lo = *hi = strtoull(s, &end, 10);
    if (*end == '-')
        *hi = strtoull(end + 1, &end, 10);
    return end == s || *end || *hi < *lo ? -1 : 0;
}

static int cmd_partition(const char *n_arg, const char *q_arg)
{
    size_t n0, n1, q0, q1, lo, hi;
    if (parse_span(n_arg, &n0, &n1) != 0 || parse_span(q_arg, &q0, &q1) != 0 || q0 == 0)
        return usage();
    bool table = n0 != n1 || q0 != q1;
    for (size_t n = n0; n <= n1; n++)
        for (size_t q = q0; q <= q1; q++)
            for (size_t p = 0; p < q; p++) {
                ippc_partition(n, q, p, &lo, &hi);
                if (table)
                    printf("%zu %zu %zu %zu %zu\n", n, q, p, lo, hi);
                else
                    printf("%zu %zu\n", lo, hi);
            }
    return 0;
}

static int cmd_scatter(const char *arg, const char *q_arg)
{
    ippc_error_t *err = NULL;
    size_t q = strtoull(q_arg, NULL, 10);
    if (q == 0)
        return usage();
    ippc_value_t *v = value_arg(arg, &err);
    if (!v)
        return report(arg, &err);
    char **out = calloc(q + 1, sizeof(char *));
    int rc = 0;
    for (size_t p = 0; p < q && rc == 0; p++) {
        ippc_value_t *part = ippc_value_partition(v, q, p, &err);
        if (!part)
            rc = report("scatter", &err);
        out[p] = ippc_value_repr(part);
        ippc_value_destroy(&part);
    }
    if (rc == 0)
        print_all(out, q);
    free_all(out, q);
    ippc_value_destroy(&v);
    return rc;
}

static int cmd_gather(int argc, char **argv)
{
    ippc_error_t *err = NULL;
    ippc_value_t *parts = ippc_value_new_list();
    for (int i = 0; i < argc; i++) {
        ippc_value_t *v = value_arg(argv[i], &err);
        if (!v) {
            ippc_value_destroy(&parts);
            return report(argv[i], &err);
        }
        ippc_value_append(parts, v);
    }
    ippc_value_t *joined = ippc_value_concat(parts, &err);
    ippc_value_destroy(&parts);
    if (!joined)
        return report("gather", &err);
    char *s = ippc_value_repr(joined);
    print_all(&s, 1);
    free(s);
    ippc_value_destroy(&joined);
    return 0;
}

static int cmd_encode(const char *arg, bool roundtrip)
{
    ippc_error_t *err = NULL;
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    ippc_value_t *v = value_arg(arg, &err), *back = NULL;
    json_t *j = v ? ippc_value_encode(v, &bufs, &err) : NULL;
    int rc = 0;
    if (!j) {
        rc = report(arg, &err);
    } else if (!roundtrip) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        printf("%s\n", s);
        free(s);
        for (size_t i = 0; i < bufs.n; i++)
            printf("buffer %zu: %zu bytes\n", i, ippc_blob_size(bufs.items[i]));
    } else if (!(back = ippc_value_decode(j, bufs.items, bufs.n, &err))) {
        rc = report("decode", &err);
    } else {
        char *s = ippc_value_repr(back);
        printf("%s\n", s);
        free(s);
        if (!ippc_value_equal(v, back)) {
            fprintf(stderr, "ippc-valuetool: decoded value differs from the original\n");
            rc = 1;
        }
    }
    json_decref(j);
    ippc_bloblist_clear(&bufs);
    ippc_value_destroy(&v);
    ippc_value_destroy(&back);
    return rc;
}

int main(int argc, char **argv)
{
    int a = 1;
    if (a < argc && strcmp(argv[a], "--json") == 0) {
        json_out = true;
        a++;
    }
    if (a >= argc)
        return usage();
    const char *cmd = argv[a++];
    int left = argc - a;
    if (strcmp(cmd, "repr") == 0 && left >= 1)
        return cmd_repr(left, argv + a);
    if (strcmp(cmd, "partition") == 0 && left == 2)
        return cmd_partition(argv[a], argv[a + 1]);
    if (strcmp(cmd, "scatter") == 0 && left == 2)
        return cmd_scatter(argv[a], argv[a + 1]);
    if (strcmp(cmd, "gather") == 0 && left >= 1)
        return cmd_gather(left, argv + a);
    if (strcmp(cmd, "encode") == 0 && left == 1)
        return cmd_encode(argv[a], false);
    if (strcmp(cmd, "roundtrip") == 0 && left == 1)
        return cmd_encode(argv[a], true);
    return usage();
}
