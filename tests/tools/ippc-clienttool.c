/* ippc-clienttool - drive the libippc client from the shell integration tests.
 *
 *   ippc-clienttool (-f CLIENT_JSON | -p PROFILE [-c CLUSTER_ID]) [-t CONNECT_TIMEOUT] COMMAND...
 *
 * Commands run in order on one connection; each takes a fixed number of arguments,
 * after options of its own (--targets SPEC, --block, --track, --loud, --flatten,
 * --return-exceptions, --on-sent). Values are Python literals (ippc_value_parse), "-"
 * for none, or @arange:N for a float64 ndarray wrapping the tool's own memory (its
 * release is reported by `released`). Output is one line per fact; a failure prints
 * "ERR <CODE>: <message>" and one "  [id:method] ename: evalue" line per engine
 * exception, then the next command runs.
 *
 *   wait N T            wait_for_engines          ids                 registered ids
 *   view SPEC           make the current view     block on|off / track on|off
 *   exec CODE           apply CALLABLE ARGS KWARGS     push NAME VALUE     pull NAMES
 *   get NAME / set NAME VALUE                     scatter NAME SEQ    gather NAME
 *   map CALLABLE SEQ    imports MODULES           remote CALLABLE ARGS REQUIRES
 *   pcall CALLABLE SEQ REQUIRES                   pmap CALLABLE SEQ REQUIRES
 *   start NAME OP...    the async form of OP (one of the operations above), kept as NAME
 *   result NAME T       get(T) and print          ready NAME / waitr NAME T / waitall T
 *   meta NAME           per-request metadata      sent NAME / waitsend NAME T / released
 *   drop NAME           destroy a result          signal SIG SPEC
 *   pids                record the engines' pids  kill ENGINE_ID      SIGKILL to a recorded pid
 *   sleep S             fdloop NAME T             wait on ippc_client_fd until NAME replied
 *   close               destroy the client (views and results stay, and must fail cleanly) */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ippc.h"

#define MAX_RESULTS 32
#define MAX_ENGINES 64

typedef struct {
    char name[32];
    ippc_result_t *r;
} named_t;

typedef struct {
    ippc_client_t *c;
    ippc_view_t *v;
    named_t results[MAX_RESULTS];
    ippc_opts_t opts;   /* the current command's options */
    bool flatten;
    char targets[64];
    struct {
        int id;
        long pid;
    } pids[MAX_ENGINES];
    size_t npids;
} tool_t;

static atomic_int released_buffers;

/* ------------------------------------------------------------------ output */

static void print_error(ippc_error_t *e)
{
    printf("ERR %s: %s\n", ippc_errcode_name(ippc_error_code(e)), ippc_error_message(e));
    for (size_t i = 0; i < ippc_error_count(e); i++)
        printf("  [%d:%s] %s: %s\n", ippc_error_engine_id(e, i), ippc_error_method(e, i), ippc_error_ename(e, i),
               ippc_error_evalue(e, i));
}

static void print_value(const ippc_value_t *v)
{
    char *s = ippc_value_repr(v);
    printf("%s\n", s ? s : "(repr failed)");
    free(s);
}

/* Each line of text as "[tag:id] line". */
static void print_tagged(const char *tag, int id, const char *text)
{
    while (text && *text) {
        size_t n = strcspn(text, "\n");
        printf("[%s:%d] %.*s\n", tag, id, (int)n, text);
        text += n + (text[n] == '\n');
    }
}

static void print_outputs(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        int id = ippc_result_engine_id(r, i);
        print_tagged("stdout", id, ippc_result_stdout(r, i));
        print_tagged("stderr", id, ippc_result_stderr(r, i));
        print_tagged("out", id, ippc_result_execute_result(r, i));
    }
}

