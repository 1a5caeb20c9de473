/* targets.c - target specs ("all", ":", "1:3", "::2", "-1", "0,2", "3") turned into
 * engine ids the way Client._build_targets treats the Python values behind them:
 * slices index the sorted ids (Python slice semantics, frozen at parse time), a
 * non-negative int is an engine id, a negative int an index from the end, a list
 * holds engine ids. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client_int.h"
#include "error_int.h"

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* An optionally signed decimal integer at *p (spaces around allowed). Returns 1 when
 * one was read, 0 when there is none (p unchanged), -1 when it overflows. */
static int read_int(const char **p, long long *out)
{
    const char *s = skip_space(*p);
    if (!(isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))))
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -1;
    *out = v;
    *p = skip_space(end);
    return 1;
}

static int syntax(ippc_error_t **err, const char *spec, const char *why)
{
    return ippc_error_set(err, IPPC_E_PARSE,
                          "bad targets '%s': %s (use all, a slice like 1:3 or ::2, an engine id like 3, "
                          "an index from the end like -1, or a list like 0,2)",
                          spec, why);
}

/* Python's slice.indices(n) followed by range(...): the selected positions. */
static size_t slice_positions(long long n, bool has_start, long long start, bool has_stop, long long stop,
                              long long step, size_t *pos)
{
    long long lo, hi;
    if (step > 0) {
        lo = !has_start ? 0 : start < 0 ? (start + n < 0 ? 0 : start + n) : (start > n ? n : start);
        hi = !has_stop ? n : stop < 0 ? (stop + n < 0 ? 0 : stop + n) : (stop > n ? n : stop);
    } else {
        lo = !has_start ? n - 1 : start < 0 ? (start + n < 0 ? -1 : start + n) : (start >= n ? n - 1 : start);
        hi = !has_stop ? -1 : stop < 0 ? (stop + n < 0 ? -1 : stop + n) : (stop >= n ? n - 1 : stop);
    }
    size_t k = 0;
    if (step > 0)
        for (long long i = lo; i < hi; i += step)
            pos[k++] = (size_t)i;
    else
        for (long long i = lo; i > hi; i += step)
            pos[k++] = (size_t)i;
    return k;
}

