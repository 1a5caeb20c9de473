/* profile_yaml.c - reading profile files: the text (capped), libyaml's document (its
 * errors as "<file>:<line>:<col>: invalid YAML: ..."), then a walk over the sections
 * that hands each known key to profile_apply and stops at the first unknown key,
 * duplicate key or key given with the one it excludes. `inherit: NAME` (or `base:`)
 * reads NAME first, so that the file's keys land on top of it.
 *
 * libyaml's document API keeps anchors and aliases as shared nodes, so a
 * "billion laughs" file costs no more than its size; our walk only descends into the
 * sections the schema knows, which bounds its depth whatever the nesting. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "profile_int.h"

/* ------------------------------------------------------------ text */

static int too_large(const char *path, ippc_error_t **err)
{
    return ippc_error_set(err, IPPC_E_PARSE, "%s: file is too large for a profile (the limit is %u KiB)", path,
                          IPPC_PROFILE_MAX_FILE_SIZE / 1024u);
}

/* Read at most the cap (plus a byte to notice more) whatever stat says: the file may be
 * a pipe, a device or growing. */
char *profile_read_text(const char *path, size_t *len, ippc_error_t **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            ippc_error_set(err, IPPC_E_NOTFOUND, "%s: no such file", path);
        else
            ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: cannot open", path);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        ippc_error_set(err, IPPC_E_IO, "%s: is a directory, not a profile file", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 == cap) {
            if (cap > IPPC_PROFILE_MAX_FILE_SIZE) {
                too_large(path, err);
                break;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: cannot read", path);
            break;
        }
        if (r == 0) {
            close(fd);
            if (n > IPPC_PROFILE_MAX_FILE_SIZE) {
                free(buf);
                too_large(path, err);
                return NULL;
            }
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    close(fd);
    free(buf);
    ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", path); /* no-op after another error */
    return NULL;
}

/* ------------------------------------------------------------ libyaml */

/* Reader errors (bad UTF-8, control characters) have a byte offset only: count. */
static void offset_to_mark(const char *text, size_t len, size_t offset, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static int yaml_error(const yaml_parser_t *ps, const char *text, size_t len, const char *name, ippc_error_t **err)
{
    const char *problem = ps->problem ? ps->problem : "unknown problem";
    if (ps->error == YAML_MEMORY_ERROR)
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory reading YAML", name);
    if (ps->error == YAML_READER_ERROR) {
        size_t line, col;
        offset_to_mark(text, len, ps->problem_offset, &line, &col);
        if (ps->problem_value != -1)
            return ippc_error_set(err, IPPC_E_PARSE, "%s:%zu:%zu: invalid YAML: %s (byte 0x%02x)", name, line, col,
                                  problem, (unsigned)ps->problem_value & 0xffu);
        return ippc_error_set(err, IPPC_E_PARSE, "%s:%zu:%zu: invalid YAML: %s", name, line, col, problem);
    }
    const yaml_mark_t *m = &ps->problem_mark, *c = &ps->context_mark;
    if (ps->context)
        return ippc_error_set(err, IPPC_E_PARSE, "%s:%zu:%zu: invalid YAML: %s (%s at line %zu, column %zu)", name,
                              m->line + 1, m->column + 1, problem, ps->context, c->line + 1, c->column + 1);
    return ippc_error_set(err, IPPC_E_PARSE, "%s:%zu:%zu: invalid YAML: %s", name, m->line + 1, m->column + 1,
                          problem);
}

/* A first pass over the events that stops at the first collection nested deeper than
 * IPPC_PROFILE_MAX_DEPTH: libyaml's scanner walks its whole stack of flow levels for
 * each token, so 1 MiB of '[' would take hours, and its document loader would build
 * the whole tree first. Syntax errors are left to the loading pass to report. */
static int check_depth(const char *text, size_t len, const char *name, ippc_error_t **err)
{
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    int depth = 0, rc = 0;
    for (bool end = false; !end && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev))
            break;
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > IPPC_PROFILE_MAX_DEPTH)
                rc = ippc_error_set(err, IPPC_E_PARSE, "%s:%zu:%zu: lists and mappings nested more than %d deep",
                                    name, ev.start_mark.line + 1, ev.start_mark.column + 1, IPPC_PROFILE_MAX_DEPTH);
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&ps);
    return rc;
}

