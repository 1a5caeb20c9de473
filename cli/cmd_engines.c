/* cmd_engines.c - ippctl engines -n K: start K more engines for a running cluster, as
 * a new engine set of its cluster file, with the profile's engine settings. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_ops.h"
#include "lifecycle.h"

static const char help[] =
    "Usage: ippctl engines -n K [-p PROFILE] [--cluster-id ID] [OPTIONS]\n"
    "\n"
    "Add K engines to a running cluster (started by ippctl or ipcluster with the local\n"
    "launcher). They are recorded in its cluster file as a new engine set, so ippctl stop\n"
    "and ipcluster stop stop them with the rest. Their settings (shell, environment,\n"
    "startup code...) come from the profile's engines section.\n"
    "\n"
    "Options:\n"
    "  -n, --n K             how many engines to add (required)\n"
    "  -p, --profile NAME    the cluster's profile: a name or a profile file (default: default)\n"
    "      --cluster-id ID   the cluster's id (default: \"\")\n"
    "      --set KEY=VALUE   set a profile key for these engines (repeatable)\n"
    "      --wait            return once the K engines have registered\n"
    "      --timeout S       with --wait: give up (stopping the new engines) after S s\n"
    "                        (default 120)\n"
    "      --json            print the engines started as JSON\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Examples:\n"
    "  ippctl engines -n 4 --wait\n"
    "  ippctl engines -n 2 --cluster-id run1 --set engines.env.OMP_NUM_THREADS=1\n"
    "\n"
    "Exit status: 0 started, 1 failure (no running cluster, an engine that could not\n"
    "start, a timeout), 2 usage error. See ippctl(1).\n";

static int add(ippc_profile_t *p, long k, bool wait, double timeout, bool json)
{
    ippc_error_t *err = NULL;
    ippc_launch_t *l = ippc_launch_new(p, timeout, &err);
    ippc_client_t *c = NULL;
    int code = CLI_OK;
    double deadline = ippc_now() + timeout;
    size_t before = 0;
    if (!l || ippc_launch_attach(l, &err) != 0) {
        code = cli_error_report(&err);
        goto out;
    }
    cli_catch_signals();
    if (wait) {
        const int *ids;
        if (!(c = ippc_launch_connect(l, deadline, &cli_signalled, &err))) {
            code = cli_error_report(&err);
            goto out;
        }
        ippc_client_ids(c, &ids, &before);
    }
    if (ippc_launch_add_engines(l, k, &err) != 0) {
        code = cli_error_report(&err);
        goto out;
    }
    long registered = -1;
    if (wait) {
        if (ippc_launch_wait_engines(l, c, before + (size_t)k, deadline, cli_progress, NULL, &cli_signalled, &err) != 0) {
            cli_progress_done();
            ippc_launch_abort(l);
            code = cli_error_report(&err);
            cli_note("stopped the %ld engine%s started; their logs are in %s", k, k == 1 ? "" : "s", l->cs->log_dir);
            goto out;
        }
        cli_progress_done();
        registered = (long)(before + (size_t)k);
    }
    if (json) {
        code = cli_json_print(cli_launch_json(l, registered));
    } else {
        const char *set = l->nstarted ? l->started[0].set_id : "?";
        if (registered >= 0)
            cli_note("%ld engine%s added as set %s; %ld engines registered", k, k == 1 ? "" : "s", set, registered);
        else
            cli_note("%ld engine%s starting as set %s (logs in %s)", k, k == 1 ? "" : "s", set, l->cs->log_dir);
    }
out:
    ippc_client_destroy(&c);
    ippc_launch_destroy(&l);
    return code;
}

int cmd_engines(int argc, char **argv)
{
    enum { O_CLUSTER = 256, O_SET, O_WAIT, O_TIMEOUT, O_JSON };
    static const struct option longopts[] = {
        {"n", required_argument, NULL, 'n'},       {"profile", required_argument, NULL, 'p'},
        {"cluster-id", required_argument, NULL, O_CLUSTER}, {"set", required_argument, NULL, O_SET},
        {"wait", no_argument, NULL, O_WAIT},       {"timeout", required_argument, NULL, O_TIMEOUT},
        {"json", no_argument, NULL, O_JSON},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_profile_args_t prof = {.n = -1};
    long k = -1;
    bool wait = false, json = false;
    double timeout = CLI_START_TIMEOUT;
    const char **sets = calloc((size_t)argc + 1, sizeof(char *));
    if (!sets)
        return cli_error("out of memory");
    prof.sets = sets;
    int c, code = -1;
    while (code < 0 && (c = cli_getopt(argc, argv, "n:p:h", longopts)) != -1) {
        switch (c) {
        case 'n':
            if ((k = cli_parse_count(optarg, 1)) < 0)
                code = cli_usage("-n: '%s' is not a number of engines (1 or more)", optarg);
            break;
        case 'p': prof.profile = optarg; break;
        case O_CLUSTER: prof.cluster_id = optarg; break;
        case O_SET: sets[prof.nsets++] = optarg; break;
        case O_WAIT: wait = true; break;
        case O_TIMEOUT:
            if ((timeout = cli_parse_seconds(optarg)) <= 0)
                code = cli_usage("--timeout: '%s' is not a positive number of seconds", optarg);
            break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); code = CLI_OK; break;
        default: code = CLI_USAGE;
        }
    }
    if (code < 0 && optind < argc)
        code = cli_usage("unexpected argument '%s'", argv[optind]);
    if (code < 0 && k < 0)
        code = cli_usage("-n K is required: how many engines to add");
    if (code < 0) {
        ippc_profile_t *p = cli_load_profile(&prof, &code, NULL);
        if (p)
            code = add(p, k, wait, timeout, json);
        ippc_profile_destroy(&p);
    }
    free(sets);
    return code;
}
