/* profile_kinds.c - each kind of profile value: how a YAML node becomes the field of
 * the struct (with the one message format "<where>: '<key>' must be <form>, not
 * <what was there>"), how the field is freed, and how it reads as JSON (which the YAML
 * and JSON writers and ippc_profile_equal share). A conversion builds the new value
 * aside and replaces the field only when all of it is good. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error_int.h"
#include "profile_int.h"

/* Enum fields are written through int: same size and representation. */
_Static_assert(sizeof(ippc_profile_launcher_t) == sizeof(int), "enum fields are ints");
_Static_assert(sizeof(ippc_profile_shell_t) == sizeof(int), "enum fields are ints");
_Static_assert(sizeof(ippc_profile_zygote_t) == sizeof(int), "enum fields are ints");
_Static_assert(sizeof(ippc_profile_slurm_mpi_t) == sizeof(int), "enum fields are ints");

void *profile_field(ippc_profile_t *p, const profile_key_t *k) { return (char *)p + k->offset; }
const void *profile_cfield(const ippc_profile_t *p, const profile_key_t *k) { return (const char *)p + k->offset; }

/* One conversion: what messages need. */
typedef struct {
    const profile_key_t *k;
    const profile_src_t *src;
    const char *shown;
    ippc_error_t **err;
} conv_t;

/* "<where>: '<key>' has more than <max> <what>" */
static int too_many(const conv_t *c, const yaml_node_t *node, int max, const char *what)
{
    char *where = profile_src_where(c->src, node);
    ippc_error_set(c->err, IPPC_E_PARSE, "%s: '%s' has more than %d %s", where ? where : "?", c->shown, max, what);
    free(where);
    return -1;
}

/* "<where>: '<key>' must be <must_be>, not <node>[ (did you mean '<hint>'?)]" */
static int bad(const conv_t *c, const yaml_node_t *node, const char *must_be, const char *hint)
{
    char *where = profile_src_where(c->src, node);
    char *desc = profile_node_desc(node);
    char *tail = hint ? ippc_strdup_printf(" (did you mean '%s'?)", hint) : NULL;
    ippc_error_set(c->err, IPPC_E_PARSE, "%s: '%s' must be %s, not %s%s", where ? where : "?", c->shown, must_be,
                   desc ? desc : "this", tail ? tail : "");
    free(where);
    free(desc);
    free(tail);
    return -1;
}

static int nomem(const conv_t *c) { return ippc_error_set(c->err, IPPC_E_NOMEM, "%s: out of memory", c->shown); }

/* Node `index` of the document: libyaml's loader gives only valid indexes, but a
 * missing node must still be an error, not a silent -1. */
static yaml_node_t *node_at(const conv_t *c, int index)
{
    yaml_node_t *n = yaml_document_get_node(c->src->doc, index);
    if (!n)
        ippc_error_set(c->err, IPPC_E_PARSE, "%s: broken YAML document", c->shown);
    return n;
}

static int text_of(const conv_t *c, const yaml_node_t *node, const char *must_be, const char **text)
{
    return profile_scalar_text(c->src, node, c->shown, must_be, text, c->err);
}

/* ------------------------------------------------------------ scalars */

static int conv_int(const conv_t *c, yaml_node_t *node, void *field)
{
    char must_be[96];
    if (c->k->max == LLONG_MAX)
        snprintf(must_be, sizeof must_be, "an integer ≥ %lld", c->k->min);
    else
        snprintf(must_be, sizeof must_be, "an integer in %lld..%lld", c->k->min, c->k->max);
    const char *text;
    long long v;
    if (text_of(c, node, must_be, &text) != 0)
        return -1;
    if (profile_parse_int(text, &v) != 0 || v < c->k->min || v > c->k->max)
        return bad(c, node, must_be, NULL);
    *(long long *)field = v;
    return 0;
}

