/* runcmd.c - see runcmd.h. The caller may have threads (a ZeroMQ context while it
 * waits for engines): the child only makes async-signal-safe calls, and our
 * descriptors are close-on-exec. */
#include "config.h"

#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error_int.h"
#include "proc.h"
#include "strbuf.h"

#define OUTPUT_MAX (1024 * 1024)

extern char **environ;

/* Read what is there on fd into sb (up to OUTPUT_MAX); false at end of file. */
static bool drain(int fd, strbuf_t *sb)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    if (sb->len < OUTPUT_MAX)
        strbuf_putn(sb, buf, (size_t)n);
    return true;
}

static char *trimmed(strbuf_t *sb)
{
    char *s = strbuf_release(sb);
    size_t len = s ? strlen(s) : 0;
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
    return s ? s : strdup("");
}

char *ippc_find_in_path(const char *prog, ippc_error_t **err)
{
    if (strchr(prog, '/')) {
        if (access(prog, X_OK) == 0)
            return strdup(prog);
        ippc_error_set_errno(err, IPPC_E_NOTFOUND, errno, "cannot run %s", prog);
        errno = ENOENT;
        return NULL;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t len = strcspn(p, ":");
        char *cand = ippc_strdup_printf("%.*s/%s", (int)len, len ? p : ".", prog);
        if (cand && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        p += len + (p[len] ? 1 : 0);
    }
    ippc_error_set(err, IPPC_E_NOTFOUND, "%s: not found in PATH (%s): is it installed on this host?", prog,
                   path ? path : "unset");
    errno = ENOENT;
    return NULL;
}

/* The child: a process group of its own (a Ctrl-C at the terminal is for ippctl, which
 * then decides: a submission is never cut in half), stdin from /dev/null, stdout and
 * stderr into the pipes, default signal handling; only async-signal-safe calls until
 * execve (the parent may have threads). */
static void child(const char *path, char *const *argv, int out, int err)
{
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull > 0) {
        dup2(devnull, 0);
        close(devnull);
    }
    dup2(out, 1);
    dup2(err, 2);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, environ);
    _exit(127);
}

int ippc_cmd_run(char *const *argv, double timeout, ippc_cmd_t *r, ippc_error_t **err)
{
    memset(r, 0, sizeof *r);
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (po[i] >= 0)
                close(po[i]);
            if (pe[i] >= 0)
                close(pe[i]);
        }
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, e, "cannot run %s: pipe", argv[0]);
    }
    char *path = ippc_find_in_path(argv[0], err);
    pid_t pid = path ? fork() : -1;
    if (pid == 0)
        child(path, argv, po[1], pe[1]);
    int e = errno;
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        if (path)
            ippc_error_set_errno(err, IPPC_E_SYSTEM, e, "cannot run %s: fork", path);
        free(path);
        return -1;
    }
    free(path);
    strbuf_t out, errout;
    strbuf_init(&out);
    strbuf_init(&errout);
    struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
    double deadline = ippc_now() + timeout;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        double left = deadline - ippc_now();
        if (left <= 0) {
            r->timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(fds, 2, (int)(left * 1000) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; n > 0 && i < 2; i++)
            if (fds[i].fd >= 0 && fds[i].revents && !drain(fds[i].fd, i ? &errout : &out)) {
                close(fds[i].fd);
                fds[i].fd = -1;
            }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
        ;
    r->out = trimmed(&out);
    r->err = trimmed(&errout);
    if (!r->out || !r->err) {
        ippc_cmd_free(r);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return 0;
}

bool ippc_cmd_ok(const ippc_cmd_t *r)
{
    return !r->timed_out && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

const char *ippc_cmd_describe(const ippc_cmd_t *r, char *buf, size_t len)
{
    char how[128];
    if (r->timed_out)
        snprintf(how, sizeof how, "did not finish in time");
    else
        ippc_proc_describe_status(r->status, how, sizeof how);
    const char *text = r->err && *r->err ? r->err : r->out && *r->out ? r->out : NULL;
    snprintf(buf, len, "%s%s%s", how, text ? ": " : "", text ? text : "");
    return buf;
}

void ippc_cmd_free(ippc_cmd_t *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
