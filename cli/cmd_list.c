/* cmd_list.c - ippctl list: the clusters of one profile or of all, from their cluster
 * files, marking the stale ones (nothing they record still runs). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"
#include "lifecycle.h"

static const char help[] =
    "Usage: ippctl list [-p PROFILE] [--json]\n"
    "\n"
    "List the clusters whose cluster files are in $IPYTHONDIR/profile_*/security (or in one\n"
    "profile's), started by ippctl or by ipcluster: profile, cluster id, state (running;\n"
    "stale: nothing it records runs any more, `ippctl clean` removes it; invalid: an\n"
    "unreadable file), engine processes running, the controller's pid, the launcher.\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME    only this profile (a name, a directory or a profile file)\n"
    "      --json            print a JSON list\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 (also when there are no clusters), 1 failure, 2 usage error.\n";

static json_t *describe(ippc_cstate_t *cs)
{
    char label[512];
    ippc_profile_label(cs->profile_dir, label, sizeof label);
    ippc_error_t *err = NULL;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "profile", label, "profile_dir", cs->profile_dir, "cluster_id",
                          cs->cluster_id, "cluster_file", cs->cluster_file);
    if (ippc_cstate_load(cs, &err) != 0) {
        json_object_set_new(j, "state", json_string("invalid"));
        json_object_set_new(j, "error", json_string(ippc_error_message(err)));
        ippc_error_destroy(&err);
        return j;
    }
    ippc_cstate_live_t live;
    ippc_cstate_liveness(cs, &live);
    json_object_set_new(j, "state", json_string(live.running ? "running" : "stale"));
    json_object_set_new(j, "engines", json_integer((json_int_t)live.engines_alive));
    json_object_set_new(j, "n", cs->cf->n >= 0 ? json_integer(cs->cf->n) : json_null());
    json_object_set_new(j, "controller_pid", live.controller_alive ? json_integer(cs->cf->controller.pid) : json_null());
    json_object_set_new(j, "launcher", cs->cf->engines_class ? json_string(cs->cf->engines_class) : json_null());
    return j;
}

static void print_row(const json_t *j)
{
    const char *cid = json_string_value(json_object_get(j, "cluster_id"));
    char pid[32] = "-", engines[32] = "-";
    if (json_is_integer(json_object_get(j, "controller_pid")))
        snprintf(pid, sizeof pid, "%lld", (long long)json_integer_value(json_object_get(j, "controller_pid")));
    if (json_is_integer(json_object_get(j, "engines")))
        snprintf(engines, sizeof engines, "%lld", (long long)json_integer_value(json_object_get(j, "engines")));
    const char *launcher = json_string_value(json_object_get(j, "launcher"));
    printf("%-16s %-24s %-8s %7s %10s  %s\n", json_string_value(json_object_get(j, "profile")),
           cid && *cid ? cid : "''", json_string_value(json_object_get(j, "state")), engines, pid,
           launcher ? launcher : "-");
}

int cmd_list(int argc, char **argv)
{
    enum { O_JSON = 256 };
    static const struct option longopts[] = {{"profile", required_argument, NULL, 'p'},
                                             {"json", no_argument, NULL, O_JSON},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *profile = NULL;
    bool json = false;
    int c;
    while ((c = cli_getopt(argc, argv, "p:h", longopts)) != -1) {
        switch (c) {
        case 'p': profile = optarg; break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    ippc_error_t *err = NULL;
    char *pd = NULL;
    if (profile && !(pd = cli_profile_dir(profile, &err)))
        return cli_error_report(&err);
    ippc_cstate_t **list = NULL;
    ssize_t n = ippc_cstate_list(pd, &list, &err);
    free(pd);
    if (n < 0)
        return cli_error_report(&err);
    json_t *out = json_array();
    for (ssize_t i = 0; i < n; i++)
        json_array_append_new(out, describe(list[i]));
    if (n > 0)
        ippc_cstate_list_free(list, (size_t)n);
    if (json)
        return cli_json_print(out);
    printf("%-16s %-24s %-8s %7s %10s  %s\n", "PROFILE", "CLUSTER ID", "STATE", "ENGINES", "CONTROLLER", "LAUNCHER");
    size_t i;
    json_t *row;
    json_array_foreach (out, i, row)
        print_row(row);
    json_decref(out);
    return CLI_OK;
}
