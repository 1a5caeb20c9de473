/* cluster.c - finding a running cluster the way Cluster.from_file() does (the cluster
 * file of a profile and cluster id) and connecting a client to it the way
 * Cluster.connect_client() does (wait for both connection files while the controller
 * lives). Starting and stopping clusters belongs to the launchers. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "client_int.h"
#include "cluster_int.h"
#include "clusterfile.h"
#include "error_int.h"

/* How often connecting looks for the connection files (stock: 0.1 s). */
#define FILE_POLL_NS 100000000L

void ippc_cluster_destroy(ippc_cluster_t **clp)
{
    if (!clp || !*clp)
        return;
    ippc_cluster_t *cl = *clp;
    *clp = NULL;
    free(cl->path);
    free(cl->cluster_id);
    free(cl->profile_dir);
    ippc_clusterfile_destroy(&cl->cf);
    ippc_cluster_launch_free(cl->launch);
    free(cl);
}

/* A profile name, or a directory when it holds a '/'. */
static char *resolve_profile_dir(const char *profile)
{
    if (profile && strchr(profile, '/'))
        return strdup(profile);
    return ippc_profile_dir(profile);
}

int ippc_cluster_load(ippc_cluster_t *cl, const char *profile, const char *cluster_id, ippc_error_t **err)
{
    if (!cluster_id)
        cluster_id = "";
    char *pdir = resolve_profile_dir(profile);
    char *path = pdir ? ippc_cluster_file_path(pdir, cluster_id) : NULL;
    ippc_clusterfile_t *cf = NULL;
    char *id = NULL, *dir = NULL;
    int rc = -1;
    struct stat st;
    if (!path) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    } else if (stat(path, &st) != 0) {
        ippc_error_set(err, IPPC_E_NOTFOUND, "no cluster file %s (is the cluster running? ippctl start%s%s)", path,
                       *cluster_id ? " --cluster-id " : "", cluster_id);
    } else if ((cf = ippc_clusterfile_read(path, err))) {
        /* the file's own record wins: the cluster may have been started elsewhere */
        id = strdup(cf->cluster_id ? cf->cluster_id : cluster_id);
        dir = strdup(cf->profile_dir && *cf->profile_dir ? cf->profile_dir : pdir);
        if (!id || !dir)
            ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        else
            rc = 0;
    }
    if (rc == 0) {
        if (cl->cluster_id && strcmp(cl->cluster_id, id) == 0) {
            free(id); /* keep the string ippc_cluster_id() gave out */
            id = cl->cluster_id;
            cl->cluster_id = NULL;
        }
        free(cl->path);
        free(cl->cluster_id);
        free(cl->profile_dir);
        ippc_clusterfile_destroy(&cl->cf);
        cl->path = path;
        cl->cluster_id = id;
        cl->profile_dir = dir;
        cl->cf = cf;
    } else {
        free(path);
        free(id);
        free(dir);
        ippc_clusterfile_destroy(&cf);
    }
    free(pdir);
    return rc;
}

ippc_cluster_t *ippc_cluster_from_file(const char *profile, const char *cluster_id, ippc_error_t **err)
{
    ippc_cluster_t *cl = calloc(1, sizeof(*cl));
    if (!cl) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (ippc_cluster_load(cl, profile, cluster_id, err) != 0)
        ippc_cluster_destroy(&cl);
    return cl;
}

const char *ippc_cluster_id(const ippc_cluster_t *cl) { return cl ? cl->cluster_id : NULL; }
const char *ippc_cluster_profile_dir(const ippc_cluster_t *cl) { return cl ? cl->profile_dir : NULL; }

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

ippc_client_t *ippc_cluster_connect(ippc_cluster_t *cl, double timeout, ippc_error_t **err)
{
    if (!cl) {
        ippc_error_set(err, IPPC_E_INVALID, "ippc_cluster_connect: no cluster");
        return NULL;
    }
    if (!cl->cf) {
        ippc_error_set(err, IPPC_E_STATE, "ippc_cluster_connect: the cluster is not running (ippc_cluster_start "
                       "starts it)");
        return NULL;
    }
    char *client_file = ippc_connection_file_path(cl->profile_dir, cl->cluster_id, "client");
    char *engine_file = ippc_connection_file_path(cl->profile_dir, cl->cluster_id, "engine");
    ippc_client_t *c = NULL;
    if (!client_file || !engine_file) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        goto out;
    }
    ippc_deadline_t dl = ippc_deadline_in(timeout);
    while (!file_exists(client_file) || !file_exists(engine_file)) {
        if (cl->cf->controller_class && ippc_launcher_status(&cl->cf->controller) == IPPC_PROC_DEAD) {
            ippc_error_set(err, IPPC_E_STATE, "the controller (pid %lld) stopped while waiting for %s",
                           cl->cf->controller.pid, client_file);
            goto out;
        }
        if (ippc_deadline_passed(&dl)) {
            ippc_error_set(err, IPPC_E_TIMEOUT, "no connection file %s after %g s (is the controller running?)",
                           client_file, timeout);
            goto out;
        }
        struct timespec pause = {0, FILE_POLL_NS};
        nanosleep(&pause, NULL);
    }
    long ms = ippc_deadline_ms(&dl);
    c = ippc_client_connect(client_file, ms < 0 ? timeout : ms / 1000.0, err);
out:
    free(client_file);
    free(engine_file);
    return c;
}
