/* profile.c - a profile's life cycle and how keys get their values: defaults, values
 * from files (profile_yaml.c calls profile_apply) and `--set key=value` from the command
 * line, each recorded with its origin. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "profile_int.h"

int profile_set_str(char **dst, const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

/* Record where k's value came from (takes origin; NULL means the default). */
static void put_origin(ippc_profile_t *p, const profile_key_t *k, char *origin)
{
    size_t i = profile_key_index(k);
    free(p->origins_[i]);
    p->origins_[i] = origin;
}

static bool is_collection(const profile_key_t *k)
{
    return k->kind == PROFILE_PORTS || k->kind == PROFILE_STRLIST || k->kind == PROFILE_ENV;
}

/* The text of a command-line value (or of a default) as a YAML document: flow YAML for
 * lists and maps ("[a, b]", "{A: 1}"), else one plain scalar holding the text as it is,
 * so that "*", "a: b" or "#x" need no quoting on a command line. */
static int text_document(const profile_key_t *k, const char *text, yaml_document_t *doc, yaml_node_t **node,
                         ippc_error_t **err)
{
    size_t len = strlen(text);
    if (len > IPPC_PROFILE_MAX_FILE_SIZE)
        return ippc_error_set(err, IPPC_E_PARSE, "'%s': the value is too long", k->info.key);
    if (!profile_valid_utf8((const unsigned char *)text, len)) /* libyaml would refuse it */
        return ippc_error_set(err, IPPC_E_PARSE, "'%s' must be UTF-8 text", k->info.key);
    if (is_collection(k) && (text[0] == '[' || text[0] == '{')) {
        if (profile_yaml_load(text, len, k->info.key, doc, node, err) != 0)
            return -1;
        if (!*node) { /* only a comment, say */
            yaml_document_delete(doc);
            return ippc_error_set(err, IPPC_E_PARSE, "%s: no value", k->info.key);
        }
        return 0;
    }
    if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int id = yaml_document_add_scalar(doc, NULL, (const yaml_char_t *)text, (int)len, YAML_PLAIN_SCALAR_STYLE);
    if (!id || !(*node = yaml_document_get_node(doc, id))) {
        yaml_document_delete(doc);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return 0;
}

/* Put k back to its built-in default (origin NULL). Defaults are written as a profile
 * would write them: "4", "1GiB", and "\"\"" for the empty string, which alone needs the
 * YAML parser (new profiles are made often: by every --set round trip, by the fuzzer). */
static int reset_default(ippc_profile_t *p, const profile_key_t *k, ippc_error_t **err)
{
    profile_kind_clear(k, p);
    const char *text = k->info.default_text;
    if (!text)
        return 0;
    yaml_document_t doc;
    yaml_node_t *node = NULL;
    int rc = text[0] == '"' ? profile_yaml_load(text, strlen(text), k->info.key, &doc, &node, err)
                            : text_document(k, text, &doc, &node, err);
    if (rc != 0)
        return -1;
    profile_src_t src = {&doc, NULL, NULL, NULL};
    rc = node ? profile_kind_convert(k, &src, node, p, k->info.key, err)
              : ippc_error_set(err, IPPC_E_INVALID, "%s: empty default", k->info.key);
    yaml_document_delete(&doc);
    return rc;
}

/* Whether k holds a value (not null, not an empty list or map). */
static bool has_value(const ippc_profile_t *p, const profile_key_t *k)
{
    json_t *v = profile_kind_json(k, p, false);
    bool set = v && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0);
    json_decref(v);
    return set;
}

int profile_apply(ippc_profile_t *p, const profile_key_t *k, const profile_src_t *src, yaml_node_t *node,
                  const char *shown, ippc_error_t **err)
{
    if (profile_node_is_null(node)) {
        if (reset_default(p, k, err) != 0)
            return -1;
    } else if (profile_kind_convert(k, src, node, p, shown, err) != 0) {
        return -1;
    }
    char *origin = profile_src_origin(src, node);
    /* ip replaces interface, startup replaces startup_file and the other way round, so
     * that a later layer (a user profile, --set) can switch from one to the other. */
    const profile_key_t *other = k->excludes ? profile_key_find(k->excludes) : NULL;
    int rc = 0;
    if (other && !profile_node_is_null(node) && has_value(p, other)) {
        rc = reset_default(p, other, err);
        put_origin(p, other, origin ? ippc_strdup_printf("%s (replaced by %s)", origin, profile_key_leaf(k)) : NULL);
    }
    put_origin(p, k, origin);
    return rc;
}

