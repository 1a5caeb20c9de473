/* cli_ops.h - what the direct-view operation subcommands (px, apply, push, pull, scatter,
 * gather, signal) share: their options and help text, connecting to the cluster and
 * making the view (cli_ops.c), and printing per-engine output, values and errors the
 * way IPython Parallel shows them (cli_show.c). */
#ifndef IPPC_CLI_OPS_H
#define IPPC_CLI_OPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

/* Which of the common options a subcommand takes (-f, -p and --cluster-id always). */
enum { CLI_OPS_TARGETS = 1 << 0, CLI_OPS_TIMEOUT = 1 << 1, CLI_OPS_JSON = 1 << 2 };

/* An option of one subcommand only: a flag (value NULL) or one taking an argument. */
typedef struct {
    const char *name;  /* long name without "--" */
    bool *flag;        /* set when given (flags) */
    const char **value; /* the argument (options with one) */
} cli_ops_extra_t;

/* A subcommand's command line: its help text and what it accepts. */
typedef struct {
    const char *usage;       /* lines after "Usage: ippctl ", e.g. "px [OPTIONS] CODE" */
    const char *description; /* what it does, a paragraph or two */
    const char *options;     /* help lines of its own options (NULL: none) */
    const char *examples;    /* example command lines */
    unsigned common;         /* CLI_OPS_* */
    const cli_ops_extra_t *extra; /* its own options, ended by {0} (NULL: none) */
    int min_args, max_args;  /* positional arguments; max_args -1: any number */
} cli_ops_spec_t;

/* The parsed command line of an operation. */
typedef struct {
    cli_target_t where;   /* which cluster (-f, -p, --cluster-id) */
    const char *targets;  /* -t/--targets (NULL: all engines) */
    double timeout;       /* --timeout: seconds to wait for the engines; < 0 forever */
    bool json;            /* --json */
    char **args;          /* positional arguments */
    int nargs;
} cli_ops_t;

/* Parse argv (argv[0] is the subcommand). Returns -1 when the command line was all
 * handled (--help: *exit_code CLI_OK; a usage error, printed: CLI_USAGE), else 0.
 * Options may come anywhere before "--"; "-" and negative numbers ("-1", "-.5") are
 * arguments. */
int cli_ops_parse(const cli_ops_spec_t *spec, int argc, char **argv, cli_ops_t *o, int *exit_code);

/* Whether a targets spec names one engine ("3", "-1"): the view then gives single
 * values instead of lists, and its output is shown without engine prefixes. */
bool cli_ops_single_target(const char *targets);

/* Whether name is a Python identifier (letters, digits and '_', not starting with a
 * digit; non-ASCII letters are left to the engine to judge). */
bool cli_ops_identifier(const char *name);
/* 0 when name is an identifier, else CLI_USAGE with the usage error printed. */
int cli_ops_check_name(const char *name);

/* Connect to the cluster of o->where and make the view of o->targets. Returns 0, or
 * CLI_FAILED with the cause and its fix printed (the client is not kept then). */
int cli_ops_open(const cli_ops_t *o, ippc_client_t **c, ippc_view_t **v);

/* Start a subcommand's call on view v with opts (return_exceptions is on, so that the
 * failures of single engines stay in the result: see ippc_result_error). NULL with
 * *err set when it could not be sent. */
typedef ippc_result_t *(*cli_ops_start_fn)(ippc_view_t *v, const ippc_opts_t *opts, void *data, ippc_error_t **err);
/* Print the outcome of the finished call r (value: its value); returns the exit code. */
typedef int (*cli_ops_show_fn)(const cli_ops_t *o, ippc_result_t *r, const ippc_value_t *value, void *data);

/* A whole operation: connect and make the view (cli_ops_open), start the call, wait for
 * it up to o->timeout, show it, disconnect. show NULL shows only the failures (exit 1
 * when there are some). A timeout prints what the engines wrote so far, the engines
 * still running and how to interrupt them. Returns the exit code. */
int cli_ops_run(const cli_ops_t *o, cli_ops_start_fn start, cli_ops_show_fn show, void *data);

/* CLI_FAILED when some request of r failed, else CLI_OK. */
int cli_ops_status(ippc_result_t *r);

/* Print a local failure as "ippctl CMD: message" with a fix for the usual causes (no
 * cluster, no engines, unknown engine id) and destroy it; remote errors are rendered as
 * cli_show_error does. Returns CLI_FAILED. */
int cli_ops_fail(const cli_ops_t *o, ippc_error_t **err);

/* Parse a Python literal given on the command line; NULL with a usage error printed
 * ("bad value for WHAT: at column N: expected ...") otherwise. */
ippc_value_t *cli_ops_literal(const char *what, const char *text);

/* ---------------------------------------------------------- printing (cli_show.c) */

/* The engines' stdout and stderr of r as %px shows them, grouped by type: every
 * engine's stdout under "[stdout:ID] " on stdout, then every stderr under
 * "[stderr:ID] " on stderr. */
void cli_show_streams(ippc_result_t *r);

/* The failed requests of r on stderr as the stock client renders them: for a view of
 * several engines a "[ID:METHOD]: " block per engine with its traceback (at most
 * IPPC_TB_LIMIT_DEFAULT, then "... N more exceptions ..."), for one engine its
 * traceback alone; method names the call in the header of a failure that is not an
 * exception (an engine that died). Returns how many requests failed. */
size_t cli_show_errors(ippc_result_t *r, const char *method, bool single);

/* A remote error (RemoteError or CompositeError) rendered the same way on stderr. */
void cli_show_error(const ippc_error_t *err, bool single);

/* Print "PREFIX" and repr(v) on a line; a multi-line repr starts on the next line. */
void cli_show_value(FILE *out, const char *prefix, const ippc_value_t *v);

/* The value of request i of r: item i of a list result, or the result itself for a view
 * of one engine. Borrowed; NULL when there is none. */
const ippc_value_t *cli_show_item(const ippc_value_t *value, ippc_result_t *r, size_t i, bool single);

/* JSON of a value: null, booleans, numbers, strings, arrays (lists and tuples) and
 * objects (dicts); null for what JSON cannot hold (bytes, ranges, arrays, opaque
 * objects, NaN and infinities), whose repr tells what they are. */
json_t *cli_json_value(const ippc_value_t *v);
/* {"value": JSON of v, "repr": repr(v)}. */
json_t *cli_json_value_repr(const ippc_value_t *v);
/* The common part of a request's JSON: {"id", "stdout", "stderr", "error"} with error
 * null or {"ename", "evalue", "traceback": [lines]} ("message" for local failures). */
json_t *cli_json_request(ippc_result_t *r, size_t i);
/* Print j indented, with a newline, and release it. Returns CLI_OK, or CLI_FAILED
 * when it could not be printed. */
int cli_json_print(json_t *j);

#endif
