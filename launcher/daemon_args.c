/* daemon_args.c - see daemon_args.h. The controller takes its settings as options
 * (ippc-controller(1)), the engines as options and environment (ippc-engine(1)). */
#include "config.h"

#include "daemon_args.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_int.h"
#include "strbuf.h"

/* Seconds an engine waits for the connection file and its registration reply: the
 * local launcher starts engines while the controller is still starting. */
#define ENGINE_MIN_TIMEOUT 60.0

void ippc_argv_add(ippc_argv_t *a, const char *s)
{
    if (a->failed)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->failed = true;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    char *copy = s ? strdup(s) : NULL;
    if (!copy) {
        a->failed = true;
        return;
    }
    a->v[a->n++] = copy;
    a->v[a->n] = NULL;
}

void ippc_argv_addf(ippc_argv_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s)
        a->failed = true;
    else
        ippc_argv_add(a, s);
    free(s);
}

void ippc_argv_free(ippc_argv_t *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

char *ippc_argv_join(const ippc_argv_t *a)
{
    strbuf_t sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < a->n; i++) {
        const char *s = a->v[i];
        if (i)
            strbuf_putc(&sb, ' ');
        if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@+%") == strlen(s)) {
            strbuf_puts(&sb, s);
            continue;
        }
        strbuf_putc(&sb, '\'');
        for (; *s; s++) {
            if (*s == '\'')
                strbuf_puts(&sb, "'\\''");
            else
                strbuf_putc(&sb, *s);
        }
        strbuf_putc(&sb, '\'');
    }
    return strbuf_release(&sb);
}

char *ippc_interface_address(const char *ifname, ippc_error_t **err)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0) {
        ippc_error_set_errno(err, IPPC_E_SYSTEM, errno, "controller.interface: cannot list network interfaces");
        return NULL;
    }
    char *found = NULL;
    strbuf_t names;
    strbuf_init(&names);
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        if (!found && strcmp(i->ifa_name, ifname) == 0) {
            char buf[INET_ADDRSTRLEN];
            const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;
            if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf))
                found = strdup(buf);
        }
        strbuf_printf(&names, "%s%s", names.len ? ", " : "", i->ifa_name);
    }
    freeifaddrs(ifs);
    char *list = strbuf_release(&names);
    if (!found)
        ippc_error_set(err, IPPC_E_NOTFOUND, "controller.interface: no network interface '%s' with an IPv4 address "
                       "(this host has: %s)", ifname, list && *list ? list : "none");
    free(list);
    return found;
}

int ippc_controller_args(const ippc_profile_t *p, const char *exe, const char *profile_dir, const char *cluster_id,
                         const char *default_ip, ippc_argv_t *out, ippc_error_t **err)
{
    const ippc_profile_controller_t *c = &p->controller;
    char *ip = NULL;
    if (c->interface && !(ip = ippc_interface_address(c->interface, err)))
        return -1;
    ippc_argv_add(out, exe);
    ippc_argv_addf(out, "--profile-dir=%s", profile_dir);
    if (cluster_id && *cluster_id)
        ippc_argv_addf(out, "--cluster-id=%s", cluster_id);
    const char *bind = ip ? ip : c->ip ? c->ip : default_ip;
    if (bind)
        ippc_argv_addf(out, "--ip=%s", bind);
    if (c->location)
        ippc_argv_addf(out, "--location=%s", c->location);
    if (c->ports.n) {
        char *ports = ippc_profile_ports_format(&c->ports);
        if (ports)
            ippc_argv_addf(out, "--ports=%s", ports);
        else
            out->failed = true;
        free(ports);
    }
    ippc_argv_addf(out, "--ping=%lld", c->heartbeat.period_ms);
    ippc_argv_addf(out, "--hb-misses=%lld", c->heartbeat.misses);
    ippc_argv_addf(out, "--records-max=%lld", c->records.max_count);
    ippc_argv_addf(out, "--records-max-bytes=%lld", c->records.max_bytes);
    ippc_argv_addf(out, "--log-level=%d", c->log_level);
    free(ip);
    return out->failed ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : 0;
}

int ippc_engine_args(const ippc_profile_t *p, const char *exe, const char *profile_dir, const char *cluster_id,
                     double timeout, ippc_argv_t *out, ippc_error_t **err)
{
    const ippc_profile_engines_t *e = &p->engines;
    ippc_argv_add(out, exe);
    ippc_argv_addf(out, "--profile-dir=%s", profile_dir);
    if (cluster_id && *cluster_id)
        ippc_argv_addf(out, "--cluster-id=%s", cluster_id);
    ippc_argv_addf(out, "--shell=%s", ippc_profile_shell_name(e->shell));
    ippc_argv_addf(out, "--timeout=%g", timeout > ENGINE_MIN_TIMEOUT ? timeout : ENGINE_MIN_TIMEOUT);
    if (e->workdir)
        ippc_argv_addf(out, "--work-dir=%s", e->workdir);
    if (e->startup)
        ippc_argv_addf(out, "--startup-command=%s", e->startup);
    if (e->startup_file)
        ippc_argv_addf(out, "--startup-script=%s", e->startup_file);
    return out->failed ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : 0;
}

/* engines.python_path, absolute and checked, joined with ':' into sb. */
static int python_path(const ippc_profile_t *p, strbuf_t *sb, ippc_error_t **err)
{
    const ippc_profile_strlist_t *dirs = &p->engines.python_path;
    char *cwd = getcwd(NULL, 0);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < dirs->n; i++) {
        const char *dir = dirs->items[i];
        char *abs = dir[0] == '/' || !cwd ? strdup(dir) : ippc_strdup_printf("%s/%s", cwd, dir);
        struct stat st;
        if (!abs) {
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        } else if (stat(abs, &st) != 0) {
            const char *origin = ippc_profile_origin(p, "engines.python_path");
            rc = ippc_error_set_errno(err, IPPC_E_NOTFOUND, errno, "%s: engines.python_path: %s",
                                      origin ? origin : "profile", abs);
        } else {
            strbuf_printf(sb, "%s%s", i ? ":" : "", abs);
        }
        free(abs);
    }
    free(cwd);
    return rc;
}

int ippc_engine_env(const ippc_profile_t *p, ippc_argv_t *out, ippc_error_t **err)
{
    const ippc_profile_env_t *env = &p->engines.env;
    bool prepend = p->engines.python_path.n > 0;
    const char *rest = getenv("PYTHONPATH"); /* what python_path goes in front of */
    for (size_t i = 0; i < env->n; i++) {
        if (prepend && strcmp(env->items[i].name, "PYTHONPATH") == 0)
            rest = env->items[i].value;
        else
            ippc_argv_addf(out, "%s=%s", env->items[i].name, env->items[i].value);
    }
    if (prepend) {
        strbuf_t sb;
        strbuf_init(&sb);
        if (python_path(p, &sb, err) != 0) {
            strbuf_free(&sb);
            return -1;
        }
        if (rest && *rest)
            strbuf_printf(&sb, ":%s", rest);
        char *joined = strbuf_release(&sb);
        if (joined)
            ippc_argv_addf(out, "PYTHONPATH=%s", joined);
        else
            out->failed = true;
        free(joined);
    }
    return out->failed ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : 0;
}
