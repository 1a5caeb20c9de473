/* cmd_status.c - ippctl status: a cluster's engines (id, host, pid, state, queue), from
 * its cluster file, the engines' logs (which say the id each registered as), the
 * controller's queue_status and, for batch launchers, what Slurm says of their jobs. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_ops.h"
#include "launcher.h"
#include "lifecycle.h"

#define STATUS_TIMEOUT 5.0

static const char help[] =
    "Usage: ippctl status [-p PROFILE] [--cluster-id ID] [--json]\n"
    "\n"
    "Show a cluster: its controller, and per engine its id, host, pid, state and queue\n"
    "(requests waiting or running on it, from the controller's queue_status) and the\n"
    "requests it completed. States: registered; starting (its process runs but it has not\n"
    "registered yet, or was unregistered); ended (its process is gone). Engines the\n"
    "controller knows but the cluster file does not (started by hand) show no pid.\n"
    "Engines of a batch job or a Slurm step (slurm, srun, pmix launchers) show the job\n"
    "or step id and what Slurm says of it (JOB column); a set whose job pends is\n"
    "pending.\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME    the cluster's profile: a name, a directory or a profile file\n"
    "                        (default: default)\n"
    "      --cluster-id ID   the cluster's id (default: \"\")\n"
    "      --timeout S       wait at most S seconds for the controller (default 5)\n"
    "      --json            print JSON\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 the cluster runs and its controller answered, 1 otherwise, 2 usage\n"
    "error. See ippctl(1).\n";

/* What the batch system says of a job or step the cluster file records. */
typedef struct {
    bool known; /* there is one, and Slurm answered */
    bool ended;
    char state[32]; /* RUNNING, PENDING ...; "" when Slurm no longer lists it */
} jobstate_t;

/* Ask the back end of class cls about job_id (nothing to ask: not known). */
static void ask_job(const char *cls, const char *job_id, jobstate_t *out)
{
    memset(out, 0, sizeof *out);
    const ippc_launcher_ops_t *ops = cls && job_id && *job_id ? ippc_launcher_by_class(cls, NULL) : NULL;
    out->known = ops && ops->job_state && ops->job_state(job_id, out->state, sizeof out->state, &out->ended, NULL) == 0;
}

static json_t *job_state_json(const jobstate_t *j)
{
    return j && j->known ? json_string(j->state[0] ? j->state : "ENDED") : json_null();
}

typedef struct {
    int id;       /* -1: not registered */
    const ippc_cproc_t *proc; /* NULL: not in the cluster file */
    const ippc_cluster_engine_set_t *set; /* its engine set, NULL when not known */
    const jobstate_t *job; /* what Slurm says of the set's job or step */
    const char *log; /* the process's log, else its set's, else its batch job's output file */
    json_t *queue; /* its queue_status entry, borrowed */
} row_t;

static int cmp_row(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    if ((x->id < 0) != (y->id < 0))
        return x->id < 0 ? 1 : -1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->proc ? x->proc->pid : 0) - (y->proc ? y->proc->pid : 0);
}

static json_t *row_json(const row_t *r, const char *host)
{
    bool batch = r->job && r->job->known;
    const char *state = r->id >= 0                                     ? "registered"
                        : batch && r->job->ended                       ? "ended"
                        : batch && strcmp(r->job->state, "PENDING") == 0 ? "pending"
                        : r->proc && r->proc->ps == IPPC_PS_ALIVE      ? "starting"
                                                                       : "ended";
    json_t *q = r->queue;
    const char *job_id = r->set ? r->set->state.job_id : NULL;
    return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     r->id >= 0 ? json_integer(r->id) : json_null(),
                     "host", r->proc && r->proc->pid > 0 && host ? json_string(host) : json_null(), "pid",
                     r->proc && r->proc->pid > 0 ? json_integer(r->proc->pid) : json_null(), "state", state, "queue",
                     q ? json_incref(json_object_get(q, "queue")) : json_null(), "completed",
                     q ? json_incref(json_object_get(q, "completed")) : json_null(), "set",
                     r->set ? json_string(r->set->id) : json_null(), "log",
                     r->log && *r->log ? json_string(r->log) : json_null(), "job_id",
                     job_id && *job_id ? json_string(job_id) : json_null(), "job_state", job_state_json(r->job));
}

