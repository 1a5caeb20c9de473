/* elog.h - the engine's log (lib/log.h with the engine's tag): one line per event on the
 * real stderr, from any thread.
 *
 * Lines look like the stock engine's ("2026-11-25 14:31:10.177 [IPEngine.0] text"), so
 * launcher log files read the same. The log keeps its own copy of the original fd 2
 * (ippc_log_fd()) because output capture later points fd 1 and 2 at pipes that end up
 * on IOPub. */
#ifndef ENG_ELOG_H
#define ENG_ELOG_H

#include "log.h" /* lib/log.h */

/* Keep a private duplicate of fd 2 for log lines; level is the threshold. */
void log_init(int level);
/* The engine id goes into the tag once registration assigned it. */
void log_set_engine_id(int id);

#define log_debug(...) ippc_log(IPPC_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) ippc_log(IPPC_LOG_INFO, __VA_ARGS__)
#define log_warn(...) ippc_log(IPPC_LOG_WARNING, __VA_ARGS__)
#define log_error(...) ippc_log(IPPC_LOG_ERROR, __VA_ARGS__)

#endif
