/* pyembed.c - see pyembed.h. */
#include "pymod.h"

#include "config.h"

#include "pyembed.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emsg.h"
#include "error_int.h"
#include "elog.h"
#include "signals.h"

#ifndef IPPC_SRC_PYDIR
#define IPPC_SRC_PYDIR ""
#endif
#ifndef IPPC_PKGDATADIR
#define IPPC_PKGDATADIR ""
#endif
#ifndef IPPC_BUILDDIR
#define IPPC_BUILDDIR ""
#endif

static PyObject *g_kernel_mod; /* ippc_engine.kernel */
static PyObject *g_kernel;     /* its Kernel instance */
static PyObject *g_dispatch;   /* its bound dispatch method */
static PyThreadState *g_saved;

const char *pyembed_python_version(void)
{
    return PY_VERSION;
}

static bool has_package(const char *dir)
{
    char p[PATH_MAX + 32];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s/ippc_engine/__init__.py", dir);
    return n > 0 && (size_t)n < sizeof p && stat(p, &st) == 0;
}

static bool same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return *a && *b && realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* Where ippc_engine lives (see pyembed.h). */
static const char *package_dir(char *buf, size_t size)
{
    const char *env = getenv("IPPC_ENGINE_PYTHONPATH");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    bool in_build = false;
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        char libs[PATH_MAX + 8];
        snprintf(libs, sizeof libs, "%s/.libs", IPPC_BUILDDIR);
        in_build = same_dir(exe, IPPC_BUILDDIR) || same_dir(exe, libs);
    }
    snprintf(buf, size, "%s/python", IPPC_PKGDATADIR);
    if (in_build || !has_package(buf))
        return IPPC_SRC_PYDIR;
    return buf;
}

/* The text of the current Python exception as "Type: value" (and log its traceback). */
static char *fetch_error(const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    char *text = NULL;
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *name = type ? ((PyTypeObject *)type)->tp_name : "Error";
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    text = ippc_strdup_printf("%s: %s", name, msg ? msg : "");
    PyErr_Clear();
    PyObject *tbmod = PyImport_ImportModule("traceback");
    PyObject *lines = tbmod && value ? PyObject_CallMethod(tbmod, "format_exception", "OOO", type, value,
                                                           tb ? tb : Py_None)
                                     : NULL;
    if (lines) {
        PyObject *sep = PyUnicode_FromString("");
        PyObject *joined = sep ? PyUnicode_Join(sep, lines) : NULL;
        const char *t = joined ? PyUnicode_AsUTF8(joined) : NULL;
        log_error("%s:\n%s", what, t ? t : text);
        Py_XDECREF(joined);
        Py_XDECREF(sep);
    } else {
        log_error("%s: %s", what, text ? text : "?");
    }
    PyErr_Clear();
    Py_XDECREF(lines);
    Py_XDECREF(tbmod);
    Py_XDECREF(s);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return text;
}

static int fail(ippc_error_t **err, const char *what)
{
    char *text = fetch_error(what);
    ippc_error_set(err, IPPC_E_SYSTEM, "%s: %s", what, text ? text : "Python error");
    free(text);
    return -1;
}

static int run_simple(const char *code, const char *what, ippc_error_t **err)
{
    PyObject *main = PyImport_AddModule("__main__"); /* borrowed */
    PyObject *g = main ? PyModule_GetDict(main) : NULL;
    PyObject *r = g ? PyRun_String(code, Py_file_input, g, g) : NULL;
    if (!r)
        return fail(err, what);
    Py_DECREF(r);
    return 0;
}

