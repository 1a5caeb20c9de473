/* client_io.c - moving the client's messages: sending a request as a task, waiting
 * for and reading what arrives on the five sockets, and routing each message to the
 * task, engine table or tracker it concerns. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_int.h"
#include "error_int.h"

/* -------------------------------------------------------------- deadlines */

ippc_deadline_t ippc_deadline_in(double timeout)
{
    ippc_deadline_t d = {.forever = timeout < 0};
    clock_gettime(CLOCK_MONOTONIC, &d.at);
    if (!d.forever) {
        double whole = (double)(long long)timeout;
        d.at.tv_sec += (time_t)whole;
        d.at.tv_nsec += (long)((timeout - whole) * 1e9);
        if (d.at.tv_nsec >= 1000000000L) {
            d.at.tv_sec++;
            d.at.tv_nsec -= 1000000000L;
        }
    }
    return d;
}

long ippc_deadline_ms(const ippc_deadline_t *d)
{
    if (d->forever)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(d->at.tv_sec - now.tv_sec) * 1000 + (d->at.tv_nsec - now.tv_nsec) / 1000000;
    if (ms <= 0) {
        /* round a part of a millisecond up, so that a waiter does not spin */
        bool before = d->at.tv_sec > now.tv_sec || (d->at.tv_sec == now.tv_sec && d->at.tv_nsec > now.tv_nsec);
        return before ? 1 : 0;
    }
    return ms > INT32_MAX ? INT32_MAX : (long)ms;
}

bool ippc_deadline_passed(const ippc_deadline_t *d) { return ippc_deadline_ms(d) == 0; }

const ippc_deadline_t *ippc_deadline_first(const ippc_deadline_t *a, const ippc_deadline_t *b)
{
    if (a->forever || b->forever)
        return a->forever ? b : a;
    if (a->at.tv_sec != b->at.tv_sec)
        return a->at.tv_sec < b->at.tv_sec ? a : b;
    return a->at.tv_nsec <= b->at.tv_nsec ? a : b;
}

/* ------------------------------------------------------------------ send */

void ippc_client_sockets(const ippc_client_t *c, void *socks[IPPC_NSOCK])
{
    socks[IPPC_SOCK_QUERY] = c->query;
    socks[IPPC_SOCK_MUX] = c->mux;
    socks[IPPC_SOCK_CONTROL] = c->control;
    socks[IPPC_SOCK_NOTIFICATION] = c->notification;
    socks[IPPC_SOCK_IOPUB] = c->iopub;
}

static unsigned socket_bit(const ippc_client_t *c, const void *socket)
{
    void *socks[IPPC_NSOCK];
    ippc_client_sockets(c, socks);
    for (unsigned i = 0; i < IPPC_NSOCK; i++)
        if (socks[i] == socket)
            return 1u << i;
    return 0;
}

ippc_task_t *ippc_client_send(ippc_client_t *c, void *socket, ippc_task_kind_t kind, const ippc_engine_t *engine,
                              const char *msg_type, json_t *content, json_t *metadata, const ippc_bloblist_t *bufs,
                              ippc_error_t **err)
{
    if (ippc_client_check_open(c, err) != 0)
        return NULL;
    ippc_msg_t *m = ippc_session_msg(c->session, msg_type, json_incref(content), NULL, json_incref(metadata), err);
    if (!m)
        return NULL;
    ippc_task_t *t = NULL;
    bool ok = !engine || ippc_msg_add_ident(m, engine->uuid, strlen(engine->uuid)) == 0;
    for (size_t i = 0; ok && bufs && i < bufs->n; i++)
        ok = ippc_msg_add_buffer(m, bufs->items[i]) == 0;
    if (ok)
        t = ippc_task_new(kind, ippc_msg_id(m), engine ? engine->id : -1, engine ? engine->uuid : NULL);
    if (!t || ippc_tasktab_add(&c->tasks, t) != 0) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory sending %s", msg_type);
        ippc_task_unref(&t);
        ippc_msg_destroy(&m);
        return NULL;
    }
    const char *date = json_string_value(json_object_get(m->header, "date"));
    snprintf(t->submitted, sizeof(t->submitted), "%s", date ? date : "");
    c->unread |= socket_bit(c, socket); /* see poll_once */
    if (ippc_session_send(c->session, socket, m, 0, err) != 0) {
        ippc_error_prefix(err, "sending %s", msg_type);
        ippc_tasktab_remove(&c->tasks, t);
        ippc_task_unref(&t);
    }
    ippc_msg_destroy(&m);
    return t;
}

