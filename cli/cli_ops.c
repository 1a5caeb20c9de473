/* cli_ops.c - the command line of the operation subcommands (options, help), connecting
 * to the cluster and making the view, waiting for a call, and failures with their fix. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_ops.h"

/* Seconds to wait for the controller when no shorter --timeout is given. */
#define CONNECT_TIMEOUT 10.0
/* Seconds per wait for replies, and at most for the output after them (see wait_for). */
#define WAIT_STEP 0.5
#define OUTPUT_GRACE 5.0
/* Probes of the IOPub subscription at most (see await_iopub). */
#define IOPUB_PROBES 50

/* --------------------------------------------------------------------- help */

static const char common_help[] =
    "  -f, --file FILE       connect through this client connection file\n"
    "                        (ipcontroller[-ID]-client.json) instead of a cluster file\n"
    "  -p, --profile NAME    the cluster's profile, a name or a directory (default: default)\n"
    "      --cluster-id ID   the cluster's id (default: \"\", as ippctl start)\n";
static const char targets_help[] =
    "  -t, --targets T       the engines: all (default), an id (3), an index from the end\n"
    "                        (-1), a slice (1:3, ::2) or a list (0,2)\n";
static const char timeout_help[] =
    "      --timeout S       give up after S seconds waiting for the engines (default:\n"
    "                        wait until they finish); connecting waits at most 10 s\n";
static const char json_help[] = "      --json            print JSON instead of text\n";

static void print_lines(const char *first, const char *rest, const char *text)
{
    const char *prefix = first;
    while (text && *text) {
        size_t n = strcspn(text, "\n");
        printf("%s%.*s\n", prefix, (int)n, text);
        text += n + (text[n] == '\n');
        prefix = rest;
    }
}

static void print_help(const cli_ops_spec_t *spec)
{
    print_lines("Usage: ippctl ", "       ippctl ", spec->usage);
    printf("\n%s\n\nOptions:\n", spec->description);
    if (spec->options)
        fputs(spec->options, stdout);
    if (spec->common & CLI_OPS_TARGETS)
        fputs(targets_help, stdout);
    if (spec->common & CLI_OPS_TIMEOUT)
        fputs(timeout_help, stdout);
    if (spec->common & CLI_OPS_JSON)
        fputs(json_help, stdout);
    fputs(common_help, stdout);
    printf("  -h, --help            show this help and exit\n\nExamples:\n");
    print_lines("  ", "  ", spec->examples);
    printf("\nExit status: 0 success, 1 failure (an engine raised an exception, no cluster,\n"
           "a timeout), 2 usage error. See ippctl(1).\n");
}

/* ------------------------------------------------------------------ parsing */

/* An argument rather than an option: "-", and negative numbers ("-1", "-.5", "-1e3"). */
static bool is_argument(const char *a)
{
    return a[0] != '-' || a[1] == '\0' || isdigit((unsigned char)a[1]) || (a[1] == '.' && isdigit((unsigned char)a[2]));
}

typedef enum { OPT_NONE, OPT_HELP, OPT_FILE, OPT_PROFILE, OPT_CLUSTER, OPT_TARGETS, OPT_TIMEOUT, OPT_JSON, OPT_EXTRA } opt_id_t;

/* Which option a name is ("targets" or 't'); OPT_NONE when the command has no such option. */
static opt_id_t find_option(const cli_ops_spec_t *spec, const char *name, size_t len, const cli_ops_extra_t **extra)
{
    static const struct {
        const char *name;
        char short_name;
        opt_id_t id;
        unsigned needs;
    } table[] = {{"help", 'h', OPT_HELP, 0},       {"file", 'f', OPT_FILE, 0},
                 {"profile", 'p', OPT_PROFILE, 0}, {"cluster-id", 0, OPT_CLUSTER, 0},
                 {"targets", 't', OPT_TARGETS, CLI_OPS_TARGETS}, {"timeout", 0, OPT_TIMEOUT, CLI_OPS_TIMEOUT},
                 {"json", 0, OPT_JSON, CLI_OPS_JSON}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        bool match = len == 1 ? name[0] == table[i].short_name
                              : strlen(table[i].name) == len && strncmp(name, table[i].name, len) == 0;
        if (match)
            return (table[i].needs & ~spec->common) ? OPT_NONE : table[i].id;
    }
    for (const cli_ops_extra_t *x = spec->extra; len > 1 && x && x->name; x++) {
        if (strlen(x->name) == len && strncmp(name, x->name, len) == 0) {
            *extra = x;
            return OPT_EXTRA;
        }
    }
    return OPT_NONE;
}

