/* jscan.c - JSON object scanning without allocation (see jscan.h). */
#include "config.h"

#include "jscan.h"

#include <stdint.h>
#include <string.h>

#include "crypto.h"    /* ippc_unhex */
#include "value_int.h" /* lib's UTF-8 helpers */

typedef struct {
    const char *p, *end;
} cur_t;

static void skip_ws(cur_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* The four hex digits of a \u escape as a code unit; -1 when they are not hex. */
static long hex4(const char *p)
{
    unsigned char b[2];
    return ippc_unhex(p, 4, b, 2) == 0 ? (long)(b[0] << 8 | b[1]) : -1;
}

/* A string at c->p (which is '"'); moves past its closing quote. */
static int scan_string(cur_t *c)
{
    const char *p = c->p + 1, *end = c->end;
    while (p < end) {
        unsigned char ch = (unsigned char)*p++;
        if (ch == '"') {
            c->p = p;
            return 0;
        }
        if (ch < 0x20)
            return -1;
        if (ch != '\\')
            continue;
        if (p >= end)
            return -1;
        switch (*p++) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
        case 'u':
            if (end - p < 4 || hex4(p) < 0)
                return -1;
            p += 4;
            break;
        default:
            return -1;
        }
    }
    return -1;
}

static int scan_number(cur_t *c)
{
    const char *p = c->p, *e = c->end;
    if (p < e && *p == '-')
        p++;
    if (p >= e)
        return -1;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < e && is_digit(*p))
            p++;
    else
        return -1;
    if (p < e && *p == '.') {
        if (++p >= e || !is_digit(*p))
            return -1;
        while (p < e && is_digit(*p))
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !is_digit(*p))
            return -1;
        while (p < e && is_digit(*p))
            p++;
    }
    c->p = p;
    return 0;
}

static int scan_literal(cur_t *c)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
            c->p += n;
            return 0;
        }
    }
    return -1;
}

/* A member name and its colon; c->p is left at the value. */
static int scan_key(cur_t *c)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"' || scan_string(c) < 0)
        return -1;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':')
        return -1;
    c->p++;
    return 0;
}

/* One value at c->p (after whitespace). Iterative, so that nesting costs a byte of
 * stack per level rather than a call frame. */
static int scan_value(cur_t *c)
{
    char stack[IPPC_JSCAN_MAX_DEPTH]; /* '}' or ']': what closes each open container */
    size_t depth = 0;
    for (;;) {
        skip_ws(c);
        if (c->p >= c->end)
            return -1;
        char ch = *c->p;
        if (ch == '{' || ch == '[') {
            if (depth == IPPC_JSCAN_MAX_DEPTH)
                return -1;
            char close = ch == '{' ? '}' : ']';
            c->p++;
            skip_ws(c);
            if (c->p < c->end && *c->p == close) {
                c->p++;
            } else {
                stack[depth++] = close;
                if (close == '}' && scan_key(c) < 0)
                    return -1;
                continue; /* the first member's value or element */
            }
        } else if (ch == '"') {
            if (scan_string(c) < 0)
                return -1;
        } else if (ch == '-' || is_digit(ch)) {
            if (scan_number(c) < 0)
                return -1;
        } else if (scan_literal(c) < 0) {
            return -1;
        }
        /* A value ended: close containers until one continues with a comma. */
        for (;;) {
            if (depth == 0)
                return 0;
            skip_ws(c);
            if (c->p >= c->end)
                return -1;
            char close = stack[depth - 1];
            if (*c->p == close) {
                c->p++;
                depth--;
                continue;
            }
            if (*c->p != ',')
                return -1;
            c->p++;
            if (close == '}' && scan_key(c) < 0)
                return -1;
            break;
        }
    }
}

int ippc_jscan_object(const char *text, size_t len, const char *const *keys, ippc_jspan_t *vals, size_t nkeys)
{
    cur_t c = {text, text + len};
    for (size_t i = 0; i < nkeys; i++)
        vals[i] = (ippc_jspan_t){NULL, 0};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return -1;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            skip_ws(&c);
            const char *name = c.p + 1;
            if (c.p >= c.end || *c.p != '"' || scan_string(&c) < 0)
                return -1;
            size_t nlen = (size_t)(c.p - 1 - name);
            skip_ws(&c);
            if (c.p >= c.end || *c.p != ':')
                return -1;
            c.p++;
            skip_ws(&c);
            const char *value = c.p;
            if (scan_value(&c) < 0)
                return -1;
            for (size_t i = 0; i < nkeys; i++)
                if (strlen(keys[i]) == nlen && memcmp(keys[i], name, nlen) == 0)
                    vals[i] = (ippc_jspan_t){value, (size_t)(c.p - value)};
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                continue;
            }
            if (c.p < c.end && *c.p == '}') {
                c.p++;
                break;
            }
            return -1;
        }
    }
    skip_ws(&c);
    return c.p == c.end ? 0 : -1;
}

long ippc_jscan_string(ippc_jspan_t v, char *out, size_t cap)
{
    if (!v.p || v.len < 2 || v.p[0] != '"' || v.p[v.len - 1] != '"' || cap == 0)
        return -1;
    const char *p = v.p + 1, *end = v.p + v.len - 1;
    size_t n = 0;
    if (!memchr(p, '\\', (size_t)(end - p))) {
        n = (size_t)(end - p);
        if (n >= cap || memchr(p, '\0', n))
            return -1;
        memcpy(out, p, n);
    } else {
        while (p < end) {
            if (cap - n < 5) /* room for the longest character and the NUL */
                return -1;
            if (*p != '\\') {
                out[n++] = *p++;
                continue;
            }
            if (end - p < 2)
                return -1;
            char e = p[1];
            p += 2;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = e ? strchr(from, e) : NULL;
            if (k) {
                out[n++] = to[k - from];
                continue;
            }
            long unit = e == 'u' && end - p >= 4 ? hex4(p) : -1;
            if (unit < 0)
                return -1;
            uint32_t cp = (uint32_t)unit;
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                /* a high surrogate must be followed by an escaped low one */
                long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return -1;
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
                p += 6;
            } else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
                return -1;
            }
            n += ippc_utf8_encode(cp, out + n);
        }
        if (memchr(out, '\0', n))
            return -1;
    }
    out[n] = '\0';
    return ippc_utf8_valid(out, n) ? (long)n : -1;
}
