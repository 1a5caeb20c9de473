/* cmd_gather.c - ippctl gather: join a variable's parts from the engines. */
#include "config.h"

#include <stdio.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "gather [OPTIONS] NAME",
    .description =
        "Pull NAME from every engine and print the parts joined in engine order, as\n"
        "view.gather does: lists and tuples are chained into one list; other parts (ranges\n"
        "included) are listed as they are.",
    .options = NULL,
    .examples = "ippctl scatter x 'range(16)' && ippctl px 'y = [i * i for i in x]' && ippctl gather y\n"
                "ippctl gather --json y",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT | CLI_OPS_JSON,
    .min_args = 1,
    .max_args = 1,
};

static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *name, ippc_error_t **err)
{
    return ippc_view_gather(v, name, opts, err);
}

static int show(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value, void *name)
{
    (void)name;
    if (cli_ops_status(r) != CLI_OK) { /* no whole to show */
        cli_show_errors(r, "apply", cli_ops_single_target(o->targets));
        return CLI_FAILED;
    }
    if (o->json)
        return cli_json_print(cli_json_value_repr(value));
    cli_show_value(stdout, "", value);
    return CLI_OK;
}

int cmd_gather(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    if ((rc = cli_ops_check_name(o.args[0])) != 0)
        return rc;
    return cli_ops_run(&o, start, show, o.args[0]);
}
