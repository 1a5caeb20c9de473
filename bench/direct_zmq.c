/* direct_zmq.c - the floor for bench/direct.sh: raw ZeroMQ two-hop messaging with the
 * shape of an IPython Parallel cluster, and nothing else (no JSON, no signatures, no
 * Python).
 *
 *   ippc-direct-zmq
 *
 * It forks a relay (two ROUTER sockets, swapping the routing ids like the controller's
 * mux) and four echo "engines" (DEALER sockets), all on tcp://127.0.0.1, and then
 * answers the line protocol of direct_client.c on stdin/stdout (cmdloop.c) with the same commands
 * measured the same way:
 *
 *   rtt KIND N WARM   a 100-byte request through the relay to engine 0 (apply1,
 *                     execute, push, pull) or to all four (applyall), and the
 *                     100-byte replies back
 *   async M           M requests to engine 0 sent as fast as they go, every reply received
 *   bulk BYTES        push: BYTES to engine 0, which keeps them and replies; pull: a
 *                     request, and engine 0 sends back what it kept
 *   scatter array N   BYTES/4 to each engine, then each sends its part back (gather)
 *   scatter range|list N   not measured (the floor has no Python objects): an error
 *
 * Buffers: what the client sends is pre-faulted memory of its own, sent without a copy;
 * every receiver gets libzmq's own buffer for each message. The relay and the engines
 * run with the malloc tuning of ippc's controller and engines (lib/memtune.c: freed big
 * buffers stay faulted in for the next receive), so that the floor gets the same buffer
 * reuse and the comparison measures the messaging; the client, like libippc's, runs
 * with the process's malloc as it is. The children die with the parent
 * (PR_SET_PDEATHSIG) and are also stopped by pid at exit. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "cmdloop.h"
#include "memtune.h"

#define NENGINES 4
#define SMALL 100

static void die(const char *what)
{
    fprintf(stderr, "direct_zmq: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void *new_socket(void *ctx, int type, const char *id)
{
    void *s = zmq_socket(ctx, type);
    int zero = 0;
    if (!s)
        die("zmq_socket");
    zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof(zero));
    zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof(zero));
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
    if (id)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    return s;
}

/* Move every frame of one message from one socket to another, swapping the first two
 * frames (the relay's routing: [from, to, ...] -> [to, from, ...]). */
static void relay_one(void *from, void *to)
{
    zmq_msg_t a, b, m;
    zmq_msg_init(&a);
    zmq_msg_init(&b);
    if (zmq_msg_recv(&a, from, 0) < 0 || !zmq_msg_more(&a) || zmq_msg_recv(&b, from, 0) < 0)
        die("relay recv");
    int more = zmq_msg_more(&b);
    zmq_msg_send(&b, to, ZMQ_SNDMORE);
    zmq_msg_send(&a, to, more ? ZMQ_SNDMORE : 0);
    while (more) {
        zmq_msg_init(&m);
        zmq_msg_recv(&m, from, 0);
        more = zmq_msg_more(&m);
        zmq_msg_send(&m, to, more ? ZMQ_SNDMORE : 0);
    }
}

static void run_relay(int fd)
{
    void *ctx = zmq_ctx_new();
    void *front = new_socket(ctx, ZMQ_ROUTER, NULL), *back = new_socket(ctx, ZMQ_ROUTER, NULL);
    if (zmq_bind(front, "tcp://127.0.0.1:*") != 0 || zmq_bind(back, "tcp://127.0.0.1:*") != 0)
        die("bind");
    char ep[2][256];
    size_t len = sizeof(ep[0]);
    zmq_getsockopt(front, ZMQ_LAST_ENDPOINT, ep[0], &len);
    len = sizeof(ep[1]);
    zmq_getsockopt(back, ZMQ_LAST_ENDPOINT, ep[1], &len);
    if (write(fd, ep, sizeof(ep)) != (ssize_t)sizeof(ep))
        exit(1);
    close(fd);
    zmq_pollitem_t items[2] = {{front, 0, ZMQ_POLLIN, 0}, {back, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(items, 2, -1) < 0)
            die("poll");
        if (items[0].revents & ZMQ_POLLIN)
            relay_one(front, back);
        if (items[1].revents & ZMQ_POLLIN)
            relay_one(back, front);
    }
}

/* An echo engine: [client, op, payload?] -> [client, reply]. op "ping" echoes, "push"
 * keeps the payload and acks, "pull" sends the kept payload back. */
