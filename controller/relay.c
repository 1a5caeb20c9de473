/* relay.c - mux, control and iopub relays with request tracking (see relay.h). */
#include "config.h"

#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hubmsg.h"
#include "jscan.h"
#include "records.h"
#include "registry.h"

typedef enum { FORWARD, CONSUMED } verdict_t;

/* msg_ids longer than this are relayed untracked (the stock ones are ~50 bytes). */
#define MAX_MSG_ID 512

/* Looks at a checked message before it is forwarded. */
typedef verdict_t (*observe_fn)(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env);
/* Called when the destination has no peer with the message's routing identity. */
typedef void (*unroutable_fn)(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env);

typedef struct {
    ippc_sock_t from, to;
    size_t min_idents;
    bool swap;          /* ROUTER<->ROUTER: send frame 1 first, then frame 0 */
    observe_fn observe;
    unroutable_fn unroutable;
} relay_t;

/* Messages are checked (identities, signature, replay) and forwarded frame by frame
 * without copying; the JSON parts are only scanned by the observers, for the few
 * strings the controller needs. */
static bool relay(ippc_ctl_t *ctl, const relay_t *rl)
{
    static const size_t swapped[2] = {1, 0};
    ippc_frames_t *f = &ctl->frames;
    char why[128];
    for (int batch = 0; batch < IPPC_BATCH; batch++) {
        int got = ippc_frames_recv(f, ctl->sock[rl->from]);
        if (got <= 0) {
            if (got < 0 && errno != EINTR)
                CLOG_E("%s: receive failed: %s", ippc_sock_name(rl->from), zmq_strerror(errno));
            ippc_frames_clear(f);
            return false;
        }
        ippc_env_t env;
        if (ippc_env_open(&env, f, rl->min_idents, ctl->verifier, ctl->relay_replay, 0, why, sizeof(why)) < 0) {
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
    return true;
}

/* Scan JSON part k for the members keys[0..n). -1 when it is not a JSON object. */
static int scan_part(ippc_frames_t *f, const ippc_env_t *env, size_t k, const char *const *keys, ippc_jspan_t *vals,
                     size_t n)
{
    size_t len;
    const char *text = ippc_env_text(env, f, k, &len);
    return ippc_jscan_object(text, len, keys, vals, n);
}

/* The header, metadata and content text, as records keep them. */
static ippc_rawmsg_t raw_parts(ippc_frames_t *f, const ippc_env_t *env)
{
    ippc_rawmsg_t m;
    static const size_t parts[3] = {0, 2, 3};
    for (int k = 0; k < 3; k++)
        m.data[k] = ippc_env_text(env, f, parts[k], &m.len[k]);
    return m;
}

/* ------------------------------------------------------------------ mux */

static verdict_t observe_mux_request(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    static const char *const keys[] = {"msg_id", "msg_type"};
    ippc_jspan_t v[2];
    if (scan_part(f, env, 0, keys, v, 2) < 0) {
        ippc_droplog_note(&ctl->drops[SOCK_MUX_IN], ctl->now, "the header is not a JSON object");
        return CONSUMED;
    }
    char msg_id[MAX_MSG_ID];
    bool has_id = ippc_jscan_string(v[0], msg_id, sizeof(msg_id)) >= 0;
    ippc_engine_t *e = ippc_registry_by_uuid(ctl->registry, ippc_frame_data(f, 1), ippc_frame_size(f, 1));
    if (!has_id || !e || !e->registered) {
        CLOG_D("mux: request %s to an unregistered engine; relayed untracked", has_id ? msg_id : "(no msg_id)");
        return FORWARD;
    }
    ippc_registry_add_outstanding(ctl->registry, e, msg_id);
    ippc_rawmsg_t raw = raw_parts(f, env);
    ippc_records_request(ctl->records, msg_id, &raw, e->uuid, "mux");
    if (ippc_log_enabled(CLOG_DEBUG)) {
        char type[64];
        CLOG_D("mux: %s %s -> engine %d", ippc_jscan_string(v[1], type, sizeof(type)) >= 0 ? type : "(no type)",
               msg_id, e->id);
    }
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
        struct timespec when;
        clock_gettime(CLOCK_REALTIME, &when);
        ippc_records_fail(ctl->records, msg_id, e ? e->uuid : "", json_deep_copy(content), &when);
    }
    ippc_hubmsg_reply_error(ctl, in, ippc_frame_data(f, 0), ippc_frame_size(f, 0), env->header,
                            ippc_hubmsg_error_metadata(e && e->registered ? e->uuid : NULL), content);
}

static void unroutable_mux(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    refuse_request(ctl, f, env, SOCK_MUX_IN, "mux");
}

/* The msg_id of the request a message answers (its parent header's): 1, 0 when it has
 * none that we can use, -1 when the parent header is not a JSON object. */
static int parent_msg_id(ippc_frames_t *f, const ippc_env_t *env, char out[MAX_MSG_ID])
{
    static const char *const keys[] = {"msg_id"};
    ippc_jspan_t v;
    if (scan_part(f, env, 1, keys, &v, 1) < 0)
        return -1;
    return ippc_jscan_string(v, out, MAX_MSG_ID) >= 0;
}

static verdict_t observe_mux_reply(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    char msg_id[MAX_MSG_ID];
    int got = parent_msg_id(f, env, msg_id);
    if (got < 0) {
        ippc_droplog_note(&ctl->drops[SOCK_MUX_OUT], ctl->now, "the parent header is not a JSON object");
        return CONSUMED;
    }
    if (!got)
        return FORWARD;
    ippc_engine_t *e = ippc_registry_finish_outstanding(ctl->registry, msg_id);
    struct timespec received;
    clock_gettime(CLOCK_REALTIME, &received);
    ippc_rawmsg_t raw = raw_parts(f, env);
    bool kept = ippc_records_result(ctl->records, msg_id, &raw, &f->parts[env->first_buffer], env->nbuffers,
                                    &received);
    CLOG_D("mux: reply to %s from %s%s", msg_id, e ? "its engine" : "an engine (not outstanding)",
           kept ? "" : " (no record)");
    return FORWARD;
}

bool ippc_relay_mux_requests(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_MUX_IN, SOCK_MUX_OUT, 2, true, observe_mux_request, unroutable_mux};
    return relay(ctl, &rl);
}

