/* lifecycle_api.c - the C API of the launcher (ippc_cluster_new/start/connect/stop) as a
 * program uses it: a cluster under a new id, its engines answer, stop leaves nothing to
 * connect to; a second stop, an engine that cannot start and a timeout are errors of
 * the documented codes. Prints one line per check; exit 1 on the first failure.
 * Run by tests/cli/lifecycle.sh (IPYTHONDIR private, IPPC_IPPCTL set). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ippc.h"

static int failed(const char *what, ippc_error_t **err)
{
    printf("FAILED %s: %s: %s\n", what, *err ? ippc_errcode_name(ippc_error_code(*err)) : "-",
           *err ? ippc_error_message(*err) : "no error");
    ippc_error_destroy(err);
    return 1;
}

/* A start that must fail with code; its message must contain text. */
static int start_fails(const char *const *settings, double timeout, ippc_errcode_t code, const char *text)
{
    ippc_error_t *err = NULL;
    ippc_cluster_opts_t o = {.n = 1, .settings = settings};
    ippc_cluster_t *cl = ippc_cluster_new(&o, &err);
    if (!cl)
        return failed("ippc_cluster_new", &err);
    int rc = ippc_cluster_start(cl, timeout, &err);
    ippc_cluster_destroy(&cl);
    if (rc == 0 || ippc_error_code(err) != code || !strstr(ippc_error_message(err), text))
        return failed(text, &err);
    printf("start fails with %s (%s)\n", ippc_errcode_name(code), text);
    ippc_error_destroy(&err);
    return 0;
}

int main(void)
{
    ippc_error_t *err = NULL;
    ippc_cluster_opts_t o = {.n = 2};
    ippc_cluster_t *cl = ippc_cluster_new(&o, &err);
    if (!cl)
        return failed("ippc_cluster_new", &err);
    const char *id = ippc_cluster_id(cl);
    const char *dash = strchr(id, '-');
    if (!dash || dash == id || strlen(dash + 1) != 4 || !isdigit((unsigned char)id[0])) {
        printf("FAILED: cluster id '%s' is not <seconds>-<4 chars>\n", id);
        return 1;
    }
    ippc_client_t *c = ippc_cluster_connect(cl, 1, &err);
    if (c || ippc_error_code(err) != IPPC_E_STATE)
        return failed("connect before start must be IPPC_E_STATE", &err);
    ippc_error_destroy(&err);
    if (ippc_cluster_start(cl, 120, &err) != 0)
        return failed("ippc_cluster_start", &err);
    if (!(c = ippc_cluster_connect(cl, 30, &err)))
        return failed("ippc_cluster_connect", &err);
    const int *ids;
    size_t n = 0;
    ippc_client_ids(c, &ids, &n);
    if (n != 2)
        return printf("FAILED: %zu engines registered after start, not 2\n", n), 1;
    ippc_view_t *v = ippc_client_view(c, NULL, &err);
    ippc_value_t *val = v ? ippc_view_apply_sync(v, "lambda: 6 * 7", NULL, NULL, NULL, &err) : NULL;
    if (!val)
        return failed("apply on the new cluster", &err);
    char *repr = ippc_value_repr(val);
    printf("cluster %s: 2 engines, apply gives %s\n", id, repr);
    int bad = strcmp(repr, "[42, 42]") != 0;
    free(repr);
    ippc_value_destroy(&val);
    ippc_view_destroy(&v);
    ippc_client_destroy(&c);
    if (bad)
        return printf("FAILED: wrong apply result\n"), 1;
    if (ippc_cluster_stop(cl, &err) != 0)
        return failed("ippc_cluster_stop", &err);
    printf("stopped\n");
    if (ippc_cluster_stop(cl, &err) == 0 || ippc_error_code(err) != IPPC_E_STATE)
        return failed("a second stop must be IPPC_E_STATE", &err);
    ippc_error_destroy(&err);
    if ((c = ippc_cluster_connect(cl, 1, &err)))
        return printf("FAILED: connected to a stopped cluster\n"), 1;
    ippc_error_destroy(&err);
    ippc_cluster_destroy(&cl);

    const char *broken[] = {"engines.startup=import no_such_module_xyz", NULL};
    const char *slow[] = {"engines.startup=import time; time.sleep(60)", NULL};
    if (start_fails(broken, 120, IPPC_E_STATE, "No module named 'no_such_module_xyz'") ||
        start_fails(slow, 2, IPPC_E_TIMEOUT, "0 of 1 engines registered within 2 s"))
        return 1;
    return 0;
}
