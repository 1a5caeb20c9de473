/* heartbeat.c - heartbeats and early death detection (see heartbeat.h). */
#include "config.h"

#include "heartbeat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"
#include "registry.h"

#define MONITOR_ENDPOINT "inproc://ippc-hb-monitor"
/* Pings remembered (of beats and fast ones), to recognise late echoes of them. */
#define RING 1024

typedef struct {
    char payload[32];    /* "<seconds running>.<seq>" */
    size_t len;
    unsigned long seq;   /* pings sent before it */
} ping_t;

struct ippc_heartbeat {
    double period;
    double start;
    double next_beat;
    double next_fast;
    double next_purge;   /* when a pending registration may time out (0: none pending) */
    double next_suspect; /* when a suspected engine's grace ends (0: none) */
    ping_t ring[RING];   /* ping seq is at ring[seq % RING] */
    unsigned long nsent;  /* pings sent */
};

int ippc_heartbeat_start(ippc_ctl_t *ctl, ippc_error_t **err)
{
    ippc_heartbeat_t *hb = calloc(1, sizeof(*hb));
    if (!hb)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    hb->period = ctl->opt->ping_ms / 1000.0;
    hb->start = ctl->now;
    hb->next_beat = ctl->now;
    ctl->hb = hb;
    if (zmq_socket_monitor(ctl->sock[SOCK_HB_PONG], MONITOR_ENDPOINT, ZMQ_EVENT_DISCONNECTED) < 0)
        return ippc_error_set(err, IPPC_E_IO, "cannot monitor the heartbeat socket: %s", zmq_strerror(errno));
    ctl->hb_monitor = zmq_socket(ctl->zctx, ZMQ_PAIR);
    if (!ctl->hb_monitor || zmq_connect(ctl->hb_monitor, MONITOR_ENDPOINT) < 0)
        return ippc_error_set(err, IPPC_E_IO, "cannot connect the heartbeat monitor: %s", zmq_strerror(errno));
    return 0;
}

void ippc_heartbeat_stop(ippc_ctl_t *ctl)
{
    if (ctl->hb_monitor) {
        zmq_socket_monitor(ctl->sock[SOCK_HB_PONG], NULL, 0);
        int linger = 0;
        zmq_setsockopt(ctl->hb_monitor, ZMQ_LINGER, &linger, sizeof(linger));
        zmq_close(ctl->hb_monitor);
        ctl->hb_monitor = NULL;
    }
    free(ctl->hb);
    ctl->hb = NULL;
}

/* Send a ping (a beat's, or a fast one). */
static void send_ping(ippc_ctl_t *ctl)
{
    ippc_heartbeat_t *hb = ctl->hb;
    ping_t *p = &hb->ring[hb->nsent % RING];
    /* Like the stock monitor: the seconds the monitor has been running; then the ping's
     * number, which makes every payload distinct and finds it again in the ring. */
    int n = snprintf(p->payload, sizeof(p->payload), "%.6f.%lu", ctl->now - hb->start, hb->nsent);
    p->len = (size_t)n < sizeof(p->payload) ? (size_t)n : sizeof(p->payload) - 1;
    p->seq = hb->nsent++;
    if (zmq_send(ctl->sock[SOCK_HB_PING], p->payload, p->len, ZMQ_DONTWAIT) < 0)
        CLOG_E("heartbeat: cannot send a ping: %s", zmq_strerror(errno));
}

/* Whether an echo answers one of our pings (one of the last RING), however late. The
 * stock monitor accepts only the current and the previous beat's ping, but its beats
 * themselves run late when its machine is loaded; ours keep time, so they cannot be
 * what judges a slow engine. An echo arriving is a heart that beats: an engine is
 * dropped only when no echo at all arrives for more than the misses allowed. */
