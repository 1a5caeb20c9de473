#!/bin/bash
# bench/direct.sh - the Direct-interface benchmark (issue 5): in one run on this machine,
#   ippc     the C client (libippc) + ippc-controller + 4 ippc-engines
#   stock    the stock Python client + ipcontroller + 4 ipengines (ipyparallel on /usr/bin/python3)
#   py/ippc  the stock Python client + ippc-controller + 4 ippc-engines
#   zmq      raw ZeroMQ two-hop ping-pong and bulk transfer (the floor)
# figure by figure, round by round, under each malloc setting; writes bench/RESULTS.md.
#
#   bench/direct.sh [--rounds N] [--malloc default,hugetlb] [--only ippc,stock,py/ippc,zmq]
#                   [--quick] [--build DIR] [--out FILE] [--keep] [--raw FILE] [--previous FILE]
#
#   --rounds N     rounds per figure (default 3)
#   --malloc LIST  malloc settings to run, each a full run with fresh clusters:
#                  default (glibc defaults) and/or hugetlb (GLIBC_TUNABLES=glibc.malloc.hugetlb=1);
#                  every process of a run gets the same setting (default: both)
#   --only LIST    the clients to run (default all four)
#   --figures LIST only these figures: apply1 applyall execute push pull async bulk1
#                  bulk64 bulk512 sc_range sc_list sc_array (default all)
#   --quick        fewer samples, 1 round, for trying the harness
#   --build DIR    the build tree to use (made with configure here if missing;
#                  default $IPPC_BENCH_BUILD or /tmp/ippc-bench-build)
#   --out FILE     the report (default bench/RESULTS.md)
#   --keep         keep the logs of the clusters and clients
#   --raw FILE     also write every sample as JSON
#   --previous FILE  an earlier report whose ippc and stock medians are listed next to the
#                  new ones (default: the --out file as it was; "none": no comparison)
# Everything runs on 127.0.0.1 in private IPython directories under a temporary
# directory; only processes this run started are stopped, by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IPPC_BENCH_BUILD:-/tmp/ippc-bench-build}
PY=/usr/bin/python3 # the python3 on PATH may be another build; stock ipyparallel runs on this one
ARGS=()
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift ;;
    --build=*) BUILD=${1#*=} ;;
    --rounds | --malloc | --only | --figures | --out | --raw | --previous) ARGS+=("$1=$2"); shift ;;
    --rounds=* | --malloc=* | --only=* | --figures=* | --out=* | --raw=* | --previous=* | --quick | --keep) ARGS+=("$1") ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "direct.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[direct $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- build
# A build tree of its own (the source tree stays unconfigured), optimised (-O2, the
# configure default).
[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
mkdir -p "$BUILD"
[ -f "$BUILD/Makefile" ] || (cd "$BUILD" && "$SRC/configure" -q)
log "building in $BUILD"
make -s -C "$BUILD/lib" >/dev/null
make -s -C "$BUILD/launcher" >/dev/null 2>&1 || true
make -s -C "$BUILD/controller" >/dev/null
make -s -C "$BUILD/engine" >/dev/null
if [ -f "$BUILD/bench/Makefile" ] && grep -q ippc-direct-client "$BUILD/bench/Makefile"; then
    make -s -C "$BUILD/bench" ippc-direct-client ippc-direct-zmq >/dev/null
else # not wired into bench/Makefile.am yet: the same flags by hand
    mkdir -p "$BUILD/bench"
    flags=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
    # shellcheck disable=SC2046
    gcc "${flags[@]}" -I"$SRC/lib" -o "$BUILD/bench/ippc-direct-client" "$SRC/bench/direct_client.c" "$SRC/bench/cmdloop.c" \
        -L"$BUILD/lib/.libs" -lippc -Wl,-rpath,"$BUILD/lib/.libs"
    # shellcheck disable=SC2046
    gcc "${flags[@]}" $(pkg-config --cflags libzmq) -o "$BUILD/bench/ippc-direct-zmq" \
        "$SRC/bench/direct_zmq.c" "$SRC/bench/cmdloop.c" $(pkg-config --libs libzmq)
fi
for p in controller/ippc-controller engine/ippc-engine bench/ippc-direct-client bench/ippc-direct-zmq; do
    [ -x "$BUILD/$p" ] || { echo "direct.sh: no $BUILD/$p" >&2; exit 1; }
done
"$PY" -c 'import ipyparallel, numpy' || { echo "direct.sh: $PY cannot import ipyparallel and numpy" >&2; exit 1; }
command -v ipcontroller >/dev/null || { echo "direct.sh: no ipcontroller (apt-get install python3-ipyparallel)" >&2; exit 1; }

exec "$PY" "$SRC/bench/direct_run.py" --build="$BUILD" --src="$SRC" --python="$PY" \
    --out="$SRC/bench/RESULTS.md" "${ARGS[@]}"
