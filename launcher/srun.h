/* srun.h - the srun command line of an engine step (srun.c): for the srun and pmix
 * back ends, and for the batch script of the slurm back end. Internal to the launcher
 * library. */
#ifndef IPPC_LAUNCHER_SRUN_H
#define IPPC_LAUNCHER_SRUN_H

#include <stdbool.h>

#include "daemon_args.h"
#include "profile.h"

typedef struct {
    long n;                /* tasks: one engine each */
    const char *step_name; /* --job-name: how squeue and ippctl find the step */
    bool in_allocation;    /* a step of a job that exists (--overlap), else srun makes its
                              own allocation (with the job keys: partition, account ...) */
    bool pmix;             /* --mpi=pmix, else --mpi=none */
} ippc_srun_opts_t;

/* The profile's slurm keys as options of sbatch and srun: with job_keys, those that
 * shape a new job (--partition, --account, --qos, --time), then those that shape its
 * tasks (--nodes, --ntasks-per-node, --cpus-per-task); unset keys give nothing. */
void ippc_slurm_options(const ippc_profile_slurm_t *s, bool job_keys, ippc_argv_t *out);

/* Append "srun" and its options (from the profile's slurm section) to out; the engine
 * command follows. */
int ippc_srun_command(const ippc_profile_t *p, const ippc_srun_opts_t *o, ippc_argv_t *out, ippc_error_t **err);

/* Whether this process runs inside a Slurm allocation (SLURM_JOB_ID). */
bool ippc_srun_in_allocation(void);

#endif
