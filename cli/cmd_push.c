/* cmd_push.c - ippctl push: set variables in the engines' namespaces from literals. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "push [OPTIONS] NAME=VALUE ...",
    .description =
        "Set each NAME to VALUE (a Python literal) in the namespace of every engine, as\n"
        "view.push(dict(NAME=VALUE, ...)) does. Prints nothing; read the values back with\n"
        "ippctl pull.",
    .options = NULL,
    .examples = "ippctl push a=1 b=\"'text'\" c='[1, 2.5, None]' d=\"{'k': (1, 2)}\"\n"
                "ippctl push --targets 0,2 n=range(10)",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT,
    .min_args = 1,
    .max_args = -1,
};

/* The NAME=VALUE words as a dict; CLI_USAGE (printed) when one is malformed. */
static int parse_items(const cli_ops_t *o, ippc_value_t *ns)
{
    for (int i = 0; i < o->nargs; i++) {
        const char *word = o->args[i], *eq = strchr(word, '=');
        size_t n = eq ? (size_t)(eq - word) : 0;
        char *name = n ? strndup(word, n) : NULL;
        if (!name || !cli_ops_identifier(name)) {
            free(name);
            return cli_usage("'%s' is not NAME=VALUE with NAME a Python identifier", word);
        }
        char what[128];
        snprintf(what, sizeof(what), "%s", name);
        ippc_value_t *v = cli_ops_literal(what, eq + 1);
        int rc = v ? ippc_value_dict_set(ns, name, v) : CLI_USAGE;
        free(name);
        if (rc == -1)
            return cli_error("out of memory");
        if (rc != 0)
            return rc;
    }
    return 0;
}

static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *ns, ippc_error_t **err)
{
    return ippc_view_push(v, ns, opts, err);
}

int cmd_push(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    ippc_value_t *ns = ippc_value_new_dict();
    if (!ns)
        rc = cli_error("out of memory");
    else if ((rc = parse_items(&o, ns)) == 0)
        rc = cli_ops_run(&o, start, NULL, ns);
    ippc_value_destroy(&ns);
    return rc;
}
