#!/usr/bin/env bash
# controller_many.sh - 100 engine-like peers register at once (fake-engines: a
# registration DEALER and an echoing heart each): connection_request lists all 100,
# the stock client sees them; when their process dies, all are unregistered at once.
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"
need_python_modules ipyparallel
FAKE=$compat_builddir/fake-engines
[ -x "$FAKE" ] || skip "no $FAKE (make check builds it)"
N=${IPPC_MANY_ENGINES:-100}
start_controller --ping=1000
"$FAKE" "$ENGINE_JSON" "$CLIENT_JSON" "$N" 600 > "$TMP/fake.out" 2>&1 &
FAKE_PID=$!
PIDS+=("$FAKE_PID")
for _ in $(seq 300); do grep -q registered "$TMP/fake.out" && break; sleep 0.1; done
cat "$TMP/fake.out"
grep -q "registered $N/$N" "$TMP/fake.out" && ok "$N engines registered" || fail "$N engines registered"

py "$compat_srcdir/controller_watch.py" "$CLIENT_JSON" "$N" > "$TMP/watch" 2>&1 &
WATCH=$!
for _ in $(seq 300); do grep -q ready "$TMP/watch" && break; sleep 0.1; done
read -r _ n < <(grep ready "$TMP/watch")
[ "$n" = "$N" ] && ok "the stock client sees $N engines" || fail "the stock client sees ${n:-no} engines, not $N"

# The peers' process dies: every heartbeat connection closes at once.
killed=$(date +%s.%N)
kill -KILL "$FAKE_PID"
wait "$FAKE_PID" 2>/dev/null
wait "$WATCH"
read -r _ n when < <(grep gone "$TMP/watch")
took=$(awk -v a="$killed" -v b="$when" 'BEGIN { printf "%.2f", b - a }')
[ "$n" = 0 ] && awk -v t="$took" 'BEGIN { exit !(t < 2.0) }' \
    && ok "all $N unregistered ${took} s after their process died" \
    || fail "${n:-?} engines still registered ${took} s after their process died"
kill -0 "$CTL_PID" 2>/dev/null && ok "controller alive" || fail "controller died"
stop_controller
finish
