/* blob.h - reference-counted byte blocks: message buffers and array data.
 *
 * A blob lets one block of memory be shared between a value, a received zmq frame and
 * a zero-copy send without copying: the memory is released when the last reference
 * goes. References may be dropped from libzmq's I/O thread, so counts are atomic. */
#ifndef IPPC_BLOB_H
#define IPPC_BLOB_H

#include <stddef.h>
#include <zmq.h>

typedef struct ippc_blob ippc_blob_t;

ippc_blob_t *ippc_blob_new(size_t size);                        /* uninitialised memory */
ippc_blob_t *ippc_blob_copy(const void *data, size_t size);
ippc_blob_t *ippc_blob_wrap(void *data, size_t size, void (*free_fn)(void *data, void *hint), void *hint);
/* Take over a received message's memory (msg is moved: left empty). */
ippc_blob_t *ippc_blob_from_zmq(zmq_msg_t *msg);
ippc_blob_t *ippc_blob_ref(ippc_blob_t *b);                      /* +1; returns b */
void ippc_blob_destroy(ippc_blob_t **b);                         /* -1; frees at 0 */
void *ippc_blob_data(const ippc_blob_t *b);
size_t ippc_blob_size(const ippc_blob_t *b);
/* Initialise msg to send the blob without copying; the blob holds one more reference
 * until libzmq is done with it. Returns 0 / -1 (errno from zmq). */
int ippc_blob_to_zmq(ippc_blob_t *b, zmq_msg_t *msg);

#endif
