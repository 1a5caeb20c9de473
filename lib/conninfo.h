/* conninfo.h - connection files: ipcontroller[-<cluster_id>]-{client,engine}.json.
 *
 * Both sides share registration, key, signature scheme, interface and location; the
 * client side adds notification, task_scheme and one broadcast port; the engine side
 * adds hb_ping/hb_pong and a list of broadcast (leaf) ports. Keys we do not know are
 * kept in `extra` and written back unchanged. */
#ifndef IPPC_CONNINFO_H
#define IPPC_CONNINFO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ippc.h"

typedef enum { IPPC_SIDE_CLIENT, IPPC_SIDE_ENGINE } ippc_side_t;

#define IPPC_MAX_BROADCAST 64

typedef struct {
    ippc_side_t side;
    char *interface;        /* "tcp://127.0.0.1", or a wildcard: star or 0.0.0.0 */
    char *location;         /* host name or address peers use when interface is a wildcard */
    char *key;              /* HMAC key, used as UTF-8 bytes ("" = unsigned) */
    char *signature_scheme; /* "hmac-sha256" */
    char *ssh;              /* "" */
    char *pack, *unpack;    /* "json" */
    char *task_scheme;      /* client side: "leastload" */
    char *curve_serverkey;  /* NULL = JSON null */
    int registration, control, mux, task, iopub;
    int notification;       /* client side */
    int hb_ping, hb_pong;   /* engine side */
    int broadcast[IPPC_MAX_BROADCAST]; /* client side: one; engine side: the leaf ports */
    size_t nbroadcast;
    json_t *extra;          /* unknown keys, preserved (may be NULL) */
} ippc_conninfo_t;

/* A new record with ipcontroller's defaults: interface tcp://127.0.0.1, location the
 * host name, key "", hmac-sha256, ssh "", pack/unpack json, task_scheme leastload
 * (client side), curve_serverkey null, ports 0 (to be filled in). NULL on ENOMEM. */
ippc_conninfo_t *ippc_conninfo_new(ippc_side_t side);
void ippc_conninfo_destroy(ippc_conninfo_t **ci);
/* Read a connection file. The side is told by its keys (hb_ping → engine). Errors name
 * the file and say what is wrong: missing file, bad JSON, a missing key, a wrong type,
 * a port out of 1..65535, an unsupported signature scheme. */
ippc_conninfo_t *ippc_conninfo_read(const char *path, ippc_error_t **err);
/* Same from an object or from JSON text (IPP_CONNECTION_INFO); `origin` names it in
 * errors. */
ippc_conninfo_t *ippc_conninfo_from_json(const json_t *obj, const char *origin, ippc_error_t **err);
ippc_conninfo_t *ippc_conninfo_parse(const char *text, size_t len, const char *origin, ippc_error_t **err);
/* The object ipcontroller writes, keys in its order (unknown `extra` keys after them).
 * NULL on ENOMEM. NULL strings become "" (ssh) or null (location, curve_serverkey). */
json_t *ippc_conninfo_to_json(const ippc_conninfo_t *ci);
/* Write atomically with mode 0600 (whatever the umask), creating the directory (0700)
 * if needed, indented like ipcontroller's files. Refuses (IPPC_E_INVALID) what
 * ippc_conninfo_read would reject: a port out of range, a missing string... */
int ippc_conninfo_write(const ippc_conninfo_t *ci, const char *path, ippc_error_t **err);
/* The address a peer connects to for port: "tcp://<host>:<port>" with the host of
 * interface, or, when that is a wildcard (* or 0.0.0.0), location (127.0.0.1 when
 * location is unset or this machine's host name, as the stock peers do). For ipc://
 * the controller's own form "ipc://<path>-<port>". malloc'd; NULL on ENOMEM. */
char *ippc_conninfo_url(const ippc_conninfo_t *ci, int port);

#endif
