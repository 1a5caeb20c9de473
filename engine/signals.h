/* signals.h - how the engine reacts to signals.
 *
 * SIGINT: while the main thread runs a request's Python code it becomes a
 *   KeyboardInterrupt there (PyErr_SetInterruptEx, and the signal itself interrupts a
 *   blocking call such as time.sleep); while idle it is ignored. Other threads block it;
 *   a Python thread of the user that receives it passes it on to the main thread.
 * SIGTERM: before registration (interpreter start, startup code, the wait for the
 *   connection file and the registration reply) the engine exits at once with status 0;
 *   after it, a clean shutdown carried out by the control thread (woken through a pipe,
 *   which holds the request until that thread runs).
 * SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT: once registered, the control thread is asked
 *   to send the controller an unregistration_request at once (waiting for it at most 2 s),
 *   then the signal takes its default action. Without this the controller would only
 *   notice the dead engine after ten missed heartbeats.
 * Engine threads are created with SIGINT and SIGTERM blocked (signals_block), so
 * process-directed signals reach the main thread. */
#ifndef ENG_SIGNALS_H
#define ENG_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

#include "ippc.h"

int signals_install(ippc_error_t **err);
/* Python's signal module installs its own SIGINT handler when it sets the Python-level
 * one (KeyboardInterrupt); put ours back in front of it. */
int signals_reinstall_sigint(ippc_error_t **err);
void signals_block(sigset_t *old);
void signals_restore(const sigset_t *old);
/* KeyboardInterrupt in the running request (no-op while idle). Any thread. */
void signals_interrupt_main(void);
/* The registration reply came: SIGTERM now means a clean shutdown with unregistration. */
void signals_registered(void);
/* The control thread writes one byte here once the crash unregistration was sent. */
void signals_crash_ack(void);

#endif
