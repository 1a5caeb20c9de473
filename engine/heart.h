/* heart.h - the heartbeat: echo every ping from the controller's hb_ping PUB back on a
 * DEALER (identity = engine uuid) connected to hb_pong, in C on its own thread, so the
 * engine answers while Python runs. It starts before registration (its sockets then
 * see the controller's first ping) but answers only once the engine is ready
 * (heart_ready, a few milliseconds after the registration reply: the interpreter and the
 * startup code ran before registering); the last ping that came before is echoed then.
 * The controller completes a registration at the first pong and only then tells clients
 * about the engine. Once ready it also watches the pings: when none came for
 * --hb-misses periods (at least HEART_MIN_LOST_MS) the controller is taken as lost and
 * the control thread is told to shut the engine down with status 1. */
#ifndef ENG_HEART_H
#define ENG_HEART_H

#include "engine.h"

#define HEART_MIN_LOST_MS 10000
#define HEART_MAX_LOST_MS 600000

#define HEART_READY 'r' /* on the heart's command pipe ('q': stop) */
#define HEART_SUBSCRIBE_WAIT_MS 200

int heart_start(engine_t *e, ippc_error_t **err);
/* The engine is ready (registered, kernel attached): answer pings from now on. */
void heart_ready(void);
void heart_stop(void);

#endif
