/* client_signal.c - Client.send_signal: a signal_request {"sig": N} per target engine
 * on the control channel, then every reply (an engine refusing answers with the stock
 * error content, collected as for any other call). */
#include "config.h"

#include <stdlib.h>

#include "client_int.h"
#include "error_int.h"

int ippc_client_send_signal(ippc_client_t *c, int sig, const char *targets, ippc_error_t **err)
{
    if (ippc_client_check_open(c, err) != 0)
        return -1;
    ippc_targets_t spec, t;
    if (ippc_targets_parse(targets, c->ids, c->nengines, &spec, err) != 0)
        return -1;
    int rc = ippc_client_resolve(c, &spec, &t, err);
    ippc_targets_free(&spec);
    if (rc != 0)
        return -1;
    json_t *content = json_pack("{s:i}", "sig", sig);
    ippc_result_t *r = content ? ippc_result_new(c, IPPC_SHAPE_NONE, false) : NULL;
    if (!r)
        rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < t.n; i++) {
        const ippc_engine_t *e = ippc_client_engine(c, t.ids[i]);
        ippc_task_t *task = e ? ippc_client_send(c, c->control, IPPC_TASK_CONTROL, e, "signal_request", content,
                                                 NULL, NULL, err)
                              : NULL;
        if (!e)
            rc = ippc_error_set(err, IPPC_E_NOTFOUND, "No such engine: %d", t.ids[i]);
        else if (!task || ippc_result_add_task(r, task) != 0)
            rc = ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        ippc_task_unref(&task);
    }
    json_decref(content);
    ippc_targets_free(&t);
    if (rc == 0)
        return ippc_result_finish(r, err);
    ippc_result_destroy(&r);
    return -1;
}
