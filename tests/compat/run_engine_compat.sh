#!/usr/bin/env bash
# run_engine_compat.sh - the stock ipyparallel test suite with ippc-engine as the engine,
# once with the stock ipcontroller ("stock" mode) and once with ippc-controller ("ippc").
#
# Each suite runs in its own pytest under `timeout` (which leads a process group holding
# everything the suite starts), at most IPPC_COMPAT_JOBS at a time, in a private
# temporary directory. Tests listed in engine_exclusions.txt (and, with ippc-controller,
# in the controller's exclusions.txt) are reported as excluded with their reason. Prints
# a line per mode and suite with counts and seconds, the failures, then
# `N passed, N failed` alone on a line. Exit 0 when nothing failed; 77 (skip) when there
# is nothing to run.
#
# Environment: IPPC_ENGINE (default $top_builddir/engine/ippc-engine), IPPC_CONTROLLER
# ($top_builddir/controller/ippc-controller), IPPC_ENGINE_COMPAT_MODES ("stock ippc";
# ippc is left out with a note when the controller is not built), IPPC_COMPAT_SUITES,
# IPPC_COMPAT_JOBS (2), IPPC_COMPAT_TIMEOUT (seconds per suite, 300), IPPC_COMPAT_KEEP=1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
engine=${IPPC_ENGINE:-$top_builddir/engine/ippc-engine}
ippc_controller=${IPPC_CONTROLLER:-$top_builddir/controller/ippc-controller}
modes=${IPPC_ENGINE_COMPAT_MODES:-stock ippc}
suites=${IPPC_COMPAT_SUITES:-"test_client test_view test_asyncresult test_magics test_remotefunction test_dependency"}
jobs=${IPPC_COMPAT_JOBS:-2}
limit=${IPPC_COMPAT_TIMEOUT:-300}

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "${engine%% *}" ] || skip "no engine at $engine (build it first)"
"$PYTHON3" -c 'import ipyparallel, pytest' 2>/dev/null \
    || skip "$PYTHON3 cannot import ipyparallel and pytest (apt-get install python3-ipyparallel python3-pytest)"
