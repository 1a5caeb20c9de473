/* cli.h - what the ippctl subcommands share: their entry points, exit codes and the
 * helpers for messages, help text and connecting to a cluster. */
#ifndef IPPC_CLI_H
#define IPPC_CLI_H

#include <stdbool.h>

#include "ippc.h"

/* Exit codes of every subcommand (doc/ippctl.1). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* A subcommand: argv[0] is its name; returns an exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Cluster lifecycle (cmd_start.c ... cmd_profile.c). */
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_engines(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_profile(int argc, char **argv);
/* Direct-view operations on a running cluster (cmd_px.c ... cmd_signal.c). */
int cmd_px(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_scatter(int argc, char **argv);
int cmd_gather(int argc, char **argv);
int cmd_signal(int argc, char **argv);

/* "ippctl" or "ippctl CMD": the prefix of every message. */
extern const char *cli_prog;

/* Print "ippctl CMD: message" on stderr; returns CLI_FAILED. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print err (with its full rendering for remote errors) as cli_error does and destroy it;
 * returns CLI_FAILED. */
int cli_error_report(ippc_error_t **err);
/* Print "ippctl CMD: message" on stderr, for information (not a failure). */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: "ippctl CMD: message" and "Try 'ippctl CMD --help'."; returns CLI_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a number of seconds (a non-negative decimal); -1 when text is not one. */
double cli_parse_seconds(const char *text);
/* Parse a count >= min; -1 when text is not one. */
long cli_parse_count(const char *text, long min);

/* Where a running cluster is found: a client connection file (-f/--file), else its
 * profile (name or directory) and cluster id, as -p/--profile and --cluster-id give them
 * (NULL: the defaults, "default" and ""). */
typedef struct {
    const char *connection_file;
    const char *profile;
    const char *cluster_id;
    double timeout; /* seconds to wait for the controller (default 10) */
} cli_target_t;

/* Connect a client to the cluster of t, as ipp.Cluster.from_file().connect_client() does.
 * NULL with *err set ("no cluster 'x' in profile default: start one with ippctl start"). */
ippc_client_t *cli_connect(const cli_target_t *t, ippc_error_t **err);

/* ------------------------------------------------ option parsing and profiles */

struct option;
/* getopt_long with ippctl's messages: returns the next option, -1 after the last, or '?'
 * after printing a usage error (an unknown option, a missing argument). shortopts
 * without the leading ':' (added here). */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* The profile directory that -p names: NULL or "" the default profile's, a directory
 * (a path that is one) itself, a profile file (a path, or ending in .yaml/.yml) the
 * directory of its profile name, else $IPYTHONDIR/profile_<name>. malloc'd; NULL with
 * *err set (a profile file that cannot be read). */
char *cli_profile_dir(const char *profile, ippc_error_t **err);

#endif
