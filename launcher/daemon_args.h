/* daemon_args.h - what a profile says, as the command lines and environments of
 * ippc-controller(1) and ippc-engine(1). Shared by every launcher back end: only how
 * the processes are started differs between them. Internal to the launcher library. */
#ifndef IPPC_DAEMON_ARGS_H
#define IPPC_DAEMON_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "ippc.h"
#include "profile.h"

/* A growing NULL-terminated list of malloc'd strings (an argv or envp). */
typedef struct {
    char **v;
    size_t n, cap;
    bool failed; /* an allocation failed: check once at the end */
} ippc_argv_t;

void ippc_argv_add(ippc_argv_t *a, const char *s);
void ippc_argv_addf(ippc_argv_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ippc_argv_free(ippc_argv_t *a);
/* The list as one line, each item quoted for a shell when it needs it (for logs and
 * --json). malloc'd. */
char *ippc_argv_join(const ippc_argv_t *a);

/* The address controller.interface stands for (its first IPv4 address). IPPC_E_NOTFOUND
 * names the interfaces there are. malloc'd. */
char *ippc_interface_address(const char *ifname, ippc_error_t **err);

/* The controller's command line: exe, profile dir and cluster id, then the profile's
 * controller section (ip, or the address of interface, else default_ip; location,
 * ports, heartbeat, records, log level). */
int ippc_controller_args(const ippc_profile_t *p, const char *exe, const char *profile_dir, const char *cluster_id,
                         const char *default_ip, ippc_argv_t *out, ippc_error_t **err);

/* The engines' command line: exe, profile dir, cluster id, shell, work dir, startup
 * code or file, and how long to wait for the controller. */
int ippc_engine_args(const ippc_profile_t *p, const char *exe, const char *profile_dir, const char *cluster_id,
                     double timeout, ippc_argv_t *out, ippc_error_t **err);

/* The variables set for the engines: engines.env, and PYTHONPATH with
 * engines.python_path first (made absolute; each must exist, else IPPC_E_NOTFOUND naming
 * the key's origin). */
int ippc_engine_env(const ippc_profile_t *p, ippc_argv_t *out, ippc_error_t **err);

#endif
