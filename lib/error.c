/* error.c - ippc_error_t: local errors with a code, and remote (per-engine) errors that
 * render like ipyparallel's RemoteError and CompositeError. */
#include "error_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct {
    int engine_id;
    char *method;
    char *ename;
    char *evalue;
    char **tb;
    size_t ntb;
} remote_entry_t;

struct ippc_error {
    ippc_errcode_t code;
    char *message;
    remote_entry_t *entries;
    size_t nentries;
};

static char *vprintf_dup(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    return s;
}

char *ippc_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vprintf_dup(fmt, ap);
    va_end(ap);
    return s;
}

/* The one error returned when memory runs out while making an error. */
static ippc_error_t *error_alloc(ippc_errcode_t code, char *message)
{
    ippc_error_t *e = calloc(1, sizeof(*e));
    if (!e) {
        free(message);
        return NULL;
    }
    e->code = code;
    e->message = message ? message : strdup("out of memory");
    if (!e->message) {
        free(e);
        return NULL;
    }
    return e;
}

ippc_error_t *ippc_error_new(ippc_errcode_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vprintf_dup(fmt, ap);
    va_end(ap);
    return error_alloc(msg ? code : IPPC_E_NOMEM, msg);
}

static void entry_free(remote_entry_t *r)
{
    free(r->method);
    free(r->ename);
    free(r->evalue);
    for (size_t i = 0; i < r->ntb; i++)
        free(r->tb[i]);
    free(r->tb);
}

void ippc_error_destroy(ippc_error_t **errp)
{
    if (!errp || !*errp)
        return;
    ippc_error_t *e = *errp;
    for (size_t i = 0; i < e->nentries; i++)
        entry_free(&e->entries[i]);
    free(e->entries);
    free(e->message);
    free(e);
    *errp = NULL;
}

ippc_errcode_t ippc_error_code(const ippc_error_t *err) { return err ? err->code : IPPC_OK; }
const char *ippc_error_message(const ippc_error_t *err) { return err ? err->message : "no error"; }

const char *ippc_errcode_name(ippc_errcode_t code)
{
    static const char *const names[] = {
        [IPPC_OK] = "IPPC_OK",
        [IPPC_E_INVALID] = "IPPC_E_INVALID",
        [IPPC_E_NOMEM] = "IPPC_E_NOMEM",
        [IPPC_E_IO] = "IPPC_E_IO",
        [IPPC_E_NOTFOUND] = "IPPC_E_NOTFOUND",
        [IPPC_E_PARSE] = "IPPC_E_PARSE",
        [IPPC_E_SIGNATURE] = "IPPC_E_SIGNATURE",
        [IPPC_E_REPLAY] = "IPPC_E_REPLAY",
        [IPPC_E_PROTOCOL] = "IPPC_E_PROTOCOL",
        [IPPC_E_TIMEOUT] = "IPPC_E_TIMEOUT",
        [IPPC_E_REMOTE] = "IPPC_E_REMOTE",
        [IPPC_E_COMPOSITE] = "IPPC_E_COMPOSITE",
        [IPPC_E_ENGINE] = "IPPC_E_ENGINE",
        [IPPC_E_CONNECT] = "IPPC_E_CONNECT",
        [IPPC_E_STATE] = "IPPC_E_STATE",
        [IPPC_E_SYSTEM] = "IPPC_E_SYSTEM",
    };
    if ((unsigned)code < sizeof(names) / sizeof(names[0]) && names[code])
        return names[code];
    return "IPPC_E_UNKNOWN";
}

static int error_vset(ippc_error_t **err, ippc_errcode_t code, const char *suffix, const char *fmt,
                      va_list ap)
{
    if (!err || *err)
        return -1;
    char *msg = vprintf_dup(fmt, ap);
    if (msg && suffix) {
        char *full = ippc_strdup_printf("%s: %s", msg, suffix);
        free(msg);
        msg = full;
    }
    *err = error_alloc(msg ? code : IPPC_E_NOMEM, msg);
    return -1;
}

int ippc_error_set(ippc_error_t **err, ippc_errcode_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int ippc_error_set_errno(ippc_error_t **err, ippc_errcode_t code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, code, strerror(errnum), fmt, ap);
    va_end(ap);
    return -1;
}

void ippc_error_prefix(ippc_error_t **err, const char *fmt, ...)
{
    if (!err || !*err)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *pre = vprintf_dup(fmt, ap);
    va_end(ap);
    if (!pre)
        return;
    char *msg = ippc_strdup_printf("%s: %s", pre, (*err)->message);
    free(pre);
    if (msg) {
        free((*err)->message);
        (*err)->message = msg;
    }
}

/* ------------------------------------------------------------ remote errors */

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

