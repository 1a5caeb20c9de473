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
#include "error_int.h"
#include "ewire.h"
#include "iopub.h"
#include "elog.h"
#include "outstream.h"
#include "pyembed.h"

/* Requests taken off the socket early (to abort some of them) and not yet served. */
typedef struct pending {
    emsg_req_t *req;
    struct pending *next;
} pending_t;

static pending_t *g_pending;

static void pending_push(emsg_req_t *m)
{
    pending_t *p = malloc(sizeof *p), **tail = &g_pending;
    if (!p) {
        emsg_req_destroy(&m);
        return;
    }
    p->req = m;
    p->next = NULL;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
}

static emsg_req_t *pending_pop(void)
{
    pending_t *p = g_pending;
    if (!p)
        return NULL;
    g_pending = p->next;
    emsg_req_t *m = p->req;
    free(p);
    return m;
}

static const char *md_bool(const emsg_req_t *req, int which)
{
    return emsg_span_is(req->md[which], "true") ? "true" : "false";
}

/* Reply metadata as the stock kernel's init_metadata + finish_metadata make it, as
 * text (NULL when out of memory). */
static char *reply_metadata(const emsg_req_t *req, const char *started, const char *status, bool unmet)
{
    ippc_jspan_t orig = req->md[EMSG_MD_ORIGINAL_MSG_ID];
    bool error = !strcmp(status, "error");
    strbuf_t sb; /* puts, not printf: this is made for every request */
    strbuf_init(&sb);
    strbuf_puts(&sb, "{\"started\":\"");
    strbuf_puts(&sb, started);
    strbuf_puts(&sb, error && unmet ? "\",\"dependencies_met\":false" : "\",\"dependencies_met\":true");
    strbuf_puts(&sb, ",\"engine\":\"");
    strbuf_puts(&sb, g_engine.uuid);
    strbuf_puts(&sb, "\",\"is_broadcast\":");
    strbuf_puts(&sb, md_bool(req, EMSG_MD_IS_BROADCAST));
    strbuf_puts(&sb, ",\"is_coalescing\":");
    strbuf_puts(&sb, md_bool(req, EMSG_MD_IS_COALESCING));
    strbuf_puts(&sb, ",\"original_msg_id\":");
    if (orig.p && orig.p[0] == '"') /* a JSON string as the request wrote it */
        strbuf_putn(&sb, orig.p, orig.len);
    else
        strbuf_puts(&sb, "\"\"");
    strbuf_puts(&sb, ",\"status\":\"");
    strbuf_puts(&sb, status);
    strbuf_putc(&sb, '"');
    if (error)
        strbuf_printf(&sb, ",\"engine_info\":{\"engine_uuid\":\"%s\",\"engine_id\":%d}", g_engine.uuid, g_engine.id);
    strbuf_putc(&sb, '}');
    return strbuf_release(&sb);
}

static void send_reply(const emsg_req_t *req, const char *content, size_t len, const char *status, bool unmet,
                       const char *started, const ippc_bloblist_t *bufs)
{
    char *md = reply_metadata(req, started, status, unmet);
    ippc_error_t *err = NULL;
    if (!md)
        ippc_error_set(&err, IPPC_E_NOMEM, "out of memory");
    else if (emsg_reply_text(g_engine.shell, req, md, strlen(md), content, len, bufs, &err) == 0)
        goto out;
    log_warn("reply to %s %s not sent: %s", req->msg_type, req->msg_id, ippc_error_message(err));
out:
    free(md);
    ippc_error_destroy(&err);
}

/* The request's header becomes the parent of what the engine publishes for it. */
static void set_parent(const emsg_req_t *req)
{
    ippc_frame_t h = emsg_req_header(req);
    iopub_set_parent_text(h.data, h.len);
}

static void send_aborted(emsg_req_t *req)
{
    static const char aborted[] = "{\"status\":\"aborted\"}";
    char started[32];
    ewire_isodate(started);
    log_info("aborting %s %s", req->msg_type, req->msg_id);
    set_parent(req);
    iopub_status("busy");
    send_reply(req, aborted, sizeof aborted - 1, "aborted", false, started, NULL);
    iopub_status("idle");
    emsg_req_destroy(&req);
}

/* Take every request already waiting on the socket into the pending list. */
static void drain_socket(void)
{
    for (;;) {
        zmq_pollitem_t it = {.socket = g_engine.shell, .events = ZMQ_POLLIN};
        if (zmq_poll(&it, 1, 0) <= 0)
            return;
        ippc_error_t *err = NULL;
        emsg_req_t *m = emsg_recv_req(g_engine.shell, &err);
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
        const char *type = p->req->msg_type;
        if (!only_execute || (type && !strcmp(type, "execute_request")))
            send_aborted(p->req);
        else
            pending_push(p->req);
        free(p);
    }
}

static void serve(emsg_req_t *req)
{
    const char *type = req->msg_type, *id = req->msg_id;
    if (control_take_aborted(id)) {
        send_aborted(req);
        return;
    }
    log_debug("handling %s %s", type, id);
    char started[32];
    ewire_isodate(started);
    set_parent(req);
    iopub_status("busy");

    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    pyembed_reply_t reply;
    atomic_store(&g_engine.busy, true);
    int rc = pyembed_dispatch(req, &bufs, &reply);
    atomic_store(&g_engine.busy, false);
    pyembed_discard_pending_interrupt();
    outstream_sync();
    if (rc < 0) {
        static const char nomem[] = "{\"status\":\"error\",\"ename\":\"MemoryError\",\"evalue\":\"out of memory in "
                                    "the engine\",\"traceback\":[\"MemoryError: out of memory in the engine\"]}";
        reply = (pyembed_reply_t){.text = nomem, .len = sizeof nomem - 1, .status = "error"};
    }

    bool failed_execute = !strcmp(type, "execute_request") && !strcmp(reply.status, "error") &&
                          !emsg_span_is(req->c[EMSG_C_SILENT], "true") &&
                          !emsg_span_is(req->c[EMSG_C_STOP_ON_ERROR], "false");
    send_reply(req, reply.text, reply.len, reply.status, reply.unmet, started, &bufs);
    pyembed_reply_clear(&reply);
    ippc_bloblist_clear(&bufs);
    if (failed_execute) {
        abort_waiting(true);
        set_parent(req); /* the aborted ones were parents meanwhile */
    }
    iopub_status("idle");
    emsg_req_destroy(&req);
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
        emsg_req_t *m = pending_pop();
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
            m = emsg_recv_req(e->shell, &err);
            if (m)
                serve(m);
            else if (ippc_error_code(err) != IPPC_E_TIMEOUT)
                log_warn("shell: dropped a message: %s", ippc_error_message(err));
            ippc_error_destroy(&err);
        }
    }
    for (emsg_req_t *m; (m = pending_pop());)
        emsg_req_destroy(&m);
}
