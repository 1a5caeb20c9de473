/* iopub.c - see iopub.h. */
#include "config.h"

#include "iopub.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "emsg.h"
#include "engine.h"
#include "elog.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *g_parent;

void iopub_set_parent(json_t *header)
{
    json_incref(header);
    pthread_mutex_lock(&g_mu);
    json_t *old = g_parent;
    g_parent = header;
    pthread_mutex_unlock(&g_mu);
    json_decref(old);
}

json_t *iopub_parent(void)
{
    pthread_mutex_lock(&g_mu);
    json_t *p = json_incref(g_parent);
    pthread_mutex_unlock(&g_mu);
    return p;
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

int iopub_publish(const char *msg_type, json_t *content, const json_t *parent, const char *topic_kind,
                  ippc_bloblist_t *bufs)
{
    if (!content)
        return -1;
    char topic[96];
    snprintf(topic, sizeof topic, "engine.%d.%s", g_engine.id, topic_kind ? topic_kind : topic_for(msg_type, content));
    ippc_error_t *err = NULL;
    int rc = -1;
    json_t *cur = parent ? NULL : iopub_parent();
    ippc_msg_t *m = emsg_new(msg_type, content, parent ? parent : cur, NULL, &err);
    json_decref(cur);
    if (!m)
        goto out;
    if (ippc_msg_add_ident(m, topic, strlen(topic)) < 0)
        goto out;
    for (size_t i = 0; bufs && i < bufs->n; i++)
        if (ippc_msg_add_buffer(m, bufs->items[i]) < 0)
            goto out;
    pthread_mutex_lock(&g_mu);
    if (g_engine.iopub)
        rc = emsg_send(g_engine.iopub, m, &err);
    else
        ippc_msg_destroy(&m);
    pthread_mutex_unlock(&g_mu);
    m = NULL;
out:
    ippc_msg_destroy(&m);
    if (rc < 0 && err)
        log_warn("iopub %s not sent: %s", msg_type, ippc_error_message(err));
    ippc_error_destroy(&err);
    return rc;
}

int iopub_status(const char *state, const json_t *parent)
{
    return iopub_publish("status", json_pack("{s:s}", "execution_state", state), parent, NULL, NULL);
}

void iopub_close(void)
{
    pthread_mutex_lock(&g_mu);
    if (g_engine.iopub)
        zmq_close(g_engine.iopub);
    g_engine.iopub = NULL;
    json_decref(g_parent);
    g_parent = NULL;
    pthread_mutex_unlock(&g_mu);
}
