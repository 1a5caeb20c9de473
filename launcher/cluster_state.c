/* cluster_state.c - see cluster_state.h. */
#include "config.h"

#include "cluster_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "jsonfile.h"
#include "strbuf.h"

#define CLUSTER_PREFIX "cluster-"
#define CLUSTER_SUFFIX ".json"

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char *cwd = getcwd(NULL, 0);
    char *out = cwd ? ippc_strdup_printf("%s/%s", cwd, path) : NULL;
    free(cwd);
    return out;
}

ippc_cstate_t *ippc_cstate_new(const char *profile_dir, const char *cluster_id, ippc_error_t **err)
{
    ippc_cstate_t *cs = calloc(1, sizeof *cs);
    if (!cs) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    cs->lock_fd = -1;
    if (!cluster_id)
        cluster_id = "";
    char *pd = profile_dir ? absolute(profile_dir) : ippc_profile_dir(NULL);
    if (pd) {
        size_t len = strlen(pd);
        while (len > 1 && pd[len - 1] == '/')
            pd[--len] = '\0';
    }
    cs->profile_dir = pd;
    cs->cluster_id = strdup(cluster_id);
    if (pd) {
        cs->security_dir = ippc_strdup_printf("%s/security", pd);
        cs->log_dir = ippc_strdup_printf("%s/log", pd);
        cs->cluster_file = ippc_cluster_file_path(pd, cluster_id);
        cs->client_file = ippc_connection_file_path(pd, cluster_id, "client");
        cs->engine_file = ippc_connection_file_path(pd, cluster_id, "engine");
    }
    if (!cs->cluster_id || !cs->security_dir || !cs->log_dir || !cs->cluster_file || !cs->client_file ||
        !cs->engine_file) {
        ippc_cstate_destroy(&cs);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory (or no home directory for $IPYTHONDIR)");
    }
    return cs;
}

void ippc_cstate_destroy(ippc_cstate_t **csp)
{
    if (!csp || !*csp)
        return;
    ippc_cstate_t *cs = *csp;
    *csp = NULL;
    ippc_cstate_unlock(cs);
    free(cs->profile_dir);
    free(cs->cluster_id);
    free(cs->security_dir);
    free(cs->log_dir);
    free(cs->cluster_file);
    free(cs->client_file);
    free(cs->engine_file);
    ippc_clusterfile_destroy(&cs->cf);
    free(cs);
}

int ippc_cstate_load(ippc_cstate_t *cs, ippc_error_t **err)
{
    struct stat st;
    if (stat(cs->cluster_file, &st) != 0)
        return ippc_error_set(err, IPPC_E_NOTFOUND, "no cluster file %s", cs->cluster_file);
    ippc_clusterfile_t *cf = ippc_clusterfile_read(cs->cluster_file, err);
    if (!cf)
        return -1;
    ippc_clusterfile_destroy(&cs->cf);
    cs->cf = cf;
    return 0;
}

int ippc_cstate_save(ippc_cstate_t *cs, ippc_error_t **err)
{
    if (!cs->cf)
        return ippc_error_set(err, IPPC_E_STATE, "no cluster record to write");
    return ippc_clusterfile_write(cs->cf, cs->cluster_file, err);
}

int ippc_cstate_lock(ippc_cstate_t *cs, ippc_error_t **err)
{
    if (cs->lock_fd >= 0)
        return 0;
    if (ippc_mkdir_p(cs->security_dir, 0700, err) != 0)
        return -1;
    int fd = open(cs->security_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot open %s", cs->security_dir);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return ippc_error_set_errno(err, IPPC_E_IO, e, "cannot lock %s", cs->security_dir);
        }
    }
    cs->lock_fd = fd;
    return 0;
}

void ippc_cstate_unlock(ippc_cstate_t *cs)
{
    if (cs && cs->lock_fd >= 0) {
        close(cs->lock_fd); /* releases the flock */
        cs->lock_fd = -1;
    }
}

