/* slurm_cmd.h - what the Slurm launchers ask Slurm, through its commands (sbatch,
 * scontrol, squeue, scancel) as a user would: submit a script, the state of a job,
 * the id of a step, cancel or signal. Errors name the command, what it printed, and
 * the way out ("Slurm is not reachable ... `scontrol ping`"). Internal to the launcher
 * library. */
#ifndef IPPC_SLURM_CMD_H
#define IPPC_SLURM_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "ippc.h"

/* Seconds a query (scontrol, squeue, scancel) may take: slurm's commands give up on a
 * slurmctld that does not answer after about 10 s (MessageTimeout) themselves. */
#define IPPC_SLURM_QUERY_TIMEOUT 30.0

typedef struct {
    char state[32];     /* PENDING, RUNNING, COMPLETED ...; "" once Slurm has forgotten the job */
    char reason[128];   /* why it pends ("Resources", "PartitionConfig"), "None" */
    char nodes[256];    /* NodeList, "(null)" while pending */
    char exit_code[16]; /* "0:0", "1:0" */
} ippc_slurm_job_t;

/* sbatch --parsable SCRIPT (in the current directory): the job id, malloc'd. Errors
 * quote sbatch ("sbatch refused the job: sbatch: error: invalid partition specified:
 * x"); an unreachable slurmctld is IPPC_E_CONNECT. A signal meanwhile does not cut the
 * submission short. */
char *ippc_slurm_submit(const char *script, ippc_error_t **err);

/* The job's state (scontrol show job). A job Slurm no longer knows gives state "".
 * IPPC_E_CONNECT when slurmctld does not answer. */
int ippc_slurm_job(const char *job, ippc_slurm_job_t *out, ippc_error_t **err);

/* A finished job: COMPLETED, FAILED, CANCELLED, TIMEOUT ... or "" (forgotten). */
bool ippc_slurm_state_final(const char *state);

/* scancel [-s SIG] TARGET (a job, or JOB.STEP). sig 0: cancel. A target already gone
 * is fine. */
int ippc_slurm_cancel(const char *target, int sig, ippc_error_t **err);

/* Poll until the job has ended (or is forgotten), at most timeout seconds. 0 when it
 * has, -1 (IPPC_E_TIMEOUT naming its state) when not. */
int ippc_slurm_wait_final(const char *job, double timeout, ippc_slurm_job_t *last, ippc_error_t **err);

/* The id ("12.0") of the step named step_name of job (NULL: of any job of this user;
 * the last listed), NULL when there is none (yet). */
char *ippc_slurm_step_id(const char *job, const char *step_name);
/* Whether step "12.0" is still known to Slurm (true when Slurm cannot be asked). */
bool ippc_slurm_step_exists(const char *step);

/* What Slurm says of a job ("12": its JobState) or a step ("12.3": RUNNING while squeue
 * lists it), into buf; "" when Slurm no longer knows it. *ended: it has ended (or is
 * forgotten). -1 when Slurm cannot be asked. */
int ippc_slurm_state(const char *id, char *buf, size_t len, bool *ended, ippc_error_t **err);

/* A signal as scancel -s takes it: its name ("INT"), else its number written into buf. */
const char *ippc_slurm_signal_arg(int sig, char *buf, size_t len);

#endif
