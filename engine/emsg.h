/* emsg.h - building, sending and receiving the engine's messages.
 *
 * One session serves all threads; receives (which update its replay history) are
 * serialised here. Every message the engine sends carries metadata.engine = its uuid
 * (the stock client tracks outstanding requests by it) and header.session = its uuid. */
#ifndef ENG_EMSG_H
#define ENG_EMSG_H

#include <jansson.h>

#include "engine.h"
#include "value_codec.h"

int emsg_init(const char *key, ippc_error_t **err);
void emsg_fini(void);

/* Make a message of msg_type (content and metadata stolen, NULL means {}; parent is a
 * request header or NULL) with metadata.engine set. */
ippc_msg_t *emsg_new(const char *msg_type, json_t *content, const json_t *parent, json_t *metadata,
                     ippc_error_t **err);
/* Send m on socket (without blocking) and destroy it. */
int emsg_send(void *socket, ippc_msg_t *m, ippc_error_t **err);
/* Receive one message that poll said is waiting (NULL with IPPC_E_TIMEOUT when none). */
ippc_msg_t *emsg_recv(void *socket, ippc_error_t **err);
/* Copy the routing identities of req into m (a reply goes back the way it came). */
int emsg_copy_idents(ippc_msg_t *m, const ippc_msg_t *req);

/* A reply to req on socket: "<x>_request" → "<x>_reply" (content, metadata stolen). */
int emsg_reply(void *socket, const ippc_msg_t *req, json_t *content, json_t *metadata, ippc_bloblist_t *bufs,
               ippc_error_t **err);
/* "apply_request" → "apply_reply"; anything else gets "_reply" appended. malloc'd. */
char *emsg_reply_type(const char *request_type);

/* The error content the stock engine sends: status, ename, evalue, traceback, engine_info. */
json_t *emsg_error_content(const char *ename, const char *evalue, const char *method);

#endif