/* get(timeout) and print the value or the error, then the output. */
static void show_result(ippc_result_t *r, double timeout)
{
    ippc_value_t *v = NULL;
    ippc_error_t *e = NULL;
    if (ippc_result_get(r, timeout, &v, &e) == 0)
        print_value(v);
    else
        print_error(e);
    if (!e || ippc_error_code(e) != IPPC_E_TIMEOUT)
        print_outputs(r);
    ippc_value_destroy(&v);
    ippc_error_destroy(&e);
}

/* ------------------------------------------------------------------ values */

static void release_arange(void *data, void *hint)
{
    (void)hint;
    free(data);
    atomic_fetch_add(&released_buffers, 1);
}

/* A literal, "-" (NULL), or @arange:N. NULL with *bad set on a parse error (printed). */
static ippc_value_t *value_arg(const char *text, bool *bad)
{
    *bad = false;
    if (strcmp(text, "-") == 0)
        return NULL;
    if (strncmp(text, "@arange:", 8) == 0) {
        size_t n = strtoul(text + 8, NULL, 10);
        double *data = malloc((n ? n : 1) * sizeof(*data));
        for (size_t i = 0; data && i < n; i++)
            data[i] = (double)i;
        return ippc_value_wrap_ndarray("<f8", 1, &n, data, release_arange, NULL);
    }
    ippc_error_t *e = NULL;
    ippc_value_t *v = ippc_value_parse(text, &e);
    if (!v) {
        print_error(e);
        ippc_error_destroy(&e);
        *bad = true;
    }
    return v;
}

static const char *opt_str(const char *s) { return strcmp(s, "-") == 0 ? NULL : s; }

/* ------------------------------------------------------------- operations */

static void on_sent(ippc_result_t *r, void *data)
{
    (void)r;
    printf("on_sent %s\n", (const char *)data);
}

/* Start operation op with its arguments (asynchronously); NULL with the error printed. */
static ippc_result_t *start_op(tool_t *t, const char *op, char **a, ippc_error_t **e)
{
    const ippc_opts_t *o = &t->opts;
    bool bad1 = false, bad2 = false;
    ippc_value_t *v1 = NULL, *v2 = NULL;
    ippc_result_t *r = NULL;
    if (strcmp(op, "exec") == 0) {
        r = ippc_view_execute(t->v, a[0], o, e);
    } else if (strcmp(op, "apply") == 0) {
        v1 = value_arg(a[1], &bad1);
        v2 = value_arg(a[2], &bad2);
        if (!bad1 && !bad2)
            r = ippc_view_apply(t->v, a[0], v1, v2, o, e);
    } else if (strcmp(op, "push") == 0) {
        v1 = value_arg(a[1], &bad1);
        ippc_value_t *ns = ippc_value_new_dict();
        ippc_value_dict_set(ns, a[0], v1);
        v1 = NULL;
        if (!bad1)
            r = ippc_view_push(t->v, ns, o, e);
        ippc_value_destroy(&ns);
    } else if (strcmp(op, "pull") == 0) {
        r = ippc_view_pull(t->v, a[0], o, e);
    } else if (strcmp(op, "scatter") == 0) {
        v1 = value_arg(a[1], &bad1);
        if (!bad1)
            r = ippc_view_scatter(t->v, a[0], v1, t->flatten, o, e);
    } else if (strcmp(op, "gather") == 0) {
        r = ippc_view_gather(t->v, a[0], o, e);
    } else if (strcmp(op, "map") == 0) {
        v1 = value_arg(a[1], &bad1);
        if (!bad1)
            r = ippc_view_map(t->v, a[0], v1, o, e);
    } else if (strcmp(op, "remote") == 0) {
        v1 = value_arg(a[1], &bad1);
        ippc_remote_t *f = bad1 ? NULL : ippc_view_remote(t->v, a[0], o, e);
        if (f && (!opt_str(a[2]) || ippc_remote_require(f, a[2], e) == 0))
            r = ippc_remote_call(f, v1, NULL, e);
        ippc_remote_destroy(&f);
    } else if (strcmp(op, "pcall") == 0 || strcmp(op, "pmap") == 0) {
        v1 = value_arg(a[1], &bad1);
        ippc_parallel_t *p = bad1 ? NULL : ippc_view_parallel(t->v, a[0], o, e);
        if (p && (!opt_str(a[2]) || ippc_parallel_require(p, a[2], e) == 0))
            r = op[1] == 'c' ? ippc_parallel_call(p, v1, e) : ippc_parallel_map(p, v1, e);
        ippc_parallel_destroy(&p);
    }
    ippc_value_destroy(&v1); /* borrowed by the calls: the buffers live on until sent */
    ippc_value_destroy(&v2);
    return r;
}