int pyembed_init(const engine_t *e, const char *argv0, ippc_error_t **err)
{
    (void)e;
    if (pymod_register() < 0)
        return ippc_error_set(err, IPPC_E_SYSTEM, "cannot register the _ippc module");
    char buf[PATH_MAX];
    const char *pydir = package_dir(buf, sizeof buf);
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    /* Signals are ours (signals.c); the interpreter must not take SIGINT at init. */
    config.install_signal_handlers = 0;
    config.parse_argv = 0;
    char *const argv[] = {(char *)argv0, NULL};
    /* No pycache_prefix for the package's bytecode: it would make every import, the
     * standard library's too, look for bytecode under the prefix instead of the shipped
     * __pycache__ dirs, and compile from source when it cannot write there. Run from the
     * build tree, the package's bytecode goes next to its sources (git ignores
     * __pycache__; a read-only source tree just means no cache); installed, it is
     * compiled at install time (Makefile.am). */
    PyStatus st = PyConfig_SetBytesArgv(&config, 1, argv);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st))
        return ippc_error_set(err, IPPC_E_SYSTEM, "cannot start Python: %s%s%s", st.func ? st.func : "",
                              st.func ? ": " : "", st.err_msg ? st.err_msg : "unknown error");

    if (!has_package(pydir))
        return ippc_error_set(err, IPPC_E_NOTFOUND,
                              "the ippc_engine Python package is not in %s (set IPPC_ENGINE_PYTHONPATH)", pydir);
    log_debug("ippc_engine package from %s", pydir);
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    PyObject *dir = PyUnicode_DecodeFSDefault(pydir);
    if (!path || !dir || PyList_Insert(path, 0, dir) < 0) {
        Py_XDECREF(dir);
        return fail(err, "setting sys.path");
    }
    Py_DECREF(dir);

    /* KeyboardInterrupt must be the Python-level SIGINT handler for
     * PyErr_SetInterruptEx to raise it; setting it installs Python's C handler, which
     * ours then replaces. faulthandler prints the Python stack of a crash in the log. */
    char code[256];
    snprintf(code, sizeof code,
             "import _signal, faulthandler\n" /* not signal: its enum costs the start 4 ms */
             "_signal.signal(_signal.SIGINT, _signal.default_int_handler)\n"
             "faulthandler.enable(file=%d, all_threads=True)\n",
             ippc_log_fd());
    if (run_simple(code, "installing the SIGINT handler", err) < 0 || signals_reinstall_sigint(err) < 0)
        return -1;
    g_kernel_mod = PyImport_ImportModule("ippc_engine.kernel");
    if (!g_kernel_mod)
        return fail(err, "importing ippc_engine.kernel");
    return 0;
}

int pyembed_prepare_kernel(const engine_t *e, ippc_error_t **err)
{
    static const char *const shells[] = {"auto", "ipython", "plain"};
    const eng_options_t *o = e->opt;
    char *pd = o->profile_dir ? strdup(o->profile_dir) : ippc_profile_dir(o->profile);
    PyObject *kw = Py_BuildValue("{s:s, s:s, s:z, s:z, s:O, s:O, s:i}", "engine_uuid", e->uuid, "shell",
                                 shells[o->shell], "colors", o->colors, "profile_dir", pd, "mpi",
                                 o->mpi ? Py_True : Py_False, "fd_capture", o->capture_fds ? Py_True : Py_False,
                                 "log_level", o->log_level);
    free(pd);
    PyObject *cls = kw ? PyObject_GetAttrString(g_kernel_mod, "Kernel") : NULL;
    PyObject *noargs = cls ? PyTuple_New(0) : NULL;
    PyObject *r = noargs ? PyObject_Call(cls, noargs, kw) : NULL;
    Py_XDECREF(noargs);
    Py_XDECREF(cls);
    Py_XDECREF(kw);
    if (!r)
        return fail(err, "creating the kernel");
    g_kernel = r;
    g_dispatch = PyObject_GetAttrString(g_kernel, "dispatch");
    if (!g_dispatch)
        return fail(err, "creating the kernel");
    r = PyObject_CallMethod(g_kernel, "prepare", "zz", o->startup_command, o->startup_script);
    if (!r)
        return fail(err, "preparing the kernel");
    int ok = PyObject_IsTrue(r);
    Py_DECREF(r);
    if (ok != 1)
        return ippc_error_set(err, IPPC_E_INVALID, "the startup code failed (traceback above); not registering");
    return 0;
}

int pyembed_start_kernel(const engine_t *e, ippc_error_t **err)
{
    if (pymod_set_identity(e->id, e->uuid, e->opt->capture_fds) < 0)
        return fail(err, "setting up _ippc");
    PyObject *r = PyObject_CallMethod(g_kernel, "attach", "i", e->id);
    if (!r)
        return fail(err, "starting the kernel");
    Py_DECREF(r);
    return 0;
}

void pyembed_warm(void)
{
    PyObject *r = PyObject_CallMethod(g_kernel, "warm", NULL);
    if (!r)
        free(fetch_error("warming up the kernel"));
    Py_XDECREF(r);
}

