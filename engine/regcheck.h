/* regcheck.h - making sure the controller completed the engine's registration.
 *
 * The registration reply only begins a registration: the controller completes it at the
 * engine's first heartbeat echo, and purges it (the stock ipcontroller silently) when no
 * echo came within its registration timeout, max(30 s, 10 heartbeat periods). A purged
 * engine keeps echoing pings that the controller ignores and no client ever sees it.
 * So once the heart answers, the control thread asks the controller, on the registration
 * socket, about the engine (queue_request for its uuid: an error until the registration
 * is complete) every REGCHECK_FIRST_MS, doubling up to one heartbeat period, until it is
 * listed. When a query sent after --registration-timeout (default: the controller's
 * purge time plus two periods) still finds it unlisted, the engine gives up: it exits
 * with status 1 and says why, as the stock engine does when its registration times out. */
#ifndef ENG_REGCHECK_H
#define ENG_REGCHECK_H

#include <stdbool.h>

#include "engine.h"

#define REGCHECK_FIRST_MS 50

typedef enum { REGCHECK_WAITING, REGCHECK_DONE, REGCHECK_FAILED } regcheck_state_t;

/* Start checking (the heart answers from now on). */
void regcheck_start(const engine_t *e);
/* Milliseconds until regcheck_tick has something to do; -1 once confirmed or failed. */
int regcheck_wait_ms(void);
/* Send the next query when it is due. */
void regcheck_tick(const engine_t *e);
/* A message arrived on the registration socket: read and judge it. */
regcheck_state_t regcheck_on_message(const engine_t *e);
/* Why the check failed (for the shutdown message). */
const char *regcheck_failure(void);

#endif
