/* relay.c - mux, control and iopub relays with request tracking (see relay.h). */
#include "config.h"

#include "relay.h"

#include <errno.h>
#include <string.h>

#include "hubmsg.h"
#include "records.h"
#include "registry.h"

/* Messages handled per wakeup of one socket, so one busy peer cannot starve the rest. */
#define BATCH 256

typedef enum { FORWARD, CONSUMED } verdict_t;

/* Looks at a checked message before it is forwarded. */
typedef verdict_t (*observe_fn)(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env);
/* Called when the destination has no peer with the message's routing identity. */
typedef void (*unroutable_fn)(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env);

typedef struct {
    ippc_sock_t from, to;
    size_t min_idents;
    bool swap;          /* ROUTER<->ROUTER: send frame 1 first, then frame 0 */
    unsigned parse;     /* JSON parts to parse before observing */
    observe_fn observe;
    unroutable_fn unroutable;
} relay_t;

static void relay(ippc_ctl_t *ctl, const relay_t *rl)
{
    static const size_t swapped[2] = {1, 0};
    ippc_frames_t *f = &ctl->frames;
    char why[128];
    for (int batch = 0; batch < BATCH; batch++) {
        int got = ippc_frames_recv(f, ctl->sock[rl->from]);
        if (got <= 0) {
            if (got < 0 && errno != EINTR)
                CLOG_E("%s: receive failed: %s", ippc_sock_name(rl->from), zmq_strerror(errno));
            break;
        }
        ippc_env_t env;
        if (ippc_env_open(&env, f, rl->min_idents, ctl->verifier, ctl->relay_replay, rl->parse, why,
                          sizeof(why)) < 0) {
            ippc_droplog_note(&ctl->drops[rl->from], ctl->now, "%s", why);
            continue;
        }
        if (rl->observe && rl->observe(ctl, f, &env) == CONSUMED) {
            ippc_env_close(&env);
            continue;
        }
        int rc = rl->swap ? ippc_frames_send(f, ctl->sock[rl->to], swapped, 2, 2)
                          : ippc_frames_send(f, ctl->sock[rl->to], NULL, 0, 0);
        if (rc < 0) {
            if (errno == EHOSTUNREACH && rl->unroutable)
                rl->unroutable(ctl, f, &env);
            else
                ippc_droplog_note(&ctl->drops[rl->to], ctl->now, "cannot forward: %s", zmq_strerror(errno));
        }
        ippc_env_close(&env);
    }
    ippc_frames_clear(f);
}

/* ------------------------------------------------------------------ mux */

static verdict_t observe_mux_request(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    const char *msg_id = ippc_json_str(env->header, "msg_id");
    ippc_engine_t *e = ippc_registry_by_uuid(ctl->registry, ippc_frame_data(f, 1), ippc_frame_size(f, 1));
    if (!msg_id || !e || !e->registered) {
        CLOG_D("mux: request %s to an unregistered engine; relayed untracked", msg_id ? msg_id : "(no msg_id)");
        return FORWARD;
    }
    ippc_registry_add_outstanding(ctl->registry, e, msg_id);
    ippc_records_request(ctl->records, msg_id, env->header, env->metadata, env->content, env->json_bytes,
                         e->uuid, "mux");
    CLOG_D("mux: %s %s -> engine %d", ippc_clog_str(ippc_json_str(env->header, "msg_type")), msg_id, e->id);
    return FORWARD;
}

/* The engine has no connection on the out socket (it died, or it never connected):
 * the client gets an error reply now instead of waiting forever. */
static void refuse_request(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env, ippc_sock_t in, const char *what)
{
    if (ippc_env_parse(env, f, ENV_HEADER) < 0)
        return;
    const char *msg_id = ippc_json_str(env->header, "msg_id");
    ippc_engine_t *e = ippc_registry_by_uuid(ctl->registry, ippc_frame_data(f, 1), ippc_frame_size(f, 1));
    char name[64];
    if (e)
        snprintf(name, sizeof(name), "engine %d", e->id);
    else
        snprintf(name, sizeof(name), "the engine addressed (%zu-byte identity)", ippc_frame_size(f, 1));
    json_t *content = ippc_hubmsg_error("EngineError", "%s is not connected to the controller's %s socket",
                                        name, what);
    ippc_droplog_note(&ctl->drops[in], ctl->now, "%s request %s: %s not connected", what,
                      msg_id ? msg_id : "(no msg_id)", name);
    if (msg_id && ippc_registry_finish_outstanding(ctl->registry, msg_id)) {
        char when[32];
        ippc_hubmsg_now(when);
        ippc_records_fail(ctl->records, msg_id, e ? e->uuid : "", json_deep_copy(content), when);
    }
    ippc_hubmsg_reply_error(ctl, in, ippc_frame_data(f, 0), ippc_frame_size(f, 0), env->header,
                            ippc_hubmsg_error_metadata(e && e->registered ? e->uuid : NULL), content);
}

