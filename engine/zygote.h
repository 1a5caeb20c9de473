/* zygote.h - ippc-engine as a fork server for a local launcher (--zygote-fd=N, internal;
 * see ippc-engine(1)).
 *
 * Starting Python and importing IPython and ipyparallel costs each engine ~0.5 s of CPU,
 * paid n times when a launcher starts n engines on one host. The zygote pays it once:
 * it starts the interpreter and imports what the shell needs, creating no thread, no
 * ZeroMQ context, no shell instance and nothing that belongs to one engine, then forks
 * one engine per request. Each child goes on with the normal start (its own uuid,
 * pipes, signals, kernel, sockets, registration).
 *
 * The protocol on the inherited socket is in zygote_proto.h. The zygote exits 0 when
 * the launcher closes its end, 1 (the reason in its log) when the interpreter or an
 * import fails or a fork cannot be made safely. */
#ifndef ENG_ZYGOTE_H
#define ENG_ZYGOTE_H

#include "engine.h"
#include "ippc.h"
#include "zygote_proto.h"

/* Take --zygote-fd=N out of argv (options.c never sees it). *fd: N, or -1 without the
 * option. -1 (with a message on stderr) when N is not a descriptor. */
int zygote_take_option(int *argc, char **argv, int *fd);

/* Be the zygote: start the interpreter, pre-import, serve requests on fd. Returns 0 in
 * each forked engine (setsid, log on fd 1/2 and the log's own fd, the delay slept), 1 in
 * the zygote once the launcher closed the socket, -1 in the zygote on a failure (err;
 * a Python traceback is in the log already). */
int zygote_run(engine_t *e, int fd, const char *argv0, ippc_error_t **err);

#endif
