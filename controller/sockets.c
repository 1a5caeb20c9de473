/* sockets.c - bind the sockets, write and remove the connection files (see sockets.h). */
#include "config.h"

#include "sockets.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conninfo.h"
#include "error_int.h"
#include "jsonfile.h"

/* Unsent notifications and replies should get out when we exit, but not hold us. */
#define LINGER_MS 500
#define LISTEN_BACKLOG 4096

typedef struct {
    int type;
    const char *name;
    const char *routing_id; /* what the peer sees as our identity (the stock names) */
} spec_t;

static const spec_t specs[SOCK_COUNT] = {
    [SOCK_REG] = {ZMQ_ROUTER, "registration", NULL},
    [SOCK_NOTIF] = {ZMQ_PUB, "notification", NULL},
    [SOCK_HB_PING] = {ZMQ_PUB, "hb_ping", NULL},
    [SOCK_HB_PONG] = {ZMQ_ROUTER, "hb_pong", NULL},
    [SOCK_MUX_IN] = {ZMQ_ROUTER, "mux_in", "mux_in"},
    [SOCK_MUX_OUT] = {ZMQ_ROUTER, "mux_out", "mux_out"},
    [SOCK_CTL_IN] = {ZMQ_ROUTER, "control_in", "control_in"},
    [SOCK_CTL_OUT] = {ZMQ_ROUTER, "control_out", "control_out"},
    [SOCK_TASK_IN] = {ZMQ_ROUTER, "task_in", "task_in"},
    [SOCK_TASK_OUT] = {ZMQ_ROUTER, "task_out", "task_out"},
    [SOCK_IOPUB_IN] = {ZMQ_SUB, "iopub_in", NULL},
    [SOCK_IOPUB_OUT] = {ZMQ_PUB, "iopub_out", NULL},
    [SOCK_BC_IN] = {ZMQ_ROUTER, "broadcast_in", NULL},
    [SOCK_BC_LEAF0] = {ZMQ_ROUTER, "broadcast_leaf0", NULL},
    [SOCK_BC_LEAF1] = {ZMQ_ROUTER, "broadcast_leaf1", NULL},
};

const char *ippc_sock_name(ippc_sock_t s) { return s < SOCK_COUNT ? specs[s].name : "?"; }

static int setopt_int(void *s, int opt, int v) { return zmq_setsockopt(s, opt, &v, sizeof(v)); }

static int64_t max_message_size(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (int64_t)pages * size : -1;
}

static int configure(ippc_sock_t i, void *s)
{
    int rc = setopt_int(s, ZMQ_LINGER, LINGER_MS);
    /* Thousands of engines start at once (a batch job): with zmq's default listen
     * backlog of 100, connections beyond it wait for a SYN retransmit (1 s, then 3 s). */
    rc |= setopt_int(s, ZMQ_BACKLOG, LISTEN_BACKLOG);
    /* Pings are only worth their freshness: an engine that stops reading (SIGSTOP)
     * must not make them pile up here. Everything else is never dropped. */
    rc |= setopt_int(s, ZMQ_SNDHWM, i == SOCK_HB_PING ? 1000 : 0);
    rc |= setopt_int(s, ZMQ_RCVHWM, 0);
    /* A peer's frame header declares the frame's size and libzmq allocates that much
     * before reading it: garbage can declare 2^63 bytes. No message larger than this
     * machine's memory can be received anyway, so such a peer is disconnected at once. */
    int64_t maxmsg = max_message_size();
    rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
    if (specs[i].routing_id)
        rc |= zmq_setsockopt(s, ZMQ_ROUTING_ID, specs[i].routing_id, strlen(specs[i].routing_id));
    /* Sending to an engine that has no connection must fail visibly, so the client can
     * be told instead of waiting forever. */
    if (i == SOCK_MUX_OUT || i == SOCK_CTL_OUT)
        rc |= setopt_int(s, ZMQ_ROUTER_MANDATORY, 1);
    /* An engine whose heart reconnects keeps its identity on the new connection. */
    if (i == SOCK_HB_PONG)
        rc |= setopt_int(s, ZMQ_ROUTER_HANDOVER, 1);
    if (i == SOCK_IOPUB_IN)
        rc |= zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    return rc ? -1 : 0;
}

