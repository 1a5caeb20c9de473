/* lt_client.c - a fake client on the mux port (see lt.h).
 *
 * Requests are apply_requests with empty content and no buffers: the smallest message
 * a controller relays and records, so that what is measured is the controller's cost
 * per message rather than the copying of payloads. A reply counts when its signature
 * holds, its parent is one of our headers and its content says ok (a controller that
 * cannot reach the engine answers with an error instead). */
#include "config.h"

#include "lt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"

/* A reply missing this long ends a run: the controller has lost it. */
#define REPLY_TIMEOUT 5.0
#define PROBE_INTERVAL 0.2

int lt_client_open(lt_client_t *c, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *cci,
                   const char *engine_uuid, ippc_error_t **err)
{
    memset(c, 0, sizeof(*c));
    c->signer = signer;
    if (ippc_uuid4(c->session) != 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "no random bytes for a uuid");
    snprintf(c->engine_uuid, sizeof(c->engine_uuid), "%s", engine_uuid);
    c->w = (lt_writer_t){.signer = signer, .session = c->session, .username = "bench-client"};
    c->mux = zmq_socket(zctx, ZMQ_DEALER);
    if (!c->mux)
        return ippc_error_set(err, IPPC_E_IO, "zmq_socket: %s", zmq_strerror(errno));
    int linger = 0;
    zmq_setsockopt(c->mux, ZMQ_LINGER, &linger, sizeof(linger));
    char *url = ippc_conninfo_url(cci, cci->mux);
    int rc = url ? zmq_connect(c->mux, url) : -1;
    if (rc < 0)
        ippc_error_set(err, IPPC_E_IO, "connect %s: %s", url ? url : "?", zmq_strerror(errno));
    free(url);
    return rc;
}

void lt_client_close(lt_client_t *c)
{
    if (c->mux)
        zmq_close(c->mux);
    lt_frames_free(&c->fr);
    memset(c, 0, sizeof(*c));
}

static int send_request(lt_client_t *c, unsigned long *msgno)
{
    lt_bytes_t target = {c->engine_uuid, strlen(c->engine_uuid)};
    return lt_send(&c->w, c->mux, &target, 1, "apply_request", (lt_bytes_t){0}, "{}", "{}", 0, msgno);
}

/* Wait until `deadline` for one reply; true with its request's number in *msgno. */
static bool recv_reply(lt_client_t *c, double deadline, unsigned long *msgno)
{
    for (;;) {
        if (lt_recv(c->mux, &c->fr, ZMQ_DONTWAIT) < 0) {
            double left = deadline - lt_now();
            if (errno != EAGAIN || left <= 0)
                return false;
            zmq_pollitem_t it = {.socket = c->mux, .events = ZMQ_POLLIN};
            zmq_poll(&it, 1, (long)(left * 1000) + 1);
            continue;
        }
        long d = lt_delim(&c->fr);
        static const char ok[] = "\"status\":\"ok\"";
        if (d < 0 || !lt_verify(c->signer, &c->fr, d) ||
            !lt_msgno(lt_fdata(&c->fr, (size_t)d + 3), lt_fsize(&c->fr, (size_t)d + 3), c->session, msgno) ||
            !memmem(lt_fdata(&c->fr, (size_t)d + 5), lt_fsize(&c->fr, (size_t)d + 5), ok, sizeof(ok) - 1)) {
            c->bad++;
            continue;
        }
        return true;
    }
}

bool lt_client_probe(lt_client_t *c, double timeout)
{
    double end = lt_now() + timeout;
    while (lt_now() < end) {
        unsigned long sent, got;
        if (send_request(c, &sent) < 0)
            return false;
        if (recv_reply(c, lt_now() + PROBE_INTERVAL, &got))
            return true;
    }
    return false;
}

size_t lt_client_pingpong(lt_client_t *c, size_t n, double *lat)
{
    for (size_t i = 0; i < n; i++) {
        unsigned long sent, got;
        double t0 = lt_now();
        if (send_request(c, &sent) < 0)
            return i;
        for (;;) {
            if (!recv_reply(c, t0 + REPLY_TIMEOUT, &got))
                return i;
            if (got == sent)
                break;
            c->stale++;
        }
        lat[i] = lt_now() - t0;
    }
    return n;
}

size_t lt_client_pipeline(lt_client_t *c, size_t total, size_t window, double *elapsed)
{
    size_t sent = 0, done = 0;
    unsigned long first = c->w.counter + 1, no, got;
    double t0 = lt_now();
    while (done < total) {
        for (; sent < total && sent - done < window; sent++)
            if (send_request(c, &no) < 0)
                goto out;
        if (!recv_reply(c, lt_now() + REPLY_TIMEOUT, &got))
            break;
        if (got >= first && got < first + total)
            done++;
        else
            c->stale++;
    }
out:
    *elapsed = lt_now() - t0;
    return done;
}

int lt_query_engines(void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *cci, double timeout)
{
    char session[IPPC_UUID_LEN + 1];
    if (ippc_uuid4(session) != 0)
        return -1;
    lt_writer_t w = {.signer = signer, .session = session, .username = "bench-client"};
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    char *url = ippc_conninfo_url(cci, cci->registration);
    int linger = 0, count = -1;
    lt_frames_t fr = {0};
    if (!s || !url)
        goto out;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
    if (zmq_connect(s, url) < 0 ||
        lt_send(&w, s, NULL, 0, "connection_request", (lt_bytes_t){0}, "{}", "{}", 0, NULL) < 0)
        goto out;
    zmq_pollitem_t it = {.socket = s, .events = ZMQ_POLLIN};
    if (zmq_poll(&it, 1, (long)(timeout * 1000)) <= 0 || lt_recv(s, &fr, ZMQ_DONTWAIT) < 0)
        goto out;
    long d = lt_delim(&fr);
    if (d < 0 || !lt_verify(signer, &fr, d))
        goto out;
    json_t *content = lt_part_json(&fr, d, 3);
    json_t *engines = json_object_get(content, "engines");
    if (json_is_object(engines))
        count = (int)json_object_size(engines);
    json_decref(content);
out:
    lt_frames_free(&fr);
    free(url);
    if (s)
        zmq_close(s);
    return count;
}