testdir=$("$PYTHON3" -c 'import ipyparallel, os; print(os.path.join(os.path.dirname(ipyparallel.__file__), "tests"))')
[ -d "$testdir" ] || skip "the stock test suite is not installed ($testdir)"
case " $modes " in *" ippc "*)
    if [ ! -x "${ippc_controller%% *}" ]; then
        echo "note: no ippc-controller at $ippc_controller: running the stock-controller mode only"
        modes=${modes//ippc/}
    fi
esac
[ -n "${modes// /}" ] || skip "no mode to run"

work=$(mktemp -d "${TMPDIR:-/tmp}/ippc-engine-compat.XXXXXX")
cleanup() {
    local f
    for f in "$work"/*.pgid; do [ -f "$f" ] && kill -TERM -- "-$(cat "$f")" 2>/dev/null; done
    sleep 0.5
    for f in "$work"/*.pgid; do [ -f "$f" ] && kill -KILL -- "-$(cat "$f")" 2>/dev/null; done
    [ "${IPPC_COMPAT_KEEP:-0}" = 1 ] && echo "work directory kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_suite MODE SUITE: one pytest in the background; results in $work/MODE-SUITE.*
run_suite() {
    local mode=$1 s=$2 id=$1-$2 dir=$work/$1-$2 ctl excl=$here/engine_exclusions.txt
    mkdir -p "$dir/tmp" "$dir/home"
    if [ "$mode" = ippc ]; then
        ctl=$ippc_controller
        excl=$excl:$here/exclusions.txt
    else
        ctl="$PYTHON3 -m ipyparallel.controller"
    fi
    (
        cd "$dir" || exit 1
        export TMPDIR=$dir/tmp HOME=$dir/home IPYTHONDIR=$dir/home/.ipython PYTHONDONTWRITEBYTECODE=1
        export PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH}
        export IPPC_ENGINE=$engine IPPC_CONTROLLER=$ctl IPPC_ENGINE_EXCLUSIONS=$excl
        date +%s.%N > "$work/$id.start"
        timeout -k 10 "$limit" "$PYTHON3" -m pytest -p engine_plugin -p no:cacheprovider -q -rfE \
            --junitxml="$work/$id.xml" "$testdir/$s.py" > "$work/$id.log" 2>&1 &
        echo $! > "$work/$id.pgid"
        wait $!
        echo $? > "$work/$id.rc"
        date +%s.%N > "$work/$id.end"
        kill -KILL -- "-$(cat "$work/$id.pgid")" 2>/dev/null
    ) &
}

running=0
runs=()
for mode in $modes; do
    for s in $suites; do
        [ -f "$testdir/$s.py" ] || { echo "no such suite: $testdir/$s.py" >&2; exit 1; }
        if [ "$running" -ge "$jobs" ]; then
            wait -n
            running=$((running - 1))
        fi
        run_suite "$mode" "$s"
        runs+=("$mode-$s")
        running=$((running + 1))
    done
done
wait

"$PYTHON3" - "$work" "$limit" "$here" "${runs[@]}" <<'PY'
import os, sys, xml.etree.ElementTree as ET
work, limit, here, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
sys.path.insert(0, here)
from engine_plugin import load_exclusions
exclusions = {"stock": load_exclusions(os.path.join(here, "engine_exclusions.txt")),
              "ippc": load_exclusions(os.path.join(here, "engine_exclusions.txt") + ":" +
                                      os.path.join(here, "exclusions.txt"))}
total = {"passed": 0, "failed": 0}
failures, excluded = [], {}
print("%-6s %-20s %6s %6s %8s %7s %7s" % ("mode", "suite", "passed", "failed", "excluded", "skipped", "seconds"))
for run in runs:
    mode, suite = run.split("-", 1)
    read = lambda ext: open(os.path.join(work, run + ext)).read().strip()
    seconds = float(read(".end")) - float(read(".start"))
    rc = int(read(".rc"))
    n = {"passed": 0, "failed": 0, "excluded": 0, "skipped": 0}
    xml = os.path.join(work, run + ".xml")
    if os.path.exists(xml):
        for case in ET.parse(xml).getroot().iter("testcase"):
            name = "%s.py::%s::%s" % (suite, case.get("classname", "").split(".")[-1], case.get("name"))
            bad = case.find("failure") if case.find("failure") is not None else case.find("error")
            skipped = case.find("skipped")
            if bad is not None:
                n["failed"] += 1
                failures.append((mode, name, (bad.get("message") or "").split("\n")[0][:300]))
            elif skipped is not None and name in exclusions[mode]:
                n["excluded"] += 1
                excluded[(mode, name)] = exclusions[mode][name]
            elif skipped is not None:
                n["skipped"] += 1
            else:
                n["passed"] += 1
    if rc in (124, 137) or not os.path.exists(xml):
        n["failed"] += 1
        failures.append((mode, suite, "timed out after %d s" % limit if rc in (124, 137) else "pytest exit %d" % rc))
    for k in total:
        total[k] += n[k]
    print("%-6s %-20s %6d %6d %8d %7d %7.1f" % (mode, suite, n["passed"], n["failed"], n["excluded"], n["skipped"],
                                                seconds))
for (mode, name), why in sorted(excluded.items()):
    print("excluded [%s] %s: %s" % (mode, name, why))
for mode, name, msg in failures:
    print("FAILED [%s] %s: %s" % (mode, name, msg))
print("%d passed, %d failed" % (total["passed"], total["failed"]))
sys.exit(1 if total["failed"] else 0)
PY
status=$?
if [ $status -ne 0 ]; then
    for run in "${runs[@]}"; do
        if [ "$(cat "$work/$run.rc" 2>/dev/null)" != 0 ]; then
            echo "--- last lines of the $run log:"
            grep -v 'Warning\|make_current\|^$' "$work/$run.log" | tail -15
        fi
    done
fi
exit $status
