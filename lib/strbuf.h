/* strbuf.h - a growing string for building text (renderers, repr, messages). */
#ifndef IPPC_STRBUF_H
#define IPPC_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: release() returns NULL */
} strbuf_t;

void strbuf_init(strbuf_t *sb);
void strbuf_putn(strbuf_t *sb, const char *s, size_t n);
void strbuf_puts(strbuf_t *sb, const char *s);
void strbuf_putc(strbuf_t *sb, char c);
void strbuf_printf(strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The malloc'd NUL-terminated text (NULL when an allocation failed); sb is reset. */
char *strbuf_release(strbuf_t *sb);
void strbuf_free(strbuf_t *sb);

#endif