static bool takes_value(opt_id_t id, const cli_ops_extra_t *x)
{
    if (id == OPT_EXTRA)
        return x->value != NULL;
    return id != OPT_HELP && id != OPT_JSON;
}

/* Store the value of option id; CLI_USAGE (printed) when it is malformed. */
static int set_option(cli_ops_t *o, opt_id_t id, const cli_ops_extra_t *x, const char *value)
{
    switch (id) {
    case OPT_FILE: o->where.connection_file = value; break;
    case OPT_PROFILE: o->where.profile = value; break;
    case OPT_CLUSTER: o->where.cluster_id = value; break;
    case OPT_TARGETS: o->targets = value; break;
    case OPT_JSON: o->json = true; break;
    case OPT_TIMEOUT:
        o->timeout = cli_parse_seconds(value);
        if (o->timeout < 0)
            return cli_usage("--timeout: '%s' is not a number of seconds", value);
        break;
    case OPT_EXTRA:
        if (x->value)
            *x->value = value;
        else
            *x->flag = true;
        break;
    default: break;
    }
    return 0;
}

/* One option at argv[*i] (a "--long[=value]" or "-s[value]" word). */
static int parse_option(const cli_ops_spec_t *spec, cli_ops_t *o, int argc, char **argv, int *i, bool *help)
{
    const char *word = argv[*i];
    bool is_long = word[1] == '-';
    const char *name = word + (is_long ? 2 : 1);
    const char *eq = is_long ? strchr(name, '=') : NULL;
    size_t len = is_long ? (eq ? (size_t)(eq - name) : strlen(name)) : 1;
    const cli_ops_extra_t *x = NULL;
    opt_id_t id = find_option(spec, name, len, &x);
    if (id == OPT_NONE)
        return cli_usage("unknown option '%.*s%.*s'", is_long ? 2 : 1, word, (int)len, name);
    const char *value = NULL;
    if (takes_value(id, x)) {
        if (eq)
            value = eq + 1;
        else if (!is_long && name[1])
            value = name + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return cli_usage("option '%s' needs a value", word);
    } else if (eq || (!is_long && name[1])) {
        return cli_usage("option '%.*s%.*s' takes no value", is_long ? 2 : 1, word, (int)len, name);
    }
    if (id == OPT_HELP)
        *help = true;
    return set_option(o, id, x, value);
}

int cli_ops_parse(const cli_ops_spec_t *spec, int argc, char **argv, cli_ops_t *o, int *exit_code)
{
    memset(o, 0, sizeof(*o));
    o->timeout = -1;
    /* the arguments are gathered at the front of argv (never past the word being read) */
    o->args = argv + 1;
    bool help = false, dashdash = false;
    for (int i = 1; i < argc; i++) {
        if (dashdash || is_argument(argv[i])) {
            o->args[o->nargs++] = argv[i];
        } else if (strcmp(argv[i], "--") == 0) {
            dashdash = true;
        } else if ((*exit_code = parse_option(spec, o, argc, argv, &i, &help)) != 0) {
            return -1;
        }
    }
    if (help) {
        print_help(spec);
        *exit_code = CLI_OK;
        return -1;
    }
    if (o->where.connection_file && (o->where.profile || o->where.cluster_id)) {
        *exit_code = cli_usage("--file names the cluster already: give either it or --profile/--cluster-id");
        return -1;
    }
    int ulen = (int)strcspn(spec->usage, "\n"); /* its first form */
    if (o->nargs < spec->min_args) {
        *exit_code = cli_usage("missing argument (usage: ippctl %.*s)", ulen, spec->usage);
        return -1;
    }
    if (spec->max_args >= 0 && o->nargs > spec->max_args) {
        *exit_code = cli_usage("unexpected argument '%s' (usage: ippctl %.*s)", o->args[spec->max_args], ulen,
                               spec->usage);
        return -1;
    }
    double connect = CONNECT_TIMEOUT;
    if (o->timeout >= 0 && o->timeout < connect)
        connect = o->timeout > 0 ? o->timeout : 0.001;
    o->where.timeout = connect;
    return 0;
}

bool cli_ops_single_target(const char *targets)
{
    if (!targets)
        return false;
    while (isspace((unsigned char)*targets))
        targets++;
    if (*targets == '-' || *targets == '+')
        targets++;
    if (!isdigit((unsigned char)*targets))
        return false;
    while (isdigit((unsigned char)*targets))
        targets++;
    while (isspace((unsigned char)*targets))
        targets++;
    return *targets == '\0';
}

bool cli_ops_identifier(const char *name)
{
    if (!*name || isdigit((unsigned char)*name))
        return false;
    for (; *name; name++)
        if (!isalnum((unsigned char)*name) && *name != '_' && !((unsigned char)*name & 0x80))
            return false;
    return true;
}

