/* lifecycle.c - see lifecycle.h. */
#include "config.h"

#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"

volatile sig_atomic_t cli_signalled;

static void on_signal(int sig) { cli_signalled = sig; }

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits return early */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static bool progress_shown;

void cli_progress(size_t registered, size_t want, void *data)
{
    (void)data;
    if (!isatty(STDERR_FILENO))
        return;
    fprintf(stderr, "\r%zu/%zu engines registered", registered, want);
    fflush(stderr);
    progress_shown = true;
}

void cli_progress_done(void)
{
    if (progress_shown)
        fputc('\n', stderr);
    progress_shown = false;
}

/* Print err (a usage error when usage) or hand it to the caller; returns the code. */
static int give(ippc_error_t **e, bool usage, ippc_error_t **err)
{
    if (err) {
        *err = *e;
        *e = NULL;
        return usage ? CLI_USAGE : CLI_FAILED;
    }
    if (!usage)
        return cli_error_report(e);
    int code = cli_usage("%s", ippc_error_message(*e));
    ippc_error_destroy(e);
    return code;
}

ippc_profile_t *cli_load_profile(const cli_profile_args_t *a, int *code, ippc_error_t **err)
{
    ippc_error_t *e = NULL;
    ippc_profile_t *p = ippc_profile_load(a->profile, &e);
    if (!p) {
        *code = give(&e, false, err);
        return NULL;
    }
    for (size_t i = 0; i < a->nsets; i++) {
        if (ippc_profile_set_assignment(p, a->sets[i], NULL, &e) != 0) {
            ippc_error_prefix(&e, "--set %s", a->sets[i]);
            *code = give(&e, true, err);
            ippc_profile_destroy(&p);
            return NULL;
        }
    }
    char n[32];
    snprintf(n, sizeof n, "%ld", a->n);
    if ((a->n > 0 && ippc_profile_set(p, "cluster.n", n, NULL, &e) != 0) ||
        (a->cluster_id && ippc_profile_set(p, "cluster.cluster_id", a->cluster_id, NULL, &e) != 0) ||
        (a->launcher && ippc_profile_set(p, "cluster.launcher", a->launcher, NULL, &e) != 0)) {
        *code = give(&e, true, err);
        ippc_profile_destroy(&p);
    }
    return p;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *cli_launch_json(const ippc_launch_t *l, long registered)
{
    const ippc_cstate_t *cs = l->cs;
    json_t *engines = json_array();
    json_t *controller = json_null();
    for (size_t i = 0; i < l->nstarted; i++) {
        const ippc_started_t *s = &l->started[i];
        if (s->controller) {
            json_decref(controller);
            controller = json_pack("{s:I, s:o, s:o, s:o}", "pid", (json_int_t)s->pid, "log", str_or_null(s->log),
                                   "program", str_or_null(l->controller_exe), "command", str_or_null(l->controller_cmd));
        } else {
            json_array_append_new(engines, json_pack("{s:s, s:I, s:I, s:o}", "set", s->set_id, "index", (json_int_t)s->index,
                                                     "pid", (json_int_t)s->pid, "log", str_or_null(s->log)));
        }
    }
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "profile", l->profile->name,
                          "profile_dir", cs->profile_dir, "cluster_id", cs->cluster_id, "cluster_file", cs->cluster_file,
                          "client_file", cs->client_file, "engine_file", cs->engine_file, "launcher", l->ops->name,
                          "n", (json_int_t)l->profile->cluster.n, "controller", controller, "engines", engines,
                          "engine_command", str_or_null(l->engine_cmd), "note", str_or_null(l->note));
    if (j && registered >= 0)
        json_object_set_new(j, "registered", json_integer(registered));
    return j;
}