static bool valid_echo(const ippc_heartbeat_t *hb, const char *data, size_t len)
{
    const char *dot = len ? memrchr(data, '.', len) : NULL;
    if (!dot || dot == data + len - 1 || data + len - dot > 21)
        return false;
    unsigned long seq = 0;
    for (const char *c = dot + 1; c < data + len; c++) {
        if (*c < '0' || *c > '9')
            return false;
        seq = seq * 10 + (unsigned long)(*c - '0');
    }
    if (seq >= hb->nsent || hb->nsent - seq > RING)
        return false;
    const ping_t *p = &hb->ring[seq % RING];
    return p->seq == seq && p->len == len && memcmp(p->payload, data, len) == 0;
}

bool ippc_heartbeat_on_pong(ippc_ctl_t *ctl)
{
    ippc_frames_t *f = &ctl->frames;
    ippc_droplog_t *drops = &ctl->drops[SOCK_HB_PONG];
    bool full = true;
    /* echoes are tiny and come in bursts of one per engine: a larger batch */
    for (int batch = 0; batch < 4 * IPPC_BATCH; batch++) {
        if (ippc_frames_recv(f, ctl->sock[SOCK_HB_PONG]) <= 0) {
            full = false;
            break;
        }
        if (f->n != 2) {
            ippc_droplog_note(drops, ctl->now, "heartbeat echo of %zu frames (expected 1)", f->n - 1);
            continue;
        }
        ippc_engine_t *e = ippc_registry_by_uuid(ctl->registry, ippc_frame_data(f, 0), ippc_frame_size(f, 0));
        if (!e) {
            /* an engine we dropped, or one that has not sent registration_request */
            CLOG_D("heartbeat: echo from an unknown heart (%zu-byte identity); ignored", ippc_frame_size(f, 0));
            continue;
        }
        if (!valid_echo(ctl->hb, (const char *)ippc_frame_data(f, 1), ippc_frame_size(f, 1))) {
            ippc_droplog_note(drops, ctl->now, "engine %d echoed a ping we did not send (or not among the last %d)",
                              e->id, RING);
            continue;
        }
        /* The fd the echo came over identifies the connection whose closing means the
         * engine process is gone (see ippc_heartbeat_on_event). */
        int fd = zmq_msg_get(&f->parts[1], ZMQ_SRCFD);
        ippc_registry_set_fd(ctl->registry, e, fd);
        e->beat = true;
        if (e->suspect_until > 0) {
            e->suspect_until = 0;
            ctl->registry->nsuspects--;
            CLOG_I("heartbeat: engine %d reconnected its heart; still registered", e->id);
        }
        if (!e->registered)
            ippc_registry_complete(ctl, e);
    }
    ippc_frames_clear(f);
    return full;
}

bool ippc_heartbeat_on_event(ippc_ctl_t *ctl)
{
    ippc_frames_t *f = &ctl->frames;
    bool full = true;
    for (int batch = 0; batch < 4 * IPPC_BATCH; batch++) {
        if (ippc_frames_recv(f, ctl->hb_monitor) <= 0) {
            full = false;
            break;
        }
        if (f->n < 1 || ippc_frame_size(f, 0) < 6)
            continue;
        uint16_t event;
        uint32_t value;
        memcpy(&event, ippc_frame_data(f, 0), 2);
        memcpy(&value, ippc_frame_data(f, 0) + 2, 4);
        if (event != ZMQ_EVENT_DISCONNECTED)
            continue;
        ippc_engine_t *e = ippc_registry_by_fd(ctl->registry, (int)value);
        if (!e)
            continue;
        /* The fd is closed: forget the mapping so a new connection reusing the number
         * is not mistaken for this engine. */
        ctl->registry->by_fd[value] = NULL;
        e->hb_fd = -1;
        if (!e->registered || e->suspect_until > 0)
            continue;
        e->suspect_until = ctl->now + IPPC_HB_SUSPECT_GRACE;
        ctl->registry->nsuspects++;
        if (!ctl->hb->next_suspect)
            ctl->hb->next_suspect = e->suspect_until;
        if (ctl->hb->next_fast == 0 || ctl->hb->next_fast > ctl->now)
            ctl->hb->next_fast = ctl->now; /* ping at once: a live engine answers */
        CLOG_I("heartbeat: engine %d closed its heartbeat connection; unregistering it unless it "
               "echoes within %.1f s", e->id, IPPC_HB_SUSPECT_GRACE);
    }
    ippc_frames_clear(f);
    return full;
}

