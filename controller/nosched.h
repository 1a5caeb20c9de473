/* nosched.h - the task (load-balanced) and broadcast sockets.
 *
 * This controller has no schedulers. The sockets are bound (the stock client and
 * engine connect to them) and every request on them is answered at once with an error
 * reply the stock client resolves its AsyncResult with:
 *   NotImplementedError: load-balanced scheduling is not available in this controller
 * A broadcast request gets one such reply per target (or one coalesced reply), shaped
 * the way the stock broadcast scheduler's replies are. */
#ifndef IPPC_NOSCHED_H
#define IPPC_NOSCHED_H

#include "ctl.h"

/* Each handles up to IPPC_BATCH messages (true: stopped at the limit). */
bool ippc_nosched_task(ippc_ctl_t *ctl);      /* SOCK_TASK_IN */
bool ippc_nosched_broadcast(ippc_ctl_t *ctl); /* SOCK_BC_IN */
/* Anything arriving on a socket that should stay silent (task_out, broadcast leaves). */
bool ippc_nosched_drain(ippc_ctl_t *ctl, ippc_sock_t s);

#endif
