/* profile.h - ippc profiles: the YAML files that say how to start a cluster.
 *
 * A profile has five sections (see ippc-profile(5) for the schema):
 *   cluster     n, launcher, cluster_id
 *   controller  ip | interface, location, ports, heartbeat {period_ms, misses},
 *               records {max_count, max_bytes}, log_level
 *   engines     python_path, startup | startup_file, env, workdir, shell,
 *               registration_spread_ms, zygote
 *   slurm       partition, account, qos, time, nodes, ntasks_per_node, cpus_per_task,
 *               extra, mpi, srun_args
 *   mpi         mpirun, args
 * and may start with `inherit: <profile>` (or `base:`) to layer itself on another one.
 *
 * The model is a plain struct tree that launchers read directly (p->slurm.partition).
 * Every key starts at its built-in default and is then overwritten, in this order, by
 * the inherited profiles, the profile file itself and `ippctl start --set key=value`
 * (ippc_profile_set). Each key remembers where its value came from: "default",
 * "<file>:<line>:<column>" of the YAML node, or the origin a setter names ("command
 * line"); ippc_profile_origin() answers and `ippctl profile show` prints it.
 *
 * Names are looked up as: a path (contains '/' or ends in .yaml/.yml, and exists);
 * else $IPYTHONDIR/profile_<name>/ippc.yaml; else <name>.yaml among the shipped
 * profiles: $IPPC_PROFILES_DIR, the installed $(pkgdatadir)/profiles, the source tree's
 * profiles/ (so that uninstalled binaries work).
 *
 * Internal to the launcher library (not exported from libippc). Not thread-safe: one
 * profile per thread. Functions return 0 / -1 or a pointer / NULL and fill *err. */
#ifndef IPPC_PROFILE_H
#define IPPC_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ippc.h"

/* Profile files larger than this are refused unread (profiles are a few KiB). */
#define IPPC_PROFILE_MAX_FILE_SIZE (1024u * 1024u)
/* Lists and mappings nest at most this deep in a profile file (the schema needs 4):
 * libyaml's scanner slows down with the square of the nesting depth. */
#define IPPC_PROFILE_MAX_DEPTH 64
/* How many profiles may inherit from one another in a chain. */
#define IPPC_PROFILE_MAX_INHERIT 8
/* The values read from one file may add up to at most this many bytes: aliases can
 * repeat a large value many times over, and each use is a copy. */
#define IPPC_PROFILE_MAX_VALUE_BYTES (4u * 1024u * 1024u)
/* Lists (python_path, extra ...) and engines.env hold at most this many items. */
#define IPPC_PROFILE_MAX_ITEMS 1024
/* controller.ports may hold at most this many ranges (the controller's --ports limit). */
#define IPPC_PROFILE_MAX_PORT_RANGES 64
/* slurm.time when the profile says "unlimited"; 0 means not set (partition default). */
#define IPPC_PROFILE_TIME_UNLIMITED (-1LL)

/* ------------------------------------------------------------------ model */

typedef enum {
    IPPC_PROFILE_LAUNCHER_LOCAL, /* fork/exec on this host */
    IPPC_PROFILE_LAUNCHER_SLURM, /* sbatch a job: controller + srun engines */
    IPPC_PROFILE_LAUNCHER_SRUN,  /* inside an allocation: engines as an srun step */
    IPPC_PROFILE_LAUNCHER_PMIX,  /* one srun --mpi=pmix step, wire-up through PMIx */
    IPPC_PROFILE_LAUNCHER_MPI    /* mpirun (Open MPI) */
} ippc_profile_launcher_t;

typedef enum {
    IPPC_PROFILE_SHELL_AUTO,    /* IPython's shell when it imports, else plain */
    IPPC_PROFILE_SHELL_IPYTHON, /* IPython's shell, failing when it is missing */
    IPPC_PROFILE_SHELL_PLAIN    /* plain exec() in a dict namespace */
} ippc_profile_shell_t;

typedef enum {
    IPPC_PROFILE_ZYGOTE_AUTO,  /* local launcher, more than one engine */
    IPPC_PROFILE_ZYGOTE_TRUE,  /* fork the engines of a set from one zygote process */
    IPPC_PROFILE_ZYGOTE_FALSE  /* start each engine program on its own */
} ippc_profile_zygote_t;

typedef enum {
    IPPC_PROFILE_SLURM_MPI_NONE, /* srun --mpi=none */
    IPPC_PROFILE_SLURM_MPI_PMIX  /* srun --mpi=pmix: engines learn their rank from PMIx */
} ippc_profile_slurm_mpi_t;

/* A list of strings (items malloc'd). */
typedef struct {
    char **items;
    size_t n;
} ippc_profile_strlist_t;

/* One environment variable of engines.env; each entry has its own origin. */
typedef struct {
    char *name;
    char *value;
    char *origin; /* "<file>:<line>:<col>", "command line" ... */
} ippc_profile_env_entry_t;

