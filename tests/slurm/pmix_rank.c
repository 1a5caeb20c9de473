/* pmix_rank.c - what a task of a PMIx launch learns from its PMIx server.
 *
 * Prints one line, "rank R size N node NODE nspace NS", where R and the namespace come
 * from PMIx_Init, N is the job size (PMIX_JOB_SIZE of the namespace) and NODE is
 * SLURMD_NODENAME (or "-"). Exit status: 0 printed, 2 no PMIx server (PMIx_Init failed),
 * 1 any other failure. tests/slurm/harness.sh runs it under srun --mpi=pmix. */
#include "config.h"

#include <pmix.h>
#include <stdio.h>
#include <stdlib.h>

#include "pmix_lsan.h"

int main(void)
{
    pmix_proc_t me, job;
    pmix_value_t *val = NULL;
    pmix_status_t rc = PMIx_Init(&me, NULL, 0);
    if (rc != PMIX_SUCCESS) {
        fprintf(stderr, "pmix_rank: PMIx_Init: %s (no PMIx server?)\n", PMIx_Error_string(rc));
        return 2;
    }
    PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
    rc = PMIx_Get(&job, PMIX_JOB_SIZE, NULL, 0, &val);
    int status = 0;
    if (rc != PMIX_SUCCESS || !val || val->type != PMIX_UINT32) {
        fprintf(stderr, "pmix_rank: rank %u: PMIx_Get(PMIX_JOB_SIZE): %s\n", me.rank, PMIx_Error_string(rc));
        status = 1;
    } else {
        const char *node = getenv("SLURMD_NODENAME");
        printf("rank %u size %u node %s nspace %s\n", me.rank, val->data.uint32, node ? node : "-", me.nspace);
        fflush(stdout);
    }
    if (val)
        PMIX_VALUE_RELEASE(val);
    rc = PMIx_Finalize(NULL, 0);
    if (rc != PMIX_SUCCESS) {
        fprintf(stderr, "pmix_rank: rank %u: PMIx_Finalize: %s\n", me.rank, PMIx_Error_string(rc));
        status = 1;
    }
    return status;
}
