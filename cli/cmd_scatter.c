/* cmd_scatter.c - ippctl scatter: split a sequence over the engines. */
#include "config.h"

#include <stdlib.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "scatter [OPTIONS] NAME SEQUENCE",
    .description =
        "Split SEQUENCE (a Python literal: a list, a tuple or a range) into one\n"
        "contiguous part per engine, the first len % n engines getting one item more, and\n"
        "set NAME to its part on each engine, as view.scatter does (a range gives each\n"
        "engine a range). Prints nothing; join the parts back with ippctl gather.",
    .options = "      --flatten         an engine whose part has one item gets the item itself\n",
    .examples = "ippctl scatter x 'range(16)'\n"
                "ippctl scatter --targets 0:2 names \"['a', 'b', 'c']\"",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT,
    .min_args = 2,
    .max_args = 2,
};

static bool is_sequence(const ippc_value_t *v)
{
    switch (ippc_value_type(v)) {
    case IPPC_T_LIST:
    case IPPC_T_TUPLE:
    case IPPC_T_RANGE: return true;
    default: return false;
    }
}

typedef struct {
    const char *name;
    ippc_value_t *seq;
    bool flatten;
} scatter_t;

static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *data, ippc_error_t **err)
{
    const scatter_t *s = data;
    return ippc_view_scatter(v, s->name, s->seq, s->flatten, opts, err);
}

int cmd_scatter(int argc, char **argv)
{
    bool flatten = false;
    const cli_ops_extra_t extra[] = {{"flatten", &flatten, NULL}, {0}};
    cli_ops_spec_t s = spec;
    s.extra = extra;
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&s, argc, argv, &o, &rc) != 0)
        return rc;
    if ((rc = cli_ops_check_name(o.args[0])) != 0)
        return rc;
    ippc_value_t *seq = cli_ops_literal("SEQUENCE", o.args[1]);
    if (!seq)
        return CLI_USAGE;
    if (!is_sequence(seq)) {
        char *text = ippc_value_repr(seq);
        rc = cli_usage("cannot scatter %s, of type %s: give a list, a tuple or a range", text ? text : "it",
                       ippc_type_name(ippc_value_type(seq)));
        free(text);
        ippc_value_destroy(&seq);
        return rc;
    }
    scatter_t call = {o.args[0], seq, flatten};
    rc = cli_ops_run(&o, start, NULL, &call);
    ippc_value_destroy(&seq);
    return rc;
}
