/* targets.c - "The block and targets keyword arguments and attributes": a view's
 * targets and block flag are the defaults of its calls, and per-call options override
 * them for one call. */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("dview.targets = [0, 2]");
    if (ippc_view_set_targets(dview, "[0, 2]", &err) != 0)
        ex_die("targets", err);
    ex_in("dview.block = False");
    ippc_view_set_block(dview, false);
    ex_in("ar = dview.apply(lambda : 10)");
    ippc_result_t *ar = ippc_view_apply(dview, "lambda : 10", NULL, NULL, NULL, &err);
    if (!ar)
        ex_die("apply", err);
    ex_in("ar.get()");
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("get", err);
    ex_out(v, "[10, 10]");
    ex_check(ippc_result_len(ar) == 2 && ippc_result_engine_id(ar, 0) == 0 && ippc_result_engine_id(ar, 1) == 2,
             "the requests went to engines 0 and 2");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("dview.targets = rc.ids  # all engines (4)");
    const int *ids;
    size_t n;
    ippc_client_ids(rc, &ids, &n);
    char spec[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%d", i ? "," : "", ids[i]);
    if (ippc_view_set_targets(dview, spec, &err) != 0)
        ex_die("targets", err);
    ex_in("dview.block = True");
    ippc_view_set_block(dview, true);
    ex_in("dview.apply(lambda : 42)");
    ar = ippc_view_apply(dview, "lambda : 42", NULL, NULL, NULL, &err);
    if (!ar || ippc_result_get(ar, 0, &v, &err) != 0)
        ex_die("apply", err);
    ex_out(v, "[42, 42, 42, 42]");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    /* Per-call options: this one call goes to engine 3 only, without blocking. */
    ex_in("ar = dview.apply_async(lambda : 7, targets=3)  # keyword arguments for one call");
    ippc_opts_t opts = {.targets = "3", .block = IPPC_FLAG_OFF};
    ar = ippc_view_apply(dview, "lambda : 7", NULL, NULL, &opts, &err);
    if (!ar)
        ex_die("apply", err);
    ex_in("ar.get()");
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("get", err);
    ex_out(v, "7"); /* one int target gives a single value, like rc[3] */
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
