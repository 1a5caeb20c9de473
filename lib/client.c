/* client.c - a client's connection to a controller: the sockets (query DEALER on the
 * registration port, notification SUB, mux and control DEALERs, iopub SUB), the engine
 * table kept current from notifications, waiting for engines, and the descriptor for
 * event loops. Connecting mirrors Client._connect: a connection_request whose reply
 * lists the engines. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "client_int.h"
#include "conninfo.h"
#include "error_int.h"

/* How long closing waits for unsent messages to leave (ms). */
#define CLOSE_LINGER_MS 1000
/* While waiting for engines, ask the controller for its table this often (s): a
 * registration published before our subscription took effect is not lost. */
#define REFRESH_PERIOD 1.0

/* --------------------------------------------------------- references */

ippc_client_t *ippc_client_ref(ippc_client_t *c)
{
    if (c)
        c->refs++;
    return c;
}

/* Dead engines' uuids, so that a late reply listing one cannot bring it back. */
typedef struct deaduuid {
    struct deaduuid *next;
    char uuid[];
} deaduuid_t;

static deaduuid_t *dead_list(const ippc_client_t *c) { return (deaduuid_t *)c->dead_uuids; }

static void close_client(ippc_client_t *c)
{
    if (c->closed && !c->ctx)
        return;
    c->closed = true;
    ippc_tasktab_clear(&c->tasks);
    while (c->active_trackers) {
        ippc_tracker_t *tr = c->active_trackers;
        c->active_trackers = tr->next_active;
        ippc_tracker_unref(&tr);
    }
    int linger = c->controller_gone ? 0 : CLOSE_LINGER_MS;
    void *socks[IPPC_NSOCK];
    ippc_client_sockets(c, socks);
    for (size_t i = 0; i < IPPC_NSOCK; i++) {
        if (socks[i]) {
            zmq_setsockopt(socks[i], ZMQ_LINGER, &linger, sizeof(linger));
            zmq_close(socks[i]);
        }
    }
    c->query = c->notification = c->mux = c->control = c->iopub = NULL;
    /* after this, libzmq has released every buffer: no tracker writes to wake_fd again */
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    c->ctx = NULL;
    if (c->epoll_fd >= 0)
        close(c->epoll_fd);
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    c->epoll_fd = c->wake_fd = -1;
}

void ippc_client_unref(ippc_client_t **cp)
{
    if (!cp || !*cp)
        return;
    ippc_client_t *c = *cp;
    *cp = NULL;
    if (--c->refs > 0)
        return;
    close_client(c);
    ippc_session_destroy(&c->session);
    free(c->registration_url);
    for (size_t i = 0; i < c->nengines; i++)
        free(c->engines[i].uuid);
    free(c->engines);
    free(c->ids);
    for (deaduuid_t *d = dead_list(c); d;) {
        deaduuid_t *next = d->next;
        free(d);
        d = next;
    }
    free(c);
}

void ippc_client_destroy(ippc_client_t **cp)
{
    if (!cp || !*cp)
        return;
    close_client(*cp);
    ippc_client_unref(cp);
}

int ippc_client_check_open(const ippc_client_t *c, ippc_error_t **err)
{
    if (!c)
        return ippc_error_set(err, IPPC_E_INVALID, "no client");
    if (c->closed)
        return ippc_error_set(err, IPPC_E_STATE, "the client is closed");
    return 0;
}

/* ----------------------------------------------------------- engine table */

