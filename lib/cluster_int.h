/* cluster_int.h - the cluster record, shared by cluster.c (finding a running cluster,
 * connecting to it) and cluster_launch.c (starting and stopping one). Not installed. */
#ifndef IPPC_CLUSTER_INT_H
#define IPPC_CLUSTER_INT_H

#include "clusterfile.h"
#include "ippc.h"

struct ippc_cluster_launch; /* what ippc_cluster_new was asked for (cluster_launch.c) */

struct ippc_cluster {
    char *path;       /* the cluster file; NULL until started or found */
    char *cluster_id;
    char *profile_dir;
    ippc_clusterfile_t *cf;
    struct ippc_cluster_launch *launch; /* NULL for a cluster found by ippc_cluster_from_file */
};

/* (Re)read the cluster file of profile (a name or a directory) and cluster_id into cl,
 * replacing what it held (its launch options stay). */
int ippc_cluster_load(ippc_cluster_t *cl, const char *profile, const char *cluster_id, ippc_error_t **err);
/* Release the launch options (cluster_launch.c); NULL is fine. */
void ippc_cluster_launch_free(struct ippc_cluster_launch *launch);

#endif
