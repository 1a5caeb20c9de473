/* options.c - see options.h. One table describes every option: its spellings, the kind
 * of value it takes and where the value goes, so the two argument forms, the traitlets
 * aliases and the help text cannot drift apart. */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ippc.h"
#include "log.h"

typedef enum { K_STR, K_FLAG, K_NOFLAG, K_INT, K_SECONDS, K_LOGLEVEL, K_SHELL, K_BOOL, K_HELP, K_VERSION } kind_t;

typedef struct {
    const char *names[4]; /* spellings without the leading "--"; "-" and "_" are equivalent */
    kind_t kind;
    size_t offset;        /* into eng_options_t */
    const char *metavar;
    const char *help;     /* NULL: an alias not listed in --help */
} optdef_t;

#define OFF(f) offsetof(eng_options_t, f)

static const optdef_t k_opts[] = {
    {{"profile", "BaseIPythonApplication.profile"}, K_STR, OFF(profile), "NAME",
     "profile to use (default: default): the connection file is found in its security dir"},
    {{"profile-dir", "ProfileDir.location"}, K_STR, OFF(profile_dir), "DIR",
     "profile directory (overrides --profile)"},
    {{"ipython-dir", "BaseIPythonApplication.ipython_dir"}, K_STR, OFF(ipython_dir), "DIR",
     "IPython directory (default: $IPYTHONDIR or ~/.ipython)"},
    {{"cluster-id", "BaseParallelApplication.cluster_id"}, K_STR, OFF(cluster_id), "ID",
     "cluster id: reads ipcontroller-ID-engine.json"},
    {{"file", "url-file", "url", "IPEngine.url_file"}, K_STR, OFF(url_file), "PATH",
     "engine connection file (default: from the profile; IPP_CONNECTION_INFO is also read)"},
    {{"location", "IPEngine.location"}, K_STR, OFF(location), "HOST",
     "controller address to use when the connection file's interface is a wildcard"},
    {{"timeout", "IPEngine.timeout", "IPEngine.wait_for_url_file"}, K_SECONDS, OFF(timeout), "SECONDS",
     "wait this long for the connection file and for the registration reply (default 10)"},
    {{"registration-timeout"}, K_SECONDS, OFF(reg_timeout), "SECONDS",
     "exit 1 if the registration is not complete this long after the reply (default: the controller's purge time)"},
    {{"startup-command", "c", "IPEngine.startup_command"}, K_STR, OFF(startup_command), "CODE",
     "run this Python code at start, before registering; if it raises, exit 1"},
    {{"startup-script", "s", "IPEngine.startup_script"}, K_STR, OFF(startup_script), "FILE",
     "run this Python file at start, after --startup-command; if it raises, exit 1"},
    {{"pmix"}, K_FLAG, OFF(pmix), NULL,
     "engine id = PMIx rank, connection info from PMIx rank 0 (automatic in a PMIx job; "
     "without a PMIx server the connection file is used)"},
    {{"mpi", "IPEngine.use_mpi"}, K_FLAG, OFF(mpi), NULL,
     "request the MPI rank as engine id (OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK, SLURM_PROCID)"},
    {{"id", "IPEngine.id"}, K_INT, OFF(requested_id), "N", "request this engine id"},
    {{"log-level", "Application.log_level"}, K_LOGLEVEL, OFF(log_level), "LEVEL",
     "10/DEBUG, 20/INFO (default), 30/WARN, 40/ERROR, 50/CRITICAL"},
    {{"debug"}, K_FLAG, OFF(log_level), NULL, "same as --log-level=DEBUG"},
    {{"InteractiveShell.colors", "colors"}, K_STR, OFF(colors), "SCHEME",
     "traceback colors: NoColor, Neutral, Linux, LightBG"},
    {{"shell"}, K_SHELL, OFF(shell), "auto|ipython|plain",
     "run code through IPython (magics, rich display) or plain Python (default auto: IPython if importable)"},
    {{"work-dir", "BaseParallelApplication.work_dir"}, K_STR, OFF(work_dir), "DIR",
     "change to this directory first"},
    {{"hb-misses", "IPEngine.max_heartbeat_misses"}, K_INT, OFF(hb_misses), "N",
     "exit after N heartbeat periods without a ping from the controller (default 10, 0 never)"},
    {{"no-fd-capture"}, K_NOFLAG, OFF(capture_fds), NULL,
     "do not send what C code writes to fd 1/2 to IOPub (Python's sys.stdout/sys.stderr still go)"},
    {{"help", "h"}, K_HELP, 0, NULL, "show this help and exit"},
    {{"version"}, K_VERSION, 0, NULL, "show the version and exit"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: ippc-engine [OPTION]...\n"
               "Start an IPython Parallel engine: register with the controller named by the\n"
               "connection file and run the Python code its clients send.\n\nOptions:\n");
    for (size_t i = 0; i < sizeof k_opts / sizeof k_opts[0]; i++) {
        const optdef_t *d = &k_opts[i];
        const char *letter = NULL; /* a one-letter spelling is shown as "-c, " */
        for (size_t j = 1; j < 4 && d->names[j]; j++)
            if (!d->names[j][1])
                letter = d->names[j];
        char left[80];
        snprintf(left, sizeof left, "%s%s%s--%s%s%s", letter ? "-" : "", letter ? letter : "", letter ? ", " : "",
                 d->names[0], d->metavar ? "=" : "", d->metavar ? d->metavar : "");
        fprintf(f, "  %-32s %s\n", left, d->help);
    }
    fprintf(f, "\nOther --Class.trait=value settings of the stock ipengine are accepted and ignored\n"
               "with a warning. See ippc-engine(1).\n");
}

