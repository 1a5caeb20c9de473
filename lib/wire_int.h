/* wire_int.h - what wire.c shares with wire_recv.c (internal to libippc-core). */
#ifndef IPPC_WIRE_INT_H
#define IPPC_WIRE_INT_H

#include "error_int.h"
#include "wire.h"

/* Sets *err from zmq's errno for frame `frame` of a send or receive ("sending",
 * "receiving"): IPPC_E_TIMEOUT for EAGAIN, else IPPC_E_IO. Returns -1. */
int ippc_wire_zmq_failure(ippc_error_t **err, const char *doing, size_t frame);
/* Send b as one frame without a copy (libzmq holds a reference until sent); -1, errno. */
int ippc_wire_send_blob(void *socket, ippc_blob_t *b, int flags);
/* The frame layout: at most IPPC_WIRE_MAX_FRAMES, a delimiter after at most
 * IPPC_WIRE_MAX_IDENTS identities, a signature and four parts after it (IPPC_E_PARSE). */
int ippc_wire_check_frames(const ippc_frame_t *frames, size_t nframes, long *delim, ippc_error_t **err);
/* The signature of parts[0..4) (IPPC_E_SIGNATURE), then the replay history (IPPC_E_REPLAY). */
int ippc_session_verify(ippc_session_t *s, const ippc_frame_t *sig, const ippc_frame_t *parts,
                        ippc_error_t **err);
/* obj as compact JSON (exactly json_dumps(obj, JSON_COMPACT)), malloc'd, its length in
 * *len; NULL when out of memory or not serializable. */
char *ippc_wire_dump(const json_t *obj, size_t *len);
/* The same into buf[0..cap) (no NUL) when obj is an object the fast path writes and it
 * fits; -1 otherwise (then ippc_wire_dump, through jansson, is the way). */
int ippc_wire_dump_into(const json_t *obj, char *buf, size_t cap, size_t *len);
/* One of the four parts (name: "header", ...) as a JSON object, as parsing takes it
 * (IPPC_E_PARSE when it is not one). */
json_t *ippc_wire_load_part(const ippc_frame_t *f, const char *name, ippc_error_t **err);
/* ippc_session_parse_zmq, without checking the signature again when `verified`. */
ippc_msg_t *ippc_wire_parse_zmq(ippc_session_t *s, zmq_msg_t *frames, size_t nframes, bool verified,
                               ippc_error_t **err);

#endif
