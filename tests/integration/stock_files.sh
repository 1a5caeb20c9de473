#!/usr/bin/env bash
# stock_files.sh - libippc's connection and cluster files against the stock ipyparallel:
# it reads the files a real ipcontroller writes, a client file it writes lets the stock
# Client connect to that controller, a cluster file it writes for the live controller is
# taken by Cluster.from_file() (unchanged) and `ipcluster list`, a cluster file with a
# dead pid is treated as stale by both sides, and files the stock Cluster.to_dict() makes
# come back byte for byte through libippc. Paths agree with IPython's own.
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules ipyparallel IPython
command -v ipcontroller >/dev/null || skip "ipcontroller not on PATH (apt-get install python3-ipyparallel)"
command -v ipcluster >/dev/null || skip "ipcluster not on PATH (apt-get install python3-ipyparallel)"

ft="$tools/ippc-filetool"
[ -x "$ft" ] || skip "$ft not built"
py="$top_srcdir/tests/integration/stock_files.py"

export IPYTHONDIR="$TMP/ipython" # never the user's profiles
pd="$TMP/profile_x"
sec="$pd/security"
client="$sec/ipcontroller-t1-client.json"
engine="$sec/ipcontroller-t1-engine.json"

stockpy() { "$PYTHON3" "$py" "$@" >"$TMP/py.out" 2>&1; }
show() { sed 's/^/    /' "$1"; }
mode() { stat -c %a "$1"; }

# --------------------------------------------------------------- the controller
ipcontroller --profile-dir="$pd" --ip=127.0.0.1 --cluster-id=t1 >"$TMP/ipcontroller.log" 2>&1 &
ctl=$!
PIDS+=("$ctl")
if wait_for_file "$client" 60 && wait_for_file "$engine" 10; then
    ok "ipcontroller (pid $ctl) wrote its connection files"
else
    fail "ipcontroller wrote no connection files"; show "$TMP/ipcontroller.log"; finish; exit
fi
sleep 1 # let it finish binding before clients connect
# Its schedulers are child processes: have lib.sh's trap stop them too if we abort.
for c in $(ps -o pid= --ppid "$ctl"); do PIDS+=("$c"); done

# ---------------------------------------------------------------- paths
"$ft" path ipython-dir >"$TMP/ours.paths" && stockpy paths "$pd" t1
if [ "$(cat "$TMP/ours.paths")" = "$(sed -n 's/^ipython-dir=//p' "$TMP/py.out")" ]; then
    ok "ippc_ipython_dir = IPython.paths.get_ipython_dir() ($IPYTHONDIR)"
else
    fail "ipython dir: ours $(cat "$TMP/ours.paths"), stock:"; show "$TMP/py.out"
fi
if [ "$("$ft" path cluster "$pd" t1)" = "$(sed -n 's/^cluster=//p' "$TMP/py.out")" ] &&
    [ "$("$ft" path cluster "$pd" '')" = "$(sed -n 's/^cluster-default=//p' "$TMP/py.out")" ]; then
    ok "ippc_cluster_file_path = Cluster.cluster_file (cluster-t1.json, cluster-.json)"
else
    fail "cluster file paths differ"; show "$TMP/py.out"
fi
if [ "$("$ft" path conn "$pd" t1 client)" = "$client" ] && [ "$("$ft" path conn "$pd" t1 engine)" = "$engine" ]; then
    ok "ippc_connection_file_path names the files ipcontroller wrote"
else
    fail "connection file paths: $("$ft" path conn "$pd" t1 client)"
fi

