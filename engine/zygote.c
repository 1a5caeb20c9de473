/* zygote.c - see zygote.h. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include "zygote.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "elog.h"
#include "error_int.h"
#include "pyembed.h"

int zygote_take_option(int *argc, char **argv, int *fd)
{
    *fd = -1;
    size_t plen = strlen(ZYGOTE_OPTION);
    for (int i = 1; i < *argc; i++) {
        if (strncmp(argv[i], ZYGOTE_OPTION, plen) != 0)
            continue;
        char *end;
        errno = 0;
        long v = strtol(argv[i] + plen, &end, 10);
        if (errno || end == argv[i] + plen || *end || v < 0 || v > 65535 || fcntl((int)v, F_GETFD) < 0) {
            fprintf(stderr, "ippc-engine: %s: not an open descriptor (this option is for launchers only)\n",
                    argv[i]);
            return -1;
        }
        *fd = (int)v;
        memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv); /* argv[argc] (NULL) too */
        (*argc)--;
        i--;
    }
    return 0;
}

/* The threads of this process (/proc/self/task), -1 when unknown. A fork copies only the
 * calling thread: a lock another thread holds would stay locked in every engine. */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Import a module, or call module.func() when func is given. 0 done, 1 an ImportError
 * that may be skipped (skip_missing), -1 another failure (traceback in the log). */
static int import_one(const char *module, const char *func, bool skip_missing)
{
    PyObject *m = PyImport_ImportModule(module);
    PyObject *r = m && func ? PyObject_CallMethod(m, func, NULL) : m;
    if (r && r != m)
        Py_DECREF(r);
    Py_XDECREF(m);
    if (r)
        return 0;
    if (skip_missing && PyErr_ExceptionMatches(PyExc_ImportError)) {
        PyErr_Clear();
        return 1;
    }
    PyErr_Print(); /* to sys.stderr: the zygote's log */
    return -1;
}

/* What Kernel.prepare imports for IPython's shell, so that each engine finds it loaded:
 * the shell module (IPython) and canned.serialize() (ipyparallel.serialize). A missing
 * IPython with --shell=auto is not an error: the engines fall back to the plain shell. */
static int preimport(shell_mode_t shell, ippc_error_t **err)
{
    if (shell == SHELL_PLAIN)
        return 0;
    int rc = import_one("ippc_engine.ipyshell", NULL, shell == SHELL_AUTO);
    if (rc == 1) {
        log_debug("zygote: IPython not importable; the engines will use the plain shell");
        return 0;
    }
    if (rc == 0)
        rc = import_one("ippc_engine.canned", "serialize", true) < 0 ? -1 : 0;
    if (rc == 0)
        rc = import_one("IPython.core.completerlib", NULL, true) < 0 ? -1 : 0; /* the shell's instance imports it */
    if (rc < 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "zygote: pre-importing IPython's shell failed (traceback above)");
    return 0;
}

/* Flush Python's own stdout/stderr buffers, which every child would write again. */
static void flush_python_streams(void)
{
    static const char *const names[] = {"stdout", "stderr"};
    for (size_t i = 0; i < 2; i++) {
        PyObject *f = PySys_GetObject(names[i]); /* borrowed */
        PyObject *r = f && f != Py_None ? PyObject_CallMethod(f, "flush", NULL) : NULL;
        Py_XDECREF(r);
        PyErr_Clear();
    }
    fflush(NULL);
}

/* One request: its log descriptor (-1 when none came), 0 on EOF (launcher gone). */
static ssize_t receive(int sock, zygote_req_t *req, int *logfd)
{
    *logfd = -1;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = req, .iov_len = sizeof *req};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t r;
    do
        r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    for (struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(logfd, CMSG_DATA(c), sizeof(int));
    return r;
}

/* In the child: the engine's own session and log, nothing of the zygote's. */
static void become_engine(int sock, int logfd, long delay_ms)
{
    setsid();
    dup2(logfd, 1);
    dup2(logfd, 2);
    dup3(logfd, ippc_log_fd(), O_CLOEXEC); /* the log's own copy (and faulthandler's fd) */
    if (logfd > 2 && logfd != ippc_log_fd())
        close(logfd);
    close(sock);
    if (delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

/* Fork one engine. 0 in the child; the pid (or -1, errno) in the zygote. */
static pid_t fork_engine(int sock, int logfd, long delay_ms, ippc_error_t **err)
{
    int threads = thread_count();
    if (threads != 1) {
        ippc_error_set(err, IPPC_E_STATE, "zygote: %d threads run in the zygote (1 expected): forking engines from "
                       "it is not safe; start engines without it (engines.zygote: false)", threads);
        return -2;
    }
    flush_python_streams();
    PyOS_BeforeFork();
    pid_t pid = fork();
    int saved = errno;
    if (pid == 0) {
        PyOS_AfterFork_Child();
        become_engine(sock, logfd, delay_ms);
        return 0;
    }
    PyOS_AfterFork_Parent();
    errno = saved;
    return pid;
}

static int reply(int sock, pid_t pid, int error)
{
    zygote_rep_t rep = {.pid = (int32_t)pid, .error = error};
    ssize_t w;
    do
        w = send(sock, &rep, sizeof rep, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    return w == (ssize_t)sizeof rep ? 0 : -1;
}

int zygote_run(engine_t *e, int fd, const char *argv0, ippc_error_t **err)
{
    fcntl(fd, F_SETFD, FD_CLOEXEC); /* the engines' children must not hold the launcher's socket */
    if (pyembed_init(e, argv0, err) < 0 || preimport(e->opt->shell, err) < 0)
        return -1;
    log_debug("zygote: interpreter ready, serving fork requests");
    for (;;) {
        zygote_req_t req;
        int logfd;
        ssize_t r = receive(fd, &req, &logfd);
        if (r == 0)
            return 1; /* the launcher has all its engines */
        if (r < 0)
            return ippc_error_set_errno(err, IPPC_E_IO, errno, "zygote: reading a request");
        if (r != (ssize_t)sizeof req || req.magic != ZYGOTE_MAGIC || logfd < 0) {
            if (logfd >= 0)
                close(logfd);
            return ippc_error_set(err, IPPC_E_PROTOCOL, "zygote: malformed request (ippctl and ippc-engine of "
                                  "different builds?)");
        }
        long delay = req.delay_ms > 0 && req.delay_ms < 86400000 ? (long)req.delay_ms : 0;
        pid_t pid = fork_engine(fd, logfd, delay, err);
        if (pid == 0)
            return 0;
        int error = pid < 0 ? errno : 0;
        close(logfd);
        if (pid == -2)
            return -1;
        if (reply(fd, pid, error) < 0)
            return 1; /* the launcher is gone: the engine forked carries on, as spawned ones do */
    }
}
