/* log.c - see log.h. Each line is formatted into one buffer and written with a single
 * write(2), so lines from different threads never interleave. */
#include "config.h"

#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int g_level = LOG_INFO;
static atomic_int g_engine_id = -1;
static int g_fd = 2;

void log_init(int level)
{
    atomic_store(&g_level, level);
    int fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (fd >= 0)
        g_fd = fd;
}

void log_set_level(int level) { atomic_store(&g_level, level); }
int log_level(void) { return atomic_load(&g_level); }
void log_set_engine_id(int id) { atomic_store(&g_engine_id, id); }
int log_fd(void) { return g_fd; }

static const char *level_name(int level)
{
    if (level >= LOG_CRIT)
        return "CRITICAL";
    if (level >= LOG_ERROR)
        return "ERROR";
    if (level >= LOG_WARN)
        return "WARNING";
    if (level >= LOG_INFO)
        return "INFO";
    return "DEBUG";
}

void eng_log(int level, const char *fmt, ...)
{
    if (level < atomic_load(&g_level))
        return;
    char line[4096];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
    int id = atomic_load(&g_engine_id);
    int k;
    if (id >= 0)
        k = snprintf(line + n, sizeof line - n, ".%03ld [IPEngine.%d] %s", (long)(tv.tv_usec / 1000), id,
                     level >= LOG_WARN ? level_name(level) : "");
    else
        k = snprintf(line + n, sizeof line - n, ".%03ld [IPEngine] %s", (long)(tv.tv_usec / 1000),
                     level >= LOG_WARN ? level_name(level) : "");
    if (k > 0)
        n += (size_t)k;
    if (level >= LOG_WARN && n < sizeof line - 2) {
        line[n++] = ':';
        line[n++] = ' ';
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
    ssize_t w = write(g_fd, line, n);
    (void)w; /* nowhere to report a failing log */
}