typedef struct {
    ippc_profile_env_entry_t *items; /* in the order first given */
    size_t n;
} ippc_profile_env_t;

typedef struct {
    int lo, hi; /* 1 <= lo <= hi <= 65535 */
} ippc_profile_port_range_t;

typedef struct {
    ippc_profile_port_range_t *items;
    size_t n; /* 0: any free port */
} ippc_profile_ports_t;

typedef struct {
    long long n;                      /* engines to start, >= 1 (default 4) */
    ippc_profile_launcher_t launcher; /* default local */
    char *cluster_id;                 /* "" (default): ipcluster's default cluster */
} ippc_profile_cluster_t;

typedef struct {
    long long period_ms; /* >= 1 (default 3000, as HeartMonitor.period) */
    long long misses;    /* >= 1 (default 10, as max_heartmonitor_misses) */
} ippc_profile_heartbeat_t;

typedef struct {
    long long max_count; /* task records kept, >= 0 (default 100000) */
    long long max_bytes; /* their bytes, >= 0 (default 1 GiB) */
} ippc_profile_records_t;

typedef struct {
    char *ip;                     /* an address or "*"; NULL: the launcher chooses */
    char *interface;              /* bind to this NIC's address instead of ip; NULL */
    char *location;               /* what peers connect to; NULL: this host's name */
    ippc_profile_ports_t ports;   /* empty: any free port */
    ippc_profile_heartbeat_t heartbeat;
    ippc_profile_records_t records;
    int log_level;                /* Python logging level: 10 debug ... 50 critical */
} ippc_profile_controller_t;

typedef struct {
    ippc_profile_strlist_t python_path; /* prepended to sys.path */
    char *startup;                      /* code run at engine start; NULL */
    char *startup_file;                 /* a file to run instead; NULL */
    ippc_profile_env_t env;             /* extra environment */
    char *workdir;                      /* NULL: where ippctl runs */
    ippc_profile_shell_t shell;
    long long registration_spread_ms;   /* >= 0: engines spread registration over this */
    ippc_profile_zygote_t zygote;       /* local launcher: fork engines from one process */
} ippc_profile_engines_t;

typedef struct {
    char *partition, *account, *qos;  /* NULL: not passed to sbatch */
    long long time;                   /* seconds; 0 unset, IPPC_PROFILE_TIME_UNLIMITED */
    long long nodes;                  /* 0: unset */
    long long ntasks_per_node;        /* 0: unset */
    long long cpus_per_task;          /* 0: unset */
    ippc_profile_strlist_t extra;     /* more sbatch options or "#SBATCH ..." lines */
    ippc_profile_slurm_mpi_t mpi;
    ippc_profile_strlist_t srun_args; /* more options for the engines' srun */
} ippc_profile_slurm_t;

typedef struct {
    char *mpirun;               /* default "mpirun" */
    ippc_profile_strlist_t args;
} ippc_profile_mpi_t;

typedef struct {
    ippc_profile_cluster_t cluster;
    ippc_profile_controller_t controller;
    ippc_profile_engines_t engines;
    ippc_profile_slurm_t slurm;
    ippc_profile_mpi_t mpi;
    char *name;                   /* "default", "slurm", or the stem of a file name */
    char *inherit;                /* what the profile file inherits from; NULL */
    ippc_profile_strlist_t files; /* the files read, inherited ones first */
    char **origins_;              /* private: use ippc_profile_origin() */
} ippc_profile_t;

/* ------------------------------------------------------------ life cycle */

/* A profile with every key at its built-in default (name "default"). NULL on ENOMEM. */
ippc_profile_t *ippc_profile_new(void);
void ippc_profile_destroy(ippc_profile_t **p);
/* Same values (origins are not compared). */
bool ippc_profile_equal(const ippc_profile_t *a, const ippc_profile_t *b);

/* ------------------------------------------------------------ reading */

/* The file a profile name or path stands for (resolution order above), malloc'd.
 * NULL or "" means "default". IPPC_E_NOTFOUND: "profile 'foo' not found: looked in
 * <path>, <path> (create one with `ippctl profile create foo`)". */
char *ippc_profile_find(const char *name_or_path, ippc_error_t **err);
/* Find and read a profile (with what it inherits) over the defaults. */
ippc_profile_t *ippc_profile_load(const char *name_or_path, ippc_error_t **err);
/* Read a profile file over p: the keys it gives replace p's (its `inherit` is read
 * first). Errors are IPPC_E_PARSE "<path>:<line>:<col>: <problem>", IPPC_E_NOTFOUND,
 * IPPC_E_IO. On failure p may hold some of the file's values: discard it. */
int ippc_profile_read_file(ippc_profile_t *p, const char *path, ippc_error_t **err);
/* The same for YAML text in memory; `name` stands for the file in positions and
 * origins. A relative `inherit` path is taken from the current directory. */
