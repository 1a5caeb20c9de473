#!/usr/bin/env bash
# lifecycle.sh - ippctl start/list/status/engines/stop/clean/profile on the local
# launcher, as a user sees them (exit status, messages, JSON), checked against the
# processes themselves (by pid) and against the stock ipyparallel package: its
# Cluster.from_file().connect_client_sync() reaches the engines, `ipcluster list` shows
# the cluster and `ipcluster stop` stops it. Also the C API (ippc_cluster_new/start/stop).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/cli/lifecycle_helpers.sh"
need_python_modules ipyparallel

CF=$SEC/cluster-.json

# ------------------------------------------------------------------ start
run 0 "ippctl start -n 2 --daemonize --wait --json" start -n 2 --daemonize --wait --json
check "the JSON names the cluster file, 2 engines registered, the controller and engine pids" \
    "d['cluster_file'] == '$CF' and d['registered'] == 2 and d['controller']['pid'] > 0 and len(d['engines']) == 2"
START_JSON=$OUT
[ -s "$CF" ] && ok "the cluster file exists" || fail "no cluster file $CF"
[ "$(stat -c %a "$CF")" = 600 ] && ok "the cluster file is 0600" || fail "cluster file mode $(stat -c %a "$CF")"
PIDS1=$(recorded_pids "$CF")
[ "$(echo "$PIDS1" | wc -l)" = 3 ] && ok "the cluster file records 3 pids (controller and 2 engines)" \
    || fail "recorded pids: $PIDS1"
for p in $PIDS1; do is_daemon "$p" || fail "recorded pid $p does not run an ippc daemon"; done
JSON_PIDS=$(printf '%s' "$START_JSON" | "$PYTHON3" -c "import json,sys; d=json.load(sys.stdin); print('\n'.join(str(p) for p in [d['controller']['pid']] + [e['pid'] for e in d['engines']]))")
[ "$JSON_PIDS" = "$PIDS1" ] && ok "--json and the cluster file give the same pids" || fail "JSON pids $JSON_PIDS, file $PIDS1"
ls "$PD"/log/ippc-controller-*.log "$PD"/log/ippc-engine-*-0.log > /dev/null 2>&1 \
    && ok "logs are under profile_default/log" || fail "no logs in $PD/log: $(ls "$PD/log" 2>&1)"

# ------------------------------------------------------------------ list
run 0 "ippctl list" list
expect "list shows the cluster running with 2 engines" "$OUT" "^default +'' +running +2 +[0-9]+ +local$"
run 0 "ippctl list --json" list --json
check "list --json: one running cluster" "len(d) == 1 and d[0]['state'] == 'running' and d[0]['engines'] == 2"

# ------------------------------------------------------------------ status
run 0 "ippctl status" status
expect "status: the header says running and 2 engines registered" "$OUT" "running, controller pid [0-9]+ .*2 engines registered"
expect "status: engine 0 row (id host pid registered queue completed)" "$OUT" "^0 +[^ ]+ +[0-9]+ +registered +0 +0$"
run 0 "ippctl status --json" status --json
check "status --json: ids 0 and 1 registered, their pids are the recorded engine pids" \
    "sorted(e['id'] for e in d['engines']) == [0, 1] and all(e['state'] == 'registered' and e['queue'] == 0 for e in d['engines']) and sorted(e['pid'] for e in d['engines']) == sorted([$(echo $PIDS1 | cut -d' ' -f2-3 | tr ' ' ',')])"

# ------------------------------------------------------------------ engines
run 0 "ippctl engines -n 1 --wait" engines -n 1 --wait
expect "engines: says 3 engines registered" "$ERR" "1 engine added as set [0-9-]+; 3 engines registered"
PIDS2=$(recorded_pids "$CF")
[ "$(echo "$PIDS2" | wc -l)" = 4 ] && ok "the cluster file now records 4 pids" || fail "recorded pids: $PIDS2"
"$PYTHON3" -c "import json; d = json.load(open('$CF')); assert len(d['engines']['sets']) == 2" 2>/dev/null \
    && ok "the new engine is a second engine set" || fail "engine sets: $(cat "$CF")"

