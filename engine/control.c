/* control.c - see control.h. */
#include "config.h"

#include "control.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "emsg.h"
#include "error_int.h"
#include "iopub.h"
#include "elog.h"
#include "pyembed.h"
#include "regcheck.h"
#include "signals.h"

#define WAKE_EXIT 'E'

typedef struct job {
    ippc_msg_t *req;
    json_t *reply;
    struct job *next;
} job_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static job_t *g_todo, *g_done; /* FIFO lists */
static json_t *g_aborted;      /* msg_id → true: a set */
static bool g_abort_all;
static atomic_int g_requested_exit = 1;
static pthread_t g_thread;
static bool g_running;

static void push(job_t **list, job_t *j)
{
    j->next = NULL;
    while (*list)
        list = &(*list)->next;
    *list = j;
}

static job_t *pop(job_t **list)
{
    job_t *j = *list;
    if (j)
        *list = j->next;
    return j;
}

ippc_msg_t *control_take_job(void)
{
    pthread_mutex_lock(&g_mu);
    job_t *j = pop(&g_todo);
    pthread_mutex_unlock(&g_mu);
    if (!j)
        return NULL;
    ippc_msg_t *m = j->req;
    free(j);
    return m;
}

void control_finish_job(ippc_msg_t *req, json_t *reply_content)
{
    job_t *j = calloc(1, sizeof *j);
    if (!j) {
        ippc_msg_destroy(&req);
        json_decref(reply_content);
        return;
    }
    j->req = req;
    j->reply = reply_content;
    pthread_mutex_lock(&g_mu);
    push(&g_done, j);
    pthread_mutex_unlock(&g_mu);
    engine_wake(g_engine.control_wake[1], WAKE_JOB);
}

bool control_take_aborted(const char *msg_id)
{
    if (!msg_id)
        return false;
    pthread_mutex_lock(&g_mu);
    bool hit = g_aborted && json_object_get(g_aborted, msg_id);
    if (hit)
        json_object_del(g_aborted, msg_id);
    pthread_mutex_unlock(&g_mu);
    return hit;
}

bool control_take_abort_all(void)
{
    pthread_mutex_lock(&g_mu);
    bool all = g_abort_all;
    g_abort_all = false;
    pthread_mutex_unlock(&g_mu);
    return all;
}

void control_request_shutdown(int exit_code)
{
    atomic_store(&g_requested_exit, exit_code);
    engine_wake(g_engine.control_wake[1], WAKE_EXIT);
}

static void reply(const ippc_msg_t *req, json_t *content)
{
    ippc_error_t *err = NULL;
    if (emsg_reply(g_engine.control, req, content, NULL, NULL, &err) < 0)
        log_warn("control reply to %s not sent: %s", ippc_msg_type(req), ippc_error_message(err));
    ippc_error_destroy(&err);
}

static void send_unregistration(void)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *m = emsg_new("unregistration_request", json_pack("{s:i}", "id", g_engine.id), NULL, NULL, &err);
    if (!m || emsg_send(g_engine.reg, m, &err) < 0)
        log_warn("unregistration_request not sent: %s", err ? ippc_error_message(err) : "?");
    ippc_error_destroy(&err);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Stop the engine: unregister, let the main thread finish the request in hand (after
 * interrupting it) and leave its loop; when it does not within the grace period, exit
 * from here. Returns only when the main thread took over the exit. */
static void shutdown_engine(int code, const char *why)
{
    engine_t *e = &g_engine;
    if (atomic_exchange(&e->stopping, true))
        return;
    atomic_store(&e->exit_code, code);
    if (code)
        log_error("shutting down: %s", why);
    else
        log_info("shutting down: %s", why);
    send_unregistration();
    engine_wake(e->main_wake[1], 'S');
    signals_interrupt_main();
    double deadline = now_ms() + SHUTDOWN_GRACE_MS;
    while (!atomic_load(&e->main_done) && now_ms() < deadline) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&e->main_done))
        return;
    log_warn("running code did not stop within %d ms; exiting without waiting for it", SHUTDOWN_GRACE_MS);
    /* The main thread still uses its sockets, so the context cannot be terminated: give
     * libzmq's I/O thread a moment to put the unregistration on the wire. */
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    _exit(code);
}

