#!/bin/bash
# bench/controller.sh - the controller benchmark (issue 3): stock ipcontroller and our
# ippc-controller side by side, in one run, measured by the same C load tool.
#
#   bench/controller.sh [--rounds N] [--engines N] [--hold S] [--fast-ping MS] [--quick]
#                       [--build DIR] [--out FILE] [--only stock|ippc] [--keep] [--report DIR]
#
# Each round starts a fresh controller (127.0.0.1, a private IPYTHONDIR under a temp dir)
# for each measurement, stock and ippc alternating which goes first, and stops it by
# pid. Figures are the median [min-max] over the rounds, written as a Markdown table to
# --out (default bench/RESULTS-controller.md) and printed. --keep leaves the temp dir
# (controller logs, raw results); --report DIR only rewrites the table from a kept one.
#   relay     a fake client and one registered fake engine through the mux relay:
#             ping-pong latency, then 20,000 requests with 100 in flight; also run
#             through ippc-relayfloor (two ROUTERs swapping routing ids, nothing else):
#             the most any relay process reaches on this machine
#   reg-fast  1,000 engines register at --ping=FAST_PING (stock accepts at the next beat)
#   reg-idle  1,000 engines register at the default 3 s period; then RSS, then CPU over
#             HOLD idle seconds while every engine keeps answering heartbeats
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${IPPC_BENCH_BUILD:-/tmp/ippc-bench-build}
OUT=$SRC/bench/RESULTS-controller.md
ROUNDS=3
ENGINES=1000
HOLD=60
FAST_PING=100
ONLY=""
PY=/usr/bin/python3 # the python3 on PATH may be another build; ipcontroller runs on this one

while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --rounds=*) ROUNDS=${1#*=} ;;
    --engines) ENGINES=$2; shift ;;
    --engines=*) ENGINES=${1#*=} ;;
    --hold) HOLD=$2; shift ;;
    --hold=*) HOLD=${1#*=} ;;
    --fast-ping=*) FAST_PING=${1#*=} ;;
    --build=*) BUILD=${1#*=} ;;
    --out=*) OUT=${1#*=} ;;
    --only=*) ONLY=${1#*=} ;;
    --keep) KEEP_WORK=1 ;;
    --report=*) REPORT_FROM=${1#*=} ;;
    --quick) ROUNDS=1; ENGINES=200; HOLD=10 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "controller.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- build
# A build tree of its own: the source tree stays unconfigured.
build() {
    [ -x "$SRC/configure" ] || (cd "$SRC" && ./autogen.sh >/dev/null)
    mkdir -p "$BUILD"
    [ -f "$BUILD/Makefile" ] || (cd "$BUILD" && "$SRC/configure" -q)
    make -s -C "$BUILD/lib" libippc-core.la >/dev/null
    make -s -C "$BUILD/launcher" libippc-launcher.la >/dev/null # the controller reads profiles with it
    make -s -C "$BUILD/controller" ippc-controller >/dev/null
    if [ -f "$BUILD/bench/Makefile" ]; then
        make -s -C "$BUILD/bench" ippc-loadtool ippc-relayfloor >/dev/null # only ours: `bench` builds every tool here
    else # bench/ not wired into configure yet: the same flags by hand
        mkdir -p "$BUILD/bench"
        # shellcheck disable=SC2046
        gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -I"$SRC/lib" -I"$BUILD" -o "$BUILD/bench/ippc-loadtool" \
            "$SRC"/bench/loadtool.c "$SRC"/bench/lt_*.c "$BUILD/lib/.libs/libippc-core.a" \
            $(pkg-config --libs libzmq jansson) $(pkg-config --libs libsodium 2>/dev/null || echo -lcrypto) \
            -lpthread -lm
        # shellcheck disable=SC2046
        gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -I"$SRC/lib" -I"$BUILD" -o "$BUILD/bench/ippc-relayfloor" \
            "$SRC"/bench/relay_floor.c "$BUILD/lib/.libs/libippc-core.a" \
            $(pkg-config --libs libzmq jansson) $(pkg-config --libs libsodium 2>/dev/null || echo -lcrypto) -lm
    fi
}

LOADTOOL=$BUILD/bench/ippc-loadtool
IPPC=$BUILD/controller/ippc-controller
FLOOR=$BUILD/bench/ippc-relayfloor
STOCK=$(command -v ipcontroller || true)

# ---------------------------------------------------------------- controllers
if [ -n "${REPORT_FROM:-}" ]; then
    WORK=$REPORT_FROM
    KEEP_WORK=1
else
    WORK=$(mktemp -d /tmp/ippc-bench.XXXXXX)
