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
#include "ewire.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
/* One request struct kept for the next (it holds the inline frames: over a kilobyte,
 * allocated per request otherwise). Requests are received and destroyed by the main
 * thread only. */
static emsg_req_t *g_spare;

int emsg_init(const char *key, ippc_error_t **err)
{
    g_engine.session = ippc_session_new(key, g_engine.uuid, NULL, err);
    if (!g_engine.session)
        return -1;
    /* The username the session puts in headers, for the headers ewire.c writes. */
    ippc_msg_t *probe = ippc_session_msg(g_engine.session, "status", NULL, NULL, NULL, err);
    const char *user = probe ? json_string_value(json_object_get(probe->header, "username")) : NULL;
    int rc = probe ? ewire_init(g_engine.uuid, user ? user : "username", err) : -1;
    ippc_msg_destroy(&probe);
    return rc;
}

void emsg_fini(void)
{
    pthread_mutex_lock(&g_mu);
    ippc_session_destroy(&g_engine.session);
    ewire_fini();
    pthread_mutex_unlock(&g_mu);
    free(g_spare);
    g_spare = NULL;
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
    ippc_msg_t *m = ippc_session_msg(g_engine.session, msg_type, content, (json_t *)parent, metadata, err);
    /* msg_ids from ewire's counter, which the messages written as text use too. */
    char id[96];
    ewire_next_id(id);
    if (m && json_object_set_new(m->header, "msg_id", json_string(id)) < 0) {
        ippc_msg_destroy(&m);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return m;
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

char *emsg_reply_type(const char *request_type)
{
    size_t n = strlen(request_type);
    static const char suffix[] = "_request";
    size_t sl = sizeof suffix - 1;
    if (n > sl && strcmp(request_type + n - sl, suffix) == 0)
        return ippc_strdup_printf("%.*s_reply", (int)(n - sl), request_type);
    return ippc_strdup_printf("%s_reply", request_type);
}

/* Whether s[0..n) is UTF-8 (the header text is sent back as it came). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        if ((len == 3 && c == 0xE0 && s[i + 1] < 0xA0) || (len == 3 && c == 0xED && s[i + 1] >= 0xA0) ||
            (len == 4 && c == 0xF0 && s[i + 1] < 0x90) || (len == 4 && c == 0xF4 && s[i + 1] >= 0x90))
            return false; /* overlong, surrogate, beyond U+10FFFF */
        i += len;
    }
    return true;
}

/* A header string member, malloc'd (NULL when absent, not a string or holding a NUL). */
static char *span_string(ippc_jspan_t v)
{
    char *out = v.p ? malloc(v.len + 1) : NULL; /* unescaping never lengthens */
    if (out && ippc_jscan_string(v, out, v.len + 1) < 0) {
        free(out);
        out = NULL;
    }
    return out;
}

/* The members of a verified raw request. */
static int scan_request(emsg_req_t *r, ippc_error_t **err)
{
    static const char *const hkeys[] = {"msg_id", "msg_type", "session"};
    static const char *const mkeys[EMSG_MD_N] = {"ippc", "is_broadcast", "is_coalescing", "original_msg_id"};
    static const char *const ckeys[EMSG_C_N] = {"silent", "stop_on_error"};
    static const char *const names[4] = {"header", "parent_header", "metadata", "content"};
    const ippc_frame_t *p = r->raw.parts;
    ippc_jspan_t h[3];
    int bad = -1;
    if (ippc_jscan_object(p[0].data, p[0].len, hkeys, h, 3) < 0 || !valid_utf8(p[0].data, p[0].len))
        bad = 0;
    else if (ippc_jscan_object(p[1].data, p[1].len, NULL, NULL, 0) < 0)
        bad = 1;
    else if (ippc_jscan_object(p[2].data, p[2].len, mkeys, r->md, EMSG_MD_N) < 0)
        bad = 2;
    else if (ippc_jscan_object(p[3].data, p[3].len, ckeys, r->c, EMSG_C_N) < 0)
        bad = 3;
    if (bad >= 0)
        return ippc_error_set(err, IPPC_E_PARSE, "message %s is not a JSON object", names[bad]);
    r->msg_id = span_string(h[0]);
    r->msg_type = span_string(h[1]);
    char *session = span_string(h[2]);
    bool has_session = session != NULL;
    free(session);
    if (!r->msg_id || !r->msg_type || !has_session)
        return ippc_error_set(err, IPPC_E_PARSE, "header.%s missing, not a string or holding a NUL",
                              !r->msg_id ? "msg_id" : !r->msg_type ? "msg_type" : "session");
    r->nidents = r->raw.first_buffer - 6;
    size_t n = r->raw.nframes - r->raw.first_buffer;
    if (n && !(r->buffers = calloc(n, sizeof *r->buffers)))
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (; r->nbuffers < n; r->nbuffers++)
        if (!(r->buffers[r->nbuffers] = ippc_blob_from_zmq(&r->raw.frames[r->raw.first_buffer + r->nbuffers])))
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return 0;
}

