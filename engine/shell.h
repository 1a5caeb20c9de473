/* shell.h - the main thread's loop: requests from the shell ROUTER (mux, task and the
 * broadcast leaf all arrive on the one socket), one at a time.
 *
 * For each request: IOPub status busy; the Python side runs it and publishes
 * execute_input, stream, display_data, execute_result and error as it goes; the
 * remaining output is flushed; the reply goes back with the stock metadata (started,
 * dependencies_met, engine, is_broadcast, ..., status, engine_info on errors); status
 * idle. Between requests it runs queued control jobs (clear_request) and aborts. Like
 * ipykernel, a failed non-silent execute_request (stop_on_error) aborts the
 * execute_requests already waiting. */
#ifndef ENG_SHELL_H
#define ENG_SHELL_H

#include "engine.h"

/* Serve until the engine stops. */
void shell_run(engine_t *e);

#endif