static int parse_slice(const char *spec, const char *p, const int *ids, size_t nids, ippc_targets_t *out,
                       ippc_error_t **err)
{
    long long part[3] = {0, 0, 1};
    bool has[3] = {false, false, false};
    for (int k = 0; k < 3; k++) {
        int rc = read_int(&p, &part[k]);
        if (rc < 0)
            return syntax(err, spec, "number out of range");
        has[k] = rc == 1;
        if (k < 2 && *p == ':') {
            p++;
            continue;
        }
        break;
    }
    if (*skip_space(p) != '\0')
        return syntax(err, spec, "a slice is start:stop:step with integers");
    if (has[2] && part[2] == 0)
        return ippc_error_set(err, IPPC_E_PARSE, "bad targets '%s': slice step cannot be zero", spec);
    size_t *pos = malloc((nids ? nids : 1) * sizeof(*pos));
    out->ids = malloc((nids ? nids : 1) * sizeof(*out->ids));
    if (!pos || !out->ids) {
        free(pos);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    out->n = slice_positions((long long)nids, has[0], part[0], has[1], part[1], has[2] ? part[2] : 1, pos);
    for (size_t i = 0; i < out->n; i++)
        out->ids[i] = ids[pos[i]];
    free(pos);
    out->kind = IPPC_TARGETS_LIST;
    return 0;
}

static bool registered(const int *ids, size_t nids, long long id)
{
    for (size_t i = 0; i < nids; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static int no_such_engine(ippc_error_t **err, long long id)
{
    return ippc_error_set(err, IPPC_E_NOTFOUND, "No such engine: %lld", id);
}

static int parse_list(const char *spec, const char *p, const int *ids, size_t nids, ippc_targets_t *out,
                      ippc_error_t **err)
{
    bool bracket = *p == '[';
    if (bracket)
        p++;
    size_t cap = 8;
    out->ids = malloc(cap * sizeof(*out->ids));
    if (!out->ids)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    out->kind = IPPC_TARGETS_LIST;
    bool after_comma = false;
    for (;;) {
        long long id;
        int rc = read_int(&p, &id);
        if (rc < 0)
            return syntax(err, spec, "number out of range");
        if (rc == 0) {
            /* a trailing comma ("3," or "[0, 2,]") is fine, an empty item is not */
            bool at_end = *p == '\0' || (bracket && *p == ']');
            if (at_end && (after_comma || (bracket && out->n == 0)))
                break;
            return syntax(err, spec, "a list holds engine ids separated by commas");
        }
        if (id < 0 || !registered(ids, nids, id))
            return no_such_engine(err, id);
        if (out->n == cap) {
            int *grown = realloc(out->ids, 2 * cap * sizeof(*grown));
            if (!grown)
                return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
            out->ids = grown;
            cap *= 2;
        }
        out->ids[out->n++] = (int)id;
        if (*p != ',')
            break;
        p = skip_space(p + 1);
        after_comma = true;
    }
    if (bracket) {
        if (*p != ']')
            return syntax(err, spec, "missing ']'");
        p++;
    }
    if (*skip_space(p) != '\0')
        return syntax(err, spec, "unexpected text after the list");
    return 0;
}

static int parse_single(const char *spec, long long v, const int *ids, size_t nids, ippc_targets_t *out,
                        ippc_error_t **err)
{
    if (v < 0) {
        if (v < -(long long)nids)
            return ippc_error_set(err, IPPC_E_NOTFOUND, "bad targets '%s': list index out of range (%zu engines)",
                                  spec, nids);
        v = ids[(long long)nids + v];
    } else if (!registered(ids, nids, v)) {
        return no_such_engine(err, v);
    }
    out->ids = malloc(sizeof(*out->ids));
    if (!out->ids)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    out->ids[0] = (int)v;
    out->n = 1;
    out->kind = IPPC_TARGETS_SINGLE;
    return 0;
}

int ippc_targets_parse(const char *spec, const int *ids, size_t nids, ippc_targets_t *out, ippc_error_t **err)
{
    memset(out, 0, sizeof(*out));
    const char *p = spec ? skip_space(spec) : "all";
    if (strncasecmp(p, "all", 3) == 0 && *skip_space(p + 3) == '\0') {
        out->kind = IPPC_TARGETS_ALL;
        return 0;
    }
    if (!*p)
        return syntax(err, spec, "empty");
    if (nids == 0)
        return ippc_error_set(err, IPPC_E_STATE,
                              "This operation requires engines. Try ippc_client_wait_for_engines(c, n, ...) "
                              "to wait for engines to register.");
    int rc;
    if (strchr(p, ':')) {
        rc = parse_slice(spec, p, ids, nids, out, err);
    } else if (strchr(p, ',') || *p == '[') {
        rc = parse_list(spec, p, ids, nids, out, err);
    } else {
        long long v;
        const char *q = p;
        int got = read_int(&q, &v);
        if (got < 0)
            rc = syntax(err, spec, "number out of range");
        else if (got == 0 || *q != '\0')
            rc = syntax(err, spec, "not a number");
        else
            rc = parse_single(spec, v, ids, nids, out, err);
    }
    if (rc == 0 && out->n == 0)
        rc = ippc_error_set(err, IPPC_E_NOTFOUND, "targets '%s' select no engines (%zu registered)", spec, nids);
    if (rc != 0)
        ippc_targets_free(out);
    return rc;
}

void ippc_targets_free(ippc_targets_t *t)
{
    free(t->ids);
    t->ids = NULL;
    t->n = 0;
}

int ippc_targets_copy(ippc_targets_t *dst, const ippc_targets_t *src)
{
    *dst = *src;
    dst->ids = NULL;
    if (src->n) {
        dst->ids = malloc(src->n * sizeof(*dst->ids));
        if (!dst->ids)
            return -1;
        memcpy(dst->ids, src->ids, src->n * sizeof(*dst->ids));
    }
    return 0;
}
