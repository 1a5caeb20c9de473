/* log.h - the daemons' log (internal to libippc-core): one line per event,
 *
 *     2026-11-25 14:31:10.177 <tag><message>
 *
 * with the tag (what the daemon puts between the time and the message: its name, the
 * level) made by a function the daemon sets. Each line is formatted into one buffer and
 * written with a single write(2), so lines from different threads (or processes sharing
 * a log file) never interleave; the threshold, tag function and fd are atomics, so any
 * thread may log and set them. */
#ifndef IPPC_LOG_H
#define IPPC_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Python logging levels, so --log-level=10 means what it means to the stock daemons. */
enum {
    IPPC_LOG_DEBUG = 10,
    IPPC_LOG_INFO = 20,
    IPPC_LOG_WARNING = 30,
    IPPC_LOG_ERROR = 40,
    IPPC_LOG_CRITICAL = 50
};

/* Writes the tag for a line at level into buf (size bytes, NUL-terminated, truncated to
 * fit); returns its length. */
typedef size_t (*ippc_log_tag_fn)(char *buf, size_t size, int level);

/* Lines below level are dropped (default IPPC_LOG_INFO). */
void ippc_log_set_level(int level);
int ippc_log_level(void);
static inline bool ippc_log_enabled(int level) { return level >= ippc_log_level(); }
/* The tag function (default: none, the message follows the time). */
void ippc_log_set_tag(ippc_log_tag_fn tag);
/* Where lines go (default 2). */
void ippc_log_set_fd(int fd);
int ippc_log_fd(void);
/* Log to a private duplicate of the current fd 2 (close-on-exec, fd >= 3), so that later
 * redirections of fd 2 do not carry log lines. Returns 0, or -1 (and keeps the fd). */
int ippc_log_dup_stderr(void);

/* "10".."50" (any of 0..100) or DEBUG/INFO/WARN/WARNING/ERROR/CRITICAL/FATAL (any case).
 * Returns 0, or -1 when text is none of these. */
int ippc_log_parse_level(const char *text, int *level);
/* DEBUG, INFO, WARNING, ERROR or CRITICAL: the name of the band level falls in. */
const char *ippc_log_level_name(int level);

void ippc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
