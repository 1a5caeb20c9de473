#!/usr/bin/env bash
# controller_hostile.sh - forged, replayed and garbled messages at every bound socket:
# dropped (and logged at a bounded rate), the controller stays up and keeps serving.
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"
need_python_modules ipyparallel zmq
start_controller --ping=500
start_engine
ROUNDS=30
start=$(date +%s)
if py "$compat_srcdir/controller_hostile.py" "$CLIENT_JSON" "$ENGINE_JSON" $ROUNDS > "$TMP/out" 2>"$TMP/err"; then
    ok "hostile input scenarios"
else
    fail "hostile input scenarios"
    tail -20 "$TMP/err"
fi
cat "$TMP/out"
secs=$(( $(date +%s) - start + 2 ))
kill -0 "$CTL_PID" 2>/dev/null && ok "controller alive" || fail "controller died"
lines=$(grep -c "dropped" "$CTL_LOG")
sockets=$(grep "dropped" "$CTL_LOG" | sed -E 's/.*ippc-controller: ([a-z_0-9]+):.*/\1/' | sort -u | wc -l)
# at most one report per second per socket
[ "$lines" -gt 0 ] && [ "$lines" -le $(( sockets * (secs + 1) )) ] \
    && ok "drops logged at a bounded rate: $lines lines for $sockets sockets in ${secs} s" \
    || fail "drop reports: $lines lines for $sockets sockets in ${secs} s"
grep "dropped" "$CTL_LOG" | tail -3
stop_controller
finish
