/* spawn.h - start a program as a daemon: its own session (setsid, so a Ctrl-C on the
 * terminal of ippctl does not reach it), stdin from /dev/null, stdout and stderr into a
 * log file, no file descriptors of ours, default signal handling. Internal to the
 * launcher library. */
#ifndef IPPC_LAUNCHER_SPAWN_H
#define IPPC_LAUNCHER_SPAWN_H

#include <sys/types.h>

#include "ippc.h"

typedef struct {
    const char *path;        /* the program */
    char *const *argv;       /* its arguments, argv[0] first; NULL ended */
    char *const *env_set;    /* "NAME=value" put over our environment; NULL or NULL ended */
    const char *log_path;    /* stdout and stderr (truncated, mode 0600) */
    const char *workdir;     /* chdir there first; NULL: our working directory */
    long delay_ms;           /* wait this long before exec (registration spread) */
    int keep_fd;             /* > 2: a descriptor the program inherits (same number); 0 none */
} ippc_spawn_t;

/* Start it. Without a delay, a program that cannot be executed (missing, not
 * executable, bad workdir) is an error here (IPPC_E_SYSTEM naming the path and the
 * reason); with a delay the child writes that reason into its log and exits 127.
 * The child is not waited for: ippc_proc_state reaps it. */
int ippc_spawn_daemon(const ippc_spawn_t *s, pid_t *pid, ippc_error_t **err);

/* The last `lines` lines of a file (at most the last 64 KiB of it), each prefixed with
 * `indent`; "" when empty, NULL when unreadable. malloc'd. */
char *ippc_file_tail(const char *path, int lines, const char *indent);

#endif