static int conv_size(const conv_t *c, yaml_node_t *node, void *field)
{
    const char *must_be = "a size in bytes like 1073741824, 512MiB or 1GiB", *text;
    if (text_of(c, node, must_be, &text) != 0)
        return -1;
    if (profile_parse_size(text, (long long *)field) != 0)
        return bad(c, node, must_be, NULL);
    return 0;
}

static int conv_time(const conv_t *c, yaml_node_t *node, void *field)
{
    const char *must_be = "minutes or a time like HH:MM:SS or D-HH:MM:SS (or unlimited)", *text;
    if (text_of(c, node, must_be, &text) != 0)
        return -1;
    if (profile_parse_time(text, (long long *)field) != 0)
        return bad(c, node, must_be, NULL);
    return 0;
}

static int conv_str(const conv_t *c, yaml_node_t *node, void *field)
{
    const char *text, *why;
    if (text_of(c, node, "a string", &text) != 0)
        return -1;
    if ((why = c->k->check(text)) != NULL)
        return bad(c, node, why, NULL);
    return profile_set_str(field, text) == 0 ? 0 : nomem(c);
}

/* "one of a, b, c" */
static char *names_list(const char *const *names)
{
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "one of ");
    for (size_t i = 0; names[i]; i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", names[i]);
    return strbuf_release(&sb);
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    return n;
}

static int conv_enum(const conv_t *c, yaml_node_t *node, void *field)
{
    char *must_be = names_list(c->k->names);
    const char *text = NULL;
    int rc = must_be ? text_of(c, node, must_be, &text) : nomem(c);
    for (int i = 0; rc == 0 && c->k->names[i]; i++)
        if (strcasecmp(text, c->k->names[i]) == 0) {
            *(int *)field = i;
            free(must_be);
            return 0;
        }
    if (rc == 0)
        rc = bad(c, node, must_be, profile_suggest(text, c->k->names, count_names(c->k->names)));
    free(must_be);
    return rc;
}

static int conv_loglevel(const conv_t *c, yaml_node_t *node, void *field)
{
    static const char *const names[] = {"debug", "info", "warning", "error", "critical", NULL};
    const char *must_be = "one of debug, info, warning, error, critical or an integer in 0..50", *text;
    if (text_of(c, node, must_be, &text) != 0)
        return -1;
    if (profile_parse_loglevel(text, field) != 0)
        return bad(c, node, must_be, profile_suggest(text, names, 5));
    return 0;
}

/* ------------------------------------------------------------ ports */

static int ports_add(const conv_t *c, const yaml_node_t *node, ippc_profile_ports_t *ports, const char *item)
{
    const char *why;
    ippc_profile_port_range_t r;
    if (profile_parse_port_item(item, &r, &why) != 0) {
        char *shown = profile_shown(item, strlen(item));
        char *where = profile_src_where(c->src, node);
        ippc_error_set(c->err, IPPC_E_PARSE, "%s: '%s' must be %s, not '%s'", where ? where : "?", c->shown, why,
                       shown ? shown : "?");
        free(shown);
        free(where);
        return -1;
    }
    if (ports->n == IPPC_PROFILE_MAX_PORT_RANGES)
        return too_many(c, node, IPPC_PROFILE_MAX_PORT_RANGES, "ports or ranges");
    if (!ports->items && !(ports->items = calloc(IPPC_PROFILE_MAX_PORT_RANGES, sizeof r)))
        return nomem(c);
    ports->items[ports->n++] = r;
    return 0;
}

