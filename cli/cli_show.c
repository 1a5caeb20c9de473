/* cli_show.c - printing what the engines gave: their output under [stdout:ID] and
 * [stderr:ID] as %px shows it (AsyncResult.display_outputs), values as repr() lines,
 * remote errors as IPython shows a CompositeError or RemoteError, and the JSON forms. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ops.h"

/* ------------------------------------------------------------------ streams */

/* Whether the last text printed on each of stdout and stderr ended a line. */
static bool ended_line[2] = {true, true};

/* AsyncResult._display_stream: "[TAG:ID] " on a line of its own, then the text; a
 * newline first when the text before did not end its line. */
static void display_stream(bool is_stderr, const char *tag, int id, const char *text)
{
    if (!text || !*text)
        return;
    FILE *f = is_stderr ? stderr : stdout;
    fflush(is_stderr ? stdout : stderr); /* keep the order where both go to one place */
    fprintf(f, "%s[%s:%d] \n%s", ended_line[is_stderr] ? "" : "\n", tag, id, text);
    ended_line[is_stderr] = text[strlen(text) - 1] == '\n';
}

/* End a last line left open by an engine's output (the IPython prompt would). */
static void end_lines(void)
{
    for (int i = 0; i < 2; i++) {
        if (!ended_line[i])
            fputc('\n', i ? stderr : stdout);
        ended_line[i] = true;
    }
}

void cli_show_streams(ippc_result_t *r)
{
    for (size_t i = 0; i < ippc_result_len(r); i++)
        display_stream(false, "stdout", ippc_result_engine_id(r, i), ippc_result_stdout(r, i));
    for (size_t i = 0; i < ippc_result_len(r); i++)
        display_stream(true, "stderr", ippc_result_engine_id(r, i), ippc_result_stderr(r, i));
    end_lines();
    fflush(stderr);
}

/* ------------------------------------------------------------------- errors */

/* One engine's failure: with a header "[ID:METHOD]: " line (a CompositeError's entry),
 * then its traceback; a local failure (an engine that died) shows its message. */
static void show_entry(const ippc_error_t *e, int id, const char *method, bool header)
{
    if (header)
        fprintf(stderr, "[%d:%s]: \n", id, method);
    if (ippc_error_count(e) > 0) {
        char *text = ippc_error_render(e, 0);
        fputs(text ? text : "(out of memory)\n", stderr);
        free(text);
    } else {
        fprintf(stderr, "%s\n", ippc_error_message(e));
    }
    if (header)
        fputc('\n', stderr);
}

static void more_exceptions(size_t nfailed)
{
    if (nfailed > IPPC_TB_LIMIT_DEFAULT)
        fprintf(stderr, "... %zu more exceptions ...\n", nfailed - IPPC_TB_LIMIT_DEFAULT);
}

size_t cli_show_errors(ippc_result_t *r, const char *method, bool single)
{
    size_t nfailed = 0;
    fflush(stdout);
    for (size_t i = 0; i < ippc_result_len(r); i++) {
        const ippc_error_t *e = ippc_result_error(r, i);
        if (!e)
            continue;
        if (nfailed++ < IPPC_TB_LIMIT_DEFAULT) {
            const char *m = ippc_error_count(e) > 0 ? ippc_error_method(e, 0) : method;
            show_entry(e, ippc_result_engine_id(r, i), m, !single);
        }
    }
    more_exceptions(nfailed);
    fflush(stderr);
    return nfailed;
}

void cli_show_error(const ippc_error_t *err, bool single)
{
    fflush(stdout);
    size_t n = ippc_error_count(err);
    if (single || n == 0) {
        show_entry(err, ippc_error_engine_id(err, 0), ippc_error_method(err, 0), false);
    } else {
        for (size_t i = 0; i < n && i < IPPC_TB_LIMIT_DEFAULT; i++) {
            ippc_error_t *one = ippc_error_raise_exception(err, i);
            show_entry(one, ippc_error_engine_id(err, i), ippc_error_method(err, i), true);
            ippc_error_destroy(&one);
        }
        more_exceptions(n);
    }
    fflush(stderr);
}

