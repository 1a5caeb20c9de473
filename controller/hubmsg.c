/* hubmsg.c - replies, notifications and error contents (see hubmsg.h). */
#include "config.h"

#include "hubmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_int.h"

static json_t *error_content(const char *ename, const char *evalue)
{
    /* The stock traceback is Python's format_exception(); ours is the one line a
     * traceback ends with, which is what RemoteError shows. */
    char *line = ippc_strdup_printf("%s: %s", ename, evalue ? evalue : "");
    json_t *c = json_pack("{s:s, s:s, s:s, s:[s?], s:{}}", "status", "error", "ename", ename,
                          "evalue", evalue ? evalue : "", "traceback", line, "engine_info");
    free(line);
    return c;
}

json_t *ippc_hubmsg_error(const char *ename, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    json_t *c = error_content(ename, v);
    free(v);
    return c;
}

json_t *ippc_hubmsg_keyerror(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0)
        v = NULL;
    va_end(ap);
    char *quoted = v ? ippc_strdup_printf("'%s'", v) : NULL;
    json_t *c = error_content("KeyError", quoted);
    free(quoted);
    free(v);
    return c;
}

int ippc_hubmsg_send(ippc_ctl_t *ctl, ippc_sock_t sock, const void *ident, size_t identlen,
                     const char *msg_type, json_t *content, json_t *parent, json_t *metadata,
                     ippc_blob_t *const *buffers, size_t nbuffers)
{
    ippc_error_t *err = NULL;
    if (!content)
        content = json_object();
    if (!content) {
        json_decref(metadata);
        CLOG_E("%s: out of memory building %s", ippc_sock_name(sock), msg_type);
        return -1;
    }
    ippc_msg_t *m = ippc_session_msg(ctl->session, msg_type, content, parent, metadata, &err);
    int rc = -1;
    if (!m)
        goto out;
    if (ident && ippc_msg_add_ident(m, ident, identlen) < 0) {
        ippc_error_set(&err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nbuffers; i++)
        if (ippc_msg_add_buffer(m, buffers[i]) < 0) {
            ippc_error_set(&err, IPPC_E_NOMEM, "out of memory");
            goto out;
        }
    rc = ippc_session_send(ctl->session, ctl->sock[sock], m, ZMQ_DONTWAIT, &err);
out:
    if (rc < 0)
        CLOG_E("%s: cannot send %s: %s", ippc_sock_name(sock), msg_type,
               err ? ippc_error_message(err) : "out of memory");
    ippc_error_destroy(&err);
    ippc_msg_destroy(&m);
    return rc;
}

json_t *ippc_hubmsg_error_metadata(const char *engine_uuid)
{
    json_t *md = json_pack("{s:s, s:b, s:b, s:b}", "status", "error", "dependencies_met", 1,
                           "is_broadcast", 0, "is_coalescing", 0);
    if (md && engine_uuid)
        json_object_set_new(md, "engine", json_string(engine_uuid));
    return md;
}

void ippc_hubmsg_reply_error(ippc_ctl_t *ctl, ippc_sock_t sock, const void *ident, size_t identlen,
                             json_t *req_header, json_t *metadata, json_t *content)
{
    const char *type = json_string_value(json_object_get(req_header, "msg_type"));
    char reply[128];
    size_t n = type ? strlen(type) : 0;
    if (n > 8 && n < sizeof(reply) && strcmp(type + n - 8, "_request") == 0)
        snprintf(reply, sizeof(reply), "%.*s_reply", (int)(n - 8), type);
    else
        snprintf(reply, sizeof(reply), "%s", "apply_reply");
    if (!metadata)
        metadata = ippc_hubmsg_error_metadata(NULL);
    ippc_hubmsg_send(ctl, sock, ident, identlen, reply, content, req_header, metadata, NULL, 0);
}
