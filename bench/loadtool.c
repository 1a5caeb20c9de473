/* loadtool.c - ippc-loadtool: load a controller with fake engines and a fake client.
 *
 *   ippc-loadtool relay    --profile-dir DIR [--cluster-id ID] [--pingpong N] [--messages N] [--window W] [--pid PID]
 *   ippc-loadtool register --profile-dir DIR [--cluster-id ID] [--engines N] [--pid PID] [--hold S]
 *
 * Figures go to stdout as "result NAME VALUE" lines (bench/controller.sh collects them);
 * progress and problems go to stderr. Works against any controller that writes the
 * stock connection files: it is the same code for stock ipcontroller and ours. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "error_int.h"
#include "lt.h"

/* sockets per engine: registration, heartbeat SUB and DEALER, maybe shell */
#define SOCKS_PER_ENGINE 4
/* fds per engine in this process: each socket's mailbox and its TCP connection */
#define FDS_PER_ENGINE (2 * SOCKS_PER_ENGINE)
/* Time the DEALERs get to finish connecting once every SUB has seen a ping. */
#define SETTLE 1.0

typedef struct {
    const char *cmd;
    const char *profile_dir;
    const char *cluster_id;
    double wait_files;   /* for the connection files to appear */
    size_t pingpong, warmup, messages, window;
    size_t engines;
    double timeout;      /* for registration of every engine */
    int pid;             /* the controller, for RSS and CPU */
    double hold, sample; /* idle seconds measured after registration, and the window */
    bool no_register;    /* relay: the relay is ippc-relayfloor, which knows no registration */
} args_t;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: ippc-loadtool relay|register --profile-dir=DIR [options]\n"
            "  common:   --cluster-id=ID  --wait=S (for the connection files, 30)\n"
            "  relay:    --pingpong=N (5000) --warmup=N (500) --messages=N (20000) --window=W (100) --pid=PID\n"
            "            --no-register (through ippc-relayfloor: no registration, no heartbeat)\n"
            "  register: --engines=N (1000) --timeout=S (60) --pid=PID --hold=S (0) --sample=S (20)\n"
            "Prints 'result NAME VALUE' lines.\n");
}

static int parse_args(args_t *a, int argc, char **argv)
{
    *a = (args_t){.cluster_id = "", .wait_files = 30, .pingpong = 5000, .warmup = 500, .messages = 20000,
                  .window = 100, .engines = 1000, .timeout = 60, .sample = 20};
    if (argc < 2)
        return -1;
    a->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--no-register") == 0) {
            a->no_register = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return -1;
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v)
            return -1;
#define IS(name) (nlen == strlen(name) && strncmp(arg + 2, name, nlen) == 0)
        if (IS("profile-dir"))
            a->profile_dir = v;
        else if (IS("cluster-id"))
            a->cluster_id = v;
        else if (IS("wait"))
            a->wait_files = atof(v);
        else if (IS("pingpong"))
            a->pingpong = strtoul(v, NULL, 10);
        else if (IS("warmup"))
            a->warmup = strtoul(v, NULL, 10);
        else if (IS("messages"))
            a->messages = strtoul(v, NULL, 10);
        else if (IS("window"))
            a->window = strtoul(v, NULL, 10);
        else if (IS("engines"))
            a->engines = strtoul(v, NULL, 10);
        else if (IS("timeout"))
            a->timeout = atof(v);
        else if (IS("pid"))
            a->pid = atoi(v);
        else if (IS("hold"))
            a->hold = atof(v);
        else if (IS("sample"))
            a->sample = atof(v);
        else
            return -1;
#undef IS
    }
    if (!a->profile_dir || a->window == 0 || a->engines == 0 || a->sample <= 0)
        return -1;
    return 0;
}

/* Read ipcontroller[-ID]-{client,engine}.json, waiting for the controller to write them. */
static ippc_conninfo_t *read_conninfo(const args_t *a, const char *side, ippc_error_t **err)
{
    char *path = ippc_strdup_printf("%s/security/ipcontroller%s%s-%s.json", a->profile_dir,
                                    *a->cluster_id ? "-" : "", a->cluster_id, side);
    if (!path) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    double end = lt_now() + a->wait_files;
    while (access(path, R_OK) != 0 && lt_now() < end)
        usleep(100000);
    ippc_conninfo_t *ci = ippc_conninfo_read(path, err);
    free(path);
    return ci;
}

