/* pyembed.h - the embedded interpreter and the Python side of the engine.
 *
 * C keeps the wire protocol; the ippc_engine package (engine/python) runs code: exec and
 * eval in the user namespace, canned pickles through ipyparallel.serialize, the native
 * value encoding, IPython-style tracebacks, rich display. The main thread holds the GIL
 * except while it waits (pyembed_release / pyembed_acquire around polls).
 *
 * The package is found in $IPPC_ENGINE_PYTHONPATH, else next to the sources when the
 * binary runs from its build directory, else in $(pkgdatadir)/python. */
#ifndef ENG_PYEMBED_H
#define ENG_PYEMBED_H

#include <jansson.h>

#include "emsg.h"
#include "engine.h"
#include "value_codec.h"

/* Start the interpreter and import ippc_engine (light: no IPython, no ipyparallel). */
int pyembed_init(const engine_t *e, const char *argv0, ippc_error_t **err);
/* Before registration: make the kernel (the shell) and run the startup code (profile
 * startup files, MPI initialisation, --startup-command, --startup-script). Fails when the
 * startup command or script raised (its traceback is in the log already). */
int pyembed_prepare_kernel(const engine_t *e, ippc_error_t **err);
/* After registration: give the kernel its id and publish stdout/stderr on IOPub. */
int pyembed_start_kernel(const engine_t *e, ippc_error_t **err);
/* Registered: import what requests need, kept out of the start (Kernel.warm). */
void pyembed_warm(void);
/* The reply to a shell request as the Python side wrote it (kept until
 * pyembed_reply_clear, GIL held). */
typedef struct {
    const char *text; /* the reply content, JSON object text */
    size_t len;
    const char *status; /* "ok", "error" or "aborted" */
    bool unmet;         /* an error whose ename is UnmetDependency */
    void *owner;        /* the Python object holding text, or NULL */
    char *owned;        /* or text malloc'd here */
} pyembed_reply_t;

/* Run one shell request: the reply into out, its buffers appended to bufs. Python
 * errors become an error reply; -1 only when out of memory. The request's content text
 * goes to Python as it came. */
int pyembed_dispatch(const emsg_req_t *req, ippc_bloblist_t *bufs, pyembed_reply_t *out);
void pyembed_reply_clear(pyembed_reply_t *r);
/* clear_request: a fresh user namespace. Returns the reply content. */
json_t *pyembed_clear(void);
/* Discard a KeyboardInterrupt that arrived after the request's code had finished. */
void pyembed_discard_pending_interrupt(void);
void pyembed_release(void);
void pyembed_acquire(void);
/* Release the Python buffers libzmq has finished sending (GIL held; pymod.h). */
void pyembed_release_sent(void);
/* Flush Python-side output and run the kernel's shutdown (GIL held). */
void pyembed_shutdown(void);
const char *pyembed_python_version(void);

#endif
