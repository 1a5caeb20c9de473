"""Driver of the ippc-engine integration tests: the stock ipyparallel Client against a
stock ipcontroller and ippc-engines (started by the engine_*.sh scripts).

usage: engine_driver.py SCENARIO [ARGS...]; prints "ok - ..." / "FAIL - ..." lines and
"# ..." notes; exits non-zero when the scenario could not run at all.
"""
import json
import os
import signal
import sys
import time

import ipyparallel as ipp

TIMEOUT = 30


def check(cond, what, detail=""):
    print(("ok - " if cond else "FAIL - ") + what + ("" if cond or not detail else " (%s)" % detail), flush=True)
    return cond


def client(n):
    rc = ipp.Client(profile="default")
    rc.wait_for_engines(n, timeout=60)
    return rc


def remote_error(ar, timeout=TIMEOUT):
    """(ename, traceback text) of a failed AsyncResult, or (None, result)."""
    try:
        return None, ar.get(timeout)
    except ipp.error.CompositeError as e:
        e = e.elist[0]
        return e[0], e[2]
    except ipp.error.RemoteError as e:
        return e.ename, e.traceback


def time_next(view):
    t = time.monotonic()
    r = view.apply_sync(lambda: "next")
    return r, time.monotonic() - t


# ------------------------------------------------------------------ scenarios

def scenario_signals(n):
    """KeyboardInterrupt by signal_request and by kill -INT, then the next request."""
    rc = client(int(n))
    for eid in rc.ids:
        v = rc[eid]
        pid = v.apply_sync(os.getpid)
        ar = v.apply_async(time.sleep, 30)
        time.sleep(1)
        t = time.monotonic()
        rc.send_signal(signal.SIGINT, targets=[eid], block=True)
        ename, _ = remote_error(ar, 10)
        check(ename == "KeyboardInterrupt", "engine %d: signal_request SIGINT interrupts time.sleep(30) in apply" % eid,
              ename)
        r, dt = time_next(v)
        check(r == "next" and time.monotonic() - t < 1.0 + dt and dt < 1.0,
              "engine %d: next request served within 1 s of the interrupt (%.3f s)" % (eid, time.monotonic() - t))

        ar = v.execute("import time\ntime.sleep(30)", block=False)
        time.sleep(1)
        t = time.monotonic()
        os.kill(pid, signal.SIGINT)
        ename, tb = remote_error(ar, 10)
        check(ename == "KeyboardInterrupt", "engine %d: kill -INT interrupts time.sleep(30) in execute" % eid, ename)
        check("time.sleep(30)" in (tb or "") and "KeyboardInterrupt" in (tb or ""),
              "engine %d: the traceback shows the interrupted line" % eid, tb)
        r, _ = time_next(v)
        dt = time.monotonic() - t
        check(r == "next" and dt < 1.0, "engine %d: next request served within 1 s of kill -INT (%.3f s)" % (eid, dt))

        ar = v.execute("while True:\n    pass", block=False)
        time.sleep(0.5)
        rc.send_signal("SIGINT", targets=[eid], block=True)
        ename, _ = remote_error(ar, 10)
        check(ename == "KeyboardInterrupt", "engine %d: signal_request 'SIGINT' interrupts a busy loop" % eid, ename)

        os.kill(pid, signal.SIGINT)
        time.sleep(0.3)
        check(v.apply_sync(os.getpid) == pid, "engine %d: SIGINT while idle is ignored" % eid)


def _arrivals(ar):
    """Times (since the call) at which more stdout showed up, until the result is ready."""
    t0 = time.monotonic()
    seen, last = [], ""
    while not ar.ready() and time.monotonic() - t0 < TIMEOUT:
        out = ar.stdout or ""
        if out != last:
            seen.append(time.monotonic() - t0)
            last = out
        time.sleep(0.02)
    return seen


