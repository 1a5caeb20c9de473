/* remote_imports.c - "Remote imports": sync_imports imports modules on the engines;
 * require imports them before each call of a function, and a module that cannot be
 * imported fails the call on every engine (UnmetDependency, collected into a
 * CompositeError). */
#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    /* A C program has no local Python imports: only the remote half happens. */
    ex_in("with dview.sync_imports():\n        import numpy");
    printf("importing numpy on engine(s)\n");
    if (ippc_view_sync_imports(dview, "numpy", NULL, &err) != 0)
        ex_die("sync_imports", err);
    ex_in("dview.apply_sync(lambda: numpy.__name__)");
    v = ex_ok(ippc_view_apply_sync(dview, "lambda: numpy.__name__", NULL, NULL, NULL, &err), "apply", err);
    ex_out(v, "['numpy', 'numpy', 'numpy', 'numpy']");
    ippc_value_destroy(&v);

    ex_in("@ipp.require('re')\ndef findall(pat, x): return re.findall(pat, x)");
    ippc_remote_t *findall = ippc_view_remote(dview, "lambda pat, x: re.findall(pat, x)", NULL, &err);
    if (!findall || ippc_remote_require(findall, "re", &err) != 0)
        ex_die("require", err);
    ex_in("dview.apply_sync(findall, r'\\d+', 'a1b22c333')");
    ippc_value_t *args = ex_lit("[r'\\d+', 'a1b22c333']");
    v = ex_ok(ippc_remote_call_sync(findall, args, NULL, &err), "findall", err);
    ex_out(v, "[['1', '22', '333'], ['1', '22', '333'], ['1', '22', '333'], ['1', '22', '333']]");
    ippc_value_destroy(&v);
    ippc_value_destroy(&args);
    ippc_remote_destroy(&findall);

    ex_in("@ipp.require(time)\ndef wait(t): time.sleep(t); return t");
    ippc_remote_t *wait = ippc_view_remote(dview, "lambda t: (time.sleep(t), t)[1]", NULL, &err);
    if (!wait || ippc_remote_require(wait, "time", &err) != 0)
        ex_die("require", err);
    ex_in("dview.apply_sync(wait, 0.1)");
    args = ex_lit("[0.1]");
    v = ex_ok(ippc_remote_call_sync(wait, args, NULL, &err), "wait", err);
    ex_out(v, "[0.1, 0.1, 0.1, 0.1]");
    ippc_value_destroy(&v);
    ippc_value_destroy(&args);
    ippc_remote_destroy(&wait);

    ex_in("@ipp.require('no_such_module')\ndef f(): return 1\ndview.apply_sync(f)");
    ippc_remote_t *f = ippc_view_remote(dview, "lambda: 1", NULL, &err);
    if (!f || ippc_remote_require(f, "no_such_module", &err) != 0)
        ex_die("require", err);
    v = ippc_remote_call_sync(f, NULL, NULL, &err);
    if (v) {
        ex_out(v, NULL);
        ex_check(false, "the call ran without its module");
        ippc_value_destroy(&v);
    } else {
        char *summary = ippc_error_summary(err, 0);
        printf("CompositeError: %s\n", summary ? summary : "?");
        free(summary);
        ex_check(ippc_error_code(err) == IPPC_E_COMPOSITE && ippc_error_count(err) == 4,
                 "a CompositeError of the four engines");
        bool unmet = ippc_error_count(err) == 4;
        for (size_t i = 0; unmet && i < 4; i++)
            unmet = strcmp(ippc_error_ename(err, i), "UnmetDependency") == 0 &&
                    strcmp(ippc_error_evalue(err, i), "no_such_module") == 0;
        ex_check(unmet, "each one UnmetDependency: no_such_module");
        ippc_error_destroy(&err);
    }
    ippc_remote_destroy(&f);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
