/* async_results.c - "async execution": apply_async returns a result at once; get()
 * waits for it; ready() looks; get(timeout) gives up with "Result not ready."; and
 * ippc_wait waits for a whole list of results.
 *
 * The seed sleeps 2 s, 10 s and 10 x 3 s; this example sleeps 0.5 s, 2 s and
 * 10 x 0.1 s so that the whole tutorial runs in well under a minute. */
#include "example.h"

/* The seed's wait(t), defined in the engines' namespace. */
static const char wait_src[] =
    "def wait(t):\n"
    "    import time\n"
    "    tic = time.time()\n"
    "    time.sleep(t)\n"
    "    return time.time()-tic\n";

/* Every item of the list v is a float in [lo, hi). */
static bool all_between(const ippc_value_t *v, size_t n, double lo, double hi)
{
    if (ippc_value_type(v) != IPPC_T_LIST || ippc_value_len(v) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        const ippc_value_t *x = ippc_value_item(v, i);
        if (ippc_value_type(x) != IPPC_T_FLOAT || ippc_value_float(x) < lo || ippc_value_float(x) >= hi)
            return false;
    }
    return true;
}

static ippc_value_t *float_args(double t)
{
    ippc_value_t *args = ippc_value_new_list();
    ippc_value_append(args, ippc_value_new_float(t));
    return args;
}

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    /* A function is Python source: define it on the engines, then call it by name. */
    ex_in("def wait(t): ...  # defined on the engines with execute");
    if (ippc_view_execute_sync(dview, wait_src, NULL, &err) != 0)
        ex_die("execute", err);

    ex_in("ar = dview.apply_async(wait, 0.5)  # the seed: 2");
    ippc_value_t *args = float_args(0.5);
    ippc_result_t *ar = ippc_view_apply(dview, "wait", args, NULL, NULL, &err);
    if (!ar)
        ex_die("apply_async", err);
    ippc_value_destroy(&args);
    ex_in("ar.get()");
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("get", err);
    ex_out(v, NULL);
    ex_check(all_between(v, 4, 0.5, 1.0), "four times of about 0.5 s");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("ar = dview.apply_async(wait, 2)  # the seed: 10");
    args = float_args(2);
    ar = ippc_view_apply(dview, "wait", args, NULL, NULL, &err);
    if (!ar)
        ex_die("apply_async", err);
    ippc_value_destroy(&args);
    ex_in("ar.ready()");
    bool ready = ippc_result_ready(ar);
    printf("Out: %s\n", ready ? "True" : "False");
    ex_check(!ready, "the seed shows False");

    ex_in("ar.get(1)");
    double t0 = ex_now();
    int rc_get = ippc_result_get(ar, 1, &v, &err);
    double waited = ex_now() - t0;
    if (rc_get == 0) {
        ex_check(false, "get(1) returned a value before the 2 s sleep ended");
        ippc_value_destroy(&v);
    } else {
        printf("TimeoutError: %s\n", ippc_error_message(err));
        ex_check(ippc_error_code(err) == IPPC_E_TIMEOUT && strcmp(ippc_error_message(err), "Result not ready.") == 0,
                 "get(1) times out with \"Result not ready.\"");
        ex_check(waited >= 0.95 && waited < 1.8, "get(1) waited about 1 s (%.2f s)", waited);
        ippc_error_destroy(&err);
    }
    /* Let the engines finish before going on. */
    ex_check(ippc_result_wait(ar, 30), "the 2 s tasks finish");
    ippc_result_destroy(&ar);

    ex_in("ar_list = [dview.apply_async(wait, 0.1) for i in range(10)]  # the seed: wait(3)");
    ippc_result_t *ar_list[10];
    args = float_args(0.1);
    t0 = ex_now();
    for (int i = 0; i < 10; i++)
        if (!(ar_list[i] = ippc_view_apply(dview, "wait", args, NULL, NULL, &err)))
            ex_die("apply_async", err);
    ippc_value_destroy(&args);
    ex_in("dview.wait(ar_list)");
    bool all = ippc_wait(ar_list, 10, 60);
    double took = ex_now() - t0;
    ex_check(all, "every result is ready after wait");
    /* each engine runs its ten requests one after the other: about 10 x 0.1 s */
    ex_check(took >= 1.0 && took < 5.0, "ten 0.1 s tasks per engine took %.2f s", took);
    ex_in("ar_list[0].get()");
    if (ippc_result_get(ar_list[0], 0, &v, &err) != 0)
        ex_die("get", err);
    ex_out(v, NULL);
    ex_check(all_between(v, 4, 0.1, 0.6), "four times of about 0.1 s");
    ippc_value_destroy(&v);
    for (int i = 0; i < 10; i++)
        ippc_result_destroy(&ar_list[i]);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
