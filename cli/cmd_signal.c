/* cmd_signal.c - ippctl signal: send a signal to the engines. */
#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "signal [OPTIONS] SIGNAL",
    .description =
        "Send SIGNAL (a name: INT, SIGINT, TERM...; or a number) to the engines through\n"
        "the controller, and wait until each has acknowledged it. An engine running code\n"
        "raises KeyboardInterrupt there on INT (shown by the px or apply that is waiting);\n"
        "an idle engine ignores INT, as the stock ipengine does.",
    .options = NULL,
    .examples = "ippctl signal INT\n"
                "ippctl signal --targets 1,3 SIGINT",
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

/* The one place a signal leaves for the engines: through the controller's control
 * channel (a launcher with its own way, such as scancel on Slurm, would branch here). */
static int send_signal(const cli_ops_t *o, ippc_client_t *c, int sig, ippc_error_t **err)
{
    return ippc_client_send_signal(c, sig, o->targets, err);
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
    ippc_client_t *c = NULL;
    ippc_view_t *v = NULL; /* checks the targets and that there are engines */
    if ((rc = cli_ops_open(&o, &c, &v)) == 0) {
        ippc_error_t *err = NULL;
        if (send_signal(&o, c, sig, &err) != 0)
            rc = cli_ops_fail(&o, &err);
    }
    ippc_view_destroy(&v);
    ippc_client_destroy(&c);
    return rc;
}
