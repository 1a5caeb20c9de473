/* main.c - ippc-engine: an IPython Parallel engine in C embedding CPython.
 *
 * Order of start-up, each step failing with one clear line and status 1:
 * options (usage errors: status 2) → signal handlers → connection info (waiting for
 * the file) → the interpreter and the kernel (IPython, startup files, --startup-command,
 * --startup-script) → sockets and heart thread → registration → control and output
 * threads → serve. A zygote (--zygote-fd, zygote.h) starts the interpreter first and
 * forks engines that go on from "signal handlers": nothing made before the fork may
 * belong to one engine. The interpreter comes before registration because the controller drops a
 * registration whose first heartbeat does not come within its timeout, and starting
 * Python (importing IPython on a loaded node) can take longer than that. A failure after
 * registration unregisters before exiting.
 * Teardown (shutdown_request, SIGTERM, lost controller) is in teardown(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "connect.h"
#include "control.h"
#include "emsg.h"
#include "engine.h"
#include "error_int.h"
#include "heart.h"
#include "memtune.h"
#include "iopub.h"
#include "elog.h"
#include "outstream.h"
#include "pmix_boot.h"
#include "pyembed.h"
#include "shell.h"
#include "signals.h"
#include "zygote.h"

engine_t g_engine = {.id = -1, .main_wake = {-1, -1}, .control_wake = {-1, -1}};

void engine_wake(int fd, char cmd)
{
    if (fd >= 0) {
        ssize_t w = write(fd, &cmd, 1);
        (void)w; /* a full pipe already holds a wake-up */
    }
}

