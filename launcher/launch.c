/* launch.c - starting a cluster, adding engines to a running one, and undoing a start
 * that failed (see launch.h). The back end starts processes; this file decides when,
 * checks what runs already and keeps the cluster file right. */
#include "config.h"

#include "launch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "jsonfile.h"
#include "proc.h"

/* How long processes of a failed start get between SIGTERM and SIGKILL. */
#define ABORT_GRACE 3.0

ippc_launch_t *ippc_launch_new(const ippc_profile_t *p, double timeout, ippc_error_t **err)
{
    const ippc_launcher_ops_t *ops = ippc_launcher_for_profile(p, err);
    if (!ops)
        return NULL;
    ippc_launch_t *l = calloc(1, sizeof *l);
    char *pd = ippc_profile_dir(p->name);
    if (!l || !pd) {
        free(l);
        free(pd);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    l->profile = p;
    l->ops = ops;
    l->timeout = timeout;
    l->cs = ippc_cstate_new(pd, p->cluster.cluster_id, err);
    free(pd);
    if (!l->cs)
        ippc_launch_destroy(&l);
    return l;
}

void ippc_launch_destroy(ippc_launch_t **lp)
{
    if (!lp || !*lp)
        return;
    ippc_launch_t *l = *lp;
    *lp = NULL;
    ippc_cstate_destroy(&l->cs);
    free(l->controller_exe);
    free(l->engine_exe);
    free(l->controller_cmd);
    free(l->engine_cmd);
    free(l->note);
    for (size_t i = 0; i < l->nstarted; i++) {
        free(l->started[i].label);
        free(l->started[i].set_id);
        free(l->started[i].log);
    }
    free(l->started);
    free(l);
}

static pid_t our_controller(const ippc_launch_t *l)
{
    for (size_t i = 0; i < l->nstarted; i++)
        if (l->started[i].controller)
            return l->started[i].pid;
    return 0;
}

/* Before a start (under the lock): refuse a running cluster, clear a stale one. */
static int check_previous(ippc_launch_t *l, ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    char name[600], cmd[600];
    ippc_error_t *load_err = NULL;
    if (ippc_cstate_load(cs, &load_err) == 0) {
        ippc_cstate_live_t live;
        ippc_cstate_liveness(cs, &live);
        if (live.running) {
            ippc_cstate_name(cs, name, sizeof name);
            char what[160] = "";
            if (live.controller_alive)
                snprintf(what, sizeof what, "controller pid %lld, ", cs->cf->controller.pid);
            return ippc_error_set(err, IPPC_E_STATE, "%s is already running (%s%zu engine process%s): stop it first "
                                  "with `%s`, or start another cluster with --cluster-id",
                                  name, what, live.engines_alive, live.engines_alive == 1 ? "" : "es",
                                  ippc_cstate_stop_command(cs, cmd, sizeof cmd));
        }
        l->note = ippc_strdup_printf("replaced the stale cluster file %s (its processes had ended)", cs->cluster_file);
    } else if (ippc_error_code(load_err) != IPPC_E_NOTFOUND) {
        l->note = ippc_strdup_printf("replaced the unreadable cluster file %s (%s)", cs->cluster_file,
                                     ippc_error_message(load_err));
    }
    ippc_error_destroy(&load_err);
    ippc_clusterfile_destroy(&cs->cf);
    /* Old connection files would let engines and clients find a controller that is gone. */
    ippc_cstate_remove_files(cs, false, NULL);
    return 0;
}

/* The cluster part of the record, as Cluster(n=..., controller_ip=...) would write it. */
static int new_record(ippc_launch_t *l, ippc_error_t **err)
{
    const ippc_profile_t *p = l->profile;
    ippc_clusterfile_t *cf = ippc_clusterfile_new(l->cs->cluster_id, l->cs->profile_dir);
    if (!cf || ippc_cf_set_str(&cf->engines_class, l->ops->cls) != 0 ||
        ippc_cf_set_str(&cf->controller_ip, p->controller.ip ? p->controller.ip : "") != 0 ||
        ippc_cf_set_str(&cf->controller_location, p->controller.location ? p->controller.location : "") != 0) {
        ippc_clusterfile_destroy(&cf);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    cf->n = p->cluster.n;
    l->cs->cf = cf;
    return 0;
}

/* The end of a start and of an addition (under the lock, rc what came before): start
 * n engines, record them, undo everything on a failure, unlock. */
static int engines_then_unlock(ippc_launch_t *l, int rc, long n, ippc_error_t **err)
{
    if (rc == 0)
        rc = l->ops->start_engines(l, n, err);
    if (rc == 0)
        rc = ippc_cstate_save(l->cs, err);
    if (rc != 0 && (l->nstarted || l->ops->abort_started))
        ippc_launch_abort(l);
    ippc_cstate_unlock(l->cs);
    return rc;
}

int ippc_launch_start(ippc_launch_t *l, ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    if (ippc_cstate_lock(cs, err) != 0)
        return -1;
    int rc = check_previous(l, err);
    if (rc == 0)
        rc = new_record(l, err);
    if (rc == 0)
        rc = ippc_mkdir_p(cs->log_dir, 0755, err);
    if (rc == 0)
        rc = l->ops->start_controller(l, err);
    /* Written at once, so that a stop from elsewhere finds the controller. */
    if (rc == 0)
        rc = ippc_cstate_save(cs, err);
    return engines_then_unlock(l, rc, (long)l->profile->cluster.n, err);
}

int ippc_launch_attach(ippc_launch_t *l, ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    char name[600];
    ippc_cstate_name(cs, name, sizeof name);
    ippc_error_t *load_err = NULL;
    if (ippc_cstate_load(cs, &load_err) != 0) {
        if (ippc_error_code(load_err) == IPPC_E_NOTFOUND)
            ippc_error_set(err, IPPC_E_NOTFOUND, "%s is not running (no cluster file %s): start it with ippctl start",
                           name, cs->cluster_file);
        else
            ippc_error_set(err, ippc_error_code(load_err), "%s", ippc_error_message(load_err));
        ippc_error_destroy(&load_err);
        return -1;
    }
    ippc_cstate_live_t live;
    ippc_cstate_liveness(cs, &live);
    if (!live.controller_alive)
        return ippc_error_set(err, IPPC_E_STATE, "%s is not running: its controller has ended (`ippctl clean` "
                              "removes its files, `ippctl start` starts it again)", name);
    if (!cs->cf->engines_class || strcmp(cs->cf->engines_class, l->ops->cls) != 0)
        return ippc_error_set(err, IPPC_E_INVALID, "%s runs its engines with launcher class '%s', not %s: add engines "
                              "with the launcher that started it", name,
                              cs->cf->engines_class ? cs->cf->engines_class : "(none)", l->ops->cls);
    return 0;
}

int ippc_launch_add_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    if (ippc_cstate_lock(cs, err) != 0)
        return -1;
    /* Read again under the lock: another ippctl may have added engines meanwhile. */
    int rc = ippc_cstate_load(cs, err);
    if (rc == 0)
        rc = ippc_mkdir_p(cs->log_dir, 0755, err);
    return engines_then_unlock(l, rc, n, err);
}

bool ippc_launch_owns_file(ippc_launch_t *l)
{
    pid_t ctl = our_controller(l);
    /* A controller with no pid here (a batch job's) is known by its job. */
    const char *job = !ctl && l->cs->cf ? l->cs->cf->controller.job_id : NULL;
    ippc_clusterfile_t *cf = ctl || job ? ippc_clusterfile_read(l->cs->cluster_file, NULL) : NULL;
    bool ours = cf && cf->controller_class &&
                (ctl ? cf->controller.has_pid && cf->controller.pid == (long long)ctl
                     : cf->controller.job_id && strcmp(cf->controller.job_id, job) == 0);
    ippc_clusterfile_destroy(&cf);
    return ours;
}

void ippc_launch_abort(ippc_launch_t *l)
{
    if (l->ops->abort_started)
        l->ops->abort_started(l); /* what has no pid here: a batch job */
    pid_t *engines = calloc(l->nstarted + 1, sizeof(pid_t));
    pid_t *ctls = calloc(l->nstarted + 1, sizeof(pid_t));
    size_t ne = 0, nc = 0;
    while (ippc_launch_next_ended(l))
        ; /* reap what ended: a reaped pid may be reused, so it is never signalled */
    for (size_t i = 0; engines && ctls && i < l->nstarted; i++) {
        if (l->started[i].ended)
            continue;
        if (l->started[i].controller)
            ctls[nc++] = l->started[i].pid;
        else
            engines[ne++] = l->started[i].pid;
    }
    ippc_terminate(engines, ne, ctls, nc, ABORT_GRACE, NULL);
    free(engines);
    free(ctls);
    pid_t ctl = our_controller(l);
    if (!ctl)
        return; /* engines added to a cluster that goes on running */
    bool locked = l->cs->lock_fd >= 0;
    if (!locked && ippc_cstate_lock(l->cs, NULL) != 0)
        return;
    bool owns = ippc_launch_owns_file(l);
    ippc_clusterfile_t *cf = ippc_clusterfile_read(l->cs->cluster_file, NULL);
    bool no_file = !cf;
    ippc_clusterfile_destroy(&cf);
    if (owns || no_file)
        ippc_cstate_remove_files(l->cs, false, NULL); /* not the logs: they tell what went wrong */
    if (!locked)
        ippc_cstate_unlock(l->cs);
}
