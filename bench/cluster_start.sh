#!/bin/bash
# bench/cluster_start.sh - starting and stopping a local cluster of N engines (issue 6):
# `ippctl start -n N --daemonize --wait` / `ippctl stop` side by side with
# `ipcluster start -n N --daemonize` (+ waiting until N engines are registered) /
# `ipcluster stop`.
#
#   bench/cluster_start.sh [--rounds R] [--engines N] [--build DIR] [--out FILE] [--only ...]
#
# Each round starts every variant once, in a rotating order, in a private IPYTHONDIR
# under a temp dir:
#   ippctl-plain  ippctl start, engines with --set engines.shell=plain (no IPython import)
#   ippctl-auto   ippctl start with the default profile (shell auto: IPython's shell;
#                 the engines forked from one zygote that imported IPython once)
#   ippctl-auto-nozygote  the same with --set engines.zygote=false (every engine
#                 imports IPython itself)
#   ipcluster     ipcluster start --daemonize, then ippc-clienttool waits for the N
#                 registrations (a C client: no Python start-up in the measurement)
# "start" runs from the command until N engines are registered, "stop" is the stop
# command until it returns (both then check by pid that nothing is left). Figures are
# the median [min-max] over the rounds, written as Markdown to --out (default
# bench/RESULTS-cluster.md) with the machine's load average, and printed. Whatever a
# round leaves running is killed by pid on exit (the pids its cluster file records).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IPPC_BENCH_BUILD:-/tmp/ippc-bench-build}
OUT=$SRC/bench/RESULTS-cluster.md
ROUNDS=5
ENGINES=16
ONLY="ippctl-plain ippctl-auto ippctl-auto-nozygote ipcluster"
PY=/usr/bin/python3

