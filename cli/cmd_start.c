/* cmd_start.c - ippctl start: start a cluster as a profile describes it. In the
 * foreground (like `ipcluster start`) it stays until SIGINT/SIGTERM and then stops the
 * cluster; with --daemonize it returns once the cluster is up (--wait: once all its
 * engines have registered), leaving it running. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"
#include "lifecycle.h"

/* How often the foreground loop looks at the cluster's processes. */
#define WATCH_PERIOD 0.25

static const char help[] =
    "Usage: ippctl start [OPTIONS]\n"
    "\n"
    "Start a cluster: an ippc-controller and N ippc-engines, as the profile says\n"
    "(ippc-profile(5)). The cluster file $IPYTHONDIR/profile_NAME/security/cluster-ID.json\n"
    "is written in IPython Parallel's format, so ipp.Cluster.from_file(), ipcluster list\n"
    "and ipcluster stop work on it; logs go to $IPYTHONDIR/profile_NAME/log/.\n"
    "\n"
    "Without --daemonize ippctl start stays in the foreground, like ipcluster start: it\n"
    "waits for the engines to register (\"3/16 engines registered\" on a terminal), reports\n"
    "engines that end, and stops the cluster on Ctrl-C (SIGINT) or SIGTERM. It exits when\n"
    "the cluster is stopped from elsewhere (ippctl stop: 0) or ends (the controller, or the\n"
    "batch job of the slurm launcher: scancel, its time limit; 1, the cluster file removed).\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME      the profile: a name, or a profile file (default: default)\n"
    "  -n, --n N               number of engines (cluster.n)\n"
    "      --cluster-id ID     the cluster's id (cluster.cluster_id; default \"\")\n"
    "      --launcher NAME     how to start it: local, slurm, srun, pmix, mpi\n"
    "                          (cluster.launcher)\n"
    "      --set KEY=VALUE     set a profile key for this start (repeatable), e.g.\n"
    "                          --set engines.shell=plain --set engines.env.OMP_NUM_THREADS=1\n"
    "      --daemonize         return once the controller answers, leaving the cluster running\n"
    "      --wait              with --daemonize: return once all N engines have registered\n"
    "      --timeout S         give up (and stop what was started) after S seconds\n"
    "                          (default 120)\n"
    "      --json              print the cluster's files, processes and logs as JSON\n"
    "  -h, --help              show this help and exit\n"
    "\n"
    "Examples:\n"
    "  ippctl start -n 4\n"
    "  ippctl start -n 16 --daemonize --wait --set engines.shell=plain\n"
    "  ippctl start -p mycluster --cluster-id run1 --daemonize\n"
    "\n"
    "Exit status: 0 success (foreground: stopped by a signal or ippctl stop), 1 failure\n"
    "(already running, an engine that could not start, a timeout, interrupted while\n"
    "starting; foreground: the controller or the batch job ended),\n"
    "2 usage error. See ippctl(1).\n";

typedef struct {
    cli_profile_args_t prof;
    bool daemonize, wait, json;
    double timeout;
} start_opts_t;

static int parse(int argc, char **argv, start_opts_t *o, int *code)
{
    enum { O_CLUSTER = 256, O_LAUNCHER, O_SET, O_DAEMONIZE, O_WAIT, O_TIMEOUT, O_JSON };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"n", required_argument, NULL, 'n'},
        {"cluster-id", required_argument, NULL, O_CLUSTER}, {"launcher", required_argument, NULL, O_LAUNCHER},
        {"set", required_argument, NULL, O_SET}, {"daemonize", no_argument, NULL, O_DAEMONIZE},
        {"wait", no_argument, NULL, O_WAIT}, {"timeout", required_argument, NULL, O_TIMEOUT},
        {"json", no_argument, NULL, O_JSON}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = cli_getopt(argc, argv, "p:n:h", longopts)) != -1) {
        switch (c) {
        case 'p': o->prof.profile = optarg; break;
        case 'n':
            if ((o->prof.n = cli_parse_count(optarg, 1)) < 0)
                return *code = cli_usage("-n: '%s' is not a number of engines (1 or more)", optarg), -1;
            break;
        case O_CLUSTER: o->prof.cluster_id = optarg; break;
        case O_LAUNCHER: o->prof.launcher = optarg; break;
        case O_SET: o->prof.sets[o->prof.nsets++] = optarg; break;
        case O_DAEMONIZE: o->daemonize = true; break;
        case O_WAIT: o->wait = true; break;
        case O_TIMEOUT:
            if ((o->timeout = cli_parse_seconds(optarg)) <= 0)
                return *code = cli_usage("--timeout: '%s' is not a positive number of seconds", optarg), -1;
            break;
        case O_JSON: o->json = true; break;
        case 'h': fputs(help, stdout); return *code = CLI_OK, -1;
        default: return *code = CLI_USAGE, -1;
        }
    }
    if (optind < argc)
        return *code = cli_usage("unexpected argument '%s'", argv[optind]), -1;
    return 0;
}

/* Print what runs now: JSON on stdout, or a line on stderr. */
static void report_up(ippc_launch_t *l, long registered, bool json, bool foreground)
{
    char cmd[700];
    if (json) {
        cli_json_print(cli_launch_json(l, registered));
        fflush(stdout);
        return;
    }
    if (registered >= 0)
        cli_note("%ld engine%s registered; cluster file %s", registered, registered == 1 ? "" : "s",
                 l->cs->cluster_file);
    else
        cli_note("the controller is up and %lld engines are starting; cluster file %s", l->profile->cluster.n,
                 l->cs->cluster_file);
    if (foreground)
        cli_note("running in the foreground: Ctrl-C stops the cluster");
    else
        cli_note("stop it with `%s`", ippc_cstate_stop_command(l->cs, cmd, sizeof cmd));
}

