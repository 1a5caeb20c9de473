/* pmix_boot.c - the connection info and the engine id through PMIx (see pmix_boot.h). */
#include "config.h"

#include "pmix_boot.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connect.h"
#include "elog.h"
#include "error_int.h"

bool pmix_boot_wanted(bool requested)
{
    const char *ns = getenv("PMIX_NAMESPACE"), *rank = getenv("PMIX_RANK");
    return requested || (ns && *ns) || (rank && *rank);
}

#ifdef HAVE_PMIX
#include <pmix.h>

struct pmix_boot {
    pmix_proc_t me;
    uint32_t size; /* 0 when the server did not say */
};

/* 0 and *out with a PMIx server; -1 and err (the PMIx status) without one. */
static int boot_init(pmix_boot_t **out, ippc_error_t **err)
{
    pmix_boot_t *pb = calloc(1, sizeof *pb);
    if (!pb)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    /* PMIx starts a progress thread, which must not take the engine's signals. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pmix_status_t rc = PMIx_Init(&pb->me, NULL, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != PMIX_SUCCESS) {
        free(pb);
        return ippc_error_set(err, IPPC_E_CONNECT, "PMIx_Init: %s", PMIx_Error_string(rc));
    }
    pmix_proc_t job;
    PMIX_LOAD_PROCID(&job, pb->me.nspace, PMIX_RANK_WILDCARD);
    pmix_value_t *v = NULL;
    if (PMIx_Get(&job, PMIX_JOB_SIZE, NULL, 0, &v) == PMIX_SUCCESS && v && v->type == PMIX_UINT32)
        pb->size = v->data.uint32;
    if (v)
        PMIX_VALUE_RELEASE(v);
    *out = pb;
    return 0;
}

void pmix_boot_finalize(pmix_boot_t **pb)
{
    if (!pb || !*pb)
        return;
    pmix_status_t rc = PMIx_Finalize(NULL, 0);
    if (rc != PMIX_SUCCESS)
        log_warn("PMIx_Finalize: %s", PMIx_Error_string(rc));
    free(*pb);
    *pb = NULL;
}

static int put_string(const char *key, const char *s, ippc_error_t **err)
{
    pmix_value_t v;
    PMIX_VALUE_LOAD(&v, s, PMIX_STRING);
    pmix_status_t rc = PMIx_Put(PMIX_GLOBAL, key, &v);
    PMIX_VALUE_DESTRUCT(&v);
    if (rc != PMIX_SUCCESS)
        return ippc_error_set(err, IPPC_E_IO, "PMIx_Put(%s): %s", key, PMIx_Error_string(rc));
    return 0;
}

/* The one Fence of the process. Slurm's PMIx server ignores PMIX_TIMEOUT on a fence (its
 * own limit is PMIxTimeout, 300 s by default), so the engine keeps its own deadline with
 * PMIx_Fence_nb. Static: after a timeout the callback may still come, while the process
 * is on its way out. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    pmix_status_t status;
    pmix_proc_t job;
    pmix_info_t info;
} g_fence = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fence_done(pmix_status_t status, void *cbdata)
{
    (void)cbdata;
    pthread_mutex_lock(&g_fence.mu);
    g_fence.status = status;
    g_fence.done = true;
    pthread_cond_signal(&g_fence.cv);
    pthread_mutex_unlock(&g_fence.mu);
}

/* Every rank: wait (at most timeout_s) for all, collecting what rank 0 Put. */
static int fence(const pmix_boot_t *pb, int timeout_s, ippc_error_t **err)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g_fence.cv, &ca);
    pthread_condattr_destroy(&ca);
    PMIX_LOAD_PROCID(&g_fence.job, pb->me.nspace, PMIX_RANK_WILDCARD);
    bool collect = true;
    PMIX_INFO_LOAD(&g_fence.info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
    pmix_status_t rc = PMIx_Fence_nb(&g_fence.job, 1, &g_fence.info, 1, fence_done, NULL);
    if (rc == PMIX_OPERATION_SUCCEEDED)
        return 0;
    if (rc != PMIX_SUCCESS)
        return ippc_error_set(err, IPPC_E_IO, "PMIx_Fence_nb: %s", PMIx_Error_string(rc));
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_s;
    pthread_mutex_lock(&g_fence.mu);
    while (!g_fence.done && pthread_cond_timedwait(&g_fence.cv, &g_fence.mu, &deadline) != ETIMEDOUT)
        ;
    bool done = g_fence.done;
    rc = g_fence.status;
    pthread_mutex_unlock(&g_fence.mu);
    if (!done)
        return ippc_error_set(err, IPPC_E_TIMEOUT,
                              "PMIx_Fence of the %u ranks of %s: not complete after %d s (a rank died or never "
                              "started, or rank 0 is still without the connection info)",
                              pb->size, pb->me.nspace, timeout_s);
    if (rc != PMIX_SUCCESS)
        return ippc_error_set(err, IPPC_E_IO, "PMIx_Fence of the %u ranks of %s: %s", pb->size, pb->me.nspace,
                              PMIx_Error_string(rc));
    return 0;
}

