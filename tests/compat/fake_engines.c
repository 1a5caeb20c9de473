/* fake_engines.c - many engine-like peers in one process, for controller load tests.
 *
 * Each fake engine does what a stock engine does to register and stay alive, and
 * nothing else: a registration DEALER (identity = its uuid) sends registration_request;
 * on the reply it connects a heartbeat SUB and DEALER (identity = uuid) and echoes every
 * ping. Then the tool asks the hub (connection_request) until it lists them all.
 *
 *   fake-engines ENGINE_JSON CLIENT_JSON N [SECONDS] [--echo-delay=MS] [--mute-after=S]
 *
 * Prints "registered N/N in X ms" once connection_request lists all N (exit 0), keeps
 * echoing for SECONDS more (default 0), or exits 1 after 60 s without them all. At the
 * end it asks once more and prints "listed at the end: K".
 * --echo-delay=MS: every echo goes out MS late (a loaded engine).
 * --mute-after=S: S seconds after they all registered, stop echoing (a hung engine
 * whose connections stay open) and print "muted at <unix time>". */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "conninfo.h"
#include "crypto.h"
#include "wire.h"

typedef struct {
    char uuid[IPPC_UUID_LEN + 1];
    void *reg, *sub, *heart;
    int id;
} fake_t;

/* Echoes held back by --echo-delay, in the order they are due (a ring). */
typedef struct {
    double due;
    size_t engine;
    char ping[64];
    size_t len;
} echo_t;

typedef struct {
    echo_t *items;
    size_t cap, head, n;
} echoq_t;

static void echoq_push(echoq_t *q, double due, size_t engine, const char *ping, size_t len)
{
    if (q->n == q->cap) {
        size_t ncap = q->cap ? 2 * q->cap : 1024;
        echo_t *ni = malloc(ncap * sizeof(*ni));
        if (!ni) {
            fprintf(stderr, "fake-engines: out of memory\n");
            exit(2);
        }
        for (size_t k = 0; k < q->n; k++)
            ni[k] = q->items[(q->head + k) % q->cap];
        free(q->items);
        q->items = ni;
        q->cap = ncap;
        q->head = 0;
    }
    echo_t *e = &q->items[(q->head + q->n++) % q->cap];
    e->due = due;
    e->engine = engine;
    e->len = len < sizeof(e->ping) ? len : sizeof(e->ping);
    memcpy(e->ping, ping, e->len);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, ippc_error_t *err)
{
    fprintf(stderr, "fake-engines: %s: %s\n", what, err ? ippc_error_message(err) : zmq_strerror(errno));
    exit(2);
}

static void *sock(void *ctx, int type, const char *identity, const char *url)
{
    void *s = zmq_socket(ctx, type);
    int linger = 0;
    if (!s)
        die("zmq_socket", NULL);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
    if (identity)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity));
    if (type == ZMQ_SUB)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(s, url) < 0)
        die(url, NULL);
    return s;
}

static void watch(struct pollfd *pfd, void **owner, unsigned char *ask, size_t k, void *s)
{
    size_t len = sizeof(pfd[k].fd);
    if (zmq_getsockopt(s, ZMQ_FD, &pfd[k].fd, &len) < 0)
        die("ZMQ_FD", NULL);
    pfd[k].events = POLLIN;
    owner[k] = s;
    ask[k] = 1;
}

static void send_msg(ippc_session_t *s, void *socket, const char *type, json_t *content)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = ippc_session_msg(s, type, content, NULL, NULL, &err);
    if (!m || ippc_session_send(s, socket, m, 0, &err) < 0)
        die(type, err);
    ippc_msg_destroy(&m);
}

/* --name=VALUE options (removed from argv) */
static double take_option(int *argc, char **argv, const char *name)
{
    size_t len = strlen(name);
    for (int i = 1; i < *argc; i++)
        if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
            double v = atof(argv[i] + len + 1);
            memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(*argv));
            (*argc)--;
            return v;
        }
    return -1;
}