bool ippc_relay_mux_replies(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_MUX_OUT, SOCK_MUX_IN, 2, true, observe_mux_reply, NULL};
    return relay(ctl, &rl);
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

bool ippc_relay_ctl_requests(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_CTL_IN, SOCK_CTL_OUT, 2, true, NULL, unroutable_ctl};
    return relay(ctl, &rl);
}

bool ippc_relay_ctl_replies(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_CTL_OUT, SOCK_CTL_IN, 2, true, observe_ctl_reply, NULL};
    return relay(ctl, &rl);
}

/* ----------------------------------------------------------------- iopub */

/* Stream text into the record: the content's name and text. */
static void record_stream(ippc_ctl_t *ctl, ippc_frames_t *f, const ippc_env_t *env, const char *msg_id)
{
    static const char *const keys[] = {"name", "text"};
    ippc_jspan_t v[2];
    char name[16];
    if (scan_part(f, env, 3, keys, v, 2) < 0 || ippc_jscan_string(v[0], name, sizeof(name)) < 0 || !v[1].p)
        return;
    /* unescaped, the text is never longer than its JSON (the slack is what
     * ippc_jscan_string wants free for the longest character) */
    size_t cap = v[1].len + 8;
    char *text = malloc(cap);
    long n = text ? ippc_jscan_string(v[1], text, cap) : -1;
    if (n >= 0)
        ippc_records_stream(ctl->records, msg_id, name, text, (size_t)n);
    free(text);
}

/* What the stock hub's monitor_iopub_message does: an engine's iopub shutdown_reply
 * unregisters it; output is saved into the record of the request it belongs to. */
static verdict_t observe_iopub(ippc_ctl_t *ctl, ippc_frames_t *f, ippc_env_t *env)
{
    static const char *const keys[] = {"msg_type", "session"};
    static const char *const io_types[IPPC_IO_COUNT] = {
        [IPPC_IO_EXECUTE_INPUT] = "execute_input", [IPPC_IO_EXECUTE_RESULT] = "execute_result",
        [IPPC_IO_DISPLAY_DATA] = "display_data", [IPPC_IO_ERROR] = "error"};
    ippc_jspan_t v[2];
    char type[32];
    if (scan_part(f, env, 0, keys, v, 2) < 0 || ippc_jscan_string(v[0], type, sizeof(type)) < 0 ||
        strcmp(type, "status") == 0)
        return FORWARD;
    if (strcmp(type, "shutdown_reply") == 0) {
        char session[256];
        long n = ippc_jscan_string(v[1], session, sizeof(session));
        ippc_engine_t *e = n > 0 ? ippc_registry_by_uuid(ctl->registry, session, (size_t)n) : NULL;
        if (e)
            ippc_registry_unregister(ctl, e, "it is shutting down (iopub shutdown_reply)");
        return FORWARD;
    }
    bool stream = strcmp(type, "stream") == 0;
    int io = -1;
    for (int i = 0; i < IPPC_IO_COUNT; i++)
        if (strcmp(type, io_types[i]) == 0)
            io = i;
    char msg_id[MAX_MSG_ID];
    if (!(stream || io >= 0) || !ippc_records_enabled(ctl->records) || parent_msg_id(f, env, msg_id) <= 0)
        return FORWARD;
    if (stream) {
        record_stream(ctl, f, env, msg_id);
    } else {
        size_t len;
        const char *content = ippc_env_text(env, f, 3, &len);
        ippc_records_iopub(ctl->records, msg_id, io, content, len);
    }
    return FORWARD;
}

bool ippc_relay_iopub(ippc_ctl_t *ctl)
{
    static const relay_t rl = {SOCK_IOPUB_IN, SOCK_IOPUB_OUT, 0, false, observe_iopub, NULL};
    return relay(ctl, &rl);
}