/* ip for zmq: the wildcard 0.0.0.0 binds as *. */
static const char *bind_host(const char *ip) { return strcmp(ip, "0.0.0.0") == 0 ? "*" : ip; }

static int bound_port(void *s)
{
    char ep[256];
    size_t len = sizeof(ep);
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len) < 0)
        return -1;
    const char *colon = strrchr(ep, ':');
    return colon ? atoi(colon + 1) : -1;
}

/* Bind s to ip:port (port 0: any). Returns 0, or -1 with errno. */
static int try_bind(void *s, const char *ip, int port)
{
    char ep[300];
    if (port > 0)
        snprintf(ep, sizeof(ep), "tcp://%s:%d", bind_host(ip), port);
    else
        snprintf(ep, sizeof(ep), "tcp://%s:*", bind_host(ip));
    return zmq_bind(s, ep);
}

/* The pool of --ports, walked in order across all sockets. */
typedef struct {
    const ippc_options_t *opt;
    size_t range;
    int next;
} pool_t;

static int pool_next(pool_t *p)
{
    while (p->range < p->opt->nports) {
        const ippc_port_range_t *r = &p->opt->ports[p->range];
        if (p->next < r->lo)
            p->next = r->lo;
        if (p->next <= r->hi)
            return p->next++;
        p->range++;
        p->next = 0;
    }
    return -1;
}

static int bind_one(ippc_ctl_t *ctl, ippc_sock_t i, int want, const char *ip, pool_t *pool, ippc_error_t **err)
{
    void *s = ctl->sock[i];
    const ippc_options_t *opt = ctl->opt;
    if (want > 0) {
        if (try_bind(s, ip, want) == 0)
            goto bound;
        if (errno == EADDRINUSE) {
            if (ctl->reused)
                return ippc_error_set(err, IPPC_E_IO,
                                      "port %d (%s) from the reused connection files is in use; free it or "
                                      "start without --reuse", want, specs[i].name);
            return ippc_error_set(err, IPPC_E_IO,
                                  "port %d (%s) is in use; choose another with --port=, or give a pool of "
                                  "ports with --ports=", want, specs[i].name);
        }
        return ippc_error_set(err, IPPC_E_IO, "cannot bind tcp://%s:%d (%s): %s (check --ip)", ip, want,
                              specs[i].name, zmq_strerror(errno));
    }
    if (opt->nports) {
        int port;
        while ((port = pool_next(pool)) > 0) {
            if (try_bind(s, ip, port) == 0)
                goto bound;
            if (errno != EADDRINUSE)
                return ippc_error_set(err, IPPC_E_IO, "cannot bind tcp://%s:%d (%s): %s (check --ip)", ip, port,
                                      specs[i].name, zmq_strerror(errno));
            CLOG_D("port %d is in use; trying the next one of --ports", port);
        }
        return ippc_error_set(err, IPPC_E_IO,
                              "no free port left in --ports=%s for the %s socket (the controller binds %d "
                              "sockets); give a larger range with --ports=",
                              opt->ports_spec, specs[i].name, SOCK_COUNT);
    }
    if (try_bind(s, ip, 0) < 0)
        return ippc_error_set(err, IPPC_E_IO, "cannot bind tcp://%s:* (%s): %s (check --ip)", ip, specs[i].name,
                              zmq_strerror(errno));
bound:
    ctl->port[i] = bound_port(s);
    if (ctl->port[i] <= 0)
        return ippc_error_set(err, IPPC_E_IO, "cannot read the port of the %s socket", specs[i].name);
    CLOG_D("%s bound to port %d", specs[i].name, ctl->port[i]);
    return 0;
}

