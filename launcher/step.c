/* step.c - see step.h. */
#include "config.h"

#include "step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "launch.h"
#include "runcmd.h"
#include "slurm_cmd.h"
#include "spawn.h"

/* How long start_engines looks for the Slurm step of the engines it started (inside an
 * allocation it appears at once; a new allocation may pend longer: then it is not
 * recorded, and the pid alone stands for the engines). */
#define STEP_LOOKUP 5.0
/* How long a stop waits for Slurm to forget a step whose srun has ended. */
#define STEP_GONE_WAIT 10.0

static bool loopback(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "localhost") == 0 || strcmp(ip, "::1") == 0;
}

int ippc_step_start_controller(ippc_launch_t *l, ippc_error_t **err)
{
    const ippc_profile_controller_t *c = &l->profile->controller;
    if (!c->interface && c->ip && loopback(c->ip)) {
        char *note = ippc_strdup_printf("%s%scontroller.ip is %s, a loopback address: only engines on this host can "
                                        "reach the controller (name an address or controller.interface the nodes "
                                        "reach for a multi-node cluster)", l->note ? l->note : "", l->note ? "; " : "",
                                        c->ip);
        if (note) {
            free(l->note);
            l->note = note;
        }
    }
    return ippc_local_start_controller(l, "*", err);
}

int ippc_step_engine_command(ippc_launch_t *l, long n, bool pmix, ippc_argv_t *out, ippc_error_t **err)
{
    if (ippc_launch_find_daemon(&l->engine_exe, "ippc-engine", "IPPC_ENGINE", "engine", err) != 0)
        return -1;
    long long spread = l->profile->engines.registration_spread_ms;
    if (spread > 0 && n > 1) {
        /* The rank as each launcher tells it; rank r of n waits r * spread / n ms. */
        ippc_argv_add(out, "/bin/sh");
        ippc_argv_add(out, "-c");
        ippc_argv_addf(out, "r=${SLURM_PROCID:-${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}}; ms=$((r * %lld / %ld)); "
                       "sleep \"$((ms / 1000)).$(printf %%03d $((ms %% 1000)))\"; exec \"$@\"",
                       spread, n);
        ippc_argv_add(out, "ippc-engine-spread"); /* $0 */
    }
    ippc_argv_t eng = {0};
    int rc = ippc_engine_args(l->profile, l->engine_exe, l->cs->profile_dir, l->cs->cluster_id, l->timeout, &eng, err);
    if (rc == 0 && pmix)
        ippc_argv_add(&eng, "--pmix");
    for (size_t i = 0; rc == 0 && i < eng.n; i++)
        ippc_argv_add(out, eng.v[i]);
    free(l->engine_cmd);
    l->engine_cmd = rc == 0 ? ippc_argv_join(&eng) : NULL;
    ippc_argv_free(&eng);
    if (rc == 0 && (out->failed || !l->engine_cmd))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return rc;
}

char *ippc_step_name(const char *cid)
{
    return ippc_strdup_printf("ippc-engines%s%s", *cid ? "-" : "", cid);
}

/* Record the Slurm step the launcher process started, once Slurm lists it. */
static void record_step(ippc_launch_t *l, const char *set_id, pid_t pid, const char *step_name)
{
    const char *job = getenv("SLURM_JOB_ID");
    char *id = NULL;
    double deadline = ippc_now() + STEP_LOOKUP;
    while (!(id = ippc_slurm_step_id(job && *job ? job : NULL, step_name)) && ippc_now() < deadline &&
           ippc_proc_state(pid, NULL, NULL, NULL) == IPPC_PS_ALIVE)
        ippc_sleep(0.1);
    ippc_clusterfile_t *cf = l->cs->cf;
    for (size_t i = 0; id && i < cf->nsets; i++)
        if (strcmp(cf->sets[i].id, set_id) == 0)
            ippc_cf_set_str(&cf->sets[i].state.job_id, id);
    free(id);
}