static int op_arity(const char *op)
{
    static const struct {
        const char *name;
        int n;
    } ops[] = {{"exec", 1}, {"apply", 3}, {"push", 2}, {"pull", 1}, {"scatter", 2}, {"gather", 1},
               {"map", 2},  {"remote", 3}, {"pcall", 3}, {"pmap", 3}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i].name) == 0)
            return ops[i].n;
    return -1;
}

/* ------------------------------------------------------------------ helpers */

static named_t *find_result(tool_t *t, const char *name, bool create)
{
    named_t *free_slot = NULL;
    for (size_t i = 0; i < MAX_RESULTS; i++) {
        if (t->results[i].r && strcmp(t->results[i].name, name) == 0)
            return &t->results[i];
        if (!t->results[i].r && !free_slot)
            free_slot = &t->results[i];
    }
    if (!create || !free_slot)
        return NULL;
    snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
    return free_slot;
}

static ippc_result_t *result_arg(tool_t *t, const char *name)
{
    named_t *n = find_result(t, name, false);
    if (!n)
        printf("ERR no result named %s\n", name);
    return n ? n->r : NULL;
}

static const char *date_order(ippc_result_t *r, size_t i)
{
    const char *s = ippc_result_submitted(r, i), *st = ippc_result_started(r, i), *c = ippc_result_completed(r, i);
    if (!s || !st || !c)
        return "missing";
    /* ISO 8601 UTC strings of one format order as text; the engine's clock is ours */
    return strcmp(s, c) <= 0 && strcmp(st, c) <= 0 ? "ok" : "disorder";
}

static void print_meta(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        ippc_value_t *out = ippc_value_new_str(ippc_result_stdout(r, i));
        ippc_value_t *err = ippc_value_new_str(ippc_result_stderr(r, i));
        char *o = ippc_value_repr(out), *e = ippc_value_repr(err);
        const ippc_error_t *x = ippc_result_error(r, i);
        printf("meta[%zu]: engine=%d dates=%s msg_id=%s stdout=%s stderr=%s error=%s\n", i, ippc_result_engine_id(r, i),
               date_order(r, i), ippc_result_msg_id(r, i) ? "yes" : "no", o, e,
               x ? ippc_errcode_name(ippc_error_code(x)) : "none");
        free(o);
        free(e);
        ippc_value_destroy(&out);
        ippc_value_destroy(&err);
    }
}

/* Each engine's pid, from its own os.getpid() (for `kill` later, while it is busy). */
static void record_pids(tool_t *t)
{
    ippc_error_t *e = NULL;
    ippc_opts_t o = {.targets = ":"};
    ippc_result_t *r = ippc_view_execute(t->v, "import os; print(os.getpid())", &o, &e);
    ippc_value_t *v = NULL;
    if (r && ippc_result_get(r, 30, &v, &e) == 0) {
        for (size_t i = 0; i < ippc_result_len(r) && i < MAX_ENGINES; i++) {
            t->pids[i].id = ippc_result_engine_id(r, i);
            t->pids[i].pid = strtol(ippc_result_stdout(r, i), NULL, 10);
        }
        t->npids = ippc_result_len(r) < MAX_ENGINES ? ippc_result_len(r) : MAX_ENGINES;
        printf("pids recorded\n");
    }
    if (e)
        print_error(e);
    ippc_error_destroy(&e);
    ippc_value_destroy(&v);
    ippc_result_destroy(&r);
}

