/* list_comprehension.c - "How to do parallel list comprehensions": scatter x, run the
 * comprehension on every engine with execute (the seed's %px), gather y. */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_view_set_block(dview, true);
    ippc_error_t *err = NULL;

    ex_in("dview.scatter('x', range(64))");
    ippc_value_t *r64 = ippc_value_new_range(0, 64, 1);
    if (ippc_view_scatter_sync(dview, "x", r64, false, NULL, &err) != 0)
        ex_die("scatter", err);

    ex_in("%px y = [i**10 for i in x]");
    if (ippc_view_execute_sync(dview, "y = [i**10 for i in x]", NULL, &err) != 0)
        ex_die("execute", err);

    ex_in("y = dview.gather('y')");
    ippc_value_t *y = ex_ok(ippc_view_gather_sync(dview, "y", NULL, &err), "gather", err);

    ex_in("print(y[:9])");
    ippc_value_t *head = ippc_value_new_list();
    for (size_t i = 0; i < 9 && i < ippc_value_len(y); i++)
        ippc_value_append(head, ippc_value_copy(ippc_value_item(y, i)));
    ex_out(head, "[0, 1, 1024, 59049, 1048576, 9765625, 60466176, 282475249, 1073741824]");
    ippc_value_destroy(&head);

    ippc_value_t *serial = ippc_value_new_list();
    for (int64_t i = 0; i < 64; i++) {
        int64_t p = 1;
        for (int k = 0; k < 10; k++)
            p *= i;
        ippc_value_append(serial, ippc_value_new_int(p));
    }
    ex_check(ippc_value_equal(y, serial), "all 64 items equal [i**10 for i in range(64)]");

    ippc_value_destroy(&serial);
    ippc_value_destroy(&y);
    ippc_value_destroy(&r64);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
