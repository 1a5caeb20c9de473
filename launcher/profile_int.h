/* profile_int.h - what the modules of the profile reader share; launchers use profile.h.
 *
 *   profile_schema.c  the table of keys, sections, "did you mean" suggestions
 *   profile_scalar.c  text forms of values: integers, sizes, times, ports, log levels
 *   profile_node.c    YAML nodes: positions, null, text for messages, duplicate keys
 *   profile_kinds.c   each kind of value: from a YAML node into the struct, and back as JSON
 *   profile.c         life cycle, setting keys (with origins), ippc_profile_set
 *   profile_yaml.c    reading YAML files onto a profile: sections, errors, inheritance
 *   profile_dump.c    writing a profile as YAML (with origins) and JSON
 *   profile_find.c    where profiles are: resolution, listing, creating
 *
 * Values from files and from the command line take one path: the command line's text
 * becomes a one-node YAML document, so that each kind has a single converter and every
 * error message is made in one place. */
#ifndef IPPC_PROFILE_INT_H
#define IPPC_PROFILE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "profile.h"
#include "strbuf.h"

/* ------------------------------------------------------------ schema */

typedef enum {
    PROFILE_INT,      /* long long in [min, max]; unset (0) when the default is NULL */
    PROFILE_SIZE,     /* long long bytes; "512MiB" */
    PROFILE_STR,      /* char *, checked by `check` */
    PROFILE_ENUM,     /* an enum (int) whose names are `names` */
    PROFILE_LOGLEVEL, /* int: a level name or 0..50 */
    PROFILE_PORTS,    /* ippc_profile_ports_t */
    PROFILE_TIME,     /* long long seconds, Slurm's time formats */
    PROFILE_STRLIST,  /* ippc_profile_strlist_t, items checked by `check` */
    PROFILE_ENV       /* ippc_profile_env_t, merged entry by entry */
} profile_kind_t;

/* A string check: NULL when s is acceptable, else what it must be ("an IP address or
 * '*'"), for the message "'ip' must be <that>, not '...'". */
typedef const char *(*profile_check_t)(const char *s);

typedef struct {
    ippc_profile_keyinfo_t info; /* key, type, default text, doc */
    profile_kind_t kind;
    size_t offset;               /* of the field in ippc_profile_t */
    long long min, max;          /* PROFILE_INT */
    const char *const *names;    /* PROFILE_ENUM: names by value, NULL-terminated */
    profile_check_t check;       /* PROFILE_STR, PROFILE_STRLIST items */
    const char *excludes;        /* the key that cannot be given together with this one */
} profile_key_t;

size_t profile_nkeys(void);
const profile_key_t *profile_key_at(size_t i);
/* The key named exactly `key` ("slurm.partition"), NULL when there is none. */
const profile_key_t *profile_key_find(const char *key);
size_t profile_key_index(const profile_key_t *k);
/* The last component of a key ("period_ms"). */
const char *profile_key_leaf(const profile_key_t *k);
/* "" (the top level), "controller", "controller.heartbeat" ...: whether keys live under it. */
bool profile_is_section(const char *path);
/* The names one level below a section, in schema order (sections and keys; at the top
 * level also "inherit" and "base"). Returns how many were stored (at most max). */
size_t profile_section_children(const char *section, const char **names, size_t max);
/* The candidate closest to word (edit distance, case folded, or one a prefix of the
 * other) when it is close enough to be a likely typo, else NULL. */
const char *profile_suggest(const char *word, const char *const *candidates, size_t n);

/* String checks shared by the schema and the kinds. */
const char *profile_check_line(const char *s);  /* no control characters but tab */
const char *profile_check_text(const char *s);  /* anything (code): NUL is refused earlier */
const char *profile_check_env_name(const char *s);

/* ------------------------------------------------------------ scalar text */

/* Each returns 0, or -1 when the text is not of the form (no message: the caller names
 * the key and the expected form). */
int profile_parse_int(const char *s, long long *out);
int profile_parse_size(const char *s, long long *out);     /* >= 0; 1k = 1KB = 1KiB = 1024 */
int profile_parse_time(const char *s, long long *out);     /* seconds > 0, or unlimited */
int profile_parse_loglevel(const char *s, int *out);       /* name or 0..50 */
/* One port "50000" or range "50000-50100". -1 with *why set when malformed ("a port
 * range like 50000-50100") or out of range ("port 70000 is not in 1..65535"). */
int profile_parse_port_item(const char *s, ippc_profile_port_range_t *out, const char **why);
/* Canonical text: "1GiB" for exact binary multiples, else the number of bytes. */
char *profile_format_size(long long bytes);
/* "debug" ... for the standard levels, else the number. */
char *profile_format_loglevel(int level);
const char *profile_loglevel_name(int level); /* NULL when not a standard level */

/* ------------------------------------------------------------ sources */

/* Where the nodes of a document come from. A file gives each value the position of its
 * node; the command line gives all of them one origin. */
