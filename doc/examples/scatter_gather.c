/* scatter_gather.c - "Scatter and gather": split a sequence into one contiguous part
 * per engine, look at the parts, and join them back.
 *
 * The seed ran on Python 2, where range(16) is a list; this example scatters the list
 * [0, 1, ..., 15] to get the seed's output, and then shows what a range gives on
 * Python 3 (one range per engine, as the stock client does too). */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_view_set_block(dview, true);
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("dview.scatter('a', list(range(16)))");
    ippc_value_t *seq = ippc_value_new_list();
    for (int i = 0; i < 16; i++)
        ippc_value_append(seq, ippc_value_new_int(i));
    ippc_result_t *ar = ippc_view_scatter(dview, "a", seq, false, NULL, &err);
    if (!ar || ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("scatter", err);
    ex_out(v, "[None, None, None, None]");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("dview['a']");
    v = ex_ok(ippc_view_get(dview, "a", &err), "dview['a']", err);
    ex_out(v, "[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]");
    ippc_value_destroy(&v);

    ex_in("dview.gather('a')  # non-blocking: a result to wait on");
    ippc_opts_t async = {.block = IPPC_FLAG_OFF};
    ar = ippc_view_gather(dview, "a", &async, &err);
    if (!ar)
        ex_die("gather", err);
    ippc_result_wait(ar, 30);
    printf("Out: <AsyncMapResult: gather:%s>\n", ippc_result_ready(ar) ? "finished" : "pending");
    ex_check(ippc_result_ready(ar), "the gather finished");

    ex_in("dview.gather('a').get()");
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("gather", err);
    ex_out(v, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]");
    ex_check(ippc_value_equal(v, seq), "gather gives back what was scattered");
    /* The seed's dview.gather('a')[3] indexes the joined list. (Its page shows [2],
     * which no version gives: stock 7.1 gives 3.) */
    ex_in("dview.gather('a')[3]");
    ex_out(ippc_value_item(v, 3), "3");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ex_in("dview.scatter('r', range(16)); dview['r']  # a range on Python 3");
    ippc_value_t *r16 = ippc_value_new_range(0, 16, 1);
    if (ippc_view_scatter_sync(dview, "r", r16, false, NULL, &err) != 0)
        ex_die("scatter", err);
    v = ex_ok(ippc_view_get(dview, "r", &err), "dview['r']", err);
    ex_out(v, "[range(0, 4), range(4, 8), range(8, 12), range(12, 16)]");
    ippc_value_destroy(&v);

    ex_in("dview.scatter('a', range(5)); dview['a']  # the first n % 4 engines get one more");
    ippc_value_t *five = ex_lit("[0, 1, 2, 3, 4]");
    if (ippc_view_scatter_sync(dview, "a", five, false, NULL, &err) != 0)
        ex_die("scatter", err);
    v = ex_ok(ippc_view_get(dview, "a", &err), "dview['a']", err);
    ex_out(v, "[[0, 1], [2], [3], [4]]");
    ippc_value_destroy(&v);

    ippc_value_destroy(&five);
    ippc_value_destroy(&r16);
    ippc_value_destroy(&seq);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
