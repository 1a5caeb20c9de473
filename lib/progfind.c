/* progfind.c - see progfind.h. */
#include "config.h"

#include "progfind.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "strbuf.h"

#ifndef IPPC_BINDIR
#error "lib/Makefile.am defines IPPC_BINDIR"
#endif

static bool executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Try dir/name: the path if it is an executable file, else NULL (and note it in tried). */
static char *try_in(const char *dir, const char *name, strbuf_t *tried)
{
    char *path = ippc_strdup_printf("%s/%s", dir, name);
    if (path && executable_file(path))
        return path;
    strbuf_printf(tried, "%s%s", tried->len ? ", " : "", path ? path : name);
    free(path);
    return NULL;
}

/* The directory of the running program, malloc'd, or NULL. */
static char *self_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return strdup(dirname(buf));
}

static char *search_path(const char *name, strbuf_t *tried)
{
    const char *path = getenv("PATH");
    if (!path || !*path) {
        strbuf_printf(tried, "%sPATH (unset)", tried->len ? ", " : "");
        return NULL;
    }
    char *copy = strdup(path);
    char *save = NULL, *found = NULL;
    for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *p = ippc_strdup_printf("%s/%s", *dir ? dir : ".", name);
        if (p && executable_file(p))
            found = p;
        else
            free(p);
    }
    free(copy);
    if (!found)
        strbuf_printf(tried, "%sPATH (%s)", tried->len ? ", " : "", path);
    return found;
}

char *ippc_find_program(const ippc_progfind_t *f, ippc_error_t **err)
{
    const char *env = f->env ? getenv(f->env) : NULL;
    if (env && *env) {
        if (executable_file(env))
            return strdup(env);
        ippc_error_set(err, IPPC_E_NOTFOUND, "%s=%s is not an executable file (unset it, or point it at %s)",
                       f->env, env, f->name);
        return NULL;
    }
    strbuf_t tried;
    strbuf_init(&tried);
    if (f->env)
        strbuf_printf(&tried, "$%s (unset)", f->env);
    char *found = NULL;
    char *dir = f->beside_self ? self_dir() : NULL;
    if (dir) {
        found = try_in(dir, f->name, &tried);
        if (!found && f->build_subdir) {
            char *sib = ippc_strdup_printf("%s/../%s", dir, f->build_subdir);
            found = sib ? try_in(sib, f->name, &tried) : NULL;
            free(sib);
        }
        free(dir);
    }
    if (!found)
        found = try_in(IPPC_BINDIR, f->name, &tried);
    if (!found)
        found = search_path(f->name, &tried);
    char *text = strbuf_release(&tried);
    if (!found)
        ippc_error_set(err, IPPC_E_NOTFOUND, "cannot find %s: tried %s (install ippc, or set %s to its path)",
                       f->name, text ? text : "?", f->env ? f->env : "PATH");
    free(text);
    return found;
}
