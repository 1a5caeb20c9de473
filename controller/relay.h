/* relay.h - the mux and control relays (ROUTER<->ROUTER, first two frames swapped) and
 * the iopub relay (SUB->PUB).
 *
 * Frames move from one socket to the other without copying. On the way the relay
 * checks the envelope (a delimiter after the routing identities, the HMAC signature,
 * no replayed signature; failures are dropped and counted, never forwarded) and reads
 * the few strings it needs from the JSON text (jscan.h), without parsing: a request's
 * msg_id to track what is outstanding on which engine and to start its task record, a
 * reply's parent msg_id and iopub message types to complete it. Records keep the text;
 * buffers are never parsed. */
#ifndef IPPC_RELAY_H
#define IPPC_RELAY_H

#include "ctl.h"

/* Each drains up to IPPC_BATCH messages from its socket (true: stopped at the limit). */
bool ippc_relay_mux_requests(ippc_ctl_t *ctl);  /* SOCK_MUX_IN -> SOCK_MUX_OUT */
bool ippc_relay_mux_replies(ippc_ctl_t *ctl);   /* SOCK_MUX_OUT -> SOCK_MUX_IN */
bool ippc_relay_ctl_requests(ippc_ctl_t *ctl);  /* SOCK_CTL_IN -> SOCK_CTL_OUT */
bool ippc_relay_ctl_replies(ippc_ctl_t *ctl);   /* SOCK_CTL_OUT -> SOCK_CTL_IN */
bool ippc_relay_iopub(ippc_ctl_t *ctl);         /* SOCK_IOPUB_IN -> SOCK_IOPUB_OUT */

#endif