static long engine_pid(const tool_t *t, int id)
{
    for (size_t i = 0; i < t->npids; i++)
        if (t->pids[i].id == id)
            return t->pids[i].pid;
    return -1;
}

static bool replied(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++)
        if (!ippc_result_completed(r, i) && !ippc_result_error(r, i))
            return false;
    return true;
}

/* Wait on ippc_client_fd with poll(2), calling ippc_client_poll(c, 0) on each wake-up,
 * until r has its replies (read from metadata, which does not receive). */
static void fd_loop(tool_t *t, ippc_result_t *r, double timeout)
{
    ippc_error_t *e = NULL;
    int fd = ippc_client_fd(t->c, &e);
    if (fd < 0) {
        print_error(e);
        ippc_error_destroy(&e);
        return;
    }
    int wakeups = 0, handled = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!replied(r)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = timeout - ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)(left * 1000)) <= 0) {
            printf("fdloop: timeout (%d wake-ups, %d messages)\n", wakeups, handled);
            return;
        }
        wakeups++;
        int n = ippc_client_poll(t->c, 0, &e);
        if (n < 0) {
            print_error(e);
            ippc_error_destroy(&e);
            return;
        }
        handled += n;
    }
    printf("fdloop: replied (%s)\n", handled > 0 ? "messages read on wake-ups" : "no messages?");
}

/* -------------------------------------------------------------- commands */

/* Options of the current command; returns the index of its first argument. */
static int parse_opts(tool_t *t, int argc, char **argv, int i, char *result_name)
{
    memset(&t->opts, 0, sizeof(t->opts));
    t->flatten = false;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i++) {
        const char *o = argv[i] + 2;
        if (strcmp(o, "targets") == 0 && i + 1 < argc) {
            snprintf(t->targets, sizeof(t->targets), "%s", argv[++i]);
            t->opts.targets = t->targets;
        } else if (strcmp(o, "block") == 0) {
            t->opts.block = IPPC_FLAG_ON;
        } else if (strcmp(o, "noblock") == 0) {
            t->opts.block = IPPC_FLAG_OFF;
        } else if (strcmp(o, "track") == 0) {
            t->opts.track = IPPC_FLAG_ON;
        } else if (strcmp(o, "loud") == 0) {
            t->opts.silent = IPPC_FLAG_OFF;
        } else if (strcmp(o, "flatten") == 0) {
            t->flatten = true;
        } else if (strcmp(o, "return-exceptions") == 0) {
            t->opts.return_exceptions = true;
        } else if (strcmp(o, "on-sent") == 0) {
            t->opts.on_sent = on_sent;
            t->opts.on_sent_data = result_name;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            exit(2);
        }
    }
    return i;
}

static void need(int argc, int i, int n, const char *cmd)
{
    if (i + n > argc) {
        fprintf(stderr, "%s needs %d argument(s)\n", cmd, n);
        exit(2);
    }
}

static void print_bool(bool b) { printf("%s\n", b ? "true" : "false"); }

