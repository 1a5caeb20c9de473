/* slurm.c - the slurm back end: `ippctl start -p slurm -n N` from a login node submits
 * one batch job (job name ippc-<cluster_id>) whose script (slurm_script.c) runs the
 * controller in the batch step and the engines as one srun step. The job is recorded
 * as the stock SlurmControllerLauncher and SlurmEngineSetLauncher record theirs (class
 * "slurm", state with job_id), so `ipcluster stop` cancels it too.
 *
 * The start returns once the job is submitted; the shared wait (launch_wait.c) then
 * asks check_started how the job goes: its state changes are printed (pending and why,
 * running and where), a job that ends is reported with its state and the end of its
 * output file, and one still pending at the deadline is an error of its own.
 * abort_started cancels the job and waits until Slurm says it has ended. Once the
 * start is over (l->up: ippctl start in the foreground) check_started keeps looking,
 * less often, and reports the job's end the same way.
 *
 * signal is scancel -s SIG JOB.STEP on the engines' step (never -f: that reaches the
 * batch shell and srun, not the tasks). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "launch.h"
#include "launcher.h"
#include "slurm_cmd.h"
#include "slurm_script.h"
#include "spawn.h"
#include "srun.h"
#include "step.h"

#define SLURM_CLASS "slurm"
/* Seconds between looks at the job while a start waits for it, and after it (the
 * foreground of ippctl start: a query every few seconds for as long as it runs). */
#define CHECK_PERIOD 0.5
#define UP_CHECK_PERIOD 2.0
/* A job still pending this close to the start's deadline is given up. */
#define DEADLINE_MARGIN 1.0
/* How long a cancelled job may take to end (Slurm's KillWait is 30 s by default). */
#define GONE_WAIT 60.0
#define TAIL_LINES 15

/* The job of the start in progress (one per process). */
static struct {
    char job[32];
    double submitted, last_check;
    bool ran; /* seen running: it may have written its output file */
    ippc_slurm_job_t info;
} watch;

/* "<log_dir>/ippc-slurm[-<id>]<suffix>", malloc'd. */
static char *slurm_path(const ippc_cstate_t *cs, const char *suffix)
{
    const char *cid = cs->cluster_id;
    return ippc_strdup_printf("%s/ippc-slurm%s%s%s", cs->log_dir, *cid ? "-" : "", cid, suffix);
}

static int write_script(const char *path, const char *text, ippc_error_t **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
    if (fd < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot write the batch script %s", path);
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return ippc_error_set_errno(err, IPPC_E_IO, e, "cannot write the batch script %s", path);
        }
        done += (size_t)w;
    }
    return close(fd) == 0 ? 0 : ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot write %s", path);
}

/* The script of this launch, with the command lines it runs. */
static char *make_script(ippc_launch_t *l, ippc_error_t **err)
{
    const ippc_profile_t *p = l->profile;
    ippc_cstate_t *cs = l->cs;
    bool pmix = p->slurm.mpi == IPPC_PROFILE_SLURM_MPI_PMIX;
    long n = (long)p->cluster.n;
    ippc_argv_t ctl = {0}, eng = {0}, env = {0};
    char *job_name = ippc_strdup_printf("ippc%s%s", *cs->cluster_id ? "-" : "", cs->cluster_id);
    char *step_name = ippc_step_name(cs->cluster_id), *output = slurm_path(cs, "-%j.log"), *text = NULL;
    char what[600];
    ippc_cstate_name(cs, what, sizeof what);
    int rc = job_name && step_name && output ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0)
        rc = ippc_launch_find_daemon(&l->controller_exe, "ippc-controller", "IPPC_CONTROLLER", "controller", err);
    /* The controller runs on a compute node: all interfaces unless the profile says. */
    if (rc == 0)
        rc = ippc_controller_args(p, l->controller_exe, cs->profile_dir, cs->cluster_id, "*", &ctl, err);
    ippc_srun_opts_t so = {.n = n, .step_name = step_name, .in_allocation = true, .pmix = pmix};
    if (rc == 0)
        rc = ippc_srun_command(p, &so, &eng, err);
    if (rc == 0)
        rc = ippc_step_engine_command(l, n, pmix, &eng, err);
    if (rc == 0)
        rc = ippc_engine_env(p, &env, err);
    if (rc == 0) {
        free(l->controller_cmd);
        l->controller_cmd = ippc_argv_join(&ctl);
        ippc_slurm_script_t s = {.p = p, .what = what, .job_name = job_name, .n = n, .output = output,
                                 .controller = ctl.v, .engines = eng.v, .env = env.v};
        if (!(text = ippc_slurm_script(&s)) || !l->controller_cmd)
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    ippc_argv_free(&ctl);
    ippc_argv_free(&eng);
    ippc_argv_free(&env);
    free(job_name);
    free(step_name);
    free(output);
    if (rc != 0) {
        free(text);
        text = NULL;
    }
    return text;
}

