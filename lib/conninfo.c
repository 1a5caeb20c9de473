/* conninfo.c - the connection files ipcontroller writes for clients and engines.
 *
 * Reading requires what the stock peers index without a default: the Client
 * (client/client.py) reads task_scheme, interface, key, pack, unpack, signature_scheme,
 * ssh and the seven ports; the engine (engine/app.py load_connector_file and
 * complete_registration) reads interface, location, key, signature_scheme, pack, unpack,
 * registration, control, mux, task, iopub, hb_ping, hb_pong and the broadcast list, while
 * ssh and curve_serverkey are optional there. Writing reproduces ipcontroller's keys,
 * types and order (controller/app.py init_hub), so that the stock peers accept our files. */
#include "config.h"

#include "conninfo.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error_int.h"
#include "jsonfile.h"

#define CLIENT 1u
#define ENGINE 2u
#define BOTH (CLIENT | ENGINE)

static unsigned side_bit(ippc_side_t side) { return side == IPPC_SIDE_ENGINE ? ENGINE : CLIENT; }

/* The string keys: on which sides they belong, where they are required, whether null is
 * a value (it is for location and curve_serverkey), and the default when absent. */
typedef struct {
    const char *key;
    size_t off;
    unsigned sides;
    unsigned required;
    bool nullable;
    const char *dflt;
} str_field_t;

#define STR_AT(ci, f) ((char **)((char *)(ci) + (f)->off))

static const str_field_t str_fields[] = {
    {"ssh", offsetof(ippc_conninfo_t, ssh), BOTH, CLIENT, false, ""},
    {"interface", offsetof(ippc_conninfo_t, interface), BOTH, BOTH, false, NULL},
    {"task_scheme", offsetof(ippc_conninfo_t, task_scheme), CLIENT, CLIENT, false, NULL},
    {"key", offsetof(ippc_conninfo_t, key), BOTH, BOTH, false, NULL},
    {"curve_serverkey", offsetof(ippc_conninfo_t, curve_serverkey), BOTH, 0, true, NULL},
    {"location", offsetof(ippc_conninfo_t, location), BOTH, ENGINE, true, NULL},
    {"pack", offsetof(ippc_conninfo_t, pack), BOTH, BOTH, false, NULL},
    {"unpack", offsetof(ippc_conninfo_t, unpack), BOTH, BOTH, false, NULL},
    {"signature_scheme", offsetof(ippc_conninfo_t, signature_scheme), BOTH, BOTH, false, NULL},
};

/* The single-port keys (all required on their side); broadcast is handled apart
 * because its type differs between the sides. */
typedef struct {
    const char *key;
    size_t off;
    unsigned sides;
} port_field_t;

#define PORT_AT(ci, f) ((int *)((char *)(ci) + (f)->off))

