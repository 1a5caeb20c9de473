/* profile_node.c - YAML nodes as the profile reader sees them: where a node is, how a
 * message shows it (hostile text escaped and shortened), whether it is null, its text
 * as a C string, and duplicate keys of a mapping. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "profile_int.h"

char *profile_src_where(const profile_src_t *src, const yaml_node_t *node)
{
    /* libyaml counts lines and columns (in characters) from 0. */
    if (src->file && node)
        return ippc_strdup_printf("%s:%zu:%zu", src->file, node->start_mark.line + 1, node->start_mark.column + 1);
    return strdup(src->origin ? src->origin : "default");
}

char *profile_src_origin(const profile_src_t *src, const yaml_node_t *node)
{
    return (src->file || src->origin) ? profile_src_where(src, node) : NULL;
}

bool profile_node_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    const char *v = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (len == strlen(nulls[i]) && memcmp(v, nulls[i], len) == 0)
            return true;
    return false;
}

#define SHOWN_MAX 60

char *profile_shown(const char *s, size_t len)
{
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, ""); /* data is never NULL below */
    size_t i = 0;
    for (; i < len && sb.len < SHOWN_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            strbuf_puts(&sb, "\\n");
        else if (c == '\t')
            strbuf_puts(&sb, "\\t");
        else if (c < 0x20 || c == 0x7f)
            strbuf_printf(&sb, "\\x%02x", c);
        else
            strbuf_putc(&sb, (char)c);
    }
    /* Do not end inside a UTF-8 sequence: drop its lead and continuation bytes. */
    if (i < len) {
        while (sb.len > 0 && ((unsigned char)sb.data[sb.len - 1] & 0xc0) == 0x80)
            sb.len--;
        if (sb.len > 0 && (unsigned char)sb.data[sb.len - 1] >= 0xc0)
            sb.len--;
        if (sb.data)
            sb.data[sb.len] = '\0';
        strbuf_puts(&sb, "...");
    }
    return strbuf_release(&sb);
}

char *profile_node_desc(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SEQUENCE_NODE:
        return strdup("a list");
    case YAML_MAPPING_NODE:
        return strdup("a mapping");
    case YAML_SCALAR_NODE:
        if (profile_node_is_null(node))
            return strdup("null");
        break;
    default:
        return strdup("nothing");
    }
    char *text = profile_shown((const char *)node->data.scalar.value, node->data.scalar.length);
    char *desc = text ? ippc_strdup_printf("'%s'", text) : NULL;
    free(text);
    return desc;
}

/* No overlong forms, no surrogates, nothing above U+10FFFF. */
bool profile_valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
        if (n == 4 || len - i - 1 < n) /* a bad lead byte, or the text ends inside the sequence */
            return false;
        uint32_t cp = n == 0 ? c : (uint32_t)(c & (0x3f >> n));
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        static const uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

static int over_budget(const profile_src_t *src, const yaml_node_t *node, ippc_error_t **err)
{
    char *where = profile_src_where(src, node);
    ippc_error_set(err, IPPC_E_PARSE, "%s: the values of this profile add up to more than %u KiB "
                   "(aliases repeating a large value?)", where ? where : "?", IPPC_PROFILE_MAX_VALUE_BYTES / 1024u);
    free(where);
    return -1;
}

int profile_scalar_text(const profile_src_t *src, const yaml_node_t *node, const char *shown,
                        const char *must_be, const char **text, ippc_error_t **err)
{
    const char *problem = NULL; /* stays NULL for a list or mapping: profile_node_desc says which */
    if (node->type == YAML_SCALAR_NODE) {
        const unsigned char *v = node->data.scalar.value;
        size_t len = node->data.scalar.length;
        if (memchr(v, '\0', len))
            problem = "text with a NUL character";
        else if (!profile_valid_utf8(v, len))
            problem = "text that is not UTF-8";
        else if (src->budget && *src->budget < len)
            return over_budget(src, node, err);
        else {
            if (src->budget)
                *src->budget -= len;
            *text = (const char *)v;
            return 0;
        }
    }
    char *where = profile_src_where(src, node);
    char *desc = problem ? NULL : profile_node_desc(node);
    ippc_error_set(err, IPPC_E_PARSE, "%s: '%s' must be %s, not %s", where ? where : "?", shown, must_be,
                   problem ? problem : desc ? desc : "this");
    free(where);
    free(desc);
    return -1;
}

/* ------------------------------------------------------------ duplicates */

typedef struct {
    const char *text;
    size_t len;
    long index;
} keyref_t;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    if (c == 0 && x->len != y->len)
        c = x->len < y->len ? -1 : 1;
    if (c == 0)
        c = x->index < y->index ? -1 : x->index > y->index;
    return c;
}

long profile_first_duplicate(yaml_document_t *doc, const yaml_node_t *mapping, long *first)
{
    yaml_node_pair_t *start = mapping->data.mapping.pairs.start, *top = mapping->data.mapping.pairs.top;
    size_t n = (size_t)(top - start);
    if (n < 2)
        return -1;
    keyref_t *refs = malloc(n * sizeof *refs);
    if (!refs)
        return -1; /* no check rather than no profile: a later key simply wins */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = yaml_document_get_node(doc, start[i].key);
        if (k && k->type == YAML_SCALAR_NODE)
            refs[m++] = (keyref_t){(const char *)k->data.scalar.value, k->data.scalar.length, (long)i};
    }
    qsort(refs, m, sizeof *refs, keyref_cmp);
    long dup = -1;
    for (size_t i = 1; i < m; i++) {
        /* within a run of equal keys, sorted by position: the second one is the repeat */
        bool same = refs[i].len == refs[i - 1].len && memcmp(refs[i].text, refs[i - 1].text, refs[i].len) == 0;
        bool second = same && (i < 2 || !(refs[i - 2].len == refs[i - 1].len &&
                                           memcmp(refs[i - 2].text, refs[i - 1].text, refs[i].len) == 0));
        if (second && (dup < 0 || refs[i].index < dup)) {
            dup = refs[i].index;
            *first = refs[i - 1].index;
        }
    }
    free(refs);
    return dup;
}
