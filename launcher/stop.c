/* stop.c - stopping processes by pid (SIGTERM, grace, SIGKILL, then checking they are
 * gone) and stopping a cluster recorded in a cluster file (see launch.h). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "launch.h"
#include "launcher.h"
#include "proc.h"

/* How long SIGKILLed processes get to disappear before the stop is called failed. */
#define KILL_WAIT 5.0

/* TERM each, wait up to grace, KILL (with their groups) the ones left. */
static void term_then_kill(const pid_t *pids, size_t n, double grace, size_t *killed)
{
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        ippc_proc_signal(pids[i], SIGTERM, false);
    if (ippc_proc_wait_gone(pids, n, grace) == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (ippc_proc_state(pids[i], NULL, NULL, NULL) != IPPC_PS_GONE && ippc_proc_signal(pids[i], SIGKILL, true) == 0)
            (*killed)++;
}

size_t ippc_terminate(const pid_t *engines, size_t nengines, const pid_t *controllers, size_t ncontrollers,
                      double grace, size_t *killed)
{
    size_t k = 0;
    /* Engines first, so that they unregister from a controller that still listens. */
    term_then_kill(engines, nengines, grace, &k);
    term_then_kill(controllers, ncontrollers, grace, &k);
    size_t left = ippc_proc_wait_gone(engines, nengines, KILL_WAIT);
    left += ippc_proc_wait_gone(controllers, ncontrollers, KILL_WAIT);
    if (killed)
        *killed = k;
    return left;
}

/* "12, 13, 14" of the cluster processes still running. */
static char *running_list(const ippc_cstate_t *cs)
{
    ippc_cproc_t *p;
    ssize_t n = ippc_cstate_procs(cs, &p);
    char *out = strdup("");
    for (ssize_t i = 0; out && i < n; i++) {
        if (p[i].ps != IPPC_PS_ALIVE || p[i].pid <= 0)
            continue;
        char *next = ippc_strdup_printf("%s%s%ld", out, *out ? ", " : "", (long)p[i].pid);
        free(out);
        out = next;
    }
    free(p);
    return out;
}

int ippc_cluster_stop_state(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err)
{
    memset(res, 0, sizeof *res);
    char name[600], cmd[600];
    ippc_cstate_name(cs, name, sizeof name);
    if (ippc_cstate_lock(cs, err) != 0)
        return -1;
    int rc = -1;
    ippc_error_t *load_err = NULL;
    if (ippc_cstate_load(cs, &load_err) != 0) {
        if (ippc_error_code(load_err) == IPPC_E_NOTFOUND)
            ippc_error_set(err, IPPC_E_NOTFOUND, "%s is not running: there is no cluster file %s", name,
                           cs->cluster_file);
        else
            ippc_error_set(err, ippc_error_code(load_err), "%s: %s (`ippctl clean` removes an unreadable cluster file)",
                           name, ippc_error_message(load_err));
        ippc_error_destroy(&load_err);
        goto out;
    }
    ippc_cstate_live_t live;
    ippc_cstate_liveness(cs, &live);
    if (!live.running) {
        res->files = (size_t)ippc_cstate_remove_files(cs, false, NULL);
        ippc_error_set(err, IPPC_E_STATE, "%s is not running: its processes have ended (removed its stale cluster file %s)",
                       name, cs->cluster_file);
        goto out;
    }
    const char *cls = cs->cf->controller_class ? cs->cf->controller_class : cs->cf->engines_class;
    const ippc_launcher_ops_t *ops = ippc_launcher_by_class(cls, err);
    if (!ops || ops->stop(cs, grace, res, err) != 0)
        goto out;
    if (res->left > 0) {
        char *pids = running_list(cs);
        ippc_error_set(err, IPPC_E_STATE, "%s: %zu process%s still running after SIGKILL (pid %s); its cluster file "
                       "is kept: run `%s` again", name, res->left, res->left == 1 ? " is" : "es are", pids ? pids : "?",
                       ippc_cstate_stop_command(cs, cmd, sizeof cmd));
        free(pids);
        goto out;
    }
    res->files = (size_t)ippc_cstate_remove_files(cs, false, NULL);
    rc = 0;
out:
    ippc_cstate_unlock(cs);
    return rc;
}