/* A thousand engines need some 8,000 descriptors here; the default soft limit is 1,024. */
static void raise_fd_limit(size_t engines)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)(engines * FDS_PER_ENGINE + 256);
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < want)
        fprintf(stderr, "loadtool: warning: fd limit %llu < %llu needed for %zu engines\n",
                (unsigned long long)rl.rlim_cur, (unsigned long long)want, engines);
}

typedef bool (*fleet_pred_t)(const lt_fleet_t *fl);

/* Run the fleet until pred holds or the deadline passes; returns pred's last value. */
static bool run_until(lt_fleet_t *fl, double deadline, fleet_pred_t pred)
{
    while (!(pred && pred(fl))) {
        double left = deadline - lt_now();
        if (left <= 0)
            break;
        lt_fleet_step(fl, left < 0.1 ? (long)(left * 1000) + 1 : 100);
    }
    return pred && pred(fl);
}

static bool all_pinged(const lt_fleet_t *fl)
{
    return fl->npinged == fl->n;
}

static bool all_settled(const lt_fleet_t *fl)
{
    return fl->nregistered + fl->nrefused + fl->nlost >= fl->n;
}

/* Connect the fleet and wait until every heartbeat SUB has seen a ping, so that the
 * registration timer does not include TCP connection setup. */
static int fleet_connect(lt_fleet_t *fl, double timeout)
{
    double t0 = lt_now();
    if (!run_until(fl, t0 + timeout, all_pinged)) {
        fprintf(stderr, "loadtool: only %zu of %zu heartbeat sockets saw a ping in %.0f s\n", fl->npinged, fl->n,
                timeout);
        return -1;
    }
    printf("result connect_s %.3f\n", lt_now() - t0);
    run_until(fl, lt_now() + SETTLE, NULL);
    return 0;
}