int profile_yaml_load(const char *text, size_t len, const char *name, yaml_document_t *doc, yaml_node_t **root,
                      ippc_error_t **err)
{
    if (check_depth(text, len, name, err) != 0)
        return -1;
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    if (!yaml_parser_load(&ps, doc)) {
        yaml_error(&ps, text, len, name, err);
        yaml_parser_delete(&ps);
        return -1;
    }
    *root = yaml_document_get_root_node(doc);
    int rc = 0;
    if (*root) { /* one document per profile: a second one is a mistake, not ignored */
        yaml_document_t next;
        if (!yaml_parser_load(&ps, &next)) {
            rc = yaml_error(&ps, text, len, name, err);
        } else {
            if (yaml_document_get_root_node(&next))
                rc = ippc_error_set(err, IPPC_E_PARSE,
                                    "%s:%zu:%zu: a second YAML document: a profile is one document", name,
                                    next.start_mark.line + 1, next.start_mark.column + 1);
            yaml_document_delete(&next);
        }
    }
    yaml_parser_delete(&ps);
    if (rc != 0)
        yaml_document_delete(doc);
    return rc;
}

/* ------------------------------------------------------------ the walk */

typedef struct {
    ippc_profile_t *p;
    profile_src_t src;
    const yaml_node_t **given; /* per key: the key node where this file gives it */
    ippc_error_t **err;
} walk_t;

