/* connect.c - see connect.h. */
#include "config.h"

#include "connect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "emsg.h"
#include "error_int.h"
#include "elog.h"
#include "signals.h"

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Read the engine connection file at path, waiting for it to appear (and to become
 * complete: a controller that does not write atomically may be caught mid-write). */
static ippc_conninfo_t *wait_and_read(const char *path, double timeout, ippc_error_t **err)
{
    double deadline = now_mono() + timeout;
    bool announced = false;
    for (;;) {
        ippc_error_t *e = NULL;
        struct stat st;
        if (stat(path, &st) == 0) {
            ippc_conninfo_t *ci = ippc_conninfo_read(path, &e);
            if (ci) {
                ippc_error_destroy(&e);
                return ci;
            }
            if (now_mono() >= deadline) {
                ippc_error_set(err, ippc_error_code(e), "%s", ippc_error_message(e));
                ippc_error_destroy(&e);
                return NULL;
            }
            ippc_error_destroy(&e);
        } else if (now_mono() >= deadline) {
            ippc_error_set(err, IPPC_E_NOTFOUND,
                           "connection file %s did not appear within %.1f s (is the controller running? "
                           "see --file, --profile, --cluster-id, --timeout)",
                           path, timeout);
            return NULL;
        } else if (!announced) {
            log_info("waiting up to %.1f s for the connection file %s", timeout, path);
            announced = true;
        }
        sleep_ms(50);
    }
}

int connect_load_info(engine_t *e, ippc_error_t **err)
{
    const eng_options_t *o = e->opt;
    const char *env = getenv("IPP_CONNECTION_INFO");
    char *path = NULL;
    if (o->url_file) {
        path = strdup(o->url_file);
    } else if (env && *env) {
        const char *p = env;
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == '{') {
            json_error_t jerr;
            json_t *j = json_loads(p, 0, &jerr);
            if (!j)
                return ippc_error_set(err, IPPC_E_PARSE, "IPP_CONNECTION_INFO: bad JSON at line %d column %d: %s",
                                      jerr.line, jerr.column, jerr.text);
            e->ci = ippc_conninfo_from_json(j, "IPP_CONNECTION_INFO", err);
            json_decref(j);
            if (!e->ci)
                return -1;
        } else {
            path = strdup(p);
        }
    } else {
        char *pd = o->profile_dir ? strdup(o->profile_dir) : ippc_profile_dir(o->profile);
        if (pd)
            path = ippc_connection_file_path(pd, o->cluster_id, "engine");
        free(pd);
    }
    if (!e->ci) {
        if (!path)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        e->ci = wait_and_read(path, o->timeout, err);
        if (!e->ci) {
            free(path);
            return -1;
        }
        log_debug("connection info from %s", path);
    }
    if (e->ci->side != IPPC_SIDE_ENGINE) {
        ippc_error_set(err, IPPC_E_PARSE, "%s is a client connection file; the engine needs the -engine.json one",
                       path ? path : "IPP_CONNECTION_INFO");
        free(path);
        return -1;
    }
    free(path);
    if (o->location) {
        char *loc = strdup(o->location);
        if (!loc)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        free(e->ci->location);
        e->ci->location = loc;
    }
    return 0;
}

char *connect_url(const engine_t *e, int port)
{
    return ippc_conninfo_url(e->ci, port);
}

