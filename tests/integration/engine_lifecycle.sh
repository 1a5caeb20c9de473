#!/usr/bin/env bash
# engine_lifecycle.sh - ippc-engine's command line, start-up and ways of ending:
# --help (0), usage errors (2), a connection file that never comes or a controller that
# never answers (1, one clear line); IPP_CONNECTION_INFO; --mpi ranks as ids; SIGTERM
# idle and busy (unregistration, status 0); shutdown_request (status 0); a lost
# controller (status 1).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"

expect 0 "^Usage: ippc-engine" "--help shows the usage and exits 0" -- "$ENGINE" --help
expect 2 "unknown option '--bogus'" "an unknown option is a usage error (2)" -- "$ENGINE" --bogus
expect 2 "invalid value for --timeout" "a bad --timeout is a usage error (2)" -- "$ENGINE" --timeout=soon
expect 2 "invalid value for --shell" "a bad --shell is a usage error (2)" -- "$ENGINE" --shell=bash
expect 2 "needs a value" "a missing value is a usage error (2)" -- "$ENGINE" --profile-dir
expect 1 "did not appear within 0.5 s" "a connection file that never comes: status 1 after --timeout" -- \
    "$ENGINE" --file="$TMP/nowhere.json" --timeout=0.5
[ "$(wc -l < "$TMP/err")" -le 3 ] && ok "... with a short message" || fail "long error output: $(cat "$TMP/err")"
expect 1 "IPP_CONNECTION_INFO: bad JSON" "bad JSON in IPP_CONNECTION_INFO: status 1" -- \
    env IPP_CONNECTION_INFO='{"key": ' "$ENGINE"
# a controller that does not answer: a valid file whose ports nobody listens on
"$PYTHON3" - "$TMP/dead.json" <<'PY'
import json, socket, sys
ports = []
for _ in range(9):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
keys = ["registration", "control", "mux", "task", "iopub", "hb_ping", "hb_pong"]
d = dict(zip(keys, ports)); d["broadcast"] = ports[7:9]
d.update(interface="tcp://127.0.0.1", key="k", signature_scheme="hmac-sha256", ssh="", location="127.0.0.1",
         pack="json", unpack="json", curve_serverkey=None)
json.dump(d, open(sys.argv[1], "w"))
PY
expect 1 "no registration reply from tcp://127.0.0.1:[0-9]+ within 1.0 s" \
    "a controller that does not answer: status 1 after --timeout" -- "$ENGINE" --file="$TMP/dead.json" --timeout=1
expect 2 "unexpected argument" "a stray argument is a usage error (2)" -- "$ENGINE" stray
"$ENGINE" --Foo.bar=1 --IPEngine.enable_nanny False --file="$TMP/nowhere.json" --timeout=0.2 2> "$TMP/err"
grep -q "ignoring unsupported setting --Foo.bar=1" "$TMP/err" && grep -q "IPEngine.enable_nanny=False" "$TMP/err" \
    && ok "unknown traitlets settings are accepted with a warning" || fail "traitlets settings: $(cat "$TMP/err")"

start_controller --ping=1000

# IPP_CONNECTION_INFO (JSON text), --mpi with an Open MPI rank, the stock launcher's
# "--profile-dir X --cluster-id ''" form
IPP_CONNECTION_INFO=$(cat "$SECURITY/ipcontroller-engine.json") OMPI_COMM_WORLD_RANK=5 \
    start_engine mpi --mpi --shell=plain
a=${ENGINE_PIDS[-1]}
start_engine stock-args --profile-dir "$IPYTHONDIR/profile_default" --cluster-id '' --log-level=10 \
    --InteractiveShell.colors=nocolor --shell=plain
b=${ENGINE_PIDS[-1]}
ids=$(timeout 60 "$PYTHON3" "$DRIVER" registered 2 | sed -n 's/^ids //p')
case $ids in *5*) ok "--mpi requests the rank as id (ids $ids)" ;; *) fail "--mpi: ids $ids" ;; esac
case $ids in *,*) ok "IPP_CONNECTION_INFO and --profile-dir/--cluster-id engines both registered" ;;
*) fail "two engines registered: $ids" ;; esac

kill -TERM "$a"
if wait_exit "$a" 10; then
    [ "$EXIT_STATUS" = 0 ] && ok "SIGTERM while idle: exit status 0" || fail "SIGTERM idle: status $EXIT_STATUS"
else
    fail "SIGTERM while idle: the engine exits"
fi
drive wait_unregistered 5
kill -TERM "$b"
wait_exit "$b" 10 && [ "$EXIT_STATUS" = 0 ] && ok "second engine stopped" || fail "second engine did not stop"

start_engine busy --shell=plain
c=${ENGINE_PIDS[-1]}
drive busy_term
if wait_exit "$c" 15; then
    [ "$EXIT_STATUS" = 0 ] && ok "SIGTERM while busy: exit status 0" || fail "SIGTERM busy: status $EXIT_STATUS"
else
    fail "SIGTERM while busy: the engine exits"
fi

start_engine shutdown --shell=plain
d=${ENGINE_PIDS[-1]}
drive shutdown
if wait_exit "$d" 10; then
    [ "$EXIT_STATUS" = 0 ] && ok "shutdown_request: exit status 0" || fail "shutdown_request: status $EXIT_STATUS"
else
    fail "shutdown_request: the engine exits"
fi

start_engine lost --shell=plain
e=${ENGINE_PIDS[-1]}
timeout 60 "$PYTHON3" "$DRIVER" registered 1 > /dev/null
kill -KILL -- "-$CONTROLLER_PID"   # the whole controller: its heartbeat is a child process
if wait_exit "$e" 25; then
    [ "$EXIT_STATUS" = 1 ] && ok "lost controller: the engine exits with status 1" || fail "lost controller: status $EXIT_STATUS"
else
    fail "lost controller: the engine exits within 25 s"
fi
grep -q "no heartbeat from the controller" "$TMP/lost.log" && ok "... saying why" || fail "lost controller: no message"
[ "$fails" -eq 0 ] || show_logs
finish