static size_t engine_pos(const ippc_client_t *c, int id, bool *found)
{
    size_t lo = 0, hi = c->nengines;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->engines[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < c->nengines && c->engines[lo].id == id;
    return lo;
}

const ippc_engine_t *ippc_client_engine(const ippc_client_t *c, int id)
{
    bool found;
    size_t i = engine_pos(c, id, &found);
    return found ? &c->engines[i] : NULL;
}

static bool is_dead(const ippc_client_t *c, const char *uuid)
{
    for (const deaduuid_t *d = dead_list(c); d; d = d->next)
        if (strcmp(d->uuid, uuid) == 0)
            return true;
    return false;
}

int ippc_client_add_engine(ippc_client_t *c, int id, const char *uuid)
{
    if (is_dead(c, uuid))
        return 0;
    bool found;
    size_t i = engine_pos(c, id, &found);
    char *copy = strdup(uuid);
    if (!copy)
        return -1;
    if (found) { /* the stock client overwrites the uuid of a known id */
        bool same = strcmp(c->engines[i].uuid, uuid) == 0;
        free(c->engines[i].uuid);
        c->engines[i].uuid = copy;
        if (!same && c->on_engine)
            c->on_engine(c, id, true, c->on_engine_data);
        return 0;
    }
    if (c->nengines == c->engines_cap) {
        size_t cap = c->engines_cap ? 2 * c->engines_cap : 16;
        ippc_engine_t *e = realloc(c->engines, cap * sizeof(*e));
        int *ids = e ? realloc(c->ids, cap * sizeof(*ids)) : NULL;
        if (e)
            c->engines = e;
        if (!ids) {
            free(copy);
            return -1;
        }
        c->ids = ids;
        c->engines_cap = cap;
    }
    memmove(&c->engines[i + 1], &c->engines[i], (c->nengines - i) * sizeof(*c->engines));
    memmove(&c->ids[i + 1], &c->ids[i], (c->nengines - i) * sizeof(*c->ids));
    c->engines[i] = (ippc_engine_t){.id = id, .uuid = copy};
    c->ids[i] = id;
    c->nengines++;
    if (c->on_engine)
        c->on_engine(c, id, true, c->on_engine_data);
    return 0;
}

typedef struct {
    ippc_client_t *c;
    int id;
    const char *uuid;
} stranded_t;

/* Client._handle_stranded_msgs: requests on a dead engine fail with EngineError. */
static void fail_stranded(ippc_tasktab_t *tt, ippc_task_t *t, void *data)
{
    const stranded_t *s = data;
    if (!t->engine_uuid || strcmp(t->engine_uuid, s->uuid) != 0)
        return;
    if (!t->replied)
        ippc_task_fail(t, ippc_error_new(IPPC_E_ENGINE, "Engine %d died while running task '%s'", s->id, t->msg_id));
    t->output_done = true; /* no more output will come either */
    ippc_tasktab_remove(tt, t);
}

void ippc_client_drop_engine(ippc_client_t *c, int id)
{
    bool found;
    size_t i = engine_pos(c, id, &found);
    if (!found)
        return;
    char *uuid = c->engines[i].uuid;
    memmove(&c->engines[i], &c->engines[i + 1], (c->nengines - i - 1) * sizeof(*c->engines));
    memmove(&c->ids[i], &c->ids[i + 1], (c->nengines - i - 1) * sizeof(*c->ids));
    c->nengines--;
    stranded_t s = {c, id, uuid};
    ippc_tasktab_each(&c->tasks, fail_stranded, &s);
    size_t len = strlen(uuid);
    deaduuid_t *d = malloc(sizeof(*d) + len + 1);
    if (d) {
        memcpy(d->uuid, uuid, len + 1);
        d->next = dead_list(c);
        c->dead_uuids = d;
    }
    free(uuid);
    c->unregistrations++;
    c->last_unregistered = id;
    if (c->on_engine)
        c->on_engine(c, id, false, c->on_engine_data);
}

int ippc_client_ids(ippc_client_t *c, const int **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!c || c->closed)
        return -1;
    *ids = c->ids;
    *n = c->nengines;
    return 0;
}

void ippc_client_on_engine(ippc_client_t *c, void (*fn)(ippc_client_t *, int, bool, void *), void *data)
{
    if (!c)
        return;
    c->on_engine = fn;
    c->on_engine_data = fn ? data : NULL;
}

