/* wire.h - Jupyter 5.3 messages as IPython Parallel sends them over ZeroMQ.
 *
 *   [ident..., "<IDS|MSG>", hmac_hex, header, parent_header, metadata, content, buffer...]
 *
 * A session holds the key, the session id and username that go into headers, a message
 * counter for unique msg_ids, and the replay history. Messages hold parsed JSON for the
 * four signed parts, copies of the routing identities, and buffers as blobs (received
 * frames are kept without copying; buffers are sent without copying). */
#ifndef IPPC_WIRE_H
#define IPPC_WIRE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <zmq.h>

#include "blob.h"
#include "ippc.h"
#include "replay.h"

#define IPPC_DELIM "<IDS|MSG>"
#define IPPC_DELIM_LEN 9
#define IPPC_PROTOCOL_VERSION "5.3"
/* Limits for hostile input: more frames or identities than this is malformed. */
#define IPPC_WIRE_MAX_IDENTS 64
#define IPPC_WIRE_MAX_FRAMES 65536

typedef struct {
    unsigned char *data;
    size_t len;
} ippc_ident_t;

typedef struct {
    ippc_ident_t *idents;
    size_t nidents;
    json_t *header;        /* always an object once built or parsed */
    json_t *parent_header; /* object ({} when none) */
    json_t *metadata;      /* object */
    json_t *content;       /* object */
    ippc_blob_t **buffers;
    size_t nbuffers;
} ippc_msg_t;

/* A frame as (pointer, length): the input of ippc_wire_parse (fuzzing, tests). */
typedef struct {
    const void *data;
    size_t len;
} ippc_frame_t;

ippc_msg_t *ippc_msg_new(void);
void ippc_msg_destroy(ippc_msg_t **m);
int ippc_msg_add_ident(ippc_msg_t *m, const void *data, size_t len);          /* copies */
/* Takes a reference of its own (ippc_blob_ref): the caller still drops its own. */
int ippc_msg_add_buffer(ippc_msg_t *m, ippc_blob_t *b);
/* Convenience readers of the parsed header; NULL when absent or not a string. */
const char *ippc_msg_type(const ippc_msg_t *m);
const char *ippc_msg_id(const ippc_msg_t *m);
const char *ippc_msg_parent_id(const ippc_msg_t *m);

/* A session is not locked: ippc_session_msg, _sign, _serialize and _send may be called
 * from several threads at once (msg_ids stay unique), but _recv and _parse_* update the
 * replay history and must be used by one thread at a time. */
typedef struct ippc_session ippc_session_t;

/* key may be NULL or "" (unsigned messages: empty signature, nothing checked).
 * session_id NULL means a fresh uuid4; username NULL means the login name or "username". */
ippc_session_t *ippc_session_new(const char *key, const char *session_id, const char *username,
                                 ippc_error_t **err);
void ippc_session_destroy(ippc_session_t **s);
const char *ippc_session_id(const ippc_session_t *s);
/* Turn replay checking off (e.g. for a relay that forwards the same message twice). */
void ippc_session_set_replay_check(ippc_session_t *s, bool on);

/* A new message with a fresh header {msg_id, msg_type, username, session, date, version}.
 * content and metadata are stolen (NULL means {}); parent (a header) is referenced. */
ippc_msg_t *ippc_session_msg(ippc_session_t *s, const char *msg_type, json_t *content,
                             json_t *parent, json_t *metadata, ippc_error_t **err);

/* The signature of the four serialized parts, as lowercase hex into out[65] ("" unsigned). */
int ippc_session_sign(const ippc_session_t *s, const ippc_iovec_t parts[4], char out[2 * IPPC_HMAC_LEN + 1]);

/* The frames of a message as they go on the wire (ippc_session_serialize). The signature
 * and JSON parts are owned here; identity and buffer frames point into the message, so
 * the message must outlive this and stay unchanged. */
typedef struct {
    ippc_frame_t *frames; /* idents, delimiter, signature, 4 JSON parts, buffers */
    size_t nframes;
    char *parts[4]; /* header, parent_header, metadata, content as compact JSON */
    size_t lens[4];
    char sig[2 * IPPC_HMAC_LEN + 1];
} ippc_wire_out_t;

/* Serialize and sign m into out (zeroed first; freed with ippc_wire_out_free even after a
 * failure). IPPC_E_INVALID when m does not hold four JSON objects. */
int ippc_session_serialize(const ippc_session_t *s, const ippc_msg_t *m, ippc_wire_out_t *out,
                           ippc_error_t **err);
