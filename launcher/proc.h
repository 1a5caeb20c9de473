/* proc.h - processes a launcher started, as seen later from a pid: alive or gone, still
 * the program we started (a pid can be reused), signalled, waited for until gone.
 *
 * Zombies count as gone: a daemon whose parent has not reaped it yet runs nothing. Our
 * own children are reaped on the way (waitpid WNOHANG), and their exit status kept for
 * messages. Internal to the launcher library. */
#ifndef IPPC_LAUNCHER_PROC_H
#define IPPC_LAUNCHER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum {
    IPPC_PS_GONE,   /* no such process, a zombie, or reaped now */
    IPPC_PS_ALIVE,  /* running (or stopped) */
    IPPC_PS_OTHER   /* alive, but the pid now names another program */
} ippc_ps_t;

/* The state of pid. `names` (NULL-terminated, may be NULL) are the programs the pid
 * may be: when given, a live process whose command line mentions none of them is
 * IPPC_PS_OTHER. When pid is our child and has ended, *status (if non-NULL) gets its
 * wait status and *reaped is set; otherwise they are left alone. */
ippc_ps_t ippc_proc_state(pid_t pid, const char *const *names, int *status, bool *reaped);
/* The program names a cluster process may have: ippc-controller, ippc-engine, the stock
 * ipcontroller, ipengine and ipyparallel (python -m ipyparallel.engine), and `extra`
 * (the basenames of programs found through IPPC_CONTROLLER / IPPC_ENGINE), NULL ended. */
const char *const *ippc_proc_cluster_names(void);
/* Add a program (its basename is kept) to the names above (at most 8 extra). */
void ippc_proc_add_cluster_name(const char *program);
/* "exited with status 1", "killed by signal 9 (Killed)" for a wait status, in buf. */
const char *ippc_proc_describe_status(int status, char *buf, size_t len);

/* Send sig to pid, and to its process group when it leads one (what the local launcher
 * starts: each daemon leads its own session, so user code's children go too).
 * Returns 0, or -1 with errno (ESRCH: already gone). */
int ippc_proc_signal(pid_t pid, int sig, bool group);
/* Wait until none of pids[0..n) is alive (IPPC_PS_GONE), at most timeout seconds,
 * polling every few milliseconds. Returns how many are still alive. */
size_t ippc_proc_wait_gone(const pid_t *pids, size_t n, double timeout);

/* Seconds since an arbitrary start (CLOCK_MONOTONIC). */
double ippc_now(void);
/* Sleep this many seconds (interrupted early by a signal). */
void ippc_sleep(double seconds);

#endif