def scenario_stream():
    rc = client(1)
    v = rc[rc.ids[-1]]
    code = "import time\nfor i in range(6):\n    print('tick', i)\n    time.sleep(0.4)\n"
    ar = v.execute(code, block=False)
    seen = _arrivals(ar)
    ar.get(TIMEOUT)
    check(len(seen) >= 4, "print (no flush) in a loop: output arrives while the loop runs (%d arrivals)" % len(seen),
          seen)
    check((ar.stdout or "").count("tick") == 6, "all six lines arrive, in order", ar.stdout)
    code = "import time, sys\nfor i in range(4):\n    print('flushed', i, flush=True)\n    time.sleep(0.4)\n"
    ar = v.execute(code, block=False)
    seen = _arrivals(ar)
    ar.get(TIMEOUT)
    check(len(seen) >= 3 and seen[0] < 0.35, "print + flush: each line arrives at once", seen)

    ar = v.apply_async(lambda: (print("out"), __import__("sys").stderr.write("err\n")))
    ar.get(TIMEOUT)
    ar.wait_for_output(5)
    check(ar.stdout == "out\n" and ar.stderr == "err\n", "apply: stdout and stderr reach metadata",
          (ar.stdout, ar.stderr))

    code = ("import os, ctypes\nos.write(1, b'fd one\\n')\nos.write(2, b'fd two\\n')\n"
            "libc = ctypes.CDLL(None)\nlibc.printf(b'from C printf\\n')\nlibc.fflush(None)\n"
            "os.system('echo from a child process')\n")
    ar = v.execute(code, block=False)
    ar.get(TIMEOUT)
    ar.wait_for_output(5)
    out, err = ar.stdout or "", ar.stderr or ""
    check("fd one" in out and "fd two" in err, "writes to fd 1 and 2 are captured", (out, err))
    check("from C printf" in out, "C-level printf is captured", out)
    check("from a child process" in out, "a child process's output is captured", out)


