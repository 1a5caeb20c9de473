/* parallel_map.c - "Parallel map": DirectView.map_sync of x**10 over range(32) gives
 * the same list as the serial map. */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;

    ex_in("serial_result = list(map(lambda x: x**10, range(32)))");
    ippc_value_t *serial_result = ippc_value_new_list();
    for (int64_t x = 0; x < 32; x++) {
        int64_t p = 1;
        for (int k = 0; k < 10; k++)
            p *= x;
        ippc_value_append(serial_result, ippc_value_new_int(p));
    }

    ex_in("parallel_result = dview.map_sync(lambda x: x**10, range(32))");
    ippc_value_t *seq = ippc_value_new_range(0, 32, 1);
    ippc_value_t *parallel_result =
        ex_ok(ippc_view_map_sync(dview, "lambda x: x**10", seq, NULL, &err), "map_sync", err);

    ex_in("serial_result == parallel_result");
    ippc_value_t *same = ippc_value_new_bool(ippc_value_equal(serial_result, parallel_result));
    ex_out(same, "True");

    /* What came back, for the reader: the last item is 31**10. */
    ex_in("parallel_result[-1]");
    ex_out(ippc_value_item(parallel_result, ippc_value_len(parallel_result) - 1), "819628286980801");

    ippc_value_destroy(&same);
    ippc_value_destroy(&parallel_result);
    ippc_value_destroy(&seq);
    ippc_value_destroy(&serial_result);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
