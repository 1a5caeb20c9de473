/* cmd_stop.c - ippctl stop: stop a cluster (or all clusters of a profile) by what its
 * cluster file records: SIGTERM, a grace period, SIGKILL, and a check by pid that
 * nothing is left; then its files are removed. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_ops.h"
#include "lifecycle.h"

static const char help[] =
    "Usage: ippctl stop [-p PROFILE] [--cluster-id ID | --all] [OPTIONS]\n"
    "\n"
    "Stop a cluster: its engines, then its controller, with SIGTERM; what is still running\n"
    "after the grace period gets SIGKILL. The stop succeeds only when no process the\n"
    "cluster file records is left running; the cluster and connection files are then\n"
    "removed (the logs stay). Works on clusters started by ippctl and by ipcluster (local\n"
    "launchers). A foreground `ippctl start` of the cluster then exits too.\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME    the cluster's profile: a name, a directory or a profile file\n"
    "                        (default: default)\n"
    "      --cluster-id ID   the cluster's id (default: \"\", as ippctl start)\n"
    "      --all             stop every cluster of the profile\n"
    "      --grace S         seconds between SIGTERM and SIGKILL (default 5)\n"
    "      --json            print what was stopped as JSON\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Examples:\n"
    "  ippctl stop\n"
    "  ippctl stop -p mycluster --cluster-id run1\n"
    "  ippctl stop --all\n"
    "\n"
    "Exit status: 0 stopped (--all: also when nothing was running), 1 not running or a\n"
    "process could not be stopped, 2 usage error. See ippctl(1).\n";

/* Stop one cluster; its JSON record appended to out. Returns an exit code. */
static int stop_one(ippc_cstate_t *cs, double grace, bool quiet_if_stale, json_t *out)
{
    char name[600];
    ippc_cstate_name(cs, name, sizeof name);
    ippc_stop_result_t res;
    ippc_error_t *err = NULL;
    int rc = ippc_cluster_stop_state(cs, grace, &res, &err);
    const char *result = rc == 0 ? "stopped" : ippc_error_code(err) == IPPC_E_STATE && res.left == 0 ? "not running"
                                             : ippc_error_code(err) == IPPC_E_NOTFOUND            ? "not running"
                                                                                                  : "failed";
    json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "profile_dir", cs->profile_dir,
                                         "cluster_id", cs->cluster_id, "result", result, "processes",
                                         (json_int_t)res.found, "killed", (json_int_t)res.killed, "files_removed",
                                         (json_int_t)res.files, "error",
                                         err ? json_string(ippc_error_message(err)) : json_null()));
    if (rc == 0) {
        cli_note("stopped %s (%zu process%s%s)", name, res.found, res.found == 1 ? "" : "es",
                 res.killed ? ", some needed SIGKILL" : "");
        return CLI_OK;
    }
    if (quiet_if_stale && result[0] == 'n') {
        cli_note("%s", ippc_error_message(err));
        ippc_error_destroy(&err);
        return CLI_OK;
    }
    return cli_error_report(&err);
}

int cmd_stop(int argc, char **argv)
{
    enum { O_CLUSTER = 256, O_ALL, O_GRACE, O_JSON };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"cluster-id", required_argument, NULL, O_CLUSTER},
        {"all", no_argument, NULL, O_ALL},        {"grace", required_argument, NULL, O_GRACE},
        {"json", no_argument, NULL, O_JSON},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *profile = NULL, *cluster_id = NULL;
    bool all = false, json = false;
    double grace = CLI_STOP_GRACE;
    int c;
    while ((c = cli_getopt(argc, argv, "p:h", longopts)) != -1) {
        switch (c) {
        case 'p': profile = optarg; break;
        case O_CLUSTER: cluster_id = optarg; break;
        case O_ALL: all = true; break;
        case O_GRACE:
            if ((grace = cli_parse_seconds(optarg)) < 0)
                return cli_usage("--grace: '%s' is not a number of seconds", optarg);
            break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s' (name a cluster with --cluster-id)", argv[optind]);
    if (all && cluster_id)
        return cli_usage("--all and --cluster-id exclude each other");
    ippc_error_t *err = NULL;
    char *pd = cli_profile_dir(profile, &err);
    if (!pd)
        return cli_error_report(&err);
    json_t *out = json_array();
    int code = CLI_OK;
    if (all) {
        ippc_cstate_t **list = NULL;
        ssize_t n = ippc_cstate_list(pd, &list, &err);
        if (n < 0)
            code = cli_error_report(&err);
        else if (n == 0)
            cli_note("no cluster files in %s/security: nothing to stop", pd);
        for (ssize_t i = 0; i < n; i++)
            if (stop_one(list[i], grace, true, out) != CLI_OK)
                code = CLI_FAILED;
        if (n > 0)
            ippc_cstate_list_free(list, (size_t)n);
    } else {
        ippc_cstate_t *cs = ippc_cstate_new(pd, cluster_id, &err);
        code = cs ? stop_one(cs, grace, false, out) : cli_error_report(&err);
        ippc_cstate_destroy(&cs);
    }
    free(pd);
    if (json)
        cli_json_print(out);
    else
        json_decref(out);
    return code;
}
