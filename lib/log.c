/* log.c - see log.h. */
#include "config.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int g_level = IPPC_LOG_INFO;
static atomic_int g_fd = 2;
static _Atomic(ippc_log_tag_fn) g_tag = NULL;

void ippc_log_set_level(int level) { atomic_store(&g_level, level); }
int ippc_log_level(void) { return atomic_load(&g_level); }
void ippc_log_set_tag(ippc_log_tag_fn tag) { atomic_store(&g_tag, tag); }
void ippc_log_set_fd(int fd) { atomic_store(&g_fd, fd); }
int ippc_log_fd(void) { return atomic_load(&g_fd); }

int ippc_log_dup_stderr(void)
{
    int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return -1;
    atomic_store(&g_fd, fd);
    return 0;
}

int ippc_log_parse_level(const char *text, int *level)
{
    static const struct { const char *name; int level; } names[] = {
        {"DEBUG", IPPC_LOG_DEBUG}, {"INFO", IPPC_LOG_INFO}, {"WARN", IPPC_LOG_WARNING},
        {"WARNING", IPPC_LOG_WARNING}, {"ERROR", IPPC_LOG_ERROR}, {"CRITICAL", IPPC_LOG_CRITICAL},
        {"FATAL", IPPC_LOG_CRITICAL},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(text, names[i].name) == 0) {
            *level = names[i].level;
            return 0;
        }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > 100)
        return -1;
    *level = (int)v;
    return 0;
}

const char *ippc_log_level_name(int level)
{
    if (level >= IPPC_LOG_CRITICAL)
        return "CRITICAL";
    if (level >= IPPC_LOG_ERROR)
        return "ERROR";
    if (level >= IPPC_LOG_WARNING)
        return "WARNING";
    if (level >= IPPC_LOG_INFO)
        return "INFO";
    return "DEBUG";
}

void ippc_log(int level, const char *fmt, ...)
{
    if (level < atomic_load(&g_level))
        return;
    char line[4096];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
    int k = snprintf(line + n, sizeof line - n, ".%03d ", (int)(tv.tv_usec / 1000));
    if (k > 0)
        n += (size_t)k;
    ippc_log_tag_fn tag = atomic_load(&g_tag);
    if (tag) {
        size_t t = tag(line + n, sizeof line - n, level);
        n += t < sizeof line - n ? t : sizeof line - n - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n ? (size_t)k : sizeof line - n - 1;
    if (n >= sizeof line - 1)
        n = sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(atomic_load(&g_fd), line, n);
    (void)w; /* nowhere to report a failing log */
}