static const struct {
    const char *name;
    int sig;
} k_signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"WINCH", SIGWINCH},
};

/* 2, "2", "SIGINT", "INT", "sigint" → 2; -1 when unknown. */
static int parse_signal(const json_t *sig)
{
    if (json_is_integer(sig)) {
        json_int_t n = json_integer_value(sig);
        return n > 0 && n < NSIG ? (int)n : -1;
    }
    const char *s = json_string_value(sig);
    if (!s || !*s)
        return -1;
    if (isdigit((unsigned char)*s)) {
        char *end;
        long n = strtol(s, &end, 10);
        return !*end && n > 0 && n < NSIG ? (int)n : -1;
    }
    if (!strncasecmp(s, "SIG", 3))
        s += 3;
    for (size_t i = 0; i < sizeof k_signals / sizeof k_signals[0]; i++)
        if (!strcasecmp(s, k_signals[i].name))
            return k_signals[i].sig;
    return -1;
}

static void on_signal_request(const ippc_msg_t *req)
{
    json_t *sigj = json_object_get(req->content, "sig");
    int sig = parse_signal(sigj);
    if (sig < 0) {
        char *shown = json_dumps(sigj ? sigj : json_null(), JSON_ENCODE_ANY);
        char *ev = ippc_strdup_printf("unknown signal %s", shown ? shown : "?");
        reply(req, emsg_error_content("ValueError", ev ? ev : "unknown signal", "signal"));
        free(ev);
        free(shown);
        return;
    }
    log_info("signal_request: sending signal %d to myself", sig);
    reply(req, json_pack("{s:s}", "status", "ok"));
    if (kill(getpid(), sig) < 0)
        log_warn("kill(%d): %s", sig, strerror(errno));
}

static void on_abort_request(const ippc_msg_t *req)
{
    json_t *ids = json_object_get(req->content, "msg_ids");
    pthread_mutex_lock(&g_mu);
    if (!g_aborted)
        g_aborted = json_object();
    size_t i;
    json_t *v;
    bool all = false;
    if (json_is_string(ids)) {
        json_object_set(g_aborted, json_string_value(ids), json_true());
    } else if (json_is_array(ids) && json_array_size(ids) > 0) {
        json_array_foreach(ids, i, v) {
            if (json_is_string(v))
                json_object_set(g_aborted, json_string_value(v), json_true());
        }
    } else {
        all = g_abort_all = true;
    }
    pthread_mutex_unlock(&g_mu);
    if (all)
        engine_wake(g_engine.main_wake[1], 'a');
    reply(req, json_pack("{s:s}", "status", "ok"));
}

static void on_shutdown_request(const ippc_msg_t *req)
{
    json_t *restart = json_object_get(req->content, "restart");
    json_t *content = json_pack("{s:s, s:b}", "status", "ok", "restart", json_is_true(restart));
    iopub_publish("shutdown_reply", json_deep_copy(content), req->header, NULL, NULL);
    reply(req, content);
    shutdown_engine(0, "shutdown_request from a client");
}

static void on_kernel_info_request(const ippc_msg_t *req)
{
    reply(req, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s}", "status", "ok", "protocol_version",
                         IPPC_PROTOCOL_VERSION, "implementation", "ippc", "implementation_version",
                         PACKAGE_VERSION, "language_info", "name", "python", "version", pyembed_python_version(),
                         "mimetype", "text/x-python", "file_extension", ".py", "banner", "ippc-engine"));
}

