/* runcmd.h - run a short command (sbatch, squeue, scancel, scontrol) to its end and
 * keep what it printed, with a deadline. For the batch launchers, which talk to the
 * batch system through its commands the way a user does. Internal to the launcher
 * library. */
#ifndef IPPC_RUNCMD_H
#define IPPC_RUNCMD_H

#include <stdbool.h>

#include "ippc.h"

typedef struct {
    char *out;        /* its standard output (at most 1 MiB kept) */
    char *err;        /* its standard error, trailing newlines dropped */
    int status;       /* wait status; meaningless when timed_out */
    bool timed_out;   /* killed at the deadline */
} ippc_cmd_t;

/* Run argv (argv[0] looked up in PATH) with stdin from /dev/null, wait up to timeout
 * seconds, SIGKILL it then. A signal (Ctrl-C of ippctl) does not cut the wait short:
 * a submission is never cut in half; the caller sees the signal after.
 * Returns 0 when it ran, whatever its exit status; -1 when it could not be started
 * (IPPC_E_NOTFOUND: "sbatch: not found in PATH ..."). Free r with ippc_cmd_free. */
int ippc_cmd_run(char *const *argv, double timeout, ippc_cmd_t *r, ippc_error_t **err);
/* The path of a program as execvp would find it (a name with a '/' is taken as it is,
 * if executable), malloc'd. IPPC_E_NOTFOUND naming PATH. */
char *ippc_find_in_path(const char *prog, ippc_error_t **err);
/* It exited with status 0. */
bool ippc_cmd_ok(const ippc_cmd_t *r);
/* "exited with status 1: sbatch: error: ..." (what went wrong, for messages), in buf. */
const char *ippc_cmd_describe(const ippc_cmd_t *r, char *buf, size_t len);
void ippc_cmd_free(ippc_cmd_t *r);

#endif