def scenario_basics(shell):
    """apply/execute/push/pull, IOPub order, tracebacks, errors, clear, abort."""
    import zmq

    rc = client(1)
    eid = rc.ids[-1]
    v = rc[eid]
    v.block = True
    check(v.apply_sync(lambda x, y=1: x * 2 + y, 20, y=2) == 42, "apply with args and kwargs")
    v.push({"a": 5, "b": [1, 2, 3]})
    check(v.pull("a") == 5 and v.pull(("a", "b")) == [5, [1, 2, 3]], "push then pull")
    check(v.apply_sync(lambda: a + 1) == 6, "functions defined in __main__ see the pushed names")  # noqa: F821
    v.scatter("x", list(range(8)))
    check(v.gather("x") == list(range(8)), "scatter then gather (one engine)")
    check(v.map_sync(lambda x: x ** 2, range(5)) == [0, 1, 4, 9, 16], "map")
    ar = v.execute("c = a * 10\nprint('c is', c)\nc", silent=False, block=False)
    ar.get(TIMEOUT)
    ar.wait_for_output(5)
    check(ar.stdout == "c is 50\n", "execute: stdout", ar.stdout)
    res = ar.execute_result or {}
    check(res.get("data", {}).get("text/plain") == "50", "execute: the last expression is the execute_result", res)
    check(v["c"] == 50, "execute: names land in the user namespace")

    # IOPub order, seen by a raw subscriber
    info = json.load(open(os.path.join(os.environ["IPYTHONDIR"], "profile_default/security/ipcontroller-client.json")))
    ctx = zmq.Context.instance()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect("%s:%d" % (info["interface"], info["iopub"]))
    time.sleep(0.5)

    def order(code, silent=False):
        ar = v.execute(code, silent=silent, block=False)
        try:
            ar.get(TIMEOUT)
        except ipp.error.RemoteError:
            pass
        end = time.monotonic() + 5
        seen = []
        while time.monotonic() < end:
            if not sub.poll(200):
                if seen and seen[-1][1] == "status:idle":
                    break
                continue
            frames = sub.recv_multipart()
            i = frames.index(b"<IDS|MSG>")
            h, p, c = json.loads(frames[i + 2]), json.loads(frames[i + 3]), json.loads(frames[i + 5])
            if p.get("msg_id") != ar.msg_ids[0]:
                continue
            t = h["msg_type"]
            if t == "status":
                t += ":" + c["execution_state"]
            elif t == "stream":
                t += ":" + c["name"]
            seen.append((frames[0].decode(), t))
            if t == "status:idle":
                break
        return seen

    display = ("from IPython.display import display, HTML\n" if shell == "ipython" else
               "")
    code = ("import sys\nprint('out')\nprint('err', file=sys.stderr)\n" + display +
            ("display(HTML('<b>x</b>'))\n" if display else "") + "42")
    seen = order(code)
    want = ["status:busy", "execute_input", "stream:stdout", "stream:stderr"] + (
        ["display_data"] if display else []) + ["execute_result", "status:idle"]
    check([t for _, t in seen] == want, "IOPub order: busy, execute_input, streams, display, result, idle",
          [t for _, t in seen])
    check(all(topic.startswith("engine.%d." % eid) for topic, _ in seen), "IOPub topics are engine.<id>.<kind>",
          [topic for topic, _ in seen])
    seen = order("print('x')\n1/0")
    check([t for _, t in seen] == ["status:busy", "execute_input", "stream:stdout", "error", "status:idle"],
          "IOPub order with an error: ..., stream, error, idle", [t for _, t in seen])
    seen = order("5", silent=True)
    check([t for _, t in seen] == ["status:busy", "status:idle"], "silent execute: no execute_input, no result",
          [t for _, t in seen])

    # tracebacks, in the IPython layout (no colours: the engine ran with nocolor / plain)
    ename, tb = remote_error(v.execute("1/0", block=False))
    lines = (tb or "").split("\n")
    check(ename == "ZeroDivisionError" and lines[0] == "-" * 75 and
          lines[1].startswith("ZeroDivisionError") and lines[1].endswith("Traceback (most recent call last)") and
          len(lines[1]) == 75, "execute 1/0: IPython rule line and header", lines[:2])
    check(any(l.startswith("Cell In [") and l.endswith(", line 1") for l in lines) and "----> 1 1/0" in lines and
          lines[-1] == "ZeroDivisionError: division by zero", "execute 1/0: Cell In [N], ----> 1 1/0, ename: evalue",
          lines)
    ename, tb = remote_error(v.execute("def f():\n    return 1/0\n\nf()", block=False))
    check("in f()" in (tb or "") and "----> 2     return 1/0" in (tb or ""), "tracebacks show the frames of user functions",
          tb)
    ename, tb = remote_error(v.execute("a b", block=False))
    check(ename == "SyntaxError" and "    a b" in (tb or "") and "      ^" in (tb or ""),
          "syntax errors point at the place", tb)

    def boom(x):
        raise ValueError("boom %s" % x)

    ename, tb = remote_error(v.apply_async(boom, 3))
    check(ename == "ValueError" and (tb or "").endswith("ValueError: boom 3") and "boom(x)" in (tb or ""),
          "apply errors: ValueError with the function's frame", tb)
    ar = v.apply_async(boom, 4)
    try:
        ar.get(TIMEOUT)
    except ipp.error.RemoteError:
        pass
    md = ar.metadata
    check(md.get("status") == "error" and md.get("engine_id") == eid, "error reply metadata: status, engine id",
          {k: md.get(k) for k in ("status", "engine_id")})
    ename, _ = remote_error(v.execute("import sys; sys.exit(3)", block=False))
    check(ename == "SystemExit", "sys.exit() in user code is a SystemExit error", ename)
    check(v.apply_sync(lambda: "alive") == "alive", "... and the engine lives on")
    ename, _ = remote_error(v.execute("input('?')", block=False))
    check(ename == "StdinNotImplementedError", "input() fails at once instead of reading the engine's stdin", ename)

    v["zz"] = 1
    rc.clear(targets=[eid], block=True)
    ename, _ = remote_error(v.apply_async(lambda: zz))  # noqa: F821
    check(ename == "NameError", "clear_request empties the namespace", ename)

    ar1 = v.apply_async(time.sleep, 1.5)
    ar2 = v.apply_async(lambda: "ran")
    time.sleep(0.2)
    rc.abort(ar2, targets=[eid], block=True)
    try:
        ar2.get(TIMEOUT)
        aborted = False
    except ipp.error.TaskAborted:
        aborted = True
    ar1.get(TIMEOUT)
    check(aborted, "abort_request: the waiting request is answered as aborted")

    ar1 = v.execute("import time\ntime.sleep(0.5)\n1/0", silent=False, block=False)
    ar2 = v.execute("after = 1", silent=False, block=False)
    try:
        ar2.get(TIMEOUT)
        aborted = False
    except ipp.error.TaskAborted:
        aborted = True
    except ipp.error.RemoteError:
        aborted = False
    check(aborted, "a failed execute aborts the execute_requests waiting behind it (stop_on_error)")

    ar = v.execute("from ipyparallel.datapub import publish_data\nfor i in range(3):\n    publish_data(dict(i=i))",
                   block=False)
    ar.get(TIMEOUT)
    ar.wait_for_output(5)
    check(ar.data == {"i": 2}, "publish_data reaches the client", ar.data)


