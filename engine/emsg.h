/* emsg.h - building, sending and receiving the engine's messages.
 *
 * One session serves all threads; receives (which update its replay history) are
 * serialised here. Every message the engine sends carries metadata.engine = its uuid
 * (the stock client tracks outstanding requests by it) and header.session = its uuid. */
#ifndef ENG_EMSG_H
#define ENG_EMSG_H

#include <jansson.h>

#include "engine.h"
#include "jscan.h"
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

/* A shell request as it came, read without building JSON trees (jscan.h): its frames,
 * whose header text is the parent_header of every message answering it (copied as is),
 * and the few members the engine acts on. The signature, the replay history, the JSON
 * grammar of the four parts and the header's msg_id, msg_type and session are checked
 * as ippc_session_recv checks them; the content goes to Python as text. */
enum { EMSG_MD_IPPC, EMSG_MD_IS_BROADCAST, EMSG_MD_IS_COALESCING, EMSG_MD_ORIGINAL_MSG_ID, EMSG_MD_N };
enum { EMSG_C_SILENT, EMSG_C_STOP_ON_ERROR, EMSG_C_N };
typedef struct {
    ippc_wire_raw_t raw;
    char *msg_id, *msg_type;
    size_t nidents;              /* raw.frames[0..nidents) are the routing identities */
    ippc_jspan_t md[EMSG_MD_N];  /* metadata members (p NULL when absent) */
    ippc_jspan_t c[EMSG_C_N];    /* content members */
    ippc_blob_t **buffers;       /* the buffer frames, moved into blobs */
    size_t nbuffers;
} emsg_req_t;

/* The next request on socket, checked (NULL with IPPC_E_TIMEOUT when none waits). */
emsg_req_t *emsg_recv_req(void *socket, ippc_error_t **err);
void emsg_req_destroy(emsg_req_t **r);
/* The request's header text (raw.parts[0]). */
ippc_frame_t emsg_req_header(const emsg_req_t *r);
/* A member's JSON text is exactly true / false; Python's truth of a member (absent,
 * null, false, 0 and "" are false). */
bool emsg_span_is(ippc_jspan_t v, const char *literal);
bool emsg_span_truthy(ippc_jspan_t v);
/* The reply to r on socket, from text: metadata and content are JSON object texts;
 * metadata must hold "engine" (the stock client tracks requests by it). */
int emsg_reply_text(void *socket, const emsg_req_t *r, const char *metadata, size_t mdlen, const char *content,
                    size_t clen, const ippc_bloblist_t *bufs, ippc_error_t **err);

/* A reply to req on socket: "<x>_request" → "<x>_reply" (content, metadata stolen). */
int emsg_reply(void *socket, const ippc_msg_t *req, json_t *content, json_t *metadata, ippc_bloblist_t *bufs,
               ippc_error_t **err);
/* "apply_request" → "apply_reply"; anything else gets "_reply" appended. malloc'd. */
char *emsg_reply_type(const char *request_type);

/* The error content the stock engine sends: status, ename, evalue, traceback, engine_info. */
json_t *emsg_error_content(const char *ename, const char *evalue, const char *method);

#endif
