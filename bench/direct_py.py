"""direct_py.py - the Python side of bench/direct.sh: the stock ipyparallel Client
timed against a running cluster (stock ipcontroller + ipengines, or ippc-controller +
ippc-engines).

    /usr/bin/python3 direct_py.py CLIENT_JSON

The same line protocol and the same method as direct_client.c (see there): one
command a line on stdin, one JSON line per command on stdout, times in seconds.
"""
import json
import sys
import time
import warnings

warnings.simplefilter("ignore")

import numpy as np  # noqa: E402
import ipyparallel as ipp  # noqa: E402

now = time.monotonic


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    rc = ipp.Client(sys.argv[1], timeout=30)
    rc.wait_for_engines(4, timeout=120)
    one, all_ = rc[0], rc[:]
    noop = lambda: None  # noqa: E731
    out({"ready": True, "client": "ipyparallel %s" % ipp.__version__})
    arrays = {}

    def bench_array(nbytes):
        # made and written once per size, before the clock starts, then reused
        if nbytes not in arrays:
            arrays.clear()
            arrays[nbytes] = np.arange(nbytes // 8, dtype=np.float64)
        return arrays[nbytes]

    kinds = {
        "apply1": lambda: one.apply_sync(noop),
        "applyall": lambda: all_.apply_sync(noop),
        "execute": lambda: one.execute("pass", block=True),
        "push": lambda: one.push({"a": 1}, block=True),
        "pull": lambda: one.pull("a", block=True),
    }
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        try:
            if cmd == "quit":
                break
            elif cmd == "rtt":
                kind, n, warm = words[1], int(words[2]), int(words[3])
                one.push({"a": 1}, block=True)
                f = kinds[kind]
                samples = []
                for i in range(warm + n):
                    t0 = now()
                    f()
                    if i >= warm:
                        samples.append(now() - t0)
                out({"samples": samples})
            elif cmd == "async":
                m = int(words[1])
                t0 = now()
                ars = [one.apply_async(noop) for _ in range(m)]
                rc.wait(ars)
                t = now() - t0
                if not all(ar.successful() for ar in ars):
                    raise RuntimeError("some applies failed")
                out({"samples": [t]})
            elif cmd == "bulk":
                arr = bench_array(int(words[1]))
                t0 = now()
                one.push({"x": arr}, block=True)
                t_push = now() - t0
                t0 = now()
                back = one.pull("x", block=True)
                t_pull = now() - t0
                if back.shape != arr.shape or back[-1] != arr[-1] or back[len(back) // 2] != arr[len(arr) // 2]:
                    raise RuntimeError("the pulled array differs")
                del back
                out({"push": t_push, "pull": t_pull})
            elif cmd == "scatter":
                kind, n = words[1], int(words[2])
                seq = {"range": lambda: range(n), "list": lambda: list(range(n)),
                       "array": lambda: bench_array(n)}[kind]()
                t0 = now()
                all_.scatter("s", seq, block=True)
                t_scatter = now() - t0
                t0 = now()
                back = all_.gather("s", block=True)
                t_gather = now() - t0
                if kind == "array":
                    ok = back.shape == seq.shape and back[-1] == seq[-1]
                elif kind == "range":
                    ok = len(back) == 4 and back[-1].stop == n
                else:
                    ok = back == seq
                if not ok:
                    raise RuntimeError("the gathered value differs")
                del back
                out({"scatter": t_scatter, "gather": t_gather})
            elif cmd == "cleanup":
                all_.execute("x = s = None", block=True)
                out({"ok": True})
            else:
                out({"error": "bad command: %s" % line.strip()})
        except Exception as e:  # answer, and go on with the next command
            out({"error": "%s: %s: %s" % (cmd, type(e).__name__, e)})
    rc.close()


if __name__ == "__main__":
    main()
