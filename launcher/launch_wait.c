/* launch_wait.c - waiting for a cluster being started: the controller's connection
 * files, then the engines' registrations, while watching the processes started, so
 * that one that dies is reported at once with the end of its log (see launch.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "error_int.h"
#include "launch.h"
#include "proc.h"
#include "spawn.h"
#include "strbuf.h"

/* Lines of a log shown when its process failed, and per engine on a timeout. */
#define TAIL_LINES 15
#define TIMEOUT_TAIL_LINES 4
#define TIMEOUT_SHOWN 3
/* How often the processes are looked at while waiting. */
#define POLL_SLICE 0.05
#define FILE_POLL 0.01
#define LOG_SCAN_MAX (1024 * 1024)

/* Look at every started process not yet seen ended. */
static void refresh(ippc_launch_t *l)
{
    for (size_t i = 0; i < l->nstarted; i++) {
        ippc_started_t *s = &l->started[i];
        if (s->ended)
            continue;
        bool reaped = false;
        if (ippc_proc_state(s->pid, NULL, &s->status, &reaped) == IPPC_PS_GONE) {
            s->ended = true;
            s->have_status = reaped;
        }
    }
}

ippc_started_t *ippc_launch_next_ended(ippc_launch_t *l)
{
    refresh(l);
    for (size_t i = 0; i < l->nstarted; i++)
        if (l->started[i].ended && !l->started[i].reported) {
            l->started[i].reported = true;
            return &l->started[i];
        }
    return NULL;
}

char *ippc_launch_describe_ended(const ippc_started_t *s)
{
    char how[128];
    if (s->have_status)
        ippc_proc_describe_status(s->status, how, sizeof how);
    else
        snprintf(how, sizeof how, "has ended");
    /* A clean exit (a client's shutdown_request) needs no log. */
    bool clean = s->have_status && WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0;
    char *tail = s->log && !clean ? ippc_file_tail(s->log, TAIL_LINES, "    ") : NULL;
    char *out;
    if (clean)
        out = ippc_strdup_printf("%s (pid %ld) %s", s->label, (long)s->pid, how);
    else if (tail && *tail)
        out = ippc_strdup_printf("%s (pid %ld) %s; the end of its log %s:\n%s", s->label, (long)s->pid, how, s->log,
                                 tail);
    else
        out = ippc_strdup_printf("%s (pid %ld) %s; its log %s is empty", s->label, (long)s->pid, how,
                                 s->log ? s->log : "(none)");
    free(tail);
    return out;
}

/* An error for the first process found ended (and how many more there are). */
static int ended_error(ippc_launch_t *l, ippc_error_t **err)
{
    if (l->ops->check_started && l->ops->check_started(l, err) != 0)
        return -1; /* a batch job that ended */
    ippc_started_t *first = ippc_launch_next_ended(l);
    if (!first)
        return 0;
    size_t more = 0;
    while (ippc_launch_next_ended(l))
        more++;
    char *text = ippc_launch_describe_ended(first);
    if (more)
        ippc_error_set(err, IPPC_E_STATE, "%s(%zu more process%s of the cluster ended too: their logs are in %s)",
                       text ? text : first->label, more, more == 1 ? "" : "es", l->cs->log_dir);
    else
        ippc_error_set(err, IPPC_E_STATE, "%s", text ? text : first->label);
    free(text);
    return -1;
}

int ippc_launch_check_running(ippc_launch_t *l, ippc_error_t **err)
{
    l->up = true;
    return l->ops->check_started ? l->ops->check_started(l, err) : 0;
}

static bool nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

ippc_client_t *ippc_launch_connect(ippc_launch_t *l, double deadline, volatile sig_atomic_t *interrupted,
                                   ippc_error_t **err)
{
    ippc_cstate_t *cs = l->cs;
    while (!nonempty(cs->client_file) || !nonempty(cs->engine_file)) {
        if (ended_error(l, err) != 0)
            return NULL;
        if (interrupted && *interrupted) {
            ippc_error_set(err, IPPC_E_STATE, "interrupted while waiting for the controller");
            return NULL;
        }
        if (ippc_now() >= deadline) {
            ippc_error_set(err, IPPC_E_TIMEOUT, "the controller wrote no connection file %s within %g s (its log: %s)",
                           cs->client_file, l->timeout, cs->cf && cs->cf->controller.output_file
                                                                ? cs->cf->controller.output_file : cs->log_dir);
            return NULL;
        }
        ippc_sleep(FILE_POLL);
    }
    double left = deadline - ippc_now();
    return ippc_client_connect(cs->client_file, left > 0.1 ? left : 0.1, err);
}

