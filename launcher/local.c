/* local.c - the local launcher: the controller and the engines as daemons on this host
 * (fork/exec, each in its own session, logs under <profile_dir>/log; the engines of a
 * set forked from one zygote that imported Python's modules once, zygote.h), recorded
 * in the cluster file as the stock LocalControllerLauncher and LocalEngineSetLauncher record
 * theirs (class "local", pids), so that stock `ipcluster stop` stops them too. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon_args.h"
#include "error_int.h"
#include "launcher.h"
#include "progfind.h"
#include "spawn.h"
#include "zygote.h"

#define LOCAL_IP "127.0.0.1"

/* Find a daemon once per launch, and teach proc.c its name (a wrapper script's name
 * is not "ippc-engine"). */
int ippc_launch_find_daemon(char **slot, const char *name, const char *env, const char *subdir, ippc_error_t **err)
{
    if (*slot)
        return 0;
    ippc_progfind_t f = {.name = name, .env = env, .beside_self = true, .build_subdir = subdir};
    *slot = ippc_find_program(&f, err);
    if (!*slot)
        return -1;
    ippc_proc_add_cluster_name(*slot);
    return 0;
}

int ippc_local_start_controller(ippc_launch_t *l, const char *default_ip, ippc_error_t **err)
{
    if (ippc_launch_find_daemon(&l->controller_exe, "ippc-controller", "IPPC_CONTROLLER", "controller", err) != 0)
        return -1;
    ippc_argv_t argv = {0};
    char suffix[32];
    snprintf(suffix, sizeof suffix, "%ld", (long)getpid());
    char *log = ippc_launch_log_path(l, "ippc-controller", suffix);
    int rc = log ? ippc_controller_args(l->profile, l->controller_exe, l->cs->profile_dir, l->cs->cluster_id,
                                        default_ip, &argv, err)
                 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    pid_t pid = 0;
    if (rc == 0) {
        free(l->controller_cmd);
        l->controller_cmd = ippc_argv_join(&argv);
        ippc_spawn_t s = {.path = l->controller_exe, .argv = argv.v, .log_path = log};
        rc = ippc_spawn_daemon(&s, &pid, err);
    }
    if (rc == 0 && ippc_launch_record(l, pid, log, NULL, 0) != 0)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        ippc_clusterfile_t *cf = l->cs->cf;
        ippc_launcher_state_t *st = ippc_clusterfile_set_controller(cf, ippc_launcher_local.cls);
        if (!st || ippc_cf_set_str(&st->output_file, log) != 0)
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        else
            st->pid = pid;
    }
    ippc_argv_free(&argv);
    free(log);
    return rc;
}

static int local_start_controller(ippc_launch_t *l, ippc_error_t **err)
{
    return ippc_local_start_controller(l, LOCAL_IP, err);
}

/* The registration spread: each engine waits a random 0..spread ms. */
static long spread_delay(long long spread)
{
    return spread > 0 ? (long)(random() % (spread + 1)) : 0;
}

/* Whether to fork the engines from a zygote (engines.zygote; auto: for more than one). */
static bool use_zygote(const ippc_profile_t *p, long n)
{
    return p->engines.zygote == IPPC_PROFILE_ZYGOTE_TRUE || (p->engines.zygote == IPPC_PROFILE_ZYGOTE_AUTO && n > 1);
}

/* Engine i of the set: forked by the zygote z, or spawned when z is NULL. */
static int start_engine(ippc_launch_t *l, ippc_zygote_t *z, const ippc_spawn_t *s, pid_t *pid, ippc_error_t **err)
{
    long delay = spread_delay(l->profile->engines.registration_spread_ms);
    if (z)
        return ippc_zygote_fork(z, s->log_path, delay, pid, err);
    ippc_spawn_t one = *s;
    one.delay_ms = delay;
    return ippc_spawn_daemon(&one, pid, err);
}