const char *ippc_profile_label(const char *profile_dir, char *buf, size_t len)
{
    char *ipdir = ippc_ipython_dir();
    size_t n = ipdir ? strlen(ipdir) : 0;
    const char *rest = ipdir && strncmp(profile_dir, ipdir, n) == 0 && profile_dir[n] == '/' ? profile_dir + n + 1
                                                                                               : NULL;
    if (rest && strncmp(rest, "profile_", 8) == 0 && rest[8] && !strchr(rest + 8, '/'))
        snprintf(buf, len, "%s", rest + 8);
    else
        snprintf(buf, len, "%s", profile_dir);
    free(ipdir);
    return buf;
}

const char *ippc_cstate_name(const ippc_cstate_t *cs, char *buf, size_t len)
{
    char label[512];
    ippc_profile_label(cs->profile_dir, label, sizeof label);
    if (*cs->cluster_id)
        snprintf(buf, len, "cluster '%s' of profile %s", cs->cluster_id, label);
    else
        snprintf(buf, len, "the cluster of profile %s", label);
    return buf;
}

const char *ippc_cstate_stop_command(const ippc_cstate_t *cs, char *buf, size_t len)
{
    char label[512];
    ippc_profile_label(cs->profile_dir, label, sizeof label);
    bool dflt = strcmp(label, "default") == 0;
    snprintf(buf, len, "ippctl stop%s%s%s%s", dflt ? "" : " -p ", dflt ? "" : label,
             *cs->cluster_id ? " --cluster-id " : "", cs->cluster_id);
    return buf;
}

/* --------------------------------------------------------------- processes */

static pid_t recorded_pid(const ippc_launcher_state_t *st)
{
    return st->has_pid && st->pid > 0 && st->pid <= (long long)0x7fffffff ? (pid_t)st->pid : 0;
}

static bool is_after(const ippc_launcher_state_t *st) { return st->state && strcmp(st->state, "after") == 0; }

ssize_t ippc_cstate_procs(const ippc_cstate_t *cs, ippc_cproc_t **out)
{
    *out = NULL;
    const ippc_clusterfile_t *cf = cs->cf;
    if (!cf)
        return 0;
    size_t cap = 1;
    for (size_t i = 0; i < cf->nsets; i++)
        cap += cf->sets[i].has_engines ? cf->sets[i].nengines : 1;
    ippc_cproc_t *p = calloc(cap, sizeof *p);
    if (!p)
        return -1;
    const char *const *names = ippc_proc_cluster_names();
    size_t n = 0;
    if (cf->controller_class && !cf->controller_state_null && !is_after(&cf->controller)) {
        p[n] = (ippc_cproc_t){.controller = true, .pid = recorded_pid(&cf->controller),
                              .log = cf->controller.output_file};
        n++;
    }
    for (size_t i = 0; i < cf->nsets; i++) {
        const ippc_cluster_engine_set_t *set = &cf->sets[i];
        if (is_after(&set->state))
            continue;
        if (!set->has_engines) {
            p[n++] = (ippc_cproc_t){.set_id = set->id, .pid = recorded_pid(&set->state), .log = set->state.output_file};
            continue;
        }
        for (size_t j = 0; j < set->nengines; j++) {
            const ippc_cluster_engine_t *e = &set->engines[j];
            if (is_after(&e->state))
                continue;
            p[n++] = (ippc_cproc_t){.set_id = set->id, .index = e->id, .pid = recorded_pid(&e->state),
                                    .log = e->state.output_file};
        }
    }
    for (size_t i = 0; i < n; i++)
        p[i].ps = p[i].pid ? ippc_proc_state(p[i].pid, names, NULL, NULL) : IPPC_PS_ALIVE;
    *out = p;
    return (ssize_t)n;
}

void ippc_cstate_liveness(const ippc_cstate_t *cs, ippc_cstate_live_t *out)
{
    memset(out, 0, sizeof *out);
    ippc_cproc_t *p;
    ssize_t n = ippc_cstate_procs(cs, &p);
    if (n < 0) {
        out->running = true; /* cannot tell: do not call it stale */
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        bool alive = p[i].ps == IPPC_PS_ALIVE;
        if (p[i].controller) {
            out->has_controller = true;
            out->controller_alive = alive && p[i].pid > 0;
            if (!p[i].pid)
                out->running = true; /* a batch controller: cannot tell */
        } else if (!p[i].pid) {
            out->engines_unknown++;
        } else if (alive) {
            out->engines_alive++;
        } else {
            out->engines_gone++;
        }
    }
    free(p);
    out->running = out->running || out->controller_alive || out->engines_alive > 0 || out->engines_unknown > 0;
}

