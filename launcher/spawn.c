/* spawn.c - see spawn.h. Everything the child needs (environment, file descriptors) is
 * prepared before fork, because the parent may have threads (a ZeroMQ context) and the
 * child may then only make async-signal-safe calls until exec. */
#include "config.h"

#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error_int.h"
#include "strbuf.h"

extern char **environ;

/* environ with the NAME=value entries of set replacing or adding to it. The strings
 * are borrowed; free only the array. */
static char **merged_env(char *const *set)
{
    size_t nenv = 0, nset = 0;
    while (environ && environ[nenv])
        nenv++;
    while (set && set[nset])
        nset++;
    char **out = calloc(nenv + nset + 1, sizeof(char *));
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < nenv; i++) {
        size_t klen = strcspn(environ[i], "=");
        bool replaced = false;
        for (size_t j = 0; !replaced && j < nset; j++)
            replaced = strncmp(set[j], environ[i], klen) == 0 && set[j][klen] == '=';
        if (!replaced)
            out[n++] = environ[i];
    }
    for (size_t j = 0; j < nset; j++)
        out[n++] = set[j];
    return out;
}

/* Close the descriptors lo..hi. */
static void close_range_compat(int lo, int hi)
{
    if (lo > hi)
        return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lo, hi == INT_MAX ? ~0u : (unsigned)hi, 0u) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (long fd = lo; fd < max && fd <= hi; fd++)
        close((int)fd);
}

/* Close every descriptor from lo up, except keep1 and keep2 (-1: none). */
static void close_from(int lo, int keep1, int keep2)
{
    int keep[2] = {keep1 < keep2 ? keep1 : keep2, keep1 < keep2 ? keep2 : keep1};
    for (int i = 0; i < 2; i++) {
        if (keep[i] < lo)
            continue;
        close_range_compat(lo, keep[i] - 1);
        lo = keep[i] + 1;
    }
    close_range_compat(lo, INT_MAX);
}

/* Async-signal-safe: write a message of fixed parts to fd 2. */
static void child_say(const char *a, const char *b, const char *c)
{
    const char *parts[] = {"ippctl: ", a, b, c, "\n"};
    for (size_t i = 0; i < 5; i++)
        if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0)
            return;
}

/* The child: never returns. report is the write end of the exec-status pipe, or -1. */
static void child(const ippc_spawn_t *s, char **envp, int logfd, int report)
{
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0 && devnull != 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    dup2(logfd, 1);
    dup2(logfd, 2);
    int keep = s->keep_fd > 2 ? s->keep_fd : -1;
    if (keep >= 0)
        fcntl(keep, F_SETFD, 0);
    close_from(3, report, keep);
    int stage = 0;
    if (s->workdir && chdir(s->workdir) != 0) {
        stage = 1;
    } else {
        if (s->delay_ms > 0) {
            struct timespec ts = {s->delay_ms / 1000, (s->delay_ms % 1000) * 1000000L};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
        }
        execve(s->path, s->argv, envp);
        stage = 2;
    }
    int e = errno;
    if (report >= 0) {
        int msg[2] = {stage, e};
        if (write(report, msg, sizeof msg) < 0)
            _exit(127);
    } else {
        child_say(stage == 1 ? "cannot change to the directory " : "cannot run ",
                  stage == 1 ? s->workdir : s->path, stage == 1 ? " (engines.workdir)" : "");
    }
    _exit(127);
}

int ippc_spawn_daemon(const ippc_spawn_t *s, pid_t *pid, ippc_error_t **err)
{
    char **envp = merged_env(s->env_set);
    if (!envp)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    int logfd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0) {
        free(envp);
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot open the log file %s", s->log_path);
    }
    int pipefd[2] = {-1, -1};
    if (s->delay_ms <= 0 && pipe2(pipefd, O_CLOEXEC) != 0) {
        close(logfd);
        free(envp);
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "pipe");
    }
    pid_t child_pid = fork();
    if (child_pid == 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        child(s, envp, logfd, pipefd[1]);
    }
    int fork_errno = errno;
    close(logfd);
    free(envp);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (child_pid < 0) {
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, fork_errno, "cannot start %s: fork", s->path);
    }
    *pid = child_pid;
    if (pipefd[0] < 0)
        return 0;
    int msg[2];
    ssize_t r;
    do
        r = read(pipefd[0], msg, sizeof msg);
    while (r < 0 && errno == EINTR);
    close(pipefd[0]);
    if (r != (ssize_t)sizeof msg)
        return 0; /* closed by exec: the program runs */
    int status;
    while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (msg[0] == 1)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, msg[1], "cannot change to the directory %s", s->workdir);
    return ippc_error_set_errno(err, IPPC_E_SYSTEM, msg[1], "cannot run %s", s->path);
}

char *ippc_file_tail(const char *path, int lines, const char *indent)
{
    enum { MAX_TAIL = 64 * 1024 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    off_t start = fstat(fd, &st) == 0 && st.st_size > MAX_TAIL ? st.st_size - MAX_TAIL : 0;
    char *buf = malloc(MAX_TAIL + 1);
    ssize_t len = buf ? pread(fd, buf, MAX_TAIL, start) : -1;
    close(fd);
    if (len < 0) {
        free(buf);
        return NULL;
    }
    while (len > 0 && buf[len - 1] == '\n')
        len--;
    buf[len] = '\0';
    const char *from = buf;
    int seen = 0;
    for (ssize_t i = len - 1; i >= 0; i--)
        if (buf[i] == '\n' && ++seen == lines) {
            from = buf + i + 1;
            break;
        }
    strbuf_t sb;
    strbuf_init(&sb);
    while (*from) {
        size_t n = strcspn(from, "\n");
        strbuf_puts(&sb, indent);
        strbuf_putn(&sb, from, n);
        strbuf_putc(&sb, '\n');
        from += n + (from[n] ? 1 : 0);
    }
    free(buf);
    char *out = strbuf_release(&sb);
    return out ? out : strdup("");
}