/* A string rank 0 Put, malloc'd. */
static char *get_string(const pmix_boot_t *pb, const char *key, ippc_error_t **err)
{
    pmix_proc_t root;
    PMIX_LOAD_PROCID(&root, pb->me.nspace, 0);
    pmix_value_t *v = NULL;
    pmix_status_t rc = PMIx_Get(&root, key, NULL, 0, &v);
    char *s = NULL;
    if (rc != PMIX_SUCCESS || !v || v->type != PMIX_STRING)
        ippc_error_set(err, IPPC_E_NOTFOUND, "PMIx_Get(%s of rank 0 in %s): %s", key, pb->me.nspace,
                       rc != PMIX_SUCCESS ? PMIx_Error_string(rc) : "not a string");
    else if (!(s = strdup(v->data.string ? v->data.string : "")))
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    if (v)
        PMIX_VALUE_RELEASE(v);
    return s;
}

/* Rank 0: load the info as without PMIx, Put it (or why it failed), Commit, Fence. The
 * others are waiting in the Fence, so it happens even when the load failed. */
static int share(engine_t *e, const pmix_boot_t *pb, int timeout_s, ippc_error_t **err)
{
    ippc_error_t *lerr = NULL;
    char *json = NULL;
    if (connect_load_info(e, &lerr) == 0) {
        json_t *j = ippc_conninfo_to_json(e->ci);
        json = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!json)
            ippc_error_set(&lerr, IPPC_E_NOMEM, "out of memory");
    }
    ippc_error_t *perr = NULL;
    int rc = put_string(PMIX_BOOT_KEY_CONN, json ? json : "", &perr);
    if (rc == 0)
        rc = put_string(PMIX_BOOT_KEY_ERROR, lerr ? ippc_error_message(lerr) : "", &perr);
    if (rc == 0) {
        pmix_status_t st = PMIx_Commit();
        if (st != PMIX_SUCCESS)
            rc = ippc_error_set(&perr, IPPC_E_IO, "PMIx_Commit: %s", PMIx_Error_string(st));
    }
    if (rc == 0)
        rc = fence(pb, timeout_s, &perr);
    free(json);
    if (lerr) { /* the cause the user has to fix comes first */
        ippc_error_set(err, ippc_error_code(lerr), "%s", ippc_error_message(lerr));
        rc = -1;
    } else if (perr) {
        ippc_error_set(err, ippc_error_code(perr), "%s", ippc_error_message(perr));
    }
    ippc_error_destroy(&lerr);
    ippc_error_destroy(&perr);
    if (rc == 0)
        log_info("PMIx: shared the connection info with the %u ranks of %s", pb->size, pb->me.nspace);
    return rc;
}

/* The other ranks: Fence, then rank 0's keys; no file is looked for. */
static int receive(engine_t *e, const pmix_boot_t *pb, int timeout_s, ippc_error_t **err)
{
    if (fence(pb, timeout_s, err) < 0)
        return -1;
    char *failure = get_string(pb, PMIX_BOOT_KEY_ERROR, err);
    if (!failure)
        return -1;
    if (*failure) {
        ippc_error_set(err, IPPC_E_NOTFOUND, "rank 0 of PMIx job %s could not load the connection info: %s",
                       pb->me.nspace, failure);
        free(failure);
        return -1;
    }
    free(failure);
    char *json = get_string(pb, PMIX_BOOT_KEY_CONN, err);
    if (!json)
        return -1;
    e->ci = ippc_conninfo_parse(json, strlen(json), "the connection info from PMIx rank 0", err);
    free(json);
    if (!e->ci)
        return -1;
    if (e->ci->side != IPPC_SIDE_ENGINE)
        return ippc_error_set(err, IPPC_E_PARSE, "PMIx rank 0 shared a client connection info, not the engine one");
    if (e->opt->location) { /* as connect_load_info: the option wins over the file */
        char *loc = strdup(e->opt->location);
        if (!loc)
            return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        free(e->ci->location);
        e->ci->location = loc;
    }
    log_info("PMIx: connection info from rank 0 of %s", pb->me.nspace);
    return 0;
}

int pmix_boot_load_info(engine_t *e, bool requested, pmix_boot_t **pbp, int *id_hint, ippc_error_t **err)
{
    *pbp = NULL;
    *id_hint = -1;
    if (!pmix_boot_wanted(requested))
        return connect_load_info(e, err);
    pmix_boot_t *pb = NULL;
    ippc_error_t *why = NULL;
    if (boot_init(&pb, &why) < 0) {
        log_warn("%s, but no PMIx server answered (%s): loading the connection info without PMIx",
                 requested ? "--pmix given" : "a PMIx job (PMIX_NAMESPACE/PMIX_RANK set)", ippc_error_message(why));
        ippc_error_destroy(&why);
        return connect_load_info(e, err);
    }
    *pbp = pb;
    log_info("PMIx: rank %u of %u in %s", pb->me.rank, pb->size, pb->me.nspace);
    int timeout_s = (int)e->opt->timeout + 1 + PMIX_BOOT_SLACK;
    int rc = pb->me.rank == 0 ? share(e, pb, timeout_s, err) : receive(e, pb, timeout_s, err);
    if (rc == 0)
        *id_hint = (int)pb->me.rank;
    return rc;
}

#else /* built without PMIx */

int pmix_boot_load_info(engine_t *e, bool requested, pmix_boot_t **pbp, int *id_hint, ippc_error_t **err)
{
    *pbp = NULL;
    *id_hint = -1;
    if (requested)
        log_warn("--pmix: this ippc-engine was built without PMIx (configure found no pmix.pc; "
                 "apt-get install libpmix-dev and rebuild): loading the connection info without it");
    return connect_load_info(e, err);
}

void pmix_boot_finalize(pmix_boot_t **pb)
{
    if (pb)
        *pb = NULL;
}

#endif