# ------------------------------------------------- reading the stock files
for f in "$client" "$engine"; do
    side=${f%.json}; side=${side##*-}
    if "$ft" conn-read "$f" >"$TMP/$side.fields" 2>&1 && stockpy fields "$f" "$TMP/$side.fields"; then
        ok "libippc reads ipcontroller's $side file: every key equals the JSON ($(cat "$TMP/py.out"))"
    else
        fail "reading the $side file"; show "$TMP/$side.fields"; show "$TMP/py.out"
    fi
    if [ "$(mode "$f")" = 600 ]; then ok "ipcontroller's $side file is 0600"; else fail "ipcontroller's $side file is $(mode "$f")"; fi
done

# ----------------------------------- our copy of the client file, used by the stock Client
mkdir -p "$TMP/copy"
for side in client engine; do
    src="$sec/ipcontroller-t1-$side.json" dst="$TMP/copy/$side.json"
    if (umask 0; "$ft" conn-copy "$src" "$dst") && [ "$(mode "$dst")" = 600 ]; then
        ok "libippc writes the $side file with mode 0600 (umask 0)"
    else
        fail "writing the $side file: mode $(mode "$dst" 2>/dev/null)"
    fi
    if cmp -s "$src" "$dst"; then
        ok "libippc's $side file is byte for byte ipcontroller's"
    else
        fail "libippc's $side file differs from ipcontroller's"; diff "$src" "$dst" | sed 's/^/    /'
    fi
done
if stockpy client-connect "$TMP/copy/client.json"; then
    ok "ipyparallel.Client(<libippc's file>) connects to the real controller ($(cat "$TMP/py.out"))"
else
    fail "the stock Client refused libippc's client file"; show "$TMP/py.out"
fi

# ------------------------------------------ a cluster file for the live controller
cf="$sec/cluster-t1.json"
if (umask 0; "$ft" cluster-write "$cf" --profile-dir "$pd" --cluster-id t1 \
    --controller local --pid "$ctl" --output-file "$pd/log/ipcontroller-t1-$ctl.log") &&
    [ "$(mode "$cf")" = 600 ]; then
    ok "libippc writes cluster-t1.json for pid $ctl with mode 0600"
else
    fail "writing the cluster file"
fi
if "$ft" cluster-read "$cf" >"$TMP/cf.out" && grep -qx "stale=no" "$TMP/cf.out" &&
    grep -qx "liveness.controller=alive" "$TMP/cf.out"; then
    ok "libippc sees the controller of its cluster file alive"
else
    fail "libippc's liveness check"; show "$TMP/cf.out"
fi
if stockpy cluster-connect "$pd" t1; then
    ok "Cluster.from_file() keeps libippc's file as is and connect_client_sync() works"
    show "$TMP/py.out"
else
    fail "Cluster.from_file()/connect_client_sync() with libippc's file"; show "$TMP/py.out"
fi
if ipcluster list --profile-dir="$pd" >"$TMP/list.out" 2>&1 &&
    grep -Eq '^[^ ]*profile_x +t1 +True +0 +Local$' "$TMP/list.out"; then
    ok "ipcluster list shows it running: $(grep t1 "$TMP/list.out" | tr -s ' ')"
else
    fail "ipcluster list"; show "$TMP/list.out"
fi

# ------------------------------------------------ a cluster file with a dead pid
sleep 0 & dead=$!
wait "$dead"
dcf="$sec/cluster-dead.json"
"$ft" cluster-write "$dcf" --profile-dir "$pd" --cluster-id dead --controller local --pid "$dead" \
    --output-file "$pd/log/x.log" --engine-set 1 --engine-pid "$dead"
if "$ft" cluster-read "$dcf" >"$TMP/dcf.out" && grep -qx "stale=yes" "$TMP/dcf.out" &&
    grep -qx "liveness.controller=dead" "$TMP/dcf.out"; then
    ok "libippc reports the file of dead pid $dead as stale"
else
    fail "libippc's stale check"; show "$TMP/dcf.out"
fi
# ipcluster list loads it too, and so removes it: check what the listing says first.
cp "$dcf" "$TMP/dead-copy.json"
if ipcluster list --profile-dir="$pd" >"$TMP/list2.out" 2>&1 &&
    grep -Eq '^[^ ]*profile_x +dead +False +0 +Local$' "$TMP/list2.out"; then
    ok "ipcluster list shows the dead-pid cluster as not running"
else
    fail "ipcluster list with a dead pid"; show "$TMP/list2.out"
fi
# Documented stock behaviour (7.1): Cluster.from_file() logs "Controller for ... not
# running", drops the controller and, with nothing left running, deletes the file.
cp "$TMP/dead-copy.json" "$dcf"
if stockpy cluster-dead "$pd" dead && grep -q "controller=None running=False file_exists=False" "$TMP/py.out"; then
    ok "Cluster.from_file() treats it as not running and deletes the stale file"
else
    fail "stock handling of a dead pid"; show "$TMP/py.out"
fi

# ------------------------------------------ files the stock Cluster.to_dict() writes
for kind in local slurm; do
    stock="$TMP/stock-$kind.json" ours="$TMP/ours-$kind.json"
    if [ $kind = local ]; then stockpy dump-local "$stock" "$pd" s-local "$ctl"; else stockpy dump-slurm "$stock" "$pd" s-slurm; fi
    if [ -s "$stock" ] && "$ft" cluster-copy "$stock" "$ours" && cmp -s "$stock" "$ours"; then
        ok "a stock $kind cluster file comes back from libippc byte for byte"
    else
        fail "round trip of the stock $kind cluster file"; show "$TMP/py.out"
        [ -f "$ours" ] && diff <(tr ',' '\n' <"$stock") <(tr ',' '\n' <"$ours") | sed 's/^/    /'
    fi
done
if "$ft" cluster-read "$TMP/stock-slurm.json" >"$TMP/slurm.out" && grep -qx "controller.job_id=777" "$TMP/slurm.out" &&
    grep -qx "set.1700000000-s1.job_id=778" "$TMP/slurm.out" && grep -qx "running=yes" "$TMP/slurm.out"; then
    ok "libippc reads the Slurm job ids (no pids: counted as running, as the stock code does)"
else
    fail "reading the stock Slurm cluster file"; show "$TMP/slurm.out"
fi

# ------------------------------------------------------------------ the end
kill "$ctl"
for _ in $(seq 100); do kill -0 "$ctl" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$ctl" 2>/dev/null; then
    ok "ipcontroller stopped on SIGTERM"
else
    fail "ipcontroller still running after SIGTERM (lib.sh will kill it)"
fi
left=""
for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
if [ -z "$left" ]; then ok "no controller process left behind"; else fail "processes left:$left"; fi
if [ ! -e "$client" ]; then ok "ipcontroller removed its connection files on exit"; else fail "connection files still there"; fi

finish
