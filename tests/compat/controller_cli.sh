#!/usr/bin/env bash
# controller_cli.sh - the command line and the life cycle: --help, usage errors (exit 2),
# start failures with one clear line (exit 1), connection files (names, mode 0600,
# removed on SIGTERM/SIGINT, kept and reused with --reuse), stock flags accepted,
# settings from an ippc profile (--profile-file, <profile dir>/ippc.yaml) under the
# command line, and profile errors with file:line:column (exit 2).
. "${compat_srcdir:-$(dirname "$0")}/controller_lib.sh"

"$CONTROLLER" --help > "$TMP/help" 2>&1; rc=$?
[ $rc = 0 ] && grep -q -- "--ports" "$TMP/help" && ok "--help exits 0" || fail "--help: exit $rc"
for bad in --bogus --ping=abc --ping=0 --ports=70000 --log-level=LOUD --records-max=-1 positional --dictdb=maybe; do
    "$CONTROLLER" "$bad" > "$TMP/out" 2>&1; rc=$?
    [ $rc = 2 ] && [ "$(wc -l < "$TMP/out")" = 1 ] && ok "$bad: usage error, exit 2: $(cat "$TMP/out")" \
        || fail "$bad: exit $rc: $(cat "$TMP/out")"
done

# Start, check the files, stop with SIGTERM.
CLIENT_JSON=$SECURITY/ipcontroller-abc-client.json ENGINE_JSON=$SECURITY/ipcontroller-abc-engine.json
start_controller --cluster-id=abc --Foo.bar=1 --HeartMonitor.period=400 --sqlitedb
wait_for_file "$ENGINE_JSON" 10 && ok "--cluster-id names the files" || fail "no $ENGINE_JSON"
for f in "$CLIENT_JSON" "$ENGINE_JSON"; do
    m=$(stat -c %a "$f")
    [ "$m" = 600 ] && ok "$(basename "$f") has mode 600" || fail "$(basename "$f") has mode $m"
done
grep -q "Foo.bar=1 is not a setting" "$CTL_LOG" && ok "unknown --Class.trait accepted with a warning" \
    || fail "no warning for --Foo.bar"
grep -q "ping 400 ms" "$CTL_LOG" && ok "--HeartMonitor.period sets the ping" || fail "--HeartMonitor.period ignored"
"$PYTHON3" - "$CLIENT_JSON" "$ENGINE_JSON" > "$TMP/keys" <<'PY' && ok "connection files: $(cat "$TMP/keys")" || fail "connection files: $(cat "$TMP/keys")"
import json, sys
c, e = (json.load(open(p)) for p in sys.argv[1:3])
need_c = "task_scheme interface key pack unpack signature_scheme ssh control task mux iopub notification registration broadcast".split()
need_e = "interface key control task mux iopub hb_ping hb_pong broadcast registration".split()
missing = [k for k in need_c if k not in c] + [k for k in need_e if k not in e]
assert not missing, missing
assert c["key"] == e["key"] and c["registration"] == e["registration"]
assert isinstance(e["broadcast"], list) and len(e["broadcast"]) == 2
ports = [c[k] for k in "control task mux iopub notification broadcast".split()] + \
        [e[k] for k in "control task mux iopub hb_ping hb_pong".split()] + e["broadcast"] + [c["registration"]]
