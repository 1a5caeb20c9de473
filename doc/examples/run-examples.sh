#!/usr/bin/env bash
# run-examples.sh - run the tutorial's example programs (doc/tutorial.md) against a
# live cluster: ippc-controller and 4 ippc-engines on 127.0.0.1, in a private
# IPYTHONDIR that is removed afterwards. Every example compares its results with the
# seed tutorial's and exits non-zero when they differ.
#
#   make check                      (runs this as the examples' test)
#   top_builddir=BUILD doc/examples/run-examples.sh [EXAMPLE...]
#   IPPC_EXAMPLES_CONTROLLER=/usr/bin/ipcontroller top_builddir=BUILD doc/examples/run-examples.sh
#                                   (the same against the stock controller)
#
# Only the processes started here (and what they forked) are stopped, by pid. Exit 77
# (skip) when the build has no controller or engine, or the engine cannot run.
set -u
: "${top_builddir:?set top_builddir to the build directory (make check does)}"
examples_dir=${examples_dir:-$top_builddir/doc/examples}
controller=${IPPC_EXAMPLES_CONTROLLER:-$top_builddir/controller/ippc-controller}
engine=$top_builddir/engine/ippc-engine

# In the order of the tutorial.
all_examples="connect parallel_map blocking async_results targets push_pull dict_interface
  scatter_gather signal_engines remote_function parallel_function list_comprehension
  remote_imports exceptions"
examples=${*:-$all_examples}

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "$controller" ] || skip "no $controller in this build"
[ -x "$engine" ] || skip "no $engine in this build"
"$engine" --version >/dev/null 2>&1 || skip "ippc-engine does not run"
"$controller" --version >/dev/null 2>&1 || skip "ippc-controller does not run"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ippc-examples.XXXXXX")
PIDS=()
# Pids of a process's descendants (the stock controller forks its schedulers).
descendants() {
    local f c
    for f in /proc/"$1"/task/*/children; do
        for c in $(cat "$f" 2>/dev/null); do echo "$c"; descendants "$c"; done
    done
}
# A process's start time, to make sure a pid still names the process we started.
started_at() { cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null; }
cleanup() {
    local p
    local -A birth=()
    for p in "${PIDS[@]}"; do PIDS+=($(descendants "$p")); done
    for p in "${PIDS[@]}"; do birth[$p]=$(started_at "$p"); done
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if [ -n "${birth[$p]}" ] && [ "$(started_at "$p")" = "${birth[$p]}" ]; then
            kill -9 "$p" 2>/dev/null
        fi
    done
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export IPYTHONDIR=$TMP/ipython
profile_dir=$IPYTHONDIR/profile_default
mkdir -p "$profile_dir"
cf=$profile_dir/security/ipcontroller-client.json
ef=$profile_dir/security/ipcontroller-engine.json

"$controller" --profile-dir="$profile_dir" --ip=127.0.0.1 --ping=500 > "$TMP/controller.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do [ -s "$cf" ] && [ -s "$ef" ] && break; sleep 0.1; done
if [ ! -s "$cf" ] || [ ! -s "$ef" ]; then
    echo "the controller wrote no $cf within 30 s:"; cat "$TMP/controller.log"
    echo "0 passed, 1 failed"
    exit 1
fi
# The plain shell: the examples need nothing of IPython, and four engines importing it
# at once take many seconds on two cores. Tracebacks without color escapes, as the seed
# shows them.
engine_pids=()
for i in 1 2 3 4; do
    "$engine" --profile-dir="$profile_dir" --shell=plain --InteractiveShell.colors=NoColor > "$TMP/engine.$i.log" 2>&1 &
    PIDS+=($!)
    engine_pids+=($!)
done
export IPPC_CONNECTION_FILE=$cf
export IPPC_ENGINE_PIDS="${engine_pids[*]}"   # remote_function checks getpid() against these

passed=0
failed=0
for ex in $examples; do
    prog=$examples_dir/$ex
    echo "=== $ex"
    start=$(date +%s.%N)
    if [ ! -x "$prog" ]; then
        echo "no program $prog"
        rc=1
    else
        timeout -k 5 120 "$prog" "$cf"
        rc=$?
    fi
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS: $ex (${secs} s)"
    else
        failed=$((failed + 1)); echo "FAIL: $ex (exit $rc, ${secs} s)"
    fi
done
if [ "$failed" -gt 0 ]; then
    for f in "$TMP"/controller.log "$TMP"/engine.*.log; do
        echo "--- $(basename "$f") (last 20 lines)"; tail -n 20 "$f"
    done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