int ippc_client_resolve(ippc_client_t *c, const ippc_targets_t *t, ippc_targets_t *out, ippc_error_t **err)
{
    if (t->kind != IPPC_TARGETS_ALL) {
        if (ippc_targets_copy(out, t) != 0)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return 0;
    }
    return ippc_targets_parse(":", c->ids, c->nengines, out, err);
}

/* ------------------------------------------------------------ controller */

static bool task_replied(void *data) { return ((ippc_task_t *)data)->replied; }

/* Merge a connection_reply's {"engines": {"0": uuid, ...}}. Only adds: a reply can be
 * older than a notification read before it. */
static int merge_engines(ippc_client_t *c, const json_t *content, ippc_error_t **err)
{
    const char *status = json_string_value(json_object_get(content, "status"));
    if (!status || strcmp(status, "ok") != 0) {
        const char *evalue = json_string_value(json_object_get(content, "evalue"));
        return ippc_error_set(err, IPPC_E_PROTOCOL, "the controller refused the connection: %s",
                              evalue ? evalue : status ? status : "no status");
    }
    const json_t *engines = json_object_get(content, "engines");
    const char *key;
    json_t *uuid;
    json_object_foreach((json_t *)engines, key, uuid) {
        char *end;
        long id = strtol(key, &end, 10);
        if (*end || end == key || id < 0 || id > INT32_MAX || !json_is_string(uuid))
            return ippc_error_set(err, IPPC_E_PROTOCOL, "bad engine entry '%s' in the controller's reply", key);
        if (ippc_client_add_engine(c, (int)id, json_string_value(uuid)) != 0)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return 0;
}

/* connection_request → connection_reply. Returns 1 answered, 0 timeout, -1 error. */
static int query_engines(ippc_client_t *c, const ippc_deadline_t *dl, ippc_error_t **err)
{
    ippc_task_t *t = ippc_client_send(c, c->query, IPPC_TASK_QUERY, NULL, "connection_request", NULL, NULL, NULL, err);
    if (!t)
        return -1;
    int rc = ippc_client_pump(c, dl, task_replied, t, false, err);
    if (rc == 1 && merge_engines(c, t->reply, err) != 0)
        rc = -1;
    if (!t->replied)
        ippc_tasktab_remove(&c->tasks, t); /* a late reply is simply dropped */
    ippc_task_unref(&t);
    return rc;
}

/* ------------------------------------------------------------- connect */

/* Output and notifications published before a SUB socket's connection is up are lost,
 * and a result waits (a while) for its output: so connecting also waits, within its
 * deadline, until both SUB sockets have shaken hands with the controller (their
 * subscriptions go out right then). A socket monitor reports the handshake on an
 * inproc PAIR socket. NULL when the socket cannot be watched (connecting then just
 * does not wait). */
static void *watch_handshake(ippc_client_t *c, void *s)
{
    char ep[64];
    snprintf(ep, sizeof(ep), "inproc://ippc-handshake-%p", s);
    if (zmq_socket_monitor(s, ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
        return NULL;
    void *pair = zmq_socket(c->ctx, ZMQ_PAIR);
    if (pair && zmq_connect(pair, ep) != 0) {
        zmq_close(pair);
        pair = NULL;
    }
    if (!pair)
        zmq_socket_monitor(s, NULL, 0);
    return pair;
}

/* Wait for the handshakes (or the deadline), then stop watching. */
static void wait_handshakes(void *const socks[2], void *pairs[2], const ippc_deadline_t *dl)
{
    zmq_pollitem_t items[2];
    int pending = 0;
    for (int i = 0; i < 2; i++) {
        items[i] = (zmq_pollitem_t){.socket = pairs[i], .events = pairs[i] && dl ? ZMQ_POLLIN : 0};
        pending += items[i].events != 0;
    }
    while (pending > 0 && zmq_poll(items, 2, ippc_deadline_ms(dl)) > 0) {
        for (int i = 0; i < 2; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            zmq_msg_t m; /* an event: [event and value, endpoint] */
            zmq_msg_init(&m);
            while (zmq_msg_recv(&m, pairs[i], ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&m))
                ;
            zmq_msg_close(&m);
            items[i].events = 0;
            pending--;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (!pairs[i])
            continue;
        zmq_socket_monitor(socks[i], NULL, 0);
        int linger = 0;
        zmq_setsockopt(pairs[i], ZMQ_LINGER, &linger, sizeof(linger));
        zmq_close(pairs[i]);
        pairs[i] = NULL;
    }
}

static void *open_socket(ippc_client_t *c, int type, const ippc_conninfo_t *ci, int port, void **handshake,
                         ippc_error_t **err)
{
    char *url = ippc_conninfo_url(ci, port);
    void *s = url ? zmq_socket(c->ctx, type) : NULL;
    if (!s) {
        ippc_error_set(err, url ? IPPC_E_IO : IPPC_E_NOMEM, "making a socket: %s",
                       url ? zmq_strerror(zmq_errno()) : "out of memory");
        free(url);
        return NULL;
    }
    if (type == ZMQ_SUB) {
        int hwm = 0; /* never drop notifications or output, as the stock client */
        zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof(hwm));
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
        *handshake = watch_handshake(c, s);
    }
    if (zmq_connect(s, url) != 0) {
        ippc_error_set(err, IPPC_E_IO, "connecting to %s: %s", url, zmq_strerror(zmq_errno()));
        zmq_close(s);
        s = NULL;
    }
    free(url);
    return s;
}

/* handshakes: the watchers of the notification and iopub sockets (watch_handshake). */
static int open_sockets(ippc_client_t *c, const ippc_conninfo_t *ci, void *handshakes[2], ippc_error_t **err)
{
    /* every socket is connected before the connection_request goes out, so that the
     * notifications of engines registering meanwhile are not missed */
    c->query = open_socket(c, ZMQ_DEALER, ci, ci->registration, NULL, err);
    c->notification = c->query ? open_socket(c, ZMQ_SUB, ci, ci->notification, &handshakes[0], err) : NULL;
    c->mux = c->notification ? open_socket(c, ZMQ_DEALER, ci, ci->mux, NULL, err) : NULL;
    c->control = c->mux ? open_socket(c, ZMQ_DEALER, ci, ci->control, NULL, err) : NULL;
    c->iopub = c->control ? open_socket(c, ZMQ_SUB, ci, ci->iopub, &handshakes[1], err) : NULL;
    c->unread = (1u << IPPC_NSOCK) - 1; /* never read yet (see poll_once) */
    return c->iopub ? 0 : -1;
}

static ippc_client_t *client_alloc(ippc_error_t **err)
{
    ippc_client_t *c = calloc(1, sizeof(*c));
    if (!c) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    c->refs = 1;
    c->epoll_fd = -1;
    c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ippc_tasktab_init(&c->tasks);
    c->ctx = zmq_ctx_new();
    if (c->wake_fd < 0 || !c->ctx) {
        ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "making the client's context");
        ippc_client_unref(&c);
    }
    return c;
}

ippc_client_t *ippc_client_connect(const char *connection_file, double timeout, ippc_error_t **err)
{
    if (!connection_file) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_client_connect: no connection file");
        return NULL;
    }
    ippc_conninfo_t *ci = ippc_conninfo_read(connection_file, err);
    if (!ci)
        return NULL;
    ippc_client_t *c = NULL;
    if (ci->side != IPPC_SIDE_CLIENT) {
        ippc_error_set(err, IPPC_E_INVALID, "%s is an engine connection file; clients use ipcontroller-client.json",
                       connection_file);
        goto out;
    }
    c = client_alloc(err);
    if (!c)
        goto out;
    c->session = ippc_session_new(ci->key, NULL, NULL, err);
    c->registration_url = ippc_conninfo_url(ci, ci->registration);
    void *handshakes[2] = {NULL, NULL};
    if (!c->session || !c->registration_url || open_sockets(c, ci, handshakes, err) != 0) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto fail;
    }
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    int rc = query_engines(c, &dl, err);
    if (rc == 0)
        ippc_error_set(err, IPPC_E_CONNECT, "no controller answered at %s within %g s (is the cluster running? ippctl start)",
                       c->registration_url, timeout);
    ippc_deadline_t grace = ippc_deadline_in(IPPC_OUTPUT_GRACE); /* the controller answered */
    const ippc_deadline_t *hs_dl = rc == 1 ? ippc_deadline_first(&dl, &grace) : NULL;
    wait_handshakes((void *[2]){c->notification, c->iopub}, handshakes, hs_dl);
    if (rc != 1)
        goto fail;
    goto out;
fail:
    wait_handshakes((void *[2]){c->notification, c->iopub}, handshakes, NULL); /* the watchers go */
    c->controller_gone = true; /* nothing to deliver: close without lingering */
    ippc_client_destroy(&c);
out:
    ippc_conninfo_destroy(&ci);
    return c;
}

