/* remote_function.c - "Remote function decorators", @remote: a function called on
 * every engine of a view; getpid() gives each engine's process id. */
#include "example.h"

static const char getpid_src[] =
    "def getpid():\n"
    "    import os\n"
    "    return os.getpid()\n";

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;

    ex_in("@dview.remote(block=True)\ndef getpid(): ...  # defined on the engines with execute");
    if (ippc_view_execute_sync(dview, getpid_src, NULL, &err) != 0)
        ex_die("execute", err);
    ippc_opts_t opts = {.block = IPPC_FLAG_ON};
    ippc_remote_t *getpid = ippc_view_remote(dview, "getpid", &opts, &err);
    if (!getpid)
        ex_die("remote", err);

    ex_in("getpid()");
    ippc_value_t *v = ex_ok(ippc_remote_call_sync(getpid, NULL, NULL, &err), "getpid()", err);
    ex_out(v, NULL);
    bool ints = ippc_value_type(v) == IPPC_T_LIST && ippc_value_len(v) == 4;
    for (size_t i = 0; ints && i < 4; i++) {
        const ippc_value_t *pid = ippc_value_item(v, i);
        ints = ippc_value_type(pid) == IPPC_T_INT && ippc_value_int(pid) > 0;
        for (size_t j = 0; ints && j < i; j++)
            ints = ippc_value_int(ippc_value_item(v, j)) != ippc_value_int(pid);
    }
    ex_check(ints, "four different process ids");

    /* run-examples.sh says which processes it started as engines. */
    const char *started = getenv("IPPC_ENGINE_PIDS");
    if (ints && started && *started) {
        int found = 0;
        for (size_t i = 0; i < 4; i++) {
            char pid[32];
            snprintf(pid, sizeof(pid), "%lld", (long long)ippc_value_int(ippc_value_item(v, i)));
            for (const char *p = started; (p = strstr(p, pid)) != NULL; p += strlen(pid))
                if ((p == started || p[-1] == ' ') && (p[strlen(pid)] == ' ' || p[strlen(pid)] == '\0')) {
                    found++;
                    break;
                }
        }
        ex_check(found == 4, "they are the engines' processes (%s)", started);
    }
    ippc_value_destroy(&v);

    ippc_remote_destroy(&getpid);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
