#!/usr/bin/env bash
# run_compat.sh - the stock ipyparallel test suite (python3-ipyparallel) against ippc's
# controller and/or engine.
#
#   run_compat.sh [ctl=ippc|stock eng=ippc|stock]...
#
# Each ctl=/eng= pair names one configuration: ctl=ippc eng=stock (ippc-controller with
# the stock ipengine), ctl=stock eng=ippc (ippc-engine with the stock ipcontroller),
# ctl=ippc eng=ippc. Without arguments, all three. A configuration whose ippc program is
# not built is left out with a note (exit 77, skip, when none is left).
#
# Each suite of each configuration runs in its own pytest under `timeout` (which leads a
# process group holding everything the suite starts, killed when it ends), at most
# IPPC_COMPAT_JOBS at a time, in a private temporary directory (nothing is written into
# the source tree). The tests listed in exclusions.txt for a configuration are reported as
# excluded with their reason. With ippc-controller, its log goes to a file that is checked
# for sanitizer reports. Prints a line per configuration and suite with counts and seconds,
# the exclusions and failures, then `N passed, N failed` alone on a line. Exit 0 when
# nothing failed.
#
# Environment: IPPC_CONTROLLER (default $top_builddir/controller/ippc-controller),
# IPPC_ENGINE ($top_builddir/engine/ippc-engine), IPPC_COMPAT_SUITES (the six suites below),
# IPPC_COMPAT_JOBS (suites at a time, 2), IPPC_COMPAT_TIMEOUT (seconds per suite, 300),
# IPPC_COMPAT_KEEP=1 keeps the work directory (logs, junit XML) for inspection.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$here/../.." && pwd)}"
: "${PYTHON3:=/usr/bin/python3}"
ippc_controller=${IPPC_CONTROLLER:-$top_builddir/controller/ippc-controller}
ippc_engine=${IPPC_ENGINE:-$top_builddir/engine/ippc-engine}
suites=${IPPC_COMPAT_SUITES:-"test_client test_view test_asyncresult test_magics test_remotefunction test_dependency"}
jobs=${IPPC_COMPAT_JOBS:-2}
limit=${IPPC_COMPAT_TIMEOUT:-300}
exclusions=$here/exclusions.txt

skip() { echo "SKIP: $*" >&2; exit 77; }
usage() { echo "usage: $0 [ctl=ippc|stock eng=ippc|stock]..." >&2; exit 2; }

# The configurations, as "CTL-ENG" words.
[ $# -gt 0 ] || set -- ctl=ippc eng=stock ctl=stock eng=ippc ctl=ippc eng=ippc
configs=() ctl= eng=
for arg; do
    case $arg in
        ctl=ippc|ctl=stock) [ -z "$ctl" ] || usage; ctl=${arg#ctl=} ;;
        eng=ippc|eng=stock) [ -z "$eng" ] || usage; eng=${arg#eng=} ;;
        *) usage ;;
    esac
    if [ -n "$ctl" ] && [ -n "$eng" ]; then configs+=("$ctl-$eng"); ctl= eng=; fi
done
[ -z "$ctl$eng" ] || usage

"$PYTHON3" -c 'import ipyparallel, pytest' 2>/dev/null \
    || skip "$PYTHON3 cannot import ipyparallel and pytest (apt-get install python3-ipyparallel python3-pytest)"
testdir=$("$PYTHON3" -c 'import ipyparallel, os; print(os.path.join(os.path.dirname(ipyparallel.__file__), "tests"))')
[ -d "$testdir" ] || skip "the stock test suite is not installed ($testdir)"
for s in $suites; do
    [ -f "$testdir/$s.py" ] || { echo "no such suite: $testdir/$s.py" >&2; exit 1; }
done

# Leave out the configurations whose ippc programs are not built.
runnable=() missing=
for c in "${configs[@]}"; do
    why=
    [ "${c%-*}" = ippc ] && [ ! -x "${ippc_controller%% *}" ] && why="no controller at $ippc_controller"
    [ "${c#*-}" = ippc ] && [ ! -x "${ippc_engine%% *}" ] && why="${why:+$why, }no engine at $ippc_engine"
    if [ -n "$why" ]; then
        echo "note: leaving out ctl=${c%-*} eng=${c#*-}: $why (build it first)"
        missing="${missing:+$missing; }$why"
    else
        runnable+=("$c")
    fi
