/* main.c - ippc-controller: start up, run the poll loop, shut down.
 *
 * One thread and one zmq_poll loop serve every socket (see ctl.h for the list), the
 * heartbeat timers and a self-pipe that turns SIGTERM/SIGINT into a clean stop: the
 * connection files are removed and the sockets closed. Start failures print one line
 * and exit 1; command-line and profile errors exit 2. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clog.h"
#include "crypto.h"
#include "ctl.h"
#include "error_int.h"
#include "heartbeat.h"
#include "memtune.h"
#include "nosched.h"
#include "options.h"
#include "queries.h"
#include "records.h"
#include "registry.h"
#include "relay.h"
#include "sockets.h"
#include "strmap.h"

static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    /* the pipe is non-blocking: a full pipe already holds a stop request */
    if (write(signal_pipe[1], &b, 1) < 0) {
    }
    errno = saved;
}

static int setup_signals(ippc_error_t **err)
{
    if (pipe(signal_pipe) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "pipe");
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Where the files go: --profile-dir (or $IPP_PROFILE_DIR), else the named profile in
 * $IPYTHONDIR (--ipython-dir sets it). */
static int resolve_paths(ippc_ctl_t *ctl, ippc_error_t **err)
{
    const ippc_options_t *o = ctl->opt;
    if (o->ipython_dir && setenv("IPYTHONDIR", o->ipython_dir, 1) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "setenv");
    ctl->profile_dir = o->profile_dir ? strdup(o->profile_dir) : ippc_profile_dir(o->profile);
    if (!ctl->profile_dir)
        return ippc_error_set(err, IPPC_E_NOMEM, "cannot determine the profile directory");
    ctl->client_file = ippc_connection_file_path(ctl->profile_dir, o->cluster_id, "client");
    ctl->engine_file = ippc_connection_file_path(ctl->profile_dir, o->cluster_id, "engine");
    if (!ctl->client_file || !ctl->engine_file)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return 0;
}

static int new_key(ippc_ctl_t *ctl, ippc_error_t **err)
{
    char uuid[IPPC_UUID_LEN + 1];
    if (ippc_uuid4(uuid) < 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "cannot make a key: no random source");
    ctl->key = strdup(uuid);
    return ctl->key ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
}

static int startup(ippc_ctl_t *ctl, ippc_error_t **err)
{
    const ippc_options_t *o = ctl->opt;
    unsigned char seed[16];
    if (ippc_random_bytes(seed, sizeof(seed)) < 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "no random source for the hash tables");
    ippc_strmap_seed(seed);
    if (resolve_paths(ctl, err) < 0)
        return -1;

    int ports[SOCK_COUNT] = {0};
    char *bind_ip = strdup(o->ip);
    if (!bind_ip)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    /* like the stock reuse_files: the files are used when there, and left on exit */
    ctl->keep_files = o->reuse;
    if (o->reuse && ippc_sockets_load_reused(ctl, ports, &bind_ip) == 1)
        ctl->reused = true;
    else
        memset(ports, 0, sizeof(ports));
    if (o->regport && !ctl->reused)
        ports[SOCK_REG] = o->regport;
    int rc = -1;
    if (!ctl->key && new_key(ctl, err) < 0)
        goto out;

    ctl->session = ippc_session_new(ctl->key, NULL, "ippc-controller", err);
    if (!ctl->session)
        goto out;
    if (ctl->key[0] && !(ctl->verifier = ippc_sigcheck_new(ctl->key, strlen(ctl->key)))) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    ctl->relay_replay = ippc_replay_new(IPPC_REPLAY_DEFAULT_CAPACITY);
    /* The stock registration_timeout: max(30 s, 10 periods). */
    double reg_timeout = fmax(30.0, 10.0 * o->ping_ms / 1000.0);
    ctl->registry = ippc_registry_new(reg_timeout);
    ctl->records = ippc_records_new(o->records_max, o->records_max_bytes, !o->nodb);
    ctl->zctx = zmq_ctx_new();
    if (!ctl->relay_replay || !ctl->registry || !ctl->records || !ctl->zctx) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < SOCK_COUNT; i++)
        ippc_droplog_init(&ctl->drops[i], ippc_sock_name((ippc_sock_t)i));
    ctl->now = ippc_now();
    /* signals first: a stop request that arrives once the files exist must remove them */
    if (setup_signals(err) < 0 || ippc_sockets_open(ctl, ports, bind_ip, err) < 0 ||
        ippc_heartbeat_start(ctl, err) < 0 || ippc_sockets_write_files(ctl, bind_ip, err) < 0)
        goto out;
    if (o->nodb)
        CLOG_I("listening on %s (registration port %d); ping %d ms, %d misses allowed; records: none (--nodb)",
               bind_ip, ctl->port[SOCK_REG], o->ping_ms, o->hb_misses);
    else
        CLOG_I("listening on %s (registration port %d); ping %d ms, %d misses allowed; records: in memory, "
               "at most %zu / %zu bytes", bind_ip, ctl->port[SOCK_REG], o->ping_ms, o->hb_misses, o->records_max,
               o->records_max_bytes);
    CLOG_I("connection files: %s and %s", ctl->client_file, ctl->engine_file);
    rc = 0;
out:
    free(bind_ip);
    return rc;
}

