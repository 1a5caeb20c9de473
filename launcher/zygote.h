/* zygote.h - the local launcher's side of ippc-engine's fork server (engine/zygote.h):
 * one `ippc-engine --zygote-fd=N` process starts Python and imports IPython once, then
 * forks the engines of a set, so that n engines do not each pay the import.
 *
 * This process is the zygote's parent and, while the zygote runs, a child subreaper
 * (Linux): when the zygote exits, the engines it forked become children of this process,
 * exactly as engines spawned one by one are, so that their exit statuses can be
 * reported and the pids reaped. Internal to the launcher library. */
#ifndef IPPC_LAUNCHER_ZYGOTE_H
#define IPPC_LAUNCHER_ZYGOTE_H

#include <sys/types.h>

#include "ippc.h"
#include "spawn.h"

typedef struct ippc_zygote ippc_zygote_t;

/* Start the zygote: s->path with s->argv and --zygote-fd=N, its output in s->log_path
 * (s->keep_fd and s->delay_ms are set here). label names it in errors; timeout: seconds
 * its imports and forks may take in all. */
ippc_zygote_t *ippc_zygote_start(const ippc_spawn_t *s, const char *label, double timeout, ippc_error_t **err);

/* One engine whose stdout and stderr go to log_path (created, truncated, mode 0600)
 * and which waits delay_ms before starting: its pid. A zygote that ended is an
 * IPPC_E_STATE error with its exit status and the end of its log. */
int ippc_zygote_fork(ippc_zygote_t *z, const char *log_path, long delay_ms, pid_t *pid, ippc_error_t **err);

/* Close the socket (the zygote exits) and reap the zygote; the engines it forked are
 * children of this process from then on. */
void ippc_zygote_finish(ippc_zygote_t **z);

#endif
