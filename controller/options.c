/* options.c - parse the command line (see options.h). */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clog.h"
#include "error_int.h"

#define DEFAULT_PING_MS 3000
#define DEFAULT_HB_MISSES 10
/* The stock DictDB keeps 1024 records and 1 GiB of buffers; we count every byte of a
 * record (JSON parts, output text, result buffers), with the same numbers. */
#define DEFAULT_RECORDS_MAX 1024
#define DEFAULT_RECORDS_MAX_BYTES ((size_t)1 << 30)

typedef enum {
    K_STR,       /* char * field */
    K_INT,       /* int field, a positive number */
    K_SIZE,      /* size_t field, with optional k/M/G suffix */
    K_LOGLEVEL,
    K_PORTS,
    K_PORT,
    K_TRUE,      /* flag: bool field = true */
    K_FALSE,     /* flag: bool field = false */
    K_HELP,
    K_VERSION,
    K_WARN_FLAG, /* a stock flag that does nothing here: warn */
    K_WARN_VALUE /* a stock option with a value that does nothing here: warn */
} kind_t;

typedef struct {
    const char *name;
    kind_t kind;
    size_t offset;
    const char *help; /* NULL: not listed in --help (stock names and aliases) */
} opt_t;

#define F(field) offsetof(ippc_options_t, field)

static const opt_t opts[] = {
    {"profile", K_STR, F(profile), "NAME      profile name (default: default); files go to $IPYTHONDIR/profile_NAME"},
    {"profile-dir", K_STR, F(profile_dir), "DIR   profile directory (overrides --profile; default $IPP_PROFILE_DIR)"},
    {"ipython-dir", K_STR, F(ipython_dir), "DIR   IPython directory (default $IPYTHONDIR or ~/.ipython)"},
    {"cluster-id", K_STR, F(cluster_id), "ID     cluster id: files are ipcontroller-ID-{client,engine}.json (default $IPP_CLUSTER_ID)"},
    {"ip", K_STR, F(ip), "ADDR           address to bind (default 127.0.0.1; * or 0.0.0.0 for all interfaces)"},
    {"location", K_STR, F(location), "HOST     address peers use when --ip is a wildcard (default: host name)"},
    {"ssh", K_STR, F(ssh), "HOST          ssh server written into the client connection file"},
    {"enginessh", K_STR, F(enginessh), "HOST    ssh server written into the engine connection file"},
    {"ping", K_INT, F(ping_ms), "MS           heartbeat period in milliseconds (default 3000)"},
    {"hb-misses", K_INT, F(hb_misses), "N       missed heartbeats allowed before an engine is dropped (default 10)"},
    {"log-level", K_LOGLEVEL, F(log_level), "L   10/20/30/40/50 or DEBUG/INFO/WARNING/ERROR/CRITICAL (default INFO)"},
    {"ports", K_PORTS, F(ports), "LIST         ports to bind, e.g. 50000-50100 or 50001,50002,50010-50030"},
    {"port", K_PORT, F(regport), "PORT         the registration port"},
    {"records-max", K_SIZE, F(records_max), "N     task records kept in memory (default 1024)"},
    {"records-max-bytes", K_SIZE, F(records_max_bytes), "N  bytes of task records kept (default 1G; k/M/G suffixes)"},
    {"profile-file", K_STR, F(profile_file), "FILE  settings from an ippc profile (a path or a name; default <profile dir>/ippc.yaml)"},
    {"dictdb", K_FALSE, F(nodb), "             keep task records in memory (the default)"},
    {"nodb", K_TRUE, F(nodb), "               keep no task records (result_request, history and db queries fail)"},
    {"reuse", K_TRUE, F(reuse), "              reuse existing connection files (their key and ports)"},
    {"help", K_HELP, 0, "               print this help"},
    {"version", K_VERSION, 0, "            print the version"},
    /* stock names for the same settings */
    {"HeartMonitor.period", K_INT, F(ping_ms), NULL},
    {"HeartMonitor.max_heartmonitor_misses", K_INT, F(hb_misses), NULL},
    {"DictDB.record_limit", K_SIZE, F(records_max), NULL},
    {"DictDB.size_limit", K_SIZE, F(records_max_bytes), NULL},
    {"IPController.ip", K_STR, F(ip), NULL},
    {"IPController.location", K_STR, F(location), NULL},
    {"IPController.reuse_files", K_TRUE, F(reuse), NULL},
    {"BaseParallelApplication.cluster_id", K_STR, F(cluster_id), NULL},
    {"BaseIPythonApplication.profile", K_STR, F(profile), NULL},
    {"ProfileDir.location", K_STR, F(profile_dir), NULL},
    {"Application.log_level", K_LOGLEVEL, F(log_level), NULL},
    /* stock options that have no meaning here */
    {"usethreads", K_WARN_FLAG, 0, NULL},
    {"sqlitedb", K_WARN_FLAG, 0, NULL},
    {"mongodb", K_WARN_FLAG, 0, NULL},
    {"restore", K_WARN_FLAG, 0, NULL},
    {"log-to-file", K_WARN_FLAG, 0, NULL},
    {"clean-logs", K_WARN_VALUE, 0, NULL},
    {"log-url", K_WARN_VALUE, 0, NULL},
    {"work-dir", K_WARN_VALUE, 0, NULL},
    {"scheme", K_WARN_VALUE, 0, NULL},
    {"hwm", K_WARN_VALUE, 0, NULL},
    {"transport", K_WARN_VALUE, 0, NULL},
};

