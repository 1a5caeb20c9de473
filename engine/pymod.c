/* pymod.c - see pymod.h. */
#include "pymod.h"

#include "config.h"

#include <pthread.h>
#include <string.h>

#include "engine.h"
#include "iopub.h"
#include "elog.h"
#include "outstream.h"

/* Below this size a Python buffer is copied into the message: a copy is cheaper than
 * the bookkeeping of handing the buffer back to the main thread. */
#define ZEROCOPY_MIN (64 * 1024)

/* ------------------------------------------------------------------ Frame type */

typedef struct {
    PyObject_HEAD
    ippc_blob_t *blob;
} FrameObject;

static int frame_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    FrameObject *f = (FrameObject *)self;
    return PyBuffer_FillInfo(view, self, ippc_blob_data(f->blob), (Py_ssize_t)ippc_blob_size(f->blob), 1, flags);
}

static void frame_dealloc(PyObject *self)
{
    FrameObject *f = (FrameObject *)self;
    ippc_blob_destroy(&f->blob);
    Py_TYPE(self)->tp_free(self);
}

static PyBufferProcs frame_as_buffer = {.bf_getbuffer = frame_getbuffer};

static PyTypeObject FrameType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_ippc.Frame",
    .tp_basicsize = sizeof(FrameObject),
    .tp_dealloc = frame_dealloc,
    .tp_as_buffer = &frame_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A received zmq frame (read-only buffer).",
};

PyObject *pymod_frames_to_list(ippc_blob_t *const *blobs, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        FrameObject *f = PyObject_New(FrameObject, &FrameType);
        if (!f) {
            Py_DECREF(list);
            return NULL;
        }
        f->blob = ippc_blob_ref(blobs[i]);
        PyObject *mv = PyMemoryView_FromObject((PyObject *)f);
        Py_DECREF(f);
        if (!mv) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, mv);
    }
    return list;
}

/* --------------------------------------------------- sent-buffer release queue */

typedef struct sent {
    Py_buffer view;
    struct sent *next;
} sent_t;

static pthread_mutex_t g_sent_mu = PTHREAD_MUTEX_INITIALIZER;
static sent_t *g_sent;

/* Called by libzmq (any thread, no GIL) when it no longer needs the memory. */
static void sent_free(void *data, void *hint)
{
    (void)data;
    sent_t *s = hint;
    pthread_mutex_lock(&g_sent_mu);
    s->next = g_sent;
    g_sent = s;
    pthread_mutex_unlock(&g_sent_mu);
    engine_wake(g_engine.main_wake[1], 'r');
}

void pymod_release_sent(void)
{
    if (!Py_IsInitialized())
        return;
    pthread_mutex_lock(&g_sent_mu);
    sent_t *list = g_sent;
    g_sent = NULL;
    pthread_mutex_unlock(&g_sent_mu);
    while (list) {
        sent_t *next = list->next;
        PyBuffer_Release(&list->view);
        PyMem_RawFree(list);
        list = next;
    }
}

static ippc_blob_t *blob_from_object(PyObject *o)
{
    sent_t *s = PyMem_RawCalloc(1, sizeof *s);
    if (!s) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(o, &s->view, PyBUF_ANY_CONTIGUOUS) < 0) {
        PyMem_RawFree(s);
        /* Not contiguous (or not a buffer): fall back to bytes(o). */
        PyErr_Clear();
        PyObject *b = PyBytes_FromObject(o);
        if (!b)
            return NULL;
        ippc_blob_t *blob = ippc_blob_copy(PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
        Py_DECREF(b);
        if (!blob)
            PyErr_NoMemory();
        return blob;
    }
    ippc_blob_t *blob;
    if (s->view.len < ZEROCOPY_MIN) {
        blob = ippc_blob_copy(s->view.buf, (size_t)s->view.len);
        PyBuffer_Release(&s->view);
        PyMem_RawFree(s);
    } else {
        blob = ippc_blob_wrap(s->view.buf, (size_t)s->view.len, sent_free, s);
        if (!blob) {
            PyBuffer_Release(&s->view);
            PyMem_RawFree(s);
        }
    }
    if (!blob)
        PyErr_NoMemory();
    return blob;
}

