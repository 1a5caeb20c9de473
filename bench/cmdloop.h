/* cmdloop.h - the line protocol of the C sides of bench/direct.sh (direct_client.c:
 * libippc; direct_zmq.c: the raw ZeroMQ floor), read from stdin and answered on
 * stdout one JSON line per command (times in seconds); the commands are described in
 * direct_client.c. */
#ifndef IPPC_BENCH_CMDLOOP_H
#define IPPC_BENCH_CMDLOOP_H

#include <stddef.h>

typedef struct {
    void (*rtt)(const char *kind, size_t n, size_t warm); /* rtt KIND N WARM */
    void (*async)(size_t m);                              /* async M */
    void (*bulk)(size_t nbytes);                          /* bulk BYTES */
    void (*scatter)(const char *kind, size_t n);          /* scatter KIND N */
    void (*cleanup)(void);                                /* cleanup */
    void (*bad)(const char *line);                        /* anything else */
} bench_commands_t;

/* Answer commands until "quit" or the end of stdin. */
void bench_cmdloop(const bench_commands_t *cmds);
/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);
/* {"samples": [...]} */
void bench_reply_samples(const double *s, size_t n);

#endif
