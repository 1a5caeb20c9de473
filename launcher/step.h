/* step.h - what the srun, pmix and mpi back ends share: the controller runs here (as a
 * local daemon, bound to all interfaces unless the profile names an address), and the
 * engines start as one launcher process here (srun, mpirun) that starts them all,
 * recorded the way the stock MPIEngineSetLauncher records its mpiexec (class "mpi":
 * pid, output_file, n), plus the Slurm job step when there is one (job_id "12.3").
 * Stopping is by that pid (srun and mpirun pass SIGTERM on to the engines), then a
 * check that the step is gone. Internal to the launcher library. */
#ifndef IPPC_LAUNCHER_STEP_H
#define IPPC_LAUNCHER_STEP_H

#include <stdbool.h>

#include "daemon_args.h"
#include "launcher.h"
#include "slurm_cmd.h"

/* The class the step back ends write for their engines. */
#define IPPC_STEP_CLASS "mpi"

/* How a back end turns the engine command into its launcher's command line. */
typedef struct ippc_step_kind {
    const char *name;  /* "srun", for messages */
    bool pmix;         /* engines get --pmix: id = rank, connection info from rank 0 */
    bool slurm_step;   /* the engines are a Slurm step (recorded as job_id "12.3") */
    /* Append the launcher and its options for n tasks (step_name names a Slurm step)
     * to out; the engine command follows them. env: the engines' variables (in the
     * launcher's environment), for a launcher that must name them. */
    int (*command)(ippc_launch_t *l, const struct ippc_step_kind *k, long n, const char *step_name,
                   const ippc_argv_t *env, ippc_argv_t *out, ippc_error_t **err);
} ippc_step_kind_t;

/* The srun kinds (srun.c): a plain step, and one with --mpi=pmix and engines --pmix. */
extern const ippc_step_kind_t ippc_srun_kind;
extern const ippc_step_kind_t ippc_srun_pmix_kind;

/* start_controller of the step back ends: ippc_local_start_controller bound to "*"
 * unless the profile says; a loopback address is noted in l->note (engines on other
 * hosts cannot reach it). */
int ippc_step_start_controller(ippc_launch_t *l, ippc_error_t **err);

/* start_engines: the launcher process of kind k for n engines, as a daemon here, its
 * output (and the engines') in one log. */
int ippc_step_start_engines(ippc_launch_t *l, const ippc_step_kind_t *k, long n, ippc_error_t **err);

/* The engine command every launcher runs per task: ippc-engine and its options (with
 * --pmix when pmix), behind a rank-based delay when engines.registration_spread_ms is
 * set (rank r of n waits r * spread / n ms). The engine program is found once per
 * launch (l->engine_exe). */
int ippc_step_engine_command(ippc_launch_t *l, long n, bool pmix, ippc_argv_t *out, ippc_error_t **err);

/* The Slurm step name of the engines of a cluster ("ippc-engines", "ippc-engines-t1"),
 * malloc'd. */
char *ippc_step_name(const char *cluster_id);

/* signal and stop of class "mpi" (see launcher.h). */
int ippc_step_signal(ippc_cstate_t *cs, int sig, char **how, ippc_error_t **err);
int ippc_step_stop(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err);

/* The operations of a step back end: only how it starts engines differs. */
#define IPPC_STEP_BACKEND(NAME, START_ENGINES)                                                                 \
    {                                                                                                          \
        .name = (NAME), .cls = IPPC_STEP_CLASS, .start_controller = ippc_step_start_controller,                \
        .start_engines = (START_ENGINES), .signal = ippc_step_signal, .job_state = ippc_slurm_state,           \
        .stop = ippc_step_stop                                                                                 \
    }

#endif
