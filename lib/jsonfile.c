/* jsonfile.c - reading and writing the small JSON files of a cluster (see jsonfile.h).
 *
 * Writers and readers run concurrently (a controller writes its connection files while
 * engines and clients poll for them), so a file is never written in place: the text goes
 * to a temp file in the same directory, which is renamed over the target once complete. */
#include "config.h"

#include "jsonfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"

/* ------------------------------------------------------------------ dirs */

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir one level; an existing directory is fine. */
static int mkdir_one(const char *path, mode_t mode, ippc_error_t **err)
{
    if (mkdir(path, mode) == 0)
        return 0;
    int e = errno;
    if (e == EEXIST && is_dir(path))
        return 0;
    if (e == EEXIST)
        return ippc_error_set(err, IPPC_E_IO, "%s: exists and is not a directory", path);
    return ippc_error_set_errno(err, IPPC_E_IO, e, "cannot create directory %s", path);
}

int ippc_mkdir_p(const char *path, mode_t mode, ippc_error_t **err)
{
    if (!path || !*path)
        return ippc_error_set(err, IPPC_E_INVALID, "mkdir: empty path");
    char *p = strdup(path);
    if (!p)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int rc = 0;
    /* Create each prefix that ends before a '/', then the whole path. */
    for (char *s = p + 1; rc == 0 && *s; s++) {
        if (*s != '/' || s[-1] == '/')
            continue;
        *s = '\0';
        rc = mkdir_one(p, mode, err);
        *s = '/';
    }
    if (rc == 0)
        rc = mkdir_one(p, mode, err);
    free(p);
    return rc;
}

/* ------------------------------------------------------------------ write */

/* The directory part of path ("." when there is none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* The fewest significant digits (1..17) that give back every real in j, so that 0.1 is
 * written "0.1" as Python's repr() does and not "0.10000000000000001" (jansson's
 * default); jansson takes one precision for the whole document. */
static int real_precision(const json_t *j)
{
    int p = 1;
    if (json_is_real(j)) {
        double d = json_real_value(j);
        char buf[64];
        for (; p < 17; p++) {
            snprintf(buf, sizeof buf, "%.*g", p, d);
            if (strtod(buf, NULL) == d)
                break;
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            int q = real_precision(json_array_get(j, i));
            p = q > p ? q : p;
        }
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach ((json_t *)j, key, v) {
            int q = real_precision(v);
            p = q > p ? q : p;
        }
    }
    return p;
}

static size_t dump_flags(const json_t *j, ippc_json_layout_t layout)
{
    /* Python's json escapes non-ASCII by default (ensure_ascii=True); indent=2 puts
     * each item on its own line, and no indent gives ", " and ": " separators, which
     * is what jansson does without JSON_COMPACT. */
    size_t flags = JSON_ENSURE_ASCII | JSON_REAL_PRECISION(real_precision(j));
    if (layout == IPPC_JSON_INDENT2)
        flags |= JSON_INDENT(2);
    return flags;
}

/* Python writes \u00e9 where jansson writes \u00E9: lower-case the hex digits of each
 * \u escape (an escaped backslash is skipped whole, so "\\u" is left alone). */
static void lower_unicode_escapes(char *text)
{
    for (char *p = text; *p; p++) {
        if (*p != '\\' || !p[1])
            continue;
        if (p[1] == 'u')
            for (int i = 2; i < 6 && p[i]; i++)
                p[i] = (char)tolower((unsigned char)p[i]);
        p++;
    }
}

/* Create a fresh temp file next to the target, with the final mode. O_EXCL so that we
 * never open (and later rename) a file somebody else planted there. */
static int open_temp(const char *dir, const char *base, mode_t mode, char **tmp_path, ippc_error_t **err)
{
    static atomic_uint counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned n = atomic_fetch_add(&counter, 1);
        char *tp = ippc_strdup_printf("%s/.%s.%ld.%u.tmp", dir, base, (long)getpid(), n);
        if (!tp)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        int fd = open(tp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0) {
            *tmp_path = tp;
            return fd;
        }
        int e = errno;
        free(tp);
        if (e != EEXIST)
            return ippc_error_set_errno(err, IPPC_E_IO, e, "cannot create a temporary file in %s", dir);
    }
    return ippc_error_set(err, IPPC_E_IO, "cannot create a temporary file in %s: too many attempts", dir);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fchmod because open() applied the umask; then the text, flushed to disk before the
 * rename so that a crash leaves the old file or the new one, never a truncated one. */
