/* lt.h - ippc-loadtool: fake engines and a fake client that load an IPython Parallel
 * controller (stock ipcontroller or ippc-controller) through its wire protocol only, so
 * that both controllers are measured by the same C code.
 *
 *   lt_wire.c     framing: signed messages written by hand, frames received whole
 *   lt_engines.c  a fleet of fake engines in one poll loop (registration, heartbeat
 *                 echo, optional shell socket echoing apply_reply)
 *   lt_client.c   a fake client on the mux port: ping-pong and pipelined round trips
 *   lt_proc.c     clocks, percentiles, and what /proc says about the controller
 *   loadtool.c    the command line */
#ifndef IPPC_LT_H
#define IPPC_LT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "conninfo.h"
#include "crypto.h"
#include "wire.h"

/* ------------------------------------------------------------------ lt_wire.c */

/* The frames of one received multipart message. The array grows and is reused: the
 * hot loops receive without allocating. */
typedef struct {
    zmq_msg_t *f;
    size_t n, cap;
} lt_frames_t;

void lt_frames_free(lt_frames_t *fr);
/* Receive every frame of one message (flags: 0 or ZMQ_DONTWAIT). Returns the number of
 * frames, or -1 with errno (EAGAIN when nothing waits). Frames of the previous message
 * are closed first. */
int lt_recv(void *sock, lt_frames_t *fr, int flags);
static inline const char *lt_fdata(const lt_frames_t *fr, size_t i)
{
    return (const char *)zmq_msg_data(&fr->f[i]);
}
static inline size_t lt_fsize(const lt_frames_t *fr, size_t i)
{
    return zmq_msg_size(&fr->f[i]);
}
/* Index of the delimiter when four signed parts follow it, else -1. */
long lt_delim(const lt_frames_t *fr);
/* Whether the signature after delimiter d matches the four parts after it. */
bool lt_verify(const ippc_session_t *signer, const lt_frames_t *fr, long d);
/* Part k (0 header, 1 parent, 2 metadata, 3 content) after delimiter d, parsed; NULL
 * when it is not a JSON object. The caller decrefs. */
json_t *lt_part_json(const lt_frames_t *fr, long d, int k);

/* Who writes messages: the header's session and username, and a counter that keeps
 * msg_ids (and so signatures) unique. msg_id is "<session>_<n>", which lets a reader
 * find n again in a parent header without parsing JSON (lt_msgno). */
typedef struct {
    const ippc_session_t *signer; /* holds the cluster key */
    const char *session;
    const char *username;
    unsigned long counter;
} lt_writer_t;

typedef struct {
    const void *data;
    size_t len;
} lt_bytes_t;

/* Send [idents..., DELIM, signature, header, parent, metadata, content]. parent is the
 * parent header as bytes (NULL: "{}"); metadata and content are JSON text. *msgno (when
 * non-NULL) receives the n of the new msg_id. Returns 0 / -1 with errno. */
int lt_send(lt_writer_t *w, void *sock, const lt_bytes_t *idents, size_t nidents, const char *msg_type,
            lt_bytes_t parent, const char *metadata, const char *content, int flags, unsigned long *msgno);
/* The n of a header written by a writer whose session is `session`; false when the
 * header is not one of ours. */
bool lt_msgno(const void *header, size_t len, const char *session, unsigned long *n);

/* ------------------------------------------------------------------ lt_proc.c */

double lt_now(void); /* monotonic seconds */
/* The q-quantile (0..1, nearest rank) of v[0..n), sorting v in place. */
double lt_quantile(double *v, size_t n, double q);
/* CPU (utime+stime, in clock ticks), VmRSS and Pss (kB) of pid, and of pid with all
 * its descendants (the stock controller forks schedulers and a heart monitor). Forked
 * children share pages with their parent, which a sum of RSS counts again and a sum of
 * Pss does not. Returns the number of processes counted, 0 when pid is gone. */
typedef struct {
    unsigned long long main_ticks, tree_ticks;
    long main_rss_kb, tree_rss_kb;
    long main_pss_kb, tree_pss_kb;
    int nprocs;
} lt_procstat_t;
int lt_procstat(int pid, lt_procstat_t *ps);
long lt_clock_ticks(void);

/* ------------------------------------------------------------------ lt_engines.c */

