/* dbquery.c - MongoDB-style record queries as the stock DictDB runs them (see dbquery.h). */
#include "config.h"

#include "dbquery.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "hubmsg.h"

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int ippc_date_parse(const char *s, int64_t *us)
{
    const char *p = s;
    int Y, M, D, h, m, sec, frac = 0;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
        return -1;
    if (*p != 'T' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m) || *p++ != ':' || digits(&p, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 6) {
                frac = frac * 10 + (*p - '0');
                n++;
            }
            p++;
        }
        if (n == 0)
            return -1;
        while (n++ < 6)
            frac *= 10;
    }
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && digits(&p, 2, &om))
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p)
        return -1;
    int64_t secs = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - offset;
    *us = secs * 1000000 + frac;
    return 0;
}

/* Compare as Python would compare the values the stock hub holds (dates as datetimes).
 * Returns -1/0/1, or 2 when the two cannot be ordered. */
static int compare(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b)) {
            json_int_t x = json_integer_value(a), y = json_integer_value(b);
            return x < y ? -1 : x > y;
        }
        double x = json_number_value(a), y = json_number_value(b);
        if (isnan(x) || isnan(y))
            return 2;
        return x < y ? -1 : x > y;
    }
    if (json_is_string(a) && json_is_string(b)) {
        int64_t x, y;
        bool da = ippc_date_parse(json_string_value(a), &x) == 0;
        bool db = ippc_date_parse(json_string_value(b), &y) == 0;
        if (da && db)
            return x < y ? -1 : x > y;
        if (da != db)
            return 2; /* a datetime and a str */
        size_t la = json_string_length(a), lb = json_string_length(b);
        int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);
        if (c == 0)
            return la < lb ? -1 : la > lb;
        return c < 0 ? -1 : 1;
    }
    if (json_is_boolean(a) && json_is_boolean(b))
        return (int)json_is_true(a) - (int)json_is_true(b);
    return 2;
}

static bool equal(const json_t *a, const json_t *b)
{
    int c = compare(a, b);
    if (c != 2)
        return c == 0;
    return json_equal((json_t *)a, (json_t *)b);
}

static bool contains(const json_t *haystack, const json_t *needle)
{
    if (json_is_array(haystack)) {
        size_t i;
        json_t *x;
        json_array_foreach(haystack, i, x)
            if (equal(needle, x))
                return true;
        return false;
    }
    if (json_is_string(haystack) && json_is_string(needle))
        return strstr(json_string_value(haystack), json_string_value(needle)) != NULL;
    if (json_is_object(haystack) && json_is_string(needle))
        return json_object_get(haystack, json_string_value(needle)) != NULL;
    return false;
}

typedef enum { OP_LT, OP_GT, OP_EQ, OP_NE, OP_LTE, OP_GTE, OP_IN, OP_NIN, OP_ALL, OP_MOD, OP_EXISTS, OP_BAD } op_t;

static op_t op_of(const char *name)
{
    static const char *const names[] = {"$lt", "$gt", "$eq", "$ne", "$lte", "$gte",
                                        "$in", "$nin", "$all", "$mod", "$exists"};
    for (int i = 0; i < OP_BAD; i++)
        if (strcmp(name, names[i]) == 0)
            return (op_t)i;
    return OP_BAD;
}

/* The stock filters; $gt is a > b (the stock lambda reads b > a, a bug we do not copy). */
static bool test_op(op_t op, const json_t *a, const json_t *b)
{
    int c;
    switch (op) {
    case OP_LT: return compare(a, b) == -1;
    case OP_GT: return compare(a, b) == 1;
    case OP_LTE: c = compare(a, b); return c == -1 || c == 0;
    case OP_GTE: c = compare(a, b); return c == 1 || c == 0;
    case OP_EQ: return equal(a, b);
    case OP_NE: return !equal(a, b);
    case OP_IN: return contains(b, a);
    case OP_NIN: return !contains(b, a);
    case OP_ALL: {
        size_t i;
        json_t *x;
        json_array_foreach(b, i, x)
            if (!contains(x, a))
                return false;
        return true;
    }
    case OP_MOD: {
        json_t *d = json_array_get(b, 0), *r = json_array_get(b, 1);
        if (!json_is_integer(a) || !json_is_integer(d) || !json_is_integer(r) || json_integer_value(d) == 0)
            return false;
        json_int_t x = json_integer_value(a), y = json_integer_value(d);
        json_int_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0)))
            m += y; /* Python's modulo takes the sign of the divisor */
        return m == json_integer_value(r);
    }
    case OP_EXISTS: {
        bool want = json_is_true(b) || (json_is_integer(b) && json_integer_value(b));
        return want ? !json_is_null(a) : json_is_null(a);
    }
    default: return false;
    }
}

json_t *ippc_dbquery_check(const json_t *query)
{
    if (!json_is_object(query))
        return ippc_hubmsg_error("TypeError", "query must be a dict, not %s",
                                 query ? "another type" : "None");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)query, key, v) {
        if (!json_is_object(v))
            continue;
        const char *opname;
        json_t *arg;
        json_object_foreach(v, opname, arg) {
            op_t op = op_of(opname);
            if (op == OP_BAD)
                return ippc_hubmsg_keyerror("%s", opname);
            if ((op == OP_IN || op == OP_NIN || op == OP_ALL) && !json_is_array(arg) && !json_is_string(arg))
                return ippc_hubmsg_error("TypeError", "%s needs a list", opname);
            if (op == OP_MOD && (!json_is_array(arg) || json_array_size(arg) != 2))
                return ippc_hubmsg_error("TypeError", "$mod needs [divisor, remainder]");
        }
    }
    return NULL;
}

bool ippc_dbquery_match(const ippc_record_t *rec, const json_t *query)
{
    const char *key;
    json_t *want;
    json_object_foreach((json_t *)query, key, want) {
        bool owned;
        json_t *have = ippc_record_field(rec, key, &owned);
        bool ok = true;
        if (json_is_object(want)) {
            const char *opname;
            json_t *arg;
            json_object_foreach(want, opname, arg)
                if (!(ok = test_op(op_of(opname), have, arg)))
                    break;
        } else {
            ok = equal(have, want);
        }
        if (owned)
            json_decref(have);
        if (!ok)
            return false;
    }
    return true;
}
