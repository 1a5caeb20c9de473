/* blob.c - reference-counted byte blocks (see blob.h). */
#include "blob.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum blob_kind { BLOB_OWNED, BLOB_WRAPPED, BLOB_ZMQ };

struct ippc_blob {
    atomic_size_t refs;
    enum blob_kind kind;
    void *data;
    size_t size;
    void (*free_fn)(void *data, void *hint);
    void *hint;
    zmq_msg_t msg; /* BLOB_ZMQ: the received frame that owns data */
};

static ippc_blob_t *blob_alloc(enum blob_kind kind)
{
    ippc_blob_t *b = calloc(1, sizeof(*b));
    if (b) {
        atomic_init(&b->refs, 1);
        b->kind = kind;
    }
    return b;
}

ippc_blob_t *ippc_blob_new(size_t size)
{
    ippc_blob_t *b = blob_alloc(BLOB_OWNED);
    if (!b)
        return NULL;
    /* malloc(0) may return NULL: keep a valid pointer for empty blobs */
    b->data = malloc(size ? size : 1);
    if (!b->data) {
        free(b);
        return NULL;
    }
    b->size = size;
    return b;
}

ippc_blob_t *ippc_blob_copy(const void *data, size_t size)
{
    ippc_blob_t *b = ippc_blob_new(size);
    if (b && size)
        memcpy(b->data, data, size);
    return b;
}

ippc_blob_t *ippc_blob_wrap(void *data, size_t size, void (*free_fn)(void *, void *), void *hint)
{
    ippc_blob_t *b = blob_alloc(BLOB_WRAPPED);
    if (!b)
        return NULL;
    b->data = data;
    b->size = size;
    b->free_fn = free_fn;
    b->hint = hint;
    return b;
}

ippc_blob_t *ippc_blob_from_zmq(zmq_msg_t *msg)
{
    ippc_blob_t *b = blob_alloc(BLOB_ZMQ);
    if (!b)
        return NULL;
    zmq_msg_init(&b->msg);
    if (zmq_msg_move(&b->msg, msg) != 0) {
        zmq_msg_close(&b->msg);
        free(b);
        return NULL;
    }
    b->data = zmq_msg_data(&b->msg);
    b->size = zmq_msg_size(&b->msg);
    return b;
}

ippc_blob_t *ippc_blob_ref(ippc_blob_t *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return b;
}

void ippc_blob_destroy(ippc_blob_t **bp)
{
    if (!bp || !*bp)
        return;
    ippc_blob_t *b = *bp;
    *bp = NULL;
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
        return;
    switch (b->kind) {
    case BLOB_OWNED:
        free(b->data);
        break;
    case BLOB_WRAPPED:
        if (b->free_fn)
            b->free_fn(b->data, b->hint);
        break;
    case BLOB_ZMQ:
        zmq_msg_close(&b->msg);
        break;
    }
    free(b);
}

void *ippc_blob_data(const ippc_blob_t *b) { return b ? b->data : NULL; }
size_t ippc_blob_size(const ippc_blob_t *b) { return b ? b->size : 0; }

/* libzmq calls this (possibly from its I/O thread) when a zero-copy send is done. */
static void blob_zmq_release(void *data, void *hint)
{
    (void)data;
    ippc_blob_t *b = hint;
    ippc_blob_destroy(&b);
}

int ippc_blob_to_zmq(ippc_blob_t *b, zmq_msg_t *msg)
{
    /* Small frames are cheaper to copy than to track. */
    if (b->size < 64) {
        if (zmq_msg_init_size(msg, b->size) != 0)
            return -1;
        if (b->size)
            memcpy(zmq_msg_data(msg), b->data, b->size);
        return 0;
    }
    ippc_blob_ref(b);
    if (zmq_msg_init_data(msg, b->data, b->size, blob_zmq_release, b) != 0) {
        ippc_blob_destroy(&b);
        return -1;
    }
    return 0;
}