static int local_start_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    if (ippc_launch_find_daemon(&l->engine_exe, "ippc-engine", "IPPC_ENGINE", "engine", err) != 0)
        return -1;
    ippc_argv_t argv = {0}, env = {0};
    ippc_zygote_t *z = NULL;
    char *set_id = ippc_launch_new_set_id(l);
    int rc = set_id ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0)
        rc = ippc_engine_args(l->profile, l->engine_exe, l->cs->profile_dir, l->cs->cluster_id, l->timeout, &argv, err);
    if (rc == 0)
        rc = ippc_engine_env(l->profile, &env, err);
    ippc_cluster_engine_set_t *set = rc == 0 ? ippc_clusterfile_add_engine_set(l->cs->cf, set_id) : NULL;
    if (rc == 0 && !set)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        free(l->engine_cmd);
        l->engine_cmd = ippc_argv_join(&argv);
        srandom((unsigned)getpid() ^ (unsigned)time(NULL));
    }
    ippc_spawn_t s = {.path = l->engine_exe, .argv = argv.v, .env_set = env.v};
    if (rc == 0 && use_zygote(l->profile, n)) {
        char *log = ippc_launch_log_path(l, "ippc-engine-zygote", set_id);
        char *label = ippc_strdup_printf("the engine zygote of set %s", set_id);
        s.log_path = log;
        z = log && label ? ippc_zygote_start(&s, label, l->timeout, err) : NULL;
        if (!z)
            rc = log && label ? -1 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        free(log);
        free(label);
    }
    for (long i = 0; rc == 0 && i < n; i++) {
        char key[32], suffix[96];
        snprintf(key, sizeof key, "%ld", i);
        snprintf(suffix, sizeof suffix, "%s-%ld", set_id, i);
        char *log = ippc_launch_log_path(l, "ippc-engine", suffix);
        pid_t pid = 0;
        s.log_path = log;
        rc = log ? start_engine(l, z, &s, &pid, err) : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        if (rc == 0 && ippc_launch_record(l, pid, log, set_id, i) != 0)
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_launcher_state_t *st = rc == 0 ? ippc_cluster_engine_set_add_engine(set, key) : NULL;
        if (rc == 0 && (!st || ippc_cf_set_str(&st->output_file, log) != 0))
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        if (rc == 0)
            st->pid = pid;
        free(log);
    }
    ippc_zygote_finish(&z); /* the engines it forked become our children, as spawned ones are */
    free(set_id);
    ippc_argv_free(&argv);
    ippc_argv_free(&env);
    return rc;
}

/* The running processes of cs, split into engines and controllers. */
static ssize_t running_pids(ippc_cstate_t *cs, pid_t **engines, size_t *ne, pid_t **ctls, size_t *nc)
{
    ippc_cproc_t *p;
    ssize_t n = ippc_cstate_procs(cs, &p);
    *ne = *nc = 0;
    *engines = calloc(n > 0 ? (size_t)n : 1, sizeof(pid_t));
    *ctls = calloc(n > 0 ? (size_t)n : 1, sizeof(pid_t));
    if (n < 0 || !*engines || !*ctls) {
        free(p);
        free(*engines);
        free(*ctls);
        return -1;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (p[i].ps != IPPC_PS_ALIVE || p[i].pid <= 0)
            continue;
        if (p[i].controller)
            (*ctls)[(*nc)++] = p[i].pid;
        else
            (*engines)[(*ne)++] = p[i].pid;
    }
    free(p);
    return (ssize_t)(*ne + *nc);
}

static int local_stop(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err)
{
    pid_t *engines, *ctls;
    size_t ne, nc;
    if (running_pids(cs, &engines, &ne, &ctls, &nc) < 0)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    res->found = ne + nc;
    res->left = ippc_terminate(engines, ne, ctls, nc, grace, &res->killed);
    free(engines);
    free(ctls);
    return 0;
}

const ippc_launcher_ops_t ippc_launcher_local = {
    .name = "local",
    .cls = "local",
    .start_controller = local_start_controller,
    .start_engines = local_start_engines,
    .stop = local_stop,
};
