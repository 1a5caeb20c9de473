/* heart.c - see heart.h. Frames are forwarded as they came (zmq_msg_t moves, no copy). */
#include "config.h"

#include "heart.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "connect.h"
#include "error_int.h"
#include "elog.h"

static pthread_t g_thread;
static int g_stop[2] = {-1, -1};
static bool g_running;

typedef struct {
    engine_t *e;
    void *sub, *dealer;
} heart_t;

static heart_t g_heart;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The last ping that came before the engine was ready (a few parts at most). */
#define HELD_PARTS 4
typedef struct {
    zmq_msg_t part[HELD_PARTS];
    int n;
    double at;
} held_t;

static void held_clear(held_t *held)
{
    for (int i = 0; i < held->n; i++)
        zmq_msg_close(&held->part[i]);
    held->n = 0;
}

/* Move one multipart ping from sub to dealer, or into held when dealer is NULL (not
 * ready yet). Returns 1 per ping, 0 when none is left, -1 on an error. */
static int echo(void *sub, void *dealer, held_t *held)
{
    for (int i = 0;; i++) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sub, ZMQ_DONTWAIT) < 0) { /* multipart messages come whole */
            zmq_msg_close(&part);
            return zmq_errno() == EAGAIN ? 0 : -1;
        }
        if (!dealer && i == 0)
            held_clear(held); /* a newer ping */
        int more = zmq_msg_more(&part);
        if (dealer) {
            if (zmq_msg_send(&part, dealer, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
                zmq_msg_close(&part);
        } else if (i < HELD_PARTS) {
            held->part[held->n++] = part;
            held->at = now_ms();
        } else {
            zmq_msg_close(&part);
        }
        if (!more)
            return 1;
    }
}

/* The engine became ready: echo the ping that came meanwhile when it is recent (the
 * controller accepts echoes of its current ping), so that the registration completes
 * now rather than at the next ping. */
static void echo_held(heart_t *h, held_t *held)
{
    double age = now_ms() - held->at;
    if (held->n && age < h->e->hb_period_ms) {
        log_debug("heart: echoing the ping of %.0f ms ago", age);
        for (int i = 0; i < held->n; i++)
            if (zmq_msg_send(&held->part[i], h->dealer, (i + 1 < held->n ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
                zmq_msg_close(&held->part[i]);
        held->n = 0;
    }
    held_clear(held);
}

static long lost_limit_ms(const engine_t *e)
{
    long limit = (long)e->opt->hb_misses * e->hb_period_ms;
    if (limit && limit < HEART_MIN_LOST_MS)
        limit = HEART_MIN_LOST_MS;
    if (limit > HEART_MAX_LOST_MS)
        limit = HEART_MAX_LOST_MS;
    return limit;
}

static void *heart_thread(void *arg)
{
    heart_t *h = arg;
    engine_t *e = h->e;
    held_t held = {.n = 0};
    long limit = 0; /* the period is known once the engine is ready */
    double last = now_ms();
    bool lost = false, ready = false;
    for (;;) {
        zmq_pollitem_t it[2] = {{.socket = h->sub, .events = ZMQ_POLLIN}, {.fd = g_stop[0], .events = ZMQ_POLLIN}};
        int rc = zmq_poll(it, 2, 1000);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            log_error("heart: poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (it[1].revents) {
            char cmd = 0;
            if (read(g_stop[0], &cmd, 1) == 1 && cmd == HEART_READY) {
                ready = true;
                limit = lost_limit_ms(e);
                last = now_ms();
                echo_held(h, &held);
            } else {
                break;
            }
        }
        if (it[0].revents) {
            while (echo(h->sub, ready ? h->dealer : NULL, &held) > 0)
                last = now_ms();
            lost = false;
        }
        if (limit && !lost && now_ms() - last > (double)limit) {
            lost = true;
            log_error("no heartbeat from the controller for %.1f s (%d periods of %d ms): the controller is gone",
                      (now_ms() - last) / 1e3, e->opt->hb_misses, e->hb_period_ms);
            engine_wake(e->control_wake[1], WAKE_LOST);
        }
    }
    held_clear(&held);
    zmq_close(h->sub);
    zmq_close(h->dealer);
    return NULL;
}

void heart_ready(void)
{
    engine_wake(g_stop[1], HEART_READY);
}

/* Connect sub to the ping port and wait (at most HEART_SUBSCRIBE_WAIT_MS) until the
 * connection is up, so that the subscription reaches the controller before the
 * registration request does: the controller pings a new engine at once, and a ping
 * sent before the subscription arrives is lost (the next comes 0.1 s later with
 * ippc-controller, a period later with the stock one). */
static int connect_subscribed(const engine_t *e, void *sub, int port, ippc_error_t **err)
{
    static const char endpoint[] = "inproc://ippc-heart-monitor";
    void *mon = NULL;
    if (zmq_socket_monitor(sub, endpoint, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0) {
        mon = zmq_socket(e->zctx, ZMQ_PAIR);
        if (mon && zmq_connect(mon, endpoint) < 0) {
            zmq_close(mon);
            mon = NULL;
        }
    }
    if (connect_ports(e, sub, &port, 1, err) < 0) {
        if (mon)
            zmq_close(mon);
        return -1;
    }
    if (mon) {
        double t0 = now_ms();
        zmq_pollitem_t it = {.socket = mon, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, HEART_SUBSCRIBE_WAIT_MS) > 0)
            log_debug("heart: connected to the ping port in %.1f ms", now_ms() - t0);
        else
            log_debug("heart: not connected to the ping port after %d ms; registering anyway",
                      HEART_SUBSCRIBE_WAIT_MS);
        zmq_socket_monitor(sub, NULL, 0);
        int zero = 0;
        zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(mon);
    }
    return 0;
}

int heart_start(engine_t *e, ippc_error_t **err)
{
    if (pipe(g_stop) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "heart pipe");
    fcntl(g_stop[0], F_SETFD, FD_CLOEXEC);
    fcntl(g_stop[1], F_SETFD, FD_CLOEXEC);
    g_heart.e = e;
    int ping = e->ci->hb_ping, pong = e->ci->hb_pong;
    g_heart.sub = connect_socket(e, ZMQ_SUB, NULL, 0, err);
    if (!g_heart.sub)
        return -1;
    zmq_setsockopt(g_heart.sub, ZMQ_SUBSCRIBE, "", 0);
    int linger = 0;
    zmq_setsockopt(g_heart.sub, ZMQ_LINGER, &linger, sizeof linger);
    if (connect_subscribed(e, g_heart.sub, ping, err) < 0)
        return -1;
    g_heart.dealer = connect_socket(e, ZMQ_DEALER, &pong, 1, err);
    if (!g_heart.dealer)
        return -1;
    zmq_setsockopt(g_heart.dealer, ZMQ_LINGER, &linger, sizeof linger);
    /* The sockets were made here but are used only by the new thread from now on
     * (pthread_create is a full barrier, which is what libzmq asks for a hand-over). */
    int rc = pthread_create(&g_thread, NULL, heart_thread, &g_heart);
    if (rc)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, rc, "starting the heart thread");
    g_running = true;
    return 0;
}

void heart_stop(void)
{
    if (!g_running)
        return;
    engine_wake(g_stop[1], 'q');
    pthread_join(g_thread, NULL);
    g_running = false;
    close(g_stop[0]);
    close(g_stop[1]);
}