fi
RES=$WORK/results
mkdir -p "$RES"
CTL_PID=""
CTL_TREE="" # the controller's descendants (stock forks schedulers), to stop them too

# Pids of pid's descendants, from /proc (children are listed per forking thread).
descendants() {
    local p c
    for p in /proc/"$1"/task/*/children; do
        # shellcheck disable=SC2013 # the file is one line of numbers
        for c in $(cat "$p" 2>/dev/null); do
            echo "$c"
            descendants "$c"
        done
    done
}

stop_controller() {
    [ -n "$CTL_PID" ] || return 0
    local pids="$CTL_PID $CTL_TREE" i
    CTL_TREE="$CTL_TREE $(descendants "$CTL_PID" | tr '\n' ' ')"
    pids="$CTL_PID $CTL_TREE"
    kill -TERM "$CTL_PID" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$CTL_PID" 2>/dev/null || break
        sleep 0.1
    done
    # anything still there after 10 s (or an orphaned scheduler) is killed by its pid
    for p in $pids; do
        kill -KILL "$p" 2>/dev/null || true
    done
    wait "$CTL_PID" 2>/dev/null || true
    CTL_PID=""
    CTL_TREE=""
}

cleanup() {
    stop_controller
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_controller KIND TAG [ARGS...]: a fresh controller; sets CTL_PID and PROFILE.
start_controller() {
    local kind=$1 tag=$2
    shift 2
    local dir=$WORK/$tag
    rm -rf "$dir"
    mkdir -p "$dir/ipython"
    PROFILE=$dir/ipython/profile_default
    if [ "$kind" = stock ]; then
        IPYTHONDIR=$dir/ipython "$PY" "$STOCK" --ip=127.0.0.1 "$@" >"$dir/controller.log" 2>&1 &
    elif [ "$kind" = floor ]; then
        "$FLOOR" --profile-dir="$PROFILE" >"$dir/controller.log" 2>&1 &
    else
        IPYTHONDIR=$dir/ipython "$IPPC" --ip=127.0.0.1 "$@" >"$dir/controller.log" 2>&1 &
    fi
    CTL_PID=$!
    local i
    for i in $(seq 600); do
        if [ -f "$PROFILE/security/ipcontroller-client.json" ] && [ -f "$PROFILE/security/ipcontroller-engine.json" ]; then
            CTL_TREE=$(descendants "$CTL_PID" | tr '\n' ' ')
            return 0
        fi
        kill -0 "$CTL_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "$kind controller did not start; its log:"
    tail -20 "$dir/controller.log" >&2
    stop_controller
    return 1
}

# measure KIND TEST ROUND: one controller, one load-tool run, results into $RES.
measure() {
    local kind=$1 test=$2 round=$3 tag="$1.$2.$3"
    local ping=() tool=()
    case $test in
    relay) tool=(relay --pingpong=5000 --warmup=500 --messages=20000 --window=100)
        [ "$kind" != floor ] || tool+=(--no-register) ;;
    reg-fast) ping=(--ping="$FAST_PING"); tool=(register --engines="$ENGINES") ;;
    reg-idle) tool=(register --engines="$ENGINES" --hold="$HOLD" --sample=$((HOLD / 3))) ;;
    esac
    if ! start_controller "$kind" "$tag" "${ping[@]}"; then
        echo "result failed 1" >"$RES/$tag"
        return 0
    fi
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "$tag (load $load)"
    tool+=(--pid="$CTL_PID")
    if ! "$LOADTOOL" "${tool[@]}" --profile-dir="$PROFILE" >"$RES/$tag" 2>"$WORK/$tag.err"; then
        log "$tag: $(tail -1 "$WORK/$tag.err")"
        echo "result failed 1" >>"$RES/$tag"
    fi
    echo "result loadavg $load" >>"$RES/$tag"
    stop_controller
}

# ---------------------------------------------------------------- report
# "kind test name value" for every result line of every run.
collect() {
    local f b
    for f in "$RES"/*; do
        b=$(basename "$f")
        awk -v k="${b%%.*}" -v t="$(echo "$b" | cut -d. -f2)" '$1 == "result" { print k, t, $2, $3 }' "$f"
    done
}

# figure KIND TEST NAME [SCALE [FORMAT]]: "median [min–max]" over the rounds (values x SCALE),
# or "–" when there is none.
figure() {
    collect | awk -v k="$1" -v t="$2" -v n="$3" -v s="${4:-1}" -v fmt="${5:-%.3g}" '
        $1 == k && $2 == t && $3 == n { v[c++] = $4 * s }
        END {
            if (!c) { print "–"; exit }
            for (i = 0; i < c; i++) for (j = i + 1; j < c; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
            m = c % 2 ? v[int(c / 2)] : (v[c / 2 - 1] + v[c / 2]) / 2
            if (c == 1) printf fmt " (1 run)\n", m
            else printf fmt " [" fmt "–" fmt "]\n", m, v[0], v[c - 1]
        }'
}

# median KIND TEST NAME: the bare median, for ratios and targets.
median() {
    collect | awk -v k="$1" -v t="$2" -v n="$3" '
        $1 == k && $2 == t && $3 == n { v[c++] = $4 }
        END {
            if (!c) exit
            for (i = 0; i < c; i++) for (j = i + 1; j < c; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
            print c % 2 ? v[int(c / 2)] : (v[c / 2 - 1] + v[c / 2]) / 2
        }'
}

ratio() { # ratio A B: A/B to 2 significant digits, or "–"
    if [ -n "$1" ] && [ -n "$2" ]; then
        awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "–"; else printf(a / b >= 10 ? "%.0f×\n" : "%.2g×\n", a / b) }'
    else
        echo "–"
    fi
}

# verdict VALUE OP LIMIT: "met" / "NOT met" / "–"
verdict() {
    if [ -z "$1" ]; then echo "–"; return; fi
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        ok = (op == "<=" && v <= l) || (op == "<" && v < l) || (op == ">=" && v >= l)
        print ok ? "met" : "**NOT met**" }'
}

# runs KIND TEST NAME OP LIMIT: "k of n runs" whose NAME meets OP LIMIT (a run without
# NAME, e.g. one where not every engine registered, does not)
runs() {
    local n
    local f
    n=0
    for f in "$RES/$1.$2".*; do [ -e "$f" ] && n=$((n + 1)); done
    collect | awk -v k="$1" -v t="$2" -v nm="$3" -v op="$4" -v l="$5" -v n="$n" '
        $1 == k && $2 == t && $3 == nm && ((op == "<=" && $4 <= l) || (op == "<" && $4 < l)) { c++ }
        END { printf "%d of %d runs", c, n }'
}

# sum of the "failed" results of a kind and test: runs that did not complete
failures() { collect | awk -v k="$1" -v t="$2" '$1 == k && $2 == t && $3 == "failed" { c++ } END { print c + 0 }'; }

report() {
    local s=stock i=ippc f=floor
    local rt_s rt_i rt_f pp_s pp_i pp_f
    pp_s=$(median $s relay pipeline_rate)
    pp_i=$(median $i relay pipeline_rate)
    rt_s=$(median $s relay pingpong_rate)
    rt_i=$(median $i relay pingpong_rate)
    rt_f=$(median $f relay pingpong_rate)
    pp_f=$(median $f relay pipeline_rate)
    cat <<EOF
# Controller benchmark: stock ipcontroller vs ippc-controller

Run $WHEN on $(nproc) vCPUs ($(uname -r)); stock: python3-ipyparallel $(dpkg-query -W -f='${Version}' python3-ipyparallel 2>/dev/null || echo '?'),
ippc: $REV.
$ROUNDS round(s), each starting a fresh controller per measurement, stock and ippc alternating
which goes first; figures are **median [min–max] over the rounds**. $ENGINES engines; fast ping
$FAST_PING ms; idle CPU over $HOLD s at the default 3 s period. Load average at the start of each
run: stock $(figure $s relay loadavg 1 %.2f), ippc $(figure $i relay loadavg 1 %.2f) (relay runs).
Runs that did not complete: stock $(($(failures $s relay) + $(failures $s reg-fast) + $(failures $s reg-idle))), ippc $(($(failures $i relay) + $(failures $i reg-fast) + $(failures $i reg-idle))).

| # | figure | stock ipcontroller | ippc-controller | ippc vs stock | target |
|---|---|---|---|---|---|
| 1 | mux ping-pong latency, median (µs) | $(figure $s relay pingpong_median_us 1 %.0f) | $(figure $i relay pingpong_median_us 1 %.0f) | | |
| 1 | mux ping-pong latency, p99 (µs) | $(figure $s relay pingpong_p99_us 1 %.0f) | $(figure $i relay pingpong_p99_us 1 %.0f) | | |
| 1 | sequential round trips/s (5,000) | $(figure $s relay pingpong_rate 1 %.0f) | $(figure $i relay pingpong_rate 1 %.0f) | $(ratio "$rt_i" "$rt_s") | ≥ 20×: $(verdict "$(ratio "$rt_i" "$rt_s" | tr -d '×')" ">=" 20) |
| 1 | pipelined round trips/s (20,000, 100 in flight) | $(figure $s relay pipeline_rate 1 %.0f) | $(figure $i relay pipeline_rate 1 %.0f) | $(ratio "$pp_i" "$pp_s") | ≥ 20×: $(verdict "$(ratio "$pp_i" "$pp_s" | tr -d '×')" ">=" 20) |
| 1 | controller CPU per round trip, ping-pong (µs, all processes) | $(figure $s relay pingpong_ctl_cpu_us 1 %.0f) | $(figure $i relay pingpong_ctl_cpu_us 1 %.0f) | $(ratio "$(median $i relay pingpong_ctl_cpu_us)" "$(median $s relay pingpong_ctl_cpu_us)") | |
| 1 | controller CPU per round trip, pipelined (µs, all processes) | $(figure $s relay pipeline_ctl_cpu_us 1 %.1f) | $(figure $i relay pipeline_ctl_cpu_us 1 %.1f) | $(ratio "$(median $i relay pipeline_ctl_cpu_us)" "$(median $s relay pipeline_ctl_cpu_us)") | |
| 1 | load tool's CPU per round trip, pipelined (µs: client, engine, their libzmq threads) | $(figure $s relay pipeline_tool_cpu_us 1 %.1f) | $(figure $i relay pipeline_tool_cpu_us 1 %.1f) | | |
| 2 | register $ENGINES engines, --ping=$FAST_PING: first request → all notified (s; runs where all did) | $(figure $s reg-fast register_s 1 %.2f) | $(figure $i reg-fast register_s 1 %.2f) | | ≤ 2 s: $(runs $i reg-fast register_s "<=" 2) |
| 2 | same, first request → all registration replies (s) | $(figure $s reg-fast accept_s 1 %.2f) | $(figure $i reg-fast accept_s 1 %.2f) | | |
| 2 | register $ENGINES engines, default 3 s period (s) | $(figure $s reg-idle register_s 1 %.2f) | $(figure $i reg-idle register_s 1 %.2f) | | ≤ 2 s: $(runs $i reg-idle register_s "<=" 2) |
| 2 | engines registered / lost by the end, --ping=$FAST_PING | $(figure $s reg-fast registered 1 %.0f) / $(figure $s reg-fast engines_lost 1 %.0f) | $(figure $i reg-fast registered 1 %.0f) / $(figure $i reg-fast engines_lost 1 %.0f) | | |
| 2 | engines listed by connection_request afterwards, --ping=$FAST_PING | $(figure $s reg-fast listed 1 %.0f) | $(figure $i reg-fast listed 1 %.0f) | | |
| 3 | RSS before any engine (MiB): main process | $(figure $s reg-idle rss_main_kb_empty 0.0009765625 %.1f) | $(figure $i reg-idle rss_main_kb_empty 0.0009765625 %.1f) | | |
| 3 | RSS with $ENGINES engines (MiB): main process | $(figure $s reg-idle rss_main_kb 0.0009765625 %.1f) | $(figure $i reg-idle rss_main_kb 0.0009765625 %.1f) | | |
| 3 | RSS with $ENGINES engines (MiB): sum over all processes | $(figure $s reg-idle rss_tree_kb 0.0009765625 %.0f) | $(figure $i reg-idle rss_tree_kb 0.0009765625 %.0f) | $(ratio "$(median $i reg-idle rss_tree_kb)" "$(median $s reg-idle rss_tree_kb)") | |
| 3 | PSS with $ENGINES engines (MiB): sum over all processes | $(figure $s reg-idle pss_tree_kb 0.0009765625 %.0f) | $(figure $i reg-idle pss_tree_kb 0.0009765625 %.0f) | $(ratio "$(median $i reg-idle pss_tree_kb)" "$(median $s reg-idle pss_tree_kb)") | |
| 3 | processes counted | $(figure $s reg-idle nprocs 1 %.0f) | $(figure $i reg-idle nprocs 1 %.0f) | | |
| 4 | CPU, $ENGINES engines idle, 3 s heartbeat, all processes (% of one core over $HOLD s) | $(figure $s reg-idle cpu_tree_pct 1 %.2f) | $(figure $i reg-idle cpu_tree_pct 1 %.2f) | $(ratio "$(median $i reg-idle cpu_tree_pct)" "$(median $s reg-idle cpu_tree_pct)") | < 2 %: $(runs $i reg-idle cpu_tree_pct "<" 2) |
| 4 | same, main process only | $(figure $s reg-idle cpu_main_pct 1 %.2f) | $(figure $i reg-idle cpu_main_pct 1 %.2f) | | |
| 4 | same, per $((HOLD / 3)) s window (window medians over the rounds, all processes) | $(for w in 0 1 2; do figure $s reg-idle cpu_tree_pct_w$w 1 %.2f | sed 's/ .*//'; done | paste -sd/) | $(for w in 0 1 2; do figure $i reg-idle cpu_tree_pct_w$w 1 %.2f | sed 's/ .*//'; done | paste -sd/) | | |
| – | engines lost (unregistered) during the idle hold | $(figure $s reg-idle engines_lost 1 %.0f) | $(figure $i reg-idle engines_lost 1 %.0f) | | 0 |
| – | load tool's own CPU during fast registration (s) | $(figure $s reg-fast tool_cpu_s 1 %.2f) | $(figure $i reg-fast tool_cpu_s 1 %.2f) | | |

### The relay's ceiling on this machine

The same relay run through \`ippc-relayfloor\` (bench/relay_floor.c): two ROUTER sockets that
swap the routing ids of each message and do nothing else (no registration, heartbeat,
parsing, signature check or task record). No relay process can beat it here, so the
"floor vs stock" column is the most any controller can be faster than stock on this
machine; "ippc vs floor" is how close ippc-controller comes to it. Load average at the
start of the floor runs: $(figure $f relay loadavg 1 %.2f).

| figure | stock ipcontroller | ippc-controller | relay floor | floor vs stock | ippc vs floor |
|---|---|---|---|---|---|
| sequential round trips/s | $(figure $s relay pingpong_rate 1 %.0f) | $(figure $i relay pingpong_rate 1 %.0f) | $(figure $f relay pingpong_rate 1 %.0f) | $(ratio "$rt_f" "$rt_s") | $(ratio "$rt_i" "$rt_f") |
| ping-pong latency, median (µs) | $(figure $s relay pingpong_median_us 1 %.0f) | $(figure $i relay pingpong_median_us 1 %.0f) | $(figure $f relay pingpong_median_us 1 %.0f) | | |
| pipelined round trips/s | $(figure $s relay pipeline_rate 1 %.0f) | $(figure $i relay pipeline_rate 1 %.0f) | $(figure $f relay pipeline_rate 1 %.0f) | $(ratio "$pp_f" "$pp_s") | $(ratio "$pp_i" "$pp_f") |
| relay CPU per round trip, ping-pong (µs) | $(figure $s relay pingpong_ctl_cpu_us 1 %.0f) | $(figure $i relay pingpong_ctl_cpu_us 1 %.0f) | $(figure $f relay pingpong_ctl_cpu_us 1 %.0f) | | |
| relay CPU per round trip, pipelined (µs) | $(figure $s relay pipeline_ctl_cpu_us 1 %.1f) | $(figure $i relay pipeline_ctl_cpu_us 1 %.1f) | $(figure $f relay pipeline_ctl_cpu_us 1 %.1f) | | |
EOF
}

# ---------------------------------------------------------------- main
if [ -n "${REPORT_FROM:-}" ]; then
    # shellcheck disable=SC1091
    . "$WORK/settings" # what the measured run was given
    report | tee "$OUT"
    exit 0
fi
command -v nproc >/dev/null
[ -n "$STOCK" ] || [ "$ONLY" = ippc ] || { echo "controller.sh: ipcontroller not on PATH (apt-get install python3-ipyparallel)" >&2; exit 1; }
log "building in $BUILD"
build
# 1,000 engines hold ~8,000 descriptors in the load tool and ~3,000 in the controller
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((ENGINES * 8 + 256)) ] ||
    log "warning: fd limit $(ulimit -n) is low for $ENGINES engines"

REV="$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$SRC" diff --quiet 2>/dev/null || echo ' + uncommitted changes')"
WHEN=$(date -u +%Y-%m-%dT%H:%MZ)
# what the run was given, for --report
printf 'ROUNDS=%q ENGINES=%q HOLD=%q FAST_PING=%q REV=%q WHEN=%q\n' "$ROUNDS" "$ENGINES" "$HOLD" "$FAST_PING" "$REV" "$WHEN" >"$WORK/settings"
kinds=(stock ippc)
[ -z "$ONLY" ] || kinds=("$ONLY")
for round in $(seq "$ROUNDS"); do
    order=("${kinds[@]}")
    if [ $((round % 2)) = 0 ] && [ ${#kinds[@]} = 2 ]; then order=(ippc stock); fi
    for test in relay reg-fast reg-idle; do
        for kind in "${order[@]}"; do
            measure "$kind" "$test" "$round"
        done
        [ "$test" != relay ] || [ -n "$ONLY" ] || measure floor relay "$round"
    done
done
report | tee "$OUT"
log "written to $OUT"