/* "50000-50100", "50000", "50000-50010,50020", or a list of such items (YAML ints too). */
static int conv_ports(const conv_t *c, yaml_node_t *node, void *field)
{
    const char *must_be = "a port range like 50000-50100 or a list of ports";
    ippc_profile_ports_t ports = {NULL, 0};
    int rc = 0;
    if (node->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = node->data.sequence.items.start; rc == 0 && it < node->data.sequence.items.top;
             it++) {
            yaml_node_t *item = node_at(c, *it);
            const char *text;
            rc = item ? text_of(c, item, must_be, &text) : -1;
            if (rc == 0)
                rc = ports_add(c, item, &ports, text);
        }
    } else {
        const char *text;
        char *copy = NULL, *save = NULL;
        rc = text_of(c, node, must_be, &text);
        if (rc == 0 && !(copy = strdup(text)))
            rc = nomem(c);
        for (char *tok = rc == 0 ? strtok_r(copy, ",", &save) : NULL; tok && rc == 0; tok = strtok_r(NULL, ",", &save))
            rc = ports_add(c, node, &ports, tok + strspn(tok, " "));
        if (rc == 0 && ports.n == 0)
            rc = bad(c, node, must_be, NULL);
        free(copy);
    }
    if (rc != 0) {
        free(ports.items);
        return -1;
    }
    ippc_profile_ports_t *dst = field;
    free(dst->items);
    *dst = ports;
    return 0;
}

/* ------------------------------------------------------------ lists and maps */

void profile_strlist_clear(ippc_profile_strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int profile_strlist_add(ippc_profile_strlist_t *l, const char *s)
{
    char *copy = strdup(s);
    char **items = copy ? realloc(l->items, (l->n + 1) * sizeof *items) : NULL;
    if (!items) {
        free(copy);
        return -1;
    }
    items[l->n++] = copy;
    l->items = items;
    return 0;
}

static int strlist_add_checked(const conv_t *c, yaml_node_t *item, ippc_profile_strlist_t *l)
{
    const char *text, *why;
    if (l->n == IPPC_PROFILE_MAX_ITEMS)
        return too_many(c, item, IPPC_PROFILE_MAX_ITEMS, "items");
    if (profile_node_is_null(item)) /* [a, ~] is a mistake, not the path "~" */
        return bad(c, item, "a list of strings", NULL);
    if (text_of(c, item, "a list of strings", &text) != 0)
        return -1;
    if ((why = c->k->check(text)) != NULL)
        return bad(c, item, why, NULL);
    return profile_strlist_add(l, text) == 0 ? 0 : nomem(c);
}

/* A list of strings; one string stands for a list of one. */
static int conv_strlist(const conv_t *c, yaml_node_t *node, void *field)
{
    ippc_profile_strlist_t l = {NULL, 0};
    int rc = 0;
    if (node->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = node->data.sequence.items.start; rc == 0 && it < node->data.sequence.items.top;
             it++) {
            yaml_node_t *item = node_at(c, *it);
            rc = item ? strlist_add_checked(c, item, &l) : -1;
        }
    } else {
        rc = strlist_add_checked(c, node, &l);
    }
    if (rc != 0) {
        profile_strlist_clear(&l);
        return -1;
    }
    profile_strlist_clear(field);
    *(ippc_profile_strlist_t *)field = l;
    return 0;
}

void profile_env_clear(ippc_profile_env_t *env)
{
    for (size_t i = 0; i < env->n; i++) {
        free(env->items[i].name);
        free(env->items[i].value);
        free(env->items[i].origin);
    }
    free(env->items);
    env->items = NULL;
    env->n = 0;
}

int profile_env_put(ippc_profile_env_t *env, const char *name, const char *value, const char *origin)
{
    size_t i = 0;
    while (i < env->n && strcmp(env->items[i].name, name) != 0)
        i++;
    if (!value) { /* remove */
        if (i < env->n) {
            free(env->items[i].name);
            free(env->items[i].value);
            free(env->items[i].origin);
            memmove(&env->items[i], &env->items[i + 1], (env->n - i - 1) * sizeof env->items[0]);
            env->n--;
        }
        return 0;
    }
    char *v = strdup(value), *o = origin ? strdup(origin) : NULL;
    if (!v || (origin && !o)) {
        free(v);
        free(o);
        return -1;
    }
    if (i == env->n) {
        char *n = strdup(name);
        ippc_profile_env_entry_t *items = n ? realloc(env->items, (env->n + 1) * sizeof *items) : NULL;
        if (!items) {
            free(n);
            free(v);
            free(o);
            return -1;
        }
        env->items = items;
        env->items[env->n++] = (ippc_profile_env_entry_t){n, NULL, NULL};
    }
    free(env->items[i].value);
    free(env->items[i].origin);
    env->items[i].value = v;
    env->items[i].origin = o;
    return 0;
}