static int make_pipe(int p[2])
{
    if (pipe(p) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
        fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
    }
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int die(ippc_error_t **err)
{
    fprintf(stderr, "ippc-engine: %s\n", *err ? ippc_error_message(*err) : "failed");
    ippc_error_destroy(err);
    return 1;
}

/* Stop the threads and close everything; the exit status was set by whoever stopped us. */
static int teardown(engine_t *e)
{
    log_debug("teardown: kernel shutdown");
    pyembed_shutdown();
    log_debug("teardown: output capture");
    outstream_stop();
    if (e->shell)
        zmq_close(e->shell);
    e->shell = NULL;
    iopub_close();
    atomic_store(&e->main_done, true);
    log_debug("teardown: joining threads");
    control_join();
    heart_stop();
    pyembed_release();
    zmq_ctx_term(e->zctx); /* waits (LINGER) for the unregistration and last replies */
    pyembed_acquire();
    pyembed_release_sent();
    emsg_fini();
    int code = atomic_load(&e->exit_code);
    log_info("engine %d stopped (status %d)", e->id, code);
    return code;
}

#if defined(__SANITIZE_ADDRESS__)
/* The engine never finalizes the interpreter (a user's non-daemon thread would hang
 * Py_FinalizeEx), so CPython's whole heap is still allocated at exit: a leak check would
 * spend seconds listing Python's own memory. ASan reads its defaults from this hook. */
__attribute__((visibility("default"), used)) const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

/* What every engine of a zygote shares: made before the fork point. */
static int process_setup(const eng_options_t *opt, ippc_error_t **err)
{
    if (opt->ipython_dir && setenv("IPYTHONDIR", opt->ipython_dir, 1) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "setenv");
    if (opt->work_dir && chdir(opt->work_dir) < 0)
        return ippc_error_set_errno(err, IPPC_E_IO, errno, "--work-dir %s", opt->work_dir);
    return 0;
}

/* What belongs to one engine: made after the fork point. */
static int engine_setup(engine_t *e, ippc_error_t **err)
{
    e->main_thread = pthread_self();
    if (make_pipe(e->main_wake) < 0 || make_pipe(e->control_wake) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "pipe");
    if (signals_install(err) < 0)
        return -1;
    if (ippc_uuid4(e->uuid) < 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "cannot make the engine's uuid (no randomness source)");
    return 0;
}

int main(int argc, char **argv)
{
    double t0 = now_ms();
    int zygote_fd;
    if (zygote_take_option(&argc, argv, &zygote_fd) < 0)
        return 2;
    eng_options_t opt;
    int prc = options_parse(argc, argv, &opt);
    if (prc == OPT_EXIT_OK || prc == OPT_USAGE || prc == OPT_NOMEM) {
        options_free(&opt);
        if (prc == OPT_NOMEM)
            fprintf(stderr, "ippc-engine: out of memory\n");
        return prc == OPT_EXIT_OK ? 0 : prc == OPT_USAGE ? 2 : 1;
    }
    log_init(opt.log_level);
    engine_t *e = &g_engine;
    e->opt = &opt;
    e->main_thread = pthread_self();
    ippc_error_t *err = NULL;
    if (process_setup(&opt, &err) < 0)
        return die(&err);
    if (zygote_fd >= 0) {
        int zr = zygote_run(e, zygote_fd, argv[0], &err);
        if (zr != 0) { /* the zygote itself: done, or failed */
            options_free(&opt);
            return zr > 0 ? 0 : die(&err);
        }
        t0 = now_ms(); /* a forked engine: its start is now */
    }
    ippc_memtune_start(); /* not in the zygote (its thread would stop the forks): big receives reuse pages */
    if (engine_setup(e, &err) < 0)
        return die(&err);
    pmix_boot_t *pmix = NULL; /* open until exit: PMIx launchers expect PMIx_Finalize */
    int rank = -1;
    /* A zygote's engines are local ones: no PMIx. */
    int rc = zygote_fd >= 0 ? connect_load_info(e, &err) : pmix_boot_load_info(e, opt.pmix, &pmix, &rank, &err);
    if (rc < 0 || emsg_init(e->ci->key, &err) < 0)
        return die(&err);
    if (opt.requested_id < 0 && rank >= 0)
        opt.requested_id = rank; /* engine id = PMIx rank */
    if ((zygote_fd < 0 && pyembed_init(e, argv[0], &err) < 0) || pyembed_prepare_kernel(e, &err) < 0)
        return die(&err);
    log_debug("interpreter and startup code ready in %.0f ms", now_ms() - t0);

    /* Every socket is connected before registering, so that the controller's first ping
     * and a client's first request find them. Startup code may have started Python
     * threads: they run while we wait. */
    pyembed_release();
    sigset_t old;
    signals_block(&old); /* libzmq's and our threads must not take SIGINT/SIGTERM */
    rc = connect_all(e, &err);
    if (rc == 0)
        rc = heart_start(e, &err);
    signals_restore(&old);
    if (rc == 0)
        rc = connect_register(e, &err);
    if (rc == 0) {
        signals_registered();
        log_set_engine_id(e->id);
        log_info("registered as engine %d in %.0f ms (heartbeat period %d ms)", e->id, now_ms() - t0,
                 e->hb_period_ms);
        rc = connect_broadcast(e, &err);
    }
    if (rc == 0) {
        signals_block(&old);
        rc = control_start(e, &err);
        if (rc == 0)
            rc = outstream_start(opt.capture_fds, &err);
        signals_restore(&old);
    }
    pyembed_acquire();
    if (rc < 0)
        return die(&err);
    if (pyembed_start_kernel(e, &err) < 0) {
        log_error("%s", ippc_error_message(err));
        ippc_error_destroy(&err);
        control_request_shutdown(1);
    } else {
        /* The heart answers pings from now on: the controller completes the
         * registration and tells clients about this engine. */
        heart_ready();
        log_info("engine %d ready (%.0f ms after start)", e->id, now_ms() - t0);
        pyembed_warm();
        shell_run(e);
    }
    int code = teardown(e);
    pmix_boot_finalize(&pmix);
    options_free(&opt);
    return code;
}
