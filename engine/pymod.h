/* pymod.h - the _ippc module (built into the engine) and moving buffers between
 * zmq frames and Python objects without copying.
 *
 *   _ippc.publish(msg_type, content_json, buffers=None)  IOPub message, current parent
 *   _ippc.stream_write(name, text) / stream_flush(name=None)   "stdout" / "stderr"
 *   _ippc.log(level, text)                                 the engine log (real stderr)
 *   _ippc.engine_id, _ippc.engine_uuid, _ippc.fd_capture   set when the kernel starts
 *
 * Received buffers reach Python as memoryviews of _ippc.Frame objects that hold the
 * frame's blob; buffers Python returns are sent from their own memory when large, and
 * released (with the GIL, on the main thread) once libzmq is done with them. */
#ifndef ENG_PYMOD_H
#define ENG_PYMOD_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "blob.h"
#include "value_codec.h"

/* Register _ippc as a built-in module; call before Py_Initialize. */
int pymod_register(void);
int pymod_set_identity(int engine_id, const char *uuid, int fd_capture);
/* A new list of memoryviews, one per blob. */
PyObject *pymod_frames_to_list(ippc_blob_t *const *blobs, size_t n);
/* Append one blob per item of a sequence of bytes-like objects. Returns 0 / -1 (Python error set). */
int pymod_buffers_to_blobs(PyObject *seq, ippc_bloblist_t *out);
/* Release the Python buffers libzmq has finished sending (GIL held). */
void pymod_release_sent(void);

#endif
