/* lifecycle.h - what the cluster lifecycle subcommands (start, stop, list, status,
 * engines, clean, profile) share: loading the profile a command line describes,
 * signals, progress on a terminal, JSON of a launch (lifecycle.c), and the controller's
 * hub queries (hubquery.c). */
#ifndef IPPC_CLI_LIFECYCLE_H
#define IPPC_CLI_LIFECYCLE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "launch.h"
#include "profile.h"

/* Seconds `ippctl start` and `ippctl engines --wait` may take by default. */
#define CLI_START_TIMEOUT 120.0
/* Seconds between SIGTERM and SIGKILL when stopping. */
#define CLI_STOP_GRACE 5.0

/* The profile -p names with the command line's changes over it: each --set KEY=VALUE,
 * then -n, --cluster-id and --launcher (NULL / -1: not given), all with origin "command
 * line". NULL on failure, with *code CLI_FAILED (the profile cannot be read) or
 * CLI_USAGE (a bad --set, --cluster-id ... value); the error is printed, or, when err is
 * non-NULL, handed to the caller instead. */
typedef struct {
    const char *profile;
    const char **sets;
    size_t nsets;
    long n;
    const char *cluster_id;
    const char *launcher;
} cli_profile_args_t;
ippc_profile_t *cli_load_profile(const cli_profile_args_t *a, int *code, ippc_error_t **err);

/* Set by SIGINT, SIGTERM and SIGHUP once cli_catch_signals() ran (to the signal). */
extern volatile sig_atomic_t cli_signalled;
void cli_catch_signals(void);

/* Progress "3/16 engines registered" on standard error when it is a terminal (a
 * callback for ippc_launch_wait_engines; data unused); cli_progress_done ends the line. */
void cli_progress(size_t registered, size_t want, void *data);
void cli_progress_done(void);

/* {"profile", "profile_dir", "cluster_id", "cluster_file", "client_file", "engine_file",
 * "launcher", "n", "controller": {...}, "engines": [{"set", "index", "pid", "log"}], ...}
 * of what l started (registered: engines known registered, -1 when not waited for). */
json_t *cli_launch_json(const ippc_launch_t *l, long registered);

/* The controller's queue_status (a queue_request on its registration socket, like the
 * stock Client.queue_status()): {"0": {"queue": n, "completed": n, "tasks": n}, ...,
 * "unassigned": n}. NULL with *err when the controller does not answer in time. */
json_t *cli_queue_status(const char *client_file, double timeout, ippc_error_t **err);

#endif
