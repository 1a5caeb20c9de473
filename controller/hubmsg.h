/* hubmsg.h - messages the controller itself sends: replies, notifications, errors. */
#ifndef IPPC_HUBMSG_H
#define IPPC_HUBMSG_H

#include <jansson.h>
#include <stddef.h>

#include "blob.h"
#include "ctl.h"

/* Error content as the stock hub makes it with error.wrap_exception():
 * {status: error, ename, evalue, traceback: [...], engine_info: {}}. An empty
 * engine_info tells the client no engine failed (so it expects no output). */
json_t *ippc_hubmsg_error(const char *ename, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a KeyError, whose str() Python shows quoted: 'No such message: x'. */
json_t *ippc_hubmsg_keyerror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sign and send a message on one of our sockets. ident (may be NULL for PUB sockets) is
 * the routing identity; content and metadata are stolen (NULL means {}); parent is a
 * header (borrowed; NULL = no parent); buffers gain a reference each. Failures are
 * logged (a reply that cannot be sent is not something the caller can repair).
 * Returns 0 / -1. */
int ippc_hubmsg_send(ippc_ctl_t *ctl, ippc_sock_t sock, const void *ident, size_t identlen,
                     const char *msg_type, json_t *content, json_t *parent, json_t *metadata,
                     ippc_blob_t *const *buffers, size_t nbuffers);

/* Answer a request whose header is req_header (borrowed) with an error reply of the
 * matching type (apply_request -> apply_reply) to ident on sock, with content (stolen)
 * and metadata (stolen; NULL: the metadata of a failed reply, without an engine). */
void ippc_hubmsg_reply_error(ippc_ctl_t *ctl, ippc_sock_t sock, const void *ident, size_t identlen,
                             json_t *req_header, json_t *metadata, json_t *content);
/* Reply metadata for a request that failed before reaching an engine; engine_uuid may
 * be NULL (then the client does not tie the failure to an engine). */
json_t *ippc_hubmsg_error_metadata(const char *engine_uuid);

#endif
