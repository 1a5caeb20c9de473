/* registry.c - engine registration, unregistration and outstanding requests (see registry.h). */
#include "config.h"

#include "registry.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hubmsg.h"
#include "records.h"

/* zmq routing identities are at most 255 bytes and must not start with a zero byte. */
#define MAX_UUID_LEN 255

ippc_registry_t *ippc_registry_new(double registration_timeout)
{
    ippc_registry_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->by_uuid = ippc_strmap_new();
    r->by_id = ippc_strmap_new();
    r->outstanding = ippc_strmap_new();
    if (!r->by_uuid || !r->by_id || !r->outstanding) {
        ippc_registry_destroy(&r);
        return NULL;
    }
    r->registration_timeout = registration_timeout;
    return r;
}

static void engine_free(ippc_engine_t *e)
{
    while (e->pend_head) {
        ippc_pend_t *p = e->pend_head;
        e->pend_head = p->next;
        free(p);
    }
    free(e->uuid);
    free(e);
}

void ippc_registry_destroy(ippc_registry_t **pr)
{
    ippc_registry_t *r = pr ? *pr : NULL;
    if (!r)
        return;
    while (r->head) {
        ippc_engine_t *e = r->head;
        r->head = e->next;
        engine_free(e);
    }
    ippc_strmap_destroy(&r->by_uuid);
    ippc_strmap_destroy(&r->by_id);
    ippc_strmap_destroy(&r->outstanding);
    free(r->by_fd);
    free(r);
    *pr = NULL;
}

ippc_engine_t *ippc_registry_by_uuid(const ippc_registry_t *r, const void *uuid, size_t len)
{
    return ippc_strmap_get(r->by_uuid, uuid, len);
}

static size_t id_key(long id, char buf[24]) { return (size_t)snprintf(buf, 24, "%ld", id); }

ippc_engine_t *ippc_registry_by_id(const ippc_registry_t *r, long id)
{
    char k[24];
    return ippc_strmap_get(r->by_id, k, id_key(id, k));
}

static void reply_error(ippc_ctl_t *ctl, const ippc_msg_t *msg, json_t *content)
{
    /* The stock hub sends registration_reply without a parent header. */
    ippc_hubmsg_send(ctl, SOCK_REG, msg->idents[0].data, msg->idents[0].len, "registration_reply",
                     content, NULL, NULL, NULL, 0);
}

/* A requested id is granted when no engine (registered or pending) has it; otherwise,
 * and when none is requested, the counter gives the next id. Ids are never reused
 * unless requested again. */
static long choose_id(ippc_registry_t *r, const json_t *requested)
{
    if (json_is_integer(requested)) {
        json_int_t want = json_integer_value(requested);
        if (want >= 0 && want <= INT_MAX) {
            ippc_engine_t *holder = ippc_registry_by_id(r, (long)want);
            if (!holder) {
                if (want + 1 > r->next_id)
                    r->next_id = (long)want + 1;
                return (long)want;
            }
            CLOG_W("registration: engine id %ld is %s by %s; assigning another", (long)want,
                   holder->registered ? "in use" : "pending", holder->uuid);
        } else {
            CLOG_W("registration: requested id %lld is out of range; assigning another", (long long)want);
        }
    }
    while (ippc_registry_by_id(r, r->next_id))
        r->next_id++;
    return r->next_id++;
}

