/* iopub.c - see iopub.h. */
#include "config.h"

#include "iopub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emsg.h"
#include "engine.h"
#include "elog.h"
#include "ewire.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char *g_parent; /* header text of the current parent, or NULL: {} */
static size_t g_parent_len, g_parent_cap;

void iopub_set_parent_text(const char *header, size_t len)
{
    pthread_mutex_lock(&g_mu);
    if (len > g_parent_cap) { /* the buffer is kept: every request sets a parent */
        char *p = realloc(g_parent, len);
        if (p) {
            g_parent = p;
            g_parent_cap = len;
        }
    }
    g_parent_len = header && len <= g_parent_cap ? len : 0;
    if (g_parent_len)
        memcpy(g_parent, header, len);
    pthread_mutex_unlock(&g_mu);
}

static const char *topic_for(const char *msg_type, const json_t *content)
{
    if (!strcmp(msg_type, "stream")) {
        const char *name = json_string_value(json_object_get(content, "name"));
        return name ? name : "stdout";
    }
    if (!strcmp(msg_type, "display_data") || !strcmp(msg_type, "update_display_data") ||
        !strcmp(msg_type, "clear_output"))
        return "displaypub";
    if (!strcmp(msg_type, "shutdown_reply"))
        return "shutdown";
    if (!strcmp(msg_type, "data_message"))
        return "datapub";
    return msg_type;
}

/* "engine.<id>." and {"engine": "<uuid>"}, made again only when the id changes (lock held). */
static char g_topic[96], g_md[64 + IPPC_UUID_LEN];
static size_t g_topic_len, g_md_len;
static int g_topic_id = -2;

static void refresh_constants(void)
{
    if (g_topic_id == g_engine.id)
        return;
    g_topic_id = g_engine.id;
    g_topic_len = (size_t)snprintf(g_topic, sizeof g_topic, "engine.%d.", g_engine.id);
    g_md_len = (size_t)snprintf(g_md, sizeof g_md, "{\"engine\":\"%s\"}", g_engine.uuid);
}

/* Send (lock held); parent NULL means the current one. */
static int send_locked(const char *msg_type, const char *topic_kind, const ippc_frame_t *parent, ippc_frame_t content,
                       const ippc_bloblist_t *bufs)
{
    static const ippc_frame_t empty = {"{}", 2};
    char topic[sizeof g_topic + 64];
    refresh_constants();
    size_t kind_len = strlen(topic_kind);
    if (kind_len > sizeof topic - g_topic_len)
        kind_len = sizeof topic - g_topic_len; /* a long msg_type as topic: cut */
    memcpy(topic, g_topic, g_topic_len);
    memcpy(topic + g_topic_len, topic_kind, kind_len);
    ippc_frame_t ident = {topic, g_topic_len + kind_len};
    ippc_frame_t cur = g_parent_len ? (ippc_frame_t){g_parent, g_parent_len} : empty;
    ippc_error_t *err = NULL;
    int rc = -1;
    if (g_engine.iopub)
        rc = ewire_send(g_engine.iopub, &ident, 1, msg_type, parent ? *parent : cur, (ippc_frame_t){g_md, g_md_len},
                        content, bufs, &err);
    if (rc < 0 && err)
        log_warn("iopub %s not sent: %s", msg_type, ippc_error_message(err));
    ippc_error_destroy(&err);
    return rc;
}

static int send_status_locked(const char *state)
{
    static const char head[] = "{\"execution_state\":\"";
    char content[64];
    size_t n = strlen(state);
    if (n > sizeof content - sizeof head - 2)
        return -1;
    memcpy(content, head, sizeof head - 1);
    memcpy(content + sizeof head - 1, state, n);
    memcpy(content + sizeof head - 1 + n, "\"}", 2);
    return send_locked("status", "status", NULL, (ippc_frame_t){content, sizeof head - 1 + n + 2}, NULL);
}

static int publish(const char *msg_type, const char *topic_kind, const ippc_frame_t *parent, ippc_frame_t content,
                   const ippc_bloblist_t *bufs)
{
    pthread_mutex_lock(&g_mu);
    int rc = send_locked(msg_type, topic_kind, parent, content, bufs);
    pthread_mutex_unlock(&g_mu);
    return rc;
}

int iopub_publish(const char *msg_type, json_t *content, const json_t *parent, const char *topic_kind,
                  ippc_bloblist_t *bufs)
{
    if (!content)
        return -1;
    char *text = json_dumps(content, JSON_COMPACT);
    char *ptext = parent ? json_dumps(parent, JSON_COMPACT) : NULL;
    int rc = -1;
    if (text && (ptext || !parent)) {
        ippc_frame_t pf = {ptext, ptext ? strlen(ptext) : 0};
        rc = publish(msg_type, topic_kind ? topic_kind : topic_for(msg_type, content), parent ? &pf : NULL,
                     (ippc_frame_t){text, strlen(text)}, bufs);
    } else {
        log_warn("iopub %s not sent: out of memory", msg_type);
    }
    free(text);
    free(ptext);
    json_decref(content);
    return rc;
}

int iopub_publish_text(const char *msg_type, const char *content, size_t len, const char *topic_kind,
                       const ippc_bloblist_t *bufs)
{
    return publish(msg_type, topic_kind ? topic_kind : topic_for(msg_type, NULL), NULL, (ippc_frame_t){content, len},
                   bufs);
}

int iopub_status(const char *state)
{
    pthread_mutex_lock(&g_mu);
    int rc = send_status_locked(state);
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void iopub_close(void)
{
    pthread_mutex_lock(&g_mu);
    if (g_engine.iopub)
        zmq_close(g_engine.iopub);
    g_engine.iopub = NULL;
    free(g_parent);
    g_parent = NULL;
    g_parent_len = g_parent_cap = 0;
    pthread_mutex_unlock(&g_mu);
}
