#!/usr/bin/env bash
# client_native.sh - the C client's native operations (apply, push/pull, get/set,
# scatter/gather, map, remote and parallel functions, require, track) against three
# ippc-engines, under ippc-controller and under the stock ipcontroller.
. "$top_srcdir/tests/integration/lib.sh"

tool="$tools/ippc-clienttool"
engine="$top_builddir/engine/ippc-engine"
controller="$top_builddir/controller/ippc-controller"
[ -x "$tool" ] || skip "no $tool"
[ -x "$engine" ] || skip "no ippc-engine in this build"
"$engine" --version >/dev/null 2>&1 || skip "ippc-engine does not run"

run() { "$tool" "$@" > "$TMP/out" 2>&1; cat "$TMP/out"; }
has() { grep -qF -- "$1" "$TMP/out"; }
# check NAME EXPECTED-LINE: the output has that exact line
check() { if grep -qxF -- "$2" "$TMP/out"; then ok "$1"; else fail "$1 (no line '$2')"; fi; }

# start_cluster KIND: a controller (ippc or stock) and three ippc-engines in a fresh
# IPYTHONDIR; sets cf (the client connection file) and engine_pids.
start_cluster() {
    export IPYTHONDIR="$TMP/ipython-$1"
    cf="$IPYTHONDIR/profile_default/security/ipcontroller-client.json"
    if [ "$1" = ippc ]; then
        "$controller" --ip=127.0.0.1 --ping=500 > "$TMP/controller-$1.log" 2>&1 &
    else
        ipcontroller --ip=127.0.0.1 --ping=500 > "$TMP/controller-$1.log" 2>&1 &
    fi
    PIDS+=($!)
    ctl=$!
    wait_for_file "$cf" 30 || return 1
    engine_pids=()
    for i in 1 2 3; do
        "$engine" --shell=plain > "$TMP/engine-$1.$i.log" 2>&1 &
        PIDS+=($!)
        engine_pids+=($!)
    done
}

stop_cluster() {
    for p in "${engine_pids[@]}" "$ctl"; do kill "$p" 2>/dev/null || true; done
    for p in "${engine_pids[@]}" "$ctl"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
}

