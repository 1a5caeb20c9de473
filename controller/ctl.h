/* ctl.h - the controller's state, shared by its modules.
 *
 * One thread owns everything: the main loop (main.c) polls every socket and calls the
 * module that handles it; modules reach the sockets, the session and each other's state
 * through this struct. */
#ifndef IPPC_CTL_H
#define IPPC_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "clog.h"
#include "conninfo.h"
#include "frames.h"
#include "options.h"
#include "replay.h"
#include "sigcheck.h"
#include "wire.h"

typedef struct ippc_registry ippc_registry_t;
typedef struct ippc_records ippc_records_t;
typedef struct ippc_heartbeat ippc_heartbeat_t;

/* Every socket the controller binds, in the order ports are assigned. */
typedef enum {
    SOCK_REG,      /* ROUTER: registration and hub queries (clients and engines) */
    SOCK_NOTIF,    /* PUB: registration/unregistration/shutdown notifications */
    SOCK_HB_PING,  /* PUB: heartbeat pings */
    SOCK_HB_PONG,  /* ROUTER: heartbeat echoes from the engines' DEALERs */
    SOCK_MUX_IN,   /* ROUTER: clients' direct requests */
    SOCK_MUX_OUT,  /* ROUTER: engines' shell sockets */
    SOCK_CTL_IN,   /* ROUTER: clients' control requests */
    SOCK_CTL_OUT,  /* ROUTER: engines' control sockets */
    SOCK_TASK_IN,  /* ROUTER: load-balanced requests (answered with an error) */
    SOCK_TASK_OUT, /* ROUTER: engines' shell sockets connect here too (idle) */
    SOCK_IOPUB_IN, /* SUB: engines' iopub */
    SOCK_IOPUB_OUT,/* PUB: iopub to clients */
    SOCK_BC_IN,    /* ROUTER: broadcast requests (answered with an error) */
    SOCK_BC_LEAF0, /* ROUTER: broadcast leaves engines connect to (idle) */
    SOCK_BC_LEAF1,
    SOCK_COUNT
} ippc_sock_t;

#define IPPC_BC_LEAVES 2
/* Messages a handler takes from its socket per wakeup, so one busy peer cannot starve
 * the rest. Handlers return true when they stopped at this limit (more may wait) and
 * false when the socket is drained. */
#define IPPC_BATCH 256
/* The identity our own control requests (shutdown of engines) carry, so the relay can
 * recognise and swallow their replies. */
#define IPPC_HUB_IDENT "ippc-controller"

typedef struct ippc_ctl {
    ippc_options_t *opt;
    char *profile_dir;
    char *client_file, *engine_file; /* connection files */
    bool files_written;
    bool keep_files;                 /* --reuse: the files stay after exit */
    bool reused;                     /* --reuse found files: their ports and key are used */

    void *zctx;
    void *sock[SOCK_COUNT];
    int port[SOCK_COUNT];
    void *hb_monitor;                /* PAIR: connection events of SOCK_HB_PONG */

    char *key;
    json_t *engine_info;             /* the engine connection file, for registration replies */
    ippc_session_t *session;         /* signs what we send; checks the query socket */
    ippc_sigcheck_t *verifier;       /* checks the relays' signatures; NULL when nothing is signed */
    ippc_replay_t *relay_replay;     /* signatures seen on the relays */

    ippc_registry_t *registry;
    ippc_records_t *records;
    ippc_heartbeat_t *hb;

    ippc_frames_t frames;            /* scratch for received messages */
    ippc_droplog_t drops[SOCK_COUNT];

    double now;                      /* monotonic seconds, refreshed each loop turn */
    bool stopping;
    double stop_at;                  /* exit the loop at this time once stopping */
    int exit_code;
} ippc_ctl_t;

static inline double ippc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The name of a socket, for logs ("mux_in"). */
const char *ippc_sock_name(ippc_sock_t s);

#endif
