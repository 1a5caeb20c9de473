/* clog.h - the controller's log: one line per event on stderr, with time and level,
 * and bounded-rate reports of dropped input. */
#ifndef IPPC_CLOG_H
#define IPPC_CLOG_H

#include <stdbool.h>

/* Python logging levels, so --log-level=10 means what it means to ipcontroller. */
enum { CLOG_DEBUG = 10, CLOG_INFO = 20, CLOG_WARNING = 30, CLOG_ERROR = 40, CLOG_CRITICAL = 50 };

void ippc_clog_set_level(int level);
int ippc_clog_level(void);
/* "10".."50" or DEBUG/INFO/WARN/WARNING/ERROR/CRITICAL (any case). Returns 0 / -1. */
int ippc_clog_parse_level(const char *text, int *level);
void ippc_clog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool ippc_clog_enabled(int level) { return level >= ippc_clog_level(); }

/* A string for a log line that may be missing from a message. */
static inline const char *ippc_clog_str(const char *s) { return s ? s : "(none)"; }

#define CLOG_D(...) do { if (ippc_clog_enabled(CLOG_DEBUG)) ippc_clog(CLOG_DEBUG, __VA_ARGS__); } while (0)
#define CLOG_I(...) ippc_clog(CLOG_INFO, __VA_ARGS__)
#define CLOG_W(...) ippc_clog(CLOG_WARNING, __VA_ARGS__)
#define CLOG_E(...) ippc_clog(CLOG_ERROR, __VA_ARGS__)

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
