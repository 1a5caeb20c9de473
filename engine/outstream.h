/* outstream.h - stdout/stderr of user code, batched into IOPub "stream" messages.
 *
 * Two sources feed the same two buffers: Python's sys.stdout/sys.stderr writers (through
 * _ippc.stream_write) and, when fd capture is on, whatever is written to file
 * descriptors 1 and 2 (C extensions, child processes): those fds are pipes read here.
 * Text is published when a writer flushes, when a buffer grows large, when the request
 * ends, and otherwise at most FLUSH_INTERVAL after it was written, so the output of a
 * long loop arrives while the loop runs. */
#ifndef ENG_OUTSTREAM_H
#define ENG_OUTSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "ippc.h"

enum { OUT_STDOUT = 0, OUT_STDERR = 1 };

int outstream_start(bool capture_fds, ippc_error_t **err);
void outstream_write(int which, const char *data, size_t len);
void outstream_flush(int which); /* which < 0: both */
/* End of a request: read what is left in the fd pipes and publish everything. */
void outstream_sync(void);
void outstream_stop(void);

#endif
