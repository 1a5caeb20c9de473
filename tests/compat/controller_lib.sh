# controller_lib.sh - helpers for the controller's integration tests (sourced).
# Builds on tests/integration/lib.sh: $TMP, PIDS (stopped on exit), ok/fail/skip/finish.
. "$top_srcdir/tests/integration/lib.sh"
: "${compat_srcdir:=$top_srcdir/tests/compat}"
: "${compat_builddir:=$top_builddir/tests/compat}"
CONTROLLER=$top_builddir/controller/ippc-controller
[ -x "$CONTROLLER" ] || skip "no $CONTROLLER (build it first)"
export IPYTHONDIR=$TMP/ipython
export PYTHONDONTWRITEBYTECODE=1
PROFILE=ctest
SECURITY=$IPYTHONDIR/profile_$PROFILE/security
CLIENT_JSON=$SECURITY/ipcontroller-client.json
ENGINE_JSON=$SECURITY/ipcontroller-engine.json

# start_controller [ARGS...]: start it on 127.0.0.1, wait for its files; sets CTL_PID
# and CTL_LOG.
start_controller() {
    CTL_LOG=$TMP/controller.log
    rm -f "$CLIENT_JSON" "$ENGINE_JSON"
    "$CONTROLLER" --profile=$PROFILE --ip=127.0.0.1 "$@" > "$CTL_LOG" 2>&1 &
    CTL_PID=$!
    PIDS+=("$CTL_PID")
    wait_for_file "$CLIENT_JSON" 20 || { cat "$CTL_LOG" >&2; fail "controller did not write its files"; finish; exit 1; }
}

# start_engine [ARGS...]: one stock ipengine for the profile; sets ENGINE_PID.
start_engine() {
    "$PYTHON3" -m ipyparallel.engine --profile=$PROFILE --log-level=30 "$@" > "$TMP/engine.$RANDOM.log" 2>&1 &
    ENGINE_PID=$!
    PIDS+=("$ENGINE_PID")
}

# py SCRIPT [ARGS...]: run a Python test script under a time limit.
py() {
    timeout -k 5 "${PY_TIMEOUT:-120}" "$PYTHON3" "$@"
}

# sanitizer_clean LOG: no AddressSanitizer/UBSan/LeakSanitizer report in a controller log.
sanitizer_clean() {
    if grep -q "Sanitizer\|runtime error:" "$1"; then
        fail "sanitizer report in $(basename "$1"):"
        grep -A 12 "Sanitizer\|runtime error:" "$1" | head -30
    else
        ok "no sanitizer report in $(basename "$1")"
    fi
}

# stop_controller: SIGTERM, expect exit 0 and a clean log.
stop_controller() {
    kill -TERM "$CTL_PID" 2>/dev/null
    wait "$CTL_PID"
    local rc=$?
    [ $rc = 0 ] && ok "controller stopped with exit 0" || fail "controller exit status $rc"
    sanitizer_clean "$CTL_LOG"
}
