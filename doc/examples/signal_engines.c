/* signal_engines.c - "Signaling engines": send SIGINT to every engine while each runs
 * time.sleep(5); each sleep is interrupted and the result is a CompositeError of four
 * KeyboardInterrupts. */
#include <signal.h>

#include "example.h"

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("import time  # on the engines too");
    if (ippc_view_execute_sync(dview, "import time", NULL, &err) != 0)
        ex_die("import time", err);

    ex_in("ar = rc[:].apply_async(time.sleep, 5)");
    ippc_value_t *args = ex_lit("[5]");
    double t0 = ex_now();
    ippc_result_t *ar = ippc_view_apply(dview, "time.sleep", args, NULL, NULL, &err);
    if (!ar)
        ex_die("apply_async", err);
    ippc_value_destroy(&args);

    /* An engine that is not running anything ignores SIGINT (as the stock engine does),
     * so a signal that overtakes the request on its way is lost. The seed typed the
     * next line by hand, long after the sleeps began; this program waits a little and
     * signals again while the sleeps go on. */
    ex_in("rc.send_signal(signal.SIGINT)");
    int sent = 0;
    while (!ippc_result_wait(ar, sent ? 0.5 : 0.3) && ex_now() - t0 < 4.5) {
        if (ippc_client_send_signal(rc, SIGINT, NULL, &err) != 0)
            ex_die("send_signal", err);
        sent++;
    }
    printf("(%d signal round%s)\n", sent, sent == 1 ? "" : "s");

    ex_in("ar.get()");
    if (ippc_result_get(ar, 30, &v, &err) == 0) {
        ex_out(v, NULL);
        ex_check(false, "the sleeps were not interrupted");
        ippc_value_destroy(&v);
    } else {
        double took = ex_now() - t0;
        ex_show_error(err, 0, IPPC_E_COMPOSITE);
        bool all = ippc_error_count(err) == 4;
        for (size_t i = 0; all && i < 4; i++)
            all = strcmp(ippc_error_ename(err, i), "KeyboardInterrupt") == 0 &&
                  ippc_error_engine_id(err, i) == (int)i && strcmp(ippc_error_method(err, i), "apply") == 0;
        ex_check(all, "[0:apply] .. [3:apply]: KeyboardInterrupt on every engine");
        ex_check(took < 4.9, "interrupted before the 5 s sleep ended (%.2f s)", took);
        ippc_error_destroy(&err);
    }
    ippc_result_destroy(&ar);

    /* The engines are idle again and answer. */
    ex_in("rc[:].apply_sync(lambda: 'still here')");
    v = ex_ok(ippc_view_apply_sync(dview, "lambda: 'still here'", NULL, NULL, NULL, &err), "apply", err);
    ex_out(v, "['still here', 'still here', 'still here', 'still here']");
    ippc_value_destroy(&v);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
