/* pmix_boot_test.c - engine/pmix_boot.c on its own, as each engine task of a PMIx launch
 * runs it, without the rest of the engine.
 *
 * Usage: pmix_boot_test [--pmix] [--timeout SECONDS] [--location HOST]
 * The engine's connect_load_info is replaced (link seam) by one that reads the file named
 * by IPPC_PMIX_TEST_FILE (failing when unset or unreadable), after sleeping
 * IPPC_PMIX_TEST_DELAY seconds (a controller still starting), and says on stdout that it
 * ran: in a PMIx launch only rank 0 may load a file. With IPPC_PMIX_TEST_DIE set it exits
 * at once with status 3 instead (a rank 0 that dies before sharing).
 * Built with a short PMIX_BOOT_SLACK (tests/Makefile.am), so Fence deadlines come soon.
 * Then prints "task T id_hint H registration P key K location L" (T: SLURM_PROCID or
 * PMIX_RANK or "-") and exits 0, or prints "task T: error: MESSAGE" on stderr and exits 1. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect.h"
#include "error_int.h"
#include "log.h"
#include "pmix_boot.h"

#include "pmix_lsan.h"

static const char *task(void)
{
    const char *t = getenv("SLURM_PROCID");
    if (!t)
        t = getenv("PMIX_RANK");
    return t ? t : "-";
}

int connect_load_info(engine_t *e, ippc_error_t **err)
{
    const char *path = getenv("IPPC_PMIX_TEST_FILE");
    const char *delay = getenv("IPPC_PMIX_TEST_DELAY");
    printf("task %s loads the connection file %s\n", task(), path ? path : "(none)");
    fflush(stdout);
    if (getenv("IPPC_PMIX_TEST_DIE"))
        _exit(3);
    if (delay)
        sleep((unsigned)atoi(delay));
    if (!path)
        return ippc_error_set(err, IPPC_E_NOTFOUND, "no connection file (IPPC_PMIX_TEST_FILE unset)");
    e->ci = ippc_conninfo_read(path, err);
    return e->ci ? 0 : -1;
}

int main(int argc, char **argv)
{
    eng_options_t opt = {.timeout = 10, .requested_id = -1};
    bool pmix = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pmix"))
            pmix = true;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            opt.timeout = atof(argv[++i]);
        else if (!strcmp(argv[i], "--location") && i + 1 < argc)
            opt.location = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--pmix] [--timeout SECONDS] [--location HOST]\n", argv[0]);
            return 2;
        }
    }
    ippc_log_set_level(IPPC_LOG_INFO);
    engine_t e = {.opt = &opt, .id = -1};
    pmix_boot_t *pb = NULL;
    int id_hint = -1;
    ippc_error_t *err = NULL;
    int rc = pmix_boot_load_info(&e, pmix, &pb, &id_hint, &err);
    if (rc == 0)
        printf("task %s id_hint %d registration %d key %s location %s\n", task(), id_hint, e.ci->registration,
               e.ci->key, e.ci->location ? e.ci->location : "(null)");
    else
        fprintf(stderr, "task %s: error: %s\n", task(), ippc_error_message(err));
    ippc_error_destroy(&err);
    pmix_boot_finalize(&pb);
    ippc_conninfo_destroy(&e.ci);
    return rc == 0 ? 0 : 1;
}
