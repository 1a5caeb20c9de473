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
#include "jscan.h"
#include "wire_int.h"

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

/* ------------------------------------------------------- IOPub, unparsed */

/* Most of what arrives on IOPub needs no JSON tree: other clients' output (dropped
 * unchecked: nothing is taken from it) and the busy/idle status around each of our
 * tasks. These are read from the JSON text with jscan (no allocation); anything else,
 * or anything the scan cannot settle, goes the full way (ippc_session_parse_raw and
 * on_iopub), which checks and decides exactly as before. */

#define SCAN_STR 256 /* msg_ids and session ids are far shorter; longer ones go the full way */

/* The string member key of JSON object text part into out; false if absent, not a string,
 * too long, or the text is not a JSON object. */
static bool scan_string(const ippc_frame_t *part, const char *key, char out[SCAN_STR])
{
    const char *const keys[1] = {key};
    ippc_jspan_t v;
    return ippc_jscan_object(part->data, part->len, keys, &v, 1) == 0 && ippc_jscan_string(v, out, SCAN_STR) >= 0;
}

/* Whether the header holds the members every parsed message must have (check_header in
 * wire.c): msg_id, msg_type and session, strings without NUL. msg_type goes to type. */
static bool scan_header(const ippc_frame_t *header, char type[SCAN_STR])
{
    static const char *const keys[3] = {"msg_type", "msg_id", "session"};
    ippc_jspan_t v[3];
    char other[SCAN_STR];
    return ippc_jscan_object(header->data, header->len, keys, v, 3) == 0 &&
           ippc_jscan_string(v[0], type, SCAN_STR) >= 0 && ippc_jscan_string(v[1], other, SCAN_STR) >= 0 &&
           ippc_jscan_string(v[2], other, SCAN_STR) >= 0;
}

/* Returns 1 when raw was handled or dropped, 0 when it needs the full way, -1 when it
 * is forged or replayed (*err says which). */
static int iopub_unparsed(ippc_client_t *c, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    static const char *const keys[2] = {"session", "msg_id"};
    ippc_jspan_t v[2];
    const ippc_frame_t *parent = &raw->parts[1];
    if (ippc_jscan_object(parent->data, parent->len, keys, v, 2) != 0)
        return 0;
    char session[SCAN_STR], parent_id[SCAN_STR], type[SCAN_STR], state[SCAN_STR];
    if (ippc_jscan_string(v[0], session, sizeof session) < 0 || ippc_jscan_string(v[1], parent_id, sizeof parent_id) < 0)
        return 0;
    if (strcmp(session, ippc_session_id(c->session)) != 0)
        return 1; /* output of other clients' requests */
    ippc_task_t *t = ippc_tasktab_get(&c->tasks, parent_id);
    if (!t)
        return 1;
    if (!scan_header(&raw->parts[0], type) || strcmp(type, "status") != 0)
        return 0;
    /* metadata must be an object too (checked whole, as a parse would) */
    if (ippc_jscan_object(raw->parts[2].data, raw->parts[2].len, NULL, NULL, 0) != 0 ||
        !scan_string(&raw->parts[3], "execution_state", state))
        return 0;
    if (ippc_session_verify_raw(c->session, raw, err) != 0)
        return -1;
    c->received++;
    if (strcmp(state, "idle") == 0) /* idle comes after all output */
        t->output_done = true;
    settle_task(c, t);
    return 1;
}

/* ------------------------------------------------------ replies, unparsed */

/* A reply needs its content as JSON (the task keeps it) and two dates; its header,
 * parent header and metadata are only scanned. The same checks as the full way; what
 * the scan cannot settle goes the full way. */

/* A string member's value into out and *val (NULL when absent or not a string); false
 * when it is a string the scan cannot give whole (too long, or holding a NUL). */
static bool scan_optional(ippc_jspan_t v, char out[SCAN_STR], const char **val)
{
    *val = NULL;
    if (!v.p || *v.p != '"')
        return true;
    if (ippc_jscan_string(v, out, SCAN_STR) < 0)
        return false;
    *val = out;
    return true;
}

