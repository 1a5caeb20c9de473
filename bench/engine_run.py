"""engine_run.py - the driver of bench/engine.sh (run it through engine.sh).

Side by side, in one run on 127.0.0.1: ippc-engine --shell=plain, ippc-engine
--shell=ipython and the stock ipengine (with its nanny): start → registered against
ippc-controller and the stock ipcontroller, idle RSS/Pss of each engine's process tree,
and the stock client's apply round trip through one stock ipcontroller (MEASURED below
says exactly how).
Every process it starts is stopped by pid (descendants too, only while the pid still
names the process it started). Figures go to a Markdown report (--out) and stdout.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from direct_run import Procs, descendants, fmt_time, pct, wait_for_file  # noqa: E402

KINDS = ["plain", "ipython", "stock"]
TITLES = {"plain": "ippc-engine --shell=plain", "ipython": "ippc-engine --shell=ipython",
          "stock": "stock ipengine + nanny"}
MB = 1e6


def log(msg):
    sys.stderr.write("[engine %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ------------------------------------------------------------------ processes and memory

def proc_kb(pid, path, field):
    try:
        with open("/proc/%d/%s" % (pid, path)) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(pid):
    """(RSS bytes, Pss bytes, number of processes) of pid and its descendants."""
    pids = [pid] + descendants(pid)
    rss = sum(proc_kb(p, "status", "VmRSS") for p in pids) * 1024
    pss = sum(proc_kb(p, "smaps_rollup", "Pss") for p in pids) * 1024
    return rss, pss, len(pids)


class Controller:
    """A controller of this run, with a SUB on its notification port."""

    def __init__(self, name, argv, work, env, ctx):
        self.name = name
        self.profile = os.path.join(work, name, "profile_default")
        os.makedirs(self.profile)
        self.procs = Procs()
        self.procs.start(name, argv + ["--profile-dir=" + self.profile, "--ip=127.0.0.1"], env,
                         os.path.join(work, name + ".log"))
        cf = os.path.join(self.profile, "security", "ipcontroller-client.json")
        ef = os.path.join(self.profile, "security", "ipcontroller-engine.json")
        if not wait_for_file(cf, 120, self.procs) or not wait_for_file(ef, 30, self.procs):
            raise RuntimeError("%s wrote no connection files (see %s)" % (name, work))
        time.sleep(0.5)  # a controller writes its files before its loop runs
        with open(cf) as f:
            info = json.load(f)
        self.client_file = cf
        self.sub = ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.connect("%s:%d" % (info["interface"], info["notification"]))
        time.sleep(0.3)  # the subscription reaches the PUB

    def drain(self):
        while self.sub.poll(0):
            self.sub.recv_multipart()

    def wait_registration(self, deadline):
        """The monotonic time of the next registration_notification, or None."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sub.poll(left * 1000):
                return None
            frames = self.sub.recv_multipart()
            t = time.monotonic()
            try:
                i = frames.index(b"<IDS|MSG>")
                if json.loads(frames[i + 2])["msg_type"] == "registration_notification":
                    return t
            except (ValueError, IndexError, KeyError):
                pass

    def stop(self):
        self.sub.close(0)
        self.procs.stop()


def engine_argv(kind, args, profile):
    if kind == "stock":
        return [args.python, "-m", "ipyparallel.engine", "--profile-dir=" + profile]
    return [os.path.join(args.build, "engine", "ippc-engine"), "--profile-dir=" + profile, "--shell=" + kind]


def ready_ms(log_path):
    """ippc-engine's own "ready (N ms after start)" from its log."""
    try:
        with open(log_path, errors="replace") as f:
            m = re.search(r"ready \((\d+) ms after start\)", f.read())
        return float(m.group(1)) if m else None
    except OSError:
        return None


# ------------------------------------------------------------------ figures