static const port_field_t port_fields[] = {
    {"registration", offsetof(ippc_conninfo_t, registration), BOTH},
    {"control", offsetof(ippc_conninfo_t, control), BOTH},
    {"mux", offsetof(ippc_conninfo_t, mux), BOTH},
    {"task", offsetof(ippc_conninfo_t, task), BOTH},
    {"iopub", offsetof(ippc_conninfo_t, iopub), BOTH},
    {"notification", offsetof(ippc_conninfo_t, notification), CLIENT},
    {"hb_ping", offsetof(ippc_conninfo_t, hb_ping), ENGINE},
    {"hb_pong", offsetof(ippc_conninfo_t, hb_pong), ENGINE},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --------------------------------------------------------------- lifetime */

void ippc_conninfo_destroy(ippc_conninfo_t **cip)
{
    if (!cip || !*cip)
        return;
    ippc_conninfo_t *ci = *cip;
    for (size_t i = 0; i < NELEM(str_fields); i++)
        free(*STR_AT(ci, &str_fields[i]));
    json_decref(ci->extra);
    free(ci);
    *cip = NULL;
}

/* socket.gethostname(), ipcontroller's default location. */
static char *host_name(void)
{
    char buf[HOST_NAME_MAX + 1];
    if (gethostname(buf, sizeof buf) != 0)
        return strdup("localhost");
    buf[sizeof buf - 1] = '\0';
    return strdup(buf);
}

ippc_conninfo_t *ippc_conninfo_new(ippc_side_t side)
{
    ippc_conninfo_t *ci = calloc(1, sizeof(*ci));
    if (!ci)
        return NULL;
    ci->side = side;
    ci->interface = strdup("tcp://127.0.0.1");
    ci->location = host_name();
    ci->key = strdup("");
    ci->signature_scheme = strdup("hmac-sha256");
    ci->ssh = strdup("");
    ci->pack = strdup("json");
    ci->unpack = strdup("json");
    bool ok = ci->interface && ci->location && ci->key && ci->signature_scheme && ci->ssh && ci->pack && ci->unpack;
    if (side == IPPC_SIDE_CLIENT)
        ok = ok && (ci->task_scheme = strdup("leastload")) != NULL;
    if (!ok)
        ippc_conninfo_destroy(&ci);
    return ci;
}

/* ----------------------------------------------------------------- reading */

static int read_str_field(ippc_conninfo_t *ci, const json_t *obj, const str_field_t *f, const char *what,
                          ippc_error_t **err)
{
    unsigned side = side_bit(ci->side);
    unsigned flags = (f->required & side) ? 0 : IPPC_JSON_OPTIONAL | IPPC_JSON_NULLABLE;
    if (f->nullable)
        flags |= IPPC_JSON_NULLABLE;
    json_t *v;
    if (ippc_json_get(obj, f->key, what, JSON_STRING, flags, &v, err) != 0)
        return -1;
    const char *s = json_is_string(v) ? json_string_value(v) : f->dflt;
    if (s && !(*STR_AT(ci, f) = strdup(s)))
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
    return 0;
}

static int read_ports(ippc_conninfo_t *ci, const json_t *obj, const char *what, ippc_error_t **err)
{
    unsigned side = side_bit(ci->side);
    for (size_t i = 0; i < NELEM(port_fields); i++)
        if ((port_fields[i].sides & side) &&
            ippc_json_get_port(obj, port_fields[i].key, what, PORT_AT(ci, &port_fields[i]), err) != 0)
            return -1;
    if (ci->side == IPPC_SIDE_CLIENT) {
        ci->nbroadcast = 1;
        return ippc_json_get_port(obj, "broadcast", what, &ci->broadcast[0], err);
    }
    int n = ippc_json_get_port_list(obj, "broadcast", what, ci->broadcast, IPPC_MAX_BROADCAST, err);
    if (n < 0)
        return -1;
    ci->nbroadcast = (size_t)n;
    return 0;
}

/* What the stock peers would choke on later, said now. */
static int check_values(const ippc_conninfo_t *ci, const char *what, ippc_error_t **err)
{
    if (strcmp(ci->signature_scheme, "hmac-sha256") != 0)
        return ippc_error_set(err, IPPC_E_PARSE, "%s: signature_scheme '%s' is not supported (only hmac-sha256)",
                              what, ci->signature_scheme);
    const char *sep = strstr(ci->interface, "://");
    if (!sep || sep == ci->interface || !sep[3])
        return ippc_error_set(err, IPPC_E_PARSE, "%s: key 'interface' must look like 'tcp://<address>', not '%s'",
                              what, ci->interface);
    return 0;
}

/* The keys this side knows; everything else goes to `extra`. */
static size_t known_keys(ippc_side_t side, const char **keys)
{
    unsigned bit = side_bit(side);
    size_t n = 0;
    for (size_t i = 0; i < NELEM(str_fields); i++)
        if (str_fields[i].sides & bit)
            keys[n++] = str_fields[i].key;
    for (size_t i = 0; i < NELEM(port_fields); i++)
        if (port_fields[i].sides & bit)
            keys[n++] = port_fields[i].key;
    keys[n++] = "broadcast";
    keys[n] = NULL;
    return n;
}

static int read_fields(ippc_conninfo_t *ci, const json_t *obj, const char *what, ippc_error_t **err)
{
    unsigned side = side_bit(ci->side);
    for (size_t i = 0; i < NELEM(str_fields); i++)
        if ((str_fields[i].sides & side) && read_str_field(ci, obj, &str_fields[i], what, err) != 0)
            return -1;
    if (read_ports(ci, obj, what, err) != 0 || check_values(ci, what, err) != 0)
        return -1;
    const char *known[NELEM(str_fields) + NELEM(port_fields) + 2];
    known_keys(ci->side, known);
    ci->extra = ippc_json_unknown_keys(obj, known);
    if (!ci->extra)
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
    return 0;
}

ippc_conninfo_t *ippc_conninfo_from_json(const json_t *obj, const char *origin, ippc_error_t **err)
{
    const char *what = origin ? origin : "connection info";
    if (!json_is_object(obj)) {
        ippc_error_set(err, IPPC_E_PARSE, "%s: not a JSON object", what);
        return NULL;
    }
    ippc_conninfo_t *ci = calloc(1, sizeof(*ci));
    if (!ci) {
        ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", what);
        return NULL;
    }
    /* Only the engine side has heartbeat ports: that tells the two files apart. */
    ci->side = json_object_get(obj, "hb_ping") ? IPPC_SIDE_ENGINE : IPPC_SIDE_CLIENT;
    if (read_fields(ci, obj, what, err) != 0)
        ippc_conninfo_destroy(&ci);
    return ci;
}

ippc_conninfo_t *ippc_conninfo_parse(const char *text, size_t len, const char *origin, ippc_error_t **err)
{
    json_t *obj = ippc_json_parse_object(text, len, origin, err);
    if (!obj)
        return NULL;
    ippc_conninfo_t *ci = ippc_conninfo_from_json(obj, origin, err);
    json_decref(obj);
    return ci;
}

ippc_conninfo_t *ippc_conninfo_read(const char *path, ippc_error_t **err)
{
    json_t *obj = ippc_json_read_file(path, err);
    if (!obj)
        return NULL;
    ippc_conninfo_t *ci = ippc_conninfo_from_json(obj, path, err);
    json_decref(obj);
    return ci;
}

/* ----------------------------------------------------------------- writing */

static int put_port(json_t *obj, const char *key, int port) { return ippc_json_put(obj, key, json_integer(port)); }

static int put_field(json_t *obj, const ippc_conninfo_t *ci, const char *key)
{
    for (size_t i = 0; i < NELEM(str_fields); i++) {
        const str_field_t *f = &str_fields[i];
        if (strcmp(f->key, key) != 0)
            continue;
        const char *s = *STR_AT(ci, f);
        return ippc_json_put_str_or_null(obj, key, s ? s : f->dflt);
    }
    for (size_t i = 0; i < NELEM(port_fields); i++)
        if (strcmp(port_fields[i].key, key) == 0)
            return put_port(obj, key, *PORT_AT(ci, &port_fields[i]));
    return -1;
}

static json_t *broadcast_json(const ippc_conninfo_t *ci)
{
    if (ci->side == IPPC_SIDE_CLIENT)
        return json_integer(ci->nbroadcast ? ci->broadcast[0] : 0);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ci->nbroadcast && i < IPPC_MAX_BROADCAST; i++)
        if (json_array_append_new(arr, json_integer(ci->broadcast[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

/* ipcontroller's order: {ssh} + client_info/engine_info (the hub's dict) + the shared
 * base (key ... signature_scheme). */
static const char *const client_order[] = {"ssh", "interface", "registration", "control", "mux", "task",
                                           "task_scheme", "iopub", "notification", "broadcast", NULL};
static const char *const engine_order[] = {"ssh", "interface", "registration", "control", "mux", "task",
                                           "iopub", "hb_ping", "hb_pong", "broadcast", NULL};
static const char *const base_order[] = {"key", "curve_serverkey", "location", "pack", "unpack",
                                         "signature_scheme", NULL};

json_t *ippc_conninfo_to_json(const ippc_conninfo_t *ci)
{
    if (!ci)
        return NULL;
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    int rc = 0;
    for (const char *const *k = ci->side == IPPC_SIDE_ENGINE ? engine_order : client_order; *k; k++)
        rc |= strcmp(*k, "broadcast") == 0 ? ippc_json_put(obj, *k, broadcast_json(ci)) : put_field(obj, ci, *k);
    for (const char *const *k = base_order; *k; k++)
        rc |= put_field(obj, ci, *k);
    /* Unknown keys follow ours; a known key in `extra` does not override the field. */
    if (rc == 0 && ci->extra && json_object_update_missing(obj, ci->extra) != 0)
        rc = -1;
    if (rc != 0)
        json_decref(obj);
    return rc == 0 ? obj : NULL;
}

int ippc_conninfo_write(const ippc_conninfo_t *ci, const char *path, ippc_error_t **err)
{
    json_t *obj = ippc_conninfo_to_json(ci);
    if (!obj)
        return ippc_error_set(err, IPPC_E_NOMEM, "%s: out of memory", path ? path : "connection file");
    /* Never write a file our own reader (and so the stock peers) would reject. */
    ippc_error_t *why = NULL;
    ippc_conninfo_t *check = ippc_conninfo_from_json(obj, "the connection info", &why);
    int rc = 0;
    if (!check)
        rc = ippc_error_set(err, IPPC_E_INVALID, "refusing to write %s: %s", path ? path : "(null)",
                            ippc_error_message(why));
    else
        rc = ippc_json_write_atomic(path, obj, 0600, IPPC_JSON_INDENT2, err);
    ippc_conninfo_destroy(&check);
    ippc_error_destroy(&why);
    json_decref(obj);
    return rc;
}

/* ------------------------------------------------------------------- urls */

static bool is_wildcard(const char *host) { return strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0; }

/* util.disambiguate_ip_address without the address probing: a wildcard means the
 * location, which on this very host (or when unknown) is the loopback address. */
static char *connect_host(const ippc_conninfo_t *ci, const char *host)
{
    if (!is_wildcard(host))
        return strdup(host);
    if (!ci->location || !*ci->location)
        return strdup("127.0.0.1");
    char *me = host_name();
    bool local = me && strcmp(me, ci->location) == 0;
    free(me);
    return strdup(local ? "127.0.0.1" : ci->location);
}

char *ippc_conninfo_url(const ippc_conninfo_t *ci, int port)
{
    if (!ci || !ci->interface)
        return NULL;
    const char *sep = strstr(ci->interface, "://");
    if (!sep)
        return ippc_strdup_printf("%s:%d", ci->interface, port);
    size_t scheme_len = (size_t)(sep - ci->interface);
    /* The controller binds ipc endpoints as "<interface>-<port>" (construct_url). */
    bool ipc = scheme_len == 3 && strncmp(ci->interface, "ipc", 3) == 0;
    char *host = ipc ? strdup(sep + 3) : connect_host(ci, sep + 3);
    char *url = host ? ippc_strdup_printf("%.*s://%s%c%d", (int)scheme_len, ci->interface, host, ipc ? '-' : ':', port)
                     : NULL;
    free(host);
    return url;
}