int ippc_step_start_engines(ippc_launch_t *l, const ippc_step_kind_t *k, long n, ippc_error_t **err)
{
    ippc_argv_t argv = {0}, env = {0};
    char *set_id = ippc_launch_new_set_id(l), *step_name = ippc_step_name(l->cs->cluster_id), *exe = NULL, *log = NULL;
    int rc = set_id && step_name ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0)
        rc = ippc_engine_env(l->profile, &env, err);
    if (rc == 0)
        rc = k->command(l, k, n, step_name, &env, &argv, err);
    if (rc == 0)
        rc = ippc_step_engine_command(l, n, k->pmix, &argv, err);
    if (rc == 0 && !(exe = ippc_find_in_path(argv.v[0], err)))
        rc = -1;
    if (rc == 0 && !(log = ippc_launch_log_path(l, "ippc-engines", set_id)))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    pid_t pid = 0;
    if (rc == 0) {
        char *line = ippc_argv_join(&argv);
        free(l->engine_cmd);
        l->engine_cmd = line; /* the whole launcher command, for --json */
        ippc_spawn_t s = {.path = exe, .argv = argv.v, .env_set = env.v, .log_path = log};
        rc = ippc_spawn_daemon(&s, &pid, err);
        if (rc != 0)
            ippc_error_prefix(err, "the engines' %s", k->name);
    }
    if (rc == 0 && ippc_launch_record(l, pid, log, set_id, 0) != 0)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    ippc_cluster_engine_set_t *set = rc == 0 ? ippc_clusterfile_add_engine_set(l->cs->cf, set_id) : NULL;
    if (rc == 0 && (!set || ippc_cf_set_str(&set->state.output_file, log) != 0))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        set->state.has_pid = set->state.has_n = true;
        set->state.pid = pid;
        set->state.n = n;
        if (k->slurm_step)
            record_step(l, set_id, pid, step_name);
    }
    free(set_id);
    free(step_name);
    free(exe);
    free(log);
    ippc_argv_free(&argv);
    ippc_argv_free(&env);
    return rc;
}

/* A step the set records ("12.3"), or NULL. */
static const char *set_step(const ippc_cluster_engine_set_t *set)
{
    const char *id = set->state.job_id;
    return id && strchr(id, '.') ? id : NULL;
}

int ippc_step_signal(ippc_cstate_t *cs, int sig, char **how, ippc_error_t **err)
{
    *how = NULL;
    /* Only when every set is a Slurm step: srun takes one SIGINT as a question to its
     * user and mpirun ends its job on one, so their pids are no way to reach the
     * engines; the controller's control channel is then. */
    size_t nsets = cs->cf ? cs->cf->nsets : 0;
    for (size_t i = 0; i < nsets; i++)
        if (!set_step(&cs->cf->sets[i]))
            return 0;
    char buf[16];
    const char *name = ippc_slurm_signal_arg(sig, buf, sizeof buf);
    char *targets = strdup(""), *gone = strdup("");
    int sent = targets && gone ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; sent >= 0 && i < nsets; i++) {
        const ippc_cluster_engine_set_t *set = &cs->cf->sets[i];
        const char *step = set_step(set);
        bool live = ippc_slurm_step_exists(step);
        char **list = live ? &targets : &gone;
        char *more = ippc_strdup_printf("%s %s", *list, step);
        if (!more) {
            sent = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
            break;
        }
        free(*list);
        *list = more;
        if (!live)
            continue; /* its srun has ended: so have its engines */
        if (ippc_slurm_cancel(step, sig, err) != 0)
            sent = -1;
        else
            sent += set->state.has_n ? (int)set->state.n : 1;
    }
    if (sent >= 0 && nsets > 0 && !*targets)
        sent = ippc_error_set(err, IPPC_E_STATE, "the engines' Slurm step%s%s ha%s ended: no engines to signal "
                              "(`ippctl stop` removes the cluster's files)", strchr(gone + 1, ' ') ? "s" : "", gone,
                              strchr(gone + 1, ' ') ? "ve" : "s");
    if (sent > 0 && !(*how = ippc_strdup_printf("scancel -s %s%s", name, targets)))
        sent = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(targets);
    free(gone);
    return sent;
}

int ippc_step_stop(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err)
{
    (void)err;
    ippc_cproc_t *p;
    ssize_t n = ippc_cstate_procs(cs, &p);
    pid_t *engines = calloc(n > 0 ? (size_t)n : 1, sizeof(pid_t)), *ctls = calloc(n > 0 ? (size_t)n : 1, sizeof(pid_t));
    size_t ne = 0, nc = 0;
    for (ssize_t i = 0; engines && ctls && i < n; i++) {
        if (p[i].ps != IPPC_PS_ALIVE || p[i].pid <= 0)
            continue;
        if (p[i].controller)
            ctls[nc++] = p[i].pid;
        else
            engines[ne++] = p[i].pid;
    }
    if (n >= 0)
        free(p);
    if (n < 0 || !engines || !ctls) {
        free(engines);
        free(ctls);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    res->found = ne + nc;
    res->left = ippc_terminate(engines, ne, ctls, nc, grace, &res->killed);
    free(engines);
    free(ctls);
    /* A step whose srun was killed may outlive it for a while: cancel it, see it go. */
    for (size_t i = 0; cs->cf && i < cs->cf->nsets; i++) {
        const char *step = set_step(&cs->cf->sets[i]);
        if (!step || !ippc_slurm_step_exists(step))
            continue;
        ippc_slurm_cancel(step, 0, NULL);
        double deadline = ippc_now() + STEP_GONE_WAIT;
        while (ippc_slurm_step_exists(step) && ippc_now() < deadline)
            ippc_sleep(0.2);
        if (ippc_slurm_step_exists(step))
            res->left++;
    }
    return 0;
}
