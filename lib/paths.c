/* paths.c - where IPython and ipyparallel keep their files (the "files" part of ippc.h).
 *
 * The rules are those of IPython.paths.get_ipython_dir (7.x/8.x) and ipyparallel:
 *   ipython dir  = normpath(expanduser($IPYTHONDIR or the deprecated $IPYTHON_DIR)),
 *                  else realpath(~)/.ipython (~ is $HOME, else the password database)
 *   profile dir  = <ipython dir>/profile_<name>
 *   connection   = <profile dir>/security/ipcontroller[-<cluster_id>]-{client,engine}.json
 *   cluster file = <profile dir>/security/cluster-<cluster_id>.json
 * IPython's fallbacks to a fresh temp directory when the directory is not writable, and
 * its pre-1.0 XDG location, are not reproduced: a daemon must not silently move its
 * files somewhere nobody else looks. */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "ippc.h"
#include "strbuf.h"

/* The home directory of a user (name NULL: ours) from the password database, malloc'd;
 * NULL when there is none. The _r functions: a library must not clobber the static
 * buffer of getpwnam() under its caller. */
static char *passwd_home(const char *name)
{
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t len = size > 0 ? (size_t)size : 16384;
    char *buf = malloc(len);
    struct passwd pw, *found = NULL;
    if (buf) {
        if (name)
            getpwnam_r(name, &pw, buf, len, &found);
        else
            getpwuid_r(getuid(), &pw, buf, len, &found);
    }
    char *home = found && found->pw_dir ? strdup(found->pw_dir) : NULL;
    free(buf);
    return home;
}

/* os.path.expanduser: "~" and "~/x" use $HOME (else the password database), "~user/x"
 * that user's home; anything else (and an unknown user) is returned unchanged. malloc'd. */
static char *expand_user(const char *path)
{
    if (path[0] != '~')
        return strdup(path);
    size_t name_len = strcspn(path + 1, "/");
    const char *rest = path + 1 + name_len;
    char *home = NULL;
    if (name_len == 0 && getenv("HOME")) {
        home = strdup(getenv("HOME"));
    } else {
        char *name = name_len ? strndup(path + 1, name_len) : NULL;
        if (name_len && !name)
            return NULL;
        home = passwd_home(name);
        free(name);
    }
    if (!home)
        return strdup(path);
    /* Python strips the home's trailing slashes, keeping "/" for the root. */
    size_t hlen = strlen(home);
    while (hlen > 1 && home[hlen - 1] == '/')
        hlen--;
    if (hlen == 1 && home[0] == '/' && *rest == '/')
        hlen = 0;
    /* ...and an empty result ($HOME="") is the root. */
    char *out = ippc_strdup_printf("%.*s%s", (int)hlen, home, (hlen == 0 && !*rest) ? "/" : rest);
    free(home);
    return out;
}

/* posixpath.normpath: collapse "//", "." and "a/.." lexically; keep a leading "//"
 * (POSIX leaves its meaning to the implementation); "" becomes ".". malloc'd. */
static char *normpath(const char *path)
{
    size_t lead = strspn(path, "/");
    if (lead > 2)
        lead = 1;
    char *work = strdup(path);
    const char **parts = calloc(strlen(path) / 2 + 2, sizeof(char *));
    strbuf_t sb;
    strbuf_init(&sb);
    if (!work || !parts) {
        free(work);
        free(parts);
        return NULL;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *c = strtok_r(work, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0)
            n--;
        else if (!(strcmp(c, "..") == 0 && lead))
            parts[n++] = c;
    }
    strbuf_putn(&sb, "//", lead);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(&sb, '/');
        strbuf_puts(&sb, parts[i]);
    }
    if (sb.len == 0)
        strbuf_putc(&sb, '.');
    free(work);
    free(parts);
    return strbuf_release(&sb);
}

/* os.path.join(a, b) for a relative b: one '/' between them. */
static char *join(const char *a, const char *b)
{
    size_t alen = strlen(a);
    bool slash = alen > 0 && a[alen - 1] == '/';
    return ippc_strdup_printf("%s%s%s", a, (slash || alen == 0) ? "" : "/", b);
}

/* IPython's get_home_dir() resolves symlinks (a /home that links elsewhere); a home
 * that does not exist stays as it is. malloc'd "<home>/.ipython". */
static char *default_ipython_dir(void)
{
    char *home = expand_user("~");
    if (!home || strcmp(home, "~") == 0) {
        free(home);
        return NULL;
    }
    char *real = realpath(home, NULL);
    char *dir = join(real ? real : home, ".ipython");
    free(real);
    free(home);
    return dir;
}

char *ippc_ipython_dir(void)
{
    const char *env = getenv("IPYTHONDIR");
    if (!env)
        env = getenv("IPYTHON_DIR");
    char *raw = env ? expand_user(env) : default_ipython_dir();
    if (!raw)
        return NULL;
    char *dir = normpath(raw);
    free(raw);
    return dir;
}

char *ippc_profile_dir(const char *profile)
{
    char *ipdir = ippc_ipython_dir();
    if (!ipdir)
        return NULL;
    char *name = ippc_strdup_printf("profile_%s", (profile && *profile) ? profile : "default");
    char *dir = name ? join(ipdir, name) : NULL;
    free(name);
    free(ipdir);
    return dir;
}

/* <profile_dir>/security/<file>; a NULL profile_dir means the default profile. */
static char *security_file(const char *profile_dir, const char *file)
{
    char *own = profile_dir ? NULL : ippc_profile_dir(NULL);
    const char *pd = profile_dir ? profile_dir : own;
    char *sec = pd ? join(pd, "security") : NULL;
    char *path = sec ? join(sec, file) : NULL;
    free(sec);
    free(own);
    return path;
}

char *ippc_connection_file_path(const char *profile_dir, const char *cluster_id, const char *side)
{
    if (!side || (strcmp(side, "client") != 0 && strcmp(side, "engine") != 0))
        return NULL;
    bool with_id = cluster_id && *cluster_id;
    char *file = ippc_strdup_printf("ipcontroller%s%s-%s.json", with_id ? "-" : "", with_id ? cluster_id : "", side);
    char *path = file ? security_file(profile_dir, file) : NULL;
    free(file);
    return path;
}

char *ippc_cluster_file_path(const char *profile_dir, const char *cluster_id)
{
    char *file = ippc_strdup_printf("cluster-%s.json", cluster_id ? cluster_id : "");
    char *path = file ? security_file(profile_dir, file) : NULL;
    free(file);
    return path;
}
