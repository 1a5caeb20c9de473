/* mpi.c - the mpi back end: the controller here, the engines under Open MPI's mpirun
 * (mpi.mpirun, mpi.args), which serves PMIx to them: `ippc-engine --pmix` takes its
 * rank as engine id and rank 0 passes the connection info on. Inside a Slurm
 * allocation mpirun places the engines on its nodes itself. */
#include "config.h"

#include <string.h>

#include "error_int.h"
#include "launcher.h"
#include "step.h"

static int mpirun_command(ippc_launch_t *l, const ippc_step_kind_t *k, long n, const char *step_name,
                          const ippc_argv_t *env, ippc_argv_t *out, ippc_error_t **err)
{
    (void)k;
    (void)step_name;
    const ippc_profile_mpi_t *m = &l->profile->mpi;
    ippc_argv_add(out, m->mpirun ? m->mpirun : "mpirun");
    ippc_argv_addf(out, "-n");
    ippc_argv_addf(out, "%ld", n);
    for (size_t i = 0; i < m->args.n; i++)
        ippc_argv_add(out, m->args.items[i]);
    /* mpirun hands its own environment to local ranks only: name the engines' variables. */
    for (size_t i = 0; i < env->n; i++) {
        ippc_argv_add(out, "-x");
        ippc_argv_addf(out, "%.*s", (int)strcspn(env->v[i], "="), env->v[i]);
    }
    return out->failed ? ippc_error_set(err, IPPC_E_NOMEM, "out of memory") : 0;
}

static const ippc_step_kind_t mpirun_kind = {.name = "mpirun", .pmix = true, .command = mpirun_command};

static int mpi_start_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    return ippc_step_start_engines(l, &mpirun_kind, n, err);
}

const ippc_launcher_ops_t ippc_launcher_mpi = IPPC_STEP_BACKEND("mpi", mpi_start_engines);