# ------------------------------------------------- the stock ipyparallel package
ENGINE_PIDS=$(echo "$PIDS2" | tail -n +2 | sort -n | tr '\n' ' ')
if timeout 120 "$PYTHON3" - "$PD" > "$TMP/stock.out" 2>&1 <<'PY'
import os, sys
import ipyparallel as ipp
c = ipp.Cluster.from_file(profile_dir=sys.argv[1])
rc = c.connect_client_sync()
rc.wait_for_engines(3, timeout=60)
print("ids", sorted(rc.ids))
print("pids", " ".join(str(p) for p in sorted(rc[:].apply_sync(os.getpid))))
PY
then
    expect "stock Cluster.from_file().connect_client_sync() sees engines 0, 1, 2" "$(cat "$TMP/stock.out")" "^ids \[0, 1, 2\]$"
    expect "and they are the recorded engine processes" "$(cat "$TMP/stock.out")" "^pids ${ENGINE_PIDS% }$"
else
    fail "the stock client failed"; sed 's/^/#   /' "$TMP/stock.out"
fi
if command -v ipcluster > /dev/null; then
    ipcluster list > "$TMP/ipcl.out" 2>&1
    expect "ipcluster list shows it running with 3 engines" "$(cat "$TMP/ipcl.out")" "^default +'' +True +3 +Local$"
fi

# ------------------------------------------------------------ start twice
run 1 "ippctl start while it runs" start -n 1 --daemonize
expect "start twice: refused, naming the command that stops it" "$ERR" "already running .*stop it first with .ippctl stop."
[ "$(recorded_pids "$CF")" = "$PIDS2" ] && ok "start twice: the running cluster's file is untouched" || fail "cluster file changed"

# ------------------------------------------------------------------ stop
run 0 "ippctl stop" stop
expect "stop: says what it stopped" "$ERR" "stopped the cluster of profile default \(4 processes\)"
all_gone "after ippctl stop" $PIDS2
[ ! -e "$CF" ] && ok "stop removed the cluster file" || fail "cluster file still there"
[ ! -e "$SEC/ipcontroller-client.json" ] && ok "and the connection files are gone" || fail "connection files left"
run 1 "ippctl stop when nothing runs" stop
expect "stop when not running: a clear message" "$ERR" "the cluster of profile default is not running: there is no cluster file"

# ------------------------------------------------------------ stale cluster file
run 0 "start --cluster-id stale" start -n 1 --cluster-id stale --daemonize --wait
STALE=$(recorded_pids "$SEC/cluster-stale.json")
kill -9 $STALE
all_gone "killed the stale cluster's processes" $STALE
run 0 "ippctl list with a stale cluster" list
expect "list marks it stale" "$OUT" "^default +stale +stale +0 +- +local$"
run 0 "start over a stale cluster file" start -n 1 --cluster-id stale --daemonize --wait
expect "start says it replaced the stale file" "$ERR" "replaced the stale cluster file .*cluster-stale.json"
NEW=$(recorded_pids "$SEC/cluster-stale.json")
[ -n "$NEW" ] && [ "$NEW" != "$STALE" ] && ok "the new cluster file records the new processes" || fail "pids $NEW"
run 0 "stop it" stop --cluster-id stale
all_gone "stale cluster replaced and stopped" $NEW