/* --------------------------------------------------------------- dispatch */

/* A task is forgotten by the table once nothing more can arrive for it. */
static void settle_task(ippc_client_t *c, ippc_task_t *t)
{
    if (t->replied && t->output_done)
        ippc_tasktab_remove(&c->tasks, t);
}

static void on_reply(ippc_client_t *c, ippc_msg_t *m)
{
    ippc_task_t *t = ippc_tasktab_get(&c->tasks, ippc_msg_parent_id(m));
    if (!t) /* stale or someone else's: the stock client prints and drops it */
        return;
    ippc_task_take_reply(t, m);
    settle_task(c, t);
}

static void on_iopub(ippc_client_t *c, ippc_msg_t *m)
{
    const char *session = json_string_value(json_object_get(m->parent_header, "session"));
    if (!session || strcmp(session, ippc_session_id(c->session)) != 0)
        return; /* output of other clients' requests */
    ippc_task_t *t = ippc_tasktab_get(&c->tasks, ippc_msg_parent_id(m));
    if (!t)
        return;
    const char *type = ippc_msg_type(m);
    const json_t *content = m->content;
    if (strcmp(type, "stream") == 0) {
        const char *name = json_string_value(json_object_get(content, "name"));
        const json_t *text = json_object_get(content, "text");
        if (name && json_is_string(text))
            ippc_task_add_stream(t, strcmp(name, "stderr") == 0, json_string_value(text), json_string_length(text));
    } else if (strcmp(type, "execute_result") == 0) {
        const char *plain = json_string_value(json_object_get(json_object_get(content, "data"), "text/plain"));
        if (plain) {
            free(t->execute_result);
            t->execute_result = strdup(plain);
        }
    } else if (strcmp(type, "status") == 0) {
        const char *state = json_string_value(json_object_get(content, "execution_state"));
        if (state && strcmp(state, "idle") == 0) /* idle comes after all output */
            t->output_done = true;
    }
    settle_task(c, t);
}

static void on_notification(ippc_client_t *c, ippc_msg_t *m)
{
    const char *type = ippc_msg_type(m);
    const json_t *id = json_object_get(m->content, "id");
    const char *uuid = json_string_value(json_object_get(m->content, "uuid"));
    if (strcmp(type, "registration_notification") == 0 && json_is_integer(id) && uuid)
        ippc_client_add_engine(c, (int)json_integer_value(id), uuid);
    else if (strcmp(type, "unregistration_notification") == 0 && json_is_integer(id))
        ippc_client_drop_engine(c, (int)json_integer_value(id));
    else if (strcmp(type, "shutdown_notification") == 0)
        c->controller_gone = true;
}

void ippc_client_dispatch(ippc_client_t *c, void *socket, ippc_msg_t *m)
{
    c->received++;
    if (socket == c->iopub)
        on_iopub(c, m);
    else if (socket == c->notification)
        on_notification(c, m);
    else
        on_reply(c, m);
}

/* ---------------------------------------------------------------- receive */

/* Read everything waiting on socket. Returns messages handled, -1 on a socket error.
 * Malformed, forged and replayed messages are consumed and dropped. */
static int drain(ippc_client_t *c, void *socket, ippc_error_t **err)
{
    int handled = 0;
    for (;;) {
        ippc_error_t *e = NULL;
        ippc_msg_t *m = ippc_session_recv(c->session, socket, ZMQ_DONTWAIT, &e);
        if (m) {
            ippc_client_dispatch(c, socket, m);
            ippc_msg_destroy(&m);
            handled++;
            continue;
        }
        ippc_errcode_t code = ippc_error_code(e);
        if (code == IPPC_E_TIMEOUT) {
            ippc_error_destroy(&e);
            return handled;
        }
        if (code == IPPC_E_IO || code == IPPC_E_NOMEM || code == IPPC_E_SYSTEM) {
            if (err && !*err)
                *err = e;
            else
                ippc_error_destroy(&e);
            return -1;
        }
        ippc_error_destroy(&e); /* a bad message: gone, read on */
    }
}