while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --rounds=*) ROUNDS=${1#*=} ;;
    --engines) ENGINES=$2; shift ;;
    --engines=*) ENGINES=${1#*=} ;;
    --build=*) BUILD=${1#*=} ;;
    --out=*) OUT=${1#*=} ;;
    --only=*) ONLY=${1#*=}; ONLY=${ONLY//,/ } ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "cluster_start.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- build
[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
mkdir -p "$BUILD"
[ -f "$BUILD/Makefile" ] || (cd "$BUILD" && "$SRC/configure" -q)
make -s -C "$BUILD" >/dev/null
make -s -C "$BUILD/tests" tools/ippc-clienttool >/dev/null
IPPCTL=$BUILD/cli/ippctl
WAITER=$BUILD/tests/tools/ippc-clienttool
IPCLUSTER=$(command -v ipcluster || true)
case " $ONLY " in *" ipcluster "*) [ -n "$IPCLUSTER" ] || { echo "no ipcluster on PATH (python3-ipyparallel)" >&2; exit 1; } ;; esac

WORK=$(mktemp -d /tmp/ippc-bench-cluster.XXXXXX)
export IPYTHONDIR=$WORK/ipython
PD=$IPYTHONDIR/profile_default
mkdir -p "$PD"

now() { date +%s.%N; }
# The pids a cluster file records.
recorded_pids() {
    [ -f "$1" ] || return 0
    "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = (d.get("controller") or {}).get("state") or {}
print(st.get("pid", -1))
for s in d.get("engines", {}).get("sets", {}).values():
    for e in s.get("engines", {}).values():
        print(e.get("pid", -1))' "$1" | awk '$1 > 0'
}
# Whether pid runs (a zombie does not: PID 1 here reaps orphans only now and then).
running() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ]
}
# Pids of processes whose command line names our IPYTHONDIR (stock schedulers included).
ours() {
    local d
    for d in /proc/[0-9]*; do
        [ "${d#/proc/}" = $$ ] && continue
        { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null | grep -q "$WORK" && echo "${d#/proc/}"
    done
    return 0
}
kill_leftovers() {
    local p
    for p in $(ours); do kill -KILL "$p" 2>/dev/null || true; done
}
cleanup() {
    kill_leftovers
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_one VARIANT: one start and stop; appends "start S" and "stop S" to $WORK/VARIANT.
run_one() {
    local v=$1 t0 t1 t2 cf=$PD/security/cluster-.json
    rm -rf "$PD/security" "$PD/log"
    t0=$(now)
    # (set -e does not apply inside a function called from `if`: every status is checked)
    case $v in
    ippctl-plain) "$IPPCTL" start -n "$ENGINES" --daemonize --wait --set engines.shell=plain 2>"$WORK/err" || return 1 ;;
    ippctl-auto) "$IPPCTL" start -n "$ENGINES" --daemonize --wait 2>"$WORK/err" || return 1 ;;
    ippctl-auto-nozygote)
        "$IPPCTL" start -n "$ENGINES" --daemonize --wait --set engines.zygote=false 2>"$WORK/err" || return 1 ;;
    ipcluster)
        "$PY" "$IPCLUSTER" start -n "$ENGINES" --daemonize >"$WORK/err" 2>&1
        "$WAITER" -p "$PD" -t 300 wait "$ENGINES" 300 >>"$WORK/err" 2>&1
        grep -q "^ERR" "$WORK/err" && return 1
        ;;
    esac
    t1=$(now)
    local pids
    pids=$(recorded_pids "$cf")
    case $v in
    ippctl-*) "$IPPCTL" stop 2>>"$WORK/err" || return 1 ;;
    ipcluster) "$PY" "$IPCLUSTER" stop >>"$WORK/err" 2>&1 ;;
    esac
    t2=$(now)
    local left="" p
    for p in $pids; do running "$p" && left="$left $p"; done
    [ -z "$left" ] || { log "$v: still running after stop:$left"; return 1; }
    echo "start $(echo "$t1 - $t0" | bc)" >>"$WORK/$v"
    echo "stop $(echo "$t2 - $t1" | bc)" >>"$WORK/$v"
    # Before the next round: every process of this one gone (a stock process ending late
    # would remove the connection files the next controller writes under the same names).
    local i
    for i in $(seq 300); do [ -z "$(ours)" ] && break; sleep 0.1; done
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
set -- $ONLY
for r in $(seq "$ROUNDS"); do
    for v in "$@"; do
        log "round $r: $v"
        if ! run_one "$v"; then
            log "$v failed:"; sed 's/^/    /' "$WORK/err" >&2
            kill_leftovers
        fi
    done
    set -- "${@:2}" "$1" # rotate which variant goes first
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# median [min-max] of the values of one kind in a file
stats() {
    grep "^$2 " "$1" 2>/dev/null | cut -d' ' -f2 | sort -n | awk '
        { v[NR] = $1 }
        END { if (NR == 0) { print "-"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.2f s [%.2f-%.2f] (n=%d)", m, v[1], v[NR], NR }'
}
median() {
    grep "^$2 " "$1" 2>/dev/null | cut -d' ' -f2 | sort -n | awk '
        { v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
    echo "# Cluster start and stop: ippctl vs ipcluster"
    echo
    echo "\`bench/cluster_start.sh --rounds=$ROUNDS --engines=$ENGINES\`, $(date -u +%Y-%m-%d), $(nproc) cores"
    echo "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $LOAD_BEFORE before"
    echo "and $LOAD_AFTER after: the machine is shared with other work, so the figures are noisy."
    echo "Start: from the command until $ENGINES engines are registered; stop: the stop command."
    echo "Median [min-max] over the rounds."
    echo
    echo "| variant | start | stop |"
    echo "|---|---|---|"
    for v in $ONLY; do
        echo "| $v | $(stats "$WORK/$v" start) | $(stats "$WORK/$v" stop) |"
    done
    stock=$(median "$WORK/ipcluster" start)
    if [ -n "$stock" ]; then
        echo
        for v in ippctl-plain ippctl-auto ippctl-auto-nozygote; do
            m=$(median "$WORK/$v" start)
            [ -n "$m" ] && echo "- $v starts $(echo "scale=1; $stock / $m" | bc)x faster than ipcluster (medians)."
        done
    fi
} >"$OUT"
cat "$OUT"
