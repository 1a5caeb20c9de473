/* cluster_state.h - one cluster on disk: its files (cluster-<id>.json, the connection
 * files, the logs), the processes its cluster file records and whether they still run.
 *
 * Every launcher back end and every ippctl command that looks at a cluster goes
 * through this: the cluster file is the state (the stock Cluster.to_dict() format, so
 * stock ipyparallel reads it too), and liveness is judged the same way everywhere:
 * a recorded pid counts only while it runs (not a zombie) and still names a cluster
 * program (a reused pid is a stranger, never signalled). Internal to the launcher
 * library. */
#ifndef IPPC_CLUSTER_STATE_H
#define IPPC_CLUSTER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "clusterfile.h"
#include "ippc.h"
#include "proc.h"

typedef struct {
    char *profile_dir;  /* absolute */
    char *cluster_id;   /* "" is the default cluster */
    char *security_dir; /* <profile_dir>/security */
    char *log_dir;      /* <profile_dir>/log */
    char *cluster_file; /* <security>/cluster-<id>.json */
    char *client_file;  /* <security>/ipcontroller[-<id>]-client.json */
    char *engine_file;  /* ... -engine.json */
    ippc_clusterfile_t *cf; /* the record; NULL until loaded or made */
    int lock_fd;        /* -1 unless locked */
} ippc_cstate_t;

/* The paths of cluster cluster_id (NULL: "") of a profile directory (made absolute).
 * Nothing is read. NULL on ENOMEM. */
ippc_cstate_t *ippc_cstate_new(const char *profile_dir, const char *cluster_id, ippc_error_t **err);
void ippc_cstate_destroy(ippc_cstate_t **cs);

/* Read the cluster file into cs->cf. IPPC_E_NOTFOUND when there is none. */
int ippc_cstate_load(ippc_cstate_t *cs, ippc_error_t **err);
/* Write cs->cf (atomically, 0600). */
int ippc_cstate_save(ippc_cstate_t *cs, ippc_error_t **err);
/* Serialise starts and changes of the clusters of one profile (flock on its security
 * directory, created if needed; waits for another ippctl holding it). */
int ippc_cstate_lock(ippc_cstate_t *cs, ippc_error_t **err);
void ippc_cstate_unlock(ippc_cstate_t *cs);

/* "profile default", "cluster 't1' of profile x" ...: how messages name the cluster.
 * Into buf. */
const char *ippc_cstate_name(const ippc_cstate_t *cs, char *buf, size_t len);
/* "ippctl stop", "ippctl stop -p x --cluster-id t1": the command that stops it. */
const char *ippc_cstate_stop_command(const ippc_cstate_t *cs, char *buf, size_t len);

/* One process the cluster file records. */
typedef struct {
    bool controller;    /* else an engine */
    const char *set_id; /* engines: their set */
    const char *index;  /* engines: their key in the set ("0", "1" ...) */
    pid_t pid;          /* 0 when none is recorded (batch launchers) */
    const char *log;    /* output_file, NULL/"" when none */
    ippc_ps_t ps;       /* looked up by ippc_cstate_procs */
} ippc_cproc_t;

/* The processes of cs->cf, with their state looked up now. *out is malloc'd (strings
 * point into cs->cf). Returns the count; -1 on ENOMEM. */
ssize_t ippc_cstate_procs(const ippc_cstate_t *cs, ippc_cproc_t **out);

typedef struct {
    bool has_controller;     /* the file records a controller (class and state) */
    bool controller_alive;
    size_t engines_alive;    /* engine processes running */
    size_t engines_gone;     /* recorded engine processes that are gone */
    size_t engines_unknown;  /* engine sets without pids (batch jobs): cannot tell */
    bool running;            /* anything alive or unknown: not stale */
} ippc_cstate_live_t;

/* Whether cs->cf still describes something running. */
void ippc_cstate_liveness(const ippc_cstate_t *cs, ippc_cstate_live_t *out);

/* Remove the cluster file and the connection files (which a controller that was killed
 * leaves behind); with logs, also every log file the cluster file records. Missing
 * files are fine. Returns how many files were removed; paths removed are appended to
 * *removed (malloc'd, "\n" separated) when removed is non-NULL. */
int ippc_cstate_remove_files(const ippc_cstate_t *cs, bool logs, char **removed);

/* The clusters of one profile directory (profile_dir non-NULL) or of every
 * $IPYTHONDIR/profile_* directory: the cluster ids from their security/cluster-*.json
 * files, as states to load. Sorted by profile directory, then cluster id. Returns the
 * count, -1 on error; free with ippc_cstate_list_free. */
ssize_t ippc_cstate_list(const char *profile_dir, ippc_cstate_t ***out, ippc_error_t **err);
void ippc_cstate_list_free(ippc_cstate_t **list, size_t n);

/* "default" for .../profile_default, else the directory itself. */
const char *ippc_profile_label(const char *profile_dir, char *buf, size_t len);

#endif
