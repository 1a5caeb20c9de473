#!/usr/bin/env bash
# compat.sh - the stock ipyparallel test suite (python3-ipyparallel) against our
# ippc-controller, with the stock ipengine.
#
# Each suite runs in its own pytest under `timeout`, two at a time (IPPC_COMPAT_JOBS),
# in a private temporary directory (nothing is written into the source tree). The
# tests that need the load-balanced or broadcast scheduler are listed with their reason
# in exclusions.txt and reported as excluded. Prints per-suite results and durations,
# then `N passed, N failed` alone on a line. Exit 0 when nothing failed.
#
# Environment: IPPC_COMPAT_SUITES (default: the six suites below), IPPC_COMPAT_JOBS (2),
# IPPC_COMPAT_TIMEOUT (seconds per suite, 300), IPPC_CONTROLLER (the controller command),
# IPPC_COMPAT_KEEP=1 keeps the work directory (logs, junit XML) for inspection.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
controller=${IPPC_CONTROLLER:-$top_builddir/controller/ippc-controller}
suites=${IPPC_COMPAT_SUITES:-"test_client test_view test_asyncresult test_magics test_remotefunction test_dependency"}
jobs=${IPPC_COMPAT_JOBS:-2}
limit=${IPPC_COMPAT_TIMEOUT:-300}

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "${controller%% *}" ] || skip "no controller at $controller (build it first)"
"$PYTHON3" -c 'import ipyparallel, pytest' 2>/dev/null \
    || skip "$PYTHON3 cannot import ipyparallel and pytest (apt-get install python3-ipyparallel python3-pytest)"
testdir=$("$PYTHON3" -c 'import ipyparallel, os; print(os.path.join(os.path.dirname(ipyparallel.__file__), "tests"))')
[ -d "$testdir" ] || skip "the stock test suite is not installed ($testdir)"

work=$(mktemp -d "${TMPDIR:-/tmp}/ippc-compat.XXXXXX")
cleanup() {
    # whatever a suite left behind (an engine, a controller) goes with its process group
    local f
    for f in "$work"/*.pgid; do [ -f "$f" ] && kill -TERM -- "-$(cat "$f")" 2>/dev/null; done
    sleep 0.5
    for f in "$work"/*.pgid; do [ -f "$f" ] && kill -KILL -- "-$(cat "$f")" 2>/dev/null; done
    [ "${IPPC_COMPAT_KEEP:-0}" = 1 ] && echo "work directory kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_suite() {
    local s=$1 dir=$work/$1
    mkdir -p "$dir/tmp" "$dir/home"
    (
        cd "$dir" || exit 1
        export TMPDIR=$dir/tmp HOME=$dir/home IPYTHONDIR=$dir/home/.ipython
        export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH}
        export IPPC_CONTROLLER=$controller IPPC_COMPAT_EXCLUSIONS=$here/exclusions.txt
        export IPPC_CONTROLLER_LOG=$work/$s.controller.log
        date +%s.%N > "$work/$s.start"
        # timeout makes itself the leader of a new process group: its pid names the
        # group of every process the suite starts (controller, engines, nannies)
        timeout -k 10 "$limit" "$PYTHON3" -m pytest -p ippc_compat -p no:cacheprovider -q -rfE \
            --junitxml="$work/$s.xml" "$testdir/$s.py" > "$work/$s.log" 2>&1 &
        echo $! > "$work/$s.pgid"
        wait $!
        echo $? > "$work/$s.rc"
        date +%s.%N > "$work/$s.end"
        kill -KILL -- "-$(cat "$work/$s.pgid")" 2>/dev/null
    ) &
}

# Run at most $jobs suites at a time, in the order given (longest first).
running=0
for s in $suites; do
    [ -f "$testdir/$s.py" ] || { echo "no such suite: $testdir/$s.py" >&2; exit 1; }
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_suite "$s"
    running=$((running + 1))
done
wait

"$PYTHON3" - "$work" "$limit" "$here/exclusions.txt" $suites <<'PY'
import os, sys, xml.etree.ElementTree as ET
work, limit, exclusions, suites = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
excluded_ids = set()
for line in open(exclusions):
    line = line.strip()
    if line and not line.startswith("#"):
        excluded_ids.add(line.split()[0])
tot = dict(passed=0, failed=0, skipped=0, excluded=0)
print("%-22s %7s %7s %8s %8s %8s" % ("suite", "passed", "failed", "excluded", "skipped", "seconds"))
bad = []
for s in suites:
    def read(ext):
        with open(os.path.join(work, s + ext)) as f:
            return f.read().strip()
    secs = float(read(".end")) - float(read(".start"))
    rc = int(read(".rc"))
    xml = os.path.join(work, s + ".xml")
    n = dict(passed=0, failed=0, skipped=0, excluded=0)
    if not os.path.exists(xml):
        why = "timed out after %d s" % limit if rc in (124, 137) else "pytest exited %d without a report" % rc
        n["failed"] = 1
        bad.append((s, why, None))
    else:
        for case in ET.parse(xml).getroot().iter("testcase"):
            name = "%s::%s" % (case.get("classname", "").split(".")[-1], case.get("name"))
            if case.find("failure") is not None or case.find("error") is not None:
                n["failed"] += 1
                bad.append((s, name, case))
            elif case.find("skipped") is not None:
                n["excluded" if "%s.py::%s" % (s, name) in excluded_ids else "skipped"] += 1
            else:
                n["passed"] += 1
        if rc in (124, 137):
            n["failed"] += 1
            bad.append((s, "timed out after %d s" % limit, None))
    # a sanitizer build reports in the controller's log
    reports = []
    clog = os.path.join(work, s + ".controller.log")
    if os.path.exists(clog):
        with open(clog, errors="replace") as f:
            reports = [l.strip() for l in f if "Sanitizer" in l or "runtime error:" in l]
    if reports:
        n["failed"] += 1
        bad.append((s, "sanitizer report: " + reports[0][:200], None))
    for k in tot:
        tot[k] += n[k]
    print("%-22s %7d %7d %8d %8d %8.1f" % (s, n["passed"], n["failed"], n["excluded"], n["skipped"], secs))
for s, name, case in bad:
    print("FAILED %s: %s" % (s, name))
    if case is not None:
        el = case.find("failure")
        if el is None:
            el = case.find("error")
        msg = (el.get("message") or "").splitlines()
        print("    " + (msg[0][:300] if msg else ""))
print("%d passed, %d failed" % (tot["passed"], tot["failed"]))
sys.exit(1 if tot["failed"] else 0)
PY
status=$?
if [ $status -ne 0 ]; then
    for s in $suites; do
        if [ "$(cat "$work/$s.rc" 2>/dev/null)" != 0 ]; then
            echo "--- last lines of the $s log:"
            grep -v 'Warning\|make_current\|^$' "$work/$s.log" | tail -15
        fi
    done
fi
exit $status