int cli_ops_check_name(const char *name)
{
    return cli_ops_identifier(name) ? 0 : cli_usage("'%s' is not a name (a Python identifier)", name);
}

/* ----------------------------------------------------------- connecting */

/* "ippctl CMD" and the options that name the cluster of o (" -f FILE" or " -p P
 * --cluster-id ID"), for the commands a message suggests. */
static void suggest(const cli_ops_t *o, const char *cmd, char *buf, size_t size)
{
    const char *p = o->where.profile, *id = o->where.cluster_id;
    if (o->where.connection_file)
        snprintf(buf, size, "ippctl %s -f %s", cmd, o->where.connection_file);
    else
        snprintf(buf, size, "ippctl %s%s%s%s%s", cmd, p ? " -p " : "", p ? p : "", id && *id ? " --cluster-id " : "",
                 id && *id ? id : "");
}

/* The cluster file the options designate (as ippc_cluster_from_file looks for it). */
static char *cluster_file(const cli_ops_t *o)
{
    const char *p = o->where.profile;
    char *dir = p && strchr(p, '/') ? strdup(p) : ippc_profile_dir(p);
    char *path = dir ? ippc_cluster_file_path(dir, o->where.cluster_id ? o->where.cluster_id : "") : NULL;
    free(dir);
    return path;
}

/* The registered engine ids as "0, 1, 2" (or "none"). */
static void registered(ippc_client_t *c, char *buf, size_t size)
{
    const int *ids = NULL;
    size_t n = 0, used = 0;
    ippc_client_ids(c, &ids, &n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 16 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%d", i ? ", " : "", ids[i]);
    if (n == 0)
        snprintf(buf, size, "none");
}

int cli_ops_open(const cli_ops_t *o, ippc_client_t **c, ippc_view_t **v)
{
    ippc_error_t *err = NULL;
    *v = NULL;
    *c = cli_connect(&o->where, &err);
    if (!*c) {
        char *path = o->where.connection_file ? NULL : cluster_file(o);
        if (path && access(path, F_OK) != 0) {
            char cmd[1024];
            suggest(o, "start", cmd, sizeof(cmd));
            cli_error("no cluster file %s; start one with: %s", path, cmd);
            ippc_error_destroy(&err);
        } else {
            cli_ops_fail(o, &err);
        }
        free(path);
        return CLI_FAILED;
    }
    *v = ippc_client_view(*c, o->targets ? o->targets : "all", &err);
    if (!*v) {
        char ids[256];
        registered(*c, ids, sizeof(ids));
        if (ippc_error_code(err) == IPPC_E_NOTFOUND)
            cli_error("%s (registered engines: %s)", ippc_error_message(err), ids);
        else if (ippc_error_code(err) == IPPC_E_PARSE)
            cli_error("%s", ippc_error_message(err));
        else
            cli_ops_fail(o, &err);
        ippc_error_destroy(&err);
        ippc_client_destroy(c);
        return CLI_FAILED;
    }
    const int *ids;
    size_t n = 0;
    if (ippc_view_get_targets(*v, &ids, &n) == 0 && n == 0) {
        char cmd[1024];
        suggest(o, "engines -n N", cmd, sizeof(cmd));
        ippc_view_destroy(v);
        ippc_client_destroy(c);
        if (o->where.connection_file)
            return cli_error("the cluster has no engines registered; start some (ippc-engine), or wait for them");
        return cli_error("the cluster has no engines registered; add some with: %s (or wait for them: "
                         "ippctl start --wait)", cmd);
    }
    return 0;
}

/* ---------------------------------------------------------------- waiting */

/* The engines of r that have not replied, as "0,2". */
static void pending(ippc_result_t *r, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ippc_result_len(r) && used + 16 < size; i++)
        if (!ippc_result_completed(r, i) && !ippc_result_error(r, i))
            used += (size_t)snprintf(buf + used, size - used, "%s%d", used ? "," : "", ippc_result_engine_id(r, i));
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Wait for r (up to o->timeout) and take its value.
 *
 * A new client may lose the first IOPub messages of its calls: PUB/SUB drops what is
 * published before the subscription reaches the controller, and libippc waiting
 * forever for an output's end (status idle) would then never return. So the replies
 * are waited for in steps (a step ends early once the output is complete too), and
 * once they are in, the output gets OUTPUT_GRACE more seconds at most. */
static int wait_for(const cli_ops_t *o, double deadline, ippc_result_t *r, ippc_value_t **value)
{
    ippc_error_t *err = NULL;
    for (;;) {
        double step = WAIT_STEP;
        if (o->timeout >= 0 && deadline - now() < step)
            step = deadline > now() ? deadline - now() : 0;
        if (ippc_result_get(r, step, value, &err) == 0)
            break;
        if (ippc_error_code(err) != IPPC_E_TIMEOUT)
            return cli_ops_fail(o, &err);
        ippc_error_destroy(&err);
        if (o->timeout >= 0 && now() >= deadline) {
            cli_show_streams(r); /* what arrived before the time ran out */
            char ids[256], cmd[1024];
            pending(r, ids, sizeof(ids));
            suggest(o, "signal", cmd, sizeof(cmd));
            return cli_error("timed out after %g s waiting for engine%s %s (Result not ready.); they go on "
                             "running: interrupt them with: %s --targets %s INT, or give a longer --timeout",
                             o->timeout, strchr(ids, ',') ? "s" : "", ids, cmd, ids);
        }
    }
    ippc_result_wait(r, OUTPUT_GRACE); /* returns at once when the output is complete */
    return 0;
}

/* A new client's IOPub subscription takes effect a moment after it connected, and what
 * the engines publish before is lost: the output of the first call, or the end of it
 * that libippc waits for. So a silent print runs on one engine of the view until its
 * output arrives (almost always the first time); then the real call loses nothing.
 * Each probe is waited for before the next, so a busy engine gets no pile of them. */
static void await_iopub(const cli_ops_t *o, double deadline, ippc_view_t *v)
{
    const int *ids;
    size_t n = 0;
    if (ippc_view_get_targets(v, &ids, &n) != 0 || n == 0)
        return;
    char target[24];
    snprintf(target, sizeof(target), "%d", ids[0]);
    ippc_opts_t opts = {.targets = target, .return_exceptions = true};
    bool seen = false;
    for (int i = 0; i < IOPUB_PROBES && !seen; i++) {
        ippc_result_t *r = ippc_view_execute(v, "print(end='.')", &opts, NULL);
        while (r && !ippc_result_wait(r, WAIT_STEP) && (o->timeout < 0 || now() < deadline))
            ;
        const char *out = r ? ippc_result_stdout(r, 0) : NULL;
        seen = !r || (out && *out) || (o->timeout >= 0 && now() >= deadline);
        ippc_result_destroy(&r);
    }
}

int cli_ops_status(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++)
        if (ippc_result_error(r, i))
            return CLI_FAILED;
    return CLI_OK;
}

