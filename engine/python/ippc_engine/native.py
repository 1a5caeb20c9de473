"""The native encoding of libippc: apply_request from C clients.

Only the standard library is needed (numpy is used when importable, for ndarrays).

Request
-------
An ``apply_request`` whose metadata contains ``"ippc": 1``::

    content  {"callable": "<Python expression>", "args": <value>, "kwargs": <value>}
    buffers  the byte payloads the value descriptions refer to ("buf": i indexes them,
             counting from 0 over all buffers of the message)

``callable`` is evaluated in the engine's user namespace, so names pushed earlier
resolve: ``"f"``, ``"lambda x: a + x"``, ``"time.sleep"`` (after ``import time``).
``args`` describes a list or tuple (missing: no arguments), ``kwargs`` a dict with str
keys (missing or null: none). Push and pull need nothing special:
``"lambda **ns: globals().update(ns)"`` with kwargs, and ``"lambda *names: [eval(n) for n in
names]"`` with names as args (lambdas evaluated in the user namespace have it as globals).

Reply
-----
``apply_reply`` content ``{"status": "ok", "result": <value>}`` with the result's buffers,
or the stock error content ``{"status": "error", "ename", "evalue", "traceback",
"engine_info"}``; IOPub output and tracebacks are as for any request.

Value descriptions (lib/value_codec.h)
--------------------------------------
============  ==============================================================
None          ``null``
bool          ``true`` / ``false``
int           JSON integer (int64; larger ints travel as pyobj)
float         JSON real, or ``{"@": "float", "v": "nan" | "inf" | "-inf"}``
str           JSON string; with NUL characters ``{"@": "str", "buf": i}`` (UTF-8)
bytes         ``{"@": "bytes", "buf": i}``
list          JSON array of values; a list of 16 or more items that are all int (int64)
              or all float travels packed: ``{"@": "list", "dtype": "<i8" | "<f8",
              "buf": i}``, the items as little-endian int64 / float64 in buffer i (one
              frame instead of a JSON number per item). Both forms are always accepted.
tuple         ``{"@": "tuple", "items": [...]}``
dict          ``{"@": "dict", "items": [[key, value], ...]}`` (str keys, in order)
ndarray       ``{"@": "ndarray", "dtype": "<f8", "shape": [...], "buf": i}``: C order;
              dtype = byte order ``< > | =``, kind ``b i u f c``, item size. Without
              numpy on the engine an incoming array becomes nested lists.
range         ``{"@": "range", "start": a, "stop": b, "step": c}``
pyobj         ``{"@": "pyobj", "type": "mod.Class", "repr": "...", "buf": i}``: any other
              object, as its pickle (empty when it cannot be pickled), so a C client can
              print it and send it back unchanged.
============  ==============================================================
"""

import array
import json
import math
import pickle
import struct
import sys

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
MAX_DEPTH = 256
_KINDS = "biufc"
PACKED_MIN = 16  # lists at least this long, all int or all float, are encoded packed
_PACKED = {"<i8": "q", "<f8": "d"}  # packed list dtype -> array typecode
_LITTLE = sys.byteorder == "little"


class DecodeError(ValueError):
    pass


def _numpy():
    try:
        import numpy
    except ImportError:
        return None
    return numpy


# ---------------------------------------------------------------------- decoding

def _buf(desc, bufs):
    i = desc.get("buf")
    if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(bufs):
        raise DecodeError("bad buffer index %r (the message has %d buffers)" % (i, len(bufs)))
    return bufs[i]


def _parse_dtype(dtype):
    if not isinstance(dtype, str) or len(dtype) < 3 or dtype[0] not in "<>|=" or dtype[1] not in _KINDS:
        raise DecodeError("invalid dtype %r" % (dtype,))
    try:
        size = int(dtype[2:])
    except ValueError:
        raise DecodeError("invalid dtype %r" % (dtype,)) from None
    if size not in (1, 2, 4, 8, 16) or (dtype[1] == "b" and size != 1) or (dtype[1] == "c" and size not in (8, 16)):
        raise DecodeError("invalid dtype %r" % (dtype,))
    return dtype[0], dtype[1], size


