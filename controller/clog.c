/* clog.c - the controller's log tag and rate-limited drop reports (see clog.h). */
#include "config.h"

#include "clog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* "INFO     ippc-controller: " */
static size_t clog_tag(char *buf, size_t size, int level)
{
    int k = snprintf(buf, size, "%-8s ippc-controller: ", ippc_log_level_name(level));
    return k < 0 ? 0 : (size_t)k;
}

void ippc_clog_init(void) { ippc_log_set_tag(clog_tag); }

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