void ippc_wire_out_free(ippc_wire_out_t *out);

/* Serialize m (compact JSON, UTF-8) and send it as one multipart message. flags may be
 * ZMQ_DONTWAIT. Returns 0 / -1 (IPPC_E_IO with zmq's reason; EAGAIN → IPPC_E_TIMEOUT). */
int ippc_session_send(ippc_session_t *s, void *socket, const ippc_msg_t *m, int flags, ippc_error_t **err);
/* Receive one multipart message (all its frames) and parse it. flags may be ZMQ_DONTWAIT
 * (nothing waiting → NULL with IPPC_E_TIMEOUT). A malformed, badly signed or replayed
 * message is consumed whole and reported with IPPC_E_PARSE / IPPC_E_SIGNATURE / IPPC_E_REPLAY. */
ippc_msg_t *ippc_session_recv(ippc_session_t *s, void *socket, int flags, ippc_error_t **err);
/* Parse frames already in memory (copies what it keeps). Same errors as recv.
 * Checked in this order: frame count, delimiter, identities, signature syntax and value
 * (IPPC_E_SIGNATURE, compared in constant time), replay (IPPC_E_REPLAY: only verified
 * signatures enter the history), then each part's JSON and the header's msg_id, msg_type
 * and session (IPPC_E_PARSE). An unsigned session ignores the signature frame. */
ippc_msg_t *ippc_session_parse(ippc_session_t *s, const ippc_frame_t *frames, size_t nframes,
                               ippc_error_t **err);
/* Parse received zmq frames; takes the buffers' memory without copying: the buffer
 * frames are moved into the message's blobs (left empty). The caller still closes all
 * frames afterwards, whether parsing succeeded or not. */
ippc_msg_t *ippc_session_parse_zmq(ippc_session_t *s, zmq_msg_t *frames, size_t nframes,
                                   ippc_error_t **err);

/* A received message whose JSON is not parsed yet, for a receiver that can decide from
 * a few strings (read with jscan.h from the parts' text) that it does not need the rest:
 * the client drops other clients' output and handles status messages this way, with no
 * allocation. The frames are held inline for the usual few, so the struct must stay
 * where ippc_session_recv_raw filled it. */
#define IPPC_WIRE_INLINE_FRAMES 16
typedef struct {
    zmq_msg_t *frames; /* every frame of the message */
    size_t nframes;
    ippc_frame_t sig;      /* views of the signature frame */
    ippc_frame_t parts[4]; /* and of header, parent_header, metadata, content (JSON text) */
    size_t first_buffer;   /* frames[first_buffer..nframes) are the buffers */
    bool verified;         /* signature and replay checked (ippc_session_verify_raw) */
    zmq_msg_t inline_frames[IPPC_WIRE_INLINE_FRAMES];
} ippc_wire_raw_t;

/* Receive one multipart message and check its frame layout (as ippc_session_recv does
 * first); nothing else is checked yet. Returns 0, or -1 with raw empty: nothing waiting
 * (IPPC_E_TIMEOUT), zmq failed (IPPC_E_IO), or a malformed message was consumed
 * (IPPC_E_PARSE, IPPC_E_NOMEM). */
int ippc_session_recv_raw(ippc_session_t *s, void *socket, int flags, ippc_wire_raw_t *raw,
                          ippc_error_t **err);
/* Check the signature and the replay history (once; IPPC_E_SIGNATURE, IPPC_E_REPLAY). A
 * message must pass this before anything taken from it is acted on. */
int ippc_session_verify_raw(ippc_session_t *s, ippc_wire_raw_t *raw, ippc_error_t **err);
/* The whole message, exactly as ippc_session_recv would have returned it (verifying it
 * first unless done); buffer frames are moved into the message. */
ippc_msg_t *ippc_session_parse_raw(ippc_session_t *s, ippc_wire_raw_t *raw, ippc_error_t **err);
/* Close the frames (raw stays reusable for another ippc_session_recv_raw). */
void ippc_wire_raw_free(ippc_wire_raw_t *raw);

/* The date format of headers: "2026-11-25T12:02:52.109945Z" (27 chars) into out (now when
 * ts NULL). */
void ippc_wire_isodate(const struct timespec *ts, char out[32]);
/* Index of the "<IDS|MSG>" delimiter among frames, or -1. */
long ippc_wire_find_delim(const ippc_frame_t *frames, size_t nframes);

#endif