assert len(set(ports)) == 15, ports
print("all keys, 15 distinct ports")
PY
kill -TERM "$CTL_PID"; wait "$CTL_PID"; rc=$?
[ $rc = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
sanitizer_clean "$CTL_LOG"
[ ! -e "$CLIENT_JSON" ] && [ ! -e "$ENGINE_JSON" ] && ok "SIGTERM removes the files" || fail "files left after SIGTERM"

# SIGINT does the same.
CLIENT_JSON=$SECURITY/ipcontroller-client.json ENGINE_JSON=$SECURITY/ipcontroller-engine.json
start_controller
kill -INT "$CTL_PID"; wait "$CTL_PID"; rc=$?
[ $rc = 0 ] && [ ! -e "$CLIENT_JSON" ] && ok "SIGINT: exit 0, files removed" || fail "SIGINT: exit $rc"

# --reuse: the same key and ports on the next start, and the files stay.
start_controller --reuse
cp "$CLIENT_JSON" "$TMP/first.json"
kill -TERM "$CTL_PID"; wait "$CTL_PID"
[ -e "$CLIENT_JSON" ] && ok "--reuse keeps the files on exit" || fail "--reuse removed the files"
CTL_LOG=$TMP/reuse.log
"$CONTROLLER" --profile=$PROFILE --reuse > "$CTL_LOG" 2>&1 &
CTL_PID=$!; PIDS+=("$CTL_PID")
for _ in $(seq 50); do grep -q "listening" "$CTL_LOG" && break; sleep 0.1; done
cmp -s "$CLIENT_JSON" "$TMP/first.json" && ok "--reuse: same key and ports" || fail "--reuse changed the file"

# A port in use (the reusing controller holds them): exit 1, one line naming the port.
port=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["registration"])' "$CLIENT_JSON")
"$CONTROLLER" --profile=other --port="$port" > "$TMP/out" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$TMP/out")" = 1 ] && grep -q "port $port" "$TMP/out" && grep -q -- "--ports" "$TMP/out" \
    && ok "port in use: exit 1: $(cat "$TMP/out")" || fail "port in use: exit $rc: $(cat "$TMP/out")"
"$CONTROLLER" --profile=other --ports="$port" > "$TMP/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q -- "--ports=$port" "$TMP/out" && ok "pool exhausted: exit 1: $(cat "$TMP/out")" \
    || fail "pool exhausted: exit $rc: $(cat "$TMP/out")"
kill -TERM "$CTL_PID"; wait "$CTL_PID"

# --ports: a pool, busy ports skipped.
base=$(( 20000 + RANDOM % 20000 ))
start_controller --ports=$base-$((base + 40))
"$PYTHON3" - "$CLIENT_JSON" "$ENGINE_JSON" $base $((base + 40)) <<'PY' && ok "--ports: every port from the pool" || fail "--ports: a port outside the pool"
import json, sys
lo, hi = int(sys.argv[3]), int(sys.argv[4])
for p in sys.argv[1:3]:
    for k, v in json.load(open(p)).items():
        for port in (v if isinstance(v, list) else [v]):
            if k not in ("key", "interface", "location", "ssh", "pack", "unpack", "signature_scheme",
                         "task_scheme", "curve_serverkey"):
                assert lo <= port <= hi, (k, port)
PY
kill -TERM "$CTL_PID"; wait "$CTL_PID"

# An unwritable profile directory: exit 1, one line naming the path.
mkdir -p "$TMP/ro"; chmod 500 "$TMP/ro"
if [ "$(id -u)" = 0 ]; then
    echo "# running as root: an unwritable directory is simulated with a file in the way"
    chmod 700 "$TMP/ro"; : > "$TMP/ro/profile"
fi
"$CONTROLLER" --profile-dir="$TMP/ro/profile" > "$TMP/out" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$TMP/out")" = 1 ] && grep -q "$TMP/ro/profile" "$TMP/out" \
    && ok "unwritable profile dir: exit 1: $(cat "$TMP/out")" || fail "unwritable profile dir: exit $rc: $(cat "$TMP/out")"
chmod 700 "$TMP/ro"

# An ippc profile: its controller section sets what the command line does not.
base=$(( 20000 + RANDOM % 20000 ))
cat > "$TMP/prof.yaml" <<EOF
cluster:
  cluster_id: prof
controller:
  ports: $base-$((base + 30))
  heartbeat:
    period_ms: 750
    misses: 4
  records:
    max_count: 7
    max_bytes: 2MiB
  log_level: warning
