/* ippctl - start, stop and drive IPython Parallel clusters (doc/ippctl.1).
 * This file only dispatches to the subcommands (cmd_*.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"start", cmd_start, "start a cluster (controller and engines)"},
    {"stop", cmd_stop, "stop a cluster, leaving nothing running"},
    {"list", cmd_list, "list the clusters of a profile (or of all profiles)"},
    {"status", cmd_status, "show a cluster's engines: id, host, pid, state, queue"},
    {"engines", cmd_engines, "add engines to a running cluster"},
    {"clean", cmd_clean, "remove the files of clusters that are no longer running"},
    {"profile", cmd_profile, "list, show or create profiles"},
    {"px", cmd_px, "run Python code on the engines, output like %px"},
    {"apply", cmd_apply, "call a Python callable on the engines"},
    {"push", cmd_push, "set variables on the engines: name=value ..."},
    {"pull", cmd_pull, "print variables of the engines"},
    {"scatter", cmd_scatter, "partition a sequence over the engines"},
    {"gather", cmd_gather, "collect a partitioned sequence from the engines"},
    {"signal", cmd_signal, "send a signal to the engines (INT, TERM, ...)"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: ippctl COMMAND [OPTIONS] [ARGS]\n"
                 "       ippctl COMMAND --help\n"
                 "       ippctl --version\n\n"
                 "Start, stop and drive IPython Parallel clusters of ippc-controller and\n"
                 "ippc-engine processes, locally or on Slurm.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error. See ippctl(1).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ippctl (ippc) %s\n", ippc_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            static char prog[64];
            snprintf(prog, sizeof(prog), "ippctl %s", commands[i].name);
            cli_prog = prog;
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "ippctl: unknown command '%s'\nTry 'ippctl --help'.\n", argv[1]);
    return CLI_USAGE;
}