emsg_req_t *emsg_recv_req(void *socket, ippc_error_t **err)
{
    emsg_req_t *r = g_spare ? g_spare : malloc(sizeof *r);
    g_spare = NULL;
    if (r)
        memset(r, 0, sizeof *r);
    if (!r) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&g_mu);
    int rc = ippc_session_recv_raw(g_engine.session, socket, ZMQ_DONTWAIT, &r->raw, err);
    if (rc == 0)
        rc = ippc_session_verify_raw(g_engine.session, &r->raw, err);
    pthread_mutex_unlock(&g_mu);
    if (rc != 0 || scan_request(r, err) != 0)
        emsg_req_destroy(&r);
    return r;
}

void emsg_req_destroy(emsg_req_t **rp)
{
    if (!rp || !*rp)
        return;
    emsg_req_t *r = *rp;
    for (size_t i = 0; i < r->nbuffers; i++)
        ippc_blob_destroy(&r->buffers[i]);
    free(r->buffers);
    free(r->msg_id);
    free(r->msg_type);
    ippc_wire_raw_free(&r->raw);
    if (!g_spare)
        g_spare = r;
    else
        free(r);
    *rp = NULL;
}

ippc_frame_t emsg_req_header(const emsg_req_t *r)
{
    return r->raw.parts[0];
}

bool emsg_span_is(ippc_jspan_t v, const char *literal)
{
    size_t n = strlen(literal);
    return v.p && v.len == n && !memcmp(v.p, literal, n);
}

bool emsg_span_truthy(ippc_jspan_t v)
{
    static const char *const falsy[] = {"null", "false", "0", "\"\"", "0.0", "[]", "{}"};
    for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++)
        if (emsg_span_is(v, falsy[i]))
            return false;
    return v.p != NULL;
}

/* A reply ("<x>_request" → "<x>_reply") to a request of type rtype. */
static int send_reply(void *socket, const char *type, const ippc_frame_t *idents, size_t nidents, ippc_frame_t parent,
                      ippc_frame_t metadata, ippc_frame_t content, const ippc_bloblist_t *bufs, ippc_error_t **err)
{
    char *rtype = emsg_reply_type(type ? type : "unknown");
    int rc = rtype ? ewire_send(socket, idents, nidents, rtype, parent, metadata, content, bufs, err)
                   : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(rtype);
    return rc;
}

int emsg_reply_text(void *socket, const emsg_req_t *r, const char *metadata, size_t mdlen, const char *content,
                    size_t clen, const ippc_bloblist_t *bufs, ippc_error_t **err)
{
    ippc_frame_t few[4], *idents = r->nidents <= 4 ? few : malloc(r->nidents * sizeof *idents);
    if (!idents)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < r->nidents; i++)
        idents[i] = (ippc_frame_t){zmq_msg_data(&r->raw.frames[i]), zmq_msg_size(&r->raw.frames[i])};
    int rc = send_reply(socket, r->msg_type, idents, r->nidents, r->raw.parts[0], (ippc_frame_t){metadata, mdlen},
                        (ippc_frame_t){content, clen}, bufs, err);
    if (idents != few)
        free(idents);
    return rc;
}

int emsg_reply(void *socket, const ippc_msg_t *req, json_t *content, json_t *metadata, ippc_bloblist_t *bufs,
               ippc_error_t **err)
{
    if (!metadata)
        metadata = json_object();
    if (metadata && !json_object_get(metadata, "engine"))
        json_object_set_new(metadata, "engine", json_string(g_engine.uuid));
    char *parts[3] = {json_dumps(req->header, JSON_COMPACT), metadata ? json_dumps(metadata, JSON_COMPACT) : NULL,
                      content ? json_dumps(content, JSON_COMPACT) : NULL};
    ippc_frame_t few[4], *idents = req->nidents <= 4 ? few : malloc(req->nidents * sizeof *idents);
    for (size_t i = 0; idents && i < req->nidents; i++)
        idents[i] = (ippc_frame_t){req->idents[i].data, req->idents[i].len};
    int rc = parts[0] && parts[1] && parts[2] && idents
                 ? send_reply(socket, ippc_msg_type(req), idents, req->nidents, (ippc_frame_t){parts[0], strlen(parts[0])},
                              (ippc_frame_t){parts[1], strlen(parts[1])}, (ippc_frame_t){parts[2], strlen(parts[2])},
                              bufs, err)
                 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (idents != few)
        free(idents);
    for (int i = 0; i < 3; i++)
        free(parts[i]);
    json_decref(content);
    json_decref(metadata);
    return rc;
}

json_t *emsg_error_content(const char *ename, const char *evalue, const char *method)
{
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:i, s:s}}", "status", "error", "ename", ename, "evalue", evalue,
                     "traceback", tb, "engine_info", "engine_uuid", g_engine.uuid, "engine_id", g_engine.id,
                     "method", method);
}