/* The output file of job: the --output pattern with %j. */
static char *job_output(const ippc_cstate_t *cs, const char *job)
{
    char *suffix = ippc_strdup_printf("-%s.log", job);
    char *path = suffix ? slurm_path(cs, suffix) : NULL;
    free(suffix);
    return path;
}

static int slurm_start_controller(ippc_launch_t *l, ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    memset(&watch, 0, sizeof watch);
    char *text = make_script(l, err);
    char *script = text ? slurm_path(cs, ".sbatch") : NULL;
    int rc = text ? 0 : -1;
    if (rc == 0 && !script)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0)
        rc = write_script(script, text, err);
    char *job = rc == 0 ? ippc_slurm_submit(script, err) : NULL;
    char *output = job ? job_output(cs, job) : NULL;
    if (rc == 0 && !job)
        rc = -1;
    ippc_launcher_state_t *st = NULL;
    if (rc == 0 && (!output || !(st = ippc_clusterfile_set_controller(cs->cf, SLURM_CLASS))))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0 && (ippc_cf_set_str(&st->job_id, job) != 0 || ippc_cf_set_str(&st->batch_template, text) != 0 ||
                    ippc_cf_set_str(&st->queue, l->profile->slurm.partition ? l->profile->slurm.partition : "") != 0 ||
                    ippc_cf_set_str(&st->output_file, output) != 0))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0) {
        snprintf(watch.job, sizeof watch.job, "%s", job);
        watch.submitted = ippc_now();
        fprintf(stderr, "ippctl: submitted batch job %s (%lld engines): script %s, output %s\n", job,
                l->profile->cluster.n, script, output);
    } else if (job) {
        ippc_slurm_cancel(job, 0, NULL); /* submitted, but it cannot be recorded */
    }
    free(text);
    free(script);
    free(job);
    free(output);
    return rc;
}

static int slurm_start_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    const char *job = l->cs->cf->controller.job_id;
    if (!watch.job[0] || !job || strcmp(job, watch.job) != 0 || n != (long)l->profile->cluster.n)
        return ippc_error_set(err, IPPC_E_INVALID, "the slurm launcher starts the engines in the controller's job: "
                              "engines cannot be added to a running one (start another cluster with --cluster-id)");
    char *set_id = ippc_launch_new_set_id(l);
    ippc_cluster_engine_set_t *set = set_id ? ippc_clusterfile_add_engine_set(l->cs->cf, set_id) : NULL;
    int rc = set && ippc_cf_set_str(&set->state.job_id, job) == 0 &&
                     ippc_cf_set_str(&set->state.queue, l->cs->cf->controller.queue) == 0
                 ? 0
                 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (rc == 0)
        set->state.n = n;
    free(set_id);
    return rc;
}

/* "batch job 12 ended FAILED with exit code 1:0 before all engines registered; the end
 * of its output file X:\n ..." (after the start: without "before ..."). */
static int ended_error(const ippc_launch_t *l, ippc_error_t **err)
{
    const char *out = l->cs->cf->controller.output_file;
    char *tail = out ? ippc_file_tail(out, TAIL_LINES, "    ") : NULL;
    const ippc_slurm_job_t *j = &watch.info;
    const char *what = tail && *tail ? "the end of its output file" : "its output file";
    const char *how = tail && *tail ? ":"
                      : tail        ? " is empty"
                      : watch.ran   ? " is missing (a directory the nodes do not share?)"
                                    : " is missing: it never started";
    ippc_error_set(err, IPPC_E_STATE, "batch job %s %s%s%s%s%s; %s %s%s%s%s", watch.job,
                   j->state[0] ? "ended " : "is gone (Slurm no longer knows it)", j->state,
                   j->exit_code[0] ? " with exit code " : "", j->exit_code,
                   l->up ? "" : " before all engines registered", what, out ? out : "?", how,
                   tail && *tail ? "\n" : "", tail && *tail ? tail : "");
    free(tail);
    return -1;
}

