/* clusterfile.h - the cluster file <profile_dir>/security/cluster-<cluster_id>.json.
 *
 * ipyparallel's Cluster.to_dict() writes it and Cluster.from_file() (ipcluster list/stop,
 * Cluster.from_file().connect_client_sync()) reads it back:
 *
 *   {"cluster": {"cluster_id", "controller_args", "controller_ip", "controller_location",
 *                "delay", "n", "profile_dir", "class"},
 *    "controller": {"class": "local", "state": {<launcher state>}},          (optional)
 *    "engines": {"class": "local", "sets": {"<set id>": {<launcher state>,
 *                                                          "engines": {"0": {<state>}, ...}}}}}
 *
 * A launcher state holds the traits its launcher class tags to_dict, in alphabetical
 * order: every launcher has cluster_id, profile_dir and state ("before", "running",
 * "after"); local (and MPI, SSH) launchers add pid and output_file; engine launchers add
 * n; batch launchers (slurm, pbs, sge, lsf, htcondor) add job_id, batch_template, queue,
 * namespace and sometimes batch_file_name. The model below has a field for each of these
 * with "absent" meaning the key is not written (NULL strings, has_* flags), so that a
 * local launcher (pids, one entry per engine process) and a batch launcher (a job id)
 * are recorded exactly as the stock classes record them. Keys the model does not know
 * are kept in `extra` and written back, so a stock file read and written again keeps all
 * of its keys, values and order.
 *
 * Strings in these structs are malloc'd and owned by the record (set them with
 * ippc_cf_set_str or strdup); arrays grow through the add functions, which may move
 * them: a pointer from ippc_clusterfile_add_engine_set or ..._add_engine is valid until
 * the next add to the same array. Not thread-safe; one record per thread. */
#ifndef IPPC_CLUSTERFILE_H
#define IPPC_CLUSTERFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ippc.h"

/* What Cluster.to_dict() writes as cluster.class. */
#define IPPC_CLUSTER_CLASS "ipyparallel.cluster.cluster.Cluster"

/* The state dict of one launcher (BaseLauncher.to_dict). */
typedef struct {
    char *cluster_id;       /* always written ("" when NULL) */
    char *profile_dir;      /* always written ("" when NULL) */
    char *state;            /* always written ("before" when NULL) */
    bool has_pid;           /* local/MPI/SSH launchers */
    long long pid;          /* -1 for a local engine set (its engines have the pids) */
    char *output_file;      /* local single-process launchers; NULL = not written */
    bool has_n;             /* engine and batch launchers */
    long long n;
    char *job_id;           /* batch launchers; NULL = not written */
    char *batch_template;   /* batch launchers; NULL = not written */
    char *batch_file_name;  /* some batch launchers; NULL = not written */
    char *queue;            /* batch launchers; NULL = not written */
    json_t *extra;          /* other keys (namespace, ssh's hostname ...); may be NULL */
} ippc_launcher_state_t;

/* One engine process of a local engine set ("engines": {"0": {...}}). */
typedef struct {
    char *id; /* "0", "1", ... */
    ippc_launcher_state_t state;
} ippc_cluster_engine_t;

/* One engine set (Cluster.engines[engine_set_id]). */
typedef struct {
    char *id;                       /* engine_set_id, e.g. "1637000000-abcd" */
    ippc_launcher_state_t state;    /* the set's own state: n, pid -1 / job_id ... */
    bool has_engines;               /* write the "engines" map (local and SSH sets) */
    ippc_cluster_engine_t *engines; /* in file order */
    size_t nengines;
} ippc_cluster_engine_set_t;

typedef struct {
    /* "cluster" */
    char *cluster_id;           /* "" is ipcluster's default id */
    char *profile_dir;          /* absolute */
    char **controller_args;     /* NULL-terminated or NULL */
    size_t ncontroller_args;
    char *controller_ip;        /* "" */
    char *controller_location;  /* "" */
    double delay;               /* 1.0 */
    long long n;                /* engines to start; IPPC_CLUSTER_N_UNSET for null */
    char *cls;                  /* IPPC_CLUSTER_CLASS */
    json_t *cluster_extra;      /* other keys of "cluster" (a Cluster subclass's traits) */
    /* "controller": present when controller_class is non-NULL */
    char *controller_class;     /* "local", "slurm", "mpi" ... */
    bool controller_state_null; /* "state": null instead of a state dict */
    ippc_launcher_state_t controller;
    json_t *controller_extra;   /* other keys of "controller" */
    /* "engines": present when engines_class is non-NULL */
    char *engines_class;        /* "local", "slurm" ... */
    ippc_cluster_engine_set_t *sets;
    size_t nsets;
    json_t *engines_extra;      /* other keys of "engines" */
    json_t *extra;              /* other top-level keys */
    json_t *source;             /* the document it was read from, for the key order */
} ippc_clusterfile_t;

