/* blocking.c - "Blocking execution": with block set, apply waits and returns the
 * values; apply_sync waits whatever the flag says; execute runs code on some of the
 * engines, and dview['c'] pulls the name from all of them. */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("dview = rc[:]  # a DirectView of all engines");
    ippc_view_t *dview = ex_view(rc, ":");
    ex_in("dview.block = True");
    ippc_view_set_block(dview, true);

    ex_in("dview['a'] = 5");
    ippc_value_t *five = ippc_value_new_int(5), *ten = ippc_value_new_int(10);
    if (ippc_view_set(dview, "a", five, &err) != 0)
        ex_die("dview['a'] = 5", err);
    ex_in("dview['b'] = 10");
    if (ippc_view_set(dview, "b", ten, &err) != 0)
        ex_die("dview['b'] = 10", err);

    /* The function is a Python expression, evaluated in each engine's namespace, so
     * the pushed a and b resolve there. The arguments are a list of values. */
    ippc_value_t *args = ex_lit("[27]");
    ex_in("dview.apply(lambda x: a+b+x, 27)");
    ippc_result_t *ar = ippc_view_apply(dview, "lambda x: a+b+x", args, NULL, NULL, &err);
    if (!ar)
        ex_die("apply", err);
    ex_check(ippc_result_ready(ar), "with block set, apply returns once the engines have replied");
    if (ippc_result_get(ar, 0, &v, &err) != 0)
        ex_die("apply", err);
    ex_out(v, "[42, 42, 42, 42]");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("dview.block = False");
    ippc_view_set_block(dview, false);
    ex_in("dview.apply_sync(lambda x: a+b+x, 27)");
    v = ex_ok(ippc_view_apply_sync(dview, "lambda x: a+b+x", args, NULL, NULL, &err), "apply_sync", err);
    ex_out(v, "[42, 42, 42, 42]");
    ippc_value_destroy(&v);

    /* execute on the even and on the odd engines; the views are non-blocking, and each
     * engine runs its requests in order, so the pull below sees c. */
    ex_in("rc[::2].execute('c = a + b')");
    ippc_view_t *even = ex_view(rc, "::2"), *odd = ex_view(rc, "1::2");
    ippc_result_t *r1 = ippc_view_execute(even, "c = a + b", NULL, &err);
    if (!r1)
        ex_die("execute", err);
    ex_in("rc[1::2].execute('c = a - b')");
    ippc_result_t *r2 = ippc_view_execute(odd, "c = a - b", NULL, &err);
    if (!r2)
        ex_die("execute", err);

    ex_in("dview['c']  # shorthand for dview.pull('c', block=True)");
    v = ex_ok(ippc_view_get(dview, "c", &err), "dview['c']", err);
    ex_out(v, "[15, -5, 15, -5]");
    ippc_value_destroy(&v);

    ippc_result_destroy(&r1);
    ippc_result_destroy(&r2);
    ippc_view_destroy(&even);
    ippc_view_destroy(&odd);
    ippc_value_destroy(&args);
    ippc_value_destroy(&five);
    ippc_value_destroy(&ten);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
