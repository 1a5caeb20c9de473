/* slurm_cmd.c - see slurm_cmd.h. */
#include "config.h"

#include "slurm_cmd.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "proc.h"
#include "runcmd.h"

/* sbatch is never cut short: a submission killed half-way may leave a job we do not
 * know of. Slurm's own retries end well before this. */
#define SUBMIT_TIMEOUT 120.0
#define WAIT_POLL 0.25

/* What Slurm's commands print when slurmctld does not answer (or there is no
 * configuration to find it with). */
static bool unreachable(const char *text)
{
    static const char *const marks[] = {"Unable to contact slurm controller", "Could not establish a configuration",
                                        "Socket timed out on send/recv", "Zero Bytes were transmitted",
                                        "Communication connection failure"};
    for (size_t i = 0; text && i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(text, marks[i]))
            return true;
    return false;
}

static int unreachable_error(const char *cmd, const ippc_cmd_t *r, ippc_error_t **err)
{
    const char *conf = getenv("SLURM_CONF");
    return ippc_error_set(err, IPPC_E_CONNECT, "Slurm is not reachable: %s: %s (is slurmctld running? `scontrol "
                          "ping` tells; Slurm's configuration: %s)", cmd, r->err && *r->err ? r->err : "no answer",
                          conf ? conf : "the default, /etc/slurm/slurm.conf, as SLURM_CONF is not set");
}

