/* options_profile.c - the controller's options from an ippc profile (see options.h).
 *
 * The profile is read with the launcher library's reader (launcher/profile.h), so its
 * schema, lookup and file:line:column errors are the ones ippctl gives. Only keys the
 * profile (or what it inherits) sets are applied, and only to options the command line
 * and the environment left alone. */
#include "config.h"

#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "profile.h"

#define F(field) offsetof(ippc_options_t, field)
/* The largest heartbeat period and miss count the command line takes (a day in ms). */
#define MAX_INT_SETTING 86400000LL

/* Whether the profile sets key (its value does not come from the built-in default). */
static bool sets(const ippc_profile_t *p, const char *key)
{
    const char *origin = ippc_profile_origin(p, key);
    return origin && strcmp(origin, "default") != 0;
}

/* Whether to apply key to the option at offset. */
static bool applies(const ippc_options_t *o, const ippc_profile_t *p, const char *key, size_t offset)
{
    return sets(p, key) && !ippc_options_given(o, offset);
}

static int set_str(char **field, const char *value, ippc_error_t **err)
{
    char *copy = strdup(value);
    if (!copy)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(*field);
    *field = copy;
    return 0;
}

static int set_int(int *field, const ippc_profile_t *p, const char *key, long long v, ippc_error_t **err)
{
    if (v < 1 || v > MAX_INT_SETTING)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: '%s' must be 1..%lld for ippc-controller, not %lld",
                              ippc_profile_origin(p, key), key, MAX_INT_SETTING, v);
    *field = (int)v;
    return 0;
}

/* The IPv4 address of a network interface, as text. */
static int interface_address(const ippc_profile_t *p, const char *ifname, char out[INET_ADDRSTRLEN],
                             ippc_error_t **err)
{
    struct ifaddrs *all = NULL;
    if (getifaddrs(&all) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "getifaddrs");
    bool found = false;
    for (struct ifaddrs *a = all; a && !found; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && strcmp(a->ifa_name, ifname) == 0)
            found = inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, out, INET_ADDRSTRLEN) != NULL;
    freeifaddrs(all);
    if (!found)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: 'controller.interface': this host has no network interface "
                              "'%s' with an IPv4 address (see `ip -4 addr`)",
                              ippc_profile_origin(p, "controller.interface"), ifname);
    return 0;
}

static int apply_address(ippc_options_t *o, const ippc_profile_t *p, ippc_error_t **err)
{
    const ippc_profile_controller_t *c = &p->controller;
    if (ippc_options_given(o, F(ip)))
        return 0;
    if (c->interface && sets(p, "controller.interface")) {
        char addr[INET_ADDRSTRLEN];
        if (interface_address(p, c->interface, addr, err) < 0)
            return -1;
        return set_str(&o->ip, addr, err);
    }
    if (c->ip && sets(p, "controller.ip"))
        return set_str(&o->ip, c->ip, err);
    return 0;
}

static int apply_ports(ippc_options_t *o, const ippc_profile_t *p, ippc_error_t **err)
{
    const ippc_profile_ports_t *ports = &p->controller.ports;
    if (!applies(o, p, "controller.ports", F(ports)) || ports->n == 0)
        return 0;
    if (ports->n > IPPC_OPT_MAX_PORT_RANGES)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: 'controller.ports': more than %d ranges",
                              ippc_profile_origin(p, "controller.ports"), IPPC_OPT_MAX_PORT_RANGES);
    char *spec = ippc_profile_ports_format(ports);
    if (!spec)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < ports->n; i++)
        o->ports[i] = (ippc_port_range_t){ports->items[i].lo, ports->items[i].hi};
    o->nports = ports->n;
    free(o->ports_spec);
    o->ports_spec = spec;
    return 0;
}

static int apply(ippc_options_t *o, const ippc_profile_t *p, ippc_error_t **err)
{
    const ippc_profile_controller_t *c = &p->controller;
    if (apply_address(o, p, err) < 0 || apply_ports(o, p, err) < 0)
        return -1;
    if (applies(o, p, "controller.location", F(location)) && c->location && set_str(&o->location, c->location, err) < 0)
        return -1;
    if (applies(o, p, "cluster.cluster_id", F(cluster_id)) && p->cluster.cluster_id &&
        set_str(&o->cluster_id, p->cluster.cluster_id, err) < 0)
        return -1;
    if (applies(o, p, "controller.heartbeat.period_ms", F(ping_ms)) &&
        set_int(&o->ping_ms, p, "controller.heartbeat.period_ms", c->heartbeat.period_ms, err) < 0)
        return -1;
    if (applies(o, p, "controller.heartbeat.misses", F(hb_misses)) &&
        set_int(&o->hb_misses, p, "controller.heartbeat.misses", c->heartbeat.misses, err) < 0)
        return -1;
    if (applies(o, p, "controller.records.max_count", F(records_max)))
        o->records_max = (size_t)c->records.max_count;
    if (applies(o, p, "controller.records.max_bytes", F(records_max_bytes)))
        o->records_max_bytes = (size_t)c->records.max_bytes;
    if (applies(o, p, "controller.log_level", F(log_level)))
        o->log_level = c->log_level;
    return 0;
}

/* <profile dir>/ippc.yaml when it exists, else NULL (malloc'd). */
static char *default_profile_file(const ippc_options_t *o)
{
    char *dir = o->profile_dir ? strdup(o->profile_dir) : ippc_profile_dir(o->profile);
    char *path = dir ? ippc_strdup_printf("%s/ippc.yaml", dir) : NULL;
    free(dir);
    if (path && access(path, F_OK) != 0) {
        free(path);
        path = NULL;
    }
    return path;
}

int ippc_options_apply_profile(ippc_options_t *o, ippc_error_t **err)
{
    /* The profile lookup reads $IPYTHONDIR: --ipython-dir must count already. */
    if (o->ipython_dir && setenv("IPYTHONDIR", o->ipython_dir, 1) < 0)
        return ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "setenv");
    char *implicit = o->profile_file ? NULL : default_profile_file(o);
    const char *which = o->profile_file ? o->profile_file : implicit;
    if (!which)
        return 0;
    ippc_profile_t *p = ippc_profile_load(which, err);
    free(implicit);
    if (!p)
        return -1;
    int rc = apply(o, p, err);
    if (rc == 0 && p->files.n && !(o->profile_read = strdup(p->files.items[p->files.n - 1])))
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    ippc_profile_destroy(&p);
    return rc;
}