static void on_message(void)
{
    ippc_error_t *err = NULL;
    ippc_msg_t *req = emsg_recv(g_engine.control, &err);
    if (!req) {
        if (ippc_error_code(err) != IPPC_E_TIMEOUT)
            log_warn("control: dropped a message: %s", ippc_error_message(err));
        ippc_error_destroy(&err);
        return;
    }
    const char *type = ippc_msg_type(req);
    log_debug("control: %s %s", type ? type : "?", ippc_msg_id(req) ? ippc_msg_id(req) : "");
    if (!type) {
        log_warn("control: message without a type dropped");
    } else if (!strcmp(type, "signal_request")) {
        on_signal_request(req);
    } else if (!strcmp(type, "abort_request")) {
        on_abort_request(req);
    } else if (!strcmp(type, "clear_request")) {
        job_t *j = calloc(1, sizeof *j);
        if (j) {
            j->req = req;
            req = NULL;
            pthread_mutex_lock(&g_mu);
            push(&g_todo, j);
            pthread_mutex_unlock(&g_mu);
            engine_wake(g_engine.main_wake[1], 'j');
        }
    } else if (!strcmp(type, "shutdown_request")) {
        on_shutdown_request(req);
    } else if (!strcmp(type, "kernel_info_request")) {
        on_kernel_info_request(req);
    } else {
        char *ev = ippc_strdup_printf("ippc-engine: unknown control message type '%s'", type);
        reply(req, emsg_error_content("ValueError", ev ? ev : "unknown message type", "control"));
        free(ev);
    }
    ippc_msg_destroy(&req);
}

static void send_finished_jobs(void)
{
    for (;;) {
        pthread_mutex_lock(&g_mu);
        job_t *j = pop(&g_done);
        pthread_mutex_unlock(&g_mu);
        if (!j)
            return;
        reply(j->req, j->reply);
        ippc_msg_destroy(&j->req);
        free(j);
    }
}

/* Returns false when the thread should end. */
static bool on_wake(void)
{
    char cmds[64];
    ssize_t n = read(g_engine.control_wake[0], cmds, sizeof cmds);
    for (ssize_t i = 0; i < n; i++) {
        switch (cmds[i]) {
        case WAKE_JOB:
            send_finished_jobs();
            break;
        case WAKE_CRASH: {
            send_unregistration();
            /* The process dies right after the ack: give libzmq's I/O thread time to
             * put the message on the wire (zmq_send only queues it). */
            struct timespec ts = {0, 300 * 1000000L};
            nanosleep(&ts, NULL);
            signals_crash_ack();
            break;
        }
        case WAKE_TERM:
            shutdown_engine(0, "SIGTERM");
            return false;
        case WAKE_LOST:
            shutdown_engine(1, "lost the controller");
            return false;
        case WAKE_EXIT:
            shutdown_engine(atomic_load(&g_requested_exit), "the main thread failed");
            return false;
        default:
            break;
        }
    }
    return true;
}

static void *control_thread(void *arg)
{
    (void)arg;
    engine_t *e = &g_engine;
    regcheck_start(e);
    for (;;) {
        zmq_pollitem_t it[3] = {{.socket = e->control, .events = ZMQ_POLLIN},
                                {.fd = e->control_wake[0], .events = ZMQ_POLLIN},
                                {.socket = e->reg, .events = ZMQ_POLLIN}};
        int rc = zmq_poll(it, 3, regcheck_wait_ms());
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            log_error("control: poll: %s", zmq_strerror(zmq_errno()));
            break;
        }
        if (it[1].revents && !on_wake())
            break;
        if (it[0].revents)
            on_message();
        if (it[2].revents && regcheck_on_message(e) == REGCHECK_FAILED) {
            shutdown_engine(1, regcheck_failure());
            break;
        }
        regcheck_tick(e);
        if (atomic_load(&e->stopping))
            break;
    }
    send_finished_jobs();
    zmq_close(e->control);
    zmq_close(e->reg);
    e->control = e->reg = NULL;
    return NULL;
}

int control_start(engine_t *e, ippc_error_t **err)
{
    (void)e;
    int rc = pthread_create(&g_thread, NULL, control_thread, NULL);
    if (rc)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, rc, "starting the control thread");
    g_running = true;
    return 0;
}

void control_join(void)
{
    if (g_running)
        pthread_join(g_thread, NULL);
    g_running = false;
    pthread_mutex_lock(&g_mu);
    for (job_t *j; (j = pop(&g_todo)) || (j = pop(&g_done));) {
        ippc_msg_destroy(&j->req);
        json_decref(j->reply);
        free(j);
    }
    json_decref(g_aborted);
    g_aborted = NULL;
    pthread_mutex_unlock(&g_mu);
}