int ippc_error_add_remote(ippc_error_t *err, int engine_id, const char *method, const char *ename,
                          const char *evalue, const char *const *traceback, size_t ntraceback)
{
    if (!err)
        return -1;
    remote_entry_t *grown = realloc(err->entries, (err->nentries + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    err->entries = grown;
    remote_entry_t r = {.engine_id = engine_id};
    r.method = dup_or_empty(method);
    r.ename = dup_or_empty(ename);
    r.evalue = dup_or_empty(evalue);
    r.tb = calloc(ntraceback ? ntraceback : 1, sizeof(char *));
    bool ok = r.method && r.ename && r.evalue && r.tb;
    for (size_t i = 0; ok && i < ntraceback; i++) {
        r.tb[i] = dup_or_empty(traceback[i]);
        ok = r.tb[i] != NULL;
        r.ntb = i + 1;
    }
    if (!ok) {
        entry_free(&r);
        return -1;
    }
    err->entries[err->nentries++] = r;
    if (err->nentries == 1) {
        err->code = IPPC_E_REMOTE;
        char *msg = ippc_strdup_printf("%s(%s)", r.ename, r.evalue);
        if (msg) {
            free(err->message);
            err->message = msg;
        }
    } else {
        err->code = IPPC_E_COMPOSITE;
        char *msg = ippc_strdup_printf("one or more exceptions from call to method: %s",
                                       err->entries[0].method);
        if (msg) {
            free(err->message);
            err->message = msg;
        }
    }
    return 0;
}

ippc_error_t *ippc_error_new_remote(int engine_id, const char *method, const char *ename,
                                    const char *evalue, const char *const *traceback, size_t ntraceback)
{
    ippc_error_t *e = error_alloc(IPPC_E_REMOTE, strdup("remote error"));
    if (e && ippc_error_add_remote(e, engine_id, method, ename, evalue, traceback, ntraceback) != 0)
        ippc_error_destroy(&e);
    return e;
}

size_t ippc_error_count(const ippc_error_t *err) { return err ? err->nentries : 0; }

static const remote_entry_t *entry_at(const ippc_error_t *err, size_t i)
{
    return (err && i < err->nentries) ? &err->entries[i] : NULL;
}

int ippc_error_engine_id(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    return r ? r->engine_id : -1;
}

const char *ippc_error_method(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    return r ? r->method : NULL;
}

const char *ippc_error_ename(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    return r ? r->ename : NULL;
}

const char *ippc_error_evalue(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    return r ? r->evalue : NULL;
}

size_t ippc_error_traceback_len(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    return r ? r->ntb : 0;
}

const char *ippc_error_traceback_line(const ippc_error_t *err, size_t i, size_t line)
{
    const remote_entry_t *r = entry_at(err, i);
    return (r && line < r->ntb) ? r->tb[line] : NULL;
}

ippc_error_t *ippc_error_raise_exception(const ippc_error_t *err, size_t i)
{
    const remote_entry_t *r = entry_at(err, i);
    if (!r)
        return ippc_error_new(IPPC_E_INVALID, "an exception with index %zu does not exist", i);
    return ippc_error_new_remote(r->engine_id, r->method, r->ename, r->evalue,
                                 (const char *const *)r->tb, r->ntb);
}

/* The traceback as the stock client keeps it: lines joined by '\n', then split with
 * Python's splitlines (\n, \r\n and \r end a line; no empty last line). */
static void append_traceback(strbuf_t *sb, const remote_entry_t *r)
{
    strbuf_t joined;
    strbuf_init(&joined);
    for (size_t i = 0; i < r->ntb; i++) {
        if (i)
            strbuf_putc(&joined, '\n');
        strbuf_puts(&joined, r->tb[i]);
    }
    char *text = strbuf_release(&joined);
    if (!text || !*text) {
        strbuf_puts(sb, "No traceback available\n");
        free(text);
        return;
    }
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        strbuf_putn(sb, p, n);
        strbuf_putc(sb, '\n');
        p += n;
        if (p[0] == '\r' && p[1] == '\n')
            p += 2;
        else if (*p)
            p++;
    }
    free(text);
}

static void append_engine_str(strbuf_t *sb, const remote_entry_t *r)
{
    strbuf_printf(sb, "[%d:%s]: ", r->engine_id, r->method);
}

char *ippc_error_render(const ippc_error_t *err, int tb_limit)
{
    if (tb_limit <= 0)
        tb_limit = IPPC_TB_LIMIT_DEFAULT;
    strbuf_t sb;
    strbuf_init(&sb);
    if (!err) {
        strbuf_puts(&sb, "no error\n");
    } else if (err->nentries == 0) {
        strbuf_printf(&sb, "%s\n", err->message);
    } else if (err->nentries == 1 && err->code == IPPC_E_REMOTE) {
        append_traceback(&sb, &err->entries[0]);
    } else {
        size_t shown = err->nentries < (size_t)tb_limit ? err->nentries : (size_t)tb_limit;
        for (size_t i = 0; i < shown; i++) {
            append_engine_str(&sb, &err->entries[i]);
            strbuf_putc(&sb, '\n');
            append_traceback(&sb, &err->entries[i]);
            strbuf_putc(&sb, '\n');
        }
        if (err->nentries > shown)
            strbuf_printf(&sb, "... %zu more exceptions ...\n", err->nentries - shown);
    }
    return strbuf_release(&sb);
}

char *ippc_error_summary(const ippc_error_t *err, int tb_limit)
{
    if (tb_limit <= 0)
        tb_limit = IPPC_TB_LIMIT_DEFAULT;
    if (!err || err->nentries == 0 || err->code == IPPC_E_REMOTE)
        return strdup(ippc_error_message(err));
    strbuf_t sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, err->message);
    size_t shown = err->nentries < (size_t)tb_limit ? err->nentries : (size_t)tb_limit;
    for (size_t i = 0; i < shown; i++) {
        strbuf_putc(&sb, '\n');
        append_engine_str(&sb, &err->entries[i]);
        strbuf_printf(&sb, "%s: %s", err->entries[i].ename, err->entries[i].evalue);
    }
    if (err->nentries > shown)
        strbuf_printf(&sb, "\n.... %zu more exceptions ...", err->nentries - shown);
    return strbuf_release(&sb);
}