/* Stop the cluster l started (and whatever was added to it since). */
static int stop_started(ippc_launch_t *l)
{
    ippc_stop_result_t res;
    ippc_error_t *err = NULL;
    bool owns = ippc_launch_owns_file(l);
    if (!owns) {
        ippc_launch_abort(l);
        return CLI_OK;
    }
    if (ippc_cluster_stop_state(l->cs, CLI_STOP_GRACE, &res, &err) != 0 && ippc_error_code(err) != IPPC_E_STATE)
        return cli_error_report(&err);
    if (err && res.left == 0)
        ippc_error_destroy(&err); /* nothing was left running */
    if (err)
        return cli_error_report(&err);
    cli_note("stopped the cluster (%zu process%s%s)", res.found, res.found == 1 ? "" : "es",
             res.killed ? ", some needed SIGKILL" : "");
    return CLI_OK;
}

/* The foreground: watch the processes (and a batch job) until a signal or the
 * controller's end. */
static int foreground(ippc_launch_t *l)
{
    for (;;) {
        if (cli_signalled) {
            cli_note("%s: stopping the cluster", strsignal(cli_signalled));
            return stop_started(l);
        }
        ippc_error_t *err = NULL;
        bool job_ended = ippc_launch_check_running(l, &err) != 0;
        ippc_started_t *s = job_ended ? NULL : ippc_launch_next_ended(l);
        if (!s && !job_ended) {
            ippc_sleep(WATCH_PERIOD);
            continue;
        }
        /* A stop from elsewhere holds the lock until it is done. */
        ippc_cstate_lock(l->cs, NULL);
        bool owns = ippc_launch_owns_file(l);
        ippc_cstate_unlock(l->cs);
        if (!owns) {
            ippc_error_destroy(&err);
            cli_note("the cluster was stopped (its cluster file is gone)");
            ippc_launch_abort(l);
            return CLI_OK;
        }
        if (job_ended) {
            /* scancel from elsewhere, its time limit, a node failure: as ipcluster does
             * when its controller's launcher stops, clean up and fail. */
            cli_error("the cluster has ended: %s", ippc_error_message(err));
            ippc_error_destroy(&err);
            ippc_launch_abort(l);
            cli_note("removed its cluster file %s; the job's output file stays", l->cs->cluster_file);
            return CLI_FAILED;
        }
        char *text = ippc_launch_describe_ended(s);
        if (!s->controller) {
            cli_note("%s", text ? text : s->label);
            free(text);
            continue;
        }
        cli_error("%s", text ? text : s->label);
        free(text);
        stop_started(l);
        return CLI_FAILED;
    }
}

/* Report a failure: with --json also {"error": {"code", "message"}} on stdout (what
 * ippc_cluster_start reads); code is CLI_FAILED or CLI_USAGE. */
static int fail(const start_opts_t *o, ippc_error_t **err, int code)
{
    if (o->json)
        cli_json_print(json_pack("{s:{s:s, s:s}}", "error", "code", ippc_errcode_name(ippc_error_code(*err)),
                                 "message", ippc_error_message(*err)));
    if (code != CLI_USAGE)
        return cli_error_report(err);
    cli_usage("%s", ippc_error_message(*err));
    ippc_error_destroy(err);
    return CLI_USAGE;
}

/* Undo a start that failed or was interrupted, and say why. */
static int start_failed(const start_opts_t *o, ippc_launch_t *l, ippc_error_t **err)
{
    cli_progress_done();
    ippc_launch_abort(l);
    int code = fail(o, err, CLI_FAILED);
    cli_note("stopped what was started (%zu process%s); logs are in %s", l->nstarted, l->nstarted == 1 ? "" : "es",
             l->cs->log_dir);
    return code;
}

static int run(start_opts_t *o)
{
    int code = CLI_OK;
    ippc_error_t *err = NULL;
    ippc_profile_t *p = cli_load_profile(&o->prof, &code, &err);
    if (!p)
        return fail(o, &err, code);
    ippc_launch_t *l = ippc_launch_new(p, o->timeout, &err);
    if (!l) {
        ippc_profile_destroy(&p);
        return fail(o, &err, CLI_FAILED);
    }
    cli_catch_signals();
    double deadline = ippc_now() + o->timeout;
    ippc_client_t *c = NULL;
    if (ippc_launch_start(l, &err) != 0) {
        code = fail(o, &err, CLI_FAILED);
        goto out;
    }
    if (l->note)
        cli_note("%s", l->note);
    if (!(c = ippc_launch_connect(l, deadline, &cli_signalled, &err))) {
        code = start_failed(o, l, &err);
        goto out;
    }
    long registered = -1;
    if (!o->daemonize || o->wait) {
        size_t n = (size_t)p->cluster.n;
        if (ippc_launch_wait_engines(l, c, n, deadline, cli_progress, NULL, &cli_signalled, &err) != 0) {
            code = start_failed(o, l, &err);
            goto out;
        }
        cli_progress_done();
        registered = (long)n;
    }
    ippc_client_destroy(&c);
    report_up(l, registered, o->json, !o->daemonize);
    if (!o->daemonize)
        code = foreground(l);
out:
    ippc_client_destroy(&c);
    ippc_launch_destroy(&l);
    ippc_profile_destroy(&p);
    return code;
}

int cmd_start(int argc, char **argv)
{
    start_opts_t o = {.prof.n = -1, .timeout = CLI_START_TIMEOUT};
    o.prof.sets = calloc((size_t)argc + 1, sizeof(char *));
    if (!o.prof.sets)
        return cli_error("out of memory");
    int code = CLI_OK;
    if (parse(argc, argv, &o, &code) == 0)
        code = run(&o);
    free(o.prof.sets);
    return code;
}
