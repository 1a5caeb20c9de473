/* ewire.h - the engine's messages written as text, without building JSON trees.
 *
 * Every request costs the engine three signed messages (status busy, the reply, status
 * idle). Made through jansson each one is a header object, four json_dumps and a date
 * from strftime; here the header is one snprintf of precomputed parts, the parent header
 * is the request's header frame copied as it came, and the content and metadata are text
 * already (constants, or what the Python side wrote). The meaning on the wire is the
 * same: {msg_id, msg_type, username, session, date, version} headers signed with the
 * session's key. msg_ids are "<session>_<pid>_<n>" from one counter shared with the
 * messages emsg.c still makes through jansson (emsg_new takes its ids from here). */
#ifndef ENG_EWIRE_H
#define ENG_EWIRE_H

#include <stddef.h>

#include "strbuf.h"
#include "value_codec.h"
#include "wire.h"

/* Precompute the constant header parts (session id, username as a JSON string). */
int ewire_init(const char *session_id, const char *username, ippc_error_t **err);
void ewire_fini(void);

/* The next msg_id into out. */
void ewire_next_id(char out[96]);
/* The header date format (ippc_wire_isodate) of now; the part down to the second is
 * formatted once per second. Thread-safe. */
void ewire_isodate(char out[32]);

/* Send [idents..., <IDS|MSG>, hmac, header, parent, metadata, content, bufs...] on
 * socket (ZMQ_DONTWAIT), the header made here for msg_type. parent, metadata and
 * content are JSON object texts (parent and metadata may be empty: "{}"). bufs may be
 * NULL. The socket's user must serialise calls on one socket. */
int ewire_send(void *socket, const ippc_frame_t *idents, size_t nidents, const char *msg_type,
               ippc_frame_t parent, ippc_frame_t metadata, ippc_frame_t content, const ippc_bloblist_t *bufs,
               ippc_error_t **err);

/* Append s[0..n) as a JSON string (quotes, escapes) to sb. */
void ewire_put_json_string(strbuf_t *sb, const char *s, size_t n);

#endif
