/* client_track.c - following zero-copy sends (track=True): when libzmq has released
 * every buffer of a call, the caller's memory may change again. Each buffer goes out
 * through a wrapper blob; libzmq drops the wrapper in its I/O thread, which counts the
 * tracker down and wakes the client (an eventfd in its poll set); the client thread
 * then calls on_sent callbacks. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "client_int.h"
#include "error_int.h"

ippc_tracker_t *ippc_tracker_new(int wake_fd)
{
    ippc_tracker_t *tr = calloc(1, sizeof(*tr));
    if (!tr)
        return NULL;
    atomic_init(&tr->refs, 1);
    atomic_init(&tr->pending, 1); /* the arming guard: no "sent" while still sending */
    tr->wake_fd = wake_fd;
    return tr;
}

static ippc_tracker_t *tracker_ref(ippc_tracker_t *tr)
{
    atomic_fetch_add_explicit(&tr->refs, 1, memory_order_relaxed);
    return tr;
}

void ippc_tracker_unref(ippc_tracker_t **trp)
{
    if (!trp || !*trp)
        return;
    ippc_tracker_t *tr = *trp;
    *trp = NULL;
    if (atomic_fetch_sub_explicit(&tr->refs, 1, memory_order_acq_rel) == 1)
        free(tr);
}

bool ippc_tracker_done(const ippc_tracker_t *tr)
{
    return !tr || atomic_load_explicit(&((ippc_tracker_t *)tr)->pending, memory_order_acquire) == 0;
}

/* One count down; the last wakes the client. May run in libzmq's I/O thread. */
static void tracker_release(ippc_tracker_t *tr)
{
    if (atomic_fetch_sub_explicit(&tr->pending, 1, memory_order_acq_rel) == 1) {
        uint64_t one = 1;
        ssize_t n = write(tr->wake_fd, &one, sizeof(one));
        (void)n; /* a full eventfd is awake already */
    }
}

typedef struct {
    ippc_tracker_t *tracker;
    ippc_blob_t *orig;
} wrap_t;

static void wrapper_released(void *data, void *hint)
{
    (void)data;
    wrap_t *w = hint;
    ippc_blob_destroy(&w->orig);
    tracker_release(w->tracker);
    ippc_tracker_unref(&w->tracker);
    free(w);
}

int ippc_tracker_wrap(ippc_tracker_t *tr, ippc_bloblist_t *bufs, ippc_error_t **err)
{
    for (size_t i = 0; i < bufs->n; i++) {
        wrap_t *w = malloc(sizeof(*w));
        if (!w)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_blob_t *orig = bufs->items[i];
        w->orig = orig; /* the list's reference moves to the wrapper */
        w->tracker = tracker_ref(tr);
        atomic_fetch_add_explicit(&tr->pending, 1, memory_order_relaxed);
        ippc_blob_t *wrapper = ippc_blob_wrap(ippc_blob_data(orig), ippc_blob_size(orig), wrapper_released, w);
        if (!wrapper) {
            bufs->items[i] = ippc_blob_ref(orig);
            wrapper_released(NULL, w);
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        }
        bufs->items[i] = wrapper;
    }
    return 0;
}

void ippc_tracker_arm(ippc_tracker_t *tr) { tracker_release(tr); }

void ippc_client_run_trackers(ippc_client_t *c)
{
    uint64_t count;
    ssize_t n = read(c->wake_fd, &count, sizeof(count)); /* reset the eventfd */
    (void)n;
    /* take the finished ones out first: a callback may start new tracked calls */
    ippc_tracker_t *done = NULL, **pp = &c->active_trackers;
    while (*pp) {
        ippc_tracker_t *tr = *pp;
        if (ippc_tracker_done(tr)) {
            *pp = tr->next_active;
            tr->next_active = done;
            done = tr;
        } else {
            pp = &tr->next_active;
        }
    }
    while (done) {
        ippc_tracker_t *tr = done;
        done = tr->next_active;
        if (tr->owner && tr->on_sent)
            tr->on_sent(tr->owner, tr->on_sent_data);
        ippc_tracker_unref(&tr);
    }
}

void ippc_client_watch_tracker(ippc_client_t *c, ippc_tracker_t *tr, ippc_result_t *owner,
                               void (*on_sent)(ippc_result_t *, void *), void *data)
{
    tr->owner = owner;
    tr->on_sent = on_sent;
    tr->on_sent_data = data;
    tr->next_active = c->active_trackers;
    c->active_trackers = tracker_ref(tr);
    if (ippc_tracker_done(tr)) { /* small buffers are copied: nothing left to wait for */
        uint64_t one = 1;
        ssize_t n = write(c->wake_fd, &one, sizeof(one));
        (void)n;
    }
}
