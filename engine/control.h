/* control.h - the control channel, on its own thread so it answers while Python runs.
 *
 *   signal_request   {"sig": 2 | "SIGINT" | "INT"}: reply, then kill(getpid(), sig);
 *                    SIGINT becomes a KeyboardInterrupt in running user code (signals.h).
 *   abort_request    {"msg_ids": [...]}: those requests get {"status": "aborted"} when they
 *                    come up on the shell; no ids: every request already waiting is aborted.
 *   clear_request    queued for the main thread, which resets the namespace between two
 *                    requests (never under running code: the stock engine also clears on
 *                    its main loop); the reply is sent when that is done.
 *   shutdown_request reply, IOPub shutdown_reply, unregistration_request, exit 0.
 *   kernel_info_request answered here; any other type gets an error reply.
 * The control thread also carries out shutdowns for SIGTERM (status 0) and a lost
 * controller (status 1), sends the unregistration of a crashing engine, and checks that
 * the controller completed the registration (regcheck.h; status 1 when it did not). */
#ifndef ENG_CONTROL_H
#define ENG_CONTROL_H

#include <stdbool.h>

#include "engine.h"

/* How long a shutdown waits for running code to give way before exiting anyway. */
#define SHUTDOWN_GRACE_MS 5000

int control_start(engine_t *e, ippc_error_t **err);
void control_join(void);

/* For the main thread: the next queued control job (a clear_request), or NULL. */
ippc_msg_t *control_take_job(void);
/* The job is done: the control thread sends reply_content (stolen) as its reply. */
void control_finish_job(ippc_msg_t *req, json_t *reply_content);
/* True (once) when msg_id was aborted by an abort_request. */
bool control_take_aborted(const char *msg_id);
/* True (once) after an abort_request without ids. */
bool control_take_abort_all(void);
/* Begin a shutdown from any thread (the control thread carries it out). */
void control_request_shutdown(int exit_code);

#endif