static void shutdown_all(ippc_ctl_t *ctl)
{
    ippc_sockets_remove_files(ctl);
    ippc_heartbeat_stop(ctl);
    ippc_sockets_close(ctl);
    if (ctl->zctx)
        zmq_ctx_term(ctl->zctx);
    ippc_frames_free(&ctl->frames);
    ippc_registry_destroy(&ctl->registry);
    ippc_records_destroy(&ctl->records);
    ippc_replay_destroy(&ctl->relay_replay);
    ippc_session_destroy(&ctl->session);
    ippc_sigcheck_destroy(&ctl->verifier);
    json_decref(ctl->engine_info);
    free(ctl->key);
    free(ctl->profile_dir);
    free(ctl->client_file);
    free(ctl->engine_file);
    for (int i = 0; i < 2; i++)
        if (signal_pipe[i] >= 0)
            close(signal_pipe[i]);
}

/* Which handler serves each socket we read, and the sockets it may send on. */
typedef struct {
    ippc_sock_t sock;
    bool (*fn)(ippc_ctl_t *ctl); /* true: stopped at its batch limit */
    unsigned sends; /* bits of routes[] whose sockets the handler may send on */
} route_t;

static bool drain_task_out(ippc_ctl_t *ctl) { return ippc_nosched_drain(ctl, SOCK_TASK_OUT); }
static bool drain_leaf0(ippc_ctl_t *ctl) { return ippc_nosched_drain(ctl, SOCK_BC_LEAF0); }
static bool drain_leaf1(ippc_ctl_t *ctl) { return ippc_nosched_drain(ctl, SOCK_BC_LEAF1); }

enum { R_MUX_IN, R_MUX_OUT, R_CTL_IN, R_CTL_OUT, R_IOPUB, R_PONG, R_REG, R_TASK, R_BC, R_TASK_OUT,
       R_LEAF0, R_LEAF1, R_MONITOR, NROUTES };
#define B(r) (1u << (r))

static const route_t routes[NROUTES] = {
    [R_MUX_IN] = {SOCK_MUX_IN, ippc_relay_mux_requests, B(R_MUX_OUT) | B(R_MUX_IN)},
    [R_MUX_OUT] = {SOCK_MUX_OUT, ippc_relay_mux_replies, B(R_MUX_IN)},
    [R_CTL_IN] = {SOCK_CTL_IN, ippc_relay_ctl_requests, B(R_CTL_OUT) | B(R_CTL_IN)},
    [R_CTL_OUT] = {SOCK_CTL_OUT, ippc_relay_ctl_replies, B(R_CTL_IN)},
    [R_IOPUB] = {SOCK_IOPUB_IN, ippc_relay_iopub, 0},
    [R_PONG] = {SOCK_HB_PONG, ippc_heartbeat_on_pong, 0},
    [R_REG] = {SOCK_REG, ippc_queries_on_recv, B(R_CTL_OUT) | B(R_REG)},
    [R_TASK] = {SOCK_TASK_IN, ippc_nosched_task, B(R_TASK)},
    [R_BC] = {SOCK_BC_IN, ippc_nosched_broadcast, B(R_BC)},
    [R_TASK_OUT] = {SOCK_TASK_OUT, drain_task_out, 0},
    [R_LEAF0] = {SOCK_BC_LEAF0, drain_leaf0, 0},
    [R_LEAF1] = {SOCK_BC_LEAF1, drain_leaf1, 0},
    [R_MONITOR] = {SOCK_COUNT, ippc_heartbeat_on_event, 0},
};

static double earliest(double a, double b) { return a <= 0 ? b : (b <= 0 || a < b) ? a : b; }

static void *route_socket(const ippc_ctl_t *ctl, int r)
{
    return routes[r].sock == SOCK_COUNT ? ctl->hb_monitor : ctl->sock[routes[r].sock];
}

/* Whether a socket has a message waiting (asking costs libzmq two system calls). */
static bool readable(const ippc_ctl_t *ctl, int r)
{
    int events = 0;
    size_t len = sizeof(events);
    return zmq_getsockopt(route_socket(ctl, r), ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN);
}

/* How long a socket may stay unsure (see run) before it is asked. libzmq lets a send
 * take the socket's pending commands at most once a millisecond or so. */
#define UNSURE_DELAY 0.001

/* The loop polls the sockets' ZMQ_FDs with one poll(2) (zmq_poll would ask every socket
 * for ZMQ_EVENTS twice per wakeup, two system calls each). A socket's ZMQ_FD only
 * signals new commands for it, so:
 *  - a handler whose descriptor fired is simply run: its first receive takes the
 *    commands, and it reads until the socket is empty (`more` holds the handlers that
 *    stopped at their batch limit instead: they run again at once);
 *  - a socket that was sent on after it was last emptied is unsure: the send may have
 *    taken (and applied) the command that announced a new message, and then its
 *    descriptor will not fire for that message. Such sockets are asked for ZMQ_EVENTS
 *    once they have been unsure for UNSURE_DELAY: by then traffic has usually emptied
 *    them anyway (a reply comes, the handler reads), so the question is rarely asked,
 *    and a message whose wakeup was taken waits at most that long.
 * While messages keep arriving, a turn costs one poll(2) plus what libzmq needs per
 * socket read, not a round of questions to every socket. */