static void blobs_free(ippc_blob_t **blobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ippc_blob_destroy(&blobs[i]);
}

/* Returns 1 when raw was handled or dropped, 0 when it needs the full way, -1 when it
 * is forged or replayed, or memory ran out (*err says which). */
static int reply_unparsed(ippc_client_t *c, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    char parent_id[SCAN_STR], type[SCAN_STR], date[SCAN_STR], started[SCAN_STR];
    if (!scan_string(&raw->parts[1], "msg_id", parent_id))
        return 0;
    ippc_task_t *t = ippc_tasktab_get(&c->tasks, parent_id);
    if (!t)
        return 1; /* stale or someone else's: the stock client prints and drops it */
    static const char *const hkeys[1] = {"date"}, *const mkeys[1] = {"started"};
    ippc_jspan_t hdate, mstarted;
    const char *date_val, *started_val;
    const ippc_frame_t *h = &raw->parts[0], *md = &raw->parts[2];
    if (!scan_header(h, type) || ippc_jscan_object(h->data, h->len, hkeys, &hdate, 1) != 0 ||
        !scan_optional(hdate, date, &date_val) || ippc_jscan_object(md->data, md->len, mkeys, &mstarted, 1) != 0 ||
        !scan_optional(mstarted, started, &started_val))
        return 0;
    if (ippc_session_verify_raw(c->session, raw, err) != 0)
        return -1;
    json_t *content = ippc_wire_load_part(&raw->parts[3], "content", NULL);
    if (!content)
        return 0; /* the full way says why */
    size_t nbufs = raw->nframes - raw->first_buffer;
    ippc_blob_t *few[IPPC_WIRE_INLINE_FRAMES];
    ippc_blob_t **blobs = nbufs <= IPPC_WIRE_INLINE_FRAMES ? few : calloc(nbufs, sizeof(*blobs));
    size_t n = 0;
    while (blobs && n < nbufs && (blobs[n] = ippc_blob_from_zmq(&raw->frames[raw->first_buffer + n])))
        n++;
    if (n == nbufs) {
        c->received++;
        ippc_task_take_reply_parts(t, content, date_val, started_val, blobs, nbufs);
        settle_task(c, t);
    } else {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory keeping buffer %zu", n);
    }
    json_decref(content);
    if (blobs)
        blobs_free(blobs, n);
    if (blobs != few)
        free(blobs);
    return n == nbufs ? 1 : -1;
}

/* One received message: dispatched, or dropped. Returns -1 with *err when it was not
 * handled (a bad message, or a failure that ends the read). */
static int handle_raw(ippc_client_t *c, void *socket, ippc_wire_raw_t *raw, ippc_error_t **err)
{
    if (socket == c->iopub) {
        int rc = iopub_unparsed(c, raw, err);
        if (rc != 0)
            return rc > 0 ? 0 : -1;
    } else if (socket != c->notification) {
        int rc = reply_unparsed(c, raw, err);
        if (rc != 0)
            return rc > 0 ? 0 : -1;
    }
    ippc_msg_t *m = ippc_session_parse_raw(c->session, raw, err);
    if (!m)
        return -1;
    ippc_client_dispatch(c, socket, m);
    ippc_msg_destroy(&m);
    return 0;
}

/* Read everything waiting on socket. Returns messages handled, -1 on a socket error.
 * Malformed, forged and replayed messages are consumed and dropped. */
static int drain(ippc_client_t *c, void *socket, ippc_error_t **err)
{
    int handled = 0;
    ippc_wire_raw_t raw;
    for (;;) {
        ippc_error_t *e = NULL;
        int rc = ippc_session_recv_raw(c->session, socket, ZMQ_DONTWAIT, &raw, &e);
        if (rc == 0) {
            rc = handle_raw(c, socket, &raw, &e);
            ippc_wire_raw_free(&raw);
        }
        if (rc == 0) {
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
