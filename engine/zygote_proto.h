/* zygote_proto.h - the messages between a launcher (launcher/zygote.c) and
 * ippc-engine's fork server (engine/zygote.c), on an AF_UNIX SOCK_SEQPACKET socketpair
 * whose zygote end the engine program inherits (--zygote-fd=N).
 *
 * A request is a zygote_req_t carrying the engine's log file descriptor (SCM_RIGHTS); the
 * reply a zygote_rep_t. The launcher closing its end ends the zygote (status 0). No other
 * dependency: both programs include it. */
#ifndef IPPC_ZYGOTE_PROTO_H
#define IPPC_ZYGOTE_PROTO_H

#include <stdint.h>

#define ZYGOTE_OPTION "--zygote-fd="
#define ZYGOTE_MAGIC 0x7a796731u /* "zyg1": both ends of one build */

typedef struct {
    uint32_t magic;
    uint32_t pad;
    int64_t delay_ms; /* the engine waits this long before starting (registration spread) */
} zygote_req_t;

typedef struct {
    int32_t pid;   /* the engine's pid, or -1 */
    int32_t error; /* errno of a failed fork */
} zygote_rep_t;

#endif