static bool takes_value(kind_t k)
{
    return k == K_STR || k == K_INT || k == K_SIZE || k == K_LOGLEVEL || k == K_PORTS ||
           k == K_PORT || k == K_WARN_VALUE;
}

void ippc_options_init(ippc_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->ping_ms = DEFAULT_PING_MS;
    o->hb_misses = DEFAULT_HB_MISSES;
    o->log_level = CLOG_INFO;
    o->records_max = DEFAULT_RECORDS_MAX;
    o->records_max_bytes = DEFAULT_RECORDS_MAX_BYTES;
}

void ippc_options_free(ippc_options_t *o)
{
    free(o->profile);
    free(o->profile_dir);
    free(o->ipython_dir);
    free(o->cluster_id);
    free(o->ip);
    free(o->location);
    free(o->ssh);
    free(o->enginessh);
    free(o->ports_spec);
    free(o->profile_file);
    free(o->profile_read);
    memset(o, 0, sizeof(*o));
}

bool ippc_options_given(const ippc_options_t *o, size_t offset)
{
    for (size_t i = 0; i < o->ngiven; i++)
        if (o->given[i] == offset)
            return true;
    return false;
}

static void mark_given(ippc_options_t *o, size_t offset)
{
    if (!ippc_options_given(o, offset) && o->ngiven < IPPC_OPT_MAX_GIVEN)
        o->given[o->ngiven++] = offset;
}

static void print_help(void)
{
    printf("Usage: ippc-controller [OPTIONS]\n\n"
           "The IPython Parallel controller: engines register with it, clients reach the engines\n"
           "through it. It writes ipcontroller[-ID]-client.json and -engine.json into\n"
           "<profile_dir>/security and removes them when it stops (SIGTERM, SIGINT or a client's\n"
           "shutdown request). Options take --name=VALUE or --name VALUE.\n\nOptions:\n");
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (!opts[i].help)
            continue;
        /* help is "METAVAR  text" (or "  text" for a flag) */
        const char *h = opts[i].help, *gap = strstr(h, "  ");
        int mlen = gap ? (int)(gap - h) : 0;
        const char *text = gap ? gap : h;
        while (*text == ' ')
            text++;
        char head[64];
        snprintf(head, sizeof(head), "--%s%s%.*s", opts[i].name, mlen ? "=" : "", mlen, h);
        printf("  %-26s %s\n", head, text);
    }
    printf("\nStock ipcontroller settings --Class.trait=VALUE are accepted; those it does not\n"
           "know are ignored with a warning. See ippc-controller(1).\n");
}

static int parse_long(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || text[0] == '-')
        return -1;
    unsigned long long mult = 1;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mult = 1ULL << 10; break;
        case 'm': case 'M': mult = 1ULL << 20; break;
        case 'g': case 'G': mult = 1ULL << 30; break;
        default: return -1;
        }
        if (end[1] && !(end[1] == 'B' && !end[2]) && !((end[1] == 'i' || end[1] == 'I') && end[2] == 'B' && !end[3]))
            return -1;
    }
    if (v > (unsigned long long)SIZE_MAX / mult)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