static int run(ippc_ctl_t *ctl)
{
    struct pollfd pfd[NROUTES + 1];
    for (int r = 0; r < NROUTES; r++) {
        size_t len = sizeof(pfd[r].fd);
        if (zmq_getsockopt(route_socket(ctl, r), ZMQ_FD, &pfd[r].fd, &len) < 0) {
            CLOG_E("cannot get the file descriptor of a socket: %s", zmq_strerror(errno));
            return 1;
        }
        pfd[r].events = POLLIN;
    }
    pfd[NROUTES] = (struct pollfd){signal_pipe[0], POLLIN, 0};
    unsigned more = (1u << NROUTES) - 1; /* run every handler on the first turn */
    double unsure_since[NROUTES] = {0};   /* 0: not unsure */
    for (;;) {
        ctl->now = ippc_now();
        double next = ippc_heartbeat_tick(ctl);
        for (int i = 0; i < SOCK_COUNT; i++) {
            ippc_droplog_flush(&ctl->drops[i], ctl->now);
            next = earliest(next, ippc_droplog_due(&ctl->drops[i]));
        }
        if (ctl->stopping) {
            if (ctl->now >= ctl->stop_at)
                return 0;
            next = earliest(next, ctl->stop_at);
        }
        for (int r = 0; r < NROUTES; r++) {
            if (!unsure_since[r])
                continue;
            double due = unsure_since[r] + UNSURE_DELAY;
            if (ctl->now >= due) {
                unsure_since[r] = 0;
                if (readable(ctl, r))
                    more |= B(r);
            } else {
                next = earliest(next, due);
            }
        }
        long timeout = 0;
        if (!more) {
            timeout = next > ctl->now ? (long)ceil((next - ctl->now) * 1000.0) : 0;
            if (timeout > 1000)
                timeout = 1000;
        }
        int rc = poll(pfd, NROUTES + 1, (int)timeout);
        if (rc < 0 && errno != EINTR) {
            CLOG_E("poll failed: %s", strerror(errno));
            return 1;
        }
        ctl->now = ippc_now();
        if (rc > 0 && (pfd[NROUTES].revents & POLLIN)) {
            unsigned char sig = 0;
            if (read(signal_pipe[0], &sig, 1) == 1) {
                CLOG_I("received signal %d (%s); shutting down", sig, strsignal(sig));
                return 0;
            }
        }
        for (int r = 0; rc > 0 && r < NROUTES; r++)
            if (pfd[r].revents)
                more |= B(r);
        unsigned todo = more;
        more = 0;
        for (int r = 0; r < NROUTES; r++) {
            if (!(todo & B(r)))
                continue;
            if (routes[r].fn(ctl))
                more |= B(r);
            else
                unsure_since[r] = 0; /* emptied after its own sends */
            for (int s = 0; s < NROUTES; s++)
                if (s != r && (routes[r].sends & B(s)) && !unsure_since[s])
                    unsure_since[s] = ctl->now;
        }
    }
}

int main(int argc, char **argv)
{
    ippc_memtune_start(); /* before libzmq starts its threads: big receives reuse faulted pages */
    ippc_options_t opt;
    ippc_clog_init();
    ippc_options_init(&opt);
    ippc_error_t *err = NULL;
    ippc_options_result_t pr = ippc_options_parse(&opt, argc, argv, &err);
    if (pr == IPPC_OPTIONS_RUN && ippc_options_apply_profile(&opt, &err) < 0)
        pr = IPPC_OPTIONS_USAGE;
    if (pr != IPPC_OPTIONS_RUN) {
        int code = 0;
        if (pr == IPPC_OPTIONS_USAGE) {
            fprintf(stderr, "ippc-controller: %s\n", err ? ippc_error_message(err) : "bad command line");
            code = 2;
        }
        ippc_error_destroy(&err);
        ippc_options_free(&opt);
        return code;
    }
    ippc_log_set_level(opt.log_level);
    if (opt.profile_read)
        CLOG_I("settings from %s (the command line overrides them)", opt.profile_read);
    ippc_ctl_t ctl;
    memset(&ctl, 0, sizeof(ctl));
    ctl.opt = &opt;
    int code;
    if (startup(&ctl, &err) < 0) {
        fprintf(stderr, "ippc-controller: %s\n", err ? ippc_error_message(err) : "out of memory");
        ippc_error_destroy(&err);
        code = 1;
    } else {
        code = run(&ctl);
        CLOG_I("stopped");
    }
    shutdown_all(&ctl);
    ippc_options_free(&opt);
    return code;
}
