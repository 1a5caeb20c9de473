#!/usr/bin/env bash
# engine_crash.sh - a user extension that segfaults (ctypes.string_at(0)) kills only its
# engine: the client gets EngineError, the controller unregisters the engine at once
# (the engine's crash handler sends the unregistration), the other engine keeps working.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"

start_controller        # default heartbeat (3 s): prompt notice must not come from it
start_engine crash --shell=plain   # which of the two crashes depends on the ids they get
start_engine other --shell=plain
drive crash
pid=$(sed -n 's/^crashed-pid //p' "$TMP/notes")
if [ -n "$pid" ] && wait_exit "$pid" 10; then
    # 139 = 128 + SIGSEGV: the signal kept its default action after the notice
    [ "$EXIT_STATUS" = 139 ] && ok "the crashed engine died of SIGSEGV" || fail "crashed engine exit status $EXIT_STATUS"
else
    fail "the crashed engine process is gone"
fi
cat "$TMP"/crash.log "$TMP"/other.log | grep -q "Fatal Python error: Segmentation fault" && ok "the engine log has the Python stack of the crash" \
    || fail "no faulthandler stack in the log"
[ "$fails" -eq 0 ] || show_logs
finish