static int run(tool_t *t, int argc, char **argv, int i)
{
    const char *cmd = argv[i++];
    ippc_error_t *e = NULL;
    static char start_name[32];
    if (strcmp(cmd, "start") == 0) {
        need(argc, i, 2, cmd);
        snprintf(start_name, sizeof(start_name), "%s", argv[i]);
        const char *op = argv[i + 1];
        int n = op_arity(op);
        if (n < 0) {
            fprintf(stderr, "start: unknown operation %s\n", op);
            exit(2);
        }
        i = parse_opts(t, argc, argv, i + 2, start_name);
        need(argc, i, n, op);
        ippc_result_t *r = start_op(t, op, argv + i, &e);
        named_t *slot = find_result(t, start_name, true);
        if (r && slot) {
            ippc_result_destroy(&slot->r);
            slot->r = r;
            printf("started %s\n", start_name);
        } else if (e) {
            print_error(e);
        }
        ippc_error_destroy(&e);
        return i + n;
    }
    int n = op_arity(cmd);
    if (n >= 0) { /* the synchronous use: start, get, print */
        i = parse_opts(t, argc, argv, i, (char *)cmd);
        need(argc, i, n, cmd);
        ippc_result_t *r = start_op(t, cmd, argv + i, &e);
        if (r)
            show_result(r, IPPC_FOREVER);
        else if (e)
            print_error(e);
        ippc_result_destroy(&r);
        ippc_error_destroy(&e);
        return i + n;
    }
    i = parse_opts(t, argc, argv, i, (char *)cmd);
    if (strcmp(cmd, "wait") == 0) {
        need(argc, i, 2, cmd);
        if (ippc_client_wait_for_engines(t->c, strtoul(argv[i], NULL, 10), atof(argv[i + 1]), &e) == 0)
            printf("engines ready\n");
        i += 2;
    } else if (strcmp(cmd, "ids") == 0) {
        const int *ids;
        size_t k;
        ippc_client_ids(t->c, &ids, &k);
        printf("ids:");
        for (size_t j = 0; j < k; j++)
            printf(" %d", ids[j]);
        printf("\n");
    } else if (strcmp(cmd, "view") == 0) {
        need(argc, i, 1, cmd);
        ippc_view_t *v = ippc_client_view(t->c, opt_str(argv[i]), &e);
        if (v) {
            bool block = ippc_view_get_block(t->v), track = ippc_view_get_track(t->v);
            ippc_view_destroy(&t->v);
            t->v = v;
            ippc_view_set_block(v, block);
            ippc_view_set_track(v, track);
            const int *ids;
            size_t k;
            ippc_view_get_targets(v, &ids, &k);
            printf("view %s:", argv[i]);
            for (size_t j = 0; j < k; j++)
                printf(" %d", ids[j]);
            printf("\n");
        }
        i++;
    } else if (strcmp(cmd, "block") == 0 || strcmp(cmd, "track") == 0) {
        need(argc, i, 1, cmd);
        bool on = strcmp(argv[i++], "on") == 0;
        (cmd[0] == 'b' ? ippc_view_set_block : ippc_view_set_track)(t->v, on);
    } else if (strcmp(cmd, "get") == 0) {
        need(argc, i, 1, cmd);
        ippc_value_t *v = ippc_view_get(t->v, argv[i++], &e);
        if (v)
            print_value(v);
        ippc_value_destroy(&v);
    } else if (strcmp(cmd, "set") == 0) {
        need(argc, i, 2, cmd);
        bool bad;
        ippc_value_t *v = value_arg(argv[i + 1], &bad);
        if (!bad && ippc_view_set(t->v, argv[i], v, &e) == 0)
            printf("set %s\n", argv[i]);
        ippc_value_destroy(&v);
        i += 2;
    } else if (strcmp(cmd, "imports") == 0) {
        need(argc, i, 1, cmd);
        if (ippc_view_sync_imports(t->v, argv[i++], &t->opts, &e) == 0)
            printf("imported\n");
    } else if (strcmp(cmd, "result") == 0) {
        need(argc, i, 2, cmd);
        ippc_result_t *r = result_arg(t, argv[i]);
        if (r)
            show_result(r, atof(argv[i + 1]));
        i += 2;
    } else if (strcmp(cmd, "ready") == 0 || strcmp(cmd, "meta") == 0 || strcmp(cmd, "sent") == 0 ||
               strcmp(cmd, "drop") == 0 || strcmp(cmd, "successful") == 0) {
        need(argc, i, 1, cmd);
        named_t *nr = find_result(t, argv[i++], false);
        if (!nr)
            printf("ERR no result named %s\n", argv[i - 1]);
        else if (cmd[0] == 'r')
            print_bool(ippc_result_ready(nr->r));
        else if (cmd[0] == 'm')
            print_meta(nr->r);
        else if (cmd[1] == 'e')
            print_bool(ippc_result_sent(nr->r));
        else if (cmd[0] == 's')
            print_bool(ippc_result_successful(nr->r));
        else
            ippc_result_destroy(&nr->r);
    } else if (strcmp(cmd, "waitr") == 0 || strcmp(cmd, "waitsend") == 0 || strcmp(cmd, "fdloop") == 0) {
        need(argc, i, 2, cmd);
        ippc_result_t *r = result_arg(t, argv[i]);
        double timeout = atof(argv[i + 1]);
        if (r && cmd[4] == 'r')
            print_bool(ippc_result_wait(r, timeout));
        else if (r && cmd[4] == 's' && ippc_result_wait_for_send(r, timeout, &e) == 0)
            printf("sent\n");
        else if (r && cmd[0] == 'f')
            fd_loop(t, r, timeout);
        i += 2;
    } else if (strcmp(cmd, "waitall") == 0) {
        need(argc, i, 1, cmd);
        ippc_result_t *rs[MAX_RESULTS];
        size_t k = 0;
        for (size_t j = 0; j < MAX_RESULTS; j++)
            if (t->results[j].r)
                rs[k++] = t->results[j].r;
        print_bool(ippc_wait(rs, k, atof(argv[i++])));
    } else if (strcmp(cmd, "released") == 0) {
        printf("released %d\n", atomic_load(&released_buffers));
    } else if (strcmp(cmd, "signal") == 0) {
        need(argc, i, 2, cmd);
        if (ippc_client_send_signal(t->c, atoi(argv[i]), opt_str(argv[i + 1]), &e) == 0)
            printf("signalled\n");
        i += 2;
    } else if (strcmp(cmd, "pids") == 0) {
        record_pids(t);
    } else if (strcmp(cmd, "kill") == 0) {
        need(argc, i, 1, cmd);
        long pid = engine_pid(t, atoi(argv[i]));
        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
            printf("killed engine %s\n", argv[i]);
        else
            printf("ERR no pid for engine %s (run pids first)\n", argv[i]);
        i++;
    } else if (strcmp(cmd, "close") == 0) { /* the client goes; views and results stay */
        ippc_client_destroy(&t->c);
        printf("closed\n");
    } else if (strcmp(cmd, "sleep") == 0) {
        need(argc, i, 1, cmd);
        struct timespec ts = {0, 0};
        double s = atof(argv[i++]);
        ts.tv_sec = (time_t)s;
        ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
    } else {
        fprintf(stderr, "unknown command %s\n", cmd);
        exit(2);
    }
    if (e)
        print_error(e);
    ippc_error_destroy(&e);
    return i;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *file = NULL, *profile = NULL, *cluster_id = NULL;
    double timeout = 10;
    int opt;
    while ((opt = getopt(argc, argv, "+f:p:c:t:")) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 'p': profile = optarg; break;
        case 'c': cluster_id = optarg; break;
        case 't': timeout = atof(optarg); break;
        default:
            fprintf(stderr, "usage: %s (-f CLIENT_JSON | -p PROFILE [-c ID]) [-t TIMEOUT] COMMAND...\n", argv[0]);
            return 2;
        }
    }
    tool_t t = {0};
    ippc_error_t *e = NULL;
    if (file) {
        t.c = ippc_client_connect(file, timeout, &e);
    } else {
        ippc_cluster_t *cl = ippc_cluster_from_file(profile, cluster_id, &e);
        if (cl)
            t.c = ippc_cluster_connect(cl, timeout, &e);
        ippc_cluster_destroy(&cl);
    }
    if (!t.c) {
        print_error(e);
        ippc_error_destroy(&e);
        return 1;
    }
    printf("connected\n");
    t.v = ippc_client_view(t.c, "all", &e);
    for (int i = optind; i < argc;)
        i = run(&t, argc, argv, i);
    for (size_t i = 0; i < MAX_RESULTS; i++)
        ippc_result_destroy(&t.results[i].r);
    ippc_view_destroy(&t.v);
    ippc_client_destroy(&t.c);
    return 0;
}