int ippc_engine_log_id(const char *log_path)
{
    /* ippc-engine's line, and the stock ipengine's */
    static const char *const markers[] = {"registered as engine ", "Completed registration with id "};
    FILE *f = log_path ? fopen(log_path, "re") : NULL;
    if (!f)
        return -1;
    char line[1024];
    int id = -1;
    long scanned = 0;
    while (id < 0 && scanned < LOG_SCAN_MAX && fgets(line, sizeof line, f)) {
        scanned += (long)strlen(line);
        for (size_t i = 0; id < 0 && i < sizeof markers / sizeof markers[0]; i++) {
            const char *m = strstr(line, markers[i]);
            const char *num = m ? m + strlen(markers[i]) : NULL;
            char *end;
            long v = num ? strtol(num, &end, 10) : -1;
            if (num && end != num && v >= 0 && v < 0x7fffffff)
                id = (int)v;
        }
    }
    fclose(f);
    return id;
}

/* The timeout error: how many registered, and the engines that did not. */
static int timeout_error(ippc_launch_t *l, size_t have, size_t want, ippc_error_t **err)
{
    strbuf_t sb;
    strbuf_init(&sb);
    size_t pending = 0;
    for (size_t i = 0; i < l->nstarted; i++) {
        const ippc_started_t *s = &l->started[i];
        if (s->controller || s->ended || ippc_engine_log_id(s->log) >= 0)
            continue;
        if (pending++ >= TIMEOUT_SHOWN)
            continue;
        char *tail = s->log ? ippc_file_tail(s->log, TIMEOUT_TAIL_LINES, "      ") : NULL;
        strbuf_printf(&sb, "\n  %s (pid %ld) has not registered; its log %s%s\n%s", s->label, (long)s->pid,
                      s->log ? s->log : "?", tail && *tail ? " ends with:" : " is empty", tail ? tail : "");
        free(tail);
    }
    if (pending > TIMEOUT_SHOWN)
        strbuf_printf(&sb, "\n  ... and %zu more (logs in %s)", pending - TIMEOUT_SHOWN, l->cs->log_dir);
    char *details = strbuf_release(&sb);
    ippc_error_set(err, IPPC_E_TIMEOUT, "%zu of %zu engines registered within %g s (a loaded machine may need a "
                   "longer --timeout)%s", have, want, l->timeout, details ? details : "");
    free(details);
    return -1;
}

int ippc_launch_wait_engines(ippc_launch_t *l, ippc_client_t *c, size_t want, double deadline,
                             void (*progress)(size_t registered, size_t want, void *data), void *data,
                             volatile sig_atomic_t *interrupted, ippc_error_t **err)
{
    size_t last = (size_t)-1;
    for (;;) {
        const int *ids;
        size_t n = 0;
        if (ippc_client_ids(c, &ids, &n) != 0)
            return ippc_error_set(err, IPPC_E_STATE, "the client closed while waiting for engines");
        if (n != last && progress)
            progress(n, want, data);
        last = n;
        if (n >= want) /* a last look: a batch job seen running only now says so */
            return l->ops->check_started ? l->ops->check_started(l, err) : 0;
        if (ended_error(l, err) != 0)
            return -1;
        if (interrupted && *interrupted)
            return ippc_error_set(err, IPPC_E_STATE, "interrupted while waiting for engines (%zu of %zu registered)",
                                  n, want);
        double left = deadline - ippc_now();
        if (left <= 0)
            return timeout_error(l, n, want, err);
        ippc_error_t *perr = NULL;
        if (ippc_client_poll(c, left < POLL_SLICE ? left : POLL_SLICE, &perr) < 0) {
            if (interrupted && *interrupted) {
                ippc_error_destroy(&perr);
                continue; /* a signal cut the poll short: reported above */
            }
            if (err && !*err)
                *err = perr;
            else
                ippc_error_destroy(&perr);
            return -1;
        }
    }
}