/* "<where>: <message>" as an IPPC_E_PARSE error. */
static int at(const walk_t *w, const yaml_node_t *node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int at(const walk_t *w, const yaml_node_t *node, const char *fmt, ...)
{
    char *where = profile_src_where(&w->src, node), *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    ippc_error_set(w->err, IPPC_E_PARSE, "%s: %s", where ? where : "?", msg ? msg : "?");
    free(where);
    free(msg);
    return -1;
}

/* "unknown key 'partiton' in section 'slurm' (did you mean 'partition'?)" */
static int unknown(const walk_t *w, const yaml_node_t *kn, const char *name, const char *section)
{
    const char *children[32];
    size_t n = profile_section_children(section, children, 32);
    const char *hint = profile_suggest(name, children, n);
    char *shown = profile_shown(name, strlen(name));
    char *tail = hint ? ippc_strdup_printf(" (did you mean '%s'?)", hint) : NULL;
    if (*section)
        at(w, kn, "unknown key '%s' in section '%s'%s", shown ? shown : "?", section, tail ? tail : "");
    else
        at(w, kn, "unknown section '%s'%s", shown ? shown : "?", tail ? tail : "");
    free(shown);
    free(tail);
    return -1;
}

static bool is_top_key(const char *name) { return strcmp(name, "inherit") == 0 || strcmp(name, "base") == 0; }

static int walk_section(walk_t *w, yaml_node_t *map, const char *section);

/* One pair of a section: a key of the schema, a subsection, or an error. */
static int walk_pair(walk_t *w, yaml_node_t *kn, yaml_node_t *vn, const char *section)
{
    const char *name = (const char *)kn->data.scalar.value;
    if (!*section && is_top_key(name))
        return 0; /* read before the walk */
    char *path = *section ? ippc_strdup_printf("%s.%s", section, name) : strdup(name);
    if (!path)
        return ippc_error_set(w->err, IPPC_E_NOMEM, "out of memory");
    const profile_key_t *k = profile_key_find(path);
    int rc;
    if (k) {
        rc = profile_apply(w->p, k, &w->src, vn, name, w->err);
        if (!profile_node_is_null(vn)) /* null is "not set here" for the exclusion check */
            w->given[profile_key_index(k)] = kn;
    } else if (profile_is_section(path)) {
        if (profile_node_is_null(vn)) /* every key commented out */
            rc = 0;
        else if (vn->type == YAML_MAPPING_NODE)
            rc = walk_section(w, vn, path);
        else {
            char *desc = profile_node_desc(vn);
            rc = at(w, vn, "section '%s' must be a mapping of keys, not %s", path, desc ? desc : "this");
            free(desc);
        }
    } else {
        rc = unknown(w, kn, name, section);
    }
    free(path);
    return rc;
}

static int walk_section(walk_t *w, yaml_node_t *map, const char *section)
{
    long first = -1, dup = profile_first_duplicate(w->src.doc, map, &first);
    yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
    long n = (long)(map->data.mapping.pairs.top - pairs);
    for (long i = 0; i < n; i++) {
        yaml_node_t *kn = yaml_document_get_node(w->src.doc, pairs[i].key);
        yaml_node_t *vn = yaml_document_get_node(w->src.doc, pairs[i].value);
        if (!kn || !vn)
            return ippc_error_set(w->err, IPPC_E_PARSE, "%s: broken YAML document", w->src.file);
        const char *name;
        if (profile_scalar_text(&w->src, kn, "key", "a name", &name, w->err) != 0)
            return -1;
        if (i == dup) {
            size_t line = yaml_document_get_node(w->src.doc, pairs[first].key)->start_mark.line + 1;
            char *shown = profile_shown(name, strlen(name));
            if (*section)
                at(w, kn, "duplicate key '%s' in section '%s' (first given at line %zu)", shown ? shown : "?", section,
                   line);
            else
                at(w, kn, "duplicate section '%s' (first given at line %zu)", shown ? shown : "?", line);
            free(shown);
            return -1;
        }
        if (walk_pair(w, kn, vn, section) != 0)
            return -1;
    }
    return 0;
}

/* Keys given together with the one they exclude, in this file. */
static int check_exclusions(const walk_t *w)
{
    for (size_t i = 0; i < profile_nkeys(); i++) {
        const profile_key_t *k = profile_key_at(i);
        const profile_key_t *other = k->excludes ? profile_key_find(k->excludes) : NULL;
        const yaml_node_t *mine = w->given[i], *theirs = other ? w->given[profile_key_index(other)] : NULL;
        if (!mine || !theirs || mine->start_mark.index < theirs->start_mark.index)
            continue; /* report at the later of the two */
        return at(w, mine, "'%s' and '%s' cannot both be given (the other is at line %zu)", profile_key_leaf(k),
                  profile_key_leaf(other), theirs->start_mark.line + 1);
    }
    return 0;
}

/* ------------------------------------------------------------ inheritance */

static int read_file_chain(ippc_profile_t *p, const char *path, ippc_profile_strlist_t *chain, ippc_error_t **err);

/* The value of `inherit:` / `base:` at the top (NULL when absent or null). */
static int find_inherit(const walk_t *w, yaml_node_t *root, yaml_node_t **value)
{
    *value = NULL;
    const yaml_node_t *seen = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(w->src.doc, pr->key);
        if (!kn || kn->type != YAML_SCALAR_NODE || !is_top_key((const char *)kn->data.scalar.value))
            continue;
        if (seen && strcmp((const char *)kn->data.scalar.value, (const char *)seen->data.scalar.value) != 0)
            return at(w, kn, "'%s' and '%s' say the same: give one", (const char *)kn->data.scalar.value,
                      (const char *)seen->data.scalar.value);
        seen = kn; /* the same key twice is reported by the walk */
        yaml_node_t *vn = yaml_document_get_node(w->src.doc, pr->value);
        *value = (vn && !profile_node_is_null(vn)) ? vn : NULL;
    }
    return 0;
}