static void print_text(const json_t *j)
{
    const json_t *ctl = json_object_get(j, "controller");
    printf("%s: %s", json_string_value(json_object_get(j, "name")), json_string_value(json_object_get(j, "state")));
    if (json_is_integer(json_object_get(ctl, "pid")))
        printf(", controller pid %lld (%s)", (long long)json_integer_value(json_object_get(ctl, "pid")),
               json_string_value(json_object_get(ctl, "state")));
    else if (json_is_string(json_object_get(ctl, "job_id")))
        printf(", controller in batch job %s (%s)", json_string_value(json_object_get(ctl, "job_id")),
               json_is_string(json_object_get(ctl, "job_state")) ? json_string_value(json_object_get(ctl, "job_state"))
                                                                 : "Slurm did not answer");
    printf(", %lld engine%s registered\n", (long long)json_integer_value(json_object_get(j, "registered")),
           json_integer_value(json_object_get(j, "registered")) == 1 ? "" : "s");
    size_t i;
    json_t *e;
    bool jobs = false; /* a JOB column only for clusters with jobs */
    json_array_foreach (json_object_get(j, "engines"), i, e)
        jobs = jobs || json_is_string(json_object_get(e, "job_id"));
    printf("%-6s %-20s %8s %-10s %5s %9s%s\n", "ENGINE", "HOST", "PID", "STATE", "QUEUE", "COMPLETED",
           jobs ? "  JOB" : "");
    json_array_foreach (json_object_get(j, "engines"), i, e) {
        char id[16] = "-", pid[16] = "-", queue[16] = "-", done[24] = "-";
        if (json_is_integer(json_object_get(e, "id")))
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(e, "id")));
        if (json_is_integer(json_object_get(e, "pid")))
            snprintf(pid, sizeof pid, "%lld", (long long)json_integer_value(json_object_get(e, "pid")));
        if (json_is_integer(json_object_get(e, "queue")))
            snprintf(queue, sizeof queue, "%lld", (long long)json_integer_value(json_object_get(e, "queue")));
        if (json_is_integer(json_object_get(e, "completed")))
            snprintf(done, sizeof done, "%lld", (long long)json_integer_value(json_object_get(e, "completed")));
        const char *host = json_string_value(json_object_get(e, "host"));
        const char *job = json_string_value(json_object_get(e, "job_id"));
        const char *job_state = json_string_value(json_object_get(e, "job_state"));
        printf("%-6s %-20s %8s %-10s %5s %9s%s%s%s%s\n", id, host ? host : "-", pid,
               json_string_value(json_object_get(e, "state")), queue, done, job ? "  " : "", job ? job : "",
               job ? " " : "", job ? (job_state ? job_state : "?") : "");
    }
}

/* The set of cf named id, NULL if none. */
static const ippc_cluster_engine_set_t *find_set(const ippc_clusterfile_t *cf, const char *id)
{
    for (size_t i = 0; id && i < cf->nsets; i++)
        if (strcmp(cf->sets[i].id, id) == 0)
            return &cf->sets[i];
    return NULL;
}

/* The rows: every engine the controller reports, joined with the recorded processes
 * by the id their logs show; then the recorded processes not registered. A cluster of
 * one set that records no engine one by one (a batch job, an srun or mpirun step) has
 * its registered engines in that set, and its record stands for the engines, not for
 * one more: it is a row only while none has registered. jobs: per set of cf, what
 * Slurm says of its job or step. */
