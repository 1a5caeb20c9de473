/* emsg.c - see emsg.h. Making, signing and sending messages may happen on several
 * threads at once (wire.h); receiving updates the session's replay history, which the
 * main and control threads share, so receives are serialised here. Each socket is
 * still used by one thread at a time (iopub.c locks the shared PUB socket). */
#include "config.h"

#include "emsg.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

int emsg_init(const char *key, ippc_error_t **err)
{
    g_engine.session = ippc_session_new(key, g_engine.uuid, NULL, err);
    return g_engine.session ? 0 : -1;
}

void emsg_fini(void)
{
    pthread_mutex_lock(&g_mu);
    ippc_session_destroy(&g_engine.session);
    pthread_mutex_unlock(&g_mu);
}

ippc_msg_t *emsg_new(const char *msg_type, json_t *content, const json_t *parent, json_t *metadata,
                     ippc_error_t **err)
{
    if (!metadata)
        metadata = json_object();
    if (!content)
        content = json_object();
    if (!metadata || !content) {
        json_decref(metadata);
        json_decref(content);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!json_object_get(metadata, "engine"))
        json_object_set_new(metadata, "engine", json_string(g_engine.uuid));
    return ippc_session_msg(g_engine.session, msg_type, content, (json_t *)parent, metadata, err);
}

int emsg_send(void *socket, ippc_msg_t *m, ippc_error_t **err)
{
    int rc = ippc_session_send(g_engine.session, socket, m, ZMQ_DONTWAIT, err);
    ippc_msg_destroy(&m);
    return rc;
}

ippc_msg_t *emsg_recv(void *socket, ippc_error_t **err)
{
    pthread_mutex_lock(&g_mu);
    ippc_msg_t *m = ippc_session_recv(g_engine.session, socket, ZMQ_DONTWAIT, err);
    pthread_mutex_unlock(&g_mu);
    return m;
}

int emsg_copy_idents(ippc_msg_t *m, const ippc_msg_t *req)
{
    for (size_t i = 0; i < req->nidents; i++)
        if (ippc_msg_add_ident(m, req->idents[i].data, req->idents[i].len) < 0)
            return -1;
    return 0;
}

char *emsg_reply_type(const char *request_type)
{
    size_t n = strlen(request_type);
    static const char suffix[] = "_request";
    size_t sl = sizeof suffix - 1;
    if (n > sl && strcmp(request_type + n - sl, suffix) == 0)
        return ippc_strdup_printf("%.*s_reply", (int)(n - sl), request_type);
    return ippc_strdup_printf("%s_reply", request_type);
}

int emsg_reply(void *socket, const ippc_msg_t *req, json_t *content, json_t *metadata, ippc_bloblist_t *bufs,
               ippc_error_t **err)
{
    const char *type = ippc_msg_type(req);
    char *rtype = emsg_reply_type(type ? type : "unknown");
    if (!rtype) {
        json_decref(content);
        json_decref(metadata);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    ippc_msg_t *m = emsg_new(rtype, content, req->header, metadata, err);
    free(rtype);
    if (!m)
        return -1;
    if (emsg_copy_idents(m, req) < 0)
        goto nomem;
    for (size_t i = 0; bufs && i < bufs->n; i++)
        if (ippc_msg_add_buffer(m, bufs->items[i]) < 0)
            goto nomem;
    return emsg_send(socket, m, err);
nomem:
    ippc_msg_destroy(&m);
    return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
}

json_t *emsg_error_content(const char *ename, const char *evalue, const char *method)
{
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:i, s:s}}", "status", "error", "ename", ename, "evalue", evalue,
                     "traceback", tb, "engine_info", "engine_uuid", g_engine.uuid, "engine_id", g_engine.id,
                     "method", method);
}