/* Read what the file inherits onto p before the file itself. */
static int read_inherited(walk_t *w, yaml_node_t *vn, const char *dir, ippc_profile_strlist_t *chain)
{
    const char *base;
    if (profile_scalar_text(&w->src, vn, "inherit", "a profile name or path", &base, w->err) != 0)
        return -1;
    if (chain->n >= IPPC_PROFILE_MAX_INHERIT)
        return at(w, vn, "profiles inherit more than %d levels deep", IPPC_PROFILE_MAX_INHERIT);
    char *path = profile_find(base, dir, chain, NULL, w->err);
    if (!path) {
        char *where = profile_src_where(&w->src, vn);
        ippc_error_prefix(w->err, "%s: cannot inherit", where ? where : "?");
        free(where);
        return -1;
    }
    int rc = read_file_chain(w->p, path, chain, w->err);
    free(path);
    if (rc == 0 && profile_set_str(&w->p->inherit, base) != 0)
        rc = ippc_error_set(w->err, IPPC_E_NOMEM, "out of memory");
    return rc;
}

/* Read one document onto p. `file` names it in positions; dir anchors relative paths
 * of `inherit` (NULL: the current directory); chain holds the files being read. */
static int read_text(ippc_profile_t *p, const char *text, size_t len, const char *file, const char *dir,
                     ippc_profile_strlist_t *chain, ippc_error_t **err)
{
    yaml_document_t doc;
    yaml_node_t *root;
    if (profile_yaml_load(text, len, file, &doc, &root, err) != 0)
        return -1;
    size_t budget = IPPC_PROFILE_MAX_VALUE_BYTES;
    walk_t w = {p, {&doc, file, NULL, &budget}, calloc(profile_nkeys(), sizeof(yaml_node_t *)), err};
    int rc = w.given ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0 && root && !profile_node_is_null(root) && root->type != YAML_MAPPING_NODE) {
        char *desc = profile_node_desc(root);
        rc = at(&w, root, "a profile must be a mapping of sections (cluster, controller, engines, slurm, mpi), not %s",
                desc ? desc : "this");
        free(desc);
    }
    if (rc == 0 && root && root->type == YAML_MAPPING_NODE) {
        yaml_node_t *base = NULL;
        rc = find_inherit(&w, root, &base);
        if (rc == 0 && base)
            rc = read_inherited(&w, base, dir, chain);
        if (rc == 0)
            rc = walk_section(&w, root, "");
        if (rc == 0)
            rc = check_exclusions(&w);
    }
    if (rc == 0 && profile_strlist_add(&p->files, file) != 0)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(w.given);
    yaml_document_delete(&doc);
    return rc;
}

static int read_file_chain(ippc_profile_t *p, const char *path, ippc_profile_strlist_t *chain, ippc_error_t **err)
{
    size_t len;
    char *text = profile_read_text(path, &len, err);
    if (!text)
        return -1;
    char *real = realpath(path, NULL);
    char *copy = strdup(path);
    int rc = (copy && profile_strlist_add(chain, real ? real : path) == 0)
                 ? 0
                 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        rc = read_text(p, text, len, path, dirname(copy), chain, err);
        free(chain->items[--chain->n]); /* pop */
    }
    free(copy);
    free(real);
    free(text);
    return rc;
}

int ippc_profile_read_file(ippc_profile_t *p, const char *path, ippc_error_t **err)
{
    if (!p || !path)
        return ippc_error_set(err, IPPC_E_INVALID, "read profile: no profile or no path");
    ippc_profile_strlist_t chain = {NULL, 0};
    int rc = read_file_chain(p, path, &chain, err);
    profile_strlist_clear(&chain);
    return rc;
}

int ippc_profile_read_string(ippc_profile_t *p, const char *text, size_t len, const char *name, ippc_error_t **err)
{
    if (!p || (!text && len))
        return ippc_error_set(err, IPPC_E_INVALID, "read profile: no profile or no text");
    if (!name)
        name = "<string>";
    if (len > IPPC_PROFILE_MAX_FILE_SIZE)
        return too_large(name, err);
    ippc_profile_strlist_t chain = {NULL, 0};
    int rc = read_text(p, text ? text : "", len, name, NULL, &chain, err);
    profile_strlist_clear(&chain);
    return rc;
}
