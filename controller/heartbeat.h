/* heartbeat.h - pings, echoes, missed beats, and noticing dead engines early.
 *
 * Every period (--ping, ms) one ping goes out on the PUB socket; engines echo it on
 * their DEALER. An engine that misses more than --hb-misses beats in a row (no echo
 * arrives between two beats) is unregistered. An echo of any ping we sent counts,
 * however late (the stock monitor takes the current and the previous beat's only, but
 * its own beats slow down when its machine is loaded), and echoes waiting in the socket
 * are read before a beat is judged: a loaded engine or a busy controller is not a dead
 * engine, a silent one is. While registrations are pending or an engine is suspected dead, extra
 * pings go out every 100 ms, so a new engine registers within about 0.1 s of connecting
 * its heart rather than at the next beat.
 *
 * A process that dies closes its TCP connections: a socket monitor on the echo ROUTER
 * reports the closed connection's fd, which maps to the engine whose echoes came over
 * it (ZMQ_SRCFD). That engine is suspected: unless it echoes within a short grace (a
 * reconnect), it is unregistered well before its beats run out. */
#ifndef IPPC_HEARTBEAT_H
#define IPPC_HEARTBEAT_H

#include "ctl.h"

/* How long a suspected engine has to echo before it is declared dead (s). */
#define IPPC_HB_SUSPECT_GRACE 0.5
#define IPPC_HB_FAST_INTERVAL 0.1

int ippc_heartbeat_start(ippc_ctl_t *ctl, ippc_error_t **err);
void ippc_heartbeat_stop(ippc_ctl_t *ctl);
/* Drain echoes from SOCK_HB_PONG (true: stopped at the batch limit). */
bool ippc_heartbeat_on_pong(ippc_ctl_t *ctl);
/* Drain the connection events of the monitor socket (ctl->hb_monitor); likewise. */
bool ippc_heartbeat_on_event(ippc_ctl_t *ctl);
/* Run what is due (beats, fast pings, suspects, stalled registrations). Returns the
 * time the next thing is due. */
double ippc_heartbeat_tick(ippc_ctl_t *ctl);

#endif
