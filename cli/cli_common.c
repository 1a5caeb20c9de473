/* cli_common.c - messages, number parsing and connecting, shared by the subcommands. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "profile.h"

const char *cli_prog = "ippctl";

static void vmessage(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", cli_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return CLI_FAILED;
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

int cli_error_report(ippc_error_t **err)
{
    if (!err || !*err)
        return cli_error("failed (no error recorded)");
    if (ippc_error_count(*err) > 0) {
        /* Remote errors: the tracebacks, as the stock client shows them. */
        char *text = ippc_error_render(*err, 0);
        fprintf(stderr, "%s: %s\n%s", cli_prog, ippc_error_message(*err), text ? text : "");
        free(text);
    } else {
        cli_error("%s", ippc_error_message(*err));
    }
    ippc_error_destroy(err);
    return CLI_FAILED;
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help'.\n", cli_prog);
    return CLI_USAGE;
}

double cli_parse_seconds(const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < 0)
        return -1;
    return v;
}

long cli_parse_count(const char *text, long min)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min)
        return -1;
    return v;
}

ippc_client_t *cli_connect(const cli_target_t *t, ippc_error_t **err)
{
    double timeout = t->timeout > 0 ? t->timeout : 10.0;
    if (t->connection_file)
        return ippc_client_connect(t->connection_file, timeout, err);
    ippc_cluster_t *cl = ippc_cluster_from_file(t->profile, t->cluster_id, err);
    if (!cl)
        return NULL;
    ippc_client_t *c = ippc_cluster_connect(cl, timeout, err);
    ippc_cluster_destroy(&cl);
    return c;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    char spec[64];
    snprintf(spec, sizeof spec, ":%s", shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == '?') {
        if (optopt)
            cli_usage("unknown option '-%c'", optopt);
        else
            cli_usage("unknown option '%s'", argv[optind - 1]);
    } else if (c == ':') {
        cli_usage("option '%s' needs a value", argv[optind - 1]);
        c = '?';
    }
    return c;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

char *cli_profile_dir(const char *profile, ippc_error_t **err)
{
    struct stat st;
    char *dir = NULL;
    if (!profile || !*profile) {
        dir = ippc_profile_dir(NULL);
    } else if (strchr(profile, '/') && stat(profile, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = realpath(profile, NULL);
    } else if (strchr(profile, '/') || ends_with(profile, ".yaml") || ends_with(profile, ".yml")) {
        ippc_profile_t *p = ippc_profile_load(profile, err);
        if (!p)
            return NULL;
        dir = ippc_profile_dir(p->name);
        ippc_profile_destroy(&p);
    } else {
        dir = ippc_profile_dir(profile);
    }
    if (!dir && err && !*err)
        *err = ippc_error_new(IPPC_E_NOMEM, "out of memory (or no home directory for $IPYTHONDIR)");
    return dir;
}
