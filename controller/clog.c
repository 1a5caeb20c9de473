/* clog.c - log lines on stderr and rate-limited drop reports (see clog.h). */
#include "config.h"

#include "clog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

static int log_level = CLOG_INFO;

void ippc_clog_set_level(int level) { log_level = level; }
int ippc_clog_level(void) { return log_level; }

int ippc_clog_parse_level(const char *text, int *level)
{
    static const struct { const char *name; int level; } names[] = {
        {"DEBUG", CLOG_DEBUG}, {"INFO", CLOG_INFO}, {"WARN", CLOG_WARNING},
        {"WARNING", CLOG_WARNING}, {"ERROR", CLOG_ERROR}, {"CRITICAL", CLOG_CRITICAL},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(text, names[i].name) == 0) {
            *level = names[i].level;
            return 0;
        }
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < 0 || v > 100)
        return -1;
    *level = (int)v;
    return 0;
}

static const char *level_name(int level)
{
    if (level >= CLOG_CRITICAL)
        return "CRITICAL";
    if (level >= CLOG_ERROR)
        return "ERROR";
    if (level >= CLOG_WARNING)
        return "WARNING";
    if (level >= CLOG_INFO)
        return "INFO";
    return "DEBUG";
}

void ippc_clog(int level, const char *fmt, ...)
{
    if (level < log_level)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    /* One fprintf per line so that concurrent writers to the same file (test logs)
     * do not interleave within a line. */
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s.%03d %-8s ippc-controller: %s\n", when, (int)(tv.tv_usec / 1000),
            level_name(level), msg);
}

void ippc_droplog_init(ippc_droplog_t *d, const char *socket)
{
    memset(d, 0, sizeof(*d));
    d->socket = socket;
    d->last_report = -1e9;
}

static void droplog_report(ippc_droplog_t *d, double now)
{
    if (d->unreported == 1)
        CLOG_W("%s: dropped a message: %s", d->socket, d->last_reason);
    else
        CLOG_W("%s: dropped %lu messages in the last second (%lu in all); the last: %s",
               d->socket, d->unreported, d->total, d->last_reason);
    d->unreported = 0;
    d->last_report = now;
}

void ippc_droplog_note(ippc_droplog_t *d, double now, const char *fmt, ...)
{
    d->total++;
    d->unreported++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->last_reason, sizeof(d->last_reason), fmt, ap);
    va_end(ap);
    if (now - d->last_report >= 1.0)
        droplog_report(d, now);
}

void ippc_droplog_flush(ippc_droplog_t *d, double now)
{
    if (d->unreported && now - d->last_report >= 1.0)
        droplog_report(d, now);
}

double ippc_droplog_due(const ippc_droplog_t *d)
{
    return d->unreported ? d->last_report + 1.0 : 0;
}
