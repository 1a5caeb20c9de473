/* zygote.c - see zygote.h. */
#include "config.h"

#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "../engine/zygote_proto.h"
#include "error_int.h"
#include "launch.h"
#include "proc.h"

/* How long the zygote gets to exit once its socket is closed, before SIGKILL. */
#define EXIT_GRACE 5.0

struct ippc_zygote {
    pid_t pid;          /* 0 once reaped */
    int sock;
    char *label, *log;
    double deadline;    /* ippc_now() by which every reply must have come */
    int old_subreaper;  /* -1: not changed */
};

/* Make this process a child subreaper while the zygote runs (see zygote.h). */
static void subreaper_on(ippc_zygote_t *z)
{
    z->old_subreaper = -1;
#ifdef PR_SET_CHILD_SUBREAPER
    int old = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, &old, 0, 0, 0) == 0 && !old && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
        z->old_subreaper = old;
#endif
}

static void subreaper_restore(ippc_zygote_t *z)
{
#ifdef PR_SET_CHILD_SUBREAPER
    if (z->old_subreaper >= 0)
        prctl(PR_SET_CHILD_SUBREAPER, z->old_subreaper, 0, 0, 0);
#endif
    z->old_subreaper = -1;
}

/* Wait up to timeout seconds for the zygote to end, then kill it; its wait status. */
static int reap(ippc_zygote_t *z, double timeout, bool *have_status)
{
    int status = 0;
    *have_status = false;
    if (z->pid <= 0)
        return 0;
    double end = ippc_now() + timeout, pause = 0.001;
    pid_t r;
    while ((r = waitpid(z->pid, &status, WNOHANG)) == 0 && ippc_now() < end) {
        ippc_sleep(pause);
        if (pause < 0.05)
            pause *= 2;
    }
    if (r == 0) {
        kill(z->pid, SIGKILL);
        while ((r = waitpid(z->pid, &status, 0)) < 0 && errno == EINTR)
            ;
    }
    *have_status = r == z->pid;
    z->pid = 0;
    return status;
}

/* The zygote is gone (or must go): the error that says why, with its log. */
static int ended_error(ippc_zygote_t *z, ippc_error_t **err)
{
    ippc_started_t s = {.label = z->label, .pid = z->pid, .log = z->log};
    s.status = reap(z, EXIT_GRACE, &s.have_status);
    char *text = ippc_launch_describe_ended(&s);
    ippc_error_set(err, IPPC_E_STATE, "%s", text ? text : z->label);
    free(text);
    return -1;
}

ippc_zygote_t *ippc_zygote_start(const ippc_spawn_t *s, const char *label, double timeout, ippc_error_t **err)
{
    ippc_zygote_t *z = calloc(1, sizeof *z);
    int sv[2] = {-1, -1};
    size_t n = 0;
    while (s->argv[n])
        n++;
    char **argv = calloc(n + 2, sizeof(char *));
    char opt[32];
    if (!z || !argv || !(z->label = strdup(label)) || !(z->log = strdup(s->log_path))) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto fail;
    }
    /* The zygote's end above 2, so that the child's stdio set-up leaves it alone. */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "socketpair for the engine zygote");
        goto fail;
    }
    if (sv[1] <= 2) {
        int high = fcntl(sv[1], F_DUPFD_CLOEXEC, 3), saved = errno;
        close(sv[1]);
        sv[1] = high;
        if (high < 0) {
            ippc_error_set_errno(err, IPPC_E_SYSTEM, saved, "socketpair for the engine zygote");
            goto fail;
        }
    }
    memcpy(argv, s->argv, n * sizeof(char *));
    snprintf(opt, sizeof opt, "%s%d", ZYGOTE_OPTION, sv[1]);
    argv[n] = opt;
    ippc_spawn_t zs = *s;
    zs.argv = argv;
    zs.keep_fd = sv[1];
    zs.delay_ms = 0;
    subreaper_on(z);
    if (ippc_spawn_daemon(&zs, &z->pid, err) != 0) {
        subreaper_restore(z);
        goto fail;
    }
    close(sv[1]);
    free(argv);
    z->sock = sv[0];
    z->deadline = ippc_now() + timeout;
    return z;
fail:
    for (int i = 0; i < 2; i++)
        if (sv[i] >= 0)
            close(sv[i]);
    free(argv);
    if (z) {
        free(z->label);
        free(z->log);
        free(z);
    }
    return NULL;
}

static int send_request(ippc_zygote_t *z, int logfd, long delay_ms)
{
    zygote_req_t req = {.magic = ZYGOTE_MAGIC, .delay_ms = delay_ms};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {.iov_base = &req, .iov_len = sizeof req};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &logfd, sizeof(int));
    ssize_t w;
    do
        w = sendmsg(z->sock, &mh, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    return w == (ssize_t)sizeof req ? 0 : -1;
}

/* The reply: 1 received, 0 the zygote closed, -1 the deadline passed. */
static int receive_reply(ippc_zygote_t *z, zygote_rep_t *rep)
{
    for (;;) {
        double left = z->deadline - ippc_now();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = z->sock, .events = POLLIN};
        int pr = poll(&p, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno != EINTR)
            return 0;
        if (pr <= 0)
            continue;
        ssize_t r = recv(z->sock, rep, sizeof *rep, 0);
        if (r < 0 && errno == EINTR)
            continue;
        return r == (ssize_t)sizeof *rep ? 1 : 0;
    }
}

int ippc_zygote_fork(ippc_zygote_t *z, const char *log_path, long delay_ms, pid_t *pid, ippc_error_t **err)
{
    int logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "cannot open the log file %s", log_path);
    int sent = send_request(z, logfd, delay_ms);
    close(logfd);
    zygote_rep_t rep;
    int got = sent == 0 ? receive_reply(z, &rep) : 0;
    if (got < 0) {
        kill(z->pid, SIGKILL);
        bool have;
        reap(z, EXIT_GRACE, &have);
        return ippc_error_set(err, IPPC_E_TIMEOUT, "%s did not start an engine within the start's timeout (a "
                              "loaded machine may need a longer --timeout; its log: %s)", z->label, z->log);
    }
    if (got == 0)
        return ended_error(z, err);
    if (rep.pid <= 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, rep.error, "cannot start an engine: fork in %s (pid %ld)",
                                    z->label, (long)z->pid);
    *pid = (pid_t)rep.pid;
    return 0;
}

void ippc_zygote_finish(ippc_zygote_t **zp)
{
    ippc_zygote_t *z = zp ? *zp : NULL;
    if (!z)
        return;
    *zp = NULL;
    close(z->sock);
    bool have;
    reap(z, EXIT_GRACE, &have);
    subreaper_restore(z);
    free(z->label);
    free(z->log);
    free(z);
}
