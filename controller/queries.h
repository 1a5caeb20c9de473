/* queries.h - the registration/query ROUTER: engine registration and unregistration,
 * and the hub queries of the stock client (connection, queue, result, history, db,
 * purge, load, resubmit, shutdown). Messages that fail the envelope checks (bad
 * signature, replay, garbage) are dropped and counted, not answered. */
#ifndef IPPC_QUERIES_H
#define IPPC_QUERIES_H

#include "ctl.h"

/* Handle up to IPPC_BATCH messages (true: stopped at the limit). */
bool ippc_queries_on_recv(ippc_ctl_t *ctl);

#endif
