/* cluster_launch.c - ippc_cluster_new / _start / _stop: starting and stopping a cluster
 * from C with the launcher ippctl uses. There is one implementation: the library runs
 * `ippctl start --daemonize --wait --json` (and `ippctl stop`) as a child process and
 * reads what it prints, so libippc needs no YAML and the daemons it starts are not its
 * caller's children (no zombies, no SIGCHLD surprises in the program). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster_int.h"
#include "crypto.h"
#include "error_int.h"
#include "progfind.h"
#include "strbuf.h"

extern char **environ;

/* The start waits this long when the caller gives a negative timeout (ippctl's default). */
#define DEFAULT_START_TIMEOUT 120.0
/* At most this much of ippctl's output is kept. */
#define MAX_OUTPUT (256 * 1024)

struct ippc_cluster_launch {
    size_t n;
    char *profile;
    char *launcher;
    char **settings;
    size_t nsettings;
};

void ippc_cluster_launch_free(struct ippc_cluster_launch *x)
{
    if (!x)
        return;
    free(x->profile);
    free(x->launcher);
    for (size_t i = 0; i < x->nsettings; i++)
        free(x->settings[i]);
    free(x->settings);
    free(x);
}

/* A new id as ipp.Cluster() makes one: "<seconds>-<4 letters or digits>". */
static char *new_cluster_id(void)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char r[4];
    if (ippc_random_bytes(r, sizeof r) != 0)
        return NULL;
    char suffix[5];
    for (size_t i = 0; i < 4; i++)
        suffix[i] = chars[r[i] % (sizeof chars - 1)];
    suffix[4] = '\0';
    return ippc_strdup_printf("%ld-%s", (long)time(NULL), suffix);
}

static char *dup_or_null(const char *s, bool *failed)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *failed = true;
    return d;
}

ippc_cluster_t *ippc_cluster_new(const ippc_cluster_opts_t *opts, ippc_error_t **err)
{
    ippc_cluster_opts_t none = {0};
    if (!opts)
        opts = &none;
    if (opts->cluster_id && strpbrk(opts->cluster_id, "/\n")) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_cluster_new: cluster_id '%s' may not contain '/'", opts->cluster_id);
        return NULL;
    }
    ippc_cluster_t *cl = calloc(1, sizeof *cl);
    struct ippc_cluster_launch *x = calloc(1, sizeof *x);
    size_t ns = 0;
    while (opts->settings && opts->settings[ns])
        ns++;
    bool failed = !cl || !x;
    if (x) {
        x->n = opts->n;
        x->profile = dup_or_null(opts->profile, &failed);
        x->launcher = dup_or_null(opts->launcher, &failed);
        x->settings = calloc(ns + 1, sizeof(char *));
        failed |= !x->settings;
        for (size_t i = 0; !failed && i < ns; i++, x->nsettings++)
            x->settings[i] = dup_or_null(opts->settings[i], &failed);
    }
    if (cl) {
        cl->launch = x;
        x = NULL;
        cl->cluster_id = opts->cluster_id ? strdup(opts->cluster_id) : new_cluster_id();
        failed |= !cl->cluster_id;
    }
    ippc_cluster_launch_free(x);
    if (failed) {
        ippc_cluster_destroy(&cl);
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    return cl;
}

/* ---------------------------------------------------------- running ippctl */

typedef struct {
    int status;   /* wait status; -1 when unknown */
    char *out;    /* standard output */
    char *errout; /* standard error */
} run_t;

static void run_free(run_t *r)
{
    free(r->out);
    free(r->errout);
}

/* Read both pipes until both close. */
static void drain(int fd_out, int fd_err, strbuf_t *out, strbuf_t *errout)
{
    struct pollfd p[2] = {{.fd = fd_out, .events = POLLIN}, {.fd = fd_err, .events = POLLIN}};
    strbuf_t *bufs[2] = {out, errout};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(p[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                p[i].fd = -1;
                open_fds--;
            } else if (bufs[i]->len < MAX_OUTPUT) {
                strbuf_putn(bufs[i], buf, (size_t)n);
            }
        }
    }
}

/* Run ippctl with args (NULL ended, without argv[0]); its output and status in r. */
static int run_ippctl(char *const *args, run_t *r, ippc_error_t **err)
{
    memset(r, 0, sizeof *r);
    r->status = -1;
    ippc_progfind_t f = {.name = "ippctl", .env = "IPPC_IPPCTL"};
    char *exe = ippc_find_program(&f, err);
    if (!exe)
        return -1;
    size_t nargs = 0;
    while (args[nargs])
        nargs++;
    char **argv = calloc(nargs + 2, sizeof(char *));
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    bool fa_ok = false;
    int rc = -1;
    if (!argv) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    argv[0] = exe;
    memcpy(argv + 1, args, nargs * sizeof(char *));
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "pipe");
        goto out;
    }
    fa_ok = posix_spawn_file_actions_init(&fa) == 0;
    if (!fa_ok || posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, po[1], 1) != 0 || posix_spawn_file_actions_adddup2(&fa, pe[1], 2) != 0) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    pid_t pid;
    int e = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
    if (e != 0) {
        ippc_error_set_errno(err, IPPC_E_SYSTEM, e, "cannot run %s", exe);
        goto out;
    }
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    strbuf_t out, errout;
    strbuf_init(&out);
    strbuf_init(&errout);
    drain(po[0], pe[0], &out, &errout);
    int status;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    r->status = w == pid ? status : -1; /* ECHILD: the program ignores SIGCHLD */
    r->out = strbuf_release(&out);
    r->errout = strbuf_release(&errout);
    rc = 0;
out:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0)
            close(po[i]);
        if (pe[i] >= 0)
            close(pe[i]);
    }
    free(argv);
    free(exe);
    return rc;
}

/* The error code a name from ippc_errcode_name() stands for. */
static ippc_errcode_t code_of(const char *name, ippc_errcode_t fallback)
{
    for (int c = IPPC_OK; name && c <= IPPC_E_SYSTEM; c++)
        if (strcmp(ippc_errcode_name((ippc_errcode_t)c), name) == 0)
            return (ippc_errcode_t)c;
    return fallback;
}

/* An error from what a failed ippctl printed: its --json error when there is one, else
 * its standard error (exit status 2, a usage error, is IPPC_E_INVALID). */
static int run_error(const char *what, const run_t *r, ippc_error_t **err)
{
    json_error_t jerr;
    json_t *j = r->out && *r->out ? json_loads(r->out, 0, &jerr) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    bool usage = r->status >= 0 && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 2;
    ippc_errcode_t code = code_of(json_string_value(json_object_get(e, "code")), usage ? IPPC_E_INVALID : IPPC_E_STATE);
    if (msg) {
        /* the notes after the error (what was stopped, where the logs are) help too */
        const char *notes = r->errout ? strstr(r->errout, "stopped what was started") : NULL;
        ippc_error_set(err, code, "%s: %s%s%.*s", what, msg, notes ? "\n" : "",
                       notes ? (int)strcspn(notes, "\n") : 0, notes ? notes : "");
    } else {
        size_t len = r->errout ? strlen(r->errout) : 0;
        while (len && r->errout[len - 1] == '\n')
            len--;
        ippc_error_set(err, code, "%s: %.*s", what, (int)len, len ? r->errout : "ippctl failed without a message");
    }
    json_decref(j);
    return -1;
}

/* Exit status 0. When the status is unknown (the program ignores SIGCHLD, so the child
 * was reaped for it), what ippctl printed tells: `marker` on its standard output (start
 * --json) or standard error (stop). */
static bool succeeded(const run_t *r, const char *out_marker, const char *err_marker)
{
    if (r->status >= 0)
        return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
    return (out_marker && r->out && strstr(r->out, out_marker) && !strstr(r->out, "\"error\"")) ||
           (err_marker && r->errout && strstr(r->errout, err_marker));
}

int ippc_cluster_start(ippc_cluster_t *cl, double timeout, ippc_error_t **err)
{
    if (!cl || !cl->launch)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_cluster_start: not a cluster made by ippc_cluster_new");
    if (cl->cf)
        return ippc_error_set(err, IPPC_E_STATE, "ippc_cluster_start: cluster '%s' was started already", cl->cluster_id);
    const struct ippc_cluster_launch *x = cl->launch;
    char **args = calloc(16 + 2 * x->nsettings, sizeof(char *));
    if (!args)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    size_t n = 0;
    char nbuf[32], tbuf[64];
    args[n++] = "start";
    args[n++] = "--daemonize";
    args[n++] = "--wait";
    args[n++] = "--json";
    args[n++] = "--cluster-id";
    args[n++] = cl->cluster_id;
    snprintf(tbuf, sizeof tbuf, "%g", timeout > 0 ? timeout : DEFAULT_START_TIMEOUT);
    args[n++] = "--timeout";
    args[n++] = tbuf;
    if (x->profile) {
        args[n++] = "--profile";
        args[n++] = x->profile;
    }
    if (x->n > 0) {
        snprintf(nbuf, sizeof nbuf, "%zu", x->n);
        args[n++] = "-n";
        args[n++] = nbuf;
    }
    if (x->launcher) {
        args[n++] = "--launcher";
        args[n++] = x->launcher;
    }
    for (size_t i = 0; i < x->nsettings; i++) {
        args[n++] = "--set";
        args[n++] = x->settings[i];
    }
    run_t r;
    int rc = run_ippctl(args, &r, err);
    free(args);
    if (rc != 0)
        return -1;
    if (!succeeded(&r, "\"cluster_file\"", NULL)) {
        run_error("ippc_cluster_start", &r, err);
        run_free(&r);
        return -1;
    }
    json_error_t jerr;
    json_t *j = json_loads(r.out ? r.out : "", 0, &jerr);
    const char *pd = json_string_value(json_object_get(j, "profile_dir"));
    const char *id = json_string_value(json_object_get(j, "cluster_id"));
    if (!pd || !id)
        rc = ippc_error_set(err, IPPC_E_PROTOCOL, "ippc_cluster_start: ippctl printed no cluster description "
                            "(%.200s)", r.out ? r.out : "");
    else
        rc = ippc_cluster_load(cl, pd, id, err);
    json_decref(j);
    run_free(&r);
    return rc;
}

int ippc_cluster_stop(ippc_cluster_t *cl, ippc_error_t **err)
{
    if (!cl)
        return ippc_error_set(err, IPPC_E_INVALID, "ippc_cluster_stop: no cluster");
    if (!cl->cf || !cl->profile_dir)
        return ippc_error_set(err, IPPC_E_STATE, "ippc_cluster_stop: cluster '%s' is not running (not started, or stopped already)",
                              cl->cluster_id ? cl->cluster_id : "");
    char *args[] = {"stop", "--profile", cl->profile_dir, "--cluster-id", cl->cluster_id, NULL};
    run_t r;
    if (run_ippctl(args, &r, err) != 0)
        return -1;
    int rc = 0;
    if (!succeeded(&r, NULL, "ippctl stop: stopped "))
        rc = run_error("ippc_cluster_stop", &r, err);
    run_free(&r);
    /* stopped, or not running any more: either way there is nothing to connect to */
    ippc_clusterfile_destroy(&cl->cf);
    return rc;
}