static int env_copy(const ippc_profile_env_t *from, ippc_profile_env_t *to)
{
    for (size_t i = 0; i < from->n; i++)
        if (profile_env_put(to, from->items[i].name, from->items[i].value, from->items[i].origin) != 0)
            return -1;
    return 0;
}

/* One name: value pair onto env; a null value removes the name. */
static int env_pair(const conv_t *c, yaml_node_pair_t *pair, ippc_profile_env_t *env)
{
    yaml_node_t *kn = node_at(c, pair->key), *vn = kn ? node_at(c, pair->value) : NULL;
    const char *name, *value = NULL, *why;
    const char *must_be = "a mapping whose keys are variable names like OMP_NUM_THREADS";
    if (!kn || !vn || text_of(c, kn, must_be, &name) != 0)
        return -1;
    if ((why = profile_check_env_name(name)) != NULL)
        return bad(c, kn, must_be, NULL);
    /* the variable names a value that is not a string */
    conv_t named = {c->k, c->src, name, c->err};
    if (!profile_node_is_null(vn) && text_of(&named, vn, "a string", &value) != 0)
        return -1;
    char *origin = profile_src_origin(c->src, kn);
    int rc = profile_env_put(env, name, value, origin);
    free(origin);
    return rc == 0 ? 0 : nomem(c);
}

/* Entries merge into those already there (inherited, or set before). */
static int conv_env(const conv_t *c, yaml_node_t *node, void *field)
{
    if (node->type != YAML_MAPPING_NODE)
        return bad(c, node, "a mapping of variable names to strings", NULL);
    /* lookups by name are linear: keep n small (an environment is limited anyway) */
    if (node->data.mapping.pairs.top - node->data.mapping.pairs.start > IPPC_PROFILE_MAX_ITEMS)
        return too_many(c, node, IPPC_PROFILE_MAX_ITEMS, "variables");
    long first = -1, dup = profile_first_duplicate(c->src->doc, node, &first);
    ippc_profile_env_t env = {NULL, 0};
    int rc = env_copy(field, &env) == 0 ? 0 : nomem(c);
    yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
    for (long i = 0; rc == 0 && pairs + i < node->data.mapping.pairs.top; i++) {
        if (i == dup) {
            yaml_node_t *kn = yaml_document_get_node(c->src->doc, pairs[i].key);
            yaml_node_t *fn = yaml_document_get_node(c->src->doc, pairs[first].key);
            char *where = profile_src_where(c->src, kn);
            char *shown = profile_shown((const char *)kn->data.scalar.value, kn->data.scalar.length);
            rc = ippc_error_set(c->err, IPPC_E_PARSE, "%s: duplicate variable '%s' in '%s' (first given at line %zu)",
                                where ? where : "?", shown ? shown : "?", c->shown, fn->start_mark.line + 1);
            free(where);
            free(shown);
            break;
        }
        rc = env_pair(c, &pairs[i], &env);
    }
    if (rc == 0 && env.n > IPPC_PROFILE_MAX_ITEMS) /* merged with what was there */
        rc = too_many(c, node, IPPC_PROFILE_MAX_ITEMS, "variables");
    if (rc != 0) {
        profile_env_clear(&env);
        return -1;
    }
    profile_env_clear(field);
    *(ippc_profile_env_t *)field = env;
    return 0;
}

/* ------------------------------------------------------------ dispatch */