int connect_ports(const engine_t *e, void *s, const int *ports, size_t nports, ippc_error_t **err)
{
    for (size_t i = 0; i < nports; i++) {
        char *url = connect_url(e, ports[i]);
        if (!url)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        int rc = zmq_connect(s, url);
        if (rc < 0)
            ippc_error_set(err, IPPC_E_CONNECT, "connect %s: %s", url, zmq_strerror(zmq_errno()));
        else
            log_debug("connected to %s", url);
        free(url);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void *connect_socket(const engine_t *e, int type, const int *ports, size_t nports, ippc_error_t **err)
{
    void *s = zmq_socket(e->zctx, type);
    if (!s) {
        ippc_error_set(err, IPPC_E_IO, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    int linger = 2000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (type != ZMQ_PUB && type != ZMQ_SUB && zmq_setsockopt(s, ZMQ_IDENTITY, e->uuid, strlen(e->uuid)) < 0) {
        ippc_error_set(err, IPPC_E_IO, "zmq_setsockopt: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    /* No high-water mark: a ROUTER drops what it cannot queue, and a PUB too, so
     * replies and output sent faster than the controller takes them (thousands of
     * queued applies) would vanish; the queue is bounded by what clients submitted. */
    int hwm = 0;
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (connect_ports(e, s, ports, nports, err) < 0) {
        zmq_close(s);
        return NULL;
    }
    return s;
}

static int requested_id(const engine_t *e)
{
    if (e->opt->requested_id >= 0)
        return e->opt->requested_id;
    if (!e->opt->mpi)
        return -1;
    const char *which = NULL;
    int rank = options_mpi_rank(&which);
    if (rank < 0)
        log_warn("--mpi: no rank in OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK or SLURM_PROCID; "
                 "letting the controller choose the id");
    else
        log_info("MPI rank %d (from %s)", rank, which);
    return rank;
}

static int read_reply(engine_t *e, char *url, ippc_error_t **err)
{
    double deadline = now_mono() + e->opt->timeout;
    for (;;) {
        zmq_pollitem_t it = {.socket = e->reg, .events = ZMQ_POLLIN};
        int rc = zmq_poll(&it, 1, 100);
        if (rc < 0 && zmq_errno() != EINTR)
            return ippc_error_set(err, IPPC_E_IO, "poll: %s", zmq_strerror(zmq_errno()));
        if (rc > 0)
            break;
        if (now_mono() >= deadline)
            return ippc_error_set(err, IPPC_E_TIMEOUT,
                                  "no registration reply from %s within %.1f s (is the controller running and "
                                  "reachable from here? see --location and --timeout)",
                                  url, e->opt->timeout);
    }
    ippc_msg_t *rep = emsg_recv(e->reg, err);
    if (!rep) {
        ippc_error_prefix(err, "registration reply from %s", url);
        return -1;
    }
    const char *status = json_string_value(json_object_get(rep->content, "status"));
    json_t *id = json_object_get(rep->content, "id");
    if (!status || strcmp(status, "ok") || !json_is_integer(id)) {
        const char *evalue = json_string_value(json_object_get(rep->content, "evalue"));
        char *dump = evalue ? NULL : json_dumps(rep->content, JSON_COMPACT);
        ippc_error_set(err, IPPC_E_PROTOCOL, "registration refused by %s: %s", url, evalue ? evalue : dump);
        free(dump);
        ippc_msg_destroy(&rep);
        return -1;
    }
    e->id = (int)json_integer_value(id);
    json_t *hb = json_object_get(rep->content, "hb_period");
    e->hb_period_ms = json_is_number(hb) && json_number_value(hb) > 0 ? (int)json_number_value(hb) : 3000;
    ippc_msg_destroy(&rep);
    return 0;
}

int connect_all(engine_t *e, ippc_error_t **err)
{
    int want = requested_id(e);
    e->requested_id = want;
    if (e->opt->mpi && want >= 100) {
        /* Like the stock engine: spread the registrations of large MPI jobs (20 ms/rank). */
        log_info("delaying registration by %d ms", want * 20);
        sleep_ms(want * 20);
    }
    e->zctx = zmq_ctx_new();
    if (!e->zctx)
        return ippc_error_set(err, IPPC_E_SYSTEM, "zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
    int reg = e->ci->registration, ctl = e->ci->control, io = e->ci->iopub;
    int shell_ports[2] = {e->ci->mux, e->ci->task};
    e->reg = connect_socket(e, ZMQ_DEALER, &reg, 1, err);
    e->shell = e->reg ? connect_socket(e, ZMQ_ROUTER, shell_ports, 2, err) : NULL;
    e->control = e->shell ? connect_socket(e, ZMQ_ROUTER, &ctl, 1, err) : NULL;
    e->iopub = e->control ? connect_socket(e, ZMQ_PUB, &io, 1, err) : NULL;
    return e->iopub ? 0 : -1;
}

int connect_register(engine_t *e, ippc_error_t **err)
{
    int want = e->requested_id, port = e->ci->registration;
    char *url = connect_url(e, port);
    if (!url)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    log_info("registering with the controller at %s as %s", url, e->uuid);
    json_t *content = json_pack("{s:s}", "uuid", e->uuid);
    if (want >= 0) {
        log_info("requesting id %d", want);
        json_object_set_new(content, "id", json_integer(want));
    }
    ippc_msg_t *m = emsg_new("registration_request", content, NULL, NULL, err);
    int rc = m ? emsg_send(e->reg, m, err) : -1;
    if (rc == 0)
        rc = read_reply(e, url, err);
    free(url);
    if (rc == 0 && want >= 0 && e->id != want)
        log_warn("did not get the requested id %d; the controller assigned %d", want, e->id);
    return rc;
}

int connect_broadcast(engine_t *e, ippc_error_t **err)
{
    if (e->ci->nbroadcast == 0)
        return 0;
    int port = e->ci->broadcast[(size_t)e->id % e->ci->nbroadcast];
    return connect_ports(e, e->shell, &port, 1, err);
}
