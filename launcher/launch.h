/* launch.h - starting a cluster as a profile describes it, adding engines to a running
 * one, waiting for them, and stopping a cluster recorded in a cluster file, whatever
 * the launcher back end. What `ippctl start/engines/stop` (and through them
 * ippc_cluster_start/stop) do. Internal to the launcher library.
 *
 * Waits take a deadline (ippc_now() seconds) and an `interrupted` flag that a signal
 * handler sets; they return IPPC_E_TIMEOUT / IPPC_E_STATE ("interrupted") then. */
#ifndef IPPC_LAUNCH_H
#define IPPC_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cluster_state.h"
#include "ippc.h"
#include "launcher.h"
#include "profile.h"

/* A launch of the cluster p describes (its profile directory from p->name, its id from
 * p->cluster.cluster_id, its back end from p->cluster.launcher). p must outlive it.
 * timeout: seconds the whole start may take (engines wait as long for the controller). */
ippc_launch_t *ippc_launch_new(const ippc_profile_t *p, double timeout, ippc_error_t **err);
void ippc_launch_destroy(ippc_launch_t **l);

/* Start the controller and p->cluster.n engines and write the cluster file. Refused
 * (IPPC_E_STATE, naming the command that stops it) when the cluster runs already; a
 * stale cluster file (nothing running) is replaced and l->note says so. On failure
 * whatever was started is stopped and the files removed. */
int ippc_launch_start(ippc_launch_t *l, ippc_error_t **err);
/* Take over a running cluster to add engines: load its file (IPPC_E_NOTFOUND: "no
 * cluster ... start one with ippctl start") and check its controller runs (IPPC_E_STATE). */
int ippc_launch_attach(ippc_launch_t *l, ippc_error_t **err);
/* Start n more engines as a new set and record them (under the profile's lock). */
int ippc_launch_add_engines(ippc_launch_t *l, long n, ippc_error_t **err);

/* Wait for the controller's connection files (failing early when it ends) and connect
 * a client. */
ippc_client_t *ippc_launch_connect(ippc_launch_t *l, double deadline, volatile sig_atomic_t *interrupted,
                                   ippc_error_t **err);
/* Wait until `want` engines are registered. progress (may be NULL) is called with the
 * count whenever it changes. A started process that ends is an error (IPPC_E_STATE)
 * carrying its exit status and the end of its log; a timeout names the engines that
 * have not registered and their logs. */
int ippc_launch_wait_engines(ippc_launch_t *l, ippc_client_t *c, size_t want, double deadline,
                             void (*progress)(size_t registered, size_t want, void *data), void *data,
                             volatile sig_atomic_t *interrupted, ippc_error_t **err);

/* Once the start is over (the foreground of ippctl start): 0 while what has no pid
 * here to watch (a batch job) runs, -1 (IPPC_E_STATE: its end state and the end of its
 * output file) once it has ended. Processes with a pid are ippc_launch_next_ended's. */
int ippc_launch_check_running(ippc_launch_t *l, ippc_error_t **err);

/* The next started process found ended since the last call (each is handed out once),
 * or NULL. */
ippc_started_t *ippc_launch_next_ended(ippc_launch_t *l);
/* "engine 2 of set 17000 (pid 1234) exited with status 1; the end of its log
 * <path>:\n    ..." malloc'd. */
char *ippc_launch_describe_ended(const ippc_started_t *s);

/* Stop everything this launch started and remove the cluster's files (when the cluster
 * file still records this launch's controller). For failures and interrupts. */
void ippc_launch_abort(ippc_launch_t *l);
/* Whether the cluster file still records the controller this launch started (its pid,
 * or its batch job; a stop from elsewhere may have removed it, or another start
 * replaced it). */
bool ippc_launch_owns_file(ippc_launch_t *l);

/* Stop the cluster cs records: the back end of its class stops the processes, then
 * the cluster and connection files are removed. IPPC_E_NOTFOUND when there is no
 * cluster file; IPPC_E_STATE when it records nothing running (the stale file is then
 * removed, and res->files says so). */
int ippc_cluster_stop_state(ippc_cstate_t *cs, double grace, ippc_stop_result_t *res, ippc_error_t **err);

/* The engine id a log of ippc-engine says it registered as, -1 when none. */
int ippc_engine_log_id(const char *log_path);

#endif