/* "-" and "_" are the same in option names, as in traitlets. */
static int name_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i] == '_' ? '-' : a[i];
        char y = b[i] == '_' ? '-' : b[i];
        if (x != y)
            return 0;
    }
    return 1;
}

static const optdef_t *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof k_opts / sizeof k_opts[0]; i++)
        for (size_t j = 0; j < 4 && k_opts[i].names[j]; j++)
            if (name_eq(name, len, k_opts[i].names[j]))
                return &k_opts[i];
    return NULL;
}

static int takes_value(kind_t k)
{
    return k != K_FLAG && k != K_NOFLAG && k != K_HELP && k != K_VERSION;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no")) {
        *out = false;
        return 0;
    }
    return -1;
}

/* Store value (NULL for flags) into the field d describes. Returns OPT_OK or OPT_USAGE. */
static int apply_opt(eng_options_t *o, const optdef_t *d, const char *shown, const char *value)
{
    char *field = (char *)o + d->offset;
    switch (d->kind) {
    case K_STR: {
        char *copy = strdup(value);
        if (!copy)
            return OPT_NOMEM;
        free(*(char **)field);
        *(char **)field = copy;
        return OPT_OK;
    }
    case K_FLAG:
        if (d->offset == OFF(log_level)) { /* --debug */
            o->log_level = 10;
            return OPT_OK;
        }
        if (value && parse_bool(value, (bool *)field) < 0)
            goto bad;
        if (!value)
            *(bool *)field = true;
        return OPT_OK;
    case K_NOFLAG:
        *(bool *)field = false;
        return OPT_OK;
    case K_BOOL:
        if (parse_bool(value, (bool *)field) < 0)
            goto bad;
        return OPT_OK;
    case K_INT: {
        char *end;
        errno = 0;
        long l = strtol(value, &end, 10);
        if (errno || end == value || *end || l < 0 || l > 1000000000L)
            goto bad;
        *(int *)field = (int)l;
        return OPT_OK;
    }
    case K_SECONDS: {
        char *end;
        errno = 0;
        double s = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(s) || s <= 0 || s > 1e6)
            goto bad;
        *(double *)field = s;
        return OPT_OK;
    }
    case K_LOGLEVEL:
        if (ippc_log_parse_level(value, (int *)field) < 0)
            goto bad;
        return OPT_OK;
    case K_SHELL:
        if (!strcmp(value, "auto"))
            *(shell_mode_t *)field = SHELL_AUTO;
        else if (!strcmp(value, "ipython"))
            *(shell_mode_t *)field = SHELL_IPYTHON;
        else if (!strcmp(value, "plain"))
            *(shell_mode_t *)field = SHELL_PLAIN;
        else
            goto bad;
        return OPT_OK;
    case K_HELP:
    case K_VERSION:
        break;
    }
    return OPT_OK;