static int fill_temp(int fd, const char *tmp_path, mode_t mode, const char *text, ippc_error_t **err)
{
    if (fchmod(fd, mode) != 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: chmod", tmp_path);
    if (write_all(fd, text, strlen(text)) != 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: write", tmp_path);
    if (fsync(fd) != 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: fsync", tmp_path);
    return 0;
}

/* Make the rename itself durable; a failure here loses nothing already visible. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int write_text_atomic(const char *path, const char *dir, const char *text, mode_t mode,
                             ippc_error_t **err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *tmp = NULL;
    int fd = open_temp(dir, base, mode, &tmp, err);
    if (fd < 0)
        return -1;
    int rc = fill_temp(fd, tmp, mode, text, err);
    if (close(fd) != 0 && rc == 0)
        rc = ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: close", tmp);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot replace %s", path);
    if (rc != 0)
        unlink(tmp);
    else
        sync_dir(dir);
    free(tmp);
    return rc;
}

int ippc_json_write_atomic(const char *path, const json_t *j, mode_t mode, ippc_json_layout_t layout,
                           ippc_error_t **err)
{
    if (!path || !*path || !j)
        return ippc_error_set(err, IPPC_E_INVALID, "write JSON: no path or no value");
    char *text = json_dumps(j, dump_flags(j, layout));
    char *dir = dir_of(path);
    if (text)
        lower_unicode_escapes(text);
    int rc = -1;
    if (!text || !dir)
        ippc_error_set(err, IPPC_E_NOMEM, "%s: cannot format the JSON text", path);
    else if (ippc_mkdir_p(dir, 0700, err) == 0)
        rc = write_text_atomic(path, dir, text, mode, err);
    free(text);
    free(dir);
    return rc;
}

/* ------------------------------------------------------------------- read */

static int open_for_read(const char *path, ippc_error_t **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT)
        return ippc_error_set(err, IPPC_E_NOTFOUND, "%s: no such file", path);
    return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: cannot open", path);
}

static int too_large(const char *path, ippc_error_t **err)
{
    return ippc_error_set(err, IPPC_E_PARSE, "%s: file is too large (the limit is %u MiB)", path,
                          IPPC_JSON_MAX_FILE_SIZE / (1024u * 1024u));
}

/* Read at most the size cap (plus one byte to notice more), whatever stat says: the
 * file may grow under us, or be a pipe or a device. */
static char *read_capped(int fd, const char *path, size_t *len, ippc_error_t **err)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > IPPC_JSON_MAX_FILE_SIZE) {
        too_large(path, err);
        return NULL;
    }
    /* Grow to at most one byte past the cap: reaching it is the "too large" answer. */
    const size_t limit = (size_t)IPPC_JSON_MAX_FILE_SIZE + 1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            size_t want = cap * 2 < limit ? cap * 2 : limit;
            char *grown = realloc(buf, want);
            if (!grown)
                break;
            buf = grown;
            cap = want;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: cannot read", path);
            free(buf);
            return NULL;
        }
        if (r == 0) {
            *len = n;
            return buf;
        }
        n += (size_t)r;
        if (n >= limit) {
            too_large(path, err);
            free(buf);
            return NULL;
        }
    }
    free(buf);
    ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", path);
    return NULL;
}

static bool all_space(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", text[i]) || text[i] == '\0')
            return false;
    return true;
}