static void beat(ippc_ctl_t *ctl)
{
    ippc_heartbeat_t *hb = ctl->hb;
    /* Echoes that arrived before the beat count for it, as the stock monitor flushes its
     * echo stream first: a busy loop must not make the engines look late. (Bounded: a
     * flood of echoes must not hold the loop here.) */
    for (int i = 0; i < 16 && ippc_heartbeat_on_pong(ctl); i++)
        ;
    for (ippc_engine_t *e = ctl->registry->head, *nx; e; e = nx) {
        nx = e->next;
        if (!e->registered)
            continue;
        if (e->beat) {
            if (e->misses)
                CLOG_D("heartbeat: engine %d is back after %d missed beat(s)", e->id, e->misses);
            e->misses = 0;
        } else if (++e->misses > ctl->opt->hb_misses) {
            char why[96];
            snprintf(why, sizeof(why), "no heartbeat for %d beats of %d ms", e->misses, ctl->opt->ping_ms);
            ippc_registry_unregister(ctl, e, why);
            continue;
        } else {
            CLOG_D("heartbeat: engine %d missed %d beat(s)", e->id, e->misses);
        }
        e->beat = false;
    }
    send_ping(ctl);
    hb->next_beat += hb->period;
    if (hb->next_beat <= ctl->now) /* the loop was held up: do not send a burst */
        hb->next_beat = ctl->now + hb->period;
}

static double check_suspects(ippc_ctl_t *ctl)
{
    double next = 0;
    for (ippc_engine_t *e = ctl->registry->head, *nx; e && ctl->registry->nsuspects; e = nx) {
        nx = e->next;
        if (e->suspect_until <= 0)
            continue;
        if (e->suspect_until <= ctl->now) {
            ippc_registry_unregister(ctl, e, "its heartbeat connection closed (process gone)");
        } else if (!next || e->suspect_until < next) {
            next = e->suspect_until;
        }
    }
    return next;
}

static double earliest(double a, double b)
{
    if (a <= 0)
        return b;
    if (b <= 0)
        return a;
    return a < b ? a : b;
}

double ippc_heartbeat_tick(ippc_ctl_t *ctl)
{
    ippc_heartbeat_t *hb = ctl->hb;
    if (ctl->now >= hb->next_beat)
        beat(ctl);
    double next = hb->next_beat;
    /* Walking every engine is for when something is due, not for every turn of the
     * loop (a thousand engines registering would make that quadratic). */
    if (!ctl->registry->nsuspects)
        hb->next_suspect = 0;
    else if (ctl->now >= hb->next_suspect)
        hb->next_suspect = check_suspects(ctl);
    next = earliest(next, hb->next_suspect);
    if (!ctl->registry->npending)
        hb->next_purge = 0;
    else if (!hb->next_purge || ctl->now >= hb->next_purge)
        hb->next_purge = ippc_registry_purge_stalled(ctl);
    next = earliest(next, hb->next_purge);
    if (ctl->registry->npending || ctl->registry->nsuspects) {
        if (hb->next_fast == 0)
            hb->next_fast = ctl->now;
        if (ctl->now >= hb->next_fast) {
            send_ping(ctl);
            hb->next_fast = ctl->now + IPPC_HB_FAST_INTERVAL;
        }
        next = earliest(next, hb->next_fast);
    } else {
        hb->next_fast = 0;
    }
    return next;
}