int ippc_options_parse_ports(const char *spec, ippc_port_range_t *ranges, size_t max, size_t *n,
                             ippc_error_t **err)
{
    *n = 0;
    const char *p = spec;
    if (!*p)
        return ippc_error_set(err, IPPC_E_INVALID, "--ports: empty list");
    while (*p) {
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end == p)
            return ippc_error_set(err, IPPC_E_INVALID, "--ports=%s: expected a port number at '%s'", spec, p);
        p = end;
        if (*p == '-') {
            hi = strtol(++p, &end, 10);
            if (end == p)
                return ippc_error_set(err, IPPC_E_INVALID, "--ports=%s: expected a port number after '-'", spec);
            p = end;
        }
        if (lo < 1 || hi > 65535 || lo > hi)
            return ippc_error_set(err, IPPC_E_INVALID, "--ports=%s: %ld-%ld is not a range within 1-65535",
                                  spec, lo, hi);
        if (*n == max)
            return ippc_error_set(err, IPPC_E_INVALID, "--ports=%s: more than %zu ranges", spec, max);
        ranges[*n].lo = (int)lo;
        ranges[(*n)++].hi = (int)hi;
        if (*p == ',')
            p++;
        else if (*p)
            return ippc_error_set(err, IPPC_E_INVALID, "--ports=%s: unexpected '%c'", spec, *p);
    }
    return 0;
}

static int set_value(ippc_options_t *o, const opt_t *opt, const char *value, ippc_error_t **err)
{
    char *base = (char *)o;
    long l;
    if (opt->kind != K_WARN_VALUE)
        mark_given(o, opt->offset);
    switch (opt->kind) {
    case K_STR: {
        char **field = (char **)(base + opt->offset);
        char *copy = strdup(value);
        if (!copy)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        free(*field);
        *field = copy;
        return 0;
    }
    case K_INT:
        /* a day of milliseconds is far beyond any sensible heartbeat */
        if (parse_long(value, 1, 86400000L, &l) < 0)
            return ippc_error_set(err, IPPC_E_INVALID, "--%s=%s: expected a positive integer", opt->name, value);
        *(int *)(base + opt->offset) = (int)l;
        return 0;
    case K_PORT:
        if (parse_long(value, 1, 65535, &l) < 0)
            return ippc_error_set(err, IPPC_E_INVALID, "--%s=%s: expected a port number 1-65535", opt->name, value);
        *(int *)(base + opt->offset) = (int)l;
        return 0;
    case K_SIZE:
        if (parse_size(value, (size_t *)(base + opt->offset)) < 0)
            return ippc_error_set(err, IPPC_E_INVALID, "--%s=%s: expected a number (k/M/G suffixes allowed)",
                                  opt->name, value);
        return 0;
    case K_LOGLEVEL:
        if (ippc_log_parse_level(value, (int *)(base + opt->offset)) < 0)
            return ippc_error_set(err, IPPC_E_INVALID,
                                  "--%s=%s: expected 10/20/30/40/50 or DEBUG/INFO/WARNING/ERROR/CRITICAL",
                                  opt->name, value);
        return 0;
    case K_PORTS:
        if (ippc_options_parse_ports(value, o->ports, IPPC_OPT_MAX_PORT_RANGES, &o->nports, err) < 0)
            return -1;
        free(o->ports_spec);
        o->ports_spec = strdup(value);
        return o->ports_spec ? 0 : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    case K_WARN_VALUE:
        if (strcmp(opt->name, "transport") == 0 && strcmp(value, "tcp") != 0)
            return ippc_error_set(err, IPPC_E_INVALID, "--transport=%s: only tcp is supported", value);
        CLOG_W("--%s=%s has no effect in ippc-controller; ignored", opt->name, value);
        return 0;
    default:
        return 0;
    }
}

static const opt_t *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