typedef struct {
    yaml_document_t *doc;
    const char *file;   /* positions "<file>:<line>:<col>"; NULL: `origin` for every node */
    const char *origin; /* NULL with file NULL: a built-in default */
    size_t *budget;     /* bytes of scalar text still allowed to be read; NULL: no limit */
} profile_src_t;

/* "<file>:<line>:<col>" of node or the fixed origin ("default" for defaults), malloc'd. */
char *profile_src_where(const profile_src_t *src, const yaml_node_t *node);
/* The origin to record: as profile_src_where, but NULL for defaults. */
char *profile_src_origin(const profile_src_t *src, const yaml_node_t *node);
/* A plain "", "~" or "null" scalar. */
bool profile_node_is_null(const yaml_node_t *node);
/* How a message shows a node: "'four'" (escaped, shortened), "a list", "a mapping". */
char *profile_node_desc(const yaml_node_t *node);
/* Text shown in messages: control characters escaped, cut after ~60 characters. */
char *profile_shown(const char *s, size_t len);
/* The scalar's text when it is usable as a C string (no NUL, valid UTF-8) and within
 * the source's budget, else -1 with "<where>: '<shown>' must be ..., not ..." in *err. */
int profile_scalar_text(const profile_src_t *src, const yaml_node_t *node, const char *shown,
                        const char *must_be, const char **text, ippc_error_t **err);
/* RFC 3629 UTF-8 (files are checked by libyaml's reader; command-line text is not). */
bool profile_valid_utf8(const unsigned char *s, size_t len);
/* Index of the first pair of a mapping whose key repeats an earlier key (compared as
 * scalar text), or -1. Sorting, so hostile maps with many keys cost n log n. */
long profile_first_duplicate(yaml_document_t *doc, const yaml_node_t *mapping, long *first);

/* ------------------------------------------------------------ kinds */

void *profile_field(ippc_profile_t *p, const profile_key_t *k);
const void *profile_cfield(const ippc_profile_t *p, const profile_key_t *k);
/* Convert node (not null) into k's field of p, replacing the old value only on success.
 * `shown` names the key in messages ("n" in a file, "cluster.n" on the command line). */
int profile_kind_convert(const profile_key_t *k, const profile_src_t *src, yaml_node_t *node,
                         ippc_profile_t *p, const char *shown, ippc_error_t **err);
/* Free and zero k's field. */
void profile_kind_clear(const profile_key_t *k, ippc_profile_t *p);
/* The value as JSON: human gives sizes as "1GiB" (YAML output), else bytes. NULL means
 * ENOMEM; an unset value is json null. */
json_t *profile_kind_json(const profile_key_t *k, const ippc_profile_t *p, bool human);
/* Set or remove (value NULL) one env entry. */
int profile_env_put(ippc_profile_env_t *env, const char *name, const char *value, const char *origin);
void profile_env_clear(ippc_profile_env_t *env);
void profile_strlist_clear(ippc_profile_strlist_t *l);
int profile_strlist_add(ippc_profile_strlist_t *l, const char *s);

/* ------------------------------------------------------------ applying (profile.c) */

/* Give key k the value of node: null resets it to its default; the origin is recorded
 * and an excluded key is reset. 0 / -1. */
int profile_apply(ippc_profile_t *p, const profile_key_t *k, const profile_src_t *src, yaml_node_t *node,
                  const char *shown, ippc_error_t **err);
/* Replace a malloc'd string (NULL clears). 0 / -1 on ENOMEM. */
int profile_set_str(char **dst, const char *s);

/* ------------------------------------------------------------ reading (profile_yaml.c) */

/* The whole file (at most IPPC_PROFILE_MAX_FILE_SIZE), NUL-terminated, malloc'd;
 * IPPC_E_NOTFOUND, IPPC_E_IO or IPPC_E_PARSE (too large). */
char *profile_read_text(const char *path, size_t *len, ippc_error_t **err);
/* Load the one document of text: a YAML error or a second document is an IPPC_E_PARSE
 * error "<name>:<line>:<col>: ...". *root is NULL for an empty stream. */
int profile_yaml_load(const char *text, size_t len, const char *name, yaml_document_t *doc,
                      yaml_node_t **root, ippc_error_t **err);

/* ------------------------------------------------------------ finding (profile_find.c) */

/* Resolve a profile name or path. Files in `skip` (real paths) are passed over, so that
 * $IPYTHONDIR/profile_slurm/ippc.yaml can inherit the shipped slurm. `relative_to`
 * (a directory, or NULL) anchors relative paths. *name_out (optional) gets the
 * profile's name. */
char *profile_find(const char *name_or_path, const char *relative_to, const ippc_profile_strlist_t *skip,
                   char **name_out, ippc_error_t **err);
/* The profile name a file stands for: X for .../profile_X/ippc.yaml, else the file's
 * stem. malloc'd. */
char *profile_name_of_path(const char *path);

#endif
