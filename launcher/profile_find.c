/* profile_find.c - where profiles are on disk: resolving a name or path, listing what a
 * name could resolve to, and creating a user profile from another one.
 *
 * Order: a path (contains '/' or ends in .yaml/.yml, and exists); the user's
 * $IPYTHONDIR/profile_<name>/ippc.yaml (where IPython keeps a profile's files);
 * <name>.yaml in the shipped directories: $IPPC_PROFILES_DIR, the installed
 * $(pkgdatadir)/profiles, the source tree's profiles/ (uninstalled binaries). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "jsonfile.h"
#include "profile_int.h"

#if !defined(IPPC_PROFILESDIR) || !defined(IPPC_SRC_PROFILESDIR)
#error "launcher/Makefile.am defines IPPC_PROFILESDIR and IPPC_SRC_PROFILESDIR"
#endif

#define USER_FILE "ippc.yaml"
#define MAX_SHIPPED_DIRS 3

/* The shipped directories in lookup order, without repeats. Returns how many. */
static size_t shipped_dirs(const char **dirs)
{
    const char *candidates[MAX_SHIPPED_DIRS] = {getenv("IPPC_PROFILES_DIR"), IPPC_PROFILESDIR, IPPC_SRC_PROFILESDIR};
    size_t n = 0;
    for (size_t i = 0; i < MAX_SHIPPED_DIRS; i++) {
        bool dup = !candidates[i] || !*candidates[i];
        for (size_t j = 0; !dup && j < n; j++)
            dup = strcmp(dirs[j], candidates[i]) == 0;
        if (!dup)
            dirs[n++] = candidates[i];
    }
    return n;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static bool path_like(const char *s) { return strchr(s, '/') || ends_with(s, ".yaml") || ends_with(s, ".yml"); }

/* Whether the file is one of `skip` (real paths of the files being read). */
static bool skipped(const char *path, const ippc_profile_strlist_t *skip)
{
    if (!skip || skip->n == 0)
        return false;
    char *real = realpath(path, NULL);
    bool found = false;
    for (size_t i = 0; real && !found && i < skip->n; i++)
        found = strcmp(skip->items[i], real) == 0;
    free(real);
    return found;
}

char *profile_name_of_path(const char *path)
{
    char *copy = strdup(path), *parent_copy = strdup(path);
    if (!copy || !parent_copy) {
        free(copy);
        free(parent_copy);
        return NULL;
    }
    const char *base = basename(copy);
    const char *parent = basename(dirname(parent_copy));
    char *name;
    if (strcmp(base, USER_FILE) == 0 && strncmp(parent, "profile_", 8) == 0 && parent[8])
        name = strdup(parent + 8);
    else {
        size_t n = strlen(base);
        n -= ends_with(base, ".yaml") ? 5 : ends_with(base, ".yml") ? 4 : 0;
        name = strndup(base, n);
    }
    free(copy);
    free(parent_copy);
    return name;
}

/* The candidates for a name, in lookup order (malloc'd strings). */
static int name_candidates(const char *name, ippc_profile_strlist_t *out)
{
    char *user_dir = ippc_profile_dir(name);
    char *user = user_dir ? ippc_strdup_printf("%s/%s", user_dir, USER_FILE) : NULL;
    free(user_dir);
    int rc = user ? profile_strlist_add(out, user) : -1;
    free(user);
    const char *dirs[MAX_SHIPPED_DIRS];
    size_t n = shipped_dirs(dirs);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *p = ippc_strdup_printf("%s/%s.yaml", dirs[i], name);
        rc = p ? profile_strlist_add(out, p) : -1;
        free(p);
    }
    return rc;
}

/* IPPC_E_NOTFOUND naming the places looked in: the user file, and the shipped files
 * whose directory exists (an installed ippc need not mention the build tree) - all of
 * them when none does. */
static void not_found(const char *name, const ippc_profile_strlist_t *cands, ippc_error_t **err)
{
    bool *show = calloc(cands->n ? cands->n : 1, sizeof *show);
    size_t nshipped = 0;
    for (size_t i = 1; show && i < cands->n; i++) {
        char *dir = strdup(cands->items[i]);
        show[i] = dir && exists(dirname(dir));
        nshipped += show[i];
        free(dir);
    }
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < cands->n; i++)
        if (i == 0 || nshipped == 0 || (show && show[i]))
            strbuf_printf(&sb, "%s%s", i ? ", " : "", cands->items[i]);
    free(show);
    char *where = strbuf_release(&sb);
    char *shown = profile_shown(name, strlen(name));
    ippc_error_set(err, IPPC_E_NOTFOUND,
                   "profile '%s' not found: looked in %s (create one with `ippctl profile create %s`)",
                   shown ? shown : "?", where ? where : "?", shown ? shown : "?");
    free(shown);
    free(where);
}