int profile_kind_convert(const profile_key_t *k, const profile_src_t *src, yaml_node_t *node, ippc_profile_t *p,
                         const char *shown, ippc_error_t **err)
{
    conv_t c = {k, src, shown, err};
    void *field = profile_field(p, k);
    switch (k->kind) {
    case PROFILE_INT:
        return conv_int(&c, node, field);
    case PROFILE_SIZE:
        return conv_size(&c, node, field);
    case PROFILE_STR:
        return conv_str(&c, node, field);
    case PROFILE_ENUM:
        return conv_enum(&c, node, field);
    case PROFILE_LOGLEVEL:
        return conv_loglevel(&c, node, field);
    case PROFILE_PORTS:
        return conv_ports(&c, node, field);
    case PROFILE_TIME:
        return conv_time(&c, node, field);
    case PROFILE_STRLIST:
        return conv_strlist(&c, node, field);
    case PROFILE_ENV:
        return conv_env(&c, node, field);
    }
    return ippc_error_set(err, IPPC_E_INVALID, "%s: unknown kind of key", shown);
}

void profile_kind_clear(const profile_key_t *k, ippc_profile_t *p)
{
    void *field = profile_field(p, k);
    switch (k->kind) {
    case PROFILE_INT:
    case PROFILE_SIZE:
    case PROFILE_TIME:
        *(long long *)field = 0;
        break;
    case PROFILE_ENUM:
    case PROFILE_LOGLEVEL:
        *(int *)field = 0;
        break;
    case PROFILE_STR:
        free(*(char **)field);
        *(char **)field = NULL;
        break;
    case PROFILE_PORTS:
        free(((ippc_profile_ports_t *)field)->items);
        *(ippc_profile_ports_t *)field = (ippc_profile_ports_t){NULL, 0};
        break;
    case PROFILE_STRLIST:
        profile_strlist_clear(field);
        break;
    case PROFILE_ENV:
        profile_env_clear(field);
        break;
    }
}

/* ------------------------------------------------------------ JSON */

static json_t *string_or_null(char *s) /* takes s */
{
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static json_t *port_item_json(const ippc_profile_port_range_t *r)
{
    if (r->lo == r->hi)
        return json_integer(r->lo);
    return string_or_null(ippc_strdup_printf("%d-%d", r->lo, r->hi));
}

static json_t *ports_json(const ippc_profile_ports_t *ports)
{
    if (ports->n == 0)
        return json_null();
    if (ports->n == 1)
        return port_item_json(&ports->items[0]);
    json_t *a = json_array();
    for (size_t i = 0; a && i < ports->n; i++)
        if (json_array_append_new(a, port_item_json(&ports->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *strlist_json(const ippc_profile_strlist_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        if (json_array_append_new(a, json_string(l->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *env_json(const ippc_profile_env_t *env)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < env->n; i++)
        if (json_object_set_new(o, env->items[i].name, json_string(env->items[i].value)) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

json_t *profile_kind_json(const profile_key_t *k, const ippc_profile_t *p, bool human)
{
    const void *field = profile_cfield(p, k);
    switch (k->kind) {
    case PROFILE_INT: {
        long long v = *(const long long *)field;
        /* Optional integers (no default) are 0 when unset: their minimum is 1. */
        return (v == 0 && !k->info.default_text) ? json_null() : json_integer(v);
    }
    case PROFILE_SIZE: {
        long long v = *(const long long *)field;
        if (!human)
            return json_integer(v);
        char *text = profile_format_size(v);
        long long back;
        /* sizes that are not whole units stay numbers */
        if (text && profile_parse_int(text, &back) == 0) {
            free(text);
            return json_integer(v);
        }
        return string_or_null(text);
    }
    case PROFILE_TIME: {
        long long v = *(const long long *)field;
        return v == 0 ? json_null() : string_or_null(ippc_profile_time_format(v));
    }
    case PROFILE_STR: {
        const char *s = *(char *const *)field;
        return s ? json_string(s) : json_null();
    }
    case PROFILE_ENUM:
        return json_string(k->names[*(const int *)field]);
    case PROFILE_LOGLEVEL: {
        const char *name = profile_loglevel_name(*(const int *)field);
        return name ? json_string(name) : json_integer(*(const int *)field);
    }
    case PROFILE_PORTS:
        return ports_json(field);
    case PROFILE_STRLIST:
        return strlist_json(field);
    case PROFILE_ENV:
        return env_json(field);
    }
    return NULL;
}
