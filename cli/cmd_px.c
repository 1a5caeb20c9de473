/* cmd_px.c - ippctl px: run Python code on the engines and show what they printed, the
 * value of the last expression and the exceptions, as the %px magic of IPython does. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "px [OPTIONS] CODE\npx [OPTIONS] -",
    .description =
        "Run CODE (Python; '-' reads it from standard input) on the engines, as %px does in\n"
        "IPython: each engine's output under [stdout:ID] (on standard output) and [stderr:ID]\n"
        "(on standard error), the value of a last expression as Out[ID:N], and exceptions\n"
        "with their tracebacks under [ID:execute] (on standard error). Exit status 1 when an\n"
        "engine raised an exception.",
    .options = NULL,
    .examples = "ippctl px 'import socket; print(socket.gethostname())'\n"
                "ippctl px --targets 0 'import os; os.getpid()'\n"
                "ippctl px - < setup.py\n"
                "ippctl px --json 'x = 6 * 7; x'",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT | CLI_OPS_JSON,
    .min_args = 1,
    .max_args = 1,
};

/* All of standard input (malloc'd), NULL on a read error. */
static char *read_stdin(void)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, stdin);
        if (ferror(stdin)) {
            free(buf);
            return NULL;
        }
        if (feof(stdin))
            break;
        if (cap - len < 2) {
            char *more = realloc(buf, cap * 2);
            if (!more)
                free(buf);
            buf = more;
            cap *= 2;
        }
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* ExecuteReply._plaintext: "Out[ID:N]: text", a multi-line text starting on its own line. */
static void show_out(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        const char *text = ippc_result_execute_result(r, i);
        if (!text || !*text || ippc_result_error(r, i))
            continue;
        bool newline = strchr(text, '\n') && text[0] != '\n';
        printf("Out[%d:%d]: %s%s\n", ippc_result_engine_id(r, i), ippc_result_execution_count(r, i),
               newline ? "\n" : "", text);
    }
    fflush(stdout);
}

static int print_json(ippc_result_t *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        json_t *o = cli_json_request(r, i);
        const char *text = ippc_result_execute_result(r, i);
        json_t *result = text ? json_string(text) : NULL;
        json_object_set_new(o, "result", result ? result : json_null());
        int n = ippc_result_execution_count(r, i);
        json_object_set_new(o, "execution_count", n >= 0 ? json_integer(n) : json_null());
        json_array_append_new(list, o);
    }
    return cli_json_print(list);
}

/* view.execute(code, silent=False): the engines publish the value of a last expression */
static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *code, ippc_error_t **err)
{
    ippc_opts_t loud = *opts;
    loud.silent = IPPC_FLAG_OFF;
    return ippc_view_execute(v, code, &loud, err);
}

static int show(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value, void *code)
{
    (void)value; /* None per engine: execute gives its outcome in the metadata */
    (void)code;
    if (o->json)
        return print_json(r) != CLI_OK ? CLI_FAILED : cli_ops_status(r);
    cli_show_streams(r);
    show_out(r);
    cli_show_errors(r, "execute", cli_ops_single_target(o->targets));
    return cli_ops_status(r);
}

int cmd_px(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    char *code = strcmp(o.args[0], "-") == 0 ? read_stdin() : strdup(o.args[0]);
    if (!code)
        return cli_error("could not read the code from standard input");
    rc = cli_ops_run(&o, start, show, code);
    free(code);
    return rc;
}