done
[ ${#runnable[@]} -gt 0 ] || skip "${missing:-no configuration to run} (build it first)"

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

# run_suite CTL-ENG SUITE: one pytest in the background; results in $work/CTL-ENG-SUITE.*
run_suite() {
    local c=$1 s=$2 id=$1-$2 dir=$work/$1-$2
    mkdir -p "$dir/tmp" "$dir/home"
    (
        cd "$dir" || exit 1
        export TMPDIR=$dir/tmp HOME=$dir/home IPYTHONDIR=$dir/home/.ipython
        export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH}
        export IPPC_COMPAT_CONFIG="ctl=${c%-*} eng=${c#*-}" IPPC_COMPAT_EXCLUSIONS=$exclusions
        # the plugin puts our programs in place of the stock ones; unset keeps the stock one
        unset IPPC_CONTROLLER IPPC_CONTROLLER_LOG IPPC_ENGINE
        if [ "${c%-*}" = ippc ]; then
            export IPPC_CONTROLLER=$ippc_controller IPPC_CONTROLLER_LOG=$work/$id.controller.log
        fi
        [ "${c#*-}" = ippc ] && export IPPC_ENGINE=$ippc_engine
        date +%s.%N > "$work/$id.start"
        # timeout makes itself the leader of a new process group: its pid names the
        # group of every process the suite starts (controller, engines, nannies)
        timeout -k 10 "$limit" "$PYTHON3" -m pytest -p compat_plugin -p no:cacheprovider -q -rfE \
            --junitxml="$work/$id.xml" "$testdir/$s.py" > "$work/$id.log" 2>&1 &
        echo $! > "$work/$id.pgid"
        wait $!
        echo $? > "$work/$id.rc"
        date +%s.%N > "$work/$id.end"
        kill -KILL -- "-$(cat "$work/$id.pgid")" 2>/dev/null
    ) &
}

# Run at most $jobs suites at a time, in the order given (longest first).
running=0
runs=()
for c in "${runnable[@]}"; do
    for s in $suites; do
        if [ "$running" -ge "$jobs" ]; then
            wait -n
            running=$((running - 1))
        fi
        run_suite "$c" "$s"
        runs+=("$c-$s")
        running=$((running + 1))
    done
done
wait

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH} \
    "$PYTHON3" - "$work" "$limit" "$exclusions" "${runs[@]}" <<'PY'
import os, sys, xml.etree.ElementTree as ET
from compat_plugin import load_exclusions, excluded_reason
work, limit, exclusions_file, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
total = dict(passed=0, failed=0)
failures, excluded = [], {}
print("%-5s %-5s %-20s %6s %6s %8s %7s %7s" % ("ctl", "eng", "suite", "passed", "failed", "excluded",
                                               "skipped", "seconds"))
for run in runs:
    ctl, eng, suite = run.split("-", 2)
    config = "ctl=%s eng=%s" % (ctl, eng)
    exclusions = load_exclusions(exclusions_file, dict(ctl=ctl, eng=eng))
    def read(ext):
        with open(os.path.join(work, run + ext)) as f:
            return f.read().strip()
    seconds = float(read(".end")) - float(read(".start"))
    rc = int(read(".rc"))
    n = dict(passed=0, failed=0, excluded=0, skipped=0)
    xml = os.path.join(work, run + ".xml")
    if os.path.exists(xml):
        for case in ET.parse(xml).getroot().iter("testcase"):
            name = "%s.py::%s::%s" % (suite, case.get("classname", "").split(".")[-1], case.get("name"))
            bad = case.find("failure") if case.find("failure") is not None else case.find("error")
            reason = excluded_reason(exclusions, name)
            if bad is not None:
                n["failed"] += 1
                failures.append((config, name, (bad.get("message") or "").split("\n")[0][:300]))
            elif case.find("skipped") is not None and reason:
                n["excluded"] += 1
                excluded[(config, name)] = reason
            elif case.find("skipped") is not None:
                n["skipped"] += 1
            else:
                n["passed"] += 1
    if rc in (124, 137) or not os.path.exists(xml):
        n["failed"] += 1
        failures.append((config, suite, "timed out after %d s" % limit if rc in (124, 137)
                         else "pytest exited %d without a report" % rc))
    # a sanitizer build reports in the controller's log
    clog = os.path.join(work, run + ".controller.log")
    if os.path.exists(clog):
        with open(clog, errors="replace") as f:
            reports = [l.strip() for l in f if "Sanitizer" in l or "runtime error:" in l]
        if reports:
            n["failed"] += 1
            failures.append((config, suite, "sanitizer report in the controller log: " + reports[0][:200]))
    for k in total:
        total[k] += n[k]
    print("%-5s %-5s %-20s %6d %6d %8d %7d %7.1f" % (ctl, eng, suite, n["passed"], n["failed"],
                                                     n["excluded"], n["skipped"], seconds))
for (config, name), why in sorted(excluded.items()):
    print("excluded [%s] %s: %s" % (config, name, why))
for config, name, msg in failures:
    print("FAILED [%s] %s: %s" % (config, name, msg))
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
