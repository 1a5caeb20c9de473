/* profile_dump.c - a profile written out: YAML that reads back to the same values (with
 * "# from <origin>" after each value for `ippctl profile show`, or each key's
 * description for a template), and JSON for --json.
 *
 * Values come from profile_kind_json (the same view ippc_profile_equal compares), so the
 * writer knows JSON shapes, not kinds. Strings are written plain when no YAML reader
 * could take them for anything else, else double-quoted with every character libyaml's
 * reader would refuse or fold escaped. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error_int.h"
#include "profile_int.h"

#define COMMENT_COLUMN 40

/* ------------------------------------------------------------ scalars */

/* Safe as a plain scalar: starts with a letter, '/' or '_' (so no YAML 1.1 number:
 * 1_000, 0x1f, 12:30, .inf), holds only [A-Za-z0-9_./@+=-], and is no YAML 1.1
 * boolean or null. Quoting more than needed costs nothing. */
static bool plain_ok(const char *s)
{
    static const char *const words[] = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"};
    if (!(isalpha((unsigned char)s[0]) || s[0] == '/' || s[0] == '_'))
        return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_./@+=-", *c))
            return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return false;
    return true;
}

#define NOT_UTF8 0xffffffffu

/* The code point of the UTF-8 sequence at s and its length. Values are valid UTF-8
 * (checked when set), but file names in comments need not be: a bad byte is NOT_UTF8
 * with length 1, and no byte past a NUL is read. */
static uint32_t decode(const unsigned char *s, size_t *n)
{
    *n = 1;
    if (s[0] < 0x80)
        return s[0];
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    if (len == 0 || s[0] >= 0xf8)
        return NOT_UTF8;
    uint32_t cp = s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return NOT_UTF8;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *n = len;
    return cp;
}

/* s with every character that would end a line or that libyaml's reader refuses
 * escaped; in_quotes also escapes '"' and '\\' (a double-quoted scalar), else the text
 * is for a comment, which only must not end early. */