int ippc_profile_read_string(ippc_profile_t *p, const char *text, size_t len, const char *name,
                             ippc_error_t **err);

/* ------------------------------------------------------------ values */

/* Set one key from text, as `--set controller.heartbeat.period_ms=500` does:
 * the text is read as that key's type ("500", "1GiB", "01:00:00", "50000-50100"); list
 * and map keys take YAML flow text ("[a, b]", "{OMP_NUM_THREADS: 1}") or, for lists,
 * one item; "engines.env.NAME" sets one variable. Empty text, "~" or "null" (or a NULL
 * value) put the key back to its default (and remove an env variable). Setting ip or
 * startup clears interface or startup_file, and the other way round. origin (NULL:
 * "command line") is recorded and starts error messages:
 * "command line: 'cluster.n' must be an integer ≥ 1, not 'four'". */
int ippc_profile_set(ippc_profile_t *p, const char *key, const char *value, const char *origin,
                     ippc_error_t **err);
/* "key=value" (the argument of --set). */
int ippc_profile_set_assignment(ippc_profile_t *p, const char *assignment, const char *origin,
                                ippc_error_t **err);
/* Where the value of key came from: "default", "<file>:<line>:<col>", an origin given
 * to ippc_profile_set. "engines.env.NAME" answers for one variable. NULL for a key
 * that does not exist. The string belongs to p. */
const char *ippc_profile_origin(const ippc_profile_t *p, const char *key);

/* ------------------------------------------------------------ writing */

#define IPPC_PROFILE_DUMP_ORIGINS 1u /* each value followed by "# from <origin>" */
#define IPPC_PROFILE_DUMP_DOCS 2u    /* each key preceded by its one-line description,
                                        keys still at their default commented out */

/* The profile as YAML that ippc_profile_read_* reads back to the same values. malloc'd,
 * NULL on ENOMEM. */
char *ippc_profile_dump_string(const ippc_profile_t *p, unsigned flags);
int ippc_profile_dump(const ippc_profile_t *p, unsigned flags, FILE *out, ippc_error_t **err);
/* {"cluster": {"n": 4, ...}, ...}: sizes in bytes, time as "HH:MM:SS"; with_origins
 * adds "origins": {"cluster.n": "default", "engines.env.X": ..., ...}. NULL on ENOMEM. */
json_t *ippc_profile_to_json(const ippc_profile_t *p, bool with_origins);

/* ------------------------------------------------------------ profiles on disk */

typedef struct {
    char *name;
    char *path;
    bool user;     /* in $IPYTHONDIR (else shipped) */
    bool shadowed; /* another entry of the same name comes first in the lookup */
} ippc_profile_info_t;

/* Every profile ippc_profile_find could resolve by name: user profiles
 * ($IPYTHONDIR/profile_<name>/ippc.yaml) and shipped ones, sorted by name, for one name in
 * lookup order. Returns 0 / -1; free with ippc_profile_list_free. */
int ippc_profile_list(ippc_profile_info_t **out, size_t *n, ippc_error_t **err);
void ippc_profile_list_free(ippc_profile_info_t *list, size_t n);

/* Write $IPYTHONDIR/profile_<name>/ippc.yaml as a copy of profile `base` (NULL:
 * "default"), which must load cleanly. Refuses to replace a file (IPPC_E_STATE) and
 * names that are not [A-Za-z0-9][A-Za-z0-9_.-]* (IPPC_E_INVALID). Returns the path,
 * malloc'd. */
char *ippc_profile_create(const char *name, const char *base, ippc_error_t **err);

/* ------------------------------------------------------------ helpers */

/* "local", "slurm" ...; "pmix"/"none"; "auto" ...: the names profiles use. */
const char *ippc_profile_launcher_name(ippc_profile_launcher_t l);
const char *ippc_profile_shell_name(ippc_profile_shell_t s);
const char *ippc_profile_slurm_mpi_name(ippc_profile_slurm_mpi_t m);
/* "50000-50100,50200" (the controller's --ports), "" when empty. malloc'd. */
char *ippc_profile_ports_format(const ippc_profile_ports_t *ports);
/* slurm.time for sbatch --time: "D-HH:MM:SS" / "HH:MM:SS" / "UNLIMITED"; NULL when
 * unset. malloc'd. */
char *ippc_profile_time_format(long long seconds);

/* The schema: every key in file order, for documentation and completion. */
typedef struct {
    const char *key;          /* "controller.heartbeat.period_ms" */
    const char *type;         /* "integer ≥ 1", "size", "list of strings" ... */
    const char *default_text; /* as a profile would write it; NULL: unset */
    const char *doc;          /* one line */
} ippc_profile_keyinfo_t;

size_t ippc_profile_nkeys(void);
const ippc_profile_keyinfo_t *ippc_profile_key(size_t i); /* NULL past the end */

#endif