/* ------------------------------------------------------------- waiting */

typedef struct {
    ippc_client_t *c;
    size_t n;
    unsigned long unregistrations;
} engines_wait_t;

static bool engines_ready(void *data)
{
    const engines_wait_t *w = data;
    return w->c->nengines >= w->n || w->c->unregistrations != w->unregistrations;
}

int ippc_client_wait_for_engines(ippc_client_t *c, size_t n, double timeout, ippc_error_t **err)
{
    if (ippc_client_check_open(c, err) != 0)
        return -1;
    engines_wait_t w = {c, n, c->unregistrations};
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    for (;;) {
        if (c->nengines >= n)
            return 0;
        if (c->unregistrations != w.unregistrations)
            return ippc_error_set(err, IPPC_E_ENGINE, "Engine %d unregistered while waiting for engines.",
                                  c->last_unregistered);
        long left = ippc_deadline_ms(&dl);
        ippc_deadline_t slice = left >= 0 && left < REFRESH_PERIOD * 1000 ? dl : ippc_deadline_in(REFRESH_PERIOD);
        int rc = ippc_client_pump(c, &slice, engines_ready, &w, false, err);
        if (rc < 0)
            return -1;
        if (rc == 1)
            continue;
        if (ippc_deadline_passed(&dl))
            return ippc_error_set(err, IPPC_E_TIMEOUT, "%zu engines not ready in %g seconds. Currently ready: %zu", n,
                                  timeout, c->nengines);
        ippc_deadline_t qdl = left >= 0 && left < REFRESH_PERIOD * 1000 ? dl : ippc_deadline_in(REFRESH_PERIOD);
        if (query_engines(c, &qdl, err) < 0)
            return -1;
    }
}

/* ----------------------------------------------------------- event loops */

int ippc_client_fd(ippc_client_t *c, ippc_error_t **err)
{
    if (ippc_client_check_open(c, err) != 0)
        return -1;
    if (c->epoll_fd >= 0)
        return c->epoll_fd;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "epoll_create1");
    void *socks[IPPC_NSOCK];
    ippc_client_sockets(c, socks);
    int fds[IPPC_NSOCK + 1];
    size_t nfds = 0;
    for (size_t i = 0; i < IPPC_NSOCK; i++) {
        size_t len = sizeof(fds[0]);
        if (zmq_getsockopt(socks[i], ZMQ_FD, &fds[nfds], &len) != 0) {
            close(ep);
            return ippc_error_set(err, IPPC_E_IO, "ZMQ_FD: %s", zmq_strerror(zmq_errno()));
        }
        nfds++;
    }
    fds[nfds++] = c->wake_fd;
    for (size_t i = 0; i < nfds; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) {
            int e = errno;
            close(ep);
            return ippc_error_set_errno(err, IPPC_E_SYSTEM, e, "epoll_ctl");
        }
    }
    c->epoll_fd = ep;
    return ep;
}