/* ------------------------------------------------------------------- values */

void cli_show_value(FILE *out, const char *prefix, const ippc_value_t *v)
{
    char *text = ippc_value_repr(v);
    if (!text) {
        fprintf(out, "%s(out of memory)\n", prefix);
        return;
    }
    /* like Out[...] of IPython: a multi-line repr starts on a line of its own */
    bool multiline = strchr(text, '\n') != NULL && *prefix;
    size_t plen = strlen(prefix);
    if (multiline && plen && prefix[plen - 1] == ' ')
        plen--;
    fprintf(out, "%.*s%s%s\n", (int)plen, prefix, multiline ? "\n" : "", text);
    free(text);
}

const ippc_value_t *cli_show_item(const ippc_value_t *value, ippc_result_t *r, size_t i, bool single)
{
    if (single)
        return i == 0 ? value : NULL;
    return i < ippc_result_len(r) ? ippc_value_item(value, i) : NULL;
}

/* --------------------------------------------------------------------- JSON */

/* A JSON string, or null for text that is not UTF-8. */
static json_t *jstr(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *json_items(const ippc_value_t *v, bool dict)
{
    json_t *j = dict ? json_object() : json_array();
    for (size_t i = 0; j && i < ippc_value_len(v); i++) {
        json_t *item = cli_json_value(ippc_value_item(v, i));
        if (dict)
            json_object_set_new(j, ippc_value_dict_key(v, i), item);
        else
            json_array_append_new(j, item);
    }
    return j;
}

json_t *cli_json_value(const ippc_value_t *v)
{
    switch (ippc_value_type(v)) {
    case IPPC_T_BOOL: return json_boolean(ippc_value_bool(v));
    case IPPC_T_INT: return json_integer((json_int_t)ippc_value_int(v));
    case IPPC_T_FLOAT: {
        double d = ippc_value_float(v);
        return isfinite(d) ? json_real(d) : json_null();
    }
    case IPPC_T_STR: {
        size_t len = 0;
        const char *s = ippc_value_str(v, &len);
        json_t *j = json_stringn(s, len);
        return j ? j : json_null();
    }
    case IPPC_T_LIST:
    case IPPC_T_TUPLE: return json_items(v, false);
    case IPPC_T_DICT: return json_items(v, true);
    default: return json_null();
    }
}

json_t *cli_json_value_repr(const ippc_value_t *v)
{
    char *text = ippc_value_repr(v);
    json_t *j = json_pack("{s:o, s:o}", "value", cli_json_value(v), "repr", jstr(text));
    free(text);
    return j;
}

static json_t *json_error(const ippc_error_t *e)
{
    if (!e)
        return json_null();
    if (ippc_error_count(e) == 0)
        return json_pack("{s:s, s:o, s:[]}", "ename", ippc_errcode_name(ippc_error_code(e)), "evalue",
                         jstr(ippc_error_message(e)), "traceback");
    json_t *tb = json_array();
    for (size_t l = 0; l < ippc_error_traceback_len(e, 0); l++)
        json_array_append_new(tb, jstr(ippc_error_traceback_line(e, 0, l)));
    return json_pack("{s:o, s:o, s:o}", "ename", jstr(ippc_error_ename(e, 0)), "evalue", jstr(ippc_error_evalue(e, 0)),
                     "traceback", tb);
}

json_t *cli_json_request(ippc_result_t *r, size_t i)
{
    return json_pack("{s:i, s:o, s:o, s:o}", "id", ippc_result_engine_id(r, i), "stdout", jstr(ippc_result_stdout(r, i)),
                     "stderr", jstr(ippc_result_stderr(r, i)), "error", json_error(ippc_result_error(r, i)));
}

int cli_json_print(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    json_decref(j);
    if (!text)
        return cli_error("could not make the JSON output (out of memory?)");
    printf("%s\n", text);
    free(text);
    return CLI_OK;
}
