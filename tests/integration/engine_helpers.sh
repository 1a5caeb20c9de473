# engine_helpers.sh - shared set-up of the ippc-engine integration tests (sourced after
# lib.sh): a stock ipcontroller on 127.0.0.1 with a private IPYTHONDIR, ippc-engines
# started in the background, and the Python driver whose "ok - " / "FAIL - " lines
# become results. Every process started here is in PIDS, so lib.sh's trap stops it.
need_python_modules ipyparallel zmq
ENGINE="$top_builddir/engine/ippc-engine"
[ -x "$ENGINE" ] || skip "$ENGINE not built"
DRIVER="$top_srcdir/tests/integration/engine_driver.py"
export IPYTHONDIR="$TMP/ipython"
SECURITY="$IPYTHONDIR/profile_default/security"
ENGINE_PIDS=()

# wait_exit PID SECONDS: wait for a process we started to end; its status in EXIT_STATUS.
wait_exit() {
    local pid=$1 t=$2 i
    for i in $(seq $((t * 10))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            EXIT_STATUS=$?
            return 0
        fi
        sleep 0.1
    done
    EXIT_STATUS=
    return 1
}

# The stock ipcontroller runs its schedulers and heartbeat in child processes that
# outlive a killed parent: it runs in a process group of its own, stopped as a whole.
CONTROLLER_PID=
engine_cleanup() {
    if [ -n "$CONTROLLER_PID" ]; then
        kill -TERM -- "-$CONTROLLER_PID" 2>/dev/null
        wait_exit "$CONTROLLER_PID" 5
        kill -KILL -- "-$CONTROLLER_PID" 2>/dev/null
    fi
    cleanup
}
trap engine_cleanup EXIT

# start_controller [ipcontroller args...]: a stock controller; CONTROLLER_PID (also its
# process group: a background job of a script is no group leader, so setsid keeps the pid).
start_controller() {
    setsid "$PYTHON3" -m ipyparallel.controller --ip=127.0.0.1 "$@" > "$TMP/controller.log" 2>&1 &
    CONTROLLER_PID=$!
    PIDS+=("$CONTROLLER_PID")
    if ! wait_for_file "$SECURITY/ipcontroller-engine.json" 60 || ! wait_for_file "$SECURITY/ipcontroller-client.json" 60; then
        tail -20 "$TMP/controller.log" >&2
        skip "the stock ipcontroller did not start"
    fi
}

# start_engine NAME [ippc-engine args...]: an engine logging to $TMP/NAME.log; its pid
# is appended to ENGINE_PIDS (and PIDS).
start_engine() {
    local name=$1
    shift
    "$ENGINE" "$@" > "$TMP/$name.log" 2>&1 &
    ENGINE_PIDS+=($!)
    PIDS+=($!)
}

# run_py SCRIPT [args...]: run a Python driver, turning its "ok - " / "FAIL - " lines
# into results; other lines are shown as notes and kept in $TMP/notes. (The stock
# client may print a note such as "got stale result" without a newline, so the markers
# are looked for anywhere in a line.)
run_py() {
    local line
    : > "$TMP/notes"
    while IFS= read -r line; do
        case $line in
        *"FAIL - "*) fail "${line#*FAIL - }" ;;
        *"ok - "*) ok "${line#*ok - }" ;;
        "driver exit status 0") ;;
        "driver exit status "*) fail "$(basename "$1"): ${line#driver }" ;;
        *) echo "# $line"; echo "$line" >> "$TMP/notes" ;;
        esac
    done < <(timeout 180 "$PYTHON3" "$@" 2>&1; echo "driver exit status $?")
}

# drive SCENARIO [args...]: a scenario of engine_driver.py.
drive() {
    run_py "$DRIVER" "$@"
}

# expect STATUS PATTERN DESCRIPTION -- command...: run a command that ends by itself
# (within 60 s), check its exit status and that its output (stdout, stderr: kept in
# $TMP/out and $TMP/err) matches the extended regex PATTERN.
expect() {
    local want=$1 pattern=$2 what=$3
    shift 4
    timeout 60 "$@" > "$TMP/out" 2> "$TMP/err"
    local got=$?
    if [ "$got" = "$want" ] && grep -Eq -- "$pattern" "$TMP/out" "$TMP/err"; then
        ok "$what"
    else
        fail "$what (status $got, want $want; stderr: $(tail -c 600 "$TMP/err"))"
    fi
}

show_logs() {
    local f
    for f in "$TMP"/*.log; do
        echo "--- $f"
        tail -25 "$f"
    done
}
