/* view_func.c - function handles (RemoteFunction, ParallelFunction): a view, a callable
 * expression, options copied at creation, and modules to require (@require). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "error_int.h"
#include "strbuf.h"

/* @require on the engine, as controller/dependency.py's _require: import each module
 * into the user namespace, UnmetDependency(name) when that fails, then call. The code
 * travels as an argument so that nothing needs quoting; it runs in a scratch dict and
 * leaves only the imported modules in the namespace. */
static const char require_src[] =
    "def run(g, mods, expr, args, kwargs):\n"
    "    for m in mods:\n"
    "        try:\n"
    "            exec('import ' + m, g)\n"
    "        except ImportError:\n"
    "            raise type('UnmetDependency', (Exception,), {'__module__': 'ipyparallel.error'})(m) from None\n"
    "    return eval(expr, g)(*args, **kwargs)\n";
#define REQUIRE_CALLABLE \
    "lambda __ippc_src, __ippc_mods, __ippc_f, __ippc_a, __ippc_k: " \
    "(lambda d: (exec(__ippc_src, d), d['run'])[1])({})(globals(), __ippc_mods, __ippc_f, __ippc_a, __ippc_k)"

ippc_value_t *ippc_module_list(const char *modules, const char *what, ippc_error_t **err)
{
    ippc_value_t *list = ippc_value_new_list();
    for (const char *p = modules; list && p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (!n)
            break;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)p[i];
            if (!(isalnum(ch) || ch == '_' || ch == '.' || ch >= 0x80)) {
                ippc_value_destroy(&list);
                ippc_error_set(err, IPPC_E_INVALID, "%s: bad module name in '%s'", what, modules);
                return NULL;
            }
        }
        if (ippc_value_append(list, ippc_value_new_strn(p, n)) != 0)
            ippc_value_destroy(&list);
        p += n;
    }
    if (!list)
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    else if (ippc_value_len(list) == 0) {
        ippc_value_destroy(&list);
        ippc_error_set(err, IPPC_E_INVALID, "%s: no modules", what);
    }
    return list;
}

/* v itself, or an empty container of type t when v is NULL (a new value either way). */
static ippc_value_t *copy_or_empty(const ippc_value_t *v, ippc_type_t t)
{
    if (v)
        return ippc_value_copy(v);
    return t == IPPC_T_DICT ? ippc_value_new_dict() : ippc_value_new_tuple();
}

