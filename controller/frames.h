/* frames.h - whole multipart messages as zmq_msg_t frames, and the envelope check the
 * relays do before forwarding: identities, delimiter, signature, replay. The relays
 * read the JSON parts' text (ippc_env_text); the rarer paths (error replies, refused
 * requests) parse parts with jansson (ippc_env_parse). Buffers are never parsed or
 * copied: frames move from one socket to the other. */
#ifndef IPPC_FRAMES_H
#define IPPC_FRAMES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <zmq.h>

#include "replay.h"
#include "sigcheck.h"
#include "wire.h"

typedef struct {
    zmq_msg_t *parts;
    size_t n, cap;
    bool truncated; /* the message had more than IPPC_WIRE_MAX_FRAMES frames (rest dropped) */
} ippc_frames_t;

void ippc_frames_init(ippc_frames_t *f);
void ippc_frames_free(ippc_frames_t *f);
/* Close every frame held (n becomes 0). */
void ippc_frames_clear(ippc_frames_t *f);
/* Receive one whole message without waiting. Returns 1 (got one), 0 (nothing waiting)
 * or -1 (a zmq error other than EAGAIN; errno is set). Any frames held are closed first. */
int ippc_frames_recv(ippc_frames_t *f, void *socket);
/* Send frames order[0..norder) and then from..n-1, moving them (the frames are left
 * closed/empty). Returns 0 / -1 (errno from zmq; unsent frames are closed). With
 * ZMQ_ROUTER_MANDATORY, EHOSTUNREACH on the first frame leaves every frame untouched. */
int ippc_frames_send(ippc_frames_t *f, void *socket, const size_t *order, size_t norder, size_t from);

static inline const unsigned char *ippc_frame_data(ippc_frames_t *f, size_t i)
{
    return zmq_msg_data(&f->parts[i]);
}
static inline size_t ippc_frame_size(ippc_frames_t *f, size_t i) { return zmq_msg_size(&f->parts[i]); }
static inline bool ippc_frame_eq(ippc_frames_t *f, size_t i, const void *s, size_t len)
{
    return ippc_frame_size(f, i) == len && memcmp(ippc_frame_data(f, i), s, len) == 0;
}

/* Which JSON parts to parse (into the env's json_t fields). */
enum { ENV_HEADER = 1, ENV_PARENT = 2, ENV_METADATA = 4, ENV_CONTENT = 8 };

typedef struct {
    size_t delim;       /* index of "<IDS|MSG>" */
    size_t first_buffer; /* index of the first buffer frame (delim + 6) */
    size_t nbuffers;
    json_t *header, *parent, *metadata, *content; /* NULL unless asked for */
} ippc_env_t;

/* The checks a relay makes. sig checks signatures (NULL: messages are not signed);
 * replay is the history of signatures seen on the relays. min_idents: the routing
 * identities the socket type guarantees (2 for a ROUTER<->ROUTER relay). On failure
 * returns -1 with a short reason in why (for the drop log); nothing is kept. */
int ippc_env_open(ippc_env_t *env, ippc_frames_t *f, size_t min_idents, const ippc_sigcheck_t *sig,
                  ippc_replay_t *replay, unsigned parse, char *why, size_t whylen);
void ippc_env_close(ippc_env_t *env);
/* Parse more JSON parts of an opened envelope (those not parsed yet). Returns 0 / -1
 * (a part is not a JSON object). */
int ippc_env_parse(ippc_env_t *env, ippc_frames_t *f, unsigned parse);

/* JSON part k of an opened envelope (0 header, 1 parent, 2 metadata, 3 content). */
static inline const char *ippc_env_text(const ippc_env_t *env, ippc_frames_t *f, size_t k, size_t *len)
{
    *len = ippc_frame_size(f, env->delim + 2 + k);
    return (const char *)ippc_frame_data(f, env->delim + 2 + k);
}

/* A string member of a parsed object, or NULL. */
const char *ippc_json_str(const json_t *obj, const char *key);

#endif
