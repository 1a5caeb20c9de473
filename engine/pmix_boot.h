/* pmix_boot.h - engines of a PMIx launch (srun --mpi=pmix, mpirun) learn their id and the
 * controller's connection info through PMIx, so that one node only needs the file.
 *
 * Rank 0 of the PMIx job loads the engine connection info the ordinary way
 * (connect_load_info: --file, IPP_CONNECTION_INFO or the profile's file, waited for) and
 * Puts it as PMIX_BOOT_KEY_CONN, or the reason it could not as PMIX_BOOT_KEY_ERROR; all
 * ranks Fence (collecting data); the other ranks Get rank 0's keys and never look for a
 * file. A launcher therefore places rank 0 on the controller's node (or exports
 * IPP_CONNECTION_INFO). The engine id hint is the rank.
 *
 * PMIx is tried when asked (--pmix) or when the environment names a PMIx job
 * (PMIX_NAMESPACE or PMIX_RANK). Without a PMIx server, or in a build without PMIx, the
 * engine says so and loads the connection info itself. */
#ifndef ENG_PMIX_BOOT_H
#define ENG_PMIX_BOOT_H

#include <stdbool.h>

#include "engine.h"

#define PMIX_BOOT_KEY_CONN "ippc.engine_connection"   /* the engine connection JSON */
#define PMIX_BOOT_KEY_ERROR "ippc.engine_connection_error" /* "" or why rank 0 has none */

typedef struct pmix_boot pmix_boot_t;

/* Should the engine try PMIx: requested (--pmix), or a PMIx job in the environment. */
bool pmix_boot_wanted(bool requested);

/* Fill e->ci, through PMIx when pmix_boot_wanted(requested) and a server answers, else
 * with connect_load_info. *id_hint: the rank, or -1 without PMIx. *pb: the PMIx session
 * to close with pmix_boot_finalize at exit (NULL when PMIx is not in use). Errors: rank
 * 0's failure as seen by every rank ("rank 0 of PMIx job NS could not load ..."), a
 * Fence or Get that failed or timed out (--timeout + 1 + PMIX_BOOT_SLACK seconds), a
 * connection info that does not parse. */
int pmix_boot_load_info(engine_t *e, bool requested, pmix_boot_t **pb, int *id_hint, ippc_error_t **err);

/* PMIx_Finalize and free; NULL is fine. */
void pmix_boot_finalize(pmix_boot_t **pb);

/* Seconds the Fence waits beyond --timeout, for ranks that start late (a test build
 * may set a shorter one). */
#ifndef PMIX_BOOT_SLACK
#define PMIX_BOOT_SLACK 30
#endif

#endif
