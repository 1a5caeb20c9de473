/* connect.c - "Creating a DirectView": connect a client to a running cluster, wait for
 * its four engines, and make views on all of them and on a slice of them. */
#include "example.h"

/* Print a view like the stock client's repr: <DirectView [1, 2]>. */
static char *view_repr(ippc_view_t *v)
{
    const int *ids;
    size_t n;
    ippc_view_get_targets(v, &ids, &n);
    ippc_value_t *list = ex_ids(ids, n);
    char *ids_text = ippc_value_repr(list);
    char *text = NULL;
    if (ids_text && asprintf(&text, "<DirectView %s>", ids_text) < 0)
        text = NULL;
    free(ids_text);
    ippc_value_destroy(&list);
    return text;
}

int main(int argc, char **argv)
{
    ex_in("rc = ipp.Cluster.from_file().connect_client_sync()");
    ippc_client_t *rc = ex_connect(argc, argv); /* also waits for 4 engines */

    ex_in("rc.wait_for_engines(4); rc.ids");
    const int *ids;
    size_t n;
    ippc_client_ids(rc, &ids, &n);
    ippc_value_t *v = ex_ids(ids, n);
    ex_out(v, "[0, 1, 2, 3]");
    ippc_value_destroy(&v);

    ex_in("dview = rc[:]  # use all engines");
    ippc_view_t *dview = ex_view(rc, ":");
    char *text = view_repr(dview);
    printf("Out: %s\n", text ? text : "?");
    ex_check(text && strcmp(text, "<DirectView [0, 1, 2, 3]>") == 0, "rc[:] is all four engines");
    free(text);

    ex_in("view = rc[1:3]");
    ippc_view_t *view = ex_view(rc, "1:3");
    text = view_repr(view);
    printf("Out: %s\n", text ? text : "?");
    ex_check(text && strcmp(text, "<DirectView [1, 2]>") == 0, "the seed shows <DirectView [1, 2]>");
    free(text);

    /* The flags a view starts with, as in the stock DirectView. */
    ex_in("view.block, view.track");
    printf("Out: (%s, %s)\n", ippc_view_get_block(view) ? "True" : "False",
           ippc_view_get_track(view) ? "True" : "False");
    ex_check(!ippc_view_get_block(view) && !ippc_view_get_track(view), "a new view is non-blocking and untracked");

    ippc_view_destroy(&view);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