# ------------------------------------------------------------------ clean
run 0 "start --cluster-id dead" start -n 1 --cluster-id dead --daemonize --wait
DEAD=$(recorded_pids "$SEC/cluster-dead.json")
DEAD_LOGS=$(ls "$PD"/log/ippc-*-dead-*.log)
run 0 "start --cluster-id alive" start -n 1 --cluster-id alive --daemonize --wait
kill -9 $DEAD
all_gone "killed cluster dead" $DEAD
run 0 "ippctl clean" clean
expect "clean says what it removed" "$ERR" "removed [0-9]+ files of cluster 'dead' of profile default, which no longer runs"
[ ! -e "$SEC/cluster-dead.json" ] && ok "clean removed the stale cluster file" || fail "cluster-dead.json still there"
left_logs=$(ls $DEAD_LOGS 2>/dev/null)
[ -z "$left_logs" ] && ok "and its logs" || fail "logs left: $left_logs"
[ -s "$SEC/cluster-alive.json" ] && ok "clean kept the running cluster's file" || fail "cluster-alive.json removed"
run 0 "ippctl clean with nothing to clean" clean
expect "clean: nothing to clean" "$ERR" "nothing to clean"

# ------------------------------------------------ ipcluster stop on an ippc cluster
if command -v ipcluster > /dev/null; then
    ALIVE=$(recorded_pids "$SEC/cluster-alive.json")
    if timeout 120 ipcluster stop --cluster-id=alive > "$TMP/ipstop.out" 2>&1; then
        ok "ipcluster stop --cluster-id=alive exits 0"
    else
        fail "ipcluster stop failed"; sed 's/^/#   /' "$TMP/ipstop.out"
    fi
    all_gone "after ipcluster stop" $ALIVE
    [ ! -e "$SEC/cluster-alive.json" ] && ok "ipcluster stop removed the cluster file" || fail "cluster-alive.json left"
else
    run 0 "stop alive" stop --cluster-id alive
fi

# ------------------------------------------------------------ the foreground
in_background fg start -n 1 --cluster-id fg
for _ in $(seq 600); do grep -q "running in the foreground" "$TMP/fg.err" && break; sleep 0.1; done
expect "foreground start: reports the engines and how to stop" "$(cat "$TMP/fg.err")" "1 engine registered; cluster file"
FGP=$(recorded_pids "$SEC/cluster-fg.json")
signal_bg TERM 0 "foreground start: SIGTERM stops the cluster"
expect "foreground start: says it stopped the cluster" "$(cat "$TMP/fg.err")" "stopped the cluster \(2 processes\)"
all_gone "after SIGTERM to the foreground ippctl" $FGP
[ ! -e "$SEC/cluster-fg.json" ] && ok "the foreground start removed its cluster file" || fail "cluster-fg.json left"

# ------------------------------------------------------------------ profile
run 0 "ippctl profile list" profile list
expect "profile list: the user's default profile hides the shipped one" "$OUT" "^default +user +$PD/ippc.yaml$"
expect "profile list: the shipped slurm profile" "$OUT" "^slurm +shipped +.*/slurm.yaml$"
run 0 "ippctl profile show" profile show --set cluster.n=7
expect "profile show: engines.shell from the user file, with line and column" "$OUT" "shell: plain +# from $PD/ippc.yaml:2:10"
expect "profile show: cluster.n from the command line" "$OUT" "n: 7 +# from command line"
run 0 "ippctl profile show --json" profile show slurm --json
check "profile show --json: the shipped slurm profile, with origins" \
    "d['cluster']['launcher'] == 'slurm' and d['origins']['cluster.n'] == 'default'"
run 0 "ippctl profile create mine --base slurm" profile create mine --base slurm
[ -s "$IPYTHONDIR/profile_mine/ippc.yaml" ] && ok "profile create wrote profile_mine/ippc.yaml" || fail "no profile file"
run 1 "profile create over an existing file" profile create mine
expect "profile create refuses to replace it" "$ERR" "ippc.yaml"

# ------------------------------------------------------------------ C API
API=$top_builddir/tests/cli/ippc-clusterapi
if [ -x "$API" ]; then
    if IPPC_IPPCTL=$IPPCTL timeout 300 "$API" > "$TMP/api.out" 2>&1; then
        ok "ippc_cluster_new/start/connect/stop: $(tr '\n' ' ' < "$TMP/api.out")"
    else
        fail "the C API program failed"; sed 's/^/#   /' "$TMP/api.out"
    fi
else
    fail "$API not built"
fi

no_leftovers "at the end"
finish