def scenario_crash():
    """A segfault in one engine: EngineError, unregistration, the other engine works."""
    rc = client(2)
    a, b = rc.ids[-2:]
    pid = rc[a].apply_sync(os.getpid)
    print("crashed-pid %d" % pid, flush=True)

    def segfault():
        import ctypes

        ctypes.string_at(0)

    t = time.monotonic()
    ar = rc[a].apply_async(segfault)
    try:
        ar.get(15)
        ename = None
    except ipp.error.EngineError:
        ename = "EngineError"
    except ipp.error.RemoteError as e:
        ename = e.ename
    except ipp.error.TimeoutError:
        ename = "timeout"
    check(ename == "EngineError", "a segfaulting extension gives the client an EngineError", ename)
    while a in rc.ids and time.monotonic() - t < 15:
        time.sleep(0.05)
    dt = time.monotonic() - t
    check(a not in rc.ids, "the controller unregisters the crashed engine (%.2f s)" % dt, rc.ids)
    check(dt < 5, "... promptly, without waiting for missed heartbeats (%.2f s)" % dt)
    check(rc[b].apply_sync(lambda: "still here") == "still here", "the other engine keeps working")
    check(rc[:].apply_sync(lambda: 1) == [1], "a view of the remaining engines works")


def scenario_registered(n):
    rc = client(int(n))
    print("ids %s" % rc.ids, flush=True)
    print("pids %s" % " ".join(str(rc[i].apply_sync(os.getpid)) for i in rc.ids), flush=True)


def scenario_shutdown():
    rc = client(1)
    eid = rc.ids[-1]
    rc.shutdown(targets=[eid], block=True)
    t = time.monotonic()
    while eid in rc.ids and time.monotonic() - t < 10:
        time.sleep(0.05)
    check(eid not in rc.ids, "shutdown_request: the engine unregisters")


def scenario_busy_term():
    """SIGTERM while user code runs: the engine unregisters and the client is told."""
    rc = client(1)
    eid = rc.ids[-1]
    pid = rc[eid].apply_sync(os.getpid)
    print("engine-pid %d" % pid, flush=True)
    ar = rc[eid].execute("import time\ntime.sleep(30)", block=False)
    time.sleep(0.5)
    t = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    try:
        ar.get(15)
        what = "a result"
    except ipp.error.EngineError:
        what = "EngineError"
    except ipp.error.RemoteError as e:
        what = e.ename
    except ipp.error.TimeoutError:
        what = "nothing"
    check(what in ("EngineError", "KeyboardInterrupt"), "SIGTERM during time.sleep(30): the request ends (%s)" % what)
    while eid in rc.ids and time.monotonic() - t < 15:
        time.sleep(0.05)
    check(eid not in rc.ids, "SIGTERM during user code: the engine unregisters (%.2f s)" % (time.monotonic() - t))


def scenario_wait_unregistered(eid):
    rc = ipp.Client(profile="default")
    eid = int(eid)
    t = time.monotonic()
    while eid in rc.ids and time.monotonic() - t < 10:
        time.sleep(0.05)
    check(eid not in rc.ids, "the controller no longer lists engine %d" % eid, rc.ids)