#define IPPC_CLUSTER_N_UNSET (-1LL)

/* A record as Cluster(cluster_id=..., profile_dir=...).to_dict() makes it before
 * anything starts: the cluster part with the stock defaults, engines class "local" with
 * no sets, no controller. cluster_id NULL means ""; profile_dir NULL means the default
 * profile ($IPYTHONDIR/profile_default). NULL on ENOMEM. */
ippc_clusterfile_t *ippc_clusterfile_new(const char *cluster_id, const char *profile_dir);
void ippc_clusterfile_destroy(ippc_clusterfile_t **cf);

/* Read a cluster file; errors name the file and the place in it
 * ("<path>: engines.sets.17: key 'pid' must be an integer, not a string"). */
ippc_clusterfile_t *ippc_clusterfile_read(const char *path, ippc_error_t **err);
ippc_clusterfile_t *ippc_clusterfile_from_json(const json_t *obj, const char *origin, ippc_error_t **err);
/* The dict Cluster.to_dict() would make, keys in its order. NULL on ENOMEM. */
json_t *ippc_clusterfile_to_json(const ippc_clusterfile_t *cf);
/* Write atomically, mode 0600, on one line as Cluster.write_cluster_file does. */
int ippc_clusterfile_write(const ippc_clusterfile_t *cf, const char *path, ippc_error_t **err);

/* Set the controller (class "local", "slurm" ...), replacing one already there. The
 * state gets the keys that launcher class writes, with its defaults (local and mpi: pid
 * -1, output_file ""; batch classes: job_id "", batch_template "", queue "", n 1,
 * namespace {}), cluster_id/profile_dir of the cluster and state "running". Returns the
 * state to fill in (pid and output_file, or job_id ...), NULL on ENOMEM. */
ippc_launcher_state_t *ippc_clusterfile_set_controller(ippc_clusterfile_t *cf, const char *cls);
/* Append an engine set of class cf->engines_class, state as above ("local": n, pid -1
 * and an engines map; "mpi": n, pid, output_file; batch: as above). */
ippc_cluster_engine_set_t *ippc_clusterfile_add_engine_set(ippc_clusterfile_t *cf, const char *set_id);
/* Append one engine process to a set (sets has_engines): n 1, pid -1, output_file "",
 * state "running". The set's n becomes its number of engines, as after
 * LocalEngineSetLauncher.start(n). */
ippc_launcher_state_t *ippc_cluster_engine_set_add_engine(ippc_cluster_engine_set_t *set, const char *engine_id);
/* Replace *dst with a copy of s (NULL clears). 0 / -1 on ENOMEM. */
int ippc_cf_set_str(char **dst, const char *s);

/* --------------------------------------------------------- liveness */

typedef enum {
    IPPC_PROC_UNKNOWN, /* no pid recorded (batch job, "before", pid <= 0) */
    IPPC_PROC_ALIVE,   /* kill(pid, 0) succeeds or says EPERM */
    IPPC_PROC_DEAD     /* no such process */
} ippc_proc_status_t;

ippc_proc_status_t ippc_launcher_status(const ippc_launcher_state_t *st);

typedef struct {
    ippc_proc_status_t controller; /* UNKNOWN also when there is no controller */
    size_t engines_alive, engines_dead, engines_unknown; /* per engine process, or per
                                                            set without an engines map */
    bool running; /* what Cluster.from_file() concludes: something is still running */
} ippc_cluster_liveness_t;

/* Check the recorded pids with kill(pid, 0) the way Cluster.from_dict() does with
 * psutil: a dead controller pid drops the controller, a set is dropped when all its
 * engine pids are dead, batch launchers (no pids) count as running. When nothing is
 * left the file is stale and the stock code deletes it on load. */
void ippc_clusterfile_liveness(const ippc_clusterfile_t *cf, ippc_cluster_liveness_t *out);
/* !running: the file describes nothing alive. */
bool ippc_clusterfile_is_stale(const ippc_clusterfile_t *cf);

#endif