def _array_to_lists(data, order, kind, size, shape):
    """An array as nested lists, for engines without numpy."""
    endian = {"<": "<", ">": ">", "|": "<", "=": "="}[order]
    if kind == "c":
        half = size // 2
        fmt = endian + ("f" if half == 4 else "d")
        floats = struct.unpack(fmt[0] + "%d%s" % (len(data) // half, fmt[1]), data)
        flat = [complex(floats[i], floats[i + 1]) for i in range(0, len(floats), 2)]
    else:
        code = {("b", 1): "?", ("i", 1): "b", ("u", 1): "B", ("i", 2): "h", ("u", 2): "H", ("i", 4): "i",
                ("u", 4): "I", ("i", 8): "q", ("u", 8): "Q", ("f", 2): "e", ("f", 4): "f", ("f", 8): "d"}.get((kind, size))
        if code is None:
            raise DecodeError("dtype %s%d needs numpy on the engine" % (kind, size))
        flat = list(struct.unpack("%s%d%s" % (endian, len(data) // size, code), data))

    def build(dims, start):
        if not dims:
            return flat[start], start + 1
        out = []
        for _ in range(dims[0]):
            item, start = build(dims[1:], start)
            out.append(item)
        return out, start

    return build(list(shape), 0)[0]


def _decode_ndarray(desc, bufs):
    order, kind, size = _parse_dtype(desc.get("dtype"))
    shape = desc.get("shape")
    if not isinstance(shape, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise DecodeError("invalid ndarray shape %r" % (shape,))
    data = _buf(desc, bufs)
    count = 1
    for n in shape:
        count *= n
    if count * size != len(data):
        raise DecodeError("ndarray of shape %r and dtype %s needs %d bytes, the buffer has %d"
                          % (shape, desc["dtype"], count * size, len(data)))
    np = _numpy()
    if np is not None:
        return np.frombuffer(data, dtype=np.dtype(desc["dtype"])).reshape(shape)
    return _array_to_lists(bytes(data), order, kind, size, shape)


def _unpack_list(desc, bufs):
    code = _PACKED.get(desc.get("dtype"))
    if code is None:
        raise DecodeError("packed list dtype must be '<i8' or '<f8', not %r" % (desc.get("dtype"),))
    data = _buf(desc, bufs)
    if len(data) % 8:
        raise DecodeError("packed list buffer holds %d bytes, not a multiple of 8" % len(data))
    if _LITTLE:
        return memoryview(data).cast("B").cast(code).tolist()
    items = array.array(code, bytes(data))
    items.byteswap()
    return items.tolist()


def _pack_list(obj, bufs):
    """The packed description of a list of ints or floats (exactly those types: bool
    and other subclasses keep their type as JSON items), or None."""
    kind = type(obj[0])
    if (kind is not int and kind is not float) or len(set(map(type, obj))) != 1:
        return None
    code = "q" if kind is int else "d"
    try:
        items = array.array(code, obj)
    except OverflowError:  # ints beyond int64 travel one by one (as pyobj)
        return None
    if not _LITTLE:
        items.byteswap()
    bufs.append(items)
    return {"@": "list", "dtype": "<i8" if kind is int else "<f8", "buf": len(bufs) - 1}


def _int(desc, key):
    v = desc.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise DecodeError("range %s must be an integer, not %r" % (key, v))
    return v


def decode(desc, bufs, depth=0):
    """The Python value of a description (bufs: the message's buffers)."""
    if depth > MAX_DEPTH:
        raise DecodeError("value nested deeper than %d" % MAX_DEPTH)
    if desc is None or isinstance(desc, (bool, int, float, str)):
        return desc
    if isinstance(desc, list):
        return [decode(d, bufs, depth + 1) for d in desc]
    if not isinstance(desc, dict):
        raise DecodeError("unexpected %s in a value description" % type(desc).__name__)
    tag = desc.get("@")
    if tag == "tuple":
        items = desc.get("items")
        if not isinstance(items, list):
            raise DecodeError("tuple without items")
        return tuple(decode(d, bufs, depth + 1) for d in items)
    if tag == "dict":
        items = desc.get("items")
        if not isinstance(items, list):
            raise DecodeError("dict without items")
        out = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise DecodeError("dict items must be [str, value] pairs")
            out[pair[0]] = decode(pair[1], bufs, depth + 1)
        return out
    if tag == "float":
        v = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(desc.get("v"))
        if v is None:
            raise DecodeError("bad special float %r" % (desc.get("v"),))
        return v
    if tag == "str":
        return bytes(_buf(desc, bufs)).decode("utf-8")
    if tag == "bytes":
        return bytes(_buf(desc, bufs))
    if tag == "ndarray":
        return _decode_ndarray(desc, bufs)
    if tag == "list":
        return _unpack_list(desc, bufs)
    if tag == "range":
        step = _int(desc, "step")
        if step == 0:
            raise DecodeError("range step must not be zero")
        return range(_int(desc, "start"), _int(desc, "stop"), step)
    if tag == "pyobj":
        data = _buf(desc, bufs)
        if not len(data):
            raise DecodeError("%s object cannot be rebuilt: it could not be pickled on the engine that sent it"
                              % desc.get("type", "?"))
        return pickle.loads(data)
    raise DecodeError("unknown value tag %r" % (tag,))


# ---------------------------------------------------------------------- encoding

def _type_name(obj):
    t = type(obj)
    mod = getattr(t, "__module__", "builtins")
    return t.__qualname__ if mod == "builtins" else "%s.%s" % (mod, t.__qualname__)


def _pyobj(obj, bufs):
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        data = b""
    try:
        text = repr(obj)
    except Exception as e:
        text = "<%s object (repr failed: %s)>" % (_type_name(obj), e)
    bufs.append(data)
    return {"@": "pyobj", "type": _type_name(obj), "repr": text, "buf": len(bufs) - 1}


def encode(obj, bufs, depth=0):
    """The description of obj; byte payloads are appended to bufs."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested deeper than %d" % MAX_DEPTH)
    t = type(obj)
    if obj is None or t is bool:
        return obj
    if t is int:
        return obj if INT64_MIN <= obj <= INT64_MAX else _pyobj(obj, bufs)
    if t is float:
        if math.isnan(obj):
            return {"@": "float", "v": "nan"}
        if math.isinf(obj):
            return {"@": "float", "v": "inf" if obj > 0 else "-inf"}
        return obj
    if t is str:
        if "\0" in obj:
            bufs.append(obj.encode("utf-8", "surrogatepass"))
            return {"@": "str", "buf": len(bufs) - 1}
        return obj
    if t is bytes:
        bufs.append(obj)
        return {"@": "bytes", "buf": len(bufs) - 1}
    if t is list:
        if len(obj) >= PACKED_MIN:
            packed = _pack_list(obj, bufs)
            if packed is not None:
                return packed
        return [encode(v, bufs, depth + 1) for v in obj]
    if t is tuple:
        return {"@": "tuple", "items": [encode(v, bufs, depth + 1) for v in obj]}
    if t is dict and all(type(k) is str for k in obj):
        return {"@": "dict", "items": [[k, encode(v, bufs, depth + 1)] for k, v in obj.items()]}
    if t is range:
        if all(INT64_MIN <= n <= INT64_MAX for n in (obj.start, obj.stop, obj.step)):
            return {"@": "range", "start": obj.start, "stop": obj.stop, "step": obj.step}
        return _pyobj(obj, bufs)
    np = _numpy() if "numpy" in t.__module__ else None
    if np is not None:
        if isinstance(obj, np.ndarray) and obj.dtype.fields is None and obj.dtype.kind in _KINDS:
            arr = obj if obj.flags.c_contiguous else obj.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
            bufs.append(memoryview(arr).cast("B") if arr.size else b"")
            return {"@": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "buf": len(bufs) - 1}
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            return encode(obj.item(), bufs, depth + 1)
    return _pyobj(obj, bufs)


# ---------------------------------------------------------------------- requests

_CODE_CACHE = {}
_CODE_CACHE_MAX = 256


def _compiled(expr):
    """expr compiled for eval, remembered: clients send the same few callables over and
    over, and compiling one costs more than the rest of a small request."""
    code = _CODE_CACHE.get(expr)
    if code is None:
        code = compile(expr, "<string>", "eval")
        if len(expr) <= 4096:  # generated giants are not worth keeping
            if len(_CODE_CACHE) >= _CODE_CACHE_MAX:
                _CODE_CACHE.clear()
            _CODE_CACHE[expr] = code
    return code


def unpack_request(content, buffers, namespace):
    """(callable, args, kwargs) of a native apply_request."""
    expr = content.get("callable")
    if not isinstance(expr, str) or not expr.strip():
        raise DecodeError("native apply_request: 'callable' must be a Python expression (a string)")
    args = decode(content.get("args"), buffers) if content.get("args") is not None else ()
    if not isinstance(args, (list, tuple)):
        raise DecodeError("native apply_request: 'args' must describe a list or tuple")
    kwargs = decode(content.get("kwargs"), buffers) if content.get("kwargs") is not None else {}
    if not isinstance(kwargs, dict):
        raise DecodeError("native apply_request: 'kwargs' must describe a dict")
    f = eval(_compiled(expr), namespace)
    if not callable(f):
        raise TypeError("native apply_request: %r is not callable (%s)" % (expr, type(f).__name__))
    return f, tuple(args), kwargs


def pack_reply(result):
    bufs = []
    desc = encode(result, bufs)
    return {"status": "ok", "result": desc}, bufs


# One encoder for every reply (json.dumps with options makes a new one per call).
_encode = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
loads = json.loads


def pack_reply_text(result):
    """(reply content as JSON text, buffers)."""
    bufs = []
    desc = encode(result, bufs)
    return '{"status":"ok","result":%s}' % _encode(desc), bufs


def dumps(desc):
    return _encode(desc)