bad:
    fprintf(stderr, "ippc-engine: invalid value for --%s: '%s'\n", shown, value ? value : "");
    return OPT_USAGE;
}

static int set_default_str(char **field, const char *value)
{
    if (*field || !value)
        return 0;
    *field = strdup(value);
    return *field ? 0 : -1;
}

int options_parse(int argc, char **argv, eng_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->shell = SHELL_AUTO;
    o->log_level = 20;
    o->timeout = 10.0;
    o->requested_id = -1;
    o->hb_misses = 10;
    o->capture_fds = true;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || !arg[1]) {
            fprintf(stderr, "ippc-engine: unexpected argument '%s' (try --help)\n", arg);
            return OPT_USAGE;
        }
        const char *name = arg + (arg[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        char shown[128];
        snprintf(shown, sizeof shown, "%.*s", (int)(nlen < 100 ? nlen : 100), name);

        const optdef_t *d = find_opt(name, nlen);
        if (!d) {
            /* A traitlets setting we do not implement: skip it (and its value when given
             * as the next argument) so stock launcher configurations keep working. */
            if (memchr(name, '.', nlen)) {
                if (!value && i + 1 < argc && argv[i + 1][0] != '-')
                    value = argv[++i];
                fprintf(stderr, "ippc-engine: warning: ignoring unsupported setting --%s%s%s\n", shown,
                        value ? "=" : "", value ? value : "");
                continue;
            }
            fprintf(stderr, "ippc-engine: unknown option '%s' (try --help)\n", arg);
            return OPT_USAGE;
        }
        if (d->kind == K_HELP) {
            usage(stdout);
            return OPT_EXIT_OK;
        }
        if (d->kind == K_VERSION) {
            printf("ippc-engine %s\n", PACKAGE_VERSION);
            return OPT_EXIT_OK;
        }
        if (takes_value(d->kind) && !value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ippc-engine: option --%s needs a value\n", shown);
                return OPT_USAGE;
            }
            value = argv[++i];
        }
        int rc = apply_opt(o, d, shown, value);
        if (rc != OPT_OK)
            return rc;
    }

    /* Newer launchers say where the profile and cluster are through the environment. */
    if (set_default_str(&o->profile_dir, getenv("IPP_PROFILE_DIR")) < 0 ||
        set_default_str(&o->cluster_id, getenv("IPP_CLUSTER_ID")) < 0 || set_default_str(&o->profile, "default") < 0 ||
        set_default_str(&o->cluster_id, "") < 0)
        return OPT_NOMEM;
    return OPT_OK;
}

void options_free(eng_options_t *o)
{
    free(o->profile);
    free(o->profile_dir);
    free(o->ipython_dir);
    free(o->cluster_id);
    free(o->url_file);
    free(o->location);
    free(o->colors);
    free(o->work_dir);
    free(o->startup_command);
    free(o->startup_script);
    memset(o, 0, sizeof *o);
}

int options_mpi_rank(const char **which)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        char *end;
        errno = 0;
        long r = strtol(v, &end, 10);
        if (errno || *end || r < 0 || r > 100000000L)
            continue;
        if (which)
            *which = vars[i];
        return (int)r;
    }
    return -1;
}