int ippc_request_apply_requiring(ippc_request_t *rq, const char *modules, const char *callable,
                                 const ippc_value_t *args, const ippc_value_t *kwargs, ippc_error_t **err)
{
    memset(rq, 0, sizeof(*rq));
    if (!callable || !*callable)
        return ippc_error_set(err, IPPC_E_INVALID, "callable must be a Python expression");
    if (args && ippc_value_type(args) != IPPC_T_LIST && ippc_value_type(args) != IPPC_T_TUPLE)
        return ippc_error_set(err, IPPC_E_INVALID, "args must be a list or tuple");
    if (kwargs && ippc_value_type(kwargs) != IPPC_T_DICT)
        return ippc_error_set(err, IPPC_E_INVALID, "kwargs must be a dict");
    ippc_value_t *mods = ippc_module_list(modules, "require", err);
    if (!mods)
        return -1;
    ippc_value_t *outer = ippc_value_new_tuple();
    if (!outer) {
        ippc_value_destroy(&mods);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    bool ok = ippc_value_append(outer, ippc_value_new_str(require_src)) == 0;
    if (ok)
        ok = ippc_value_append(outer, mods) == 0; /* takes mods, also on failure */
    else
        ippc_value_destroy(&mods);
    ok = ok && ippc_value_append(outer, ippc_value_new_str(callable)) == 0;
    ok = ok && ippc_value_append(outer, copy_or_empty(args, IPPC_T_TUPLE)) == 0;
    ok = ok && ippc_value_append(outer, copy_or_empty(kwargs, IPPC_T_DICT)) == 0;
    int rc = ok ? ippc_request_apply(rq, REQUIRE_CALLABLE, outer, NULL, err)
                : ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    ippc_value_destroy(&outer);
    return rc;
}

/* ----------------------------------------------------------------- handles */

/* A copy of opts (the targets string duplicated) kept by a handle. */
typedef struct {
    ippc_opts_t opts;
    char *targets;
} saved_opts_t;

static int saved_opts_init(saved_opts_t *s, const ippc_opts_t *opts)
{
    memset(s, 0, sizeof(*s));
    if (opts)
        s->opts = *opts;
    if (opts && opts->targets) {
        s->targets = strdup(opts->targets);
        if (!s->targets)
            return -1;
    }
    s->opts.targets = s->targets;
    return 0;
}

static void saved_opts_free(saved_opts_t *s)
{
    free(s->targets);
    memset(s, 0, sizeof(*s));
}

/* What both handle types hold. */
typedef struct {
    ippc_view_t *view;
    char *callable;
    char *modules; /* required modules, comma-separated; NULL: none */
    saved_opts_t opts;
} func_t;

struct ippc_remote {
    func_t f;
};

struct ippc_parallel {
    func_t f;
};

static int func_init(func_t *f, ippc_view_t *v, const char *callable, const ippc_opts_t *opts, ippc_error_t **err)
{
    memset(f, 0, sizeof(*f));
    if (!v || !callable || !*callable)
        return ippc_error_set(err, IPPC_E_INVALID, "a view and a callable expression are needed");
    if (ippc_client_check_open(ippc_view_client(v), err) != 0)
        return -1;
    f->callable = strdup(callable);
    if (!f->callable || saved_opts_init(&f->opts, opts) != 0) {
        free(f->callable);
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    }
    f->view = ippc_view_ref(v);
    return 0;
}

static void func_free(func_t *f)
{
    ippc_view_destroy(&f->view);
    free(f->callable);
    free(f->modules);
    saved_opts_free(&f->opts);
}

static int func_require(func_t *f, const char *modules, ippc_error_t **err)
{
    ippc_value_t *check = ippc_module_list(modules, "require", err); /* validates the names */
    if (!check)
        return -1;
    ippc_value_destroy(&check);
    char *joined = f->modules ? ippc_strdup_printf("%s,%s", f->modules, modules) : strdup(modules);
    if (!joined)
        return ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
    free(f->modules);
    f->modules = joined;
    return 0;
}

/* ------------------------------------------------------------------ remote */

ippc_remote_t *ippc_view_remote(ippc_view_t *v, const char *callable, const ippc_opts_t *opts, ippc_error_t **err)
{
    ippc_remote_t *r = calloc(1, sizeof(*r));
    if (!r) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (func_init(&r->f, v, callable, opts, err) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

ippc_result_t *ippc_remote_call(ippc_remote_t *r, const ippc_value_t *args, const ippc_value_t *kwargs,
                                ippc_error_t **err)
{
    if (!r) {
        ippc_error_set(err, IPPC_E_INVALID, "no remote function");
        return NULL;
    }
    ippc_request_t rq;
    int rc = r->f.modules ? ippc_request_apply_requiring(&rq, r->f.modules, r->f.callable, args, kwargs, err)
                          : ippc_request_apply(&rq, r->f.callable, args, kwargs, err);
    if (rc != 0)
        return NULL;
    return ippc_view_apply_request(r->f.view, &rq, &r->f.opts.opts, err);
}

ippc_value_t *ippc_remote_call_sync(ippc_remote_t *r, const ippc_value_t *args, const ippc_value_t *kwargs,
                                    ippc_error_t **err)
{
    return ippc_result_take(ippc_remote_call(r, args, kwargs, err), err);
}

int ippc_remote_require(ippc_remote_t *r, const char *modules, ippc_error_t **err)
{
    if (!r || !modules)
        return ippc_error_set(err, IPPC_E_INVALID, "require: no function or no modules");
    return func_require(&r->f, modules, err);
}

void ippc_remote_destroy(ippc_remote_t **rp)
{
    if (!rp || !*rp)
        return;
    func_free(&(*rp)->f);
    free(*rp);
    *rp = NULL;
}

/* ---------------------------------------------------------------- parallel */

ippc_parallel_t *ippc_view_parallel(ippc_view_t *v, const char *callable, const ippc_opts_t *opts,
                                    ippc_error_t **err)
{
    ippc_parallel_t *p = calloc(1, sizeof(*p));
    if (!p) {
        ippc_error_set(err, IPPC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (func_init(&p->f, v, callable, opts, err) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

/* callable(part), required modules first. */
static int call_part_request(ippc_request_t *rq, const ippc_value_t *part, void *data, ippc_error_t **err)
{
    const func_t *f = data;
    ippc_value_t args, *items[1] = {(ippc_value_t *)part};
    ippc_borrow_seq(&args, IPPC_T_TUPLE, items, 1);
    return f->modules ? ippc_request_apply_requiring(rq, f->modules, f->callable, &args, NULL, err)
                      : ippc_request_apply(rq, f->callable, &args, NULL, err);
}

static int map_part_request(ippc_request_t *rq, const ippc_value_t *part, void *data, ippc_error_t **err)
{
    const func_t *f = data;
    return ippc_request_map(rq, f->callable, f->modules, part, err);
}

ippc_result_t *ippc_parallel_call(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err)
{
    if (!p) {
        ippc_error_set(err, IPPC_E_INVALID, "no parallel function");
        return NULL;
    }
    /* as ParallelFunction.__call__: empty parts are not sent */
    return ippc_view_apply_parts(p->f.view, seq, &p->f.opts.opts, IPPC_SHAPE_JOIN, true,
                                 call_part_request, &p->f, err);
}

ippc_value_t *ippc_parallel_call_sync(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err)
{
    return ippc_result_take(ippc_parallel_call(p, seq, err), err);
}

ippc_result_t *ippc_parallel_map(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err)
{
    if (!p) {
        ippc_error_set(err, IPPC_E_INVALID, "no parallel function");
        return NULL;
    }
    return ippc_view_apply_parts(p->f.view, seq, &p->f.opts.opts, IPPC_SHAPE_JOIN, true,
                                 map_part_request, &p->f, err);
}

ippc_value_t *ippc_parallel_map_sync(ippc_parallel_t *p, const ippc_value_t *seq, ippc_error_t **err)
{
    return ippc_result_take(ippc_parallel_map(p, seq, err), err);
}

int ippc_parallel_require(ippc_parallel_t *p, const char *modules, ippc_error_t **err)
{
    if (!p || !modules)
        return ippc_error_set(err, IPPC_E_INVALID, "require: no function or no modules");
    return func_require(&p->f, modules, err);
}

void ippc_parallel_destroy(ippc_parallel_t **pp)
{
    if (!pp || !*pp)
        return;
    func_free(&(*pp)->f);
    free(*pp);
    *pp = NULL;
}