static int slurm_check_started(ippc_launch_t *l, ippc_error_t **err)
{
    if (!watch.job[0])
        return 0;
    double now = ippc_now();
    /* Not seen running yet while the controller has written its files: look now, so
     * that a start faster than CHECK_PERIOD still says where the job runs. */
    bool overdue = !watch.ran && access(l->cs->client_file, F_OK) == 0;
    if (overdue || now - watch.last_check >= (l->up ? UP_CHECK_PERIOD : CHECK_PERIOD)) {
        watch.last_check = now;
        ippc_slurm_job_t j;
        if (ippc_slurm_job(watch.job, &j, NULL) == 0) {
            bool changed = strcmp(j.state, watch.info.state) != 0 || strcmp(j.reason, watch.info.reason) != 0;
            watch.info = j;
            watch.ran = watch.ran || (strcmp(j.state, "PENDING") != 0 && !ippc_slurm_state_final(j.state));
            if (ippc_slurm_state_final(j.state))
                return ended_error(l, err);
            bool reason = j.reason[0] && strcmp(j.reason, "None") != 0; /* None: not scheduled yet */
            if (changed && strcmp(j.state, "PENDING") == 0)
                fprintf(stderr, "ippctl: batch job %s is pending%s%s%s\n", watch.job, reason ? " (reason: " : "",
                        reason ? j.reason : "", reason ? ")" : "");
            else if (changed && strcmp(j.state, "RUNNING") == 0)
                fprintf(stderr, "ippctl: batch job %s is running on %s\n", watch.job, j.nodes);
            else if (changed && l->up)
                fprintf(stderr, "ippctl: batch job %s is %s\n", watch.job, j.state);
        }
    }
    if (!l->up && strcmp(watch.info.state, "PENDING") == 0 && now >= watch.submitted + l->timeout - DEADLINE_MARGIN)
        return ippc_error_set(err, IPPC_E_TIMEOUT, "batch job %s did not start within %g s: it is still pending "
                              "(reason: %s; `squeue -j %s -o %%r` tells why it waits). Ask for fewer nodes or "
                              "engines, another partition, or give a longer --timeout",
                              watch.job, l->timeout, watch.info.reason, watch.job);
    return 0;
}

/* Cancel job (when it still runs) and wait until Slurm says it has ended. 0 when it
 * has; -1 naming its state otherwise. *was_live: it had not ended yet. */
static int cancel_and_wait(const char *job, bool *was_live, ippc_error_t **err)
{
    ippc_slurm_job_t j;
    *was_live = false;
    if (ippc_slurm_job(job, &j, err) != 0)
        return -1;
    if (ippc_slurm_state_final(j.state))
        return 0;
    *was_live = true;
    if (ippc_slurm_cancel(job, 0, err) != 0)
        return -1;
    return ippc_slurm_wait_final(job, GONE_WAIT, &j, err);
}

static void slurm_abort_started(ippc_launch_t *l)
{
    if (!watch.job[0])
        return;
    char job[sizeof watch.job];
    snprintf(job, sizeof job, "%s", watch.job);
    watch.job[0] = '\0'; /* once */
    bool live;
    ippc_error_t *err = NULL;
    if (cancel_and_wait(job, &live, &err) != 0)
        fprintf(stderr, "ippctl: cancelling batch job %s: %s\n", job, ippc_error_message(err));
    else if (live)
        fprintf(stderr, "ippctl: cancelled batch job %s\n", job);
    ippc_error_destroy(&err);
    /* Its files, unless another start has replaced them meanwhile. */
    bool locked = l->cs->lock_fd >= 0;
    if (!locked && ippc_cstate_lock(l->cs, NULL) != 0)
        return;
    ippc_clusterfile_t *cf = ippc_clusterfile_read(l->cs->cluster_file, NULL);
    if (!cf || (cf->controller.job_id && strcmp(cf->controller.job_id, job) == 0))
        ippc_cstate_remove_files(l->cs, false, NULL);
    ippc_clusterfile_destroy(&cf);
    if (!locked)
        ippc_cstate_unlock(l->cs);
}