void ippc_registry_register(ippc_ctl_t *ctl, const ippc_msg_t *msg)
{
    ippc_registry_t *r = ctl->registry;
    const char *uuid = json_string_value(json_object_get(msg->content, "uuid"));
    if (!uuid) {
        CLOG_E("registration: request without a uuid; refused");
        reply_error(ctl, msg, ippc_hubmsg_keyerror("uuid"));
        return;
    }
    size_t len = strlen(uuid);
    if (len == 0 || len > MAX_UUID_LEN) {
        CLOG_E("registration: uuid of %zu bytes refused (1-%d allowed)", len, MAX_UUID_LEN);
        reply_error(ctl, msg, ippc_hubmsg_error("ValueError", "uuid must be 1-%d bytes", MAX_UUID_LEN));
        return;
    }
    ippc_engine_t *dup = ippc_registry_by_uuid(r, uuid, len);
    if (dup) {
        CLOG_E("registration: uuid %s in use (engine %d, %s); refused", uuid, dup->id,
               dup->registered ? "registered" : "registration pending");
        reply_error(ctl, msg, ippc_hubmsg_keyerror("uuid '%s' in use", uuid));
        return;
    }
    ippc_engine_t *e = calloc(1, sizeof(*e));
    if (!e || !(e->uuid = strdup(uuid))) {
        free(e);
        CLOG_E("registration: out of memory");
        return;
    }
    e->uuid_len = len;
    e->id = (int)choose_id(r, json_object_get(msg->content, "id"));
    e->hb_fd = -1;
    e->reg_started = ctl->now;
    e->reg_deadline = ctl->now + r->registration_timeout;
    char k[24];
    if (ippc_strmap_put(r->by_uuid, uuid, len, e) < 0 || ippc_strmap_put(r->by_id, k, id_key(e->id, k), e) < 0) {
        ippc_strmap_remove(r->by_uuid, uuid, len);
        engine_free(e);
        CLOG_E("registration: out of memory");
        return;
    }
    e->prev = r->tail;
    if (r->tail)
        r->tail->next = e;
    else
        r->head = e;
    r->tail = e;
    r->npending++;
    json_t *content = json_pack("{s:i, s:s, s:i, s:O}", "id", e->id, "status", "ok", "hb_period",
                                ctl->opt->ping_ms, "connection_info", ctl->engine_info);
    ippc_hubmsg_send(ctl, SOCK_REG, msg->idents[0].data, msg->idents[0].len, "registration_reply", content,
                     NULL, NULL, NULL, 0);
    CLOG_I("registration: accepting engine %d (%s); waiting for its heartbeat", e->id, uuid);
}

static void notify(ippc_ctl_t *ctl, const char *type, const ippc_engine_t *e)
{
    ippc_hubmsg_send(ctl, SOCK_NOTIF, NULL, 0, type, json_pack("{s:i, s:s}", "id", e->id, "uuid", e->uuid),
                     NULL, NULL, NULL, 0);
}

void ippc_registry_complete(ippc_ctl_t *ctl, ippc_engine_t *e)
{
    ippc_registry_t *r = ctl->registry;
    if (e->registered)
        return;
    e->registered = true;
    e->misses = 0;
    r->npending--;
    r->nregistered++;
    notify(ctl, "registration_notification", e);
    CLOG_I("registration: engine %d (%s) registered in %d ms; %zu engine(s)", e->id, e->uuid,
           (int)((ctl->now - e->reg_started) * 1000), r->nregistered);
}

/* Each request the dead engine had not answered gets the error the stock hub records
 * in _handle_stranded_msgs, so get_result / AsyncHubResult see it. */
static void fail_outstanding(ippc_ctl_t *ctl, ippc_engine_t *e)
{
    struct timespec when;
    clock_gettime(CLOCK_REALTIME, &when);
    size_t n = 0;
    while (e->pend_head) {
        ippc_pend_t *p = e->pend_head;
        e->pend_head = p->next;
        ippc_strmap_remove(ctl->registry->outstanding, p->msg_id, strlen(p->msg_id));
        json_t *content = ippc_hubmsg_error("EngineError", "Engine %d died while running task '%s'", e->id,
                                            p->msg_id);
        ippc_records_fail(ctl->records, p->msg_id, e->uuid, content, &when);
        free(p);
        n++;
    }
    e->pend_tail = NULL;
    e->npending = 0;
    if (n)
        CLOG_W("engine %d: %zu outstanding request(s) failed with EngineError", e->id, n);
}

