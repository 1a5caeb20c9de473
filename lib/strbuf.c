/* strbuf.c - a growing string (see strbuf.h). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf_t *sb) { memset(sb, 0, sizeof(*sb)); }

static bool strbuf_reserve(strbuf_t *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            sb->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(sb->data, cap);
    if (!d) {
        sb->failed = true;
        return false;
    }
    sb->data = d;
    sb->cap = cap;
    return true;
}

void strbuf_putn(strbuf_t *sb, const char *s, size_t n)
{
    if (!strbuf_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(strbuf_t *sb, const char *s) { strbuf_putn(sb, s, strlen(s)); }
void strbuf_putc(strbuf_t *sb, char c) { strbuf_putn(sb, &c, 1); }

void strbuf_printf(strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !strbuf_reserve(sb, (size_t)n)) {
        sb->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *strbuf_release(strbuf_t *sb)
{
    char *out = NULL;
    if (!sb->failed)
        out = sb->data ? sb->data : strdup("");
    else
        free(sb->data);
    strbuf_init(sb);
    return out;
}

void strbuf_free(strbuf_t *sb)
{
    free(sb->data);
    strbuf_init(sb);
}
