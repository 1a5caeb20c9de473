#!/bin/bash
# bench/slurm.sh - the Slurm launch benchmark (issue 7), on the private Slurm of
# tests/slurm/slurm_lib.sh (munge, slurmctld and 4 slurmd on 127.0.0.1, run as root):
# the time from the start command to N engines registered, and to everything stopped,
# for
#   ippc slurm   `ippctl start -p <slurm> -n N --daemonize --wait` (one sbatch job:
#                controller in the batch step, engines as an srun step), `ippctl stop`
#   ippc pmix    `ippctl start -p <pmix> -n N --daemonize --wait` (controller here,
#                engines as one srun --mpi=pmix step, ids = ranks), `ippctl stop`
#   stock slurm  ipp.Cluster(controller_launcher_class="slurm",
#                engine_launcher_class="slurm", n=N): the stock
#                SlurmControllerLauncher and SlurmEngineSetLauncher (two jobs: ipcontroller,
#                then srun of ipengine), start_cluster, a Client on the connection file
#                (Cluster.connect_client_sync fails with these launchers in ipyparallel
#                8.x), wait_for_engines, stop_cluster
# in the same run, alternating which goes first. Engines run their default shell
# (IPython, as the stock ipengine). Writes bench/RESULTS-slurm.md.
#
#   bench/slurm.sh [--rounds N] [--n N] [--build DIR] [--out FILE] [--only a,b]
#
#   --rounds N   starts of each (default 3)
#   --n N        engines (default 16)
#   --build DIR  the build tree (configured here if missing; default $IPPC_BENCH_BUILD
#                or /tmp/ippc-bench-build); IPPC_ENGINE may name another ippc-engine
#   --only LIST  of ippc-slurm, ippc-pmix, stock-slurm
# Each node gets 8 CPUs (SL_CPUS), so that the stock controller's job and the N engines'
# job fit side by side for N <= 28.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IPPC_BENCH_BUILD:-/tmp/ippc-bench-build}
OUT=$SRC/bench/RESULTS-slurm.md
ROUNDS=3
N=16
ONLY=ippc-slurm,ippc-pmix,stock-slurm
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --n) N=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "slurm.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
PY=/usr/bin/python3 # stock ipyparallel is installed for this one

[ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh > /dev/null)
mkdir -p "$BUILD"
[ -f "$BUILD/Makefile" ] || (cd "$BUILD" && "$SRC/configure" -q)
echo "[slurm] building in $BUILD" >&2
for d in lib launcher controller engine cli; do make -s -C "$BUILD/$d" > /dev/null || exit 1; done