def scenario_startup(n, script):
    """Engines that ran startup code before registering (engine_startup.sh)."""
    rc = client(int(n))
    by_tag = {}
    for eid in rc.ids:
        by_tag[rc[eid].apply_sync(lambda: globals().get("tag"))] = eid
    print("# engines by tag: %s" % by_tag, flush=True)
    for tag in ["startup"] + (["ipython"] if int(n) > 1 else []):
        check(tag in by_tag, "the %s engine registered and runs code" % tag, by_tag)
    if "startup" in by_tag:
        v = rc[by_tag["startup"]]
        check(v.apply_sync(lambda: (from_command, from_script)) == ("c", "s:c"),
              "--startup-command ran, then --startup-script in the same namespace")
        check(v.apply_sync(lambda: script_file) == script, "__file__ named the script while it ran",
              v.apply_sync(lambda: script_file))
        check(v.apply_sync(lambda: "__file__" not in globals()), "... and is gone afterwards")
        check(v.apply_sync(lambda: script_argv) == [script], "sys.argv was [script] while it ran")
        check(v.apply_sync(lambda: printed) == "startup print", "the script ran once")
    if "ipython" in by_tag:
        v = rc[by_tag["ipython"]]
        check(v.apply_sync(lambda: __import__("os").environ.get("IPPC_STARTUP")) == "magic",
              "--shell=ipython: a magic in --startup-command works")


def scenario_slow_registered(profile, timeout):
    """The engine whose interpreter took longer than the controller's registration
    timeout to start is registered and runs code."""
    rc = ipp.Client(profile=profile)
    t = time.monotonic()
    while not rc.ids and time.monotonic() - t < float(timeout):
        time.sleep(0.1)
    if not check(len(rc.ids) == 1, "the slow-starting engine registered", rc.ids):
        return
    check(rc[:].apply_sync(lambda: tag) == ["slow-import"], "... and runs code")


def scenario_fake_controller(mode, path, seconds):
    """A controller that answers registration and nothing else: with mode "purge" the
    registration is never completed (queue_request for the engine: IndexError, as a
    controller that purged it answers); with "mute" queue_request gets no answer; with
    "refuse" the registration reply is an error. Prints the
    message types it receives; ends after an unregistration_request or `seconds`."""
    import zmq
    from jupyter_client.session import Session

    ctx = zmq.Context()
    session = Session(key=b"fake-key", signature_scheme="hmac-sha256")
    reg = ctx.socket(zmq.ROUTER)
    ping = ctx.socket(zmq.PUB)
    pong = ctx.socket(zmq.ROUTER)
    others = [ctx.socket(zmq.ROUTER) for _ in range(4)] + [ctx.socket(zmq.SUB)]
    ports = [s.bind_to_random_port("tcp://127.0.0.1") for s in [reg, ping, pong] + others]
    info = dict(registration=ports[0], hb_ping=ports[1], hb_pong=ports[2], mux=ports[3], task=ports[4],
                control=ports[5], broadcast=[ports[6]], iopub=ports[7], interface="tcp://127.0.0.1",
                location="127.0.0.1", key="fake-key", signature_scheme="hmac-sha256", pack="json",
                unpack="json", ssh="", curve_serverkey=None)
    with open(path + ".tmp", "w") as f:
        json.dump(info, f)
    os.rename(path + ".tmp", path)
    poller = zmq.Poller()
    poller.register(reg, zmq.POLLIN)
    poller.register(pong, zmq.POLLIN)
    end = time.monotonic() + float(seconds)
    next_ping = 0
    while time.monotonic() < end:
        if time.monotonic() >= next_ping:
            ping.send(b"%f" % time.time())
            next_ping = time.monotonic() + 0.2
        for sock, _ in poller.poll(50):
            frames = sock.recv_multipart()
            if sock is pong:
                continue
            idents, rest = session.feed_identities(frames)
            msg = session.deserialize(rest)
            t = msg["header"]["msg_type"]
            print("got %s" % t, flush=True)
            if t == "registration_request":
                if mode == "refuse":
                    content = {"status": "error", "ename": "KeyError", "evalue": "'uuid %r in use'"
                               % msg["content"]["uuid"], "traceback": []}
                else:
                    content = {"status": "ok", "id": 0, "hb_period": 200}
                session.send(reg, "registration_reply", content, parent=msg, ident=idents)
            elif t == "queue_request" and mode != "mute":
                session.send(reg, "hub_error", {"status": "error", "ename": "IndexError",
                                                "evalue": "No Such Engine: %r" % msg["content"]["targets"],
                                                "traceback": []}, parent=msg, ident=idents)
            elif t == "unregistration_request":
                return


if __name__ == "__main__":
    globals()["scenario_" + sys.argv[1]](*sys.argv[2:])
