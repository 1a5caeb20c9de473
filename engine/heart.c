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

/* Forward one multipart message from sub to dealer (dealer NULL: drop it). */
static int echo(void *sub, void *dealer)
{
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            return zmq_errno() == EAGAIN ? 0 : -1;
        }
        int more = zmq_msg_more(&part);
        if (!dealer || zmq_msg_send(&part, dealer, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
            zmq_msg_close(&part);
        if (!more)
            return 1;
    }
}

static void *heart_thread(void *arg)
{
    heart_t *h = arg;
    engine_t *e = h->e;
    long limit = (long)e->opt->hb_misses * e->hb_period_ms;
    if (limit && limit < HEART_MIN_LOST_MS)
        limit = HEART_MIN_LOST_MS;
    if (limit > HEART_MAX_LOST_MS)
        limit = HEART_MAX_LOST_MS;
    double last = now_ms();
    bool lost = false;
    for (;;) {
        zmq_pollitem_t it[2] = {{.socket = h->sub, .events = ZMQ_POLLIN}, {.fd = g_stop[0], .events = ZMQ_POLLIN}};
        int rc = zmq_poll(it, 2, 1000);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            log_error("heart: poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (it[1].revents)
            break;
        if (it[0].revents) {
            while (echo(h->sub, atomic_load(&e->ready) ? h->dealer : NULL) > 0)
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
    zmq_close(h->sub);
    zmq_close(h->dealer);
    return NULL;
}

int heart_start(engine_t *e, ippc_error_t **err)
{
    if (pipe(g_stop) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "heart pipe");
    fcntl(g_stop[0], F_SETFD, FD_CLOEXEC);
    fcntl(g_stop[1], F_SETFD, FD_CLOEXEC);
    g_heart.e = e;
    int ping = e->ci->hb_ping, pong = e->ci->hb_pong;
    g_heart.sub = connect_socket(e, ZMQ_SUB, &ping, 1, err);
    if (!g_heart.sub)
        return -1;
    zmq_setsockopt(g_heart.sub, ZMQ_SUBSCRIBE, "", 0);
    int linger = 0;
    zmq_setsockopt(g_heart.sub, ZMQ_LINGER, &linger, sizeof linger);
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