def measure_starts(ctls, args, work, env, results):
    n = 0
    for r in range(args.starts):
        for ctl in ctls:
            order = KINDS[r % 3:] + KINDS[:r % 3]
            for kind in order:
                n += 1
                log_path = os.path.join(work, "start-%s-%s-%d.log" % (ctl.name, kind, r))
                procs = Procs()
                ctl.drain()
                t0 = time.monotonic()
                p = procs.start(kind, engine_argv(kind, args, ctl.profile), env, log_path)
                t_reg = ctl.wait_registration(t0 + 120)
                rec = {"controller": ctl.name, "kind": kind}
                if t_reg is None:
                    rec["error"] = "not registered within 120 s (status %s)" % p.poll()
                else:
                    rec["registered"] = t_reg - t0
                    time.sleep(args.settle)
                    rec["rss"], rec["pss"], rec["nproc"] = tree_memory(p.pid)
                    if kind != "stock":
                        rec["ready"] = ready_ms(log_path)
                procs.stop()
                results["starts"].append(rec)
                log("start %d/%d %s on %s: %s" % (n, args.starts * 3 * len(ctls), kind, ctl.name,
                                                  "%.0f ms" % (rec["registered"] * 1e3) if "registered" in rec
                                                  else rec["error"]))


def measure_apply(stock_ctl, args, work, env, results):
    import ipyparallel as ipp

    procs = Procs()
    pids = {}
    for kind in KINDS:
        p = procs.start(kind, engine_argv(kind, args, stock_ctl.profile), env,
                        os.path.join(work, "apply-%s.log" % kind))
        pids[p.pid] = kind
    try:
        rc = ipp.Client(stock_ctl.client_file)
        rc.wait_for_engines(3, timeout=180)
        eng = {}
        for eid in rc.ids:
            eng[pids[rc[eid].apply_sync(os.getpid)]] = eid
        views = {kind: rc[eng[kind]] for kind in KINDS}

        def noop():
            return None

        for kind in KINDS:  # warm-up (the plain shell imports ipyparallel.serialize here)
            for _ in range(args.warmup):
                views[kind].apply_sync(noop)
        samples = {kind: [] for kind in KINDS}
        for r in range(args.applies // 50):
            for kind in KINDS[r % 3:] + KINDS[:r % 3]:
                v = views[kind]
                for _ in range(50):
                    t = time.perf_counter()
                    v.apply_sync(noop)
                    samples[kind].append(time.perf_counter() - t)
        results["apply"] = samples
        time.sleep(args.settle)
        by_kind = {kind: pid for pid, kind in pids.items()}
        results["apply_rss"] = {kind: tree_memory(by_kind[kind]) for kind in KINDS}
        rc.close()
    finally:
        procs.stop()


# ------------------------------------------------------------------ report

def mb(x):
    return "%.1f" % (x / MB)


def span(vals, unit):
    """median [min–max]."""
    if not vals:
        return "n/a"
    f = (lambda v: "%.0f" % (v * 1e3)) if unit == "ms" else (lambda v: mb(v)) if unit == "mb" else str
    return "%s [%s–%s]" % (f(statistics.median(vals)), f(min(vals)), f(max(vals)))


def starts_of(results, kind, field, controller=None):
    return [s[field] for s in results["starts"]
            if s["kind"] == kind and field in s and s[field] is not None
            and (controller is None or s["controller"] == controller)]


MEASURED = """Three engines, one at a time or side by side, on 127.0.0.1 with private IPython directories:
ippc-engine with the plain shell (standard library only), ippc-engine with the IPython shell
(InteractiveShell, and `ipyparallel.serialize` imported at start as the stock engine has it),
and the stock `ipengine` of python3-ipyparallel, which starts a nanny process. ippc-engine runs
from the build tree with its Python package in a temporary copy byte-compiled first (as `make
install` leaves it), so that no start compiles it.

- *start → registered*: from just before the engine is exec'd to the registration_notification
  on the controller's notification PUB, received by a SUB socket of the driver that waits in
  poll (no CPU used while the engine starts). One engine at a time, each engine and controller
  in turn. Against ippc-controller (default 3 s heartbeat: it pings a new engine at once) and
  the stock ipcontroller at `--ping=100` (it completes a registration at its next heartbeat
  tick after the engine's first echo, so at its default 3 s period the tick would dominate).
- *idle RSS / Pss*: VmRSS and Pss (smaps_rollup) summed over the engine's process tree (for the
  stock engine: it and its nanny), a settle time after each registration. Pss shares the pages
  of shared libraries among every process mapping them, so it is lower than RSS.
- *apply round trip*: the stock Python client, `rc[i].apply_sync(lambda: None)`, through one stock
  ipcontroller to the three engines registered together, after warm-up calls (the plain shell
  imports ipyparallel at the first stock-encoded apply: the stock encoding needs it); blocks of
  50 calls rotate between the engines so that a change of load lands on all alike. Then the
  memory of each engine again."""
NOTES_MARK = "<!-- notes below this line are kept when engine.sh rewrites the file -->"


def verdict(value, target, what):
    if value is None:
        return "n/a"
    return "%s: **%s**" % (what, "met" if value <= target else "not met")


def report(results, args, started, finished, load_start, load_end):
    L = []
    L.append("# Engine benchmark: ippc-engine against the stock ipengine")
    L.append("")
    L.append("Written by `bench/engine.sh` (%s → %s). Do not edit by hand: run it again." % (started, finished))
    L.append("")
    L.append("## Machine and software")
    L.append("")
    L.append("- %s, %d vCPUs, kernel %s" % (platform.machine(), os.cpu_count(), platform.release()))
    L.append("- %s; stock: ipyparallel %s, Python %s (%s), pyzmq %s, IPython %s" % (
        args.ippc_version, args.ipp_version, args.py_version, args.python, args.pyzmq_version, args.ipython_version))
    L.append("- load average (`uptime`) at the start: %s; at the end: %s. The machine is shared: other "
             "helpers' builds, tests and benchmarks ran meanwhile and were not stopped." % (load_start, load_end))
    L.append("")
    L.append("## What is measured")
    L.append("")
    L.append(MEASURED)
    L.append("")
    L.append("%d starts per engine and controller (%d in all), %.1f s settle before memory; %d apply "
             "round trips per engine after %d warm-up calls." % (
                 args.starts, len(results["starts"]), args.settle, args.applies, args.warmup))
    L.append("")
    L.append("## Figures")
    L.append("")
    L.append("Median [min–max] over the starts (memory: over the starts on both controllers); "
             "round trips: median [p10–p90] of every call. MB = 10^6 bytes.")
    L.append("")
    L.append("| figure | %s | plain vs stock | target |" % " | ".join(TITLES[k] for k in KINDS))
    L.append("|---|%s---|---|" % ("---|" * len(KINDS)))

    def row(name, cells, ratio="", target=""):
        L.append("| %s | %s | %s | %s |" % (name, " | ".join(cells), ratio, target))

    def rel(a, b, how):
        if not a or not b:
            return ""
        return how(statistics.median(a), statistics.median(b))

    rss = {k: starts_of(results, k, "rss") for k in KINDS}
    pss = {k: starts_of(results, k, "pss") for k in KINDS}
    nproc = {k: starts_of(results, k, "nproc") for k in KINDS}
    row("idle RSS after start, process tree (MB)", [span(rss[k], "mb") for k in KINDS],
        rel(rss["plain"], rss["stock"], lambda a, b: "%.2f×" % (a / b)),
        verdict(statistics.median(rss["plain"]) if rss["plain"] else None, 20 * MB, "≤ 20 MB"))
    row("idle Pss after start, process tree (MB)", [span(pss[k], "mb") for k in KINDS],
        rel(pss["plain"], pss["stock"], lambda a, b: "%.2f×" % (a / b)))
    row("processes", [str(int(statistics.median(nproc[k]))) if nproc[k] else "n/a" for k in KINDS])
    for ctl, label in (("ippc-controller", "ippc-controller (3 s heartbeat)"),
                       ("ipcontroller", "stock ipcontroller `--ping=100`")):
        reg = {k: starts_of(results, k, "registered", ctl) for k in KINDS}
        fails = sum(1 for s in results["starts"] if s["controller"] == ctl and "error" in s)
        row("start → registered, %s (ms)%s" % (label, ", %d failed" % fails if fails else ""),
            [span(reg[k], "ms") for k in KINDS],
            rel(reg["plain"], reg["stock"], lambda a, b: "%.1f× faster" % (b / a)),
            verdict(statistics.median(reg["plain"]) if reg["plain"] else None, 0.150, "≤ 150 ms"))
        if ctl == "ippc-controller":
            ready = {k: [v / 1e3 for v in starts_of(results, k, "ready", ctl)] for k in KINDS}
            row("... of which main() to ready, from the engine's log (ms)",
                [span(ready[k], "ms") if k != "stock" else "–" for k in KINDS])
    if results.get("apply"):
        ap = results["apply"]
        row("apply_sync(lambda: None) round trip, stock client, stock ipcontroller",
            ["%s [%s–%s]" % (fmt_time(statistics.median(ap[k])), fmt_time(pct(ap[k], 0.1)), fmt_time(pct(ap[k], 0.9)))
             for k in KINDS],
            rel(ap["plain"], ap["stock"], lambda a, b: "%.2f× faster" % (b / a)))
        ar = results["apply_rss"]
        row("RSS after the round trips, process tree (MB)", [mb(ar[k][0]) for k in KINDS],
            "%.2f×" % (ar["plain"][0] / ar["stock"][0]))
        row("Pss after the round trips, process tree (MB)", [mb(ar[k][1]) for k in KINDS],
            "%.2f×" % (ar["plain"][1] / ar["stock"][1]))
    errors = [s for s in results["starts"] if "error" in s]
    if errors:
        L.append("")
        L.append("Failed starts: " + "; ".join("%s on %s: %s" % (s["kind"], s["controller"], s["error"])
                                             for s in errors))
    L.append("")
    L.append(NOTES_MARK)
    return "\n".join(L)


def kept_notes(path):
    """What follows NOTES_MARK in the previous report (hand-written analysis)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    return text.split(NOTES_MARK, 1)[1].lstrip("\n") if NOTES_MARK in text else ""


def compiled_package(work, build, python):
    """A byte-compiled copy of the engine's Python package (what make install leaves),
    for IPPC_ENGINE_PYTHONPATH."""
    with open(os.path.join(build, "engine", "Makefile")) as f:
        srcdir = re.search(r"^abs_srcdir = (.*)$", f.read(), re.M).group(1).strip()
    dest = os.path.join(work, "python")
    shutil.copytree(os.path.join(srcdir, "python", "ippc_engine"), os.path.join(dest, "ippc_engine"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([python, "-m", "compileall", "-q", dest], env=env, check=True)
    return dest


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--out", required=True)
    ap.add_argument("--starts", type=int, default=10)
    ap.add_argument("--applies", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--settle", type=float, default=1.5)
    ap.add_argument("--only", default="starts,apply")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.starts, args.applies, args.warmup, args.settle = 2, 100, 10, 1.0
    args.applies = max(50, args.applies - args.applies % 50)

    def out(cmd):
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

    args.ippc_version = out("%s --version" % os.path.join(args.build, "engine", "ippc-engine"))
    git = out("git -C %s describe --always --dirty 2>/dev/null" % os.path.dirname(os.path.abspath(__file__)))
    if git:
        args.ippc_version += " (git %s)" % git
    vers = out("%s -c 'import ipyparallel, sys, zmq, IPython; print(ipyparallel.__version__, "
               "sys.version.split()[0], zmq.__version__, IPython.__version__)'" % args.python).split()
    args.ipp_version, args.py_version, args.pyzmq_version, args.ipython_version = (vers + ["?"] * 4)[:4]

    work = tempfile.mkdtemp(prefix="ippc-bench-engine.")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["IPPC_ENGINE_PYTHONPATH"] = compiled_package(work, args.build, args.python)
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    load_start = out("uptime").split("load average:")[-1].strip()
    results = {"starts": []}
    ctx = zmq.Context()
    ctls = []
    try:
        ctls.append(Controller("ippc-controller", [os.path.join(args.build, "controller", "ippc-controller")],
                               work, env, ctx))
        ctls.append(Controller("ipcontroller", [args.python, "-m", "ipyparallel.controller", "--ping=100"],
                               work, env, ctx))
        if "starts" in args.only:
            measure_starts(ctls, args, work, env, results)
        if "apply" in args.only:
            measure_apply(ctls[1], args, work, env, results)
    finally:
        for c in ctls:
            c.stop()
        ctx.term()
        if args.keep:
            log("logs kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    load_end = out("uptime").split("load average:")[-1].strip()
    finished = datetime.datetime.now().strftime("%H:%M")
    text = report(results, args, started, finished, load_start, load_end)
    notes = kept_notes(args.out)
    with open(args.out, "w") as f:
        f.write(text + "\n" + ("\n" + notes if notes else ""))
    print(text)


if __name__ == "__main__":
    main()