static void put_escaped(strbuf_t *sb, const char *s, bool in_quotes)
{
    for (const unsigned char *c = (const unsigned char *)s; *c;) {
        size_t n;
        uint32_t cp = decode(c, &n);
        switch (cp) {
        case '"': strbuf_puts(sb, in_quotes ? "\\\"" : "\""); break;
        case '\\': strbuf_puts(sb, in_quotes ? "\\\\" : "\\"); break;
        case '\n': strbuf_puts(sb, "\\n"); break;
        case '\t': strbuf_puts(sb, "\\t"); break;
        case '\r': strbuf_puts(sb, "\\r"); break;
        case 0x85: strbuf_puts(sb, "\\N"); break;   /* YAML 1.1 line breaks: a reader folds them */
        case 0x2028: strbuf_puts(sb, "\\L"); break;
        case 0x2029: strbuf_puts(sb, "\\P"); break;
        default:
            /* what libyaml's reader refuses (C0, DEL, C1, U+FFFE/F, bad bytes) and the BOM */
            if (cp == NOT_UTF8)
                strbuf_printf(sb, "\\x%02x", *c);
            else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
                strbuf_printf(sb, "\\x%02x", (unsigned)cp);
            else if (cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
                strbuf_printf(sb, "\\u%04x", (unsigned)cp);
            else
                strbuf_putn(sb, (const char *)c, n);
        }
        c += n;
    }
}

static void put_quoted(strbuf_t *sb, const char *s)
{
    strbuf_putc(sb, '"');
    put_escaped(sb, s, true);
    strbuf_putc(sb, '"');
}

/* "# <prefix><text>" where text (file names, origins) may hold anything. */
static void put_comment(strbuf_t *sb, const char *prefix, const char *text)
{
    strbuf_printf(sb, "# %s", prefix);
    put_escaped(sb, text, false);
}

static void put_string(strbuf_t *sb, const char *s)
{
    if (plain_ok(s))
        strbuf_puts(sb, s);
    else
        put_quoted(sb, s);
}

/* A JSON scalar as YAML: null, integers, strings. */
static void put_scalar(strbuf_t *sb, const json_t *v)
{
    if (json_is_integer(v))
        strbuf_printf(sb, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        put_string(sb, json_string_value(v));
    else
        strbuf_puts(sb, "null");
}

/* ------------------------------------------------------------ lines */

typedef struct {
    strbuf_t *sb;
    unsigned flags;
    const ippc_profile_t *p;
} dump_t;

/* End a line: pad to the comment column and add "# from <origin>" when asked. */
static void end_line(const dump_t *d, size_t line_start, const char *origin)
{
    if ((d->flags & IPPC_PROFILE_DUMP_ORIGINS) && origin) {
        size_t width = d->sb->len - line_start;
        for (size_t i = width; i < COMMENT_COLUMN; i++)
            strbuf_putc(d->sb, ' ');
        strbuf_puts(d->sb, "  ");
        put_comment(d->sb, "from ", origin);
    }
    strbuf_putc(d->sb, '\n');
}

/* "<indent>[# ]" : keys left at their default are commented out in a template. */
static size_t start_line(const dump_t *d, int indent, bool commented)
{
    size_t start = d->sb->len;
    strbuf_printf(d->sb, "%*s%s", indent, "", commented ? "# " : "");
    return start;
}

static void put_env(const dump_t *d, const ippc_profile_env_t *env, int indent, bool commented)
{
    for (size_t i = 0; i < env->n; i++) {
        size_t start = start_line(d, indent, commented);
        put_string(d->sb, env->items[i].name);
        strbuf_puts(d->sb, ": ");
        put_quoted(d->sb, env->items[i].value); /* "1", not 1: env values are strings */
        end_line(d, start, env->items[i].origin);
    }
}

static int put_key(const dump_t *d, const profile_key_t *k, int indent)
{
    json_t *v = profile_kind_json(k, d->p, true);
    if (!v)
        return -1;
    const char *origin = ippc_profile_origin(d->p, k->info.key);
    bool at_default = d->p->origins_[profile_key_index(k)] == NULL;
    bool commented = (d->flags & IPPC_PROFILE_DUMP_DOCS) && at_default;
    if (d->flags & IPPC_PROFILE_DUMP_DOCS)
        strbuf_printf(d->sb, "%*s# %s\n", indent, "", k->info.doc);
    size_t start = start_line(d, indent, commented);
    strbuf_printf(d->sb, "%s:", profile_key_leaf(k));
    bool block = (json_is_array(v) && json_array_size(v) > 0) || (json_is_object(v) && json_object_size(v) > 0);
    if (!block) {
        strbuf_putc(d->sb, ' ');
        if (json_is_array(v))
            strbuf_puts(d->sb, "[]");
        else if (json_is_object(v))
            strbuf_puts(d->sb, "{}");
        else
            put_scalar(d->sb, v);
    }
    end_line(d, start, origin);
    if (json_is_object(v) && block) {
        put_env(d, &d->p->engines.env, indent + 2, commented);
    } else if (block) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t item = start_line(d, indent + 2, commented);
            strbuf_puts(d->sb, "- ");
            put_scalar(d->sb, json_array_get(v, i));
            end_line(d, item, NULL);
        }
    }
    json_decref(v);
    return 0;
}

/* Whether the section key[0..plen) is open after a key in section prev[0..prev_len). */
static bool is_open(const char *prev, size_t prev_len, const char *key, size_t plen)
{
    return prev && prev_len >= plen && strncmp(prev, key, plen) == 0 && (prev_len == plen || prev[plen] == '.');
}

/* Write the headers of the sections of key[0..len) that the previous key left closed. */
static void open_sections(const dump_t *d, const char *prev, size_t prev_len, const char *key, size_t len)
{
    size_t depth = 0, begin = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && key[i] != '.')
            continue;
        if (!is_open(prev, prev_len, key, i)) {
            if (depth == 0 && prev && (d->flags & IPPC_PROFILE_DUMP_DOCS))
                strbuf_putc(d->sb, '\n');
            strbuf_printf(d->sb, "%*s%.*s:\n", (int)depth * 2, "", (int)(i - begin), key + begin);
        }
        depth++;
        begin = i + 1;
    }
}

