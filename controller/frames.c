/* frames.c - multipart frames and the relay envelope check (see frames.h). */
#include "config.h"

#include "frames.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"

void ippc_frames_init(ippc_frames_t *f) { memset(f, 0, sizeof(*f)); }

void ippc_frames_clear(ippc_frames_t *f)
{
    for (size_t i = 0; i < f->n; i++)
        zmq_msg_close(&f->parts[i]);
    f->n = 0;
    f->truncated = false;
}

void ippc_frames_free(ippc_frames_t *f)
{
    ippc_frames_clear(f);
    free(f->parts);
    memset(f, 0, sizeof(*f));
}

static int frames_reserve(ippc_frames_t *f)
{
    if (f->n < f->cap)
        return 0;
    size_t ncap = f->cap ? f->cap * 2 : 16;
    zmq_msg_t *np = realloc(f->parts, ncap * sizeof(zmq_msg_t));
    if (!np)
        return -1;
    f->parts = np;
    f->cap = ncap;
    return 0;
}

int ippc_frames_recv(ippc_frames_t *f, void *socket)
{
    ippc_frames_clear(f);
    int more = 1;
    bool first = true;
    while (more) {
        zmq_msg_t scratch, *m = &scratch;
        bool keep = f->n < IPPC_WIRE_MAX_FRAMES && frames_reserve(f) == 0;
        if (keep)
            m = &f->parts[f->n];
        zmq_msg_init(m);
        /* Only the first frame may be "not there yet": the rest of a multipart message
         * arrives atomically with it. */
        if (zmq_msg_recv(m, socket, first ? ZMQ_DONTWAIT : 0) < 0) {
            int e = errno;
            zmq_msg_close(m);
            if (first && e == EAGAIN)
                return 0;
            ippc_frames_clear(f);
            errno = e;
            return -1;
        }
        first = false;
        more = zmq_msg_more(m);
        if (keep)
            f->n++;
        else {
            zmq_msg_close(m);
            f->truncated = true;
        }
    }
    return 1;
}

int ippc_frames_send(ippc_frames_t *f, void *socket, const size_t *order, size_t norder, size_t from)
{
    size_t total = norder + (from < f->n ? f->n - from : 0);
    size_t sent = 0;
    int rc = 0;
    for (size_t k = 0; k < total; k++) {
        size_t i = k < norder ? order[k] : from + (k - norder);
        int flags = ZMQ_DONTWAIT | (k + 1 < total ? ZMQ_SNDMORE : 0);
        if (zmq_msg_send(&f->parts[i], socket, flags) < 0) {
            rc = -1;
            break;
        }
        sent++;
    }
    if (rc < 0) {
        int e = errno;
        if (sent == 0 && e == EHOSTUNREACH)
            return -1; /* nothing consumed: the caller still owns every frame */
        /* A failure after the first frame cannot happen with the socket types we use
         * (ROUTER and PUB never block); close what is left so nothing leaks. */
        ippc_frames_clear(f);
        errno = e;
        return -1;
    }
    /* zmq_msg_send left the sent frames empty; closing them is a no-op but keeps the
     * bookkeeping simple. */
    ippc_frames_clear(f);
    return 0;
}

const char *ippc_json_str(const json_t *obj, const char *key)
{
    return obj ? json_string_value(json_object_get(obj, key)) : NULL;
}

static json_t *parse_part(ippc_frames_t *f, size_t i)
{
    json_t *j = json_loadb((const char *)ippc_frame_data(f, i), ippc_frame_size(f, i), 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

void ippc_env_close(ippc_env_t *env)
{
    json_decref(env->header);
    json_decref(env->parent);
    json_decref(env->metadata);
    json_decref(env->content);
    env->header = env->parent = env->metadata = env->content = NULL;
}

int ippc_env_open(ippc_env_t *env, ippc_frames_t *f, size_t min_idents, const ippc_sigcheck_t *sig,
                  ippc_replay_t *replay, unsigned parse, char *why, size_t whylen)
{
    memset(env, 0, sizeof(*env));
    if (f->truncated) {
        snprintf(why, whylen, "more than %d frames", IPPC_WIRE_MAX_FRAMES);
        return -1;
    }
    size_t limit = f->n < IPPC_WIRE_MAX_IDENTS + 1 ? f->n : IPPC_WIRE_MAX_IDENTS + 1;
    size_t d = 0;
    while (d < limit && !ippc_frame_eq(f, d, IPPC_DELIM, IPPC_DELIM_LEN))
        d++;
    if (d == limit) {
        snprintf(why, whylen, "no <IDS|MSG> delimiter among %zu frames", f->n);
        return -1;
    }
    if (d < min_idents) {
        snprintf(why, whylen, "%zu routing identities, expected %zu", d, min_idents);
        return -1;
    }
    if (f->n < d + 6) {
        snprintf(why, whylen, "%zu frames after the delimiter, expected at least 5", f->n - d - 1);
        return -1;
    }
    env->delim = d;
    env->first_buffer = d + 6;
    env->nbuffers = f->n - d - 6;
    ippc_iovec_t parts[4];
    for (size_t k = 0; k < 4; k++) {
        parts[k].data = ippc_frame_data(f, d + 2 + k);
        parts[k].len = ippc_frame_size(f, d + 2 + k);
    }
    if (sig) {
        size_t slen = ippc_frame_size(f, d + 1);
        if (slen != 2 * IPPC_HMAC_LEN) {
            snprintf(why, whylen, slen ? "malformed signature (%zu bytes)" : "unsigned message", slen);
            return -1;
        }
        unsigned char mac[IPPC_HMAC_LEN];
        char expect[2 * IPPC_HMAC_LEN + 1];
        if (ippc_sigcheck_mac(sig, parts, 4, mac) < 0) {
            snprintf(why, whylen, "cannot compute a signature");
            return -1;
        }
        /* compared as text, as jupyter_client does: the signature is lowercase hex */
        ippc_hex(mac, sizeof(mac), expect);
        if (!ippc_memeq_ct(expect, ippc_frame_data(f, d + 1), slen)) {
            snprintf(why, whylen, "wrong signature");
            return -1;
        }
        if (replay && !ippc_replay_check_and_add(replay, mac)) {
            snprintf(why, whylen, "replayed signature");
            return -1;
        }
    }
    if (ippc_env_parse(env, f, parse) < 0) {
        snprintf(why, whylen, "a JSON part is not an object");
        return -1;
    }
    return 0;
}

int ippc_env_parse(ippc_env_t *env, ippc_frames_t *f, unsigned parse)
{
    static const unsigned bits[4] = {ENV_HEADER, ENV_PARENT, ENV_METADATA, ENV_CONTENT};
    json_t **slots[4] = {&env->header, &env->parent, &env->metadata, &env->content};
    for (size_t k = 0; k < 4; k++) {
        if (!(parse & bits[k]) || *slots[k])
            continue;
        if (!(*slots[k] = parse_part(f, env->delim + 2 + k))) {
            ippc_env_close(env);
            return -1;
        }
    }
    return 0;
}
