#!/usr/bin/env bash
# controller_death.sh - an engine killed with SIGKILL mid-task: the stock client gets
# EngineError within period x (misses+1) + 1 s, get_result says the same; a stopped
# engine is dropped after its missed heartbeats. Stock engines without their nanny, so
# the controller alone has to notice.
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"
need_python_modules ipyparallel
PING=200 MISSES=3
start_controller --ping=$PING --hb-misses=$MISSES --log-level=DEBUG
for i in 1 2; do start_engine --IPEngine.enable_nanny=False; done
if py "$compat_srcdir/controller_death.py" $PROFILE $PING $MISSES > "$TMP/out" 2>"$TMP/err"; then
    ok "death scenarios"
else
    fail "death scenarios (see below)"
    tail -20 "$TMP/err"
fi
cat "$TMP/out"
grep -q "closed its heartbeat connection" "$CTL_LOG" && ok "the controller noticed the closed connection" \
    || fail "no closed-connection detection in the log"
kill -0 "$CTL_PID" 2>/dev/null && ok "controller alive" || fail "controller died"
stop_controller
[ "$fails" -eq 0 ] || { echo "--- controller log:"; grep -v DEBUG "$CTL_LOG" | tail -30; }
finish
