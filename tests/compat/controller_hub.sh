#!/usr/bin/env bash
# controller_hub.sh - task records and hub queries through the stock client: count and
# byte limits and what a client is told about a dropped record, db_query operators,
# purge, --nodb; a client's hub shutdown stops the controller and the engines.
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"
need_python_modules ipyparallel

start_controller --ping=500 --nodb
start_engine
py "$compat_srcdir/controller_hub.py" nodb $PROFILE > "$TMP/out" 2>"$TMP/err" && ok "--nodb" || { fail "--nodb"; tail "$TMP/err"; }
cat "$TMP/out"
kill -TERM "$ENGINE_PID"; wait "$ENGINE_PID" 2>/dev/null
stop_controller
mv "$CTL_LOG" "$TMP/nodb.log"

start_controller --ping=500 --records-max=5 --records-max-bytes=250k
start_engine
engine=$ENGINE_PID
py "$compat_srcdir/controller_hub.py" limits $PROFILE > "$TMP/out" 2>"$TMP/err" && ok "records and queries" \
    || { fail "records and queries"; tail "$TMP/err"; }
cat "$TMP/out"
for _ in $(seq 50); do kill -0 "$CTL_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CTL_PID" 2>/dev/null; then
    fail "the controller still runs 5 s after a hub shutdown"
else
    wait "$CTL_PID"; rc=$?
    [ $rc = 0 ] && ok "hub shutdown: the controller exits 0" || fail "hub shutdown: exit $rc"
fi
[ ! -e "$CLIENT_JSON" ] && ok "hub shutdown removes the files" || fail "files left after the hub shutdown"
for _ in $(seq 100); do kill -0 "$engine" 2>/dev/null || break; sleep 0.1; done
kill -0 "$engine" 2>/dev/null && fail "the engine still runs after the hub shutdown" || ok "the engine stopped"
grep -q "records: .* dropped so far" "$CTL_LOG" && ok "dropped records are logged" || fail "no log of dropped records"
sanitizer_clean "$CTL_LOG"
finish