/* ------------------------------------------------------------ life cycle */

ippc_profile_t *ippc_profile_new(void)
{
    ippc_profile_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->origins_ = calloc(profile_nkeys(), sizeof(char *));
    p->name = strdup("default");
    if (!p->origins_ || !p->name) {
        ippc_profile_destroy(&p);
        return NULL;
    }
    for (size_t i = 0; i < profile_nkeys(); i++) {
        ippc_error_t *err = NULL;
        if (reset_default(p, profile_key_at(i), &err) != 0) {
            ippc_error_destroy(&err); /* ENOMEM: a bad default is caught by the unit tests */
            ippc_profile_destroy(&p);
            return NULL;
        }
    }
    return p;
}

void ippc_profile_destroy(ippc_profile_t **pp)
{
    if (!pp || !*pp)
        return;
    ippc_profile_t *p = *pp;
    for (size_t i = 0; i < profile_nkeys(); i++) {
        profile_kind_clear(profile_key_at(i), p);
        if (p->origins_)
            free(p->origins_[i]);
    }
    free(p->origins_);
    free(p->name);
    free(p->inherit);
    profile_strlist_clear(&p->files);
    free(p);
    *pp = NULL;
}

bool ippc_profile_equal(const ippc_profile_t *a, const ippc_profile_t *b)
{
    if (!a || !b)
        return a == b;
    bool same = true;
    for (size_t i = 0; same && i < profile_nkeys(); i++) {
        const profile_key_t *k = profile_key_at(i);
        json_t *ja = profile_kind_json(k, a, false), *jb = profile_kind_json(k, b, false);
        same = ja && jb && json_equal(ja, jb);
        json_decref(ja);
        json_decref(jb);
    }
    return same;
}

/* ------------------------------------------------------------ set */

static const profile_key_t *env_key(void) { return profile_key_find("engines.env"); }

/* "engines.env.NAME" -> NAME, else NULL. */
static const char *env_entry_name(const char *key)
{
    const char *prefix = env_key()->info.key;
    size_t n = strlen(prefix);
    return strncmp(key, prefix, n) == 0 && key[n] == '.' ? key + n + 1 : NULL;
}

static bool null_text(const char *v)
{
    return !v || !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

static int set_env_entry(ippc_profile_t *p, const char *key, const char *name, const char *value, const char *origin,
                         ippc_error_t **err)
{
    const char *why = profile_check_env_name(name);
    if (why)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: '%s' must end in %s", origin, key, why);
    const char *v = null_text(value) ? "" : value;
    if (strlen(v) > IPPC_PROFILE_MAX_FILE_SIZE)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: '%s': the value is too long", origin, key);
    if (!profile_valid_utf8((const unsigned char *)v, strlen(v)))
        return ippc_error_set(err, IPPC_E_PARSE, "%s: '%s' must be UTF-8 text", origin, key);
    /* through a one-pair document, so that the value gets the checks of a file's */
    yaml_document_t doc;
    if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1))
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int map = yaml_document_add_mapping(&doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    int kn = yaml_document_add_scalar(&doc, NULL, (const yaml_char_t *)name, -1, YAML_PLAIN_SCALAR_STYLE);
    int vn = yaml_document_add_scalar(&doc, NULL, (const yaml_char_t *)v, -1, YAML_PLAIN_SCALAR_STYLE);
    int rc;
    if (!map || !kn || !vn || !yaml_document_append_mapping_pair(&doc, map, kn, vn)) {
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    } else {
        profile_src_t src = {&doc, NULL, origin, NULL};
        const profile_key_t *k = env_key();
        rc = profile_kind_convert(k, &src, yaml_document_get_node(&doc, map), p, key, err);
        if (rc == 0) /* the map as a whole was last changed here (entries keep their own) */
            put_origin(p, k, strdup(origin));
    }
    yaml_document_delete(&doc);
    return rc;
}

