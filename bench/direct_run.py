"""direct_run.py - the driver of bench/direct.sh (run it through direct.sh).

Starts, on 127.0.0.1 and in private IPython directories,
  ippc    ippc-controller + 4 ippc-engines, driven by the C client (ippc-direct-client)
  stock   ipcontroller + 4 ipengines (ipyparallel on /usr/bin/python3), driven by the
          stock Python client (direct_py.py)
  py/ippc the same Python client driving the ippc cluster
  zmq     the raw ZeroMQ two-hop floor (ippc-direct-zmq: a relay and 4 echo peers)
all at once, under one malloc setting, and runs every figure on each in turn: for each
figure, each round, every client, the order rotating from round to round, so that a
change in the machine's load lands on all of them alike. Then it stops everything it
started, by pid, and does the same for the next malloc setting. Figures go to a
Markdown table (--out) and to stdout.
"""
import argparse
import datetime
import json
import os
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20
MALLOC = {
    "default": None,  # glibc's defaults: fresh 4 KiB pages for every large buffer
    "hugetlb": "glibc.malloc.hugetlb=1",  # transparent huge pages for malloc'd memory
}
MEMTUNE_IDLE = 5  # lib/memtune.h: IPPC_MEMTUNE_IDLE
CLIENTS = ["ippc", "stock", "py/ippc", "zmq"]
TITLES = {
    "ippc": "ippc (C client)",
    "stock": "stock",
    "py/ippc": "Python client on ippc",
    "zmq": "raw ZeroMQ floor",
}


