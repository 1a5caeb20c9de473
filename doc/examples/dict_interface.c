/* dict_interface.c - "Dictionary interface": dview['a'] = value pushes, dview['a']
 * pulls, as if the engines' namespaces were one dict. */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;

    ex_in("dview['a'] = ['foo', 'bar']");
    ippc_value_t *foobar = ippc_value_new_list();
    ippc_value_append(foobar, ippc_value_new_str("foo"));
    ippc_value_append(foobar, ippc_value_new_str("bar"));
    if (ippc_view_set(dview, "a", foobar, &err) != 0)
        ex_die("dview['a'] = ...", err);
    ippc_value_destroy(&foobar);

    ex_in("dview['a']");
    ippc_value_t *v = ex_ok(ippc_view_get(dview, "a", &err), "dview['a']", err);
    ex_out(v, "[['foo', 'bar'], ['foo', 'bar'], ['foo', 'bar'], ['foo', 'bar']]");
    ippc_value_destroy(&v);

    /* The same access on a view of one engine gives its value alone. */
    ex_in("rc[2]['a']");
    ippc_view_t *e2 = ex_view(rc, "2");
    v = ex_ok(ippc_view_get(e2, "a", &err), "rc[2]['a']", err);
    ex_out(v, "['foo', 'bar']");
    ippc_value_destroy(&v);

    ippc_view_destroy(&e2);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
