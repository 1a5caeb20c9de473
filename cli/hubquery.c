/* hubquery.c - the controller's queue_status for `ippctl status`: one queue_request on
 * the registration socket, as the stock Client.queue_status() sends it. (libippc's
 * client has no hub queries in its public interface; this uses the wire layer.) */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "conninfo.h"
#include "error_int.h"
#include "lifecycle.h"
#include "wire.h"

/* Wait up to timeout seconds for the reply to msg_id on sock; its content, or NULL. */
static json_t *await_reply(ippc_session_t *s, void *sock, const char *msg_id, double timeout, ippc_error_t **err)
{
    double deadline = ippc_now() + timeout;
    for (;;) {
        double left = deadline - ippc_now();
        if (left <= 0) {
            ippc_error_set(err, IPPC_E_TIMEOUT, "the controller did not answer a queue_request within %g s", timeout);
            return NULL;
        }
        zmq_pollitem_t it = {.socket = sock, .events = ZMQ_POLLIN};
        int rc = zmq_poll(&it, 1, (long)(left * 1000) + 1);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            ippc_error_set(err, IPPC_E_IO, "zmq_poll: %s", zmq_strerror(zmq_errno()));
            return NULL;
        }
        if (rc == 0)
            continue;
        ippc_msg_t *m = ippc_session_recv(s, sock, ZMQ_DONTWAIT, NULL);
        if (!m)
            continue; /* a malformed message: keep waiting for ours */
        const char *parent = ippc_msg_parent_id(m);
        json_t *content = NULL;
        if (parent && strcmp(parent, msg_id) == 0)
            content = json_incref(m->content);
        ippc_msg_destroy(&m);
        if (content)
            return content;
    }
}

json_t *cli_queue_status(const char *client_file, double timeout, ippc_error_t **err)
{
    ippc_conninfo_t *ci = ippc_conninfo_read(client_file, err);
    if (!ci)
        return NULL;
    json_t *reply = NULL;
    void *ctx = zmq_ctx_new();
    void *sock = ctx ? zmq_socket(ctx, ZMQ_DEALER) : NULL;
    char *url = ippc_conninfo_url(ci, ci->registration);
    ippc_session_t *s = ippc_session_new(ci->key, NULL, NULL, err);
    int zero = 0;
    if (!sock || !url || !s) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, url) != 0) {
        ippc_error_set(err, IPPC_E_CONNECT, "cannot connect to %s: %s", url, zmq_strerror(zmq_errno()));
        goto out;
    }
    ippc_msg_t *m = ippc_session_msg(s, "queue_request", json_pack("{s:n, s:b}", "targets", "verbose", 0), NULL, NULL, err);
    if (!m)
        goto out;
    char *msg_id = strdup(ippc_msg_id(m) ? ippc_msg_id(m) : "");
    if (msg_id && ippc_session_send(s, sock, m, 0, err) == 0)
        reply = await_reply(s, sock, msg_id, timeout, err);
    free(msg_id);
    ippc_msg_destroy(&m);
    const char *status = reply ? json_string_value(json_object_get(reply, "status")) : NULL;
    const char *evalue = reply ? json_string_value(json_object_get(reply, "evalue")) : NULL;
    if (status && strcmp(status, "error") == 0 && evalue && strcmp(evalue, "No Engines Registered") == 0) {
        /* The hub's answer (stock's too) while no engine has registered: an empty queue. */
        json_decref(reply);
        reply = json_pack("{s:s}", "status", "ok");
    } else if (reply && (!status || strcmp(status, "ok") != 0)) {
        const char *ev = json_string_value(json_object_get(reply, "evalue"));
        ippc_error_set(err, IPPC_E_PROTOCOL, "queue_request failed: %s", ev ? ev : "no reason given");
        json_decref(reply);
        reply = NULL;
    }
out:
    ippc_session_destroy(&s);
    free(url);
    if (sock)
        zmq_close(sock);
    if (ctx)
        zmq_ctx_term(ctx);
    ippc_conninfo_destroy(&ci);
    return reply;
}
