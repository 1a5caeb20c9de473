/* cmd_pull.c - ippctl pull: print variables of the engines' namespaces. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"

static const cli_ops_spec_t spec = {
    .usage = "pull [OPTIONS] NAME ...",
    .description =
        "Print the values of the NAMEs on every engine, as view.pull does: a line\n"
        "'[ID] NAME = repr' per engine and name; with --targets of one engine and one NAME\n"
        "the repr alone.",
    .options = NULL,
    .examples = "ippctl pull a\n"
                "ippctl pull --targets 0 a b\n"
                "ippctl pull --json a",
    .common = CLI_OPS_TARGETS | CLI_OPS_TIMEOUT | CLI_OPS_JSON,
    .min_args = 1,
    .max_args = -1,
};

/* The value of name k of an engine's pull result (a tuple when several were pulled). */
static const ippc_value_t *name_value(const ippc_value_t *item, int nnames, int k)
{
    return nnames == 1 ? item : ippc_value_item(item, (size_t)k);
}

static void show_text(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value)
{
    bool single = cli_ops_single_target(o->targets);
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        const ippc_value_t *item = cli_show_item(value, r, i, single);
        for (int k = 0; item && !ippc_result_error(r, i) && k < o->nargs; k++) {
            char prefix[160];
            if (single && o->nargs == 1)
                prefix[0] = '\0';
            else if (single)
                snprintf(prefix, sizeof(prefix), "%s = ", o->args[k]);
            else
                snprintf(prefix, sizeof(prefix), "[%d] %s = ", ippc_result_engine_id(r, i), o->args[k]);
            cli_show_value(stdout, prefix, name_value(item, o->nargs, k));
        }
    }
    fflush(stdout);
    cli_show_errors(r, "apply", single);
}

static int show_json(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value)
{
    bool single = cli_ops_single_target(o->targets);
    json_t *list = json_array();
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        json_t *j = cli_json_request(r, i), *values = json_object(), *reprs = json_object();
        const ippc_value_t *item = ippc_result_error(r, i) ? NULL : cli_show_item(value, r, i, single);
        for (int k = 0; item && k < o->nargs; k++) {
            json_t *vr = cli_json_value_repr(name_value(item, o->nargs, k));
            json_object_set(values, o->args[k], json_object_get(vr, "value"));
            json_object_set(reprs, o->args[k], json_object_get(vr, "repr"));
            json_decref(vr);
        }
        json_object_set_new(j, "values", values);
        json_object_set_new(j, "reprs", reprs);
        json_array_append_new(list, j);
    }
    return cli_json_print(list);
}

static ippc_result_t *start(ippc_view_t *v, const ippc_opts_t *opts, void *names, ippc_error_t **err)
{
    return ippc_view_pull(v, names, opts, err);
}

static int show(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value, void *names)
{
    (void)names;
    if (o->json) {
        if (show_json(o, r, value) != CLI_OK)
            return CLI_FAILED;
    } else {
        show_text(o, r, value);
    }
    return cli_ops_status(r);
}

int cmd_pull(int argc, char **argv)
{
    cli_ops_t o;
    int rc;
    if (cli_ops_parse(&spec, argc, argv, &o, &rc) != 0)
        return rc;
    size_t len = 1;
    for (int i = 0; i < o.nargs; i++) {
        if ((rc = cli_ops_check_name(o.args[i])) != 0)
            return rc;
        len += strlen(o.args[i]) + 1;
    }
    char *names = calloc(1, len);
    if (!names)
        return cli_error("out of memory");
    for (int i = 0; i < o.nargs; i++)
        strcat(strcat(names, i ? "," : ""), o.args[i]);
    rc = cli_ops_run(&o, start, show, names);
    free(names);
    return rc;
}