json_t *ippc_json_parse_object(const char *text, size_t len, const char *origin, ippc_error_t **err)
{
    if (!origin)
        origin = "JSON text";
    if (!text || all_space(text, len)) {
        ippc_error_set(err, IPPC_E_PARSE, "%s: empty file", origin);
        return NULL;
    }
    json_error_t jerr;
    /* JSON_DECODE_ANY so that a top-level array or scalar gets our clearer message. */
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
    if (!j) {
        ippc_error_set(err, IPPC_E_PARSE, "%s:%d:%d: invalid JSON: %s", origin, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        ippc_error_set(err, IPPC_E_PARSE, "%s: not a JSON object (the top level is %s)", origin,
                       ippc_json_type_desc(j));
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *ippc_json_read_file(const char *path, ippc_error_t **err)
{
    if (!path || !*path) {
        ippc_error_set(err, IPPC_E_INVALID, "read JSON: no path");
        return NULL;
    }
    int fd = open_for_read(path, err);
    if (fd < 0)
        return NULL;
    size_t len = 0;
    char *text = read_capped(fd, path, &len, err);
    close(fd);
    if (!text)
        return NULL;
    json_t *j = ippc_json_parse_object(text, len, path, err);
    free(text);
    return j;
}

/* ---------------------------------------------------------------- getters */

const char *ippc_json_type_desc(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: break;
    }
    return "null";
}

static const char *wanted_desc(json_type type, unsigned flags)
{
    bool null_ok = flags & IPPC_JSON_NULLABLE;
    switch (type) {
    case JSON_OBJECT: return null_ok ? "an object or null" : "an object";
    case JSON_ARRAY: return null_ok ? "a list or null" : "a list";
    case JSON_STRING: return null_ok ? "a string or null" : "a string";
    case JSON_INTEGER: return null_ok ? "an integer or null" : "an integer";
    case JSON_REAL: return null_ok ? "a number or null" : "a number";
    case JSON_TRUE:
    case JSON_FALSE: return null_ok ? "a boolean or null" : "a boolean";
    case JSON_NULL: break;
    }
    return "null";
}

static bool has_type(const json_t *v, json_type type)
{
    if (type == JSON_REAL)
        return json_is_number(v);
    if (type == JSON_TRUE || type == JSON_FALSE)
        return json_is_boolean(v);
    return json_typeof(v) == type;
}

int ippc_json_get(const json_t *obj, const char *key, const char *what, json_type type, unsigned flags,
                  json_t **out, ippc_error_t **err)
{
    *out = NULL;
    if (!json_is_object(obj))
        return ippc_error_set(err, IPPC_E_PARSE, "%s: not a JSON object", what);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (flags & IPPC_JSON_OPTIONAL)
            return 0;
        return ippc_error_set(err, IPPC_E_NOTFOUND, "%s: key '%s' is missing", what, key);
    }
    if (!has_type(v, type) && !(json_is_null(v) && (flags & IPPC_JSON_NULLABLE)))
        return ippc_error_set(err, IPPC_E_PARSE, "%s: key '%s' must be %s, not %s", what, key,
                              wanted_desc(type, flags), ippc_json_type_desc(v));
    *out = v;
    return 0;
}

int ippc_json_get_str(const json_t *obj, const char *key, const char *what, const char **out, ippc_error_t **err)
{
    json_t *v;
    if (ippc_json_get(obj, key, what, JSON_STRING, 0, &v, err) != 0)
        return -1;
    *out = json_string_value(v);
    return 0;
}

int ippc_json_get_int(const json_t *obj, const char *key, const char *what, long long *out, ippc_error_t **err)
{
    json_t *v;
    if (ippc_json_get(obj, key, what, JSON_INTEGER, 0, &v, err) != 0)
        return -1;
    *out = (long long)json_integer_value(v);
    return 0;
}

static bool port_ok(long long v) { return v >= 1 && v <= 65535; }

int ippc_json_get_port(const json_t *obj, const char *key, const char *what, int *out, ippc_error_t **err)
{
    long long v;
    if (ippc_json_get_int(obj, key, what, &v, err) != 0)
        return -1;
    if (!port_ok(v))
        return ippc_error_set(err, IPPC_E_PARSE, "%s: key '%s' must be a port number in 1..65535, not %lld",
                              what, key, v);
    *out = (int)v;
    return 0;
}

int ippc_json_get_port_list(const json_t *obj, const char *key, const char *what, int *ports, size_t max,
                            ippc_error_t **err)
{
    json_t *arr;
    if (ippc_json_get(obj, key, what, JSON_ARRAY, 0, &arr, err) != 0)
        return -1;
    size_t n = json_array_size(arr);
    if (n == 0 || n > max)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: key '%s' must list 1..%zu ports, not %zu", what, key,
                              max, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_integer(v))
            return ippc_error_set(err, IPPC_E_PARSE, "%s: key '%s' item %zu must be an integer, not %s", what,
                                  key, i, ippc_json_type_desc(v));
        if (!port_ok(json_integer_value(v)))
            return ippc_error_set(err, IPPC_E_PARSE,
                                  "%s: key '%s' item %zu must be a port number in 1..65535, not %lld", what,
                                  key, i, (long long)json_integer_value(v));
        ports[i] = (int)json_integer_value(v);
    }
    return (int)n;
}

int ippc_json_take_opt_str(const json_t *obj, const char *key, const char *what, char **out, ippc_error_t **err)
{
    json_t *v;
    if (ippc_json_get(obj, key, what, JSON_STRING, IPPC_JSON_OPTIONAL | IPPC_JSON_NULLABLE, &v, err) != 0)
        return -1;
    char *copy = NULL;
    if (v && json_is_string(v) && !(copy = strdup(json_string_value(v))))
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
    free(*out);
    *out = copy;
    return 0;
}

int ippc_json_take_opt_int(const json_t *obj, const char *key, const char *what, long long *out, bool *present,
                           ippc_error_t **err)
{
    json_t *v;
    *present = false;
    if (ippc_json_get(obj, key, what, JSON_INTEGER, IPPC_JSON_OPTIONAL, &v, err) != 0)
        return -1;
    if (v) {
        *out = (long long)json_integer_value(v);
        *present = true;
    }
    return 0;
}

/* ----------------------------------------------------------------- models */

static bool is_known(const char *key, const char *const *known)
{
    for (; *known; known++)
        if (strcmp(key, *known) == 0)
            return true;
    return false;
}

json_t *ippc_json_unknown_keys(const json_t *obj, const char *const *known)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    /* json_object_foreach wants a non-const object; it only reads it here. */
    json_object_foreach ((json_t *)obj, key, v) {
        if (out && !is_known(key, known) && json_object_set_new(out, key, json_deep_copy(v)) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

int ippc_json_put(json_t *obj, const char *key, json_t *value)
{
    if (!value)
        return -1;
    return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

int ippc_json_put_str_or_null(json_t *obj, const char *key, const char *s)
{
    return ippc_json_put(obj, key, s ? json_string(s) : json_null());
}
