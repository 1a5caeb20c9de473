/* clog.h - the controller's log (lib/log.h with the controller's tag): one line per
 * event on stderr, with time and level, and bounded-rate reports of dropped input. */
#ifndef IPPC_CLOG_H
#define IPPC_CLOG_H

#include <stdbool.h>

#include "log.h" /* lib/log.h */

/* Python logging levels, so --log-level=10 means what it means to ipcontroller. */
enum {
    CLOG_DEBUG = IPPC_LOG_DEBUG,
    CLOG_INFO = IPPC_LOG_INFO,
    CLOG_WARNING = IPPC_LOG_WARNING,
    CLOG_ERROR = IPPC_LOG_ERROR,
    CLOG_CRITICAL = IPPC_LOG_CRITICAL
};

/* Log lines as "2026-11-25 14:31:10.177 INFO     ippc-controller: text" on stderr (the
 * threshold is ippc_log_set_level's, INFO until the options say otherwise). */
void ippc_clog_init(void);

/* A string for a log line that may be missing from a message. */
static inline const char *ippc_clog_str(const char *s) { return s ? s : "(none)"; }

#define CLOG_D(...) do { if (ippc_log_enabled(CLOG_DEBUG)) ippc_log(CLOG_DEBUG, __VA_ARGS__); } while (0)
#define CLOG_I(...) ippc_log(CLOG_INFO, __VA_ARGS__)
#define CLOG_W(...) ippc_log(CLOG_WARNING, __VA_ARGS__)
#define CLOG_E(...) ippc_log(CLOG_ERROR, __VA_ARGS__)

/* Dropped input on one socket. Hostile peers can send garbage as fast as the network
 * allows, so drops are counted and reported at most once per second per socket. */
typedef struct {
    const char *socket;      /* "registration", "mux", ... */
    unsigned long total;     /* since start */
    unsigned long unreported;
    char last_reason[160];
    double last_report;      /* monotonic seconds */
} ippc_droplog_t;

void ippc_droplog_init(ippc_droplog_t *d, const char *socket);
/* Count one dropped message; logs now if the last report is a second old. */
void ippc_droplog_note(ippc_droplog_t *d, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report what is still unreported once its second has passed (called from the loop). */
void ippc_droplog_flush(ippc_droplog_t *d, double now);
/* The next time a flush may be due (0 when nothing is pending). */
double ippc_droplog_due(const ippc_droplog_t *d);

#endif
