/* wire_recv.c - receiving messages (see wire.h): all the frames of one multipart
 * message are read into a raw message, whose frame layout is checked at once; its
 * signature and JSON are checked when (and if) the receiver asks for them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire_int.h"

static void raw_init(ippc_wire_raw_t *raw)
{
    raw->frames = raw->inline_frames;
    raw->nframes = 0;
    raw->verified = false;
}

void ippc_wire_raw_free(ippc_wire_raw_t *raw)
{
    if (!raw || !raw->frames)
        return;
    for (size_t i = 0; i < raw->nframes; i++)
        zmq_msg_close(&raw->frames[i]);
    if (raw->frames != raw->inline_frames)
        free(raw->frames);
    raw_init(raw);
}

/* Room for frame n: inline for the first few, then an array doubled at each power of
 * two (the move out of the inline array copies the frames as realloc would). */
static int raw_room(ippc_wire_raw_t *raw)
{
    size_t n = raw->nframes;
    if (n < IPPC_WIRE_INLINE_FRAMES || (n & (n - 1)))
        return 0;
    zmq_msg_t *v = raw->frames == raw->inline_frames ? NULL : raw->frames;
    v = realloc(v, 2 * n * sizeof(*v));
    if (!v)
        return -1;
    if (raw->frames == raw->inline_frames)
        memcpy(v, raw->inline_frames, n * sizeof(*v));
    raw->frames = v;
    return 0;
}

/* Keep frame f (moved) unless over the limit or out of memory: then it is dropped and
 * *err says why, but the caller keeps reading so that the message is consumed whole. */
static void raw_take(ippc_wire_raw_t *raw, zmq_msg_t *f, ippc_error_t **err)
{
    if (raw->nframes >= IPPC_WIRE_MAX_FRAMES) {
        ippc_error_set(err, IPPC_E_PARSE, "message has more than %d frames", IPPC_WIRE_MAX_FRAMES);
    } else if (raw_room(raw) != 0) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory receiving a message");
    } else {
        zmq_msg_init(&raw->frames[raw->nframes]);
        zmq_msg_move(&raw->frames[raw->nframes++], f);
    }
    zmq_msg_close(f);
}

/* Read all frames of the next message. Returns -1 only when nothing could be read; a
 * message that cannot be kept whole is still consumed and *err set. */
static int recv_frames(void *socket, int flags, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    zmq_msg_t f;
    zmq_msg_init(&f);
    if (zmq_msg_recv(&f, socket, flags) < 0) {
        zmq_msg_close(&f);
        return ippc_wire_zmq_failure(err, "receiving", 0);
    }
    for (;;) {
        int more = zmq_msg_more(&f);
        raw_take(raw, &f, err);
        if (!more)
            return 0;
        zmq_msg_init(&f);
        /* The rest of a multipart message is already here: this does not block, but a
         * signal can still interrupt it. */
        int rc;
        while ((rc = zmq_msg_recv(&f, socket, 0)) < 0 && zmq_errno() == EINTR)
            ;
        if (rc < 0) {
            zmq_msg_close(&f);
            ippc_wire_zmq_failure(err, "receiving", raw->nframes);
            return 0;
        }
    }
}

/* The views of the signature and the parts, once the layout is known to be right. */
static int raw_layout(ippc_wire_raw_t *raw, ippc_error_t **err)
{
    ippc_frame_t few[IPPC_WIRE_INLINE_FRAMES] = {{0}};
    ippc_frame_t *views = raw->nframes <= IPPC_WIRE_INLINE_FRAMES ? few : calloc(raw->nframes, sizeof(*views));
    if (!views)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < raw->nframes; i++)
        views[i] = (ippc_frame_t){zmq_msg_data(&raw->frames[i]), zmq_msg_size(&raw->frames[i])};
    long d = -1;
    int rc = ippc_wire_check_frames(views, raw->nframes, &d, err);
    if (rc == 0) {
        raw->sig = views[d + 1];
        memcpy(raw->parts, &views[d + 2], sizeof(raw->parts));
        raw->first_buffer = (size_t)d + 2 + sizeof(raw->parts) / sizeof(raw->parts[0]);
    }
    if (views != few)
        free(views);
    return rc;
}

int ippc_session_recv_raw(ippc_session_t *s, void *socket, int flags, ippc_wire_raw_t *raw,
                          ippc_error_t **err)
{
    (void)s; /* the layout needs no session; verifying and parsing do */
    raw_init(raw);
    ippc_error_t *local = NULL;
    if (recv_frames(socket, flags, raw, &local) == 0 && !local && raw_layout(raw, &local) == 0)
        return 0;
    ippc_wire_raw_free(raw);
    if (err && !*err)
        *err = local;
    else
        ippc_error_destroy(&local);
    return -1;
}

int ippc_session_verify_raw(ippc_session_t *s, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    if (raw->verified)
        return 0;
    if (!s)
        return ippc_error_set(err, IPPC_E_INVALID, "verifying needs a session");
    if (ippc_session_verify(s, &raw->sig, raw->parts, err) != 0)
        return -1;
    raw->verified = true;
    return 0;
}

ippc_msg_t *ippc_session_parse_raw(ippc_session_t *s, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    return ippc_wire_parse_zmq(s, raw->frames, raw->nframes, raw->verified, err);
}

ippc_msg_t *ippc_session_recv(ippc_session_t *s, void *socket, int flags, ippc_error_t **err)
{
    ippc_wire_raw_t raw;
    ippc_error_t *local = NULL;
    ippc_msg_t *m = NULL;
    if (ippc_session_recv_raw(s, socket, flags, &raw, &local) == 0)
        m = ippc_session_parse_raw(s, &raw, &local);
    ippc_wire_raw_free(&raw);
    if (local) {
        if (err && !*err)
            *err = local;
        else
            ippc_error_destroy(&local);
    }
    return m;
}
