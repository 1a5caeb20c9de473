/* cmd_apply.c - ippctl apply: call a Python callable on the engines with literal
 * arguments and print each engine's result. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "apply [OPTIONS] CALLABLE [ARG ...] [NAME=ARG ...]",
    .description =
        "Call CALLABLE(*ARGs, **NAME=ARGs) on every engine, as view.apply does, and print\n"
        "each engine's result as '[ID] repr' (the repr alone with --targets of one engine),\n"
        "after what the engines printed. CALLABLE is a Python expression evaluated on the\n"
        "engines ('f', 'lambda x: x + a', 'os.getpid'); each ARG is a Python literal.",
    .options = NULL,
    .examples = "ippctl apply 'lambda x, y: x * y' 6 7\n"
                "ippctl apply --targets 0 'lambda s, sep: s.split(sep)' \"'a,b'\" \"sep=','\"\n"
                "ippctl px 'import os' && ippctl apply --json os.getpid",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT | CLI_OPS_JSON,
    .min_args = 1,
    .max_args = -1,
};

/* The keyword of a NAME=ARG word (its length), 0 for a positional literal. */
static size_t keyword_len(const char *word)
{
    size_t n = strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
    bool ident = n > 0 && !(word[0] >= '0' && word[0] <= '9');
    return ident && word[n] == '=' && word[n + 1] != '=' ? n : 0;
}

/* The arguments as an args list and a kwargs dict; CLI_USAGE (printed) when one is bad. */
static int parse_args(const cli_ops_t *o, ippc_value_t *args, ippc_value_t *kwargs)
{
    for (int i = 1; i < o->nargs; i++) {
        const char *word = o->args[i];
        size_t klen = keyword_len(word);
        char what[96];
        if (klen)
            snprintf(what, sizeof(what), "keyword argument %.*s", (int)klen, word);
        else
            snprintf(what, sizeof(what), "argument %d", i);
        if (!klen && ippc_value_len(kwargs) > 0)
            return cli_usage("argument %d (%s): a positional argument cannot follow keyword arguments", i, word);
        ippc_value_t *v = cli_ops_literal(what, word + (klen ? klen + 1 : 0));
        if (!v)
            return CLI_USAGE;
        if (klen) {
            char *key = strndup(word, klen);
            int rc = key ? ippc_value_dict_set(kwargs, key, v) : (ippc_value_destroy(&v), -1);
            free(key);
            if (rc != 0)
                return cli_error("out of memory");
        } else if (ippc_value_append(args, v) != 0) {
            return cli_error("out of memory");
        }
    }
    return 0;
}

typedef struct {
    const char *callable;
    ippc_value_t *args, *kwargs;
} call_t;

static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *data, ippc_error_t **err)
{
    const call_t *call = data;
    return ippc_view_apply(v, call->callable, call->args, call->kwargs, opts, err);
}

static int show(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value, void *data)
{
    (void)data;
    bool single = cli_ops_single_target(o->targets);
    if (o->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < ippc_result_len(r); i++) {
            json_t *j = cli_json_request(r, i);
            const ippc_value_t *item = ippc_result_error(r, i) ? NULL : cli_show_item(value, r, i, single);
            json_object_update_new(j, item ? cli_json_value_repr(item) : json_pack("{s:n, s:n}", "value", "repr"));
            json_array_append_new(list, j);
        }
        if (cli_json_print(list) != CLI_OK)
            return CLI_FAILED;
    } else {
        cli_show_streams(r);
        for (size_t i = 0; i < ippc_result_len(r); i++) {
            const ippc_value_t *item = cli_show_item(value, r, i, single);
            if (ippc_result_error(r, i) || !item)
                continue;
            char prefix[32];
            snprintf(prefix, sizeof(prefix), single ? "" : "[%d] ", ippc_result_engine_id(r, i));
            cli_show_value(stdout, prefix, item);
        }
        fflush(stdout);
        cli_show_errors(r, "apply", single);
    }
    return cli_ops_status(r);
}

int cmd_apply(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    call_t call = {o.args[0], ippc_value_new_list(), ippc_value_new_dict()};
    if (!call.args || !call.kwargs)
        rc = cli_error("out of memory");
    else if ((rc = parse_args(&o, call.args, call.kwargs)) == 0)
        rc = cli_ops_run(&o, start, show, &call);
    ippc_value_destroy(&call.args);
    ippc_value_destroy(&call.kwargs);
    return rc;
}
