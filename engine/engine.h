/* engine.h - the state the engine's modules share (one engine per process).
 *
 * Threads and who owns what:
 *   main     the embedded interpreter (started, with the startup code run, before
 *            registering); the shell ROUTER (mux, task, broadcast); runs one request at a
 *            time. Owns the registration DEALER until the control thread starts.
 *   heart    the heartbeat SUB and DEALER; echoes pings in C without the GIL.
 *   control  the control ROUTER and, after registration, the registration DEALER (the
 *            registration check of regcheck.h, the unregistration).
 *   output   drains the fd 1/2 pipes and flushes buffered stream text on a timer.
 * The IOPub PUB socket is shared: every send goes through iopub.c under its lock.
 * The session (HMAC key, message counter, replay history) is shared through emsg.c,
 * which serialises receives (wire.h: making and sending messages is thread-safe). */
#ifndef ENG_ENGINE_H
#define ENG_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "conninfo.h"
#include "crypto.h"
#include "options.h"
#include "wire.h"

typedef struct {
    const eng_options_t *opt;
    ippc_conninfo_t *ci;
    char uuid[IPPC_UUID_LEN + 1]; /* zmq identity, header.session, metadata.engine */
    int id;                       /* from the registration reply; -1 before */
    int requested_id;             /* --id / --mpi rank; -1 none */
    int hb_period_ms;             /* from the registration reply */
    ippc_session_t *session;
    void *zctx;
    void *reg, *shell, *control, *iopub;
    pthread_t main_thread;
    atomic_bool busy;      /* the main thread is inside a request's Python code */
    atomic_bool stopping;  /* shutdown has begun: no new requests */
    atomic_bool main_done; /* the main thread has left its loop and closed its sockets */
    atomic_int exit_code;
    int main_wake[2];      /* pipe that wakes the main thread's poll */
    int control_wake[2];   /* pipe that wakes the control thread (one command byte each) */
} engine_t;

extern engine_t g_engine;

/* Command bytes on control_wake. */
#define WAKE_TERM 'T'  /* SIGTERM */
#define WAKE_LOST 'L'  /* no pings from the controller */
#define WAKE_CRASH 'C' /* a fatal signal: send unregistration now */
#define WAKE_JOB 'J'   /* the main thread finished a queued control job */

/* Write one command byte to a wake pipe (async-signal-safe). */
void engine_wake(int fd, char cmd);

#endif
