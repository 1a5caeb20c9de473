/* push_pull.c - "Basic push and pull": push a namespace to the engines, pull names
 * back from all of them or from one, several names at once, and non-blocking. */
#include "example.h"

/* push ns and show what the call returned. */
static void push(ippc_view_t *dview, const char *literal)
{
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL, *ns = ex_lit(literal);
    ippc_result_t *ar = ippc_view_push(dview, ns, NULL, &err);
    if (!ar || ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("push", err);
    ex_out(v, "[None, None, None, None]");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);
    ippc_value_destroy(&ns);
}

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_view_set_block(dview, true);
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("dview.push(dict(a=1.03234, b=3453))");
    push(dview, "{'a': 1.03234, 'b': 3453}");

    ex_in("dview.pull('a')");
    v = ex_ok(ippc_view_pull_sync(dview, "a", NULL, &err), "pull", err);
    ex_out(v, "[1.03234, 1.03234, 1.03234, 1.03234]");
    ippc_value_destroy(&v);

    ex_in("dview.pull('b', targets=0)");
    ippc_opts_t one = {.targets = "0"};
    v = ex_ok(ippc_view_pull_sync(dview, "b", &one, &err), "pull", err);
    ex_out(v, "3453");
    ippc_value_destroy(&v);

    /* Several names: each engine gives one sequence of the values (libippc gives a
     * tuple per engine where the stock client gives a list; the values are the same). */
    ex_in("dview.pull(('a', 'b'))");
    v = ex_ok(ippc_view_pull_sync(dview, "a, b", NULL, &err), "pull", err);
    ex_out(v, NULL);
    ippc_value_t *expect = ex_lit("(1.03234, 3453)");
    bool same = ippc_value_type(v) == IPPC_T_LIST && ippc_value_len(v) == 4;
    for (size_t i = 0; same && i < 4; i++)
        same = ippc_value_equal(ippc_value_item(v, i), expect);
    ex_check(same, "the seed shows [[1.03234, 3453], [1.03234, 3453], [1.03234, 3453], [1.03234, 3453]]");
    ippc_value_destroy(&expect);
    ippc_value_destroy(&v);

    ex_in("dview.push(dict(c='speed'))");
    push(dview, "{'c': 'speed'}");

    ex_in("ar = dview.pull('a', block=False)");
    ippc_opts_t async = {.block = IPPC_FLAG_OFF};
    ippc_result_t *ar = ippc_view_pull(dview, "a", &async, &err);
    if (!ar)
        ex_die("pull", err);
    ex_in("ar.get()");
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("get", err);
    ex_out(v, "[1.03234, 1.03234, 1.03234, 1.03234]");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("dview.pull('c', targets=[1, 3])");
    ippc_opts_t odd = {.targets = "[1, 3]"};
    v = ex_ok(ippc_view_pull_sync(dview, "c", &odd, &err), "pull", err);
    ex_out(v, "['speed', 'speed']");
    ippc_value_destroy(&v);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