EOF
CLIENT_JSON=$SECURITY/ipcontroller-prof-client.json ENGINE_JSON=$SECURITY/ipcontroller-prof-engine.json
start_controller --profile-file="$TMP/prof.yaml" --hb-misses=2 --log-level=info
grep -q "settings from $TMP/prof.yaml" "$CTL_LOG" && ok "the profile file is named in the log" \
    || fail "no 'settings from' line"
grep -q "ping 750 ms, 2 misses allowed" "$CTL_LOG" && ok "profile: period 750 ms; --hb-misses=2 wins over its misses" \
    || fail "profile heartbeat settings: $(grep listening "$CTL_LOG")"
grep -q "at most 7 / 2097152 bytes" "$CTL_LOG" && ok "profile: record limits" \
    || fail "profile record limits: $(grep listening "$CTL_LOG")"
[ -e "$CLIENT_JSON" ] && ok "profile: cluster_id names the files" || fail "profile: cluster_id ignored"
"$PYTHON3" -c 'import json,sys; c=json.load(open(sys.argv[1])); lo=int(sys.argv[2]); assert all(lo <= c[k] <= lo + 30 for k in ("registration","mux","iopub"))' \
    "$CLIENT_JSON" $base && ok "profile: ports from its pool" || fail "profile: ports outside its pool"
kill -TERM "$CTL_PID"; wait "$CTL_PID"

# <profile dir>/ippc.yaml is read without --profile-file; --ping still wins.
mkdir -p "$IPYTHONDIR/profile_withyaml"
printf 'controller:\n  heartbeat:\n    misses: 6\n    period_ms: 900\n' > "$IPYTHONDIR/profile_withyaml/ippc.yaml"
CTL_LOG=$TMP/withyaml.log
"$CONTROLLER" --profile=withyaml --ping=650 > "$CTL_LOG" 2>&1 &
CTL_PID=$!; PIDS+=("$CTL_PID")
for _ in $(seq 100); do grep -q "listening" "$CTL_LOG" && break; sleep 0.1; done
grep -q "ping 650 ms, 6 misses allowed" "$CTL_LOG" && ok "profile_withyaml/ippc.yaml read; --ping wins" \
    || fail "profile dir's ippc.yaml: $(grep listening "$CTL_LOG")"
kill -TERM "$CTL_PID"; wait "$CTL_PID"

# Profile errors: one line naming file:line:column, exit 2.
printf 'controller:\n  heartbeat:\n    period_ms: fast\n' > "$TMP/bad-value.yaml"
printf 'controller:\n  pings: 3\n' > "$TMP/bad-key.yaml"
printf 'controller: [1, 2\n' > "$TMP/bad-yaml.yaml"
for f in bad-value:3:16 bad-key:2:3 bad-yaml:; do
    name=${f%%:*} where=${f#*:}
    "$CONTROLLER" --profile-file="$TMP/$name.yaml" > "$TMP/out" 2>&1; rc=$?
    [ $rc = 2 ] && [ "$(wc -l < "$TMP/out")" = 1 ] && grep -q "$name.yaml:$where" "$TMP/out" \
        && ok "profile error, exit 2: $(cat "$TMP/out")" || fail "$name.yaml: exit $rc: $(cat "$TMP/out")"
done
"$CONTROLLER" --profile-file="$TMP/no-such.yaml" > "$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "no-such.yaml: no such" "$TMP/out" && ok "missing profile, exit 2: $(cat "$TMP/out")" \
    || fail "missing profile: exit $rc: $(cat "$TMP/out")"

# The 8.x launchers' environment.

IPP_PROFILE_DIR=$TMP/envprofile IPP_CLUSTER_ID=envid "$CONTROLLER" > "$TMP/env.log" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_for_file "$TMP/envprofile/security/ipcontroller-envid-client.json" 10 \
    && ok "IPP_PROFILE_DIR / IPP_CLUSTER_ID honoured" || fail "IPP_PROFILE_DIR / IPP_CLUSTER_ID ignored"
kill -TERM "$pid"; wait "$pid"
finish