static void unroutable_mux(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    refuse_request(ctl, f, env, SOCK_MUX_IN, "mux");
}

static verdict_t observe_mux_reply(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    const char *msg_id = ippc_json_str(env->parent, "msg_id");
    if (!msg_id)
        return FORWARD;
    ippc_engine_t *e = ippc_registry_finish_outstanding(ctl->registry, msg_id);
    char received[32];
    ippc_hubmsg_now(received);
    bool kept = ippc_records_result(ctl->records, msg_id, env->header, env->metadata, env->content,
                                    env->json_bytes, &f->parts[env->first_buffer], env->nbuffers, received);
    CLOG_D("mux: reply to %s from %s%s", msg_id, e ? "its engine" : "an engine (not outstanding)",
           kept ? "" : " (no record)");
    return FORWARD;
}

void ippc_relay_mux_requests(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_MUX_IN, SOCK_MUX_OUT, 2, true, ENV_HEADER | ENV_METADATA | ENV_CONTENT,
                               observe_mux_request, unroutable_mux};
    relay(ctl, &rl);
}

void ippc_relay_mux_replies(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_MUX_OUT, SOCK_MUX_IN, 2, true,
                               ENV_HEADER | ENV_PARENT | ENV_METADATA | ENV_CONTENT, observe_mux_reply, NULL};
    relay(ctl, &rl);
}

/* --------------------------------------------------------------- control */

static void unroutable_ctl(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    refuse_request(ctl, f, env, SOCK_CTL_IN, "control");
}

/* Replies to the control requests the controller sends itself (shutdown of engines
 * when a client asks the hub to shut down) end here. */
static verdict_t observe_ctl_reply(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    (void)ctl;
    (void)env;
    if (ippc_frame_eq(f, 1, IPPC_HUB_IDENT, strlen(IPPC_HUB_IDENT))) {
        CLOG_D("control: an engine answered our shutdown request");
        return CONSUMED;
    }
    return FORWARD;
}

void ippc_relay_ctl_requests(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_CTL_IN, SOCK_CTL_OUT, 2, true, 0, NULL, unroutable_ctl};
    relay(ctl, &rl);
}

void ippc_relay_ctl_replies(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_CTL_OUT, SOCK_CTL_IN, 2, true, 0, observe_ctl_reply, NULL};
    relay(ctl, &rl);
}

/* ----------------------------------------------------------------- iopub */

/* What the stock hub's monitor_iopub_message does: an engine's iopub shutdown_reply
 * unregisters it; output is saved into the record of the request it belongs to. */
static verdict_t observe_iopub(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    const char *type = ippc_json_str(env->header, "msg_type");
    if (!type || strcmp(type, "status") == 0)
        return FORWARD;
    if (strcmp(type, "shutdown_reply") == 0) {
        const char *session = ippc_json_str(env->header, "session");
        ippc_engine_t *e = session ? ippc_registry_by_uuid(ctl->registry, session, strlen(session)) : NULL;
        if (e)
            ippc_registry_unregister(ctl, e, "it is shutting down (iopub shutdown_reply)");
        return FORWARD;
    }
    bool stream = strcmp(type, "stream") == 0;
    bool error = strcmp(type, "error") == 0;
    bool input = strcmp(type, "execute_input") == 0;
    bool result = strcmp(type, "execute_result") == 0 || strcmp(type, "display_data") == 0;
    if (!(stream || error || input || result) || !ippc_records_enabled(ctl->records))
        return FORWARD;
    if (ippc_env_parse(env, f, ENV_PARENT | ENV_CONTENT) < 0)
        return FORWARD;
    const char *msg_id = ippc_json_str(env->parent, "msg_id");
    if (!msg_id)
        return FORWARD;
    size_t csize = ippc_frame_size(f, env->delim + 5);
    if (stream) {
        json_t *text = json_object_get(env->content, "text");
        const char *name = ippc_json_str(env->content, "name");
        if (name && json_is_string(text))
            ippc_records_stream(ctl->records, msg_id, name, json_string_value(text), json_string_length(text));
    } else if (input) {
        json_t *code = json_object_get(env->content, "code");
        if (json_is_string(code))
            ippc_records_iopub(ctl->records, msg_id, "execute_input", code, csize);
    } else {
        ippc_records_iopub(ctl->records, msg_id, error ? "error" : type, env->content, csize);
    }
    return FORWARD;
}

void ippc_relay_iopub(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_IOPUB_IN, SOCK_IOPUB_OUT, 0, false, ENV_HEADER, observe_iopub, NULL};
    relay(ctl, &rl);
}