suite() {
    local k=$1
    start_cluster "$k" || { fail "$k: the controller wrote no connection file"; return; }

    run -f "$cf" wait 3 60 \
        apply "lambda x, y=1: x * y + 1" "[20]" "{'y': 2}" \
        apply "lambda: 1/0" - - \
        apply --targets 2 "lambda: (1, None, b'x', 2.5, 'é', {'k': [True]})" - - \
        push a 5 pull a apply "lambda b: a + b" "(10,)" - \
        set b "[1, 2]" get b pull "a, b" pull nosuch
    check "$k: apply with args and kwargs" "[41, 41, 41]"
    check "$k: apply errors from several engines" "ERR IPPC_E_COMPOSITE: one or more exceptions from call to method: apply"
    check "$k: apply error entries" "  [2:apply] ZeroDivisionError: division by zero"
    check "$k: values both ways, single result" "(1, None, b'x', 2.5, 'é', {'k': [True]})"
    check "$k: push then pull" "[5, 5, 5]"
    check "$k: pushed names resolve in callables" "[15, 15, 15]"
    check "$k: view[name] = value, view[name]" "[[1, 2], [1, 2], [1, 2]]"
    check "$k: pull of several names gives tuples" "[(5, [1, 2]), (5, [1, 2]), (5, [1, 2])]"
    check "$k: pull of a missing name" "  [0:apply] NameError: name 'nosuch' is not defined"

    run -f "$cf" wait 3 60 \
        scatter x "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" pull x gather x \
        scatter r "range(5)" pull r \
        scatter --flatten y "[7, 8, 9]" pull y scatter --flatten z "range(3)" pull z \
        scatter w "[1]" pull w \
        map "lambda v: v * v" "range(7)" map "lambda v: v" "[]" map "str" "[1, 2]" \
        map --return-exceptions "lambda v: 1 / v" "[1, 0, 2, 4]"
    check "$k: scatter: contiguous parts, the first ones longer" "[[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]"
    check "$k: gather joins the parts" "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
    check "$k: scatter of a range gives ranges" "[range(0, 2), range(2, 4), range(4, 5)]"
    check "$k: scatter with flatten" "[7, 8, 9]"
    check "$k: scatter of a range with flatten" "[0, 1, 2]"
    check "$k: scatter of fewer items than engines" "[[1], [], []]"
    check "$k: map" "[0, 1, 4, 9, 16, 25, 36]"
    check "$k: map of nothing" "[]"
    check "$k: map of a builtin" "['1', '2']"
    # the first engine's part [1, 0] fails as a whole, as in AsyncMapResult
    check "$k: map with return_exceptions" "[<Remote[0]:ZeroDivisionError(division by zero)>, 0.5, 0.25]"

    run -f "$cf" wait 3 60 \
        remote "lambda v: v + 1" "[1]" - \
        remote "lambda: json.dumps([1])" - "json" \
        remote "lambda: 1" - "os, no_such_module_abc" \
        pcall "lambda part: [len(part)]" "[1, 2, 3, 4, 5]" - \
        pcall "sum" "range(10)" - \
        pmap "lambda v: math.sqrt(v)" "[1, 4, 9, 16]" "math" \
        view 1 remote "lambda: 7" - -
    check "$k: remote function" "[2, 2, 2]"
    check "$k: require imports before the call" "['[1]', '[1]', '[1]']"
    check "$k: require of a missing module: UnmetDependency" "  [0:apply] UnmetDependency: no_such_module_abc"
    check "$k: parallel function gets each engine's part" "[2, 2, 1]"
    check "$k: parallel function results joined" "[6, 15, 24]"
    check "$k: parallel map with require" "[1.0, 2.0, 3.0, 4.0]"
    check "$k: remote function on an int view" "7"

    # zero-copy sends: the caller's array is released once libzmq is done with it
    run -f "$cf" wait 3 60 track on \
        start t push --on-sent big @arange:200000 waitsend t 30 sent t result t 30 released \
        apply "lambda: (len(big), float(sum(big)))" - - \
        track off start u push small @arange:4 result u 30 sent u released
    check "$k: track: the on_sent callback runs" "on_sent t"
    check "$k: track: wait_for_send" "sent"
    check "$k: track: sent is true" "true"
    check "$k: track: the wrapped buffer was released" "released 1"
    check "$k: track: the data arrived whole" "[(200000, 19999900000.0), (200000, 19999900000.0), (200000, 19999900000.0)]"
    check "$k: untracked: released too" "released 2"

    # results: timeouts, readiness, metadata, output
    run -f "$cf" wait 3 60 \
        start r apply "lambda: (__import__('time').sleep(1.5), print('out'))[1]" - - \
        result r 0.2 ready r waitr r 30 meta r result r 0 \
        start q apply "lambda: 3" - - fdloop q 30
    check "$k: Result not ready." "ERR IPPC_E_TIMEOUT: Result not ready."
    check "$k: ready false while running" "false"
    check "$k: wait true when done" "true"
    check "$k: metadata with output" "meta[2]: engine=2 dates=ok msg_id=yes stdout='out\n' stderr='' error=none"
    check "$k: fd event loop" "fdloop: replied (messages read on wake-ups)"

    # the client destroyed before its views and results: finished results keep their
    # values, the rest fail cleanly
    run -f "$cf" wait 3 60 start r apply "lambda: 1" - - waitr r 30 \
        start q apply "lambda: __import__('time').sleep(2)" - - close result r 1 result q 1 apply "len" "[[]]" -
    check "$k: a finished result outlives its client" "[1, 1, 1]"
    [ "$(grep -c '^ERR IPPC_E_STATE: the client is closed$' "$TMP/out")" = 2 ] \
        && ok "$k: after close, waiting and calling fail with IPPC_E_STATE" || fail "$k: use after close"

    # signals and engine death (the first apply waits out what earlier runs left queued)
    run -f "$cf" wait 3 60 apply "lambda: 0" - - \
        start s apply "lambda: __import__('time').sleep(30)" - - sleep 0.5 signal 2 "0,2" result s 0.5 \
        signal 2 1 result s 20 \
        pids start d apply "lambda: __import__('time').sleep(3)" - - kill 2 result d 120 ids
    check "$k: SIGINT while busy: KeyboardInterrupt" "  [0:apply] KeyboardInterrupt: "
    has "ERR IPPC_E_ENGINE: Engine 2 died while running task '" && ok "$k: an engine died: EngineError" \
        || fail "$k: no EngineError"
    check "$k: the dead engine leaves the ids" "ids: 0 1"
    stop_cluster
}

[ -x "$controller" ] && "$controller" --version >/dev/null 2>&1 && suite ippc \
    || echo "# ippc-controller missing: its half skipped"
if command -v ipcontroller >/dev/null && "$PYTHON3" -c 'import ipyparallel' 2>/dev/null; then
    suite stock
else
    echo "# stock ipcontroller missing: its half skipped"
fi
[ "$passes" -gt 0 ] || skip "neither controller available"
finish
