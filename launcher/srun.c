/* srun.c - the srun back end: inside an allocation (an sbatch script, an salloc shell)
 * the controller runs here and the engines as one `srun --overlap` step of the job
 * (step.c); outside one, srun makes its own allocation for the engines. Also the srun
 * command line of an engine step, which the pmix back end and the slurm back end's
 * batch script use too. */
#include "config.h"

#include "srun.h"

#include <stdlib.h>

#include "error_int.h"
#include "launcher.h"
#include "step.h"

bool ippc_srun_in_allocation(void)
{
    const char *job = getenv("SLURM_JOB_ID");
    return job && *job;
}

void ippc_slurm_options(const ippc_profile_slurm_t *s, bool job_keys, ippc_argv_t *out)
{
    const char *text[] = {"partition", s->partition, "account", s->account, "qos", s->qos};
    for (size_t i = 0; job_keys && i < sizeof text / sizeof text[0]; i += 2)
        if (text[i + 1])
            ippc_argv_addf(out, "--%s=%s", text[i], text[i + 1]);
    char *time = job_keys ? ippc_profile_time_format(s->time) : NULL;
    if (time)
        ippc_argv_addf(out, "--time=%s", time);
    free(time);
    const struct {
        const char *name;
        long long v;
    } num[] = {{"nodes", s->nodes}, {"ntasks-per-node", s->ntasks_per_node}, {"cpus-per-task", s->cpus_per_task}};
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        if (num[i].v)
            ippc_argv_addf(out, "--%s=%lld", num[i].name, num[i].v);
}

int ippc_srun_command(const ippc_profile_t *p, const ippc_srun_opts_t *o, ippc_argv_t *out, ippc_error_t **err)
{
    ippc_argv_add(out, "srun");
    /* Inside a job, other steps (the batch script, a client's) may hold its CPUs;
     * outside, srun makes the job. cpus-per-task is given again inside: Slurm 22.05's
     * srun no longer takes it from the job. */
    if (o->in_allocation)
        ippc_argv_add(out, "--overlap");
    ippc_argv_addf(out, "--ntasks=%ld", o->n);
    ippc_slurm_options(&p->slurm, !o->in_allocation, out);
    ippc_argv_addf(out, "--job-name=%s", o->step_name);
    /* One log for the step: each line says which task wrote it. An engine that dies
     * leaves the others running (the controller reports it dead). */
    ippc_argv_add(out, "--label");
    ippc_argv_add(out, "--kill-on-bad-exit=0");
    ippc_argv_addf(out, "--mpi=%s", o->pmix ? "pmix" : "none");
    for (size_t i = 0; i < p->slurm.srun_args.n; i++)
        ippc_argv_add(out, p->slurm.srun_args.items[i]);
    return out->failed ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : 0;
}

/* The step kinds: srun passes our environment on to the tasks by itself. */
static int srun_step_command(ippc_launch_t *l, const ippc_step_kind_t *k, long n, const char *step_name,
                             const ippc_argv_t *env, ippc_argv_t *out, ippc_error_t **err)
{
    (void)env;
    ippc_srun_opts_t o = {.n = n, .step_name = step_name, .in_allocation = ippc_srun_in_allocation(),
                          .pmix = k->pmix};
    return ippc_srun_command(l->profile, &o, out, err);
}

const ippc_step_kind_t ippc_srun_kind = {.name = "srun", .slurm_step = true, .command = srun_step_command};
const ippc_step_kind_t ippc_srun_pmix_kind = {.name = "srun --mpi=pmix", .pmix = true, .slurm_step = true,
                                              .command = srun_step_command};

/* slurm.mpi: pmix makes the srun launcher a pmix one. */
static int srun_start_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    bool pmix = l->profile->slurm.mpi == IPPC_PROFILE_SLURM_MPI_PMIX;
    return ippc_step_start_engines(l, pmix ? &ippc_srun_pmix_kind : &ippc_srun_kind, n, err);
}

const ippc_launcher_ops_t ippc_launcher_srun = IPPC_STEP_BACKEND("srun", srun_start_engines);