#define MAX_JOBS 16

static void add_job(const char **jobs, size_t *n, const char *job)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp(jobs[k], job) == 0)
            return;
    if (job && *job && *n < MAX_JOBS)
        jobs[(*n)++] = job;
}

/* The distinct jobs a cluster file records (the controller's first); their count. */
static size_t recorded_jobs(const ippc_clusterfile_t *cf, const char **jobs)
{
    size_t n = 0;
    if (cf->controller.job_id)
        add_job(jobs, &n, cf->controller.job_id);
    for (size_t i = 0; i < cf->nsets; i++)
        if (cf->sets[i].state.job_id)
            add_job(jobs, &n, cf->sets[i].state.job_id);
    return n;
}

/* The engines the sets of job record. */
static long long job_engines(const ippc_clusterfile_t *cf, const char *job)
{
    long long n = 0;
    for (size_t i = 0; i < cf->nsets; i++)
        if (cf->sets[i].state.job_id && strcmp(cf->sets[i].state.job_id, job) == 0 && cf->sets[i].state.has_n)
            n += cf->sets[i].state.n;
    return n;
}

static int slurm_stop(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err)
{
    (void)grace; /* Slurm's KillWait is the grace period of a cancelled job */
    const char *jobs[MAX_JOBS];
    size_t n = recorded_jobs(cs->cf, jobs);
    for (size_t i = 0; i < n; i++) {
        bool live;
        if (cancel_and_wait(jobs[i], &live, err) != 0) {
            if (ippc_error_code(*err) != IPPC_E_TIMEOUT)
                return -1;
            ippc_error_destroy(err);
            res->left++;
        }
        /* Its processes: the engines, and the controller in the controller's job. */
        if (live)
            res->found += (size_t)job_engines(cs->cf, jobs[i]) + (i == 0 && cs->cf->controller.job_id ? 1 : 0);
    }
    return 0;
}

/* The engines' step of job, to signal: the step named name as squeue lists it, else
 * step 0 (the batch script runs one srun) while the job runs. NULL with *err when the
 * job does not run: no engines to reach. */
static char *engine_step(const char *job, const char *name, ippc_error_t **err)
{
    char *step = ippc_slurm_step_id(job, name);
    if (step)
        return step;
    ippc_slurm_job_t j;
    if (ippc_slurm_job(job, &j, err) != 0)
        return NULL;
    if (strcmp(j.state, "RUNNING") != 0) {
        ippc_error_set(err, IPPC_E_STATE, "batch job %s %s%s: it has no engines to signal (`ippctl status` shows "
                       "the cluster; `ippctl stop` removes the files of one that has ended)", job,
                       j.state[0] ? "is " : "is gone (Slurm no longer knows it)", j.state);
        return NULL;
    }
    return ippc_strdup_printf("%s.0", job);
}

static int slurm_signal(ippc_cstate_t *cs, int sig, char **how, ippc_error_t **err)
{
    const char *jobs[MAX_JOBS];
    size_t n = recorded_jobs(cs->cf, jobs);
    char *name = ippc_step_name(cs->cluster_id), *targets = strdup("");
    char buf[16];
    int sent = name && targets ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    *how = NULL;
    for (size_t i = 0; sent >= 0 && i < n; i++) {
        char *step = engine_step(jobs[i], name, err);
        char *more = step ? ippc_strdup_printf("%s %s", targets, step) : NULL;
        if (step && !more)
            sent = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        else if (!step || ippc_slurm_cancel(step, sig, err) != 0)
            sent = -1;
        else
            sent += (int)job_engines(cs->cf, jobs[i]);
        free(step);
        if (more) {
            free(targets);
            targets = more;
        }
    }
    if (sent > 0 && !(*how = ippc_strdup_printf("scancel -s %s%s", ippc_slurm_signal_arg(sig, buf, sizeof buf),
                                                 targets)))
        sent = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(name);
    free(targets);
    return sent;
}

const ippc_launcher_ops_t ippc_launcher_slurm = {
    .name = "slurm",
    .cls = SLURM_CLASS,
    .start_controller = slurm_start_controller,
    .start_engines = slurm_start_engines,
    .signal = slurm_signal,
    .job_state = ippc_slurm_state,
    .stop = slurm_stop,
    .check_started = slurm_check_started,
    .abort_started = slurm_abort_started,
};
