/* signals.c - see signals.h. Handlers only use async-signal-safe calls: write, poll,
 * pthread_kill, raise, sigaction and PyErr_SetInterruptEx (documented as safe to call
 * from a signal handler without the GIL). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"

#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "error_int.h"
#include "elog.h"

static volatile sig_atomic_t g_early = 1; /* not registered yet: SIGTERM exits at once */
static int g_crash_ack[2] = {-1, -1};
static char g_altstack[64 * 1024]; /* so a stack overflow can still run the crash handler */

static void on_sigint(int sig)
{
    int saved = errno;
    if (!pthread_equal(pthread_self(), g_engine.main_thread)) {
        pthread_kill(g_engine.main_thread, sig);
    } else if (atomic_load(&g_engine.busy)) {
        PyErr_SetInterruptEx(SIGINT);
    }
    errno = saved;
}

static void on_sigterm(int sig)
{
    (void)sig;
    if (g_early) {
        /* Nothing to unregister, and the interpreter's start or the startup code may run
         * for a long time: stop now. */
        static const char msg[] = "ippc-engine: SIGTERM before registration; exiting\n";
        ssize_t w = write(ippc_log_fd(), msg, sizeof msg - 1);
        (void)w;
        _exit(0);
    }
    int saved = errno;
    engine_wake(g_engine.control_wake[1], WAKE_TERM);
    errno = saved;
}

static void on_fatal(int sig)
{
    static volatile sig_atomic_t entered;
    if (!entered && g_crash_ack[0] >= 0 && !g_early) { /* registered: tell the controller */
        entered = 1;
        static const char msg[] = "ippc-engine: fatal signal; telling the controller this engine is gone\n";
        ssize_t w = write(ippc_log_fd(), msg, sizeof msg - 1);
        (void)w;
        engine_wake(g_engine.control_wake[1], WAKE_CRASH);
        struct pollfd p = {.fd = g_crash_ack[0], .events = POLLIN};
        poll(&p, 1, 2000);
    }
    /* SA_RESETHAND restored the default action; SA_NODEFER lets it happen now. */
    raise(sig);
}

static int set_handler(int sig, void (*fn)(int), int flags, ippc_error_t **err)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags; /* no SA_RESTART: a blocking call in user code must see EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "sigaction(%d)", sig);
    return 0;
}

int signals_install(ippc_error_t **err)
{
    if (pipe(g_crash_ack) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "crash pipe");
    fcntl(g_crash_ack[0], F_SETFD, FD_CLOEXEC);
    fcntl(g_crash_ack[1], F_SETFD, FD_CLOEXEC);
    fcntl(g_crash_ack[1], F_SETFL, O_NONBLOCK);
    stack_t ss = {.ss_sp = g_altstack, .ss_size = sizeof g_altstack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) < 0)
        log_warn("sigaltstack: %s", strerror(errno));
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        if (set_handler(fatal[i], on_fatal, SA_RESETHAND | SA_NODEFER | SA_ONSTACK, err) < 0)
            return -1;
    if (set_handler(SIGPIPE, SIG_IGN, 0, err) < 0 || set_handler(SIGTERM, on_sigterm, 0, err) < 0 ||
        set_handler(SIGINT, on_sigint, 0, err) < 0)
        return -1;
    return 0;
}

int signals_reinstall_sigint(ippc_error_t **err)
{
    return set_handler(SIGINT, on_sigint, 0, err);
}

void signals_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void signals_restore(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

void signals_interrupt_main(void)
{
    if (atomic_load(&g_engine.busy))
        pthread_kill(g_engine.main_thread, SIGINT);
}

void signals_registered(void)
{
    g_early = 0;
}

void signals_crash_ack(void)
{
    if (g_crash_ack[1] >= 0)
        engine_wake(g_crash_ack[1], 'a');
}
