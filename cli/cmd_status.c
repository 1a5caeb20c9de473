/* cmd_status.c - ippctl status: a cluster's engines (id, host, pid, state, queue), from
 * its cluster file, the engines' logs (which say the id each registered as) and the
 * controller's queue_status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_ops.h"
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

typedef struct {
    int id;       /* -1: not registered */
    const ippc_cproc_t *proc; /* NULL: not in the cluster file */
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
    const char *state = r->id >= 0 ? "registered" : r->proc && r->proc->ps == IPPC_PS_ALIVE ? "starting" : "ended";
    json_t *q = r->queue;
    return json_pack("{s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "id", r->id >= 0 ? json_integer(r->id) : json_null(),
                     "host", r->proc && host ? json_string(host) : json_null(), "pid",
                     r->proc && r->proc->pid > 0 ? json_integer(r->proc->pid) : json_null(), "state", state, "queue",
                     q ? json_incref(json_object_get(q, "queue")) : json_null(), "completed",
                     q ? json_incref(json_object_get(q, "completed")) : json_null(), "set",
                     r->proc && r->proc->set_id ? json_string(r->proc->set_id) : json_null(), "log",
                     r->proc && r->proc->log ? json_string(r->proc->log) : json_null());
}

static void print_text(const json_t *j)
{
    const json_t *ctl = json_object_get(j, "controller");
    printf("%s: %s", json_string_value(json_object_get(j, "name")), json_string_value(json_object_get(j, "state")));
    if (json_is_integer(json_object_get(ctl, "pid")))
        printf(", controller pid %lld (%s)", (long long)json_integer_value(json_object_get(ctl, "pid")),
               json_string_value(json_object_get(ctl, "state")));
    printf(", %lld engine%s registered\n", (long long)json_integer_value(json_object_get(j, "registered")),
           json_integer_value(json_object_get(j, "registered")) == 1 ? "" : "s");
    printf("%-6s %-20s %8s %-10s %5s %9s\n", "ENGINE", "HOST", "PID", "STATE", "QUEUE", "COMPLETED");
    size_t i;
    json_t *e;
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
        printf("%-6s %-20s %8s %-10s %5s %9s\n", id, host ? host : "-", pid,
               json_string_value(json_object_get(e, "state")), queue, done);
    }
}

/* The rows: every engine the controller reports, joined with the recorded processes
 * by the id their logs show; then the recorded processes not registered. */
static row_t *make_rows(const ippc_cproc_t *procs, size_t nprocs, json_t *queue, size_t *nrows)
{
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
    }
    for (size_t i = 0; i < nprocs; i++)
        if (!procs[i].controller && !used[i])
            rows[n++] = (row_t){.id = -1, .proc = &procs[i]};
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
    ippc_cproc_t *procs = NULL;
    ssize_t np = ippc_cstate_procs(cs, &procs);
    json_t *queue = live.controller_alive ? cli_queue_status(cs->client_file, timeout, &err) : NULL;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t nrows = 0;
    row_t *rows = np >= 0 ? make_rows(procs, (size_t)np, queue, &nrows) : NULL;
    json_t *engines = json_array();
    size_t registered = 0;
    for (size_t i = 0; rows && i < nrows; i++) {
        registered += rows[i].id >= 0;
        json_array_append_new(engines, row_json(&rows[i], host));
    }
    const char *state = !live.running ? "not running (stale cluster file)" : queue ? "running" : "running, controller not answering";
    json_t *ctl = json_pack("{s:o, s:s, s:o}", "pid",
                            cs->cf->controller_class && cs->cf->controller.pid > 0 ? json_integer(cs->cf->controller.pid)
                                                                                  : json_null(),
                            "state", live.controller_alive ? "running" : "ended", "log",
                            cs->cf->controller.output_file ? json_string(cs->cf->controller.output_file) : json_null());
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
    json_decref(queue);
    if (err) {
        cli_error("the controller did not answer: %s", ippc_error_message(err));
        ippc_error_destroy(&err);
        return CLI_FAILED;
    }
    if (!live.running)
        return cli_error("%s is not running: `ippctl clean` removes its files", name);
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
