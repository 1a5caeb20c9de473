/* proc.c - see proc.h. Linux: /proc/<pid>/stat tells zombies apart and
 * /proc/<pid>/cmdline what program a pid names now. */
#include "config.h"

#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXTRA_NAMES 8
#define CMDLINE_MAX 8192

double ippc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ippc_sleep(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

static char extra_names[MAX_EXTRA_NAMES][64];
static const char *names[5 + MAX_EXTRA_NAMES + 1] = {"ippc-controller", "ippc-engine", "ipcontroller",
                                                       "ipengine", "ipyparallel"};

const char *const *ippc_proc_cluster_names(void) { return names; }

void ippc_proc_add_cluster_name(const char *program)
{
    const char *base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
    if (!*base)
        return;
    size_t i = 0;
    for (; names[i]; i++)
        if (strstr(base, names[i]) || strcmp(names[i], base) == 0)
            return; /* already recognised */
    for (size_t k = 0; k < MAX_EXTRA_NAMES; k++) {
        if (extra_names[k][0])
            continue;
        snprintf(extra_names[k], sizeof extra_names[k], "%s", base);
        names[i] = extra_names[k];
        names[i + 1] = NULL;
        return;
    }
}

/* Read a small /proc file into buf (NUL-terminated); its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* 'R', 'S', 'Z' ... from /proc/<pid>/stat; 0 when there is no such process; '?' when
 * /proc cannot tell (then kill(pid, 0) decides). */
static char proc_state_char(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (read_small(path, buf, sizeof buf) < 0)
        return errno == ENOENT || errno == ESRCH ? 0 : '?';
    const char *paren = strrchr(buf, ')'); /* the command may hold spaces and ')' */
    return paren && paren[1] == ' ' && paren[2] ? paren[2] : '?';
}

static bool cmdline_mentions(pid_t pid, const char *const *want)
{
    char path[64];
    char *buf = malloc(CMDLINE_MAX);
    if (!buf)
        return true; /* cannot tell: do not call a live process a stranger */
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    ssize_t len = read_small(path, buf, CMDLINE_MAX);
    bool found = len < 0; /* unreadable: cannot tell */
    for (ssize_t i = 0; i < len; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    for (size_t i = 0; !found && want[i]; i++)
        found = strstr(buf, want[i]) != NULL;
    free(buf);
    return found;
}

ippc_ps_t ippc_proc_state(pid_t pid, const char *const *want, int *status, bool *reaped)
{
    if (pid <= 0)
        return IPPC_PS_GONE;
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
        if (status)
            *status = st;
        if (reaped)
            *reaped = true;
        return IPPC_PS_GONE;
    }
    char c = proc_state_char(pid);
    if (c == 0 || c == 'Z' || c == 'X' || c == 'x')
        return IPPC_PS_GONE;
    if (c == '?' && kill(pid, 0) != 0 && errno == ESRCH)
        return IPPC_PS_GONE;
    if (want && !cmdline_mentions(pid, want))
        return IPPC_PS_OTHER;
    return IPPC_PS_ALIVE;
}

const char *ippc_proc_describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "ended (wait status %#x)", status);
    return buf;
}

int ippc_proc_signal(pid_t pid, int sig, bool group)
{
    if (pid <= 0) {
        errno = ESRCH;
        return -1;
    }
    if (group && getpgid(pid) == pid && pid != getpgrp())
        return kill(-pid, sig);
    return kill(pid, sig);
}

size_t ippc_proc_wait_gone(const pid_t *pids, size_t n, double timeout)
{
    double deadline = ippc_now() + timeout;
    double pause = 0.002;
    for (;;) {
        size_t alive = 0;
        for (size_t i = 0; i < n; i++)
            if (ippc_proc_state(pids[i], NULL, NULL, NULL) != IPPC_PS_GONE)
                alive++;
        if (alive == 0 || ippc_now() >= deadline)
            return alive;
        ippc_sleep(pause);
        if (pause < 0.05)
            pause *= 2;
    }
}