static void run_engine(const char *back_ep, int index)
{
    void *ctx = zmq_ctx_new();
    char id[16];
    snprintf(id, sizeof(id), "e%d", index);
    void *s = new_socket(ctx, ZMQ_DEALER, id);
    if (zmq_connect(s, back_ep) != 0)
        die("connect");
    zmq_msg_t kept;
    zmq_msg_init(&kept);
    for (;;) {
        zmq_msg_t client, op, payload;
        zmq_msg_init(&client);
        zmq_msg_init(&op);
        zmq_msg_init(&payload);
        if (zmq_msg_recv(&client, s, 0) < 0 || zmq_msg_recv(&op, s, 0) < 0)
            die("engine recv");
        bool has_payload = zmq_msg_more(&op);
        if (has_payload)
            zmq_msg_recv(&payload, s, 0);
        const char *o = zmq_msg_data(&op);
        zmq_msg_send(&client, s, ZMQ_SNDMORE);
        if (zmq_msg_size(&op) == 4 && memcmp(o, "push", 4) == 0) {
            zmq_msg_close(&kept);
            zmq_msg_init(&kept);
            zmq_msg_move(&kept, &payload); /* keep it, as an engine keeps x */
            zmq_send(s, "ok", 2, 0);
        } else if (zmq_msg_size(&op) == 4 && memcmp(o, "pull", 4) == 0) {
            zmq_msg_t copy;
            zmq_msg_init(&copy);
            zmq_msg_copy(&copy, &kept); /* shares the buffer, no copy */
            zmq_msg_send(&copy, s, 0);
        } else {
            zmq_msg_send(has_payload ? &payload : &op, s, 0);
        }
        zmq_msg_close(&op);
        zmq_msg_close(&payload);
    }
}

static pid_t children[1 + NENGINES];
static int nchildren;

static void stop_children(void)
{
    for (int i = 0; i < nchildren; i++)
        kill(children[i], SIGTERM);
    for (int i = 0; i < nchildren; i++)
        waitpid(children[i], NULL, 0);
    nchildren = 0;
}

static pid_t spawn(void (*fn)(const char *, int), const char *arg, int index)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        ippc_memtune_start(); /* as ippc-controller and ippc-engine do */
        fn(arg, index);
        _exit(0);
    }
    children[nchildren++] = pid;
    return pid;
}

static void relay_main(const char *fd, int unused)
{
    (void)unused;
    run_relay(atoi(fd));
}

/* ------------------------------------------------------------------ client */

static void *client;
static char small[SMALL];

static void send_to(int engine, const char *op, const void *data, size_t len, bool zero_copy)
{
    char id[16];
    snprintf(id, sizeof(id), "e%d", engine);
    zmq_send(client, id, strlen(id), ZMQ_SNDMORE);
    if (!data) {
        zmq_send(client, op, strlen(op), 0);
        return;
    }
    zmq_send(client, op, strlen(op), ZMQ_SNDMORE);
    zmq_msg_t m;
    if (zero_copy)
        zmq_msg_init_data(&m, (void *)data, len, NULL, NULL); /* the memory outlives the send */
    else if (zmq_msg_init_size(&m, len) == 0)
        memcpy(zmq_msg_data(&m), data, len);
    zmq_msg_send(&m, client, 0);
}

/* Receive one reply [engine, payload]; returns the payload size. */
static size_t recv_reply(void)
{
    zmq_msg_t id, m;
    zmq_msg_init(&id);
    zmq_msg_init(&m);
    if (zmq_msg_recv(&id, client, 0) < 0 || zmq_msg_recv(&m, client, 0) < 0)
        die("client recv");
    size_t n = zmq_msg_size(&m);
    zmq_msg_close(&id);
    zmq_msg_close(&m);
    return n;
}

static void cmd_rtt(const char *kind, size_t n, size_t warm)
{
    int targets = strcmp(kind, "applyall") == 0 ? NENGINES : 1;
    double *s = calloc(n ? n : 1, sizeof(*s));
    for (size_t i = 0; i < warm + n; i++) {
        double t0 = bench_now();
        for (int e = 0; e < targets; e++)
            send_to(e, "ping", small, SMALL, false);
        for (int e = 0; e < targets; e++)
            recv_reply();
        if (i >= warm)
            s[i - warm] = bench_now() - t0;
    }
    bench_reply_samples(s, n);
    free(s);
}

static void cmd_async(size_t m)
{
    double t0 = bench_now();
    size_t sent = 0, got = 0;
    while (got < m) {
        zmq_pollitem_t it = {client, 0, (short)(ZMQ_POLLIN | (sent < m ? ZMQ_POLLOUT : 0)), 0};
        zmq_poll(&it, 1, -1);
        if ((it.revents & ZMQ_POLLOUT) && sent < m) {
            for (int k = 0; k < 64 && sent < m; k++, sent++)
                send_to(0, "ping", small, SMALL, false);
        }
        if (it.revents & ZMQ_POLLIN) {
            int events;
            size_t len = sizeof(events);
            do {
                recv_reply();
                got++;
                zmq_getsockopt(client, ZMQ_EVENTS, &events, &len);
            } while (got < m && (events & ZMQ_POLLIN));
        }
    }
    double t = bench_now() - t0;
    bench_reply_samples(&t, 1);
}

