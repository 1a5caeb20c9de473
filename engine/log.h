/* log.h - the engine's log: one line per event on the real stderr.
 *
 * Lines look like the stock engine's ("2026-11-25 14:31:10.177 [IPEngine.0] text"), so
 * launcher log files read the same. The log keeps its own copy of the original fd 2
 * because output capture later points fd 1 and 2 at pipes that end up on IOPub. */
#ifndef ENG_LOG_H
#define ENG_LOG_H

enum { LOG_DEBUG = 10, LOG_INFO = 20, LOG_WARN = 30, LOG_ERROR = 40, LOG_CRIT = 50 };

/* Keep a private duplicate of fd 2 for log lines; level is the threshold. */
void log_init(int level);
void log_set_level(int level);
int log_level(void);
/* The engine id goes into the prefix once registration assigned it. */
void log_set_engine_id(int id);
/* The fd log lines go to (a dup of the original stderr). */
int log_fd(void);
void eng_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) eng_log(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) eng_log(LOG_INFO, __VA_ARGS__)
#define log_warn(...) eng_log(LOG_WARN, __VA_ARGS__)
#define log_error(...) eng_log(LOG_ERROR, __VA_ARGS__)

#endif
