/* nosched.c - immediate error replies for load-balanced and broadcast requests (see nosched.h). */
#include "config.h"

#include "nosched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubmsg.h"

static json_t *refusal(const char *what)
{
    return ippc_hubmsg_error("NotImplementedError", "%s scheduling is not available in this controller", what);
}

/* Receive and check the next request on s; 1 when env holds one. */
static int next_request(ippc_ctl_t *ctl, ippc_sock_t s, ippc_env_t *env)
{
    ippc_frames_t *f = &ctl->frames;
    char why[128];
    for (;;) {
        if (ippc_frames_recv(f, ctl->sock[s]) <= 0)
            return 0;
        if (ippc_env_open(env, f, 1, ctl->verifier, ctl->relay_replay, ENV_HEADER | ENV_METADATA, why,
                          sizeof(why)) == 0)
            return 1;
        ippc_droplog_note(&ctl->drops[s], ctl->now, "%s", why);
    }
}

bool ippc_nosched_task(ippc_ctl_t *ctl)
{
    ippc_frames_t *f = &ctl->frames;
    ippc_env_t env;
    int batch = 0;
    for (; batch < IPPC_BATCH && next_request(ctl, SOCK_TASK_IN, &env); batch++) {
        CLOG_I("task: refusing load-balanced %s %s", ippc_clog_str(ippc_json_str(env.header, "msg_type")),
               ippc_clog_str(ippc_json_str(env.header, "msg_id")));
        ippc_hubmsg_reply_error(ctl, SOCK_TASK_IN, ippc_frame_data(f, 0), ippc_frame_size(f, 0), env.header,
                                NULL, refusal("load-balanced"));
        ippc_env_close(&env);
    }
    ippc_frames_clear(f);
    return batch == IPPC_BATCH;
}

/* The stock client waits on one reply per target with msg_id "<msg_id>_<engine uuid>"
 * (non-coalescing), or on one reply carrying original_msg_id and broadcast_targets. */
static void refuse_broadcast(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    const void *client = ippc_frame_data(f, 0);
    size_t clen = ippc_frame_size(f, 0);
    const char *msg_id = ippc_json_str(env->header, "msg_id");
    json_t *targets = json_object_get(env->metadata, "targets");
    if (!msg_id || !json_is_array(targets) || json_array_size(targets) == 0) {
        ippc_hubmsg_reply_error(ctl, SOCK_BC_IN, client, clen, env->header, NULL, refusal("broadcast"));
        return;
    }
    if (json_is_true(json_object_get(env->metadata, "is_coalescing"))) {
        json_t *md = ippc_hubmsg_error_metadata(NULL);
        json_object_set_new(md, "is_broadcast", json_true());
        json_object_set_new(md, "is_coalescing", json_true());
        json_object_set_new(md, "original_msg_id", json_string(msg_id));
        json_object_set(md, "broadcast_targets", targets);
        ippc_hubmsg_reply_error(ctl, SOCK_BC_IN, client, clen, env->header, md, refusal("broadcast"));
        return;
    }
    size_t i;
    json_t *t;
    json_array_foreach(targets, i, t) {
        const char *uuid = json_string_value(json_array_get(t, 0));
        if (!uuid)
            continue;
        json_t *parent = json_copy(env->header);
        char *id = NULL;
        if (!parent || asprintf(&id, "%s_%s", msg_id, uuid) < 0) {
            json_decref(parent);
            continue;
        }
        json_object_set_new(parent, "msg_id", json_string(id));
        free(id);
        json_t *md = ippc_hubmsg_error_metadata(uuid);
        json_object_set_new(md, "is_broadcast", json_true());
        ippc_hubmsg_reply_error(ctl, SOCK_BC_IN, client, clen, parent, md, refusal("broadcast"));
        json_decref(parent);
    }
}

bool ippc_nosched_broadcast(ippc_ctl_t *ctl)
{
    ippc_frames_t *f = &ctl->frames;
    ippc_env_t env;
    int batch = 0;
    for (; batch < IPPC_BATCH && next_request(ctl, SOCK_BC_IN, &env); batch++) {
        CLOG_I("broadcast: refusing %s %s", ippc_clog_str(ippc_json_str(env.header, "msg_type")),
               ippc_clog_str(ippc_json_str(env.header, "msg_id")));
        refuse_broadcast(ctl, f, &env);
        ippc_env_close(&env);
    }
    ippc_frames_clear(f);
    return batch == IPPC_BATCH;
}

bool ippc_nosched_drain(ippc_ctl_t *ctl, ippc_sock_t s)
{
    ippc_frames_t *f = &ctl->frames;
    int batch = 0;
    for (; batch < IPPC_BATCH && ippc_frames_recv(f, ctl->sock[s]) > 0; batch++)
        ippc_droplog_note(&ctl->drops[s], ctl->now, "unexpected message of %zu frames", f->n);
    ippc_frames_clear(f);
    return batch == IPPC_BATCH;
}