/* drain socket i; one not read to the end (an error) stays marked unread. */
static int drain_socket(ippc_client_t *c, void *const socks[IPPC_NSOCK], size_t i, ippc_error_t **err)
{
    c->unread &= ~(1u << i);
    int n = drain(c, socks[i], err);
    if (n < 0)
        c->unread |= 1u << i;
    return n;
}

static int socket_fds(ippc_client_t *c, void *const socks[IPPC_NSOCK], ippc_error_t **err)
{
    for (size_t i = 0; !c->sock_fds_known && i < IPPC_NSOCK; i++) {
        size_t len = sizeof(c->sock_fds[i]);
        if (zmq_getsockopt(socks[i], ZMQ_FD, &c->sock_fds[i], &len) != 0)
            return ippc_error_set(err, IPPC_E_IO, "ZMQ_FD: %s", zmq_strerror(zmq_errno()));
    }
    c->sock_fds_known = true;
    return 0;
}

/* Wait up to ms (-1 forever) for something to arrive, then handle all that is there.
 * Returns messages handled, -1 on an error.
 *
 * A socket's ZMQ_FD wakes poll() when libzmq has news for the socket, but only once
 * the socket was read to the end: a send may take in the news of an arriving message
 * (and the descriptor's wake-up with it). So the sockets sent on since their last
 * read (c->unread) are read first, and then one poll() on the descriptors waits for
 * the rest; only the sockets that woke are read. This costs a fraction of the system
 * calls of zmq_poll on every socket, which looks at each socket twice per wait. Every
 * socket that woke is read to the end, which also resets the descriptors
 * ippc_client_fd watches. */
static int poll_once(ippc_client_t *c, long ms, ippc_error_t **err)
{
    void *socks[IPPC_NSOCK];
    ippc_client_sockets(c, socks);
    if (socket_fds(c, socks, err) != 0)
        return -1;
    int total = 0;
    for (size_t i = 0; i < IPPC_NSOCK; i++) {
        if (c->unread & (1u << i)) {
            int n = drain_socket(c, socks, i, err);
            if (n < 0)
                return -1;
            total += n;
        }
    }
    struct pollfd fds[IPPC_NSOCK + 1];
    for (size_t i = 0; i < IPPC_NSOCK; i++)
        fds[i] = (struct pollfd){.fd = c->sock_fds[i], .events = POLLIN};
    fds[IPPC_NSOCK] = (struct pollfd){.fd = c->wake_fd, .events = POLLIN};
    int rc = poll(fds, IPPC_NSOCK + 1, total ? 0 : (int)ms);
    if (rc < 0 && errno != EINTR)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "waiting for messages");
    for (size_t i = 0; rc > 0 && i < IPPC_NSOCK; i++) {
        if (fds[i].revents) {
            int n = drain_socket(c, socks, i, err);
            if (n < 0)
                return -1;
            total += n;
        }
    }
    if (rc > 0 && (fds[IPPC_NSOCK].revents & POLLIN))
        ippc_client_run_trackers(c);
    return total;
}

int ippc_client_poll(ippc_client_t *c, double timeout, ippc_error_t **err)
{
    if (!c)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_client_poll: no client");
    if (ippc_client_check_open(c, err) != 0)
        return -1;
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    /* read every socket: the caller may have sent meanwhile (and so taken in a wake-up
     * its event loop waits for) */
    c->unread = (1u << IPPC_NSOCK) - 1;
    return poll_once(c, ippc_deadline_ms(&dl), err);
}

int ippc_client_pump(ippc_client_t *c, const ippc_deadline_t *dl, bool (*done)(void *), void *data, bool once,
                     ippc_error_t **err)
{
    for (;;) {
        if (done && done(data))
            return 1;
        if (ippc_client_check_open(c, err) != 0)
            return -1;
        if (c->controller_gone)
            return ippc_error_set(err, IPPC_E_STATE, "the controller shut down (shutdown_notification)");
        long ms = ippc_deadline_ms(dl);
        if (poll_once(c, ms, err) < 0)
            return -1;
        if (once || ms == 0 || ippc_deadline_passed(dl))
            return done && done(data) ? 1 : 0;
    }
}