static int count_listed(ippc_session_t *session, void *query)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *stale;
    while ((stale = ippc_session_recv(session, query, ZMQ_DONTWAIT, &err))) /* replies to earlier asks */
        ippc_msg_destroy(&stale);
    ippc_error_destroy(&err);
    send_msg(session, query, "connection_request", json_object());
    zmq_pollitem_t it = {.socket = query, .events = ZMQ_POLLIN};
    if (zmq_poll(&it, 1, 10000) <= 0)
        return -1;
    ippc_msg_t *m = ippc_session_recv(session, query, ZMQ_DONTWAIT, &err);
    int listed = m ? (int)json_object_size(json_object_get(m->content, "engines")) : -1;
    ippc_msg_destroy(&m);
    ippc_error_destroy(&err);
    return listed;
}

int main(int argc, char **argv)
{
    double echo_delay = take_option(&argc, argv, "--echo-delay") / 1000.0;
    double mute_after = take_option(&argc, argv, "--mute-after");
    if (argc < 4) {
        fprintf(stderr, "usage: fake-engines ENGINE_JSON CLIENT_JSON N [SECONDS] [--echo-delay=MS] [--mute-after=S]\n");
        return 2;
    }
    ippc_error_t *err = NULL;
    ippc_conninfo_t *eng = ippc_conninfo_read(argv[1], &err);
    if (!eng)
        die(argv[1], err);
    ippc_conninfo_t *cli = ippc_conninfo_read(argv[2], &err);
    if (!cli)
        die(argv[2], err);
    int n = atoi(argv[3]);
    double linger_s = argc > 4 ? atof(argv[4]) : 0;
    ippc_session_t *session = ippc_session_new(eng->key, NULL, "fake-engine", &err);
    if (!session || n <= 0)
        die("session", err);
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 3 * n + 64);
    char *reg_url = ippc_conninfo_url(eng, eng->registration);
    char *ping_url = ippc_conninfo_url(eng, eng->hb_ping);
    char *pong_url = ippc_conninfo_url(eng, eng->hb_pong);
    char *query_url = ippc_conninfo_url(cli, cli->registration);

    /* Watched with one poll(2) over the sockets' ZMQ_FDs: zmq_poll would ask each of
     * thousands of sockets for its events on every turn and become the bottleneck. */
    fake_t *f = calloc((size_t)n, sizeof(*f));
    size_t nfd = 2 * (size_t)n + 1;
    struct pollfd *pfd = calloc(nfd, sizeof(*pfd));
    void **owner = calloc(nfd, sizeof(*owner));
    unsigned char *ask = calloc(nfd, 1); /* ZMQ_FD only signals changes: ask after use */
    double t0 = now();
    void *query = sock(ctx, ZMQ_DEALER, NULL, query_url);
    for (size_t k = 0; k < nfd; k++)
        pfd[k].fd = -1;
    watch(pfd, owner, ask, 2 * (size_t)n, query);
    for (int i = 0; i < n; i++) {
        ippc_uuid4(f[i].uuid);
        f[i].id = -1;
        f[i].reg = sock(ctx, ZMQ_DEALER, f[i].uuid, reg_url);
        watch(pfd, owner, ask, 2 * (size_t)i, f[i].reg);
        send_msg(session, f[i].reg, "registration_request", json_pack("{s:s}", "uuid", f[i].uuid));
    }
    int replies = 0, listed = 0;
    double next_query = 0, done_at = 0, sent_at = now(), replied_at = 0, mute_at = 0;
    bool muted = false;
    echoq_t delayed = {0};
    while (now() - t0 < 60 && (!done_at || now() < done_at)) {
        bool pending = false;
        for (size_t k = 0; k < nfd; k++)
            pending |= ask[k];
        int timeout = pending ? 0 : 20;
        if (delayed.n) {
            double wait = delayed.items[delayed.head].due - now();
            if (wait < timeout / 1000.0)
                timeout = wait > 0 ? (int)(wait * 1000) + 1 : 0;
        }
        if (poll(pfd, nfd, timeout) < 0 && errno != EINTR)
            die("poll", NULL);
        if (mute_at && !muted && now() >= mute_at) {
            muted = true;
            struct timespec wall;
            clock_gettime(CLOCK_REALTIME, &wall);
            printf("muted at %.3f\n", wall.tv_sec + wall.tv_nsec * 1e-9);
            fflush(stdout);
        }
        for (; delayed.n && delayed.items[delayed.head].due <= now(); delayed.n--) {
            echo_t *e = &delayed.items[delayed.head];
            if (!muted)
                zmq_send(f[e->engine].heart, e->ping, e->len, ZMQ_DONTWAIT);
            delayed.head = (delayed.head + 1) % delayed.cap;
        }
        for (size_t k = 0; k < nfd; k++) {
            if (!owner[k] || !(ask[k] || pfd[k].revents))
                continue;
            ask[k] = 0;
            int events = 0;
            size_t elen = sizeof(events);
            zmq_getsockopt(owner[k], ZMQ_EVENTS, &events, &elen);
            if (!(events & ZMQ_POLLIN))
                continue;
            ask[k] = 1;
            size_t i = k / 2;
            if (owner[k] == query) {
                ippc_msg_t *m = ippc_session_recv(session, query, ZMQ_DONTWAIT, &err);
                if (!m)
                    die("connection_reply", err);
                listed = (int)json_object_size(json_object_get(m->content, "engines"));
                ippc_msg_destroy(&m);
                if (listed >= n && !done_at) {
                    printf("registered %d/%d in %.0f ms (requests sent by %.0f ms, all replies by %.0f ms)\n",
                           listed, n, (now() - t0) * 1000, (sent_at - t0) * 1000, (replied_at - t0) * 1000);
                    fflush(stdout);
                    done_at = now() + linger_s;
                    if (mute_after >= 0)
                        mute_at = now() + mute_after;
                }
            } else if (k % 2 == 0) {
                ippc_msg_t *m = ippc_session_recv(session, f[i].reg, ZMQ_DONTWAIT, &err);
                if (!m)
                    die("registration reply", err);
                const char *status = json_string_value(json_object_get(m->content, "status"));
                if (!status || strcmp(status, "ok") != 0) {
                    fprintf(stderr, "fake-engines: engine %zu refused\n", i);
                    return 1;
                }
                f[i].id = (int)json_integer_value(json_object_get(m->content, "id"));
                f[i].sub = sock(ctx, ZMQ_SUB, NULL, ping_url);
                f[i].heart = sock(ctx, ZMQ_DEALER, f[i].uuid, pong_url);
                watch(pfd, owner, ask, k + 1, f[i].sub);
                if (++replies == n)
                    replied_at = now();
                ippc_msg_destroy(&m);
            } else {
                char buf[256];
                int len = zmq_recv(f[i].sub, buf, sizeof(buf), ZMQ_DONTWAIT);
                size_t size = (size_t)(len < (int)sizeof(buf) ? len : (int)sizeof(buf));
                if (len >= 0 && echo_delay > 0)
                    echoq_push(&delayed, now() + echo_delay, i, buf, size);
                else if (len >= 0 && !muted)
                    zmq_send(f[i].heart, buf, size, ZMQ_DONTWAIT);
            }
        }
        if (replies == n && !done_at && now() >= next_query) {
            send_msg(session, query, "connection_request", json_object());
            ask[2 * (size_t)n] = 1;
            next_query = now() + 0.05;
        }
    }
    if (!done_at) {
        printf("registered %d/%d (%d replies) after %.0f ms: timed out\n", listed, n, replies, (now() - t0) * 1000);
        return 1;
    }
    printf("listed at the end: %d\n", count_listed(session, query));
    free(delayed.items);
    for (int i = 0; i < n; i++) {
        zmq_close(f[i].reg);
        if (f[i].sub) {
            zmq_close(f[i].sub);
            zmq_close(f[i].heart);
        }
    }
    zmq_close(query);
    zmq_ctx_term(ctx);
    free(f);
    free(pfd);
    free(owner);
    free(ask);
    free(reg_url);
    free(ping_url);
    free(pong_url);
    free(query_url);
    ippc_conninfo_destroy(&eng);
    ippc_conninfo_destroy(&cli);
    ippc_session_destroy(&session);
    return 0;
}