def log(msg):
    sys.stderr.write("[direct %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ------------------------------------------------------------------ processes

def descendants(pid):
    """Pids of pid's descendants (from /proc: children are listed per thread)."""
    out = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids = [int(c) for c in f.read().split()]
        except OSError:
            continue
        for c in kids:
            out.append(c)
            out.extend(descendants(c))
    return out


CLK_TCK = os.sysconf("SC_CLK_TCK")


def started_at(pid):
    """The start time of a process (to tell it from a later one with the same pid)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def cpu_seconds(pids):
    """user + system CPU time of the processes (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


class Procs:
    """Processes this run started; stopped by pid (with the descendants they forked)."""

    def __init__(self):
        self.procs = []  # (Popen, name)
        self.tree = set()
        self.groups = {}  # "ippc"/"stock" -> {"controller": [pids], "engines": [pids]}

    def start(self, name, argv, env, log_path, group=None, role=None):
        f = open(log_path, "wb")
        p = subprocess.Popen(argv, env=env, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        f.close()
        self.procs.append((p, name))
        if group:
            self.groups.setdefault(group, {}).setdefault(role, []).append(p.pid)
        return p

    def group_pids(self, group):
        """{"controller": pids, "engines": pids} of a cluster, descendants included
        (the stock controller forks schedulers, the stock engine a nanny)."""
        out = {}
        for role, pids in self.groups.get(group, {}).items():
            out[role] = list(pids) + [d for pid in pids for d in descendants(pid)]
        return out

    def note_tree(self):
        for p, _ in self.procs:
            if p.poll() is None:
                self.tree.update((d, started_at(d)) for d in descendants(p.pid))

    def stop(self):
        self.note_tree()
        for p, _ in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p, _ in self.procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p, _ in self.procs:
            if p.poll() is None:
                p.kill()
        for pid, birth in sorted(self.tree):  # only if the pid still names that process
            if birth is not None and started_at(pid) == birth:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for p, _ in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.procs, self.tree = [], set()


def wait_for_file(path, timeout, procs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        if any(p.poll() is not None for p, _ in procs.procs):
            return False
        time.sleep(0.1)
    return False


class Client:
    """A benchmark client speaking the line protocol of direct_client.c."""

    def __init__(self, name, argv, env, log_path):
        self.name = name
        self.err = open(log_path, "wb")
        self.p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, bufsize=0)
        self.buf = b""
        self.parts = {}  # "controller"/"engines" -> pids, for CPU accounting
        self.info = self.read(300)

    def read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return {"error": "no answer within %d s" % timeout}
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    return {"error": "the client exited (status %s)" % self.p.poll()}
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return {"error": "bad answer %r" % line[:200]}

    def ask(self, command, timeout=900):
        """The answer to command, with the CPU time each part of the system used
        meanwhile under "cpu" (seconds: client, controller, engines)."""
        if self.p.poll() is not None:
            return {"error": "the client is gone"}
        parts = dict(self.parts, client=[self.p.pid])
        before = {k: cpu_seconds(v) for k, v in parts.items()}
        try:
            self.p.stdin.write((command + "\n").encode())
        except OSError as e:
            return {"error": str(e)}
        ans = self.read(timeout)
        ans["cpu"] = {k: cpu_seconds(v) - before[k] for k, v in parts.items()}
        return ans

    def close(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write(b"quit\n")
                self.p.stdin.close()
                self.p.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()
        self.err.close()


# ------------------------------------------------------------------ clusters

def start_ippc(work, build, env, procs):
    profile = os.path.join(work, "ippc", "profile_default")
    os.makedirs(profile)
    procs.start("ippc-controller", [os.path.join(build, "controller", "ippc-controller"),
                                    "--profile-dir=" + profile, "--ip=127.0.0.1"],
                env, os.path.join(work, "ippc-controller.log"), "ippc", "controller")
    cf = os.path.join(profile, "security", "ipcontroller-client.json")
    if not wait_for_file(cf, 60, procs):
        raise RuntimeError("ippc-controller wrote no %s (see %s)" % (cf, work))
    for i in range(4):
        procs.start("ippc-engine", [os.path.join(build, "engine", "ippc-engine"), "--profile-dir=" + profile],
                    env, os.path.join(work, "ippc-engine.%d.log" % i), "ippc", "engines")
    return cf


def start_stock(work, py, env, procs):
    profile = os.path.join(work, "stock", "profile_default")
    os.makedirs(profile)
    procs.start("ipcontroller", [py, shutil.which("ipcontroller") or "/usr/bin/ipcontroller",
                                 "--profile-dir=" + profile, "--ip=127.0.0.1"],
                env, os.path.join(work, "stock-controller.log"), "stock", "controller")
    cf = os.path.join(profile, "security", "ipcontroller-client.json")
    ef = os.path.join(profile, "security", "ipcontroller-engine.json")
    if not wait_for_file(cf, 90, procs) or not wait_for_file(ef, 30, procs):
        raise RuntimeError("ipcontroller wrote no %s (see %s)" % (cf, work))
    for i in range(4):
        procs.start("ipengine", [py, shutil.which("ipengine") or "/usr/bin/ipengine", "--profile-dir=" + profile],
                    env, os.path.join(work, "stock-engine.%d.log" % i), "stock", "engines")
    return cf


# ------------------------------------------------------------------ figures

def plan(quick):
    """(figure key, command, kind of answer, label, repeats per round), in running order."""
    n, warm = (100, 10) if quick else (400, 40)
    m = 2000 if quick else 10000
    figs = [
        ("apply1", "rtt apply1 %d %d" % (n, warm), "rtt", "apply_sync round trip, 1 engine", 1),
        ("applyall", "rtt applyall %d %d" % (n, warm), "rtt", "apply_sync round trip, all 4 engines", 1),
        ("execute", "rtt execute %d %d" % (n, warm), "rtt", "execute('pass') round trip, 1 engine", 1),
        ("push", "rtt push %d %d" % (n, warm), "rtt", "push({'a': 1}) round trip, 1 engine", 1),
        ("pull", "rtt pull %d %d" % (n, warm), "rtt", "pull('a') round trip, 1 engine", 1),
        ("async", "async %d" % m, "async", "%s apply_async + wait, 1 engine" % format(m, ","), 1),
    ]
    for mib, reps in ((1, 5), (64, 2), (512, 1)):
        figs.append(("bulk%d" % mib, "bulk %d" % (mib * MiB), "bulk", "%d MiB float64" % mib, reps))
    figs += [
        ("sc_range", "scatter range 1000000", "scatter", "range(1,000,000)", 1),
        ("sc_list", "scatter list 1000000", "scatter", "list(range(1,000,000))", 1),
        ("sc_array", "scatter array %d" % (64 * MiB), "scatter", "64 MiB float64 array", 1),
    ]
    return figs


def run_setting(setting, args, results):
    env = dict(os.environ)
    env.pop("GLIBC_TUNABLES", None)
    if MALLOC[setting]:
        env["GLIBC_TUNABLES"] = MALLOC[setting]
    env["PYTHONWARNINGS"] = "ignore"
    work = tempfile.mkdtemp(prefix="ippc-direct-")
    procs = Procs()
    clients = {}
    try:
        wanted = [c for c in CLIENTS if c in args.only]
        cf = {}

        def start_client(name):
            cenv = dict(env, IPYTHONDIR=os.path.join(work, "client"))
            logp = os.path.join(work, "client-%s.log" % name.replace("/", "-"))
            if name == "ippc":
                argv = [os.path.join(args.build, "bench", "ippc-direct-client"), cf["ippc"]]
            elif name == "zmq":
                argv = [os.path.join(args.build, "bench", "ippc-direct-zmq")]
            else:
                argv = [args.python, os.path.join(args.src, "bench", "direct_py.py"),
                        cf["stock" if name == "stock" else "ippc"]]
            t0 = time.monotonic()
            clients[name] = Client(name, argv, cenv, logp)  # answers once it sees 4 engines
            if "error" in clients[name].info:
                log("%s: %s (logs in %s)" % (name, clients[name].info["error"], work))
                args.keep = True
            else:
                log("%s ready after %.1f s: %s" % (name, time.monotonic() - t0, clients[name].info.get("client")))

        # One cluster at a time, each up (its client sees 4 engines) before the next
        # starts: engines that start together on a small machine start slowly.
        if "ippc" in wanted or "py/ippc" in wanted:
            cf["ippc"] = start_ippc(work, args.build, dict(env, IPYTHONDIR=os.path.join(work, "ippc")), procs)
            for name in ("ippc", "py/ippc"):
                if name in wanted:
                    start_client(name)
        if "stock" in wanted:
            cf["stock"] = start_stock(work, args.python, dict(env, IPYTHONDIR=os.path.join(work, "stock")), procs)
            start_client("stock")
        if "zmq" in wanted:
            start_client("zmq")
        for name, c in clients.items():
            if name == "zmq":  # its children: the relay first, then the 4 peers
                kids = sorted(descendants(c.p.pid))
                c.parts = {"controller": kids[:1], "engines": kids[1:]}
            else:
                c.parts = procs.group_pids("stock" if name == "stock" else "ippc")
        procs.note_tree()
        active = [c for c in wanted if "error" not in clients[c].info]
        for key, command, kind, label, reps in plan(args.quick):
            if args.figures and key not in args.figures:
                continue
            for rnd in range(args.rounds):
                k = rnd % len(active) if active else 0
                order = active[k:] + active[:k]
                for name in order:
                    if name == "zmq" and kind == "scatter" and "array" not in command:
                        continue  # the floor has no Python objects
                    for _ in range(reps):
                        ans = clients[name].ask(command)
                        slot = results.setdefault(setting, {}).setdefault(key, {}).setdefault(name, [])
                        if "error" in ans:
                            log("%s %s: %s" % (name, command, ans["error"]))
                            slot.append({"error": ans["error"]})
                        else:
                            slot.append(ans)
                    if kind in ("bulk", "scatter"):
                        clients[name].ask("cleanup")
            summary = []
            for name in active:
                if name == "zmq" and kind == "scatter" and "array" not in command:
                    continue
                got = results[setting][key].get(name, [])
                vals = [a for a in got if "error" not in a]
                if kind in ("rtt", "async") and vals:
                    s = [x for a in vals for x in a["samples"]]
                    summary.append("%s %.3g ms" % (name, statistics.median(s) * 1e3))
                elif vals:
                    k1, k2 = ("push", "pull") if kind == "bulk" else ("scatter", "gather")
                    summary.append("%s %.3g/%.3g s" % (name, statistics.median(a[k1] for a in vals),
                                                       statistics.median(a[k2] for a in vals)))
                else:
                    summary.append("%s failed" % name)
            load = os.getloadavg()[0]
            args.loads.append(load)
            log("%s [%s]: %s (load %s)" % (key, setting, ", ".join(summary), load))
    finally:
        for c in clients.values():
            c.close()
        procs.stop()
        if args.keep:
            log("logs kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ report

def pct(vals, q):
    vals = sorted(vals)
    if not vals:
        return float("nan")
    i = q * (len(vals) - 1)
    lo = int(i)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (i - lo)


def fmt_time(s):
    if s < 1e-3:
        return "%.0f µs" % (s * 1e6)
    if s < 1:
        return "%.3g ms" % (s * 1e3)
    return "%.3g s" % s


def stats(setting_results, key, name, field=None):
    """(median, low, high, count, errors): rtt/async over all samples (p10-p90 for rtt,
    min-max for the rest); for bulk/scatter over the answers' field."""
    got = setting_results.get(key, {}).get(name, [])
    errors = [a["error"] for a in got if "error" in a]
    vals = [a for a in got if "error" not in a]
    if field is None:
        s = [x for a in vals for x in a["samples"]]
    else:
        s = [a[field] for a in vals]
    if not s:
        return None, None, None, 0, errors
    if key == "async" or len(s) < 10:
        return statistics.median(s), min(s), max(s), len(s), errors
    return statistics.median(s), pct(s, 0.1), pct(s, 0.9), len(s), errors


def cell(st, mode, nbytes=None, count=None):
    med, lo, hi, n, errors = st
    if med is None:
        return "failed" if errors else "n/a"
    if mode == "rate":
        return "%s/s [%s–%s]" % (format(round(count / med), ","), format(round(count / hi), ","),
                                 format(round(count / lo), ","))
    text = "%s [%s–%s]" % (fmt_time(med), fmt_time(lo), fmt_time(hi))
    if nbytes:
        text += " (%.2f GB/s)" % (nbytes / med / 1e9)
    return text


def ratio(a, b):
    """How many times faster a is than b (times: b/a)."""
    if a is None or b is None or a <= 0:
        return None
    return b / a


def read_previous(path):
    """The main tables of an earlier report: {setting: {figure: {title: median text}}},
    and its "Written by" line's run description."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    tables, setting, header, when = {}, None, None, "?"
    for line in text.splitlines():
        if line.startswith("Written by") and "(" in line:
            when = line[line.index("(") + 1:line.rindex(")")] if ")" in line else "?"
        if line.startswith("## Malloc setting: "):
            setting, header = line.split(": ", 1)[1].strip(), None
            tables[setting] = {}
        elif line.startswith("CPU time per operation") or line.startswith("## Notes"):
            setting = None
        elif setting and line.startswith("| ") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            else:
                tables[setting][cells[0]] = {h: c.split(" [")[0] for h, c in zip(header, cells)}
    return {"tables": tables, "when": when, "path": path}


def report(results, args, started, finished):
    lines = []
    w = lines.append
    w("# Direct interface benchmark: ippc against stock ipyparallel and raw ZeroMQ")
    w("")
    w("Written by `bench/direct.sh` (%s, %s → %s). Do not edit by hand: run it again." % (
        "quick run" if args.quick else "%d rounds" % args.rounds, started, finished))
    w("")
    w("## Machine and software")
    w("")
    w("- %s, %d vCPUs, %.1f GiB RAM, kernel %s; transparent huge pages: `%s`" % (
        platform.machine(), os.cpu_count(), args.mem_gib, platform.release(), args.thp))
    w("- ippc %s (git %s), %s; libzmq %s" % (args.ippc_version, args.git, args.cc, args.zmq_version))
    w("- stock: ipyparallel %s, Python %s (%s), numpy %s, pyzmq %s" % (
        args.ipp_version, args.py_version, args.python, args.np_version, args.pyzmq_version))
    w("- load average at the start: %s (other work on this machine was not stopped)" % args.load)
    if args.loads:
        w("- load average (1 min) after each figure: %.1f to %.1f" % (min(args.loads), max(args.loads)))
    w("")
    w("## What is measured")
    w("")
    w("Four clients run side by side, against clusters started together for the run on "
      "127.0.0.1 (4 engines each, default heartbeat), all under the same malloc setting:")
    w("")
    w("- **ippc**: the C client (`bench/direct_client.c`, libippc) → ippc-controller → ippc-engine;")
    w("- **stock**: the stock Python client (`bench/direct_py.py`) → ipcontroller → ipengine;")
    w("- **Python client on ippc**: the same `direct_py.py` → ippc-controller → ippc-engine;")
    w("- **raw ZeroMQ floor** (`bench/direct_zmq.c`): a DEALER client, a ROUTER/ROUTER relay that "
      "swaps routing ids like the controller's mux, and 4 DEALER echo peers: two hops each way, "
      "no JSON, no signatures, no Python.")
    w("")
    w("Each figure runs on every client in turn, round after round, the order rotating, so that "
      "a change in the machine's load lands on all of them alike. Round trips: the median over "
      "every call of every round, [p10–p90]. Other figures: the median over the rounds "
      "[min–max].")
    w("")
    w("- *apply round trip*: `rc[0].apply_sync(lambda: None)` (C: callable `\"lambda: None\"`) and "
      "`rc[:].apply_sync(...)`; *execute*: `rc[0].execute('pass', block=True)`; *push/pull*: "
      "`rc[0].push({'a': 1})`, `rc[0].pull('a')`, blocking. The floor answers all of them with a "
      "100-byte ping-pong (to 1 or 4 peers).")
    w("- *async*: N `rc[0].apply_async(noop)` issued as fast as the client goes, then a wait for "
      "all; tasks/s = N / the whole time. The floor sends N 100-byte requests as fast as "
      "libzmq takes them and receives the N replies.")
    w("- *push/pull N MiB*: `rc[0].push({'x': a})` of a float64 array, then `rc[0].pull('x')` "
      "(blocking, checked after the clock stops). The array is made and written once "
      "before the clock starts and reused. The floor sends the bytes zero-copy to a peer "
      "that keeps them and acknowledges, then asks for them back; every receiver gets "
      "libzmq's own buffer, and the relay and peers keep freed buffers faulted in for the "
      "next receive as ippc's controller and engines do (lib/memtune.c; the clients do not).")
    w("- *scatter/gather*: `rc[:].scatter('s', seq)` then `rc[:].gather('s')` (blocking) of "
      "`range(1000000)` (which scatters to 4 ranges and gathers to the list of them), "
      "`list(range(1000000))`, and a 64 MiB float64 array (the floor: 16 MiB to and from each peer).")
    w("")
    for setting in args.malloc:
        res = results.get(setting, {})
        w("## Malloc setting: %s" % setting)
        w("")
        if MALLOC[setting]:
            w("Every process of the run (controllers, engines, clients, floor) ran with "
              "`GLIBC_TUNABLES=%s`." % MALLOC[setting])
        else:
            w("Every process of the run ran with glibc's default malloc (no `GLIBC_TUNABLES`): "
              "large buffers are fresh mmap'd 4 KiB pages.")
        w("")
        cols = [c for c in CLIENTS if c in args.only]
        w("| figure | " + " | ".join(TITLES[c] for c in cols) + " | ippc vs stock | ippc vs floor |")
        w("|---|" + "---|" * len(cols) + "---|---|")
        med = {}

        def row(label, key, field=None, mode="time", nbytes=None, count=None):
            cells = []
            for c in cols:
                st = stats(res, key, c, field)
                med[(key, field, c)] = st[0]
                cells.append(cell(st, mode, nbytes, count))
            a, s, z = (med.get((key, field, c)) for c in ("ippc", "stock", "zmq"))
            vs_stock = ratio(a, s)
            vs_floor = ratio(a, z)
            w("| %s | %s | %s | %s |" % (label, " | ".join(cells),
                                         "%.3g× faster" % vs_stock if vs_stock else "–",
                                         "%.2f× the floor's time" % (1 / vs_floor) if vs_floor else "–"))

        for key, command, kind, label, reps in plan(args.quick):
            if args.figures and key not in args.figures:
                continue
            if kind == "rtt":
                row(label, key)
            elif kind == "async":
                row(label + " (tasks/s)", key, mode="rate", count=int(command.split()[1]))
            elif kind == "bulk":
                size = int(command.split()[1])
                row("push " + label, key, "push", nbytes=size)
                row("pull " + label, key, "pull", nbytes=size)
            else:
                size = 64 * MiB if "array" in command else None
                row("scatter " + label, key, "scatter", nbytes=size)
                row("gather " + label, key, "gather", nbytes=size)
        w("")
        w("CPU time per operation, client / controller / engines (all processes of each part, "
          "from /proc, over the whole figure; the floor's \"controller\" is its relay):")
        w("")
        w("| figure | " + " | ".join(TITLES[c] for c in cols) + " |")
        w("|---|" + "---|" * len(cols))
        for key, command, kind, label, reps in plan(args.quick):
            if args.figures and key not in args.figures:
                continue
            words = command.split()
            if kind == "rtt":
                per = int(words[2]) + int(words[3])
            elif kind == "async":
                per = int(words[1])
            elif key in ("bulk512", "sc_array"):
                per = 1
            else:
                continue
            cells = []
            for c in cols:
                answers = [a for a in res.get(key, {}).get(c, []) if "error" not in a and "cpu" in a]
                if not answers:
                    cells.append("n/a")
                    continue
                ops = per * len(answers)
                parts = [sum(a["cpu"].get(k, 0) for a in answers) / ops for k in ("client", "controller", "engines")]
                cells.append(" / ".join(fmt_time(x) if x > 0 else "0" for x in parts))
            what = label if kind != "bulk" and key != "sc_array" else (
                "push + pull " + label if kind == "bulk" else "scatter + gather " + label)
            w("| %s | %s |" % (what, " | ".join(cells)))
        w("")
        # targets
        w("Targets (same run, same machine, this malloc setting):")
        w("")

        def target(text, value, goal, cmp):
            if value is None:
                w("- %s: not measured" % text)
            else:
                ok = value <= goal if cmp == "<=" else value >= goal
                w("- %s: **%.3g** (target %s %g) — %s" % (text, value, cmp, goal, "met" if ok else "**not met**"))

        a = med.get(("apply1", None, "ippc"))
        z = med.get(("apply1", None, "zmq"))
        target("apply round trip, ippc ÷ raw ZeroMQ two-hop floor (%s ÷ %s)" % (
            fmt_time(a) if a else "?", fmt_time(z) if z else "?"), a / z if a and z else None, 1.5, "<=")
        a = med.get(("async", None, "ippc"))
        s = med.get(("async", None, "stock"))
        target("async throughput, ippc ÷ stock", s / a if a and s else None, 50, ">=")
        for f in ("push", "pull"):
            a = med.get(("bulk512", f, "ippc"))
            s = med.get(("bulk512", f, "stock"))
            z = med.get(("bulk512", f, "zmq"))
            target("512 MiB %s, ippc speed ÷ stock (%s ÷ %s)" % (f, fmt_time(s) if s else "?", fmt_time(a) if a else "?"),
                   s / a if a and s else None, 5, ">=")
            target("512 MiB %s, ippc speed ÷ raw ZeroMQ (%s ÷ %s)" % (f, fmt_time(z) if z else "?", fmt_time(a) if a else "?"),
                   z / a if a and z else None, 0.8, ">=")
        errors = sorted({"%s %s: %s" % (c, k, e) for k, by in res.items() for c, answers in by.items()
                         for e in (x.get("error") for x in answers) if e})
        if errors:
            w("")
            w("Failures:")
            w("")
            for e in errors:
                w("- " + e)
        prev = (args.previous or {}).get("tables", {}).get(setting)
        if prev:
            w("")
            w("Against the previous report (%s, its run %s; other load, same method):" % (
                os.path.basename(args.previous["path"]), args.previous["when"]))
            w("")
            w("| figure | ippc before | ippc now | stock before | stock now |")
            w("|---|---|---|---|---|")
            now = {}
            for key, command, kind, label, reps in plan(args.quick):
                if args.figures and key not in args.figures:
                    continue
                if kind == "bulk":
                    size = int(command.split()[1])
                    pairs = [("push " + label, key, "push", size), ("pull " + label, key, "pull", size)]
                elif kind == "scatter":
                    size = 64 * MiB if "array" in command else None
                    pairs = [("scatter " + label, key, "scatter", size), ("gather " + label, key, "gather", size)]
                else:
                    pairs = [(label + (" (tasks/s)" if kind == "async" else ""), key, None, None)]
                for text, k, field, size in pairs:
                    now[text] = {}
                    for c in ("ippc", "stock"):
                        st = stats(res, k, c, field)
                        mode = "rate" if kind == "async" else "time"
                        count = int(command.split()[1]) if kind == "async" else None
                        now[text][c] = cell(st, mode, size, count).split(" [")[0]
            for text, cells in now.items():
                old_row = prev.get(text, {})
                w("| %s | %s | %s | %s | %s |" % (text, old_row.get(TITLES["ippc"], "–"), cells["ippc"],
                                                old_row.get(TITLES["stock"], "–"), cells["stock"]))
        w("")
    w("## Notes")
    w("")
    w("- Only figures measured in the same run are compared: this machine is shared and "
      "its load changes (the load average above), and on this VM the cost of writing into "
      "fresh memory depends on whether the guest has touched that memory before (the first "
      "touch of a 4 KiB page costs ~12 µs; memory the VM has used before is much cheaper), "
      "so bulk figures move from one run to the next, for every client alike.")
    idle = os.environ.get("IPPC_MEMTUNE") or str(MEMTUNE_IDLE)
    w("- The floor receives every message into libzmq's own buffer, on the relay and on the "
      "peer. Its relay and peers run with the malloc tuning of ippc-controller and "
      "ippc-engine (lib/memtune.c: no mmap'd chunks, one arena, freed memory kept until "
      "the process has been idle IPPC_MEMTUNE seconds, %s in this run), so that ippc's "
      "buffer reuse is not counted as an advantage over raw ZeroMQ; the stock cluster and "
      "every client run with the setting's malloc unchanged. IPPC_MEMTUNE=0 turns the "
      "tuning off for ippc and the floor alike." % ("off" if idle == "0" else idle))
    w("- The CPU table sums user and system time of every process of each part while the "
      "figure ran (the stock controller's schedulers and the stock engines' nannies "
      "included), divided by the number of operations; /proc counts in 10 ms ticks.")
    w("- Raw samples: `bench/direct.sh --raw FILE`; logs of every process: `--keep`.")
    w("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--malloc", default="default,hugetlb")
    ap.add_argument("--only", default=",".join(CLIENTS))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--figures", default="", help="only these figures (apply1,applyall,execute,push,pull,"
                    "async,bulk1,bulk64,bulk512,sc_range,sc_list,sc_array)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--raw", help="also write every sample as JSON here")
    ap.add_argument("--previous", help="an earlier report to compare with (default: --out as it was; "
                    "'none': no comparison)")
    args = ap.parse_args()
    args.previous = None if args.previous == "none" else read_previous(args.previous or args.out)
    args.malloc = [m for m in args.malloc.split(",") if m]
    for m in args.malloc:
        if m not in MALLOC:
            ap.error("--malloc: %s is not one of %s" % (m, ", ".join(MALLOC)))
    args.only = [c for c in args.only.split(",") if c]
    args.figures = [f for f in args.figures.split(",") if f]
    if args.quick:
        args.rounds = 1

    # what the report says about the machine and the software
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:
            return "?"
    with open("/proc/meminfo") as f:
        args.mem_gib = int(f.readline().split()[1]) / (1 << 20)
    args.thp = sh("cat /sys/kernel/mm/transparent_hugepage/enabled")
    args.load = "%.2f %.2f %.2f" % os.getloadavg()
    args.loads = []
    args.git = sh("git -C '%s' describe --always --dirty" % args.src) or "?"
    args.ippc_version = sh("'%s/controller/ippc-controller' --version" % args.build).split("\n")[0]
    args.cc = sh("cc --version").split("\n")[0]
    args.zmq_version = sh("pkg-config --modversion libzmq")
    vers = sh("'%s' -c 'import sys, ipyparallel, numpy, zmq; print(ipyparallel.__version__, "
              "sys.version.split()[0], numpy.__version__, zmq.__version__)'" % args.python).split()
    args.ipp_version, args.py_version, args.np_version, args.pyzmq_version = (vers + ["?"] * 4)[:4]

    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    results = {}
    for setting in args.malloc:
        log("malloc setting %s" % setting)
        run_setting(setting, args, results)
    finished = datetime.datetime.now().strftime("%H:%M")
    text = report(results, args, started, finished)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    if args.raw:
        with open(args.raw, "w") as f:
            json.dump(results, f)
    print(text)


if __name__ == "__main__":
    main()
