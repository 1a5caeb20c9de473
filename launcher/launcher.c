/* launcher.c - the table of launcher back ends, and the small helpers every back end
 * uses to record what it started (see launcher.h). */
#include "config.h"

#include "launcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error_int.h"

/* By class, the first one wins: srun, pmix and mpi all record their engines as the
 * stock MPI launcher does (class "mpi": one launcher process) and stop them alike. */
static const ippc_launcher_ops_t *const backends[] = {&ippc_launcher_local, &ippc_launcher_slurm, &ippc_launcher_srun,
                                                      &ippc_launcher_pmix, &ippc_launcher_mpi};
#define NBACKENDS (sizeof backends / sizeof backends[0])

const ippc_launcher_ops_t *ippc_launcher_by_name(const char *name, ippc_error_t **err)
{
    for (size_t i = 0; i < NBACKENDS; i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    ippc_error_set(err, IPPC_E_INVALID, "unknown launcher '%s' (this version has: local, slurm, srun, pmix, mpi)",
                   name);
    return NULL;
}

const ippc_launcher_ops_t *ippc_launcher_for_profile(const ippc_profile_t *p, ippc_error_t **err)
{
    const char *origin = ippc_profile_origin(p, "cluster.launcher");
    const char *job = getenv("SLURM_JOB_ID");
    if (p->cluster.launcher == IPPC_PROFILE_LAUNCHER_LOCAL && job && *job && origin && strcmp(origin, "default") == 0)
        return &ippc_launcher_srun;
    return ippc_launcher_by_name(ippc_profile_launcher_name(p->cluster.launcher), err);
}

const ippc_launcher_ops_t *ippc_launcher_by_class(const char *cls, ippc_error_t **err)
{
    for (size_t i = 0; cls && i < NBACKENDS; i++)
        if (strcmp(backends[i]->cls, cls) == 0)
            return backends[i];
    ippc_error_set(err, IPPC_E_INVALID,
                   "the cluster was started with launcher class '%s', which ippctl cannot stop: "
                   "use `ipcluster stop` (or the batch system) for it",
                   cls ? cls : "(none)");
    return NULL;
}

int ippc_launch_record(ippc_launch_t *l, pid_t pid, const char *log, const char *set_id, long index)
{
    if (l->nstarted == l->capstarted) {
        size_t cap = l->capstarted ? 2 * l->capstarted : 16;
        ippc_started_t *s = realloc(l->started, cap * sizeof *s);
        if (!s)
            return -1;
        l->started = s;
        l->capstarted = cap;
    }
    ippc_started_t *s = &l->started[l->nstarted];
    memset(s, 0, sizeof *s);
    s->controller = !set_id;
    s->label = set_id ? ippc_strdup_printf("engine %ld of set %s", index, set_id) : strdup("the controller");
    s->set_id = set_id ? strdup(set_id) : NULL;
    s->index = index;
    s->pid = pid;
    s->log = log ? strdup(log) : NULL;
    l->nstarted++;
    return s->label && (!set_id || s->set_id) && (!log || s->log) ? 0 : -1;
}

static bool set_exists(const ippc_clusterfile_t *cf, const char *id)
{
    for (size_t i = 0; cf && i < cf->nsets; i++)
        if (strcmp(cf->sets[i].id, id) == 0)
            return true;
    return false;
}

char *ippc_launch_new_set_id(const ippc_launch_t *l)
{
    long base = (long)time(NULL);
    char *id = ippc_strdup_printf("%ld", base);
    for (int i = 1; id && set_exists(l->cs->cf, id); i++) {
        free(id);
        id = ippc_strdup_printf("%ld-%d", base, i);
    }
    return id;
}

char *ippc_launch_log_path(const ippc_launch_t *l, const char *prefix, const char *suffix)
{
    const char *cid = l->cs->cluster_id;
    return ippc_strdup_printf("%s/%s%s%s-%s.log", l->cs->log_dir, prefix, *cid ? "-" : "", cid, suffix);
}
