/* wire_dump.c - the compact JSON of a message part (see wire_int.h).
 *
 * Every request's four parts are small objects of plain strings, integers and short
 * lists; jansson's json_dumps writes them through a growing buffer (several
 * allocations) and decodes every character as UTF-8 to decide on escapes. Here such
 * values are written straight into a stack buffer, byte for byte as json_dumps with
 * JSON_COMPACT writes them (tests/unit/test_wire.c compares the two); anything else
 * (reals, strings that need escapes or are not ASCII, deep or large values) goes to
 * jansson. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wire_int.h"

#define DUMP_STACK 4096 /* larger parts go to jansson */
#define DUMP_DEPTH 16

typedef struct {
    char *p;
    size_t len, cap;
} out_t;

static bool put(out_t *o, const char *s, size_t n)
{
    if (n > o->cap - o->len)
        return false;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    return true;
}

/* Only printable ASCII without '"' and '\' is written as it is by jansson too. */
static bool put_string(out_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
            return false;
    }
    return put(o, "\"", 1) && put(o, s, n) && put(o, "\"", 1);
}

static bool put_integer(out_t *o, json_int_t v)
{
    char digits[24], *end = digits + sizeof digits, *q = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    return put(o, q, (size_t)(end - q));
}

static bool put_value(out_t *o, const json_t *v, int depth);

static bool put_object(out_t *o, const json_t *obj, int depth)
{
    const char *key;
    size_t keylen;
    json_t *val;
    bool first = true;
    if (!put(o, "{", 1))
        return false;
#ifdef json_object_keylen_foreach /* jansson 2.14: keys may hold NUL characters */
    json_object_keylen_foreach((json_t *)obj, key, keylen, val)
#else
    json_object_foreach((json_t *)obj, key, val)
#endif
    {
#ifndef json_object_keylen_foreach
        keylen = strlen(key);
#endif
        if ((!first && !put(o, ",", 1)) || !put_string(o, key, keylen) || !put(o, ":", 1) ||
            !put_value(o, val, depth + 1))
            return false;
        first = false;
    }
    return put(o, "}", 1);
}

static bool put_array(out_t *o, const json_t *arr, int depth)
{
    if (!put(o, "[", 1))
        return false;
    for (size_t i = 0; i < json_array_size(arr); i++)
        if ((i && !put(o, ",", 1)) || !put_value(o, json_array_get(arr, i), depth + 1))
            return false;
    return put(o, "]", 1);
}

static bool put_value(out_t *o, const json_t *v, int depth)
{
    if (depth > DUMP_DEPTH)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return put_object(o, v, depth);
    case JSON_ARRAY:
        return put_array(o, v, depth);
    case JSON_STRING:
        return put_string(o, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return put_integer(o, json_integer_value(v));
    case JSON_TRUE:
        return put(o, "true", 4);
    case JSON_FALSE:
        return put(o, "false", 5);
    case JSON_NULL:
        return put(o, "null", 4);
    default: /* reals: jansson's own formatting */
        return false;
    }
}

int ippc_wire_dump_into(const json_t *obj, char *buf, size_t cap, size_t *len)
{
    out_t o = {buf, 0, cap};
    if (!json_is_object(obj) || !put_object(&o, obj, 0))
        return -1;
    *len = o.len;
    return 0;
}

char *ippc_wire_dump(const json_t *obj, size_t *len)
{
    char stack[DUMP_STACK];
    size_t n = 0;
    if (ippc_wire_dump_into(obj, stack, sizeof stack, &n) == 0) {
        char *text = malloc(n + 1);
        if (text) {
            memcpy(text, stack, n);
            text[n] = '\0';
            *len = n;
        }
        return text;
    }
    /* JSON_COMPACT: no whitespace; jansson keeps insertion order and writes UTF-8. */
    char *text = json_dumps(obj, JSON_COMPACT);
    if (text)
        *len = strlen(text);
    return text;
}