/* An error reply for a failure of the engine's own Python code. */
static json_t *internal_error(const char *what, const char *method)
{
    char *text = fetch_error(what);
    const char *colon = text ? strstr(text, ": ") : NULL;
    char *ename = text ? strndup(text, colon ? (size_t)(colon - text) : strlen(text)) : NULL;
    json_t *c = emsg_error_content(ename ? ename : "RuntimeError", colon ? colon + 2 : "engine error", method);
    free(ename);
    free(text);
    return c;
}

static int internal_error_reply(const char *what, const char *method, pyembed_reply_t *out)
{
    json_t *c = internal_error(what, method);
    out->owned = c ? json_dumps(c, JSON_COMPACT) : NULL;
    json_decref(c);
    if (!out->owned)
        return -1;
    out->text = out->owned;
    out->len = strlen(out->owned);
    out->status = "error";
    return 0;
}

static const char *known_status(const char *s)
{
    static const char *const known[] = {"ok", "error", "aborted"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (s && !strcmp(s, known[i]))
            return known[i];
    return "error";
}

int pyembed_dispatch(const emsg_req_t *req, ippc_bloblist_t *bufs, pyembed_reply_t *out)
{
    *out = (pyembed_reply_t){.status = "error"};
    const char *type = req->msg_type;
    const char *method = !strncmp(type, "execute", 7) ? "execute" : "apply";
    ippc_frame_t c = req->raw.parts[3];
    bool native = emsg_span_truthy(req->md[EMSG_MD_IPPC]);
    PyObject *args[4] = {PyUnicode_FromString(type), PyBytes_FromStringAndSize(c.data, (Py_ssize_t)c.len),
                         native ? Py_True : Py_False, pymod_frames_to_list(req->buffers, req->nbuffers)};
    PyObject *r = args[0] && args[1] && args[3] ? PyObject_Vectorcall(g_dispatch, args, 4, NULL) : NULL;
    Py_XDECREF(args[0]);
    Py_XDECREF(args[1]);
    Py_XDECREF(args[3]);
    if (!r)
        return internal_error_reply("running the request", method, out);

    PyObject *rtext = PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 4 ? PyTuple_GET_ITEM(r, 0) : NULL;
    PyObject *rbufs = rtext ? PyTuple_GET_ITEM(r, 1) : NULL;
    const char *status = rtext ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 2)) : NULL;
    PyObject *ename = rtext ? PyTuple_GET_ITEM(r, 3) : NULL;
    Py_ssize_t len = 0;
    const char *text = status ? PyUnicode_AsUTF8AndSize(rtext, &len) : NULL;
    if (!text || (rbufs != Py_None && pymod_buffers_to_blobs(rbufs, bufs) < 0)) {
        Py_DECREF(r);
        ippc_bloblist_clear(bufs);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "the kernel returned a malformed reply");
        return internal_error_reply("encoding the reply", method, out);
    }
    out->text = text;
    out->len = (size_t)len;
    out->status = known_status(status);
    const char *en = ename && PyUnicode_Check(ename) ? PyUnicode_AsUTF8(ename) : NULL;
    out->unmet = en && !strcmp(en, "UnmetDependency");
    PyErr_Clear();
    out->owner = r;
    return 0;
}

void pyembed_reply_clear(pyembed_reply_t *r)
{
    Py_XDECREF((PyObject *)r->owner);
    free(r->owned);
    *r = (pyembed_reply_t){0};
}

json_t *pyembed_clear(void)
{
    PyObject *r = PyObject_CallMethod(g_kernel, "clear", NULL);
    if (!r)
        return internal_error("clearing the namespace", "clear");
    Py_DECREF(r);
    return json_pack("{s:s}", "status", "ok");
}

void pyembed_discard_pending_interrupt(void)
{
    if (PyErr_CheckSignals() < 0)
        PyErr_Clear();
}

void pyembed_release(void)
{
    if (Py_IsInitialized() && !g_saved)
        g_saved = PyEval_SaveThread();
}

void pyembed_acquire(void)
{
    if (g_saved)
        PyEval_RestoreThread(g_saved);
    g_saved = NULL;
}

void pyembed_release_sent(void)
{
    pymod_release_sent();
}

void pyembed_shutdown(void)
{
    if (g_kernel) {
        PyObject *r = PyObject_CallMethod(g_kernel, "shutdown", NULL);
        if (!r)
            free(fetch_error("kernel shutdown"));
        Py_XDECREF(r);
    }
}
