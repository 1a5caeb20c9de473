#!/usr/bin/env bash
# tutorial.sh - the main job: build ippc, start a local cluster of four engines with
# ippctl, run the Direct tutorial on it (doc/tutorial.md: every C example program, then
# the same kind of steps with ippctl px/push/pull/scatter/gather/apply), print what they
# print, and stop the cluster. Exit 0 when every step gave the tutorial's results.
#
# The cluster lives in a private IPYTHONDIR (a temporary directory, removed at the end),
# so nothing under ~/.ipython is touched; set TUTORIAL_IPYTHONDIR to keep one.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD_DIR:-$top/_build}
if [ ! -x "$build/config.status" ]; then
    ./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; exit 1; }
    mkdir -p "$build"
    (cd "$build" && "$top/configure" -q) || exit 1
fi
make -s -C "$build" -j"$(nproc)" >/dev/null || { echo "the build failed"; exit 1; }
make -s -C "$build/doc/examples" -j"$(nproc)" check TESTS= >/dev/null || { echo "building the examples failed"; exit 1; }

ippctl=$build/cli/ippctl
examples=$build/doc/examples
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ippc-tutorial.XXXXXX")
export IPYTHONDIR=${TUTORIAL_IPYTHONDIR:-$tmp/ipython}
stop_cluster() {
    "$ippctl" stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap stop_cluster EXIT
trap 'exit 1' INT TERM

status=0
step() { # title, command...: run it, show its output, remember a failure
    local title=$1; shift
    echo
    echo "\$ $title"
    "$@" || { echo "!! failed: $title"; status=1; }
}

echo "== ippc $("$ippctl" --version | awk '{print $NF}'): the Direct tutorial on a local cluster"
echo "   (IPYTHONDIR=$IPYTHONDIR)"
step "ippctl start -n 4 --daemonize --wait" \
    "$ippctl" start -n 4 --daemonize --wait --set engines.shell=plain || exit 1
step "ippctl status" "$ippctl" status
# remote_function checks that functions ran in the engines' processes.
IPPC_ENGINE_PIDS=$("$ippctl" status --json | /usr/bin/python3 -c \
    'import json, sys; print(" ".join(str(e["pid"]) for e in json.load(sys.stdin)["engines"]))')
export IPPC_ENGINE_PIDS

for ex in connect parallel_map blocking async_results targets push_pull dict_interface \
    scatter_gather signal_engines remote_function parallel_function list_comprehension \
    remote_imports exceptions; do
    step "doc/examples/$ex" timeout -k 5 120 "$examples/$ex"
done

step "ippctl px 'import os; print(os.getpid())'" "$ippctl" px 'import os; print(os.getpid())'
step "ippctl push a=5 b='hi'" "$ippctl" push a=5 "b='hi'"
step "ippctl px 'a * 2'" "$ippctl" px 'a * 2'
step "ippctl pull a b --targets 0" "$ippctl" pull a b --targets 0
step "ippctl scatter seq 'range(16)'" "$ippctl" scatter seq 'range(16)'
step "ippctl px 'squares = [i ** 2 for i in seq]'" "$ippctl" px 'squares = [i ** 2 for i in seq]'
step "ippctl gather squares" "$ippctl" gather squares
step "ippctl apply 'lambda n: sum(range(n))' 100" "$ippctl" apply 'lambda n: sum(range(n))' 100
echo
echo "\$ ippctl px '1/0'   (an error on every engine, shown like the stock client)"
if "$ippctl" px '1/0'; then
    echo "!! failed: 1/0 did not fail"; status=1
fi
step "ippctl stop" "$ippctl" stop
echo
[ $status -eq 0 ] && echo "== the tutorial ran: every step gave its expected result" ||
    echo "== the tutorial FAILED (see the '!!' lines above)"
exit $status