/* "unknown key 'x' (did you mean 'y'?)" over every key of the schema. */
static int unknown_key(const char *key, const char *origin, ippc_error_t **err)
{
    size_t n = profile_nkeys();
    const char **all = malloc(n * sizeof *all);
    if (!all)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        all[i] = profile_key_at(i)->info.key;
    const char *hint = profile_suggest(key, all, n);
    char *shown = profile_shown(key, strlen(key));
    int rc = ippc_error_set(err, IPPC_E_NOTFOUND, "%s: unknown key '%s'%s%s%s", origin, shown ? shown : "?",
                            hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    free(shown);
    free(all);
    return rc;
}

static int section_key(const char *key, const char *origin, ippc_error_t **err)
{
    const char *names[32];
    size_t n = profile_section_children(key, names, 32);
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", names[i]);
    char *list = strbuf_release(&sb);
    int rc = ippc_error_set(err, IPPC_E_INVALID, "%s: '%s' is a section; set one of its keys: %s", origin, key,
                            list ? list : "?");
    free(list);
    return rc;
}

int ippc_profile_set(ippc_profile_t *p, const char *key, const char *value, const char *origin, ippc_error_t **err)
{
    if (!origin)
        origin = "command line";
    if (!p || !key || !*key)
        return ippc_error_set(err, IPPC_E_INVALID, "%s: no key to set", origin);
    const profile_key_t *k = profile_key_find(key);
    const char *env_name = env_entry_name(key);
    if (env_name)
        return set_env_entry(p, key, env_name, value, origin, err);
    if (!k)
        return profile_is_section(key) ? section_key(key, origin, err) : unknown_key(key, origin, err);
    yaml_document_t doc;
    yaml_node_t *node;
    if (text_document(k, value ? value : "", &doc, &node, err) != 0) {
        ippc_error_prefix(err, "%s", origin); /* "command line: controller.ports:1:5: invalid YAML ..." */
        return -1;
    }
    profile_src_t src = {&doc, NULL, origin, NULL};
    int rc = profile_apply(p, k, &src, node, key, err);
    yaml_document_delete(&doc);
    return rc;
}

int ippc_profile_set_assignment(ippc_profile_t *p, const char *assignment, const char *origin, ippc_error_t **err)
{
    if (!origin)
        origin = "command line";
    const char *eq = assignment ? strchr(assignment, '=') : NULL;
    if (!eq) {
        char *shown = assignment ? profile_shown(assignment, strlen(assignment)) : NULL;
        int rc = ippc_error_set(err, IPPC_E_INVALID, "%s: expected key=value, not '%s'", origin, shown ? shown : "");
        free(shown);
        return rc;
    }
    char *key = strndup(assignment, (size_t)(eq - assignment));
    if (!key)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int rc = ippc_profile_set(p, key, eq + 1, origin, err);
    free(key);
    return rc;
}

const char *ippc_profile_origin(const ippc_profile_t *p, const char *key)
{
    if (!p || !key)
        return NULL;
    const profile_key_t *k = profile_key_find(key);
    if (k)
        return p->origins_[profile_key_index(k)] ? p->origins_[profile_key_index(k)] : "default";
    const char *name = env_entry_name(key);
    const ippc_profile_env_t *env = name ? &p->engines.env : NULL;
    for (size_t i = 0; env && i < env->n; i++)
        if (strcmp(env->items[i].name, name) == 0)
            return env->items[i].origin ? env->items[i].origin : "default";
    return NULL;
}

/* ------------------------------------------------------------ names */

/* The names profiles use for an enum value, from the schema. */
static const char *enum_name(const char *key, int v)
{
    const char *const *names = profile_key_find(key)->names;
    for (int i = 0; names[i]; i++)
        if (i == v)
            return names[i];
    return "?";
}

const char *ippc_profile_launcher_name(ippc_profile_launcher_t l) { return enum_name("cluster.launcher", (int)l); }
const char *ippc_profile_shell_name(ippc_profile_shell_t s) { return enum_name("engines.shell", (int)s); }
const char *ippc_profile_slurm_mpi_name(ippc_profile_slurm_mpi_t m) { return enum_name("slurm.mpi", (int)m); }