/* A path-like argument: the file when it exists; NULL with *done = false to go on with
 * the name lookup (a missing "x.yaml" may still be a profile's name), or with an error. */
static char *find_path(const char *arg, const char *relative_to, const ippc_profile_strlist_t *skip,
                       char **name_out, bool *done, ippc_error_t **err)
{
    *done = true;
    char *path = (relative_to && arg[0] != '/') ? ippc_strdup_printf("%s/%s", relative_to, arg) : strdup(arg);
    if (!path) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (exists(path) && skipped(path, skip))
        ippc_error_set(err, IPPC_E_PARSE, "%s: a profile cannot inherit from itself", path);
    else if (exists(path)) {
        if (name_out)
            *name_out = profile_name_of_path(path);
        return path;
    } else if (strchr(arg, '/'))
        ippc_error_set(err, IPPC_E_NOTFOUND, "%s: no such profile file", path);
    else
        *done = false;
    free(path);
    return NULL;
}

char *profile_find(const char *name_or_path, const char *relative_to, const ippc_profile_strlist_t *skip,
                   char **name_out, ippc_error_t **err)
{
    const char *arg = (name_or_path && *name_or_path) ? name_or_path : "default";
    if (path_like(arg)) {
        bool done;
        char *path = find_path(arg, relative_to, skip, name_out, &done, err);
        if (done)
            return path;
    }
    ippc_profile_strlist_t cands = {NULL, 0};
    if (name_candidates(arg, &cands) != 0) {
        profile_strlist_clear(&cands);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    char *found = NULL;
    const char *looped = NULL;
    for (size_t i = 0; !found && i < cands.n; i++) {
        if (!exists(cands.items[i]))
            continue;
        if (skipped(cands.items[i], skip))
            looped = looped ? looped : cands.items[i];
        else
            found = strdup(cands.items[i]);
    }
    if (!found && looped)
        ippc_error_set(err, IPPC_E_PARSE, "profile '%s' would inherit from itself (%s)", arg, looped);
    else if (!found)
        not_found(arg, &cands, err);
    else if (name_out)
        *name_out = strdup(arg);
    profile_strlist_clear(&cands);
    return found;
}

char *ippc_profile_find(const char *name_or_path, ippc_error_t **err)
{
    return profile_find(name_or_path, NULL, NULL, NULL, err);
}

ippc_profile_t *ippc_profile_load(const char *name_or_path, ippc_error_t **err)
{
    char *name = NULL;
    char *path = profile_find(name_or_path, NULL, NULL, &name, err);
    ippc_profile_t *p = path ? ippc_profile_new() : NULL;
    if (path && !p)
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (p && name) {
        free(p->name);
        p->name = name;
        name = NULL;
    }
    if (p && ippc_profile_read_file(p, path, err) != 0)
        ippc_profile_destroy(&p);
    free(name);
    free(path);
    return p;
}

/* ------------------------------------------------------------ list */

typedef struct {
    ippc_profile_info_t *items;
    size_t n;
} list_t;

static int list_add(list_t *l, const char *name, const char *path, bool user)
{
    ippc_profile_info_t *items = realloc(l->items, (l->n + 1) * sizeof *items);
    if (!items)
        return -1;
    l->items = items;
    ippc_profile_info_t e = {strdup(name), strdup(path), user, false};
    if (!e.name || !e.path) {
        free(e.name);
        free(e.path);
        return -1;
    }
    l->items[l->n++] = e;
    return 0;
}

/* $IPYTHONDIR/profile_<name>/ippc.yaml: IPython's own profile directories without an
 * ippc.yaml are not ippc profiles. */
static int list_user(list_t *l)
{
    char *ipdir = ippc_ipython_dir();
    DIR *d = ipdir ? opendir(ipdir) : NULL;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && d && (e = readdir(d))) {
        if (strncmp(e->d_name, "profile_", 8) != 0 || !e->d_name[8])
            continue;
        char *path = ippc_strdup_printf("%s/%s/%s", ipdir, e->d_name, USER_FILE);
        rc = !path ? -1 : exists(path) ? list_add(l, e->d_name + 8, path, true) : 0;
        free(path);
    }
    if (d)
        closedir(d);
    free(ipdir);
    return rc;
}

