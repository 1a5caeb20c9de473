/* lt_engines.c - a fleet of fake engines in one thread (see lt.h).
 *
 * An engine here does only what the controller can see on the wire: it registers on
 * its DEALER, echoes every heartbeat ping verbatim once its registration is accepted
 * (the stock heart monitor ignores for good a heart that beats before the hub knows its
 * registration, so a real engine connects its heart only after the reply; we connect
 * early and stay silent until then), and, with a shell socket, answers each request
 * with an apply_reply whose parent is the request header as it arrived. */
#include "config.h"

#include "lt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "error_int.h"

/* Messages taken from one socket before looking at the others: a burst of pings on
 * one engine must not starve the rest. */
#define DRAIN_BATCH 64
/* fds taken from epoll per wait */
#define EVENTS_BATCH 256

enum { K_REG, K_HB, K_SHELL };

static const lt_fleet_t *sort_fleet; /* qsort has no context argument */

static int cmp_uuid(const void *a, const void *b)
{
    return strcmp(sort_fleet->e[*(const size_t *)a].uuid, sort_fleet->e[*(const size_t *)b].uuid);
}

static lt_engine_t *find_uuid(const lt_fleet_t *fl, const char *uuid)
{
    size_t lo = 0, hi = fl->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(fl->e[fl->by_uuid[mid]].uuid, uuid);
        if (c == 0)
            return &fl->e[fl->by_uuid[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void *open_socket(void *zctx, int type, const char *identity, const ippc_conninfo_t *ci, int port,
                         ippc_error_t **err)
{
    void *s = zmq_socket(zctx, type);
    if (!s) {
        ippc_error_set(err, IPPC_E_IO, "zmq_socket: %s (raise ulimit -n?)", zmq_strerror(errno));
        return NULL;
    }
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
    if (identity)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity));
    if (type == ZMQ_SUB)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    char *url = ippc_conninfo_url(ci, port);
    if (!url || zmq_connect(s, url) < 0) {
        ippc_error_set(err, IPPC_E_IO, "connect %s: %s", url ? url : "?", zmq_strerror(errno));
        free(url);
        zmq_close(s);
        return NULL;
    }
    free(url);
    return s;
}

static void mark(lt_fleet_t *fl, size_t i)
{
    if (!fl->marked[i]) {
        fl->marked[i] = true;
        fl->todo[fl->ntodo++] = i;
    }
}

static int add_polled(lt_fleet_t *fl, void *sock, ippc_error_t **err)
{
    size_t i = fl->nitems++;
    int fd;
    size_t len = sizeof(fd);
    fl->socks[i] = sock;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
    if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) < 0 || epoll_ctl(fl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot poll a socket");
    mark(fl, i); /* nothing is known of a new socket's state */
    return 0;
}

int lt_fleet_open(lt_fleet_t *fl, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *eci,
                  const ippc_conninfo_t *cci, size_t n, bool with_shell, ippc_error_t **err)
{
    memset(fl, 0, sizeof(*fl));
    fl->epfd = -1;
    fl->zctx = zctx;
    fl->signer = signer;
    fl->per_engine = with_shell ? 3 : 2;
    fl->e = calloc(n, sizeof(*fl->e));
    fl->by_uuid = calloc(n, sizeof(*fl->by_uuid));
    size_t cap = 1 + n * fl->per_engine;
    fl->socks = calloc(cap, sizeof(*fl->socks));
    fl->marked = calloc(cap, sizeof(*fl->marked));
    fl->todo = calloc(2 * cap, sizeof(*fl->todo));
    if (!fl->e || !fl->by_uuid || !fl->socks || !fl->marked || !fl->todo)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    fl->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (fl->epfd < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "epoll_create1");
    fl->notif = open_socket(zctx, ZMQ_SUB, NULL, cci, cci->notification, err);
    if (!fl->notif)
        return -1;
    if (add_polled(fl, fl->notif, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++, fl->n++) {
        lt_engine_t *e = &fl->e[i];
        if (ippc_uuid4(e->uuid) != 0)
            return ippc_error_set(err, IPPC_E_SYSTEM, "no random bytes for a uuid");
        e->w = (lt_writer_t){.signer = signer, .session = e->uuid, .username = "bench-engine"};
        e->id = -1;
        if (!(e->reg = open_socket(zctx, ZMQ_DEALER, e->uuid, eci, eci->registration, err)) ||
            !(e->hb_sub = open_socket(zctx, ZMQ_SUB, NULL, eci, eci->hb_ping, err)) ||
            !(e->hb_pong = open_socket(zctx, ZMQ_DEALER, e->uuid, eci, eci->hb_pong, err)) ||
            (with_shell && !(e->shell = open_socket(zctx, ZMQ_ROUTER, e->uuid, eci, eci->mux, err))) ||
            add_polled(fl, e->reg, err) < 0 || add_polled(fl, e->hb_sub, err) < 0 ||
            (with_shell && add_polled(fl, e->shell, err) < 0)) {
            ippc_error_prefix(err, "engine %zu of %zu", i + 1, n);
            fl->n++; /* so that close releases what this one opened */
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++)
        fl->by_uuid[i] = i;
    sort_fleet = fl;
    qsort(fl->by_uuid, n, sizeof(*fl->by_uuid), cmp_uuid);
    return 0;
}

void lt_fleet_close(lt_fleet_t *fl)
{
    for (size_t i = 0; fl->e && i < fl->n; i++) {
        lt_engine_t *e = &fl->e[i];
        void *socks[] = {e->reg, e->hb_sub, e->hb_pong, e->shell};
        for (size_t k = 0; k < sizeof(socks) / sizeof(socks[0]); k++)
            if (socks[k])
                zmq_close(socks[k]);
    }
    if (fl->notif)
        zmq_close(fl->notif);
    lt_frames_free(&fl->fr);
    free(fl->e);
    free(fl->by_uuid);
    free(fl->socks);
    free(fl->marked);
    free(fl->todo);
    if (fl->epfd >= 0)
        close(fl->epfd);
    memset(fl, 0, sizeof(*fl));
}

int lt_fleet_register(lt_fleet_t *fl)
{
    char content[64 + IPPC_UUID_LEN];
    fl->t_first_request = lt_now();
    for (size_t i = 0; i < fl->n; i++) {
        lt_engine_t *e = &fl->e[i];
        snprintf(content, sizeof(content), "{\"uuid\":\"%s\"}", e->uuid);
        if (lt_send(&e->w, e->reg, NULL, 0, "registration_request", (lt_bytes_t){0}, "{}", content, 0, NULL) < 0) {
            fl->nunsent++;
            continue;
        }
        e->state = LT_ENGINE_REQUESTED;
        mark(fl, 1 + i * fl->per_engine + K_REG); /* sending may have consumed the fd's signal */
    }
    return fl->nunsent ? -1 : 0;
}

static void on_reply(lt_fleet_t *fl, lt_engine_t *e)
{
    long d = lt_delim(&fl->fr);
    if (d < 0 || !lt_verify(fl->signer, &fl->fr, d) || e->state != LT_ENGINE_REQUESTED)
        return;
    json_t *content = lt_part_json(&fl->fr, d, 3);
    const char *status = json_string_value(json_object_get(content, "status"));
    if (status && strcmp(status, "ok") == 0) {
        e->state = LT_ENGINE_ACCEPTED;
        e->id = (int)json_integer_value(json_object_get(content, "id"));
        if (++fl->naccepted == fl->n)
            fl->t_all_accepted = lt_now();
    } else {
        e->state = LT_ENGINE_REFUSED;
        fl->nrefused++;
    }
    json_decref(content);
}

static void on_notification(lt_fleet_t *fl)
{
    long d = lt_delim(&fl->fr);
    if (d < 0 || !lt_verify(fl->signer, &fl->fr, d))
        return;
    json_t *header = lt_part_json(&fl->fr, d, 0), *content = lt_part_json(&fl->fr, d, 3);
    const char *type = json_string_value(json_object_get(header, "msg_type"));
    const char *uuid = json_string_value(json_object_get(content, "uuid"));
    lt_engine_t *e = uuid ? find_uuid(fl, uuid) : NULL;
    if (e && type && strcmp(type, "registration_notification") == 0 && e->state == LT_ENGINE_ACCEPTED) {
        e->state = LT_ENGINE_REGISTERED;
        if (++fl->nregistered == fl->n)
            fl->t_all_registered = lt_now();
    } else if (e && type && strcmp(type, "unregistration_notification") == 0 && e->state != LT_ENGINE_LOST) {
        e->state = LT_ENGINE_LOST;
        fl->nlost++;
    }
    json_decref(header);
    json_decref(content);
}

static void on_ping(lt_fleet_t *fl, lt_engine_t *e)
{
    if (!e->pinged) {
        e->pinged = true;
        fl->npinged++;
    }
    if (e->state != LT_ENGINE_ACCEPTED && e->state != LT_ENGINE_REGISTERED)
        return;
    /* verbatim, every frame (the stock monitor sends one) */
    for (size_t i = 0; i < fl->fr.n; i++)
        if (zmq_msg_send(&fl->fr.f[i], e->hb_pong, ZMQ_DONTWAIT | (i + 1 < fl->fr.n ? ZMQ_SNDMORE : 0)) < 0)
            return;
    fl->fr.n = 0; /* sent frames are empty now; nothing left to close */
    fl->pings_echoed++;
}

static void on_request(lt_fleet_t *fl, lt_engine_t *e)
{
    long d = lt_delim(&fl->fr);
    if (d < 0 || d > IPPC_WIRE_MAX_IDENTS)
        return;
    lt_bytes_t idents[IPPC_WIRE_MAX_IDENTS];
    for (long i = 0; i < d; i++)
        idents[i] = (lt_bytes_t){lt_fdata(&fl->fr, (size_t)i), lt_fsize(&fl->fr, (size_t)i)};
    lt_bytes_t parent = {lt_fdata(&fl->fr, (size_t)d + 2), lt_fsize(&fl->fr, (size_t)d + 2)};
    char md[128 + IPPC_UUID_LEN];
    snprintf(md, sizeof(md),
             "{\"dependencies_met\":true,\"engine\":\"%s\",\"is_broadcast\":false,\"is_coalescing\":false,"
             "\"original_msg_id\":\"\",\"status\":\"ok\"}",
             e->uuid);
    if (lt_send(&e->w, e->shell, idents, (size_t)d, "apply_reply", parent, md, "{\"status\":\"ok\"}", 0, NULL) == 0)
        fl->requests_echoed++;
}

int lt_fleet_step(lt_fleet_t *fl, long timeout_ms)
{
    struct epoll_event evs[EVENTS_BATCH];
    int n = epoll_wait(fl->epfd, evs, EVENTS_BATCH, fl->ntodo ? 0 : (int)timeout_ms);
    if (n < 0 && errno != EINTR)
        return -1;
    for (int k = 0; k < n; k++)
        mark(fl, (size_t)evs[k].data.u64);
    /* sockets marked again while handling wait for the next turn */
    size_t count = fl->ntodo;
    for (size_t t = 0; t < count; t++) {
        size_t i = fl->todo[t];
        fl->marked[i] = false;
        int events = 0;
        size_t len = sizeof(events);
        if (zmq_getsockopt(fl->socks[i], ZMQ_EVENTS, &events, &len) < 0 || !(events & ZMQ_POLLIN))
            continue;
        lt_engine_t *e = i ? &fl->e[(i - 1) / fl->per_engine] : NULL;
        int kind = i ? (int)((i - 1) % fl->per_engine) : -1;
        int k = 0;
        /* drained to EAGAIN, the socket will signal its fd again; stopped short, it may not */
        for (; k < DRAIN_BATCH && lt_recv(fl->socks[i], &fl->fr, ZMQ_DONTWAIT) > 0; k++) {
            if (!e)
                on_notification(fl);
            else if (kind == K_REG)
                on_reply(fl, e);
            else if (kind == K_HB)
                on_ping(fl, e);
            else
                on_request(fl, e);
        }
        if (k == DRAIN_BATCH)
            mark(fl, i);
    }
    memmove(fl->todo, fl->todo + count, (fl->ntodo - count) * sizeof(*fl->todo));
    fl->ntodo -= count;
    return 0;
}
