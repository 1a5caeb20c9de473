/* exceptions.c - "Parallel exceptions": a failure on several engines is a
 * CompositeError that renders every engine's traceback (up to tb_limit, then
 * "... N more exceptions ..."); one of them can be raised on its own; and
 * return_exceptions gives the failures as values among the results. */
#include "example.h"

/* Every entry of err is ename on engines 0..3 with method. */
static bool all_entries(const ippc_error_t *err, const char *method, const char *ename)
{
    if (ippc_error_count(err) != 4)
        return false;
    for (size_t i = 0; i < 4; i++)
        if (ippc_error_engine_id(err, i) != (int)i || strcmp(ippc_error_method(err, i), method) != 0 ||
            strcmp(ippc_error_ename(err, i), ename) != 0)
            return false;
    return true;
}

static bool contains(const char *text, const char *part) { return text && strstr(text, part) != NULL; }

static bool ends_with(const char *text, const char *tail)
{
    size_t n = text ? strlen(text) : 0, m = strlen(tail);
    return n >= m && strcmp(text + n - m, tail) == 0;
}

/* execute code (blocking) and return the error it must raise. */
static ippc_error_t *failing_execute(ippc_view_t *dview, const char *code)
{
    ippc_error_t *err = NULL;
    if (ippc_view_execute_sync(dview, code, NULL, &err) == 0) {
        ex_check(false, "%s raised nothing", code);
        exit(ex_finish());
    }
    return err;
}

int main(int argc, char **argv)
{
    ippc_client_t *rc = ex_connect(argc, argv);
    ippc_view_t *dview = ex_view(rc, ":");
    ippc_error_t *err = NULL;
    char *text;

    ex_in("dview.block = True");
    ippc_view_set_block(dview, true);
    ex_in("dview.execute('1/0')");
    err = failing_execute(dview, "1/0");
    text = ippc_error_render(err, 0);
    printf("%s", text ? text : "");
    ex_check(ippc_error_code(err) == IPPC_E_COMPOSITE && all_entries(err, "execute", "ZeroDivisionError"),
             "CompositeError: ZeroDivisionError from [0:execute] .. [3:execute]");
    ex_check(contains(text, "[0:execute]: \n") && contains(text, "[3:execute]: \n") &&
                 contains(text, "ZeroDivisionError") && !contains(text, "more exceptions"),
             "all four tracebacks rendered (4 engines, tb_limit 5)");
    free(text);

    ex_in("try:\n        dview.execute('1/0', block=True)\n    except ipp.CompositeError as e:\n"
          "        e.raise_exception()");
    ippc_error_t *one = ippc_error_raise_exception(err, 0);
    text = ippc_error_render(one, 0);
    printf("%s", text ? text : "");
    ex_check(ippc_error_code(one) == IPPC_E_REMOTE && ippc_error_count(one) == 1 &&
                 ippc_error_engine_id(one, 0) == 0 && strcmp(ippc_error_ename(one, 0), "ZeroDivisionError") == 0 &&
                 contains(text, "ZeroDivisionError") && !contains(text, "[1:execute]"),
             "raise_exception() gives engine 0's ZeroDivisionError alone");
    free(text);
    ippc_error_destroy(&one);

    ex_in("e.print_traceback(1)");
    one = ippc_error_raise_exception(err, 1);
    text = ippc_error_render(one, 0);
    printf("[%d:%s]: \n%s", ippc_error_engine_id(one, 0), ippc_error_method(one, 0), text ? text : "");
    ex_check(ippc_error_engine_id(one, 0) == 1 && contains(text, "ZeroDivisionError"), "engine 1's traceback");
    free(text);
    ippc_error_destroy(&one);
    ippc_error_destroy(&err);

    ex_in("ipp.CompositeError.tb_limit = 1");
    ex_in("%px x=z");
    err = failing_execute(dview, "x=z");
    text = ippc_error_render(err, 1);
    printf("%s", text ? text : "");
    ex_check(all_entries(err, "execute", "NameError") && strcmp(ippc_error_evalue(err, 0), "name 'z' is not defined") == 0,
             "NameError: name 'z' is not defined on every engine");
    ex_check(contains(text, "[0:execute]: \n") && !contains(text, "[1:execute]") &&
                 ends_with(text, "\n... 3 more exceptions ...\n"),
             "one traceback, then ... 3 more exceptions ...");
    free(text);
    ippc_error_destroy(&err);

    ex_in("dview.block = False");
    ippc_view_set_block(dview, false);
    ex_in("ar = dview.execute('1/0')");
    ippc_result_t *ar = ippc_view_execute(dview, "1/0", NULL, &err);
    if (!ar)
        ex_die("execute", err);
    ex_in("ar.get()");
    ippc_value_t *v = NULL;
    if (ippc_result_get(ar, IPPC_FOREVER, &v, &err) == 0) {
        ex_check(false, "1/0 raised nothing");
        ippc_value_destroy(&v);
    } else {
        text = ippc_error_render(err, 1);
        printf("%s", text ? text : "");
        ex_check(all_entries(err, "execute", "ZeroDivisionError") && ends_with(text, "\n... 3 more exceptions ...\n"),
                 "the same in non-blocking mode");
        free(text);
        ippc_error_destroy(&err);
    }
    ex_check(!ippc_result_successful(ar), "ar.successful() is False");
    ippc_result_destroy(&ar);

    /* return_exceptions is an option of the call in libippc (of get() in the seed). */
    ex_in("ar = dview.apply_async(lambda: 1/0)\n    ar.get(return_exceptions=True)");
    ippc_opts_t opts = {.return_exceptions = true};
    ar = ippc_view_apply(dview, "lambda: 1/0", NULL, NULL, &opts, &err);
    if (!ar || ippc_result_get(ar, IPPC_FOREVER, &v, &err) != 0)
        ex_die("apply", err);
    ex_out(v, "[<Remote[0]:ZeroDivisionError(division by zero)>, <Remote[1]:ZeroDivisionError(division by zero)>, "
              "<Remote[2]:ZeroDivisionError(division by zero)>, <Remote[3]:ZeroDivisionError(division by zero)>]");
    const ippc_error_t *e2 = ippc_result_error(ar, 2);
    ex_check(e2 && strcmp(ippc_error_ename(e2, 0), "ZeroDivisionError") == 0,
             "each request's error is there too (ippc_result_error)");
    ippc_value_destroy(&v);
    ippc_result_destroy(&ar);

    ippc_view_destroy(&dview);
    ippc_client_destroy(&rc);
    return ex_finish();
}
