"""Driver of engine_native.sh: apply_requests in libippc's native encoding, sent with
jupyter_client's Session on a raw DEALER to the controller's mux, as the C client does.

usage: engine_native.py ENGINE_ID VALUETOOL|- [nonumpy]
"""
import json
import math
import os
import struct
import subprocess
import sys

import ipyparallel as ipp
import zmq
from jupyter_client.session import Session

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "engine", "python"))
from ippc_engine import native  # noqa: E402  (the encoder under test, used to build requests)


def check(cond, what, detail=""):
    print(("ok - " if cond else "FAIL - ") + what + ("" if cond or detail == "" else " (%r)" % (detail,)), flush=True)
    return cond


eid, valuetool = int(sys.argv[1]), sys.argv[2]
nonumpy = len(sys.argv) > 3
tag = " [no numpy]" if nonumpy else ""
rc = ipp.Client(profile="default")
rc.wait_for_engines(1, timeout=60)
uuid = rc._engines[eid]
info = json.load(open(os.path.join(os.environ["IPYTHONDIR"], "profile_default/security/ipcontroller-client.json")))
session = Session(key=info["key"].encode(), signature_scheme=info["signature_scheme"], username="native-test")
sock = zmq.Context.instance().socket(zmq.DEALER)
sock.connect("%s:%d" % (info["interface"], info["mux"]))


def call(callable_, args=None, kwargs=None, bufs=None, raw=None):
    """Send one native apply_request; returns (content, metadata, buffers) of the reply."""
    content = raw if raw is not None else {"callable": callable_, "args": args, "kwargs": kwargs}
    sent = session.send(sock, "apply_request", content=content, metadata={"ippc": 1}, buffers=bufs or [],
                        ident=[uuid.encode()])
    if not sock.poll(30000):
        raise RuntimeError("no reply")
    idents, frames = session.feed_identities(sock.recv_multipart())
    msg = session.deserialize(frames)
    assert msg["parent_header"]["msg_id"] == sent["header"]["msg_id"]
    return msg["content"], msg["metadata"], [bytes(b) for b in msg["buffers"]]


def roundtrip(value):
    bufs = []
    desc = native.encode([value], bufs)
    c, md, rbufs = call("lambda x: x", desc, None, bufs)
    if c.get("status") != "ok":
        return c, None, None
    return c["result"], native.decode(c["result"], rbufs), rbufs


def same(a, b):
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


values = [None, True, False, 0, 42, -2 ** 63, 2 ** 63 - 1, 1.5, -0.25, 1e300, math.inf, -math.inf, math.nan, "",
          "héllo wörld ✓", "nul\0inside", b"", b"\x00\xffbytes", [], [1, [2, [3, "x"]]], (), (1, "a", None),
          {"b": 1, "a": [2, 3], "c": {"d": (4,)}}, range(0, 10, 2), range(5, -5, -3)]
for v in values:
    desc, back, _ = roundtrip(v)
    check(same(v, back), "native round trip of %r%s" % (v, tag), (desc, back))

# values the native model has no type for travel as opaque pickles and come back
for v in [2 ** 70, complex(1, 2), {1, 2}, {1: "int key"}, bytearray(b"ba")]:
    desc, back, _ = roundtrip(v)
    check(isinstance(desc, dict) and desc.get("@") == "pyobj" and desc.get("repr") == repr(v) and same(v, back),
          "%s travels as an opaque pyobj with its repr and pickle%s" % (type(v).__name__, tag), desc)

# the engine's descriptions are the ones libippc makes (lib/value_codec.c)
if valuetool != "-":
    for literal in ["None", "[1, 2.5, 'x', None, True]", "(1, (2,), [])", "{'k': [1, 2], 'j': (3,)}", "range(0, 16, 3)",
                    "b'abc'", "'a'", "[[], {}, ()]"]:
        v = eval(literal)
        desc, _, rbufs = roundtrip(v)
        out = subprocess.run([valuetool, "encode", literal], capture_output=True, text=True)
        lines = out.stdout.strip().split("\n")
        c_desc = json.loads(lines[0]) if out.returncode == 0 else None
        c_sizes = [int(l.split(":")[1].split()[0]) for l in lines[1:] if l.startswith("buffer")]
        check(c_desc == desc and c_sizes == [len(b) for b in rbufs],
              "the engine encodes %s as libippc does%s" % (literal, tag), (desc, out.stdout, out.stderr))

