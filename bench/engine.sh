#!/bin/bash
# bench/engine.sh - the engine benchmark (issue 4): ippc-engine (--shell=plain and
# --shell=ipython) against the stock ipengine in the same run: idle RSS of the process
# tree, start → registered (ippc-controller and stock ipcontroller), apply round trip with
# the stock Python client through the stock ipcontroller. Writes bench/RESULTS-engine.md.
#
#   bench/engine.sh [--starts N] [--applies N] [--only starts,apply] [--quick] [--keep]
#                   [--build DIR] [--out FILE]
#
#   --starts N    starts per engine and controller (default 10)
#   --applies N   apply round trips per engine (default 500, a multiple of 50)
#   --quick       2 starts, 100 round trips: for trying the harness
#   --keep        keep the logs (the driver prints where)
#   --build DIR   the build tree (configured here if missing; default $IPPC_BENCH_BUILD
#                 or /tmp/ippc-bench-build)
#   --out FILE    the report (default bench/RESULTS-engine.md)
# Everything runs on 127.0.0.1 in private IPython directories; only processes this run
# started are stopped, by pid. See engine_run.py for what each figure is.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IPPC_BENCH_BUILD:-/tmp/ippc-bench-build}
PY=/usr/bin/python3 # the python3 on PATH may be another build; stock ipyparallel runs on this one
OUT=$SRC/bench/RESULTS-engine.md
ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift ;;
    --build=*) BUILD=${1#*=} ;;
    --out) OUT=$2; shift ;;
    --out=*) OUT=${1#*=} ;;
    --starts | --applies | --only) ARGS+=("$1=$2"); shift ;;
    --starts=* | --applies=* | --only=* | --quick | --keep) ARGS+=("$1") ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "engine.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# A build tree of its own (the source tree stays unconfigured), optimised (-O2, the
# configure default).
[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
mkdir -p "$BUILD"
[ -f "$BUILD/Makefile" ] || (cd "$BUILD" && "$SRC/configure" -q)
echo "[engine] building in $BUILD" >&2
for d in lib controller engine; do make -s -C "$BUILD/$d" >/dev/null; done
for p in controller/ippc-controller engine/ippc-engine; do
    [ -x "$BUILD/$p" ] || { echo "engine.sh: no $BUILD/$p" >&2; exit 1; }
done
"$PY" -c 'import ipyparallel, IPython, zmq' || { echo "engine.sh: $PY cannot import ipyparallel, IPython and zmq" >&2; exit 1; }

exec "$PY" "$SRC/bench/engine_run.py" --build="$BUILD" --python="$PY" --out="$OUT" "${ARGS[@]}"
