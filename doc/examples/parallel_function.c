/* parallel_function.c - "Remote function decorators", @parallel: a function that gets
 * each engine's part of a sequence or array, its results joined; pmul on a 64x48
 * array equals the local product, and echo shows what each engine received, called
 * and mapped. */
#include "example.h"

enum { ROWS = 64, COLS = 48 };

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    ippc_value_t *v = NULL;

    ex_in("A = np.random.random((64, 48))");
    static double A[ROWS][COLS];
    srand48(20261125);
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++)
            A[i][j] = drand48();

    /* pmul(A, B) splits both arguments along their first axis. A libippc parallel
     * function takes one sequence, so the two arrays travel as one of shape
     * (64, 2, 48): row i holds A[i] and B[i], and each engine multiplies its rows. */
    ex_in("@dview.parallel(block=True)\ndef pmul(A, B): return A*B");
    ippc_opts_t blocking = {.block = IPPC_FLAG_ON};
    ippc_parallel_t *pmul = ippc_view_parallel(dview, "lambda AB: AB[:, 0] * AB[:, 1]", &blocking, &err);
    if (!pmul)
        ex_die("parallel", err);

    ex_in("C_local = A*A");
    static double C_local[ROWS][COLS];
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++)
            C_local[i][j] = A[i][j] * A[i][j];

    ex_in("C_remote = pmul(A, A)");
    static double AB[ROWS][2][COLS];
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++)
            AB[i][0][j] = AB[i][1][j] = A[i][j];
    size_t shape[3] = {ROWS, 2, COLS};
    ippc_value_t *ab = ippc_value_new_ndarray("<f8", 3, shape, AB);
    ippc_value_t *C_remote = ex_ok(ippc_parallel_call_sync(pmul, ab, &err), "pmul(A, A)", err);

    ex_in("(C_local == C_remote).all()");
    size_t nbytes = 0;
    const void *data = ippc_value_ndarray_data(C_remote, &nbytes);
    const size_t *rshape = ippc_value_ndarray_shape(C_remote);
    bool equal = ippc_value_type(C_remote) == IPPC_T_NDARRAY && ippc_value_ndarray_ndim(C_remote) == 2 &&
                 rshape[0] == ROWS && rshape[1] == COLS && strcmp(ippc_value_ndarray_dtype(C_remote), "<f8") == 0 &&
                 nbytes == sizeof(C_local) && memcmp(data, C_local, nbytes) == 0;
    ippc_value_t *out = ippc_value_new_bool(equal);
    ex_out(out, "True");
    ippc_value_destroy(&out);
    ippc_value_destroy(&C_remote);
    ippc_value_destroy(&ab);
    ippc_parallel_destroy(&pmul);

    ex_in("@dview.parallel(block=True)\ndef echo(x): return str(x)");
    ippc_parallel_t *echo = ippc_view_parallel(dview, "lambda x: str(x)", &blocking, &err);
    if (!echo)
        ex_die("parallel", err);

    /* The seed ran on Python 2, where range(5) is the list [0, 1, 2, 3, 4]. */
    ex_in("echo([0, 1, 2, 3, 4])");
    ippc_value_t *five = ex_lit("[0, 1, 2, 3, 4]");
    v = ex_ok(ippc_parallel_call_sync(echo, five, &err), "echo", err);
    ex_out(v, "['[0, 1]', '[2]', '[3]', '[4]']");
    ippc_value_destroy(&v);

    ex_in("echo(range(5))  # Python 3: each engine gets a range");
    ippc_value_t *r5 = ippc_value_new_range(0, 5, 1);
    v = ex_ok(ippc_parallel_call_sync(echo, r5, &err), "echo", err);
    ex_out(v, "['range(0, 2)', 'range(2, 3)', 'range(3, 4)', 'range(4, 5)']");
    ippc_value_destroy(&v);

    ex_in("echo.map(range(5))");
    v = ex_ok(ippc_parallel_map_sync(echo, r5, &err), "echo.map", err);
    ex_out(v, "['0', '1', '2', '3', '4']");
    ippc_value_destroy(&v);

    ippc_value_destroy(&r5);
    ippc_value_destroy(&five);
    ippc_parallel_destroy(&echo);
    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