int cli_ops_run(const cli_ops_t *o, cli_ops_start_fn start, cli_ops_show_fn show, void *data)
{
    double deadline = o->timeout >= 0 ? now() + o->timeout : 0;
    ippc_client_t *c;
    ippc_view_t *v;
    int rc = cli_ops_open(o, &c, &v);
    if (rc != 0)
        return rc;
    await_iopub(o, deadline, v);
    ippc_opts_t opts = {.return_exceptions = true};
    ippc_error_t *err = NULL;
    ippc_value_t *value = NULL;
    ippc_result_t *r = start(v, &opts, data, &err);
    if (!r) {
        rc = cli_ops_fail(o, &err);
    } else if ((rc = wait_for(o, deadline, r, &value)) == 0) {
        if (show) {
            rc = show(o, r, value, data);
        } else {
            cli_show_errors(r, "apply", cli_ops_single_target(o->targets));
            rc = cli_ops_status(r);
        }
    }
    ippc_value_destroy(&value);
    ippc_result_destroy(&r);
    ippc_view_destroy(&v);
    ippc_client_destroy(&c);
    return rc;
}

int cli_ops_fail(const cli_ops_t *o, ippc_error_t **err)
{
    if (!err || !*err)
        return cli_error("failed (no error recorded)");
    if (ippc_error_count(*err) > 0) {
        cli_show_error(*err, cli_ops_single_target(o->targets));
        ippc_error_destroy(err);
        return CLI_FAILED;
    }
    const char *msg = ippc_error_message(*err);
    switch (ippc_error_code(*err)) {
    case IPPC_E_ENGINE:
        cli_error("%s; see the engines with: ippctl status", msg);
        break;
    default:
        cli_error("%s", msg);
        break;
    }
    ippc_error_destroy(err);
    return CLI_FAILED;
}

ippc_value_t *cli_ops_literal(const char *what, const char *text)
{
    ippc_error_t *err = NULL;
    ippc_value_t *v = ippc_value_parse(text, &err);
    if (!v) {
        cli_usage("bad value for %s, \"%s\": %s (a Python literal is wanted: 1, 'text', [1, 2], "
                  "{'k': 1}, range(10)...; quote it for the shell)",
                  what, text, ippc_error_message(err));
        ippc_error_destroy(&err);
    }
    return v;
}
