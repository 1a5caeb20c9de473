/* options.h - the command line of ippc-controller.
 *
 * It accepts what the stock launchers and test suite pass to ipcontroller (--profile=,
 * --profile-dir=, --cluster-id=, --ip=, --location=, --ping=, --log-level=, --dictdb,
 * --nodb, --reuse, and `--Class.trait=value` settings, which are warned about), in both
 * the `--name=value` and the `--name value` forms, plus our own options. An ippc profile
 * (ippc-profile(5)) can set the controller's options too: see
 * ippc_options_apply_profile. */
#ifndef IPPC_OPTIONS_H
#define IPPC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "ippc.h"

#define IPPC_OPT_MAX_PORT_RANGES 64
/* Distinct option fields the command line can set (for `given`). */
#define IPPC_OPT_MAX_GIVEN 32

typedef struct {
    int lo, hi;
} ippc_port_range_t;

typedef struct {
    char *profile;         /* profile name ("default") */
    char *profile_dir;     /* explicit --profile-dir / $IPP_PROFILE_DIR, else NULL */
    char *ipython_dir;     /* --ipython-dir, else NULL */
    char *cluster_id;      /* "" when none */
    char *ip;              /* address to bind: 127.0.0.1 (default), *, 0.0.0.0, a host address */
    char *location;        /* what peers use when ip is a wildcard; NULL: the host name */
    char *ssh;             /* written into the client file */
    char *enginessh;       /* written into the engine file */
    int ping_ms;           /* heartbeat period (HeartMonitor.period) */
    int hb_misses;         /* consecutive missed beats allowed (max_heartmonitor_misses) */
    int log_level;
    bool nodb;             /* keep no task records */
    bool reuse;            /* reuse existing connection files (key and ports) */
    int regport;           /* --port: the registration port, 0 = any */
    ippc_port_range_t ports[IPPC_OPT_MAX_PORT_RANGES]; /* --ports: the pool to bind from */
    size_t nports;
    char *ports_spec;      /* as given, for messages */
    size_t records_max;    /* task records kept (count) */
    size_t records_max_bytes;
    char *profile_file;    /* --profile-file: an ippc profile (path or name), else NULL */
    char *profile_read;    /* the profile file whose settings were applied, else NULL */
    /* Which fields the command line or the environment set (their offsetof), so that a
     * profile does not override them. */
    size_t given[IPPC_OPT_MAX_GIVEN];
    size_t ngiven;
} ippc_options_t;

typedef enum {
    IPPC_OPTIONS_RUN,   /* parsed: start the controller */
    IPPC_OPTIONS_EXIT,  /* --help / --version printed: exit 0 */
    IPPC_OPTIONS_USAGE  /* bad command line (message in err): exit 2 */
} ippc_options_result_t;

void ippc_options_init(ippc_options_t *o);
void ippc_options_free(ippc_options_t *o);
ippc_options_result_t ippc_options_parse(ippc_options_t *o, int argc, char **argv, ippc_error_t **err);
/* Whether the command line or the environment set the field at this offsetof. */
bool ippc_options_given(const ippc_options_t *o, size_t offset);
/* Apply an ippc profile under the command line: the file --profile-file names (a path
 * or a profile name, resolved as ippc-profile(5) says), else <profile dir>/ippc.yaml
 * when it exists. Its controller section (and cluster.cluster_id) set the options the
 * command line left alone; o->profile_read names the file. Returns 0, or -1 with the
 * problem in err ("<file>:<line>:<col>: ..." for a bad value): a usage error. */
int ippc_options_apply_profile(ippc_options_t *o, ippc_error_t **err);
/* Parse a --ports value: "50000-50100", "50001,50002,50010-50020". Returns 0 / -1. */
int ippc_options_parse_ports(const char *spec, ippc_port_range_t *ranges, size_t max, size_t *n,
                             ippc_error_t **err);

#endif