void ippc_registry_unregister(ippc_ctl_t *ctl, ippc_engine_t *e, const char *why)
{
    ippc_registry_t *r = ctl->registry;
    if (e->registered) {
        r->nregistered--;
        notify(ctl, "unregistration_notification", e);
        CLOG_I("unregistration: engine %d (%s): %s; %zu engine(s) left", e->id, e->uuid, why, r->nregistered);
    } else {
        r->npending--;
        CLOG_W("registration: engine %d (%s) dropped before it registered: %s", e->id, e->uuid, why);
    }
    if (e->suspect_until > 0)
        r->nsuspects--;
    fail_outstanding(ctl, e);
    char k[24];
    ippc_strmap_remove(r->by_uuid, e->uuid, e->uuid_len);
    ippc_strmap_remove(r->by_id, k, id_key(e->id, k));
    if (e->hb_fd >= 0 && (size_t)e->hb_fd < r->nfd && r->by_fd[e->hb_fd] == e)
        r->by_fd[e->hb_fd] = NULL;
    if (e->prev)
        e->prev->next = e->next;
    else
        r->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        r->tail = e->prev;
    engine_free(e);
}

double ippc_registry_purge_stalled(ippc_ctl_t *ctl)
{
    ippc_registry_t *r = ctl->registry;
    double next = 0;
    if (!r->npending)
        return 0;
    for (ippc_engine_t *e = r->head, *nx; e; e = nx) {
        nx = e->next;
        if (e->registered)
            continue;
        if (e->reg_deadline <= ctl->now) {
            char why[96];
            snprintf(why, sizeof(why), "no heartbeat within %.0f s of its registration", r->registration_timeout);
            ippc_registry_unregister(ctl, e, why);
        } else if (!next || e->reg_deadline < next) {
            next = e->reg_deadline;
        }
    }
    return next;
}

void ippc_registry_add_outstanding(ippc_registry_t *r, ippc_engine_t *e, const char *msg_id)
{
    size_t len = strlen(msg_id);
    if (ippc_strmap_get(r->outstanding, msg_id, len))
        return; /* a msg_id sent twice stays outstanding once */
    ippc_pend_t *p = malloc(sizeof(*p) + len + 1);
    if (p)
        memcpy(p->msg_id, msg_id, len + 1);
    if (!p || ippc_strmap_put_ref(r->outstanding, p->msg_id, len, p) < 0) {
        free(p);
        CLOG_E("out of memory tracking request %s", msg_id);
        return;
    }
    p->engine = e;
    p->next = NULL;
    p->prev = e->pend_tail;
    if (e->pend_tail)
        e->pend_tail->next = p;
    else
        e->pend_head = p;
    e->pend_tail = p;
    e->npending++;
}

ippc_engine_t *ippc_registry_finish_outstanding(ippc_registry_t *r, const char *msg_id)
{
    ippc_pend_t *p = ippc_strmap_remove(r->outstanding, msg_id, strlen(msg_id));
    if (!p)
        return NULL;
    ippc_engine_t *e = p->engine;
    if (p->prev)
        p->prev->next = p->next;
    else
        e->pend_head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        e->pend_tail = p->prev;
    e->npending--;
    e->ncompleted++;
    free(p);
    return e;
}

bool ippc_registry_is_outstanding(const ippc_registry_t *r, const char *msg_id)
{
    return ippc_strmap_get(r->outstanding, msg_id, strlen(msg_id)) != NULL;
}

void ippc_registry_set_fd(ippc_registry_t *r, ippc_engine_t *e, int fd)
{
    if (fd < 0 || fd == e->hb_fd)
        return;
    if ((size_t)fd >= r->nfd) {
        size_t n = r->nfd ? r->nfd : 64;
        while (n <= (size_t)fd)
            n *= 2;
        ippc_engine_t **nb = realloc(r->by_fd, n * sizeof(*nb));
        if (!nb)
            return;
        memset(nb + r->nfd, 0, (n - r->nfd) * sizeof(*nb));
        r->by_fd = nb;
        r->nfd = n;
    }
    if (e->hb_fd >= 0 && (size_t)e->hb_fd < r->nfd && r->by_fd[e->hb_fd] == e)
        r->by_fd[e->hb_fd] = NULL;
    e->hb_fd = fd;
    r->by_fd[fd] = e;
}

ippc_engine_t *ippc_registry_by_fd(const ippc_registry_t *r, int fd)
{
    return fd >= 0 && (size_t)fd < r->nfd ? r->by_fd[fd] : NULL;
}
