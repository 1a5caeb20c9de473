#!/usr/bin/env bash
# engine_native.sh - apply_request in libippc's native encoding (metadata {"ippc": 1}):
# every value type round-trips, the descriptions match lib/value_codec.c's
# (tests/tools/ippc-valuetool), ndarrays travel as frames (nested lists on an engine
# without numpy), push/pull through expressions, errors as stock error replies.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"
need_python_modules jupyter_client numpy
export top_srcdir
valuetool="$tools/ippc-valuetool"
[ -x "$valuetool" ] || { echo "# $valuetool not built: encoding cross-checks skipped"; valuetool=-; }

run_native() {
    run_py "$top_srcdir/tests/integration/engine_native.py" "$@"
}

start_controller --ping=1000
start_engine numpy --shell=plain
run_native 0 "$valuetool"
kill -TERM "${ENGINE_PIDS[-1]}"
wait_exit "${ENGINE_PIDS[-1]}" 15

# an engine whose Python cannot import numpy
mkdir -p "$TMP/nonumpy"
echo 'raise ImportError("numpy hidden for this test")' > "$TMP/nonumpy/numpy.py"
PYTHONPATH="$TMP/nonumpy" start_engine nonumpy --shell=plain
run_native 1 - nonumpy
[ "$fails" -eq 0 ] || show_logs
finish
