/* jsonfile.h - JSON files the way IPython Parallel keeps them: written atomically
 * (temp file in the same directory + rename) with a mode, read with errors that name
 * the file, the position and the problem; typed getters that name the missing key. */
#ifndef IPPC_JSONFILE_H
#define IPPC_JSONFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ippc.h"

/* Files larger than this are refused unread: connection and cluster files are a few
 * hundred bytes, and a hostile or runaway file must not make us allocate without end. */
#define IPPC_JSON_MAX_FILE_SIZE (16u * 1024u * 1024u)

/* How ippc_json_write_atomic lays the text out. */
typedef enum {
    IPPC_JSON_INDENT2, /* json.dumps(d, indent=2): the connection files of ipcontroller */
    IPPC_JSON_ONELINE  /* json.dump(d, f): the cluster files of Cluster.write_cluster_file */
} ippc_json_layout_t;

/* mkdir -p with mode for the directories it creates. Returns 0 / -1. */
int ippc_mkdir_p(const char *path, mode_t mode, ippc_error_t **err);
/* Write j to path via a temp file in the same directory (created with `mode`, whatever
 * the umask), fsync and rename. Missing parent directories are created with 0700 (like
 * a profile's security dir). On failure the temp file is removed and an existing file
 * at path is left as it was. Non-ASCII text is \u-escaped as Python's json does. */
int ippc_json_write_atomic(const char *path, const json_t *j, mode_t mode, ippc_json_layout_t layout,
                           ippc_error_t **err);
/* Read and parse a JSON object from path: IPPC_E_NOTFOUND ("<path>: no such file"),
 * IPPC_E_IO (unreadable), IPPC_E_PARSE (empty, too large, not an object, bad JSON as
 * "<path>:<line>:<column>: invalid JSON: <jansson's text>"). */
json_t *ippc_json_read_file(const char *path, ippc_error_t **err);
/* The same checks on JSON text already in memory; origin names it in errors. */
json_t *ippc_json_parse_object(const char *text, size_t len, const char *origin, ippc_error_t **err);

/* "an integer", "a string", "null" ...: how errors name the type of a value. */
const char *ippc_json_type_desc(const json_t *v);

/* Flags for ippc_json_get. */
#define IPPC_JSON_OPTIONAL 1u /* a missing key is no error: *out = NULL, returns 0 */
#define IPPC_JSON_NULLABLE 2u /* null is accepted: *out = the null value */

/* The value of key in obj when it has the given type (JSON_TRUE stands for either
 * boolean, JSON_REAL for any number), or -1 with an error naming `what` (e.g. the file
 * path) and the key: missing (IPPC_E_NOTFOUND, "<what>: key 'mux' is missing") or of
 * the wrong type (IPPC_E_PARSE, "<what>: key 'mux' must be an integer, not a string"). */
int ippc_json_get(const json_t *obj, const char *key, const char *what, json_type type, unsigned flags,
                  json_t **out, ippc_error_t **err);

/* Typed getters over ippc_json_get (the key is required and not null). */
int ippc_json_get_str(const json_t *obj, const char *key, const char *what, const char **out, ippc_error_t **err);
int ippc_json_get_int(const json_t *obj, const char *key, const char *what, long long *out, ippc_error_t **err);
/* An integer in 1..65535 ("<what>: key 'mux' must be a port number in 1..65535, not 0"). */
int ippc_json_get_port(const json_t *obj, const char *key, const char *what, int *out, ippc_error_t **err);
/* A list of 1..max ports (the engine side's broadcast leaves). Returns the count or -1. */
int ippc_json_get_port_list(const json_t *obj, const char *key, const char *what, int *ports, size_t max,
                            ippc_error_t **err);

/* Optional variants. Strings: *out (freed first) becomes a malloc'd copy of the value,
 * or NULL when the key is missing or null. Integers: a missing key leaves *out as it
 * was and sets *present = false. Wrong types are errors as above. */
int ippc_json_take_opt_str(const json_t *obj, const char *key, const char *what, char **out, ippc_error_t **err);
int ippc_json_take_opt_int(const json_t *obj, const char *key, const char *what, long long *out, bool *present,
                           ippc_error_t **err);

/* A copy of obj without the listed keys (NULL-terminated): the keys a model does not
 * know, to be written back unchanged. NULL on ENOMEM. */
json_t *ippc_json_unknown_keys(const json_t *obj, const char *const *known);

/* obj[key] = value, taking the reference of value; a NULL value (a failed constructor)
 * marks the failure. Returns 0 / -1, so a run of sets can be or-ed together. */
int ippc_json_put(json_t *obj, const char *key, json_t *value);
/* obj[key] = s, or null when s is NULL. */
int ippc_json_put_str_or_null(json_t *obj, const char *key, const char *s);

#endif