typedef enum {
    LT_ENGINE_NEW,        /* sockets connected, nothing sent */
    LT_ENGINE_REQUESTED,  /* registration_request sent */
    LT_ENGINE_ACCEPTED,   /* registration_reply ok: echoing pings */
    LT_ENGINE_REGISTERED, /* registration_notification seen */
    LT_ENGINE_REFUSED,    /* registration_reply not ok */
    LT_ENGINE_LOST        /* unregistration_notification seen */
} lt_engine_state_t;

typedef struct {
    char uuid[IPPC_UUID_LEN + 1];
    void *reg, *hb_sub, *hb_pong, *shell; /* shell only in a fleet opened with_shell */
    lt_writer_t w;
    lt_engine_state_t state;
    bool pinged; /* a ping arrived: the SUB is connected and subscribed */
    int id;
} lt_engine_t;

typedef struct {
    void *zctx;
    const ippc_session_t *signer;
    lt_engine_t *e;
    size_t n;
    void *notif;           /* SUB on the client notification port */
    size_t *by_uuid;       /* engine indexes sorted by uuid, to look notifications up */
    /* Polled sockets: notif, then each engine's reg, hb_sub (and shell). zmq_poll
     * would ask each of thousands of sockets for ZMQ_EVENTS on every turn (and poll(2)
     * would scan all their fds); instead their ZMQ_FDs are in an epoll set and a
     * socket is asked only when its fd fired or it was used since (the fd signals only
     * a change, which using the socket may consume): `todo` lists those. */
    void **socks;
    int epfd;
    bool *marked;  /* in todo */
    size_t *todo;  /* room for 2 * nitems: a socket can be marked again while listed */
    size_t nitems, ntodo, per_engine;
    lt_frames_t fr;
    /* counts */
    size_t npinged, naccepted, nregistered, nrefused, nlost, nunsent;
    unsigned long pings_echoed, requests_echoed;
    double t_first_request, t_all_accepted, t_all_registered;
} lt_fleet_t;

/* Create n engines, each with a registration DEALER (IDENTITY=uuid), a heartbeat SUB
 * and DEALER (IDENTITY=uuid), and with_shell a shell ROUTER (IDENTITY=uuid) on the
 * mux port; connect everything, plus a notification SUB. */
int lt_fleet_open(lt_fleet_t *fl, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *eci,
                  const ippc_conninfo_t *cci, size_t n, bool with_shell, ippc_error_t **err);
void lt_fleet_close(lt_fleet_t *fl);
/* One poll (timeout_ms) and everything that was ready handled: replies, notifications,
 * pings echoed by accepted engines, apply_requests echoed on shell sockets. */
int lt_fleet_step(lt_fleet_t *fl, long timeout_ms);
/* Send every engine's registration_request (t_first_request is taken just before). */
int lt_fleet_register(lt_fleet_t *fl);

/* ------------------------------------------------------------------ lt_client.c */

typedef struct {
    void *mux;              /* DEALER on the client mux port */
    char session[IPPC_UUID_LEN + 1];
    char engine_uuid[IPPC_UUID_LEN + 1]; /* the target: first frame of every request */
    lt_writer_t w;
    const ippc_session_t *signer;
    lt_frames_t fr;
    unsigned long bad;      /* replies that failed the signature or were not an ok reply to us */
    unsigned long stale;    /* replies to requests no longer waited for (probes, timeouts) */
} lt_client_t;

int lt_client_open(lt_client_t *c, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *cci,
                   const char *engine_uuid, ippc_error_t **err);
void lt_client_close(lt_client_t *c);
/* Send apply_requests until one reply arrives (the relay path is up). false on timeout. */
bool lt_client_probe(lt_client_t *c, double timeout);
/* n round trips one at a time; lat[i] gets each in seconds. Returns how many completed
 * (a reply missing for 5 s ends the run). */
size_t lt_client_pingpong(lt_client_t *c, size_t n, double *lat);
/* total requests with at most window in flight; *elapsed gets the wall time. Returns
 * how many replies came back. */
size_t lt_client_pipeline(lt_client_t *c, size_t total, size_t window, double *elapsed);
/* connection_request on the registration port: how many engines the controller lists
 * (-1 when it does not answer within timeout seconds). */
int lt_query_engines(void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *cci, double timeout);

#endif