static row_t *make_rows(const ippc_clusterfile_t *cf, const jobstate_t *jobs, const ippc_cproc_t *procs,
                        size_t nprocs, json_t *queue, size_t *nrows)
{
    const ippc_cluster_engine_set_t *group = cf->nsets == 1 && !cf->sets[0].has_engines ? &cf->sets[0] : NULL;
    size_t grouped = 0;
    row_t *rows = calloc(nprocs + (queue ? json_object_size(queue) : 0) + 1, sizeof *rows);
    int *ids = calloc(nprocs + 1, sizeof(int));
    bool *used = calloc(nprocs + 1, sizeof(bool));
    size_t n = 0;
    if (!rows || !ids || !used) {
        free(rows);
        free(ids);
        free(used);
        return NULL;
    }
    for (size_t i = 0; i < nprocs; i++)
        ids[i] = procs[i].controller ? -1 : ippc_engine_log_id(procs[i].log);
    const char *key;
    json_t *q;
    json_object_foreach (queue, key, q) {
        char *end;
        long id = strtol(key, &end, 10);
        if (!json_is_object(q) || end == key || *end || id < 0)
            continue; /* "status", "unassigned" */
        row_t *r = &rows[n++];
        r->id = (int)id;
        r->queue = q;
        /* the newest process that registered with this id (ids are not reused) */
        for (size_t i = 0; i < nprocs; i++)
            if (!used[i] && ids[i] == id && procs[i].ps == IPPC_PS_ALIVE) {
                r->proc = &procs[i];
                used[i] = true;
            }
        r->set = r->proc ? find_set(cf, r->proc->set_id) : group;
        grouped += r->set && r->set == group;
    }
    for (size_t i = 0; i < nprocs; i++)
        if (!procs[i].controller && !used[i] && !(grouped && find_set(cf, procs[i].set_id) == group))
            rows[n++] = (row_t){.id = -1, .proc = &procs[i], .set = find_set(cf, procs[i].set_id)};
    for (size_t i = 0; i < n; i++) {
        row_t *r = &rows[i];
        const char *job = r->set ? r->set->state.job_id : NULL;
        r->job = r->set ? &jobs[r->set - cf->sets] : NULL;
        r->log = r->proc && r->proc->log && *r->proc->log ? r->proc->log
                 : r->set && r->set->state.output_file && *r->set->state.output_file ? r->set->state.output_file
                 : job && cf->controller.job_id && strcmp(job, cf->controller.job_id) == 0 ? cf->controller.output_file
                                                                                          : NULL;
    }
    qsort(rows, n, sizeof *rows, cmp_row);
    free(ids);
    free(used);
    *nrows = n;
    return rows;
}

