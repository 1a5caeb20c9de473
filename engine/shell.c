/* shell.c - see shell.h. */
#include "config.h"

#include "shell.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "control.h"
#include "emsg.h"
#include "iopub.h"
#include "elog.h"
#include "outstream.h"
#include "pyembed.h"

/* Requests taken off the socket early (to abort some of them) and not yet served. */
typedef struct pending {
    ippc_msg_t *msg;
    struct pending *next;
} pending_t;

static pending_t *g_pending;

static void pending_push(ippc_msg_t *m)
{
    pending_t *p = malloc(sizeof *p), **tail = &g_pending;
    if (!p) {
        ippc_msg_destroy(&m);
        return;
    }
    p->msg = m;
    p->next = NULL;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
}

static ippc_msg_t *pending_pop(void)
{
    pending_t *p = g_pending;
    if (!p)
        return NULL;
    g_pending = p->next;
    ippc_msg_t *m = p->msg;
    free(p);
    return m;
}

static bool md_bool(const json_t *md, const char *key)
{
    return json_is_true(json_object_get(md, key));
}

/* Reply metadata as the stock kernel's init_metadata + finish_metadata make it. */
static json_t *reply_metadata(const ippc_msg_t *req, const char *started, const json_t *reply)
{
    const json_t *rmd = req->metadata;
    const char *orig = json_string_value(json_object_get(rmd, "original_msg_id"));
    const char *status = json_string_value(json_object_get(reply, "status"));
    json_t *md = json_pack("{s:s, s:b, s:s, s:b, s:b, s:s, s:s}", "started", started, "dependencies_met", 1,
                           "engine", g_engine.uuid, "is_broadcast", md_bool(rmd, "is_broadcast"), "is_coalescing",
                           md_bool(rmd, "is_coalescing"), "original_msg_id", orig ? orig : "", "status",
                           status ? status : "ok");
    if (md && status && !strcmp(status, "error")) {
        const char *ename = json_string_value(json_object_get(reply, "ename"));
        if (ename && !strcmp(ename, "UnmetDependency"))
            json_object_set_new(md, "dependencies_met", json_false());
        json_object_set_new(md, "engine_info",
                            json_pack("{s:s, s:i}", "engine_uuid", g_engine.uuid, "engine_id", g_engine.id));
    }
    return md;
}

static void send_reply(const ippc_msg_t *req, json_t *content, const char *started, ippc_bloblist_t *bufs)
{
    json_t *md = reply_metadata(req, started, content);
    ippc_error_t *err = NULL;
    if (emsg_reply(g_engine.shell, req, content, md, bufs, &err) < 0)
        log_warn("reply to %s %s not sent: %s", ippc_msg_type(req), ippc_msg_id(req), ippc_error_message(err));
    ippc_error_destroy(&err);
}

static void send_aborted(ippc_msg_t *req)
{
    char started[32];
    ippc_wire_isodate(NULL, started);
    log_info("aborting %s %s", ippc_msg_type(req), ippc_msg_id(req));
    iopub_set_parent(req->header);
    iopub_status("busy", req->header);
    send_reply(req, json_pack("{s:s}", "status", "aborted"), started, NULL);
    iopub_status("idle", req->header);
    ippc_msg_destroy(&req);
}

/* Take every request already waiting on the socket into the pending list. */
static void drain_socket(void)
{
    for (;;) {
        zmq_pollitem_t it = {.socket = g_engine.shell, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, 0) <= 0)
            return;
        ippc_error_t *err = NULL;
        ippc_msg_t *m = emsg_recv(g_engine.shell, &err);
        if (m)
            pending_push(m);
        else if (ippc_error_code(err) != IPPC_E_TIMEOUT)
            log_warn("shell: dropped a message: %s", ippc_error_message(err));
        ippc_error_destroy(&err);
    }
}

/* Abort the waiting requests: all of them, or only the execute_requests. */
static void abort_waiting(bool only_execute)
{
    drain_socket();
    pending_t *keep = g_pending;
    g_pending = NULL;
    while (keep) {
        pending_t *p = keep;
        keep = p->next;
        const char *type = ippc_msg_type(p->msg);
        if (!only_execute || (type && !strcmp(type, "execute_request")))
            send_aborted(p->msg);
        else
            pending_push(p->msg);
        free(p);
    }
}

static void serve(ippc_msg_t *req)
{
    const char *type = ippc_msg_type(req);
    const char *id = ippc_msg_id(req);
    if (!type || !id) {
        log_warn("shell: request without msg_type or msg_id dropped");
        ippc_msg_destroy(&req);
        return;
    }
    if (control_take_aborted(id)) {
        send_aborted(req);
        return;
    }
    log_debug("handling %s %s", type, id);
    char started[32];
    ippc_wire_isodate(NULL, started);
    iopub_set_parent(req->header);
    iopub_status("busy", req->header);

    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    atomic_store(&g_engine.busy, true);
    json_t *reply = pyembed_dispatch(req, &bufs);
    atomic_store(&g_engine.busy, false);
    pyembed_discard_pending_interrupt();
    outstream_sync();
    if (!reply)
        reply = emsg_error_content("MemoryError", "out of memory in the engine", "apply");

    const char *status = json_string_value(json_object_get(reply, "status"));
    bool failed_execute = !strcmp(type, "execute_request") && status && !strcmp(status, "error") &&
                          !json_is_true(json_object_get(req->content, "silent")) &&
                          !json_is_false(json_object_get(req->content, "stop_on_error"));
    send_reply(req, reply, started, &bufs);
    ippc_bloblist_clear(&bufs);
    if (failed_execute)
        abort_waiting(true);
    iopub_status("idle", req->header);
    ippc_msg_destroy(&req);
}

static void run_jobs(void)
{
    ippc_msg_t *job;
    while ((job = control_take_job())) {
        log_info("clear_request: resetting the namespace");
        json_t *reply = pyembed_clear();
        outstream_sync();
        control_finish_job(job, reply);
    }
}

void shell_run(engine_t *e)
{
    while (!atomic_load(&e->stopping)) {
        pyembed_release_sent();
        run_jobs();
        if (control_take_abort_all())
            abort_waiting(false);
        ippc_msg_t *m = pending_pop();
        if (m) {
            serve(m);
            continue;
        }
        zmq_pollitem_t it[2] = {{.socket = e->shell, .events = ZMQ_POLLIN}, {.fd = e->main_wake[0], .events = ZMQ_POLLIN}};
        pyembed_release();
        int rc = zmq_poll(it, 2, -1);
        pyembed_acquire();
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            log_error("shell: poll: %s", zmq_strerror(zmq_errno()));
            control_request_shutdown(1);
            break;
        }
        if (it[1].revents) {
            char junk[256];
            while (read(e->main_wake[0], junk, sizeof junk) > 0) {
            }
            continue; /* jobs, aborts and stops are looked at first */
        }
        if (it[0].revents) {
            ippc_error_t *err = NULL;
            m = emsg_recv(e->shell, &err);
            if (m)
                serve(m);
            else if (ippc_error_code(err) != IPPC_E_TIMEOUT)
                log_warn("shell: dropped a message: %s", ippc_error_message(err));
            ippc_error_destroy(&err);
        }
    }
    for (ippc_msg_t *m; (m = pending_pop());)
        ippc_msg_destroy(&m);
}