static void result_latencies(const char *name, double *lat, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    printf("result %s_n %zu\n", name, n);
    if (!n)
        return;
    printf("result %s_rate %.1f\n", name, (double)n / sum);
    printf("result %s_median_us %.1f\n", name, 1e6 * lt_quantile(lat, n, 0.5));
    printf("result %s_p99_us %.1f\n", name, 1e6 * lt_quantile(lat, n, 0.99));
    printf("result %s_max_us %.1f\n", name, 1e6 * lat[n - 1]);
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* CPU used per round trip of a phase: the controller's (all its processes; --pid) and
 * this tool's own (client, engine and libzmq threads), in microseconds. */
typedef struct {
    int pid;
    lt_procstat_t ctl;
    double tool;
} cpu_mark_t;

static void cpu_start(cpu_mark_t *m, int pid)
{
    m->pid = pid;
    m->tool = self_cpu();
    if (!pid || !lt_procstat(pid, &m->ctl))
        m->pid = 0;
}

/* The controller's share is read after SETTLE more seconds: work it queued (the stock
 * hub digests copies of the relayed messages in its own time) counts too. */
static void cpu_result(const cpu_mark_t *m, const char *phase, size_t n)
{
    if (!n)
        return;
    printf("result %s_tool_cpu_us %.1f\n", phase, 1e6 * (self_cpu() - m->tool) / (double)n);
    lt_procstat_t now;
    if (!m->pid)
        return;
    usleep((useconds_t)(SETTLE * 1e6));
    if (lt_procstat(m->pid, &now))
        printf("result %s_ctl_cpu_us %.1f\n", phase,
               1e6 * (double)(now.tree_ticks - m->ctl.tree_ticks) / (double)lt_clock_ticks() / (double)n);
}

typedef struct {
    lt_fleet_t *fl;
    atomic_bool stop;
} engine_thread_t;

static void *engine_main(void *arg)
{
    engine_thread_t *t = arg;
    while (!atomic_load(&t->stop))
        lt_fleet_step(t->fl, 50);
    return NULL;
}

static int cmd_relay(const args_t *a, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *eci,
                     const ippc_conninfo_t *cci, ippc_error_t **err)
{
    lt_fleet_t fl;
    lt_client_t c;
    memset(&fl, 0, sizeof(fl));
    memset(&c, 0, sizeof(c));
    double *lat = calloc(a->pingpong + a->warmup + 1, sizeof(*lat));
    int rc = -1;
    if (!lat || lt_fleet_open(&fl, zctx, signer, eci, cci, 1, true, err) < 0)
        goto out;
    if (a->no_register) {
        run_until(&fl, lt_now() + SETTLE, NULL); /* the shell socket connects; the probe below retries */
    } else {
        if (fleet_connect(&fl, 30) < 0)
            goto out;
        lt_fleet_register(&fl);
        if (!run_until(&fl, lt_now() + 30, all_settled) || fl.nregistered != 1) {
            ippc_error_set(err, IPPC_E_TIMEOUT, "the relay's engine did not register");
            goto out;
        }
    }
    /* The engine answers (and keeps beating) on its own thread while this one is the client. */
    engine_thread_t et = {.fl = &fl};
    atomic_init(&et.stop, false);
    pthread_t th;
    if (pthread_create(&th, NULL, engine_main, &et) != 0) {
        ippc_error_set(err, IPPC_E_SYSTEM, "pthread_create failed");
        goto out;
    }
    if (lt_client_open(&c, zctx, signer, cci, fl.e[0].uuid, err) < 0 || !lt_client_probe(&c, 10)) {
        if (err && !*err)
            ippc_error_set(err, IPPC_E_TIMEOUT, "no reply through the mux relay in 10 s");
    } else {
        size_t n = lt_client_pingpong(&c, a->warmup, lat);
        if (n == a->warmup) {
            cpu_mark_t mark;
            cpu_start(&mark, a->pid);
            n = lt_client_pingpong(&c, a->pingpong, lat);
            cpu_result(&mark, "pingpong", n);
            result_latencies("pingpong", lat, n);
            double elapsed;
            cpu_start(&mark, a->pid);
            size_t done = lt_client_pipeline(&c, a->messages, a->window, &elapsed);
            cpu_result(&mark, "pipeline", done);
            printf("result pipeline_n %zu\nresult pipeline_window %zu\n", done, a->window);
            printf("result pipeline_rate %.1f\n", (double)done / elapsed);
            rc = n == a->pingpong && done == a->messages ? 0 : -1;
            if (rc < 0)
                ippc_error_set(err, IPPC_E_TIMEOUT, "replies lost: pingpong %zu/%zu, pipeline %zu/%zu", n,
                               a->pingpong, done, a->messages);
        } else {
            ippc_error_set(err, IPPC_E_TIMEOUT, "warm-up round trips lost");
        }
    }
    atomic_store(&et.stop, true);
    pthread_join(th, NULL);
    printf("result bad_replies %lu\nresult stale_replies %lu\nresult engines_lost %zu\n", c.bad, c.stale, fl.nlost);
out:
    lt_client_close(&c);
    if (fl.e)
        lt_fleet_close(&fl);
    free(lat);
    return rc;
}

static void result_procstat(const char *when, const lt_procstat_t *ps)
{
    printf("result rss_main_kb%s %ld\nresult rss_tree_kb%s %ld\n", when, ps->main_rss_kb, when, ps->tree_rss_kb);
    printf("result pss_main_kb%s %ld\nresult pss_tree_kb%s %ld\n", when, ps->main_pss_kb, when, ps->tree_pss_kb);
    printf("result nprocs%s %d\n", when, ps->nprocs);
}

/* CPU of the controller over `hold` idle seconds, in windows of `sample` seconds, while
 * the fleet keeps answering heartbeats. */
static void measure_idle(lt_fleet_t *fl, const args_t *a)
{
    double hz = (double)lt_clock_ticks();
    lt_procstat_t first, prev, cur;
    lt_procstat(a->pid, &first);
    prev = first;
    double t_first = lt_now(), t_prev = t_first, end = t_first + a->hold;
    for (int w = 0; lt_now() < end - 0.01; w++) {
        double t_next = t_prev + a->sample < end ? t_prev + a->sample : end;
        run_until(fl, t_next, NULL);
        if (!lt_procstat(a->pid, &cur))
            break;
        double dt = lt_now() - t_prev;
        printf("result cpu_main_pct_w%d %.3f\nresult cpu_tree_pct_w%d %.3f\n", w,
               100.0 * (double)(cur.main_ticks - prev.main_ticks) / hz / dt, w,
               100.0 * (double)(cur.tree_ticks - prev.tree_ticks) / hz / dt);
        prev = cur;
        t_prev = lt_now();
    }
    double dt = t_prev - t_first;
    printf("result idle_s %.1f\n", dt);
    printf("result cpu_main_pct %.3f\nresult cpu_tree_pct %.3f\n",
           100.0 * (double)(prev.main_ticks - first.main_ticks) / hz / dt,
           100.0 * (double)(prev.tree_ticks - first.tree_ticks) / hz / dt);
    result_procstat("_after_idle", &prev);
}

static int cmd_register(const args_t *a, void *zctx, const ippc_session_t *signer, const ippc_conninfo_t *eci,
                        const ippc_conninfo_t *cci, ippc_error_t **err)
{
    lt_fleet_t fl;
    memset(&fl, 0, sizeof(fl));
    int rc = -1;
    lt_procstat_t ps;
    if (a->pid && lt_procstat(a->pid, &ps))
        result_procstat("_empty", &ps);
    if (lt_fleet_open(&fl, zctx, signer, eci, cci, a->engines, false, err) < 0 || fleet_connect(&fl, 60) < 0)
        goto out;
    if (a->pid && lt_procstat(a->pid, &ps))
        result_procstat("_connected", &ps);
    double tool_cpu = self_cpu();
    if (lt_fleet_register(&fl) < 0)
        fprintf(stderr, "loadtool: %zu registration requests could not be sent\n", fl.nunsent);
    run_until(&fl, fl.t_first_request + a->timeout, all_settled);
    /* the tool's share: if it neared the wall time, the tool was the bottleneck */
    printf("result tool_cpu_s %.3f\n", self_cpu() - tool_cpu);
    printf("result engines %zu\nresult accepted %zu\nresult registered %zu\nresult refused %zu\n", fl.n,
           fl.naccepted, fl.nregistered, fl.nrefused);
    if (fl.t_all_accepted > 0)
        printf("result accept_s %.3f\n", fl.t_all_accepted - fl.t_first_request);
    if (fl.t_all_registered > 0)
        printf("result register_s %.3f\n", fl.t_all_registered - fl.t_first_request);
    printf("result listed %d\n", lt_query_engines(zctx, signer, cci, 10));
    if (a->pid) {
        /* what the controller holds once the registration burst is over */
        run_until(&fl, lt_now() + 2, NULL);
        if (lt_procstat(a->pid, &ps))
            result_procstat("", &ps);
        if (a->hold > 0)
            measure_idle(&fl, a);
    }
    printf("result engines_lost %zu\nresult pings_echoed %lu\n", fl.nlost, fl.pings_echoed);
    rc = fl.nregistered == fl.n && fl.nlost == 0 ? 0 : -1;
    if (rc < 0)
        ippc_error_set(err, IPPC_E_TIMEOUT, "%zu of %zu engines registered, %zu lost", fl.nregistered, fl.n,
                       fl.nlost);
out:
    if (fl.e)
        lt_fleet_close(&fl);
    return rc;
}

int main(int argc, char **argv)
{
    args_t a;
    if (parse_args(&a, argc, argv) < 0 || (strcmp(a.cmd, "relay") != 0 && strcmp(a.cmd, "register") != 0)) {
        usage(stderr);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    bool relay = strcmp(a.cmd, "relay") == 0;
    size_t engines = relay ? 1 : a.engines;
    raise_fd_limit(engines);
    ippc_error_t *err = NULL;
    ippc_conninfo_t *eci = read_conninfo(&a, "engine", &err);
    ippc_conninfo_t *cci = eci ? read_conninfo(&a, "client", &err) : NULL;
    ippc_session_t *signer = cci ? ippc_session_new(cci->key, NULL, "bench", &err) : NULL;
    void *zctx = zmq_ctx_new();
    int rc = -1;
    if (signer && zctx) {
        zmq_ctx_set(zctx, ZMQ_MAX_SOCKETS, (int)(engines * SOCKS_PER_ENGINE + 64));
        rc = relay ? cmd_relay(&a, zctx, signer, eci, cci, &err) : cmd_register(&a, zctx, signer, eci, cci, &err);
    }
    if (err)
        fprintf(stderr, "loadtool %s: %s\n", a.cmd, ippc_error_message(err));
    ippc_error_destroy(&err);
    if (zctx)
        zmq_ctx_term(zctx);
    ippc_session_destroy(&signer);
    ippc_conninfo_destroy(&cci);
    ippc_conninfo_destroy(&eci);
    return rc == 0 ? 0 : 1;
}
