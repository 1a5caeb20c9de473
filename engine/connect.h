/* connect.h - finding the controller, registering, and connecting the engine's sockets.
 *
 * The connection info comes from --file, else IPP_CONNECTION_INFO (JSON text or a
 * path), else <profile_dir>/security/ipcontroller[-<cluster_id>]-engine.json; a file
 * that does not exist yet is waited for until --timeout. The sockets are connected
 * before registering, so that the controller's first ping and a client's first request
 * find them; registration sends registration_request {uuid[, id]} from a DEALER whose
 * identity is the engine uuid and waits (--timeout) for the reply that assigns the id
 * and the heartbeat period. */
#ifndef ENG_CONNECT_H
#define ENG_CONNECT_H

#include "engine.h"

int connect_load_info(engine_t *e, ippc_error_t **err);
/* The zmq context and every socket but the heart's, connected before registering (the
 * identity is the uuid, known already): registration DEALER, shell ROUTER (mux, task),
 * control ROUTER, IOPub PUB. Call with SIGINT/SIGTERM blocked (signals_block). */
int connect_all(engine_t *e, ippc_error_t **err);
/* Send registration_request and wait for the reply (the id and heartbeat period). */
int connect_register(engine_t *e, ippc_error_t **err);
/* After registration: the shell ROUTER also to broadcast leaf (id % n). */
int connect_broadcast(engine_t *e, ippc_error_t **err);
/* "tcp://host:port" for a port of the connection info. malloc'd. */
char *connect_url(const engine_t *e, int port);
/* Connect socket s to port(s) of the controller. */
int connect_ports(const engine_t *e, void *s, const int *ports, size_t nports, ippc_error_t **err);
/* A new socket of type with the engine uuid as identity, connected to port(s). */
void *connect_socket(const engine_t *e, int type, const int *ports, size_t nports, ippc_error_t **err);

#endif
