/* launcher.h - the launcher interface: how a cluster's controller and engines are
 * started, signalled and stopped, and how they are recorded in the cluster file.
 *
 * A back end (local.c: fork/exec on this host; later slurm, srun, pmix, mpi) fills in
 * the operations below. Everything around them is shared (launch.c: checks before a
 * start, waiting for the controller and the engines, failure reports, cleanup;
 * stop.c: stopping a cluster recorded in a file; cluster_state.c: the files), so a
 * back end only starts processes and records them in cs->cf the way the matching stock
 * launcher class records them (controller class and state, engine sets). Internal to
 * the launcher library. */
#ifndef IPPC_LAUNCHER_H
#define IPPC_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cluster_state.h"
#include "ippc.h"
#include "profile.h"

typedef struct ippc_launch ippc_launch_t;

/* How a stop went. */
typedef struct {
    size_t found;   /* cluster processes running when the stop began */
    size_t killed;  /* of them, the ones that needed SIGKILL */
    size_t left;    /* still running at the end (a failure) */
    size_t files;   /* files removed */
} ippc_stop_result_t;

typedef struct ippc_launcher_ops {
    const char *name; /* the profile's cluster.launcher ("local") */
    const char *cls;  /* the class it writes to the cluster file ("local") */
    /* Start the controller of l and record it in l->cs->cf (class, state). */
    int (*start_controller)(ippc_launch_t *l, ippc_error_t **err);
    /* Start n engines as a new engine set of l->cs->cf. */
    int (*start_engines)(ippc_launch_t *l, long n, ippc_error_t **err);
    /* Optional: send sig to the engines of a recorded cluster through what started
     * them, for back ends with a way of their own (Slurm: scancel -s SIG JOB.STEP
     * reaches every task of the step, whatever the engines are doing). Returns the
     * number of engines signalled, with *how (malloc'd) saying what ran ("scancel -s
     * INT 12.0"); 0 with *how NULL when this cluster gives it no such way (a set
     * without a Slurm step): the caller then uses the controller's control channel,
     * as it does when the op is NULL (local). -1 on error. */
    int (*signal)(ippc_cstate_t *cs, int sig, char **how, ippc_error_t **err);
    /* Optional: what the batch system says of a job or step the cluster file records
     * (the controller's or a set's job_id: "12", "12.3"), for ippctl status: its state
     * into buf ("RUNNING", "PENDING", "COMPLETED"; "" when it no longer knows it) and
     * whether it has ended. -1 when it cannot be asked. NULL: the back end has no jobs. */
    int (*job_state)(const char *job_id, char *buf, size_t len, bool *ended, ippc_error_t **err);
    /* Stop a recorded cluster: engines, then the controller; SIGTERM, grace seconds,
     * SIGKILL; then check that nothing is left. Does not remove files. */
    int (*stop)(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err);
    /* Optional, for what has no pid here to watch (a batch job): while a start waits,
     * and after it while l->up (the foreground of ippctl start), -1 with the reason
     * (the job's state and output file) once it has ended; and the undoing of a start
     * that failed (scancel, then the files). NULL: pids only. */
    int (*check_started)(ippc_launch_t *l, ippc_error_t **err);
    void (*abort_started)(ippc_launch_t *l);
} ippc_launcher_ops_t;

/* The back end of a profile's launcher; IPPC_E_INVALID names the ones available. */
const ippc_launcher_ops_t *ippc_launcher_by_name(const char *name, ippc_error_t **err);
/* The back end of a profile: its cluster.launcher, except that srun replaces the
 * default (local) inside a Slurm allocation (SLURM_JOB_ID set). */
const ippc_launcher_ops_t *ippc_launcher_for_profile(const ippc_profile_t *p, ippc_error_t **err);
/* The back end that can stop and signal what a cluster file records under class cls
 * (the controller's, else the engines' class). */
const ippc_launcher_ops_t *ippc_launcher_by_class(const char *cls, ippc_error_t **err);

/* The back ends. */
extern const ippc_launcher_ops_t ippc_launcher_local;
extern const ippc_launcher_ops_t ippc_launcher_slurm;
extern const ippc_launcher_ops_t ippc_launcher_srun;
extern const ippc_launcher_ops_t ippc_launcher_pmix;
extern const ippc_launcher_ops_t ippc_launcher_mpi;

/* ---------------------------------------------------- what back ends share */

/* A process this program started for the cluster: watched while it starts. */
typedef struct {
    bool controller;
    char *label;   /* "the controller", "engine 2 of set 1700000000" */
    char *set_id;  /* engines: their set in the cluster file */
    long index;    /* engines: their key in the set */
    pid_t pid;
    char *log;
    bool ended;    /* seen gone */
    bool reported; /* handed out by ippc_launch_next_ended */
    bool have_status;
    int status;    /* wait status, when have_status */
} ippc_started_t;

struct ippc_launch {
    const ippc_profile_t *profile;
    const ippc_launcher_ops_t *ops;
    ippc_cstate_t *cs;
    double timeout;          /* seconds the start may take */
    char *controller_exe;    /* found by the back end, for messages and --json */
    char *engine_exe;
    char *controller_cmd;    /* its command line, for --json */
    char *engine_cmd;
    char *note;              /* what was done on the way ("replaced a stale cluster file ...") */
    bool up;                 /* the start is over: check_started watches a running cluster */
    ippc_started_t *started; /* in start order */
    size_t nstarted, capstarted;
};

/* Record a process a back end started: the controller (set_id NULL), or engine
 * `index` of set set_id. 0 / -1 on ENOMEM. */
int ippc_launch_record(ippc_launch_t *l, pid_t pid, const char *log, const char *set_id, long index);
/* A new engine set id for l->cs->cf: the start time in seconds, as the stock Cluster
 * names them ("1700000000", then "1700000000-1" ...). malloc'd. */
char *ippc_launch_new_set_id(const ippc_launch_t *l);
/* <log_dir>/<prefix>[-<cluster_id>]-<suffix>.log, malloc'd. */
char *ippc_launch_log_path(const ippc_launch_t *l, const char *prefix, const char *suffix);

/* Find a daemon (ippc-controller, ippc-engine) once per launch into *slot (kept: the
 * caller frees it with the launch): $env, beside this program, the build tree's subdir,
 * PATH; and teach proc.c its name. */
int ippc_launch_find_daemon(char **slot, const char *name, const char *env, const char *subdir, ippc_error_t **err);

/* The local back end's controller start, binding to default_ip when the profile names
 * no address ("*" for back ends whose engines run on other hosts). */
int ippc_local_start_controller(ippc_launch_t *l, const char *default_ip, ippc_error_t **err);

/* Stop processes by pid, the way every pid-based back end stops: SIGTERM to the
 * engines, up to grace seconds for them to end, SIGKILL (to the process group of each
 * that leads one) for the rest; then the same for the controllers; then up to 5 s
 * to see them all gone. Returns how many are still alive; *killed counts SIGKILLs. */
size_t ippc_terminate(const pid_t *engines, size_t nengines, const pid_t *controllers, size_t ncontrollers,
                      double grace, size_t *killed);

#endif