int ippc_sockets_open(ippc_ctl_t *ctl, const int ports[SOCK_COUNT], const char *bind_ip, ippc_error_t **err)
{
    pool_t pool = {ctl->opt, 0, 0};
    for (int i = 0; i < SOCK_COUNT; i++) {
        ctl->sock[i] = zmq_socket(ctl->zctx, specs[i].type);
        if (!ctl->sock[i] || configure((ippc_sock_t)i, ctl->sock[i]) < 0)
            return ippc_error_set(err, IPPC_E_SYSTEM, "cannot create the %s socket: %s", specs[i].name,
                                  zmq_strerror(errno));
    }
    /* Fixed ports first, so the pool does not take one of them. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < SOCK_COUNT; i++)
            if ((pass == 0) == (ports[i] > 0) && bind_one(ctl, (ippc_sock_t)i, ports[i], bind_ip, &pool, err) < 0)
                return -1;
    return 0;
}

void ippc_sockets_close(ippc_ctl_t *ctl)
{
    for (int i = 0; i < SOCK_COUNT; i++)
        if (ctl->sock[i]) {
            zmq_close(ctl->sock[i]);
            ctl->sock[i] = NULL;
        }
}

/* ------------------------------------------------------------ the files */

static int take(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
    return value && !*field ? -1 : 0;
}

static ippc_conninfo_t *make_info(ippc_ctl_t *ctl, ippc_side_t side, const char *bind_ip)
{
    ippc_conninfo_t *ci = ippc_conninfo_new(side);
    if (!ci)
        return NULL;
    char host[HOST_NAME_MAX + 1] = "localhost";
    gethostname(host, sizeof(host));
    host[HOST_NAME_MAX] = '\0';
    char iface[300];
    snprintf(iface, sizeof(iface), "tcp://%s", bind_host(bind_ip));
    const ippc_options_t *o = ctl->opt;
    bool client = side == IPPC_SIDE_CLIENT;
    int rc = take(&ci->interface, iface) | take(&ci->location, o->location ? o->location : host) |
             take(&ci->key, ctl->key) | take(&ci->signature_scheme, "hmac-sha256") |
             take(&ci->ssh, client ? (o->ssh ? o->ssh : "") : (o->enginessh ? o->enginessh : "")) |
             take(&ci->pack, "json") | take(&ci->unpack, "json");
    if (client)
        rc |= take(&ci->task_scheme, "leastload");
    if (rc) {
        ippc_conninfo_destroy(&ci);
        return NULL;
    }
    ci->registration = ctl->port[SOCK_REG];
    if (client) {
        ci->control = ctl->port[SOCK_CTL_IN];
        ci->mux = ctl->port[SOCK_MUX_IN];
        ci->task = ctl->port[SOCK_TASK_IN];
        ci->iopub = ctl->port[SOCK_IOPUB_OUT];
        ci->notification = ctl->port[SOCK_NOTIF];
        ci->broadcast[0] = ctl->port[SOCK_BC_IN];
        ci->nbroadcast = 1;
    } else {
        ci->control = ctl->port[SOCK_CTL_OUT];
        ci->mux = ctl->port[SOCK_MUX_OUT];
        ci->task = ctl->port[SOCK_TASK_OUT];
        ci->iopub = ctl->port[SOCK_IOPUB_IN];
        ci->hb_ping = ctl->port[SOCK_HB_PING];
        ci->hb_pong = ctl->port[SOCK_HB_PONG];
        for (int i = 0; i < IPPC_BC_LEAVES; i++)
            ci->broadcast[i] = ctl->port[SOCK_BC_LEAF0 + i];
        ci->nbroadcast = IPPC_BC_LEAVES;
    }
    return ci;
}

int ippc_sockets_write_files(ippc_ctl_t *ctl, const char *bind_ip, ippc_error_t **err)
{
    ippc_conninfo_t *client = make_info(ctl, IPPC_SIDE_CLIENT, bind_ip);
    ippc_conninfo_t *engine = make_info(ctl, IPPC_SIDE_ENGINE, bind_ip);
    int rc = -1;
    if (!client || !engine) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    ctl->engine_info = ippc_conninfo_to_json(engine);
    if (!ctl->engine_info) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    /* Written in this order so that whoever waits for the client file (launchers, the
     * stock Cluster) finds the engine file there too. */
    if (ippc_conninfo_write(engine, ctl->engine_file, err) < 0 ||
        ippc_conninfo_write(client, ctl->client_file, err) < 0) {
        ippc_error_prefix(err, "cannot write the connection files in %s/security", ctl->profile_dir);
        goto out;
    }
    ctl->files_written = true;
    rc = 0;
out:
    ippc_conninfo_destroy(&client);
    ippc_conninfo_destroy(&engine);
    return rc;
}

void ippc_sockets_remove_files(ippc_ctl_t *ctl)
{
    if (!ctl->files_written || ctl->keep_files)
        return;
    const char *files[2] = {ctl->client_file, ctl->engine_file};
    for (int i = 0; i < 2; i++)
        if (unlink(files[i]) < 0 && errno != ENOENT)
            CLOG_E("cannot remove %s: %s", files[i], strerror(errno));
        else
            CLOG_D("removed %s", files[i]);
    ctl->files_written = false;
}

int ippc_sockets_load_reused(ippc_ctl_t *ctl, int ports[SOCK_COUNT], char **bind_ip)
{
    ippc_error_t *err = NULL;
    ippc_conninfo_t *client = ippc_conninfo_read(ctl->client_file, &err);
    ippc_conninfo_t *engine = client ? ippc_conninfo_read(ctl->engine_file, &err) : NULL;
    int rc = 0;
    if (!client || !engine) {
        CLOG_W("--reuse: %s; writing new connection files", err ? ippc_error_message(err) : "out of memory");
        goto out;
    }
    if (strcmp(client->key, engine->key) != 0 || client->registration != engine->registration) {
        CLOG_W("--reuse: %s and %s do not belong together (key or registration port differ); writing new ones",
               ctl->client_file, ctl->engine_file);
        goto out;
    }
    if (client->nbroadcast < 1 || engine->nbroadcast < IPPC_BC_LEAVES) {
        CLOG_W("--reuse: the files lack broadcast ports; writing new ones");
        goto out;
    }
    free(ctl->key);
    ctl->key = strdup(engine->key);
    const char *iface = engine->interface;
    if (strncmp(iface, "tcp://", 6) == 0) {
        free(*bind_ip);
        *bind_ip = strdup(iface + 6);
    }
    ports[SOCK_REG] = client->registration;
    ports[SOCK_NOTIF] = client->notification;
    ports[SOCK_MUX_IN] = client->mux;
    ports[SOCK_CTL_IN] = client->control;
    ports[SOCK_TASK_IN] = client->task;
    ports[SOCK_IOPUB_OUT] = client->iopub;
    ports[SOCK_BC_IN] = client->broadcast[0];
    ports[SOCK_HB_PING] = engine->hb_ping;
    ports[SOCK_HB_PONG] = engine->hb_pong;
    ports[SOCK_MUX_OUT] = engine->mux;
    ports[SOCK_CTL_OUT] = engine->control;
    ports[SOCK_TASK_OUT] = engine->task;
    ports[SOCK_IOPUB_IN] = engine->iopub;
    for (int i = 0; i < IPPC_BC_LEAVES; i++)
        ports[SOCK_BC_LEAF0 + i] = engine->broadcast[i];
    CLOG_I("--reuse: using the key and ports of %s", ctl->client_file);
    rc = ctl->key && *bind_ip ? 1 : 0;
out:
    ippc_error_destroy(&err);
    ippc_conninfo_destroy(&client);
    ippc_conninfo_destroy(&engine);
    return rc;
}
