/* heart.h - the heartbeat: echo every ping from the controller's hb_ping PUB back on a
 * DEALER (identity = engine uuid) connected to hb_pong, in C on its own thread, so the
 * engine answers while Python runs. Pings are only answered once the kernel is up
 * (engine_t.ready): the controller completes a registration at the first pong and only
 * then tells clients about the engine, so clients do not send work to an engine that is
 * still importing IPython. It also watches the pings: when none came for
 * --hb-misses periods (at least HEART_MIN_LOST_MS) the controller is taken as lost and
 * the control thread is told to shut the engine down with status 1. */
#ifndef ENG_HEART_H
#define ENG_HEART_H

#include "engine.h"

#define HEART_MIN_LOST_MS 10000
#define HEART_MAX_LOST_MS 600000

int heart_start(engine_t *e, ippc_error_t **err);
void heart_stop(void);

#endif