static int list_shipped(list_t *l)
{
    const char *dirs[MAX_SHIPPED_DIRS];
    size_t ndirs = shipped_dirs(dirs);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ndirs; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        while (rc == 0 && d && (e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
                continue;
            char *name = strndup(e->d_name, len - 5);
            char *path = ippc_strdup_printf("%s/%s", dirs[i], e->d_name);
            rc = (name && path) ? list_add(l, name, path, false) : -1;
            free(name);
            free(path);
        }
        if (d)
            closedir(d);
    }
    return rc;
}

int ippc_profile_list(ippc_profile_info_t **out, size_t *n, ippc_error_t **err)
{
    list_t l = {NULL, 0};
    if (list_user(&l) != 0 || list_shipped(&l) != 0) {
        ippc_profile_list_free(l.items, l.n);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    /* Entries were added in lookup order; a stable sort by name keeps that order among
     * entries of one name, so all but the first of a name are shadowed. Insertion sort:
     * a handful of profiles. */
    for (size_t i = 1; i < l.n; i++) {
        ippc_profile_info_t e = l.items[i];
        size_t j = i;
        for (; j > 0 && strcmp(l.items[j - 1].name, e.name) > 0; j--)
            l.items[j] = l.items[j - 1];
        l.items[j] = e;
    }
    for (size_t i = 1; i < l.n; i++)
        l.items[i].shadowed = strcmp(l.items[i - 1].name, l.items[i].name) == 0;
    *out = l.items;
    *n = l.n;
    return 0;
}

void ippc_profile_list_free(ippc_profile_info_t *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].path);
    }
    free(list);
}

/* ------------------------------------------------------------ create */

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || !(isalnum((unsigned char)name[0])))
        return false;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
            return false;
    return !path_like(name);
}

/* Write text to a fresh temp file in dir, then link() it to path: the profile appears
 * whole or not at all, and link fails rather than replace a file that exists. */
static int write_new_file(const char *dir, const char *path, const char *text, ippc_error_t **err)
{
    char *tmp = ippc_strdup_printf("%s/.%s.%ld.tmp", dir, USER_FILE, (long)getpid());
    if (!tmp)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    int rc = fd < 0 ? ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot create %s", tmp) : 0;
    size_t len = strlen(text), done = 0;
    while (rc == 0 && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            rc = ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: write", tmp);
        else
            done += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: fsync", tmp);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = ippc_error_set_errno(err, IPPC_E_IO, errno, "%s: close", tmp);
    if (rc == 0 && link(tmp, path) != 0)
        rc = errno == EEXIST ? ippc_error_set(err, IPPC_E_STATE, "%s already exists: not replacing it", path)
                             : ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot create %s", path);
    if (fd >= 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

char *ippc_profile_create(const char *name, const char *base, ippc_error_t **err)
{
    if (!name || !valid_name(name)) {
        ippc_error_set(err, IPPC_E_INVALID,
                       "'%s' cannot name a profile: use letters, digits and _ . - (starting with a letter or digit)",
                       name ? name : "");
        return NULL;
    }
    if (!base || !*base)
        base = "default";
    /* The copy must be usable: check the base before writing anything. */
    ippc_profile_t *check = ippc_profile_load(base, err);
    if (!check) {
        ippc_error_prefix(err, "cannot create profile '%s' from '%s'", name, base);
        return NULL;
    }
    ippc_profile_destroy(&check);
    char *base_path = ippc_profile_find(base, err);
    size_t len = 0;
    char *text = base_path ? profile_read_text(base_path, &len, err) : NULL;
    char *dir = text ? ippc_profile_dir(name) : NULL;
    char *path = dir ? ippc_strdup_printf("%s/%s", dir, USER_FILE) : NULL;
    char *content = path ? ippc_strdup_printf("# ippc profile '%s', made by `ippctl profile create %s` from %s.\n"
                                              "# See ippc-profile(5) for every key.\n%s",
                                              name, name, base_path, text)
                         : NULL;
    int rc = content ? 0 : (text ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : -1);
    if (rc == 0 && exists(path))
        rc = ippc_error_set(err, IPPC_E_STATE, "%s already exists: not replacing it", path);
    if (rc == 0)
        rc = ippc_mkdir_p(dir, 0755, err);
    if (rc == 0)
        rc = write_new_file(dir, path, content, err);
    free(base_path);
    free(text);
    free(dir);
    free(content);
    if (rc != 0) {
        free(path);
        return NULL;
    }
    return path;
}