/* ------------------------------------------------------------------ files */

static int remove_one(const char *path, strbuf_t *sb)
{
    if (!path || !*path || unlink(path) != 0)
        return 0;
    strbuf_printf(sb, "%s%s", sb->len ? "\n" : "", path);
    return 1;
}

int ippc_cstate_remove_files(const ippc_cstate_t *cs, bool logs, char **removed)
{
    strbuf_t sb;
    strbuf_init(&sb);
    int n = 0;
    if (logs && cs->cf) {
        ippc_cproc_t *p;
        ssize_t np = ippc_cstate_procs(cs, &p);
        for (ssize_t i = 0; i < np; i++)
            n += remove_one(p[i].log, &sb);
        free(p);
    }
    n += remove_one(cs->client_file, &sb);
    n += remove_one(cs->engine_file, &sb);
    n += remove_one(cs->cluster_file, &sb);
    if (removed)
        *removed = strbuf_release(&sb);
    else
        strbuf_free(&sb);
    return n;
}

/* ------------------------------------------------------------------ listing */

static int cmp_state(const void *a, const void *b)
{
    const ippc_cstate_t *x = *(ippc_cstate_t *const *)a, *y = *(ippc_cstate_t *const *)b;
    int c = strcmp(x->profile_dir, y->profile_dir);
    return c ? c : strcmp(x->cluster_id, y->cluster_id);
}

typedef struct {
    ippc_cstate_t **items;
    size_t n, cap;
} slist_t;

static int slist_add(slist_t *l, ippc_cstate_t *cs)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        ippc_cstate_t **items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return -1;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = cs;
    return 0;
}

/* Add the clusters of one profile directory. */
static int list_profile(const char *profile_dir, slist_t *l, ippc_error_t **err)
{
    char *sec = ippc_strdup_printf("%s/security", profile_dir);
    DIR *d = sec ? opendir(sec) : NULL;
    free(sec);
    if (!d)
        return 0; /* no security directory: no clusters */
    struct dirent *de;
    int rc = 0;
    size_t plen = strlen(CLUSTER_PREFIX), slen = strlen(CLUSTER_SUFFIX);
    while (rc == 0 && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < plen + slen || strncmp(de->d_name, CLUSTER_PREFIX, plen) != 0 ||
            strcmp(de->d_name + len - slen, CLUSTER_SUFFIX) != 0)
            continue;
        char *id = strndup(de->d_name + plen, len - plen - slen);
        ippc_cstate_t *cs = id ? ippc_cstate_new(profile_dir, id, err) : NULL;
        free(id);
        if (!cs || slist_add(l, cs) != 0) {
            ippc_cstate_destroy(&cs);
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        }
    }
    closedir(d);
    return rc;
}

ssize_t ippc_cstate_list(const char *profile_dir, ippc_cstate_t ***out, ippc_error_t **err)
{
    slist_t l = {0};
    int rc = 0;
    if (profile_dir) {
        rc = list_profile(profile_dir, &l, err);
    } else {
        char *ipdir = ippc_ipython_dir();
        DIR *d = ipdir ? opendir(ipdir) : NULL;
        struct dirent *de;
        while (d && rc == 0 && (de = readdir(d))) {
            if (strncmp(de->d_name, "profile_", 8) != 0 || !de->d_name[8])
                continue;
            char *pd = ippc_strdup_printf("%s/%s", ipdir, de->d_name);
            rc = pd ? list_profile(pd, &l, err) : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
            free(pd);
        }
        if (d)
            closedir(d);
        free(ipdir);
    }
    if (rc != 0) {
        ippc_cstate_list_free(l.items, l.n);
        return -1;
    }
    if (l.n > 1)
        qsort(l.items, l.n, sizeof *l.items, cmp_state);
    *out = l.items;
    return (ssize_t)l.n;
}

void ippc_cstate_list_free(ippc_cstate_t **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ippc_cstate_destroy(&list[i]);
    free(list);
}