static int status(ippc_cstate_t *cs, double timeout, bool json)
{
    char name[600];
    ippc_cstate_name(cs, name, sizeof name);
    ippc_error_t *err = NULL;
    if (ippc_cstate_load(cs, &err) != 0) {
        if (ippc_error_code(err) == IPPC_E_NOTFOUND) {
            ippc_error_destroy(&err);
            return cli_error("%s is not running: there is no cluster file %s (start it with ippctl start)", name,
                             cs->cluster_file);
        }
        return cli_error_report(&err);
    }
    ippc_cstate_live_t live;
    ippc_cstate_liveness(cs, &live);
    const ippc_clusterfile_t *cf = cs->cf;
    /* A controller with no pid here runs in a batch job: Slurm tells how that goes. */
    const char *ctl_job = cf->controller_class && cf->controller.pid <= 0 ? cf->controller.job_id : NULL;
    jobstate_t ctl_state, *jobs = calloc(cf->nsets + 1, sizeof *jobs);
    ask_job(cf->controller_class, ctl_job, &ctl_state);
    for (size_t i = 0; jobs && i < cf->nsets; i++)
        ask_job(cf->engines_class, cf->sets[i].state.job_id, &jobs[i]);
    bool ctl_pending = ctl_state.known && strcmp(ctl_state.state, "PENDING") == 0;
    /* (when Slurm cannot be asked, the controller may still answer) */
    bool ctl_running = live.controller_alive || (ctl_job && !(ctl_state.known && (ctl_state.ended || ctl_pending)));
    bool running = live.running && !(ctl_state.known && ctl_state.ended);
    ippc_cproc_t *procs = NULL;
    ssize_t np = ippc_cstate_procs(cs, &procs);
    json_t *queue = ctl_running ? cli_queue_status(cs->client_file, timeout, &err) : NULL;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t nrows = 0;
    row_t *rows = np >= 0 && jobs ? make_rows(cf, jobs, procs, (size_t)np, queue, &nrows) : NULL;
    json_t *engines = json_array();
    size_t registered = 0;
    for (size_t i = 0; rows && i < nrows; i++) {
        registered += rows[i].id >= 0;
        json_array_append_new(engines, row_json(&rows[i], host));
    }
    const char *state = !live.running  ? "not running (stale cluster file)"
                        : !running     ? "not running (its batch job has ended)"
                        : ctl_pending  ? "pending (its batch job waits for resources)"
                        : queue        ? "running"
                                       : "running, controller not answering";
    json_t *ctl = json_pack("{s:o, s:s, s:o, s:o, s:o}", "pid",
                            cf->controller_class && cf->controller.pid > 0 ? json_integer(cf->controller.pid)
                                                                          : json_null(),
                            "state", ctl_running ? "running" : ctl_pending ? "pending" : "ended", "log",
                            cf->controller.output_file ? json_string(cf->controller.output_file) : json_null(),
                            "job_id", ctl_job ? json_string(ctl_job) : json_null(), "job_state",
                            job_state_json(&ctl_state));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o}", "name", name, "profile_dir", cs->profile_dir,
                          "cluster_id", cs->cluster_id, "cluster_file", cs->cluster_file, "state", state,
                          "controller", ctl, "registered", (json_int_t)registered, "engines", engines);
    if (json)
        cli_json_print(json_incref(j));
    else
        print_text(j);
    json_decref(j);
    free(rows);
    free(procs);
    free(jobs);
    json_decref(queue);
    if (err) {
        cli_error("the controller did not answer: %s", ippc_error_message(err));
        ippc_error_destroy(&err);
        return CLI_FAILED;
    }
    if (!live.running)
        return cli_error("%s is not running: `ippctl clean` removes its files", name);
    char cmd[700];
    if (!running)
        return cli_error("%s is not running: its batch job %s has ended (%s); `%s` removes its files", name, ctl_job,
                         ctl_state.state[0] ? ctl_state.state : "Slurm no longer lists it",
                         ippc_cstate_stop_command(cs, cmd, sizeof cmd));
    return CLI_OK;
}

int cmd_status(int argc, char **argv)
{
    enum { O_CLUSTER = 256, O_TIMEOUT, O_JSON };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"cluster-id", required_argument, NULL, O_CLUSTER},
        {"timeout", required_argument, NULL, O_TIMEOUT}, {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *profile = NULL, *cluster_id = NULL;
    bool json = false;
    double timeout = STATUS_TIMEOUT;
    int c;
    while ((c = cli_getopt(argc, argv, "p:h", longopts)) != -1) {
        switch (c) {
        case 'p': profile = optarg; break;
        case O_CLUSTER: cluster_id = optarg; break;
        case O_TIMEOUT:
            if ((timeout = cli_parse_seconds(optarg)) <= 0)
                return cli_usage("--timeout: '%s' is not a positive number of seconds", optarg);
            break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    ippc_error_t *err = NULL;
    char *pd = cli_profile_dir(profile, &err);
    ippc_cstate_t *cs = pd ? ippc_cstate_new(pd, cluster_id, &err) : NULL;
    free(pd);
    int code = cs ? status(cs, timeout, json) : cli_error_report(&err);
    ippc_cstate_destroy(&cs);
    return code;
}
