/* cmd_clean.c - ippctl clean: remove the files of clusters that no longer run (their
 * cluster file, the connection files their controller left, their logs). Running
 * clusters are left alone. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_ops.h"
#include "lifecycle.h"

static const char help[] =
    "Usage: ippctl clean [-p PROFILE | --all] [--keep-logs] [--json]\n"
    "\n"
    "Remove the files of the clusters of a profile that no longer run: the cluster file,\n"
    "the connection files a killed controller leaves behind, and the logs the cluster\n"
    "file names. Unreadable cluster files are removed too. Clusters that still run are\n"
    "not touched (stop them first with ippctl stop).\n"
    "\n"
    "Options:\n"
    "  -p, --profile NAME    the profile: a name, a directory or a profile file (default:\n"
    "                        default)\n"
    "      --all             every profile in $IPYTHONDIR\n"
    "      --keep-logs       leave the log files\n"
    "      --json            print what was removed as JSON\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 (also when there was nothing to clean), 1 failure, 2 usage error.\n";

/* Clean one cluster if it does not run; its record appended to out. Whether files
 * were removed. */
static bool clean_one(ippc_cstate_t *cs, bool logs, json_t *out)
{
    char name[600];
    ippc_cstate_name(cs, name, sizeof name);
    ippc_error_t *err = NULL;
    const char *result;
    char *removed = NULL;
    if (ippc_cstate_lock(cs, &err) != 0) {
        cli_error_report(&err);
        return false;
    }
    if (ippc_cstate_load(cs, &err) != 0) {
        /* unreadable: remove the file itself only */
        result = unlink(cs->cluster_file) == 0 ? "removed unreadable" : "kept";
        removed = result[0] == 'r' ? strdup(cs->cluster_file) : NULL;
        cli_note("%s: %s (%s)", name, result[0] == 'r' ? "removed its unreadable cluster file" : "cannot remove",
                 ippc_error_message(err));
        ippc_error_destroy(&err);
    } else {
        ippc_cstate_live_t live;
        ippc_cstate_liveness(cs, &live);
        if (live.running) {
            result = "running";
        } else {
            int n = ippc_cstate_remove_files(cs, logs, &removed);
            result = "removed";
            cli_note("removed %d file%s of %s, which no longer runs", n, n == 1 ? "" : "s", name);
        }
    }
    ippc_cstate_unlock(cs);
    json_t *files = json_array();
    for (char *save = NULL, *f = removed ? strtok_r(removed, "\n", &save) : NULL; f; f = strtok_r(NULL, "\n", &save))
        json_array_append_new(files, json_string(f));
    free(removed);
    json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:o}", "profile_dir", cs->profile_dir, "cluster_id",
                                         cs->cluster_id, "result", result, "removed", files));
    return json_array_size(files) > 0;
}

int cmd_clean(int argc, char **argv)
{
    enum { O_ALL = 256, O_KEEP, O_JSON };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"all", no_argument, NULL, O_ALL},
        {"keep-logs", no_argument, NULL, O_KEEP},  {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *profile = NULL;
    bool all = false, keep = false, json = false;
    int c;
    while ((c = cli_getopt(argc, argv, "p:h", longopts)) != -1) {
        switch (c) {
        case 'p': profile = optarg; break;
        case O_ALL: all = true; break;
        case O_KEEP: keep = true; break;
        case O_JSON: json = true; break;
        case 'h': fputs(help, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if (all && profile)
        return cli_usage("--all and -p exclude each other");
    ippc_error_t *err = NULL;
    char *pd = NULL;
    if (!all && !(pd = cli_profile_dir(profile, &err)))
        return cli_error_report(&err);
    ippc_cstate_t **list = NULL;
    ssize_t n = ippc_cstate_list(pd, &list, &err);
    if (n < 0) {
        free(pd);
        return cli_error_report(&err);
    }
    json_t *out = json_array();
    size_t cleaned = 0;
    for (ssize_t i = 0; i < n; i++)
        cleaned += clean_one(list[i], !keep, out);
    if (cleaned == 0)
        cli_note("nothing to clean in %s", pd ? pd : "any profile");
    if (n > 0)
        ippc_cstate_list_free(list, (size_t)n);
    free(pd);
    if (json)
        return cli_json_print(out);
    json_decref(out);
    return CLI_OK;
}
