/* relay_floor.c - ippc-relayfloor: the least a mux relay can do, for bench/controller.sh.
 *
 * Two ROUTER sockets on 127.0.0.1 (the client and the engine side of the mux) and a
 * loop that moves each message across with its first two frames swapped, exactly as
 * the controller's mux relay routes it, and nothing else: no registration, no
 * heartbeat, no parsing, no signature check, no task records. The load tool's relay
 * run (`ippc-loadtool relay --no-register`) measured through it gives the round trips
 * per second that any relay process on this machine can reach: the ceiling for both
 * ipcontroller and ippc-controller.
 *
 *   ippc-relayfloor --profile-dir=DIR   writes DIR/security/ipcontroller-{client,engine}.json
 *                                       and relays until SIGTERM/SIGINT (exit 0)
 * The other ports of the files name a port where nothing listens. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "conninfo.h"
#include "error_int.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* A TCP port nobody listens on (bound, read back, closed). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void *bind_router(void *ctx, int *port)
{
    void *s = zmq_socket(ctx, ZMQ_ROUTER);
    char ep[64];
    size_t len = sizeof ep;
    int zero = 0;
    if (!s || zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) != 0 || zmq_bind(s, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len) != 0)
        return NULL;
    const char *colon = strrchr(ep, ':');
    *port = colon ? atoi(colon + 1) : -1;
    return s;
}

static int write_files(const char *profile_dir, int client_mux, int engine_mux, ippc_error_t **err)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/security", profile_dir);
    if (mkdir(profile_dir, 0700) != 0 && errno != EEXIST)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s", profile_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "%s", dir);
    int unused = free_port();
    int rc = 0;
    for (int side = 0; rc == 0 && side < 2; side++) {
        bool engine = side == 1;
        ippc_conninfo_t *ci = ippc_conninfo_new(engine ? IPPC_SIDE_ENGINE : IPPC_SIDE_CLIENT);
        if (!ci)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        free(ci->key);
        ci->key = strdup("relay-floor-key");
        ci->registration = ci->control = ci->task = ci->iopub = unused;
        ci->notification = ci->hb_ping = ci->hb_pong = unused;
        ci->broadcast[0] = unused;
        ci->nbroadcast = 1;
        ci->mux = engine ? engine_mux : client_mux;
        snprintf(path, sizeof path, "%s/ipcontroller-%s.json", dir, engine ? "engine" : "client");
        rc = ci->key ? ippc_conninfo_write(ci, path, err) : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_conninfo_destroy(&ci);
    }
    return rc;
}

/* Move one whole message from `from` to `to`, its first two frames swapped; false when
 * none was waiting. */
static bool relay_one(void *from, void *to)
{
    zmq_msg_t a, b, m;
    zmq_msg_init(&a);
    zmq_msg_init(&b);
    if (zmq_msg_recv(&a, from, ZMQ_DONTWAIT) < 0 || !zmq_msg_more(&a) || zmq_msg_recv(&b, from, 0) < 0) {
        zmq_msg_close(&a);
        zmq_msg_close(&b);
        return false;
    }
    int more = zmq_msg_more(&b);
    zmq_msg_send(&b, to, ZMQ_SNDMORE);
    zmq_msg_send(&a, to, more ? ZMQ_SNDMORE : 0);
    while (more) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, from, 0) < 0)
            break;
        more = zmq_msg_more(&m);
        zmq_msg_send(&m, to, more ? ZMQ_SNDMORE : 0);
    }
    zmq_msg_close(&a);
    zmq_msg_close(&b);
    return true;
}

int main(int argc, char **argv)
{
    const char *profile_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--profile-dir=", 14))
            profile_dir = argv[i] + 14;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: ippc-relayfloor --profile-dir=DIR\n");
            return 0;
        }
    }
    if (!profile_dir) {
        fprintf(stderr, "Usage: ippc-relayfloor --profile-dir=DIR\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    void *ctx = zmq_ctx_new();
    int cport = -1, eport = -1;
    void *client = bind_router(ctx, &cport), *engine = client ? bind_router(ctx, &eport) : NULL;
    ippc_error_t *err = NULL;
    if (!engine) {
        fprintf(stderr, "ippc-relayfloor: bind: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    if (write_files(profile_dir, cport, eport, &err) != 0) {
        fprintf(stderr, "ippc-relayfloor: %s\n", ippc_error_message(err));
        ippc_error_destroy(&err);
        return 1;
    }
    zmq_pollitem_t it[2] = {{.socket = client, .events = ZMQ_POLLIN}, {.socket = engine, .events = ZMQ_POLLIN}};
    while (!g_stop) {
        if (zmq_poll(it, 2, 500) < 0)
            continue;
        /* drain both sides, as the controller does, before polling again */
        for (bool busy = true; busy;)
            busy = relay_one(client, engine) | relay_one(engine, client);
    }
    zmq_close(client);
    zmq_close(engine);
    zmq_ctx_term(ctx);
    return 0;
}
