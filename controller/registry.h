/* registry.h - engines: registration, ids, unregistration, and the requests outstanding
 * on each engine (so its death can fail them).
 *
 * An engine is "pending" from its registration_request until its first heartbeat
 * echo, then "registered" (and announced with registration_notification). Lookups by
 * uuid and by id are hash tables; outstanding requests are a table by msg_id plus a
 * list per engine in submission order. */
#ifndef IPPC_REGISTRY_H
#define IPPC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl.h"
#include "strmap.h"

typedef struct ippc_pend {
    struct ippc_engine *engine;
    struct ippc_pend *prev, *next; /* in engine's list */
    char msg_id[];                 /* the table's key too */
} ippc_pend_t;

typedef struct ippc_engine {
    int id;
    char *uuid;
    size_t uuid_len;
    bool registered;
    double reg_started;      /* when its registration_request arrived */
    double reg_deadline;     /* pending: purged if no echo by then */
    int misses;              /* consecutive beats without an echo */
    bool beat;               /* echoed since the last beat */
    int hb_fd;               /* file descriptor of its heartbeat connection, -1 unknown */
    double suspect_until;    /* its connection closed: unregistered at this time unless it echoes */
    ippc_pend_t *pend_head, *pend_tail;
    size_t npending;
    unsigned long ncompleted;
    struct ippc_engine *prev, *next; /* all engines, in registration order */
} ippc_engine_t;

struct ippc_registry {
    ippc_strmap_t *by_uuid;    /* uuid -> engine (pending and registered) */
    ippc_strmap_t *by_id;      /* decimal id -> engine (pending and registered) */
    ippc_strmap_t *outstanding;/* msg_id -> ippc_pend_t */
    ippc_engine_t *head, *tail;
    size_t nregistered, npending;
    size_t nsuspects;          /* engines with suspect_until set */
    long next_id;
    double registration_timeout; /* seconds */
    ippc_engine_t **by_fd;     /* heartbeat connection fd -> engine */
    size_t nfd;
};

ippc_registry_t *ippc_registry_new(double registration_timeout);
void ippc_registry_destroy(ippc_registry_t **r);

ippc_engine_t *ippc_registry_by_uuid(const ippc_registry_t *r, const void *uuid, size_t len);
ippc_engine_t *ippc_registry_by_id(const ippc_registry_t *r, long id);

/* Handle a registration_request (msg from the query socket; idents[0] is the engine). */
void ippc_registry_register(ippc_ctl_t *ctl, const ippc_msg_t *msg);
/* The first echo from a pending engine: it is registered and announced. */
void ippc_registry_complete(ippc_ctl_t *ctl, ippc_engine_t *e);
/* Remove an engine (pending or registered): announce it if it was registered, and fail
 * each request outstanding on it with EngineError in its record. why goes to the log. */
void ippc_registry_unregister(ippc_ctl_t *ctl, ippc_engine_t *e, const char *why);
/* Pending registrations whose time is up. Returns the next deadline (0: none). */
double ippc_registry_purge_stalled(ippc_ctl_t *ctl);

/* Outstanding requests. */
void ippc_registry_add_outstanding(ippc_registry_t *r, ippc_engine_t *e, const char *msg_id);
/* The reply came: forget it. Returns the engine it was on, or NULL if it was not outstanding. */
ippc_engine_t *ippc_registry_finish_outstanding(ippc_registry_t *r, const char *msg_id);
bool ippc_registry_is_outstanding(const ippc_registry_t *r, const char *msg_id);

/* Heartbeat connection fds (see heartbeat.c). */
void ippc_registry_set_fd(ippc_registry_t *r, ippc_engine_t *e, int fd);
ippc_engine_t *ippc_registry_by_fd(const ippc_registry_t *r, int fd);

#endif