# ndarrays: zero-copy frames; numpy arrays when the engine has numpy, else nested lists
raw = bytes(range(48))
for dtype, shape, n in [("<f8", [2, 3], 48), ("<i4", [12], 48), (">i2", [4, 6], 48), ("|u1", [48], 48),
                        ("|b1", [2, 2], 4), ("<c16", [3], 48), ("<f4", [], 4)]:
    data = raw[:n] if dtype != "|b1" else b"\x00\x01\x01\x00"
    desc = [{"@": "ndarray", "dtype": dtype, "shape": shape, "buf": 0}]
    c, md, rbufs = call("lambda a: a", desc, None, [data])
    r = c.get("result", {})
    if nonumpy:
        import numpy  # the driver has numpy; the engine has not

        want = numpy.frombuffer(data, dtype=dtype).reshape(shape).tolist()
        check(c.get("status") == "ok" and same(native.decode(r, rbufs), want),
              "ndarray %s %s arrives as nested lists without numpy" % (dtype, shape), r)
    else:
        check(c.get("status") == "ok" and r.get("@") == "ndarray" and r.get("shape") == shape and
              (r.get("dtype") == dtype or dtype.startswith("|")) and rbufs[r["buf"]] == data,
              "ndarray %s %s round trip (dtype, shape, bytes)" % (dtype, shape), (r, c))
if not nonumpy:
    c, _, rbufs = call("lambda a: (type(a).__module__, a.flags.c_contiguous, a.sum().item())",
                       [{"@": "ndarray", "dtype": "<f8", "shape": [2, 3], "buf": 0}], None,
                       [struct.pack("<6d", *range(6))])
    check(c.get("status") == "ok" and native.decode(c["result"], rbufs) == ("numpy", True, 15.0),
          "an incoming ndarray is a numpy array on the engine", c)
    c, _, rbufs = call("lambda: __import__('numpy').arange(6, dtype='<i8').reshape(2, 3).T", [], None)
    r = c.get("result", {})
    check(r.get("shape") == [3, 2] and rbufs[r["buf"]] == struct.pack("<6q", 0, 3, 1, 4, 2, 5),
          "a non-contiguous result is sent in C order", r)

# push / pull through expressions evaluated in the user namespace
bufs = []
kw = native.encode({"a": 5, "name": "x"}, bufs)
c, md, _ = call("lambda **ns: globals().update(ns)", [], kw, bufs)
check(c.get("status") == "ok", "push: lambda **ns: globals().update(ns)" + tag, c)
c, md, rbufs = call("lambda *names: [eval(n) for n in names]", ["a", "name"], None)
check(native.decode(c.get("result"), rbufs) == [5, "x"], "pull: names pushed before resolve" + tag, c)
c, md, rbufs = call("lambda: a * 2", None, None)
check(native.decode(c.get("result"), rbufs) == 10, "a callable expression sees the user namespace" + tag, c)
check(md.get("engine") == uuid and md.get("status") == "ok" and md.get("dependencies_met") is True,
      "reply metadata: engine uuid, status, dependencies_met", md)

# errors
c, md, _ = call("lambda: 1/0", [], None)
check(c.get("status") == "error" and c.get("ename") == "ZeroDivisionError" and
      c.get("traceback", [""])[-1] == "ZeroDivisionError: division by zero" and
      c.get("engine_info", {}).get("engine_uuid") == uuid and md.get("status") == "error",
      "an exception becomes the stock error reply with an IPython traceback" + tag, c)
c, _, _ = call("lambda x: x", [{"@": "bogus"}], None)
check(c.get("status") == "error" and "bogus" in c.get("evalue", ""), "an unknown tag is refused by name" + tag, c)
c, _, _ = call("lambda x: x", [{"@": "bytes", "buf": 3}], None)
check(c.get("status") == "error" and "buffer index" in c.get("evalue", ""), "a bad buffer index is refused" + tag, c)
c, _, _ = call("lambda x: x", [{"@": "ndarray", "dtype": "<f8", "shape": [5], "buf": 0}], None, [b"short"])
check(c.get("status") == "error" and "needs 40 bytes" in c.get("evalue", ""),
      "an ndarray whose buffer does not match its shape is refused" + tag, c)
c, _, _ = call("5", [], None)
check(c.get("status") == "error" and c.get("ename") == "TypeError", "a callable that is not callable" + tag, c)
c, _, _ = call(None, raw={"args": []})
check(c.get("status") == "error" and "callable" in c.get("evalue", ""), "a request without 'callable'" + tag, c)
c, _, _ = call("undefined_name", [], None)
check(c.get("status") == "error" and c.get("ename") == "NameError", "an unknown name in the callable" + tag, c)
print("done", flush=True)
