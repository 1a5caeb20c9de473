#!/usr/bin/env bash
# controller_heartbeat.sh - late heartbeat echoes are tolerated, silence is not:
# engines whose echoes come 2.5 periods late (a loaded machine; later than the stock
# monitor's current-or-previous ping would allow) stay registered;
# engines that stop echoing (connections still open) are unregistered after
# --hb-misses missed periods, not before.
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"
need_python_modules ipyparallel
FAKE=$compat_builddir/fake-engines
[ -x "$FAKE" ] || skip "no $FAKE (make check builds it)"
PERIOD_MS=400
MISSES=3

# 1. Every echo 1000 ms (2.5 periods) late, for 20 periods.
start_controller --ping=$PERIOD_MS --hb-misses=$MISSES
"$FAKE" "$ENGINE_JSON" "$CLIENT_JSON" 20 8 --echo-delay=1000 > "$TMP/late.out" 2>&1
cat "$TMP/late.out"
grep -q "registered 20/20" "$TMP/late.out" && ok "20 engines with late echoes registered" \
    || fail "20 engines with late echoes registered"
grep -q "listed at the end: 20$" "$TMP/late.out" && ok "all 20 still registered after 20 periods of late echoes" \
    || fail "engines with late echoes were dropped"
if grep -q "no heartbeat" "$CTL_LOG"; then
    fail "an engine was dropped for missing heartbeats:"
    grep "no heartbeat" "$CTL_LOG" | head -3
else
    ok "no engine dropped for missing heartbeats"
fi
stop_controller

# 2. Engines that stop echoing are dropped after the allowed misses.
start_controller --ping=$PERIOD_MS --hb-misses=$MISSES
N=10
py "$compat_srcdir/controller_watch.py" "$CLIENT_JSON" $N > "$TMP/watch" 2>&1 &
WATCH=$!
# the client is connected before the engines come (it sees them as they register)
for _ in $(seq 600); do grep -q connected "$TMP/watch" && break; sleep 0.1; done
"$FAKE" "$ENGINE_JSON" "$CLIENT_JSON" $N 40 --mute-after=3 > "$TMP/mute.out" 2>&1 &
PIDS+=("$!")
wait "$WATCH"
cat "$TMP/mute.out" "$TMP/watch"
read -r _ ready < <(grep ready "$TMP/watch")
read -r _ left gone < <(grep gone "$TMP/watch")
read -r _ _ muted < <(grep "muted at" "$TMP/mute.out")
[ "$ready" = $N ] && ok "the client saw $N engines" || fail "the client saw ${ready:-no} engines, not $N"
if [ "$left" = 0 ] && [ -n "$muted" ]; then
    took=$(awk -v a="$muted" -v b="$gone" 'BEGIN { printf "%.2f", b - a }')
    # at least MISSES whole periods pass without an echo before the beat that drops them
    awk -v t="$took" -v p=$PERIOD_MS -v m=$MISSES 'BEGIN { exit !(t >= m * p / 1000 && t < 20) }' \
        && ok "muted engines dropped ${took} s after they stopped echoing (${MISSES} misses of ${PERIOD_MS} ms allowed)" \
        || fail "muted engines dropped ${took} s after they stopped echoing (expected >= $((MISSES * PERIOD_MS)) ms)"
else
    fail "muted engines not dropped (${left:-?} left)"
fi
dropped=$(grep -c "no heartbeat for $((MISSES + 1)) beats of $PERIOD_MS ms" "$CTL_LOG")
[ "$dropped" = $N ] && ok "the log says why: no heartbeat for $((MISSES + 1)) beats" \
    || fail "$dropped of $N unregistrations logged as missed heartbeats"
kill -0 "$CTL_PID" 2>/dev/null && ok "controller alive" || fail "controller died"
stop_controller
finish
