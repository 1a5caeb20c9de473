/* jsonfile.h - JSON files the way IPython Parallel keeps them: written atomically
 * (temp file in the same directory + rename) with a mode, read with errors that name
 * the file, the position and the problem; typed getters that name the missing key. */
#ifndef IPPC_JSONFILE_H
#define IPPC_JSONFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ippc.h"

/* mkdir -p with mode for the directories it creates. Returns 0 / -1. */
int ippc_mkdir_p(const char *path, mode_t mode, ippc_error_t **err);
/* Write j (indented like the stock files) to path via a temp file and rename. */
int ippc_json_write_atomic(const char *path, const json_t *j, mode_t mode, ippc_error_t **err);
/* Read and parse a JSON object from path (IPPC_E_NOTFOUND, IPPC_E_IO, IPPC_E_PARSE). */
json_t *ippc_json_read_file(const char *path, ippc_error_t **err);
/* Typed getters: the value of key in obj, or -1 with an error naming `what`
 * (e.g. the file path) and the key: missing key (IPPC_E_NOTFOUND) or wrong type (IPPC_E_PARSE). */
int ippc_json_get_str(const json_t *obj, const char *key, const char *what, const char **out, ippc_error_t **err);
int ippc_json_get_int(const json_t *obj, const char *key, const char *what, long long *out, ippc_error_t **err);
int ippc_json_get_port(const json_t *obj, const char *key, const char *what, int *out, ippc_error_t **err);

#endif