export top_srcdir=$SRC top_builddir=$BUILD PYTHON3=$PY SL_CPUS=8
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/slurm/slurm_lib.sh"
slurm_start || exit 1
export IPYTHONDIR=$TMP/ipython
IPPCTL=$BUILD/cli/ippctl
engine=${IPPC_ENGINE:-$BUILD/engine/ippc-engine}
if [[ ,$ONLY, == *,ippc-pmix,* ]] && ! "$engine" --help 2>&1 | grep -q -- --pmix; then
    echo "[slurm] $engine has no --pmix: the pmix row is left out" >&2
    ONLY=${ONLY//ippc-pmix/}
fi

for base in slurm pmix; do
    mkdir -p "$IPYTHONDIR/profile_b$base"
    printf 'inherit: %s\ncontroller:\n  ip: 127.0.0.1\nslurm:\n  partition: debug\n  time: "00:20:00"\n' "$base" \
        > "$IPYTHONDIR/profile_b$base/ippc.yaml"
done

RES=$TMP/results
: > "$RES"
# record WHAT START STOP: one result line.
record() { echo "$1 $2 $3" >> "$RES"; echo "[slurm] $1: start ${2}s, stop ${3}s" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# Wait until Slurm has no job left (a stop may return before its job has ended).
settle() { for _ in $(seq 300); do [ -z "$(squeue -h -o %i)" ] && return; sleep 0.2; done; }

run_ippc() {
    local what=$1 prof=$2 t0 start stop
    t0=$(now)
    if ! "$IPPCTL" start -p "$prof" -n "$N" --daemonize --wait --timeout 600 > "$TMP/$what.out" 2> "$TMP/$what.err"; then
        echo "[slurm] $what failed:" >&2
        cat "$TMP/$what.err" >&2
        "$IPPCTL" stop -p "$prof" > /dev/null 2>&1
        settle
        return
    fi
    start=$(since "$t0")
    t0=$(now)
    "$IPPCTL" stop -p "$prof" > /dev/null 2>&1
    settle
    stop=$(since "$t0")
    record "$what" "$start" "$stop"
}

run_stock() {
    local pd=$IPYTHONDIR/profile_stock line
    mkdir -p "$pd"
    line=$(timeout 900 "$PY" - "$pd" "$N" 2> "$TMP/stock.err" <<'PY'
import os, sys, time
import ipyparallel as ipp
from traitlets.config import Config
pd, n = sys.argv[1], int(sys.argv[2])
cfg = Config()
cfg.SlurmLauncher.queue = "debug"
cfg.SlurmLauncher.timelimit = "00:20:00"
t0 = time.monotonic()
c = ipp.Cluster(profile_dir=pd, n=n, controller_launcher_class="slurm", engine_launcher_class="slurm",
                controller_ip="127.0.0.1", config=cfg)
c.start_cluster_sync()
# Cluster.connect_client_sync() fails with the batch launchers of this ipyparallel
# (SlurmControllerLauncher has no poll()): wait for the connection file as it would.
f = os.path.join(pd, "security", f"ipcontroller-{c.cluster_id}-client.json")
while not os.path.exists(f) or not os.path.getsize(f):
    time.sleep(0.05)
client = ipp.Client(f)
client.wait_for_engines(n, timeout=600)
t1 = time.monotonic()
client.close()
stop = time.time()
c.stop_cluster_sync()
print(f"{t1 - t0:.2f} {stop:.3f}")
PY
)
    settle # the stop is timed to the end of the jobs, as for ippc
    if [[ $line =~ ^[0-9.]+\ [0-9.]+$ ]]; then
        record stock-slurm "${line% *}" "$(since "${line#* }")"
    else
        echo "[slurm] stock-slurm failed: $(tail -5 "$TMP/stock.err")" >&2
        scancel $(squeue -h -o %i) 2> /dev/null
        settle
    fi
}

order=(ippc-slurm ippc-pmix stock-slurm)
for ((r = 1; r <= ROUNDS; r++)); do
    echo "[slurm] round $r of $ROUNDS (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    # Alternate who goes first: the page cache and the load favour the later ones.
    ((r % 2 == 0)) && order=(stock-slurm ippc-pmix ippc-slurm) || order=(ippc-slurm ippc-pmix stock-slurm)
    for what in "${order[@]}"; do
        [[ ,$ONLY, == *,$what,* ]] || continue
        case $what in
        ippc-slurm) run_ippc ippc-slurm bslurm ;;
        ippc-pmix) run_ippc ippc-pmix bpmix ;;
        stock-slurm) run_stock ;;
        esac
    done
done

{
    echo "# Slurm launch benchmark (bench/slurm.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'): $N engines, $ROUNDS rounds, on the private Slurm of"
    echo "tests/slurm (4 nodes x 8 CPUs declared, all on this host: $(nproc) cores, shared with other"
    echo "work; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)). Engines run IPython"
    echo "shells, as the stock ipengine does. Seconds from the start command to $N engines"
    echo "registered, and from the stop command to no job left in squeue."
    echo
    echo "| launch | start → $N registered: median (min–max) | stop → no job: median (min–max) | runs |"
    echo "|---|---|---|---|"
    for what in ippc-slurm ippc-pmix stock-slurm; do
        grep "^$what " "$RES" | "$PY" -c '
import statistics, sys
rows = [l.split() for l in sys.stdin if l.strip()]
if not rows:
    sys.exit()
s = [float(r[1]) for r in rows]; t = [float(r[2]) for r in rows]
what = {"ippc-slurm": "ippc `slurm` (one sbatch job)", "ippc-pmix": "ippc `pmix` (srun --mpi=pmix)",
        "stock-slurm": "stock Slurm launchers (2 jobs)"}[rows[0][0]]
f = lambda v: f"{statistics.median(v):.2f} ({min(v):.2f}–{max(v):.2f})"
print(f"| {what} | {f(s)} | {f(t)} | {len(rows)} |")'
    done
    cat <<'TXT'

Reading: the start is mostly the 16 engines' own start-up (CPython and IPython
imports) on 2 cores that other work shares, so the spread is wide; ippc's slurm launch
needs one job where the stock launchers queue two (ipcontroller, then, after the
Cluster's 1 s delay, the engines' srun) that the scheduler places one after the other. The pmix launch starts
its step at once (the controller runs on this host) and its stop is a SIGTERM that srun
passes to the engines, which exit without finalizing Python; the batch launches wait
for Slurm to end the job (SIGTERM to every process of the job, the epilog, the node
reporting back).
TXT
} > "$OUT"
cat "$OUT"