int pymod_buffers_to_blobs(PyObject *seq, ippc_bloblist_t *out)
{
    PyObject *fast = PySequence_Fast(seq, "buffers must be a sequence");
    if (!fast)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    for (Py_ssize_t i = 0; i < n; i++) {
        ippc_blob_t *b = blob_from_object(PySequence_Fast_GET_ITEM(fast, i));
        if (!b) {
            Py_DECREF(fast);
            return -1;
        }
        int rc = ippc_bloblist_push(out, b);
        ippc_blob_destroy(&b);
        if (rc < 0) {
            Py_DECREF(fast);
            PyErr_NoMemory();
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* ------------------------------------------------------------------ functions */

static PyObject *py_publish(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"msg_type", "content", "buffers", NULL};
    const char *type, *text;
    Py_ssize_t len;
    PyObject *buffers = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ss#|O:publish", names, &type, &text, &len, &buffers))
        return NULL;
    /* The text is Python's json.dumps of a dict: sent as it is, parsed only for a
     * stream message, whose topic is its name. */
    json_t *content = NULL;
    if (!strcmp(type, "stream")) {
        json_error_t jerr;
        content = json_loadb(text, (size_t)len, 0, &jerr);
        if (!json_is_object(content)) {
            json_decref(content);
            return PyErr_Format(PyExc_ValueError, "publish: content is not a JSON object: %s", jerr.text);
        }
    }
    ippc_bloblist_t bufs;
    ippc_bloblist_init(&bufs);
    if (buffers != Py_None && pymod_buffers_to_blobs(buffers, &bufs) < 0) {
        json_decref(content);
        ippc_bloblist_clear(&bufs);
        return NULL;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    if (content)
        rc = iopub_publish(type, content, NULL, NULL, &bufs);
    else
        rc = iopub_publish_text(type, text, (size_t)len, NULL, &bufs);
    Py_END_ALLOW_THREADS
    ippc_bloblist_clear(&bufs);
    (void)rc; /* already logged; output must never raise in user code */
    Py_RETURN_NONE;
}

static int stream_index(const char *name)
{
    if (!strcmp(name, "stdout"))
        return OUT_STDOUT;
    if (!strcmp(name, "stderr"))
        return OUT_STDERR;
    return -1;
}

static PyObject *py_stream_write(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "sU:stream_write", &name, &text))
        return NULL;
    int which = stream_index(name);
    if (which < 0)
        return PyErr_Format(PyExc_ValueError, "unknown stream %s", name);
    PyObject *b = PyUnicode_AsEncodedString(text, "utf-8", "surrogateescape");
    if (!b) {
        PyErr_Clear();
        b = PyUnicode_AsEncodedString(text, "utf-8", "replace");
        if (!b)
            return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    outstream_write(which, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
    Py_END_ALLOW_THREADS
    Py_DECREF(b);
    Py_RETURN_NONE;
}

static PyObject *py_stream_flush(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name = NULL;
    if (!PyArg_ParseTuple(args, "|z:stream_flush", &name))
        return NULL;
    int which = name ? stream_index(name) : -1;
    Py_BEGIN_ALLOW_THREADS
    outstream_flush(which);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_log(PyObject *self, PyObject *args)
{
    (void)self;
    int level;
    const char *text;
    if (!PyArg_ParseTuple(args, "is:log", &level, &text))
        return NULL;
    ippc_log(level, "%s", text);
    Py_RETURN_NONE;
}

static PyMethodDef k_methods[] = {
    {"publish", (PyCFunction)(void (*)(void))py_publish, METH_VARARGS | METH_KEYWORDS,
     "publish(msg_type, content_json, buffers=None): send an IOPub message under the current parent."},
    {"stream_write", py_stream_write, METH_VARARGS, "stream_write(name, text): buffered stream output."},
    {"stream_flush", py_stream_flush, METH_VARARGS, "stream_flush(name=None): publish buffered output now."},
    {"log", py_log, METH_VARARGS, "log(level, text): a line in the engine log."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef k_module = {
    PyModuleDef_HEAD_INIT, "_ippc", "The ippc engine's C side.", -1, k_methods, NULL, NULL, NULL, NULL,
};

static PyObject *init_module(void)
{
    if (PyType_Ready(&FrameType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&k_module);
    if (!m)
        return NULL;
    Py_INCREF(&FrameType);
    if (PyModule_AddObject(m, "Frame", (PyObject *)&FrameType) < 0 || PyModule_AddIntConstant(m, "engine_id", -1) < 0 ||
        PyModule_AddStringConstant(m, "engine_uuid", "") < 0 || PyModule_AddIntConstant(m, "fd_capture", 0) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

int pymod_register(void)
{
    return PyImport_AppendInittab("_ippc", init_module);
}

int pymod_set_identity(int engine_id, const char *uuid, int fd_capture)
{
    PyObject *m = PyImport_ImportModule("_ippc");
    if (!m)
        return -1;
    int rc = PyModule_AddIntConstant(m, "engine_id", engine_id) < 0 ||
                     PyModule_AddStringConstant(m, "engine_uuid", uuid) < 0 ||
                     PyModule_AddIntConstant(m, "fd_capture", fd_capture) < 0
                 ? -1
                 : 0;
    Py_DECREF(m);
    return rc;
}
