#!/usr/bin/env bash
# client_stock.sh - the C client against a stock ipcontroller and stock ipengines: what
# needs no native engine (connect, ids, wait_for_engines, views, execute and its errors,
# results and metadata, send_signal, EngineError when an engine is killed, cluster files).
. "$top_srcdir/tests/integration/lib.sh"

need_python_modules ipyparallel
command -v ipcontroller >/dev/null && command -v ipengine >/dev/null || skip "stock ipcontroller/ipengine not installed"
tool="$tools/ippc-clienttool"
[ -x "$tool" ] || skip "no $tool"

export IPYTHONDIR="$TMP/ipython"
sec="$IPYTHONDIR/profile_default/security"
cf="$sec/ipcontroller-client.json"

# Run the tool; its output goes to $TMP/out (and the test log).
run() { "$tool" "$@" > "$TMP/out" 2>&1; cat "$TMP/out"; }
has() { grep -qF -- "$1" "$TMP/out"; }
check() { if has "$2"; then ok "$1"; else fail "$1 (no '$2' in output)"; fi; }

# ---- before any controller: clear errors, quickly
mkdir -p "$sec"
port=$("$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$TMP/nobody.json" <<EOF
{"ssh": "", "interface": "tcp://127.0.0.1", "registration": $port, "control": $((port+1)), "mux": $((port+2)),
 "task": $((port+3)), "task_scheme": "leastload", "iopub": $((port+4)), "notification": $((port+5)),
 "broadcast": $((port+6)), "key": "k", "curve_serverkey": null, "location": "x", "pack": "json",
 "unpack": "json", "signature_scheme": "hmac-sha256"}
EOF
start=$(date +%s.%N)
run -f "$TMP/nobody.json" -t 1 ids
took=$("$PYTHON3" -c "print($(date +%s.%N) - $start)")
check "no controller: IPPC_E_CONNECT naming the address" \
    "ERR IPPC_E_CONNECT: no controller answered at tcp://127.0.0.1:$port within 1 s (is the cluster running? ippctl start)"
"$PYTHON3" -c "import sys; sys.exit(0 if $took < 3 else 1)" && ok "no controller: gave up after the timeout (${took}s)" \
    || fail "no controller: took ${took}s"
run -f "$TMP/missing.json" ids
check "missing connection file: IPPC_E_NOTFOUND" "ERR IPPC_E_NOTFOUND"
run -p default ids
check "no cluster file: IPPC_E_NOTFOUND" "ERR IPPC_E_NOTFOUND: no cluster file $sec/cluster-.json"

# ---- a stock cluster of two engines
ipcontroller --ip=127.0.0.1 --ping=500 > "$TMP/controller.log" 2>&1 &
PIDS+=($!)
ctl_pid=$!
wait_for_file "$cf" 30 || { cat "$TMP/controller.log"; fail "ipcontroller wrote no connection file"; finish; exit; }
for _ in 1 2; do
    ipengine > "$TMP/engine.$_.log" 2>&1 &
    PIDS+=($!)
done

run -f "$cf" wait 2 60 ids wait 3 1
check "wait_for_engines" "engines ready"
check "ids are sorted and current" "ids: 0 1"
check "wait_for_engines times out like the stock client" \
    "ERR IPPC_E_TIMEOUT: 3 engines not ready in 1 seconds. Currently ready: 2"

run -f "$cf" view : view -1 view ::2 view 1,0 view 5 view "1:1"
check "view ':' freezes all ids" "view :: 0 1"
check "view '-1' is the last engine" "view -1: 1"
check "view '::2'" "view ::2: 0"
check "view of a list keeps its order" "view 1,0: 1 0"
check "view of an unknown engine" "ERR IPPC_E_NOTFOUND: No such engine: 5"
check "view of an empty slice" "ERR IPPC_E_NOTFOUND: targets '1:1' select no engines"

run -f "$cf" exec "print('hello'); import sys; print('oops', file=sys.stderr)" \
    exec --loud "6*7" exec "1/0" view 1 exec "1/0" exec "print(2)"
check "execute: one None per engine" "[None, None]"
check "execute: stdout per engine" "[stdout:1] hello"
check "execute: stderr per engine" "[stderr:0] oops"
check "execute with silent off: execute_result" "[out:1] 42"
check "errors of several engines: CompositeError" "ERR IPPC_E_COMPOSITE: one or more exceptions from call to method: execute"
check "composite entries name engine and method" "  [1:execute] ZeroDivisionError: division by zero"
check "an int view: RemoteError" "ERR IPPC_E_REMOTE: ZeroDivisionError(division by zero)"
grep -qx "None" "$TMP/out" && ok "an int view: a single value, not a list" || fail "an int view gave no single None"
has "[stdout:1] 2" && ! has "[stdout:0] 2" && ok "an int view runs on its engine only" || fail "an int view ran elsewhere"

run -f "$cf" exec --return-exceptions "1/0" exec --targets 0 "x = 1" exec --targets 1 "print(x)"
check "return_exceptions: failures as values" \
    "[<Remote[0]:ZeroDivisionError(division by zero)>, <Remote[1]:ZeroDivisionError(division by zero)>]"
check "per-call targets" "ERR IPPC_E_REMOTE: NameError(name 'x' is not defined)"

run -f "$cf" start r exec "import time; time.sleep(2); print('done')" result r 0.2 ready r successful r \
    waitr r 0.1 waitr r 30 ready r successful r meta r result r 0 \
    start a exec "y = 1" start b exec "import time; time.sleep(0.5)" waitall 30 \
    start c exec --targets 1 "import time; time.sleep(0.3)" fdloop c 30 \
    block on start d exec "import time; time.sleep(0.5)" ready d
check "get with a timeout: Result not ready." "ERR IPPC_E_TIMEOUT: Result not ready."
[ "$(sed -n '/^started r$/,/^meta/p' "$TMP/out" | grep -c '^false$')" = 3 ] && ok "ready/successful/wait(0.1) false while running" \
    || fail "ready/successful/wait before completion"
[ "$(sed -n '/^started r$/,/^meta/p' "$TMP/out" | grep -c '^true$')" = 3 ] && ok "wait/ready/successful true once done" \
    || fail "wait/ready/successful after completion"
check "metadata: engine, ordered dates, stdout" "meta[1]: engine=1 dates=ok msg_id=yes stdout='done\n' stderr='' error=none"
check "ippc_wait on several results" "true"
check "an event loop on ippc_client_fd sees the reply" "fdloop: replied (messages read on wake-ups)"
[ "$(tail -1 "$TMP/out")" = true ] && ok "a blocking view returns finished results" || fail "blocking view"

run -f "$cf" apply --targets 0 "len" "[[]]" -
check "native apply on a stock engine: a clear error" \
    "ERR IPPC_E_PROTOCOL: engine 0 cannot run native apply requests (a stock ipengine? it failed unpacking: AssertionError): apply and the operations built on it need ippc-engine"

run -f "$cf" imports "os, json.decoder" imports "no_such_module_xyz" imports "bad name!"
check "sync_imports" "imported"
check "sync_imports of a missing module: its ImportError" "ModuleNotFoundError: No module named 'no_such_module_xyz'"
check "sync_imports checks names" "ERR IPPC_E_INVALID: sync_imports: bad module name"

run -f "$cf" start s exec "import time; time.sleep(30)" sleep 1.5 signal 2 all result s 20 signal 2 7
check "send_signal is answered" "signalled"
check "SIGINT interrupts running code: KeyboardInterrupt" "  [1:execute] KeyboardInterrupt: "
check "send_signal to an unknown engine" "ERR IPPC_E_NOTFOUND: No such engine: 7"

# ---- cluster files (Cluster.from_file) pointing at our controller, and at a dead one
"$PYTHON3" - "$sec" "$ctl_pid" "$IPYTHONDIR/profile_default" <<'PY'
import json, os, sys
sec, pid, pdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def write(cid, pid):
    d = {"cluster": {"cluster_id": cid, "profile_dir": pdir, "class": "ipyparallel.cluster.cluster.Cluster",
                     "controller_args": [], "controller_ip": "", "controller_location": "", "delay": 1.0, "n": 2},
         "controller": {"class": "local", "state": {"cluster_id": cid, "profile_dir": pdir, "pid": pid,
                        "output_file": "", "state": "running"}},
         "engines": {"class": "local", "sets": {}}}
    with open(os.path.join(sec, "cluster-%s.json" % cid), "w") as f:
        json.dump(d, f)
write("", pid)
write("gone", 2 ** 22 + 12345)
PY
run -p default wait 2 30 ids
check "Cluster.from_file defaults: profile default, cluster id ''" "ids: 0 1"
run -p "$IPYTHONDIR/profile_default" -c gone -t 5 ids
check "a cluster whose controller is gone" "ERR IPPC_E_STATE: the controller (pid $((2 ** 22 + 12345))) stopped while waiting for"

# ---- an engine killed while running: EngineError, and the ids shrink
run -f "$cf" wait 2 30 pids start r exec "import time; time.sleep(3)" kill 1 result r 120 ids
check "kill -9 of a busy engine: EngineError" "ERR IPPC_E_ENGINE: Engine 1 died while running task '"
check "the dead engine leaves the ids" "ids: 0"
finish