static double *bench_data(size_t nbytes)
{
    static double *data;
    static size_t have;
    if (have < nbytes) {
        free(data);
        data = malloc(nbytes);
        have = data ? nbytes : 0;
        if (!data) {
            perror("malloc");
            exit(1);
        }
    }
    for (size_t i = 0; i < nbytes / sizeof(double); i++)
        data[i] = (double)i;
    return data;
}

static void cmd_bulk(size_t nbytes)
{
    double *data = bench_data(nbytes);
    double t0 = bench_now();
    send_to(0, "push", data, nbytes, true);
    recv_reply();
    double t_push = bench_now() - t0;
    t0 = bench_now();
    send_to(0, "pull", NULL, 0, false);
    size_t got = recv_reply();
    double t_pull = bench_now() - t0;
    if (got != nbytes)
        printf("{\"error\": \"pull: %zu bytes, not %zu\"}\n", got, nbytes);
    else
        printf("{\"push\": %.9f, \"pull\": %.9f}\n", t_push, t_pull);
}

static void cmd_scatter(const char *kind, size_t nbytes)
{
    if (strcmp(kind, "array") != 0) {
        printf("{\"error\": \"the floor has no Python objects to scatter\"}\n");
        return;
    }
    double *data = bench_data(nbytes);
    size_t n = nbytes / sizeof(double), lo = 0;
    double t0 = bench_now();
    for (int e = 0; e < NENGINES; e++) { /* the block partition of scatter */
        size_t part = n / NENGINES + ((size_t)e < n % NENGINES);
        send_to(e, "push", data + lo, part * sizeof(double), true);
        lo += part;
    }
    for (int e = 0; e < NENGINES; e++)
        recv_reply();
    double t_scatter = bench_now() - t0;
    t0 = bench_now();
    for (int e = 0; e < NENGINES; e++)
        send_to(e, "pull", NULL, 0, false);
    size_t total = 0;
    for (int e = 0; e < NENGINES; e++)
        total += recv_reply();
    double t_gather = bench_now() - t0;
    if (total != n * sizeof(double))
        printf("{\"error\": \"gather: %zu bytes\"}\n", total);
    else
        printf("{\"scatter\": %.9f, \"gather\": %.9f}\n", t_scatter, t_gather);
}

static void cmd_bad(const char *line)
{
    (void)line;
    printf("{\"error\": \"bad command\"}\n");
}

static void cmd_cleanup(void)
{
    for (int e = 0; e < NENGINES; e++)
        send_to(e, "push", small, 1, false);
    for (int e = 0; e < NENGINES; e++)
        recv_reply();
    printf("{\"ok\": true}\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(small, 'x', sizeof(small));
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    char fdarg[16];
    snprintf(fdarg, sizeof(fdarg), "%d", fds[1]);
    spawn(relay_main, fdarg, 0);
    close(fds[1]);
    char ep[2][256];
    if (read(fds[0], ep, sizeof(ep)) != (ssize_t)sizeof(ep)) {
        fprintf(stderr, "direct_zmq: the relay did not start\n");
        stop_children();
        return 1;
    }
    close(fds[0]);
    for (int i = 0; i < NENGINES; i++)
        spawn(run_engine, ep[1], i);
    atexit(stop_children);

    void *ctx = zmq_ctx_new();
    client = new_socket(ctx, ZMQ_DEALER, "client");
    if (zmq_connect(client, ep[0]) != 0)
        die("connect");
    /* wait until every engine answers (they connect asynchronously) */
    for (int e = 0; e < NENGINES; e++) {
        int tries = 0;
        for (;;) {
            send_to(e, "ping", small, SMALL, false);
            zmq_pollitem_t it = {client, 0, ZMQ_POLLIN, 0};
            if (zmq_poll(&it, 1, 200) > 0) {
                recv_reply();
                break;
            }
            if (++tries > 100) {
                fprintf(stderr, "direct_zmq: engine %d does not answer\n", e);
                return 1;
            }
        }
    }
    /* drain late duplicates of the readiness pings */
    for (zmq_pollitem_t it = {client, 0, ZMQ_POLLIN, 0}; zmq_poll(&it, 1, 300) > 0;)
        recv_reply();
    printf("{\"ready\": true, \"client\": \"libzmq %d.%d.%d\"}\n", ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR,
           ZMQ_VERSION_PATCH);

    bench_cmdloop(&(bench_commands_t){cmd_rtt, cmd_async, cmd_bulk, cmd_scatter, cmd_cleanup, cmd_bad});
    zmq_close(client);
    zmq_ctx_term(ctx);
    return 0;
}