char *ippc_slurm_submit(const char *script, ippc_error_t **err)
{
    char *argv[] = {"sbatch", "--parsable", (char *)script, NULL};
    ippc_cmd_t r;
    if (ippc_cmd_run(argv, SUBMIT_TIMEOUT, &r, err) != 0)
        return NULL;
    char *job = NULL;
    char how[2048];
    if (!ippc_cmd_ok(&r) && unreachable(r.err)) {
        unreachable_error("sbatch", &r, err);
    } else if (!ippc_cmd_ok(&r)) {
        ippc_error_set(err, IPPC_E_INVALID, "sbatch refused the job (script %s): sbatch %s", script,
                       ippc_cmd_describe(&r, how, sizeof how));
    } else {
        /* "12" or "12;cluster" */
        size_t len = strspn(r.out, "0123456789");
        if (len == 0 || (r.out[len] && r.out[len] != ';' && r.out[len] != '\n'))
            ippc_error_set(err, IPPC_E_PROTOCOL, "sbatch --parsable printed no job id: '%s' %s", r.out, r.err);
        else if (!(job = strndup(r.out, len)))
            ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    ippc_cmd_free(&r);
    return job;
}

/* The value of " Key=" in a one-line scontrol record, into buf. */
static void field(const char *rec, const char *key, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t klen = strlen(key);
    for (const char *p = rec; (p = strstr(p, key)); p += klen) {
        if ((p != rec && !isspace((unsigned char)p[-1])) || p[klen] != '=')
            continue;
        const char *v = p + klen + 1;
        size_t n = strcspn(v, " \n");
        snprintf(buf, len, "%.*s", (int)n, v);
        return;
    }
}

int ippc_slurm_job(const char *job, ippc_slurm_job_t *out, ippc_error_t **err)
{
    memset(out, 0, sizeof *out);
    char *argv[] = {"scontrol", "show", "job", "-o", (char *)job, NULL};
    ippc_cmd_t r;
    if (ippc_cmd_run(argv, IPPC_SLURM_QUERY_TIMEOUT, &r, err) != 0)
        return -1;
    int rc = 0;
    char how[2048];
    if (ippc_cmd_ok(&r)) {
        field(r.out, "JobState", out->state, sizeof out->state);
        field(r.out, "Reason", out->reason, sizeof out->reason);
        field(r.out, "NodeList", out->nodes, sizeof out->nodes);
        field(r.out, "ExitCode", out->exit_code, sizeof out->exit_code);
    } else if (unreachable(r.err)) {
        rc = unreachable_error("scontrol show job", &r, err);
    } else if (!strstr(r.err, "Invalid job id")) {
        rc = ippc_error_set(err, IPPC_E_STATE, "scontrol show job %s %s", job, ippc_cmd_describe(&r, how, sizeof how));
    }
    ippc_cmd_free(&r);
    return rc;
}

bool ippc_slurm_state_final(const char *state)
{
    static const char *const live[] = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED",
                                       "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING",
                                       "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "SPECIAL_EXIT"};
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (strcmp(state, live[i]) == 0)
            return false;
    return true;
}

int ippc_slurm_cancel(const char *target, int sig, ippc_error_t **err)
{
    char buf[16];
    const char *name = sig ? ippc_slurm_signal_arg(sig, buf, sizeof buf) : NULL;
    char *argv[] = {"scancel", sig ? "-s" : (char *)target, (char *)name, sig ? (char *)target : NULL, NULL};
    ippc_cmd_t r;
    if (ippc_cmd_run(argv, IPPC_SLURM_QUERY_TIMEOUT, &r, err) != 0)
        return -1;
    int rc = 0;
    char how[2048];
    if (!ippc_cmd_ok(&r)) {
        if (unreachable(r.err))
            rc = unreachable_error("scancel", &r, err);
        else if (!strstr(r.err, "already completing or completed") && !strstr(r.err, "Invalid job id"))
            rc = ippc_error_set(err, IPPC_E_STATE, "scancel %s%s%s %s", sig ? "-s " : "", sig ? name : "", target,
                                ippc_cmd_describe(&r, how, sizeof how));
    }
    ippc_cmd_free(&r);
    return rc;
}

int ippc_slurm_wait_final(const char *job, double timeout, ippc_slurm_job_t *last, ippc_error_t **err)
{
    double deadline = ippc_now() + timeout;
    for (;;) {
        if (ippc_slurm_job(job, last, err) != 0)
            return -1;
        if (ippc_slurm_state_final(last->state))
            return 0;
        if (ippc_now() >= deadline)
            return ippc_error_set(err, IPPC_E_TIMEOUT, "job %s is still %s after %g s", job, last->state, timeout);
        ippc_sleep(WAIT_POLL);
    }
}

/* squeue's steps ("12.0 name" lines) of job (NULL: of this user); NULL on failure. */
static char *steps(const char *job)
{
    char *argv[] = {"squeue", "-h", "--steps", "-o", "%i %j", job ? "-j" : "--me", (char *)job, NULL};
    ippc_cmd_t r;
    if (ippc_cmd_run(argv, IPPC_SLURM_QUERY_TIMEOUT, &r, NULL) != 0)
        return NULL;
    char *out = ippc_cmd_ok(&r) ? r.out : strstr(r.err, "Invalid job id") ? strdup("") : NULL;
    if (out == r.out)
        r.out = NULL;
    ippc_cmd_free(&r);
    return out;
}

/* Column col (0: id, 1: name) of each line of list equal to want: the id of the last. */
static char *find_step(const char *list, int col, const char *want)
{
    char *id = NULL;
    size_t wlen = strlen(want);
    for (const char *line = list; line && *line;) {
        size_t len = strcspn(line, "\n");
        const char *sp = memchr(line, ' ', len);
        const char *v = col ? (sp ? sp + 1 : line + len) : line;
        size_t vlen = col ? (size_t)(line + len - v) : (size_t)((sp ? sp : line + len) - line);
        if (sp && vlen == wlen && strncmp(v, want, wlen) == 0) {
            free(id);
            id = strndup(line, (size_t)(sp - line));
        }
        line += len + (line[len] ? 1 : 0);
    }
    return id;
}

char *ippc_slurm_step_id(const char *job, const char *step_name)
{
    char *list = steps(job);
    char *id = find_step(list, 1, step_name);
    free(list);
    return id;
}

bool ippc_slurm_step_exists(const char *step)
{
    char job[64];
    snprintf(job, sizeof job, "%.*s", (int)strcspn(step, "."), step);
    char *list = steps(job);
    char *id = list ? find_step(list, 0, step) : NULL;
    bool exists = !list || id;
    free(list);
    free(id);
    return exists;
}

int ippc_slurm_state(const char *id, char *buf, size_t len, bool *ended, ippc_error_t **err)
{
    buf[0] = '\0';
    if (!strchr(id, '.')) {
        ippc_slurm_job_t j;
        if (ippc_slurm_job(id, &j, err) != 0)
            return -1;
        snprintf(buf, len, "%s", j.state);
        *ended = ippc_slurm_state_final(j.state);
        return 0;
    }
    char job[64];
    snprintf(job, sizeof job, "%.*s", (int)strcspn(id, "."), id);
    char *list = steps(job);
    if (!list)
        return ippc_error_set(err, IPPC_E_CONNECT, "squeue --steps -j %s failed: is slurmctld running? `scontrol "
                              "ping` tells", job);
    char *found = find_step(list, 0, id);
    snprintf(buf, len, "%s", found ? "RUNNING" : ""); /* squeue lists the steps that run */
    *ended = !found;
    free(found);
    free(list);
    return 0;
}

const char *ippc_slurm_signal_arg(int sig, char *buf, size_t len)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGHUP, "HUP"},   {SIGINT, "INT"},   {SIGQUIT, "QUIT"}, {SIGABRT, "ABRT"}, {SIGKILL, "KILL"},
                 {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"}, {SIGALRM, "ALRM"}, {SIGTERM, "TERM"}, {SIGCONT, "CONT"},
                 {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"}, {SIGURG, "URG"},   {SIGXCPU, "XCPU"}, {SIGWINCH, "WINCH"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    snprintf(buf, len, "%d", sig); /* scancel takes a number too (real-time signals) */
    return buf;
}
