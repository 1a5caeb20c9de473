/* connect.h - finding the controller, registering, and connecting the engine's sockets.
 *
 * The connection info comes from --file, else IPP_CONNECTION_INFO (JSON text or a
 * path), else <profile_dir>/security/ipcontroller[-<cluster_id>]-engine.json; a file
 * that does not exist yet is waited for until --timeout. Registration sends
 * registration_request {uuid[, id]} from a DEALER whose identity is the engine uuid and
 * waits (--timeout) for the reply that assigns the id and the heartbeat period. */
#ifndef ENG_CONNECT_H
#define ENG_CONNECT_H

#include "engine.h"

int connect_load_info(engine_t *e, ippc_error_t **err);
/* Create the zmq context and the registration socket, and register. */
int connect_register(engine_t *e, ippc_error_t **err);
/* Shell ROUTER (mux, task, broadcast leaf id % n), control ROUTER and IOPub PUB. */
int connect_sockets(engine_t *e, ippc_error_t **err);
/* "tcp://host:port" for a port of the connection info. malloc'd. */
char *connect_url(const engine_t *e, int port);
/* A new socket of type with the engine uuid as identity, connected to port(s). */
void *connect_socket(const engine_t *e, int type, const int *ports, size_t nports, ippc_error_t **err);

#endif
