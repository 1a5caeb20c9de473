/* cmd_signal.c - ippctl signal: send a signal to the engines, through Slurm for engines
 * it started (scancel -s SIG JOB.STEP), else through the controller. */
#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_ops.h"
#include "launcher.h"

static const cli_ops_spec_t spec = {
    .usage = "signal [OPTIONS] SIGNAL",
    .description =
        "Send SIGNAL (a name: INT, SIGINT, TERM...; or a number) to the engines. An engine\n"
        "running code raises KeyboardInterrupt there on INT (shown by the px or apply that\n"
        "is waiting); an idle engine ignores INT, as the stock ipengine does.\n"
        "Engines started by Slurm (the slurm launcher's job, an srun or pmix step) get it\n"
        "from Slurm, `scancel -s SIGNAL JOB.STEP`, which reaches every task of the step\n"
        "(said on stderr). With --targets, and for other clusters (local, mpirun), it goes\n"
        "through the controller's control channel, which waits until each engine has\n"
        "acknowledged it.",
    .options = NULL,
    .examples = "ippctl signal INT\n"
                "ippctl signal --targets 1,3 SIGINT\n"
                "ippctl signal -p slurm --cluster-id run1 INT   # scancel -s INT JOB.STEP",
    .common = CLI_OPS_TARGETS,
    .min_args = 1,
    .max_args = 1,
};

static const struct {
    const char *name;
    int number;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},   {"SYS", SIGSYS},
};

/* A signal name (INT, SIGINT, any case) or number; -1 when text is neither. */
static int parse_signal(const char *text)
{
    if (isdigit((unsigned char)text[0])) {
        long n = cli_parse_count(text, 1);
        return n >= 1 && n <= SIGRTMAX ? (int)n : -1;
    }
    if (strncasecmp(text, "SIG", 3) == 0)
        text += 3;
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
        if (strcasecmp(text, signals[i].name) == 0)
            return signals[i].number;
    return -1;
}

/* "SIGINT", or "signal 40" for one without a name here. Into buf. */
static const char *signal_label(int sig, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
        if (signals[i].number == sig) {
            snprintf(buf, size, "SIG%s", signals[i].name);
            return buf;
        }
    snprintf(buf, size, "signal %d", sig);
    return buf;
}

/* Through the launcher back end of the engines, when it has a way of its own (Slurm:
 * scancel -s SIG JOB.STEP): *done then, and the exit code. Not done when the
 * controller must do it: engines picked by --targets (their ids are the
 * controller's), a connection file alone, no cluster file, a back end without a way. */
static int signal_by_launcher(const cli_ops_t *o, int sig, bool *done)
{
    *done = false;
    if (o->targets || o->where.connection_file)
        return CLI_OK;
    /* A missing or unreadable cluster file is left to the controller's path, which
     * says so with its fix. */
    ippc_error_t *err = NULL;
    char *pd = cli_profile_dir(o->where.profile, &err);
    ippc_cstate_t *cs = pd ? ippc_cstate_new(pd, o->where.cluster_id, &err) : NULL;
    const ippc_launcher_ops_t *ops = NULL;
    if (cs && ippc_cstate_load(cs, &err) == 0 && cs->cf->engines_class)
        ops = ippc_launcher_by_class(cs->cf->engines_class, &err);
    ippc_error_destroy(&err);
    free(pd);
    char *how = NULL, name[32];
    int sent = ops && ops->signal ? ops->signal(cs, sig, &how, &err) : 0;
    *done = sent < 0 || how;
    int rc = sent < 0 ? cli_error_report(&err) : CLI_OK;
    if (how)
        cli_note("sent %s to %d engine%s through `%s`", signal_label(sig, name, sizeof name), sent,
                 sent == 1 ? "" : "s", how);
    free(how);
    ippc_cstate_destroy(&cs);
    return rc;
}

/* The controller's control channel: to the engines of the view, each acknowledging. */
static int send_signal(const cli_ops_t *o, int sig)
{
    ippc_client_t *c = NULL;
    ippc_view_t *v = NULL; /* checks the targets and that there are engines */
    int rc = cli_ops_open(o, &c, &v);
    if (rc == 0) {
        ippc_error_t *err = NULL;
        if (ippc_client_send_signal(c, sig, o->targets, &err) != 0)
            rc = cli_ops_fail(o, &err);
    }
    ippc_view_destroy(&v);
    ippc_client_destroy(&c);
    return rc;
}

int cmd_signal(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    int sig = parse_signal(o.args[0]);
    if (sig < 0)
        return cli_usage("'%s' is not a signal: give a name (INT, SIGINT, TERM, USR1...) or a number from 1 to %d",
                         o.args[0], SIGRTMAX);
    bool done;
    rc = signal_by_launcher(&o, sig, &done);
    return done ? rc : send_signal(&o, sig);
}