static void header(const dump_t *d)
{
    const ippc_profile_t *p = d->p;
    if (d->flags & IPPC_PROFILE_DUMP_ORIGINS) {
        put_comment(d->sb, "ippc profile '", p->name ? p->name : "?");
        strbuf_putc(d->sb, '\'');
        if (p->inherit) {
            strbuf_puts(d->sb, " (inherits ");
            put_escaped(d->sb, p->inherit, false);
            strbuf_putc(d->sb, ')');
        }
        strbuf_putc(d->sb, '\n');
        for (size_t i = 0; i < p->files.n; i++) {
            put_comment(d->sb, i ? "then " : "read ", p->files.items[i]);
            strbuf_putc(d->sb, '\n');
        }
    }
    if (d->flags & IPPC_PROFILE_DUMP_DOCS)
        strbuf_puts(d->sb, "# Keys at their default are commented out; see ippc-profile(5).\n");
}

char *ippc_profile_dump_string(const ippc_profile_t *p, unsigned flags)
{
    if (!p)
        return NULL;
    strbuf_t sb;
    strbuf_init(&sb);
    dump_t d = {&sb, flags, p};
    header(&d);
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < profile_nkeys(); i++) {
        const profile_key_t *k = profile_key_at(i);
        const char *key = k->info.key, *leaf = profile_key_leaf(k);
        size_t len = (size_t)(leaf - key) - 1; /* the section part */
        open_sections(&d, prev, prev_len, key, len);
        prev = key;
        prev_len = len;
        int indent = 0; /* two spaces per section level */
        for (const char *c = key; *c; c++)
            indent += *c == '.' ? 2 : 0;
        if (put_key(&d, k, indent) != 0)
            sb.failed = true;
    }
    return strbuf_release(&sb);
}

int ippc_profile_dump(const ippc_profile_t *p, unsigned flags, FILE *out, ippc_error_t **err)
{
    char *text = ippc_profile_dump_string(p, flags);
    if (!text)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int rc = (fputs(text, out) < 0 || fflush(out) != 0) ? ippc_error_set_errno(err, IPPC_E_IO, errno, "writing the profile") : 0;
    free(text);
    return rc;
}

/* ------------------------------------------------------------ JSON */

/* obj at the section path of key (creating objects on the way), and the leaf name. */
static json_t *section_object(json_t *root, const char *key, const char **leaf)
{
    json_t *obj = root;
    const char *c = key, *dot;
    while (obj && (dot = strchr(c, '.'))) {
        char *name = strndup(c, (size_t)(dot - c));
        json_t *next = name ? json_object_get(obj, name) : NULL;
        if (name && !next && json_object_set_new(obj, name, next = json_object()) != 0)
            next = NULL;
        free(name);
        obj = next;
        c = dot + 1;
    }
    *leaf = c;
    return obj;
}

static int add_origins(const ippc_profile_t *p, json_t *root)
{
    json_t *origins = json_object(), *files = json_array();
    int rc = (origins && files) ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < profile_nkeys(); i++) {
        const char *key = profile_key_at(i)->info.key;
        rc = json_object_set_new(origins, key, json_string(ippc_profile_origin(p, key)));
    }
    for (size_t i = 0; rc == 0 && i < p->engines.env.n; i++) {
        const ippc_profile_env_entry_t *e = &p->engines.env.items[i];
        char *key = ippc_strdup_printf("engines.env.%s", e->name);
        rc = key ? json_object_set_new(origins, key, json_string(e->origin ? e->origin : "default")) : -1;
        free(key);
    }
    for (size_t i = 0; rc == 0 && i < p->files.n; i++)
        rc = json_array_append_new(files, json_string(p->files.items[i]));
    if (rc == 0)
        rc = json_object_set_new(root, "origins", origins) | json_object_set_new(root, "files", files) |
             json_object_set_new(root, "name", json_string(p->name ? p->name : "")) |
             json_object_set_new(root, "inherit", p->inherit ? json_string(p->inherit) : json_null());
    else {
        json_decref(origins);
        json_decref(files);
    }
    return rc;
}

json_t *ippc_profile_to_json(const ippc_profile_t *p, bool with_origins)
{
    json_t *root = p ? json_object() : NULL;
    int rc = root ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < profile_nkeys(); i++) {
        const profile_key_t *k = profile_key_at(i);
        const char *leaf;
        json_t *obj = section_object(root, k->info.key, &leaf);
        rc = obj ? json_object_set_new(obj, leaf, profile_kind_json(k, p, false)) : -1;
    }
    if (rc == 0 && with_origins)
        rc = add_origins(p, root);
    if (rc != 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}
