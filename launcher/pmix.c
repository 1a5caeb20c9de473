/* pmix.c - the pmix back end: the controller here, the engines as one
 * `srun --mpi=pmix` step running `ippc-engine --pmix`, so that each engine's id is its
 * rank and only rank 0 (on the first node of the step) reads the connection file; the
 * others get it from rank 0 through PMIx (engine/pmix_boot.h). */
#include "config.h"

#include "launcher.h"
#include "step.h"

static int pmix_start_engines(ippc_launch_t *l, long n, ippc_error_t **err)
{
    return ippc_step_start_engines(l, &ippc_srun_pmix_kind, n, err);
}

const ippc_launcher_ops_t ippc_launcher_pmix = IPPC_STEP_BACKEND("pmix", pmix_start_engines);
