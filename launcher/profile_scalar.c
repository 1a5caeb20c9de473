/* profile_scalar.c - the text forms of profile values, both ways: integers, sizes
 * ("512MiB"), Slurm times ("1-12:00:00"), ports ("50000-50100") and log levels.
 * Pure functions over strings; the callers name the key in their messages. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error_int.h"
#include "profile_int.h"

/* Decimal digits with an optional sign, nothing else (no spaces, 0x, 1e3 or 1_000),
 * within long long. */
int profile_parse_int(const char *s, long long *out)
{
    const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
    if (!isdigit((unsigned char)*d))
        return -1;
    for (const char *c = d; *c; c++)
        if (!isdigit((unsigned char)*c))
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno)
        return -1;
    *out = v;
    return 0;
}

/* Units are powers of 1024 whatever their spelling, as the controller's --records-max-bytes
 * reads them: nobody sizing a record store means 10^9 by "1G". */
static const struct {
    const char *unit;
    int shift;
} size_units[] = {
    {"", 0},    {"b", 0},    {"k", 10},   {"kb", 10}, {"kib", 10}, {"m", 20},   {"mb", 20},
    {"mib", 20}, {"g", 30},  {"gb", 30},  {"gib", 30}, {"t", 40},  {"tb", 40}, {"tib", 40},
};

int profile_parse_size(const char *s, long long *out)
{
    if (!isdigit((unsigned char)*s))
        return -1; /* no sign: sizes are never negative */
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
        if (strcasecmp(end, size_units[i].unit) != 0)
            continue;
        if (v > (unsigned long long)LLONG_MAX >> size_units[i].shift)
            return -1;
        *out = (long long)(v << size_units[i].shift);
        return 0;
    }
    return -1;
}

char *profile_format_size(long long bytes)
{
    static const char *const names[] = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < 4 && bytes > 0; i++) {
        int shift = 40 - 10 * i;
        if (bytes % (1LL << shift) == 0)
            return ippc_strdup_printf("%lld%s", bytes >> shift, names[i]);
    }
    return ippc_strdup_printf("%lld", bytes);
}

/* Up to `max` groups of digits (each at most 7 long, so that nothing overflows)
 * separated by ':' - returns how many, or -1. */
static int time_fields(const char *s, long long *f, int max)
{
    int n = 0;
    for (;;) {
        size_t len = strspn(s, "0123456789");
        if (len == 0 || len > 7 || n == max)
            return -1;
        f[n++] = strtoll(s, NULL, 10);
        s += len;
        if (*s == '\0')
            return n;
        if (*s++ != ':')
            return -1;
    }
}

/* Slurm's --time forms: "minutes", "minutes:seconds", "hours:minutes:seconds",
 * "days-hours", "days-hours:minutes", "days-hours:minutes:seconds", and "unlimited"
 * (or "infinite"). The leading field may be large (90 minutes, 36 hours); those after
 * it must be below 60, and hours below 24 after days. The total must be > 0. */
int profile_parse_time(const char *s, long long *out)
{
    if (strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "infinite") == 0) {
        *out = IPPC_PROFILE_TIME_UNLIMITED;
        return 0;
    }
    long long days = 0, f[3] = {0, 0, 0};
    const char *dash = strchr(s, '-');
    if (dash) {
        size_t len = (size_t)(dash - s);
        if (len == 0 || len > 7 || strspn(s, "0123456789") != len)
            return -1;
        days = strtoll(s, NULL, 10);
        s = dash + 1;
    }
    int n = time_fields(s, f, 3);
    if (n < 0)
        return -1;
    long long h = 0, m = 0, sec = 0;
    if (dash) { /* d-h, d-h:m, d-h:m:s */
        h = f[0];
        m = n > 1 ? f[1] : 0;
        sec = n > 2 ? f[2] : 0;
        if (h >= 24)
            return -1;
    } else if (n == 1) { /* m */
        m = f[0];
    } else if (n == 2) { /* m:s */
        m = f[0];
        sec = f[1];
    } else { /* h:m:s */
        h = f[0];
        m = f[1];
        sec = f[2];
    }
    bool m_leads = !dash && n <= 2;
    if ((!m_leads && m >= 60) || ((dash || n > 1) && sec >= 60))
        return -1;
    long long total = ((days * 24 + h) * 60 + m) * 60 + sec;
    if (total <= 0)
        return -1;
    *out = total;
    return 0;
}

char *ippc_profile_time_format(long long seconds)
{
    if (seconds == IPPC_PROFILE_TIME_UNLIMITED)
        return strdup("UNLIMITED");
    if (seconds <= 0)
        return NULL;
    long long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
    if (d)
        return ippc_strdup_printf("%lld-%02lld:%02lld:%02lld", d, h, m, s);
    return ippc_strdup_printf("%02lld:%02lld:%02lld", h, m, s);
}

/* Python's logging levels. */
static const struct {
    const char *name;
    int level;
} levels[] = {{"debug", 10}, {"info", 20}, {"warning", 30}, {"error", 40}, {"critical", 50}};
#define NLEVELS (sizeof levels / sizeof levels[0])

int profile_parse_loglevel(const char *s, int *out)
{
    for (size_t i = 0; i < NLEVELS; i++)
        if (strcasecmp(s, levels[i].name) == 0) {
            *out = levels[i].level;
            return 0;
        }
    long long v;
    if (profile_parse_int(s, &v) != 0 || v < 0 || v > 50)
        return -1;
    *out = (int)v;
    return 0;
}

const char *profile_loglevel_name(int level)
{
    for (size_t i = 0; i < NLEVELS; i++)
        if (levels[i].level == level)
            return levels[i].name;
    return NULL;
}

char *profile_format_loglevel(int level)
{
    const char *name = profile_loglevel_name(level);
    return name ? strdup(name) : ippc_strdup_printf("%d", level);
}

/* A port number: digits only, 1..65535. */
static int parse_port(const char *s, size_t len, int *out, const char **why)
{
    if (len == 0 || len > 9 || strspn(s, "0123456789") < len) {
        *why = "a port like 50000 or a range like 50000-50100";
        return -1;
    }
    long v = strtol(s, NULL, 10);
    if (v < 1 || v > 65535) {
        *why = "ports between 1 and 65535";
        return -1;
    }
    *out = (int)v;
    return 0;
}

int profile_parse_port_item(const char *s, ippc_profile_port_range_t *out, const char **why)
{
    const char *dash = strchr(s, '-');
    size_t lo_len = dash ? (size_t)(dash - s) : strlen(s);
    if (parse_port(s, lo_len, &out->lo, why) != 0)
        return -1;
    out->hi = out->lo;
    if (dash && parse_port(dash + 1, strlen(dash + 1), &out->hi, why) != 0)
        return -1;
    if (out->hi < out->lo) {
        *why = "a port range from low to high";
        return -1;
    }
    return 0;
}

char *ippc_profile_ports_format(const ippc_profile_ports_t *ports)
{
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = 0; ports && i < ports->n; i++) {
        const ippc_profile_port_range_t *r = &ports->items[i];
        strbuf_printf(&sb, i ? ",%d" : "%d", r->lo);
        if (r->hi != r->lo)
            strbuf_printf(&sb, "-%d", r->hi);
    }
    return strbuf_release(&sb);
}
