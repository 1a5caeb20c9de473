/* replay.h - a bounded history of message signatures seen, to reject replays.
 *
 * Like jupyter_client's Session.digest_history: a signature seen before is a replay.
 * The history holds at most `capacity` signatures; when full the oldest are forgotten
 * (jupyter_client culls 10% at random; we forget in FIFO order). O(1) per check. */
#ifndef IPPC_REPLAY_H
#define IPPC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"

#define IPPC_REPLAY_DEFAULT_CAPACITY 65536

typedef struct ippc_replay ippc_replay_t;

/* capacity 0 means IPPC_REPLAY_DEFAULT_CAPACITY; NULL when out of memory or capacity is
 * over 2^30. A history is not locked: use it from one thread at a time. */
ippc_replay_t *ippc_replay_new(size_t capacity);
void ippc_replay_destroy(ippc_replay_t **r);
/* Record sig; returns true when it was new, false when it was seen before (a replay). */
bool ippc_replay_check_and_add(ippc_replay_t *r, const unsigned char sig[IPPC_HMAC_LEN]);
size_t ippc_replay_count(const ippc_replay_t *r);

#endif