static int take_env(ippc_options_t *o, size_t offset, const char *var)
{
    char **field = (char **)((char *)o + offset);
    const char *v = getenv(var);
    if (*field || !v || !*v)
        return 0;
    mark_given(o, offset);
    *field = strdup(v);
    return *field ? 0 : -1;
}

ippc_options_result_t ippc_options_parse(ippc_options_t *o, int argc, char **argv, ippc_error_t **err)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
            ippc_error_set(err, IPPC_E_INVALID, "unexpected argument '%s' (options start with --)", arg);
            return IPPC_OPTIONS_USAGE;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        const opt_t *opt = find_opt(name, nlen);
        if (!opt) {
            /* `--Class.trait=value` is a traitlets setting from a stock configuration:
             * accept it so launchers that pass them still work, and say it is ignored. */
            const char *dot = memchr(name, '.', nlen);
            if (!dot || dot == name || dot == name + nlen - 1) {
                ippc_error_set(err, IPPC_E_INVALID, "unknown option '--%.*s' (see --help)", (int)nlen, name);
                return IPPC_OPTIONS_USAGE;
            }
            if (!value && i + 1 < argc && argv[i + 1][0] != '-')
                value = argv[++i];
            CLOG_W("--%.*s%s%s is not a setting ippc-controller knows; ignored", (int)nlen, name,
                   value ? "=" : "", value ? value : "");
            continue;
        }
        if (takes_value(opt->kind)) {
            if (!value) {
                if (i + 1 >= argc) {
                    ippc_error_set(err, IPPC_E_INVALID, "--%s needs a value", opt->name);
                    return IPPC_OPTIONS_USAGE;
                }
                value = argv[++i];
            }
            if (set_value(o, opt, value, err) < 0)
                return IPPC_OPTIONS_USAGE;
            continue;
        }
        if (value && opt->kind != K_TRUE && opt->kind != K_FALSE) {
            ippc_error_set(err, IPPC_E_INVALID, "--%s takes no value", opt->name);
            return IPPC_OPTIONS_USAGE;
        }
        bool on = true;
        if (value) {
            /* --IPController.reuse_files=False and friends */
            if (strcmp(value, "True") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
                on = true;
            else if (strcmp(value, "False") == 0 || strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
                on = false;
            else {
                ippc_error_set(err, IPPC_E_INVALID, "--%s=%s: expected True or False", opt->name, value);
                return IPPC_OPTIONS_USAGE;
            }
        }
        switch (opt->kind) {
        case K_TRUE:
            *(bool *)((char *)o + opt->offset) = on;
            mark_given(o, opt->offset);
            break;
        case K_FALSE:
            *(bool *)((char *)o + opt->offset) = !on;
            mark_given(o, opt->offset);
            break;
        case K_HELP:
            print_help();
            return IPPC_OPTIONS_EXIT;
        case K_VERSION:
            printf("ippc-controller %s\n", PACKAGE_VERSION);
            return IPPC_OPTIONS_EXIT;
        case K_WARN_FLAG:
            if (strcmp(opt->name, "sqlitedb") == 0 || strcmp(opt->name, "mongodb") == 0)
                CLOG_W("--%s: task records are kept in memory only (see --records-max)", opt->name);
            else
                CLOG_W("--%s has no effect in ippc-controller; ignored", opt->name);
            break;
        default:
            break;
        }
    }
    /* The 8.x launchers pass these in the environment. */
    if (take_env(o, F(profile_dir), "IPP_PROFILE_DIR") < 0 || take_env(o, F(cluster_id), "IPP_CLUSTER_ID") < 0) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return IPPC_OPTIONS_USAGE;
    }
    if (!o->profile && !(o->profile = strdup("default")))
        goto nomem;
    if (!o->cluster_id && !(o->cluster_id = strdup("")))
        goto nomem;
    if (!o->ip && !(o->ip = strdup("127.0.0.1")))
        goto nomem;
    if (strchr(o->cluster_id, '/')) {
        ippc_error_set(err, IPPC_E_INVALID, "--cluster-id=%s: must not contain '/'", o->cluster_id);
        return IPPC_OPTIONS_USAGE;
    }
    return IPPC_OPTIONS_RUN;
nomem:
    ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    return IPPC_OPTIONS_USAGE;
}
