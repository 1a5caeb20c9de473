#!/usr/bin/env bash
# engine_basics.sh - the stock Client drives ippc-engine through a stock ipcontroller:
# apply, execute, push/pull, scatter/gather, map; IOPub messages in the order of the
# protocol notes with engine.<id>.<kind> topics; IPython-layout tracebacks; SystemExit;
# clear, abort, stop_on_error and publish_data. With the IPython and the plain shell.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"

start_controller --ping=1000
for shell in ipython plain; do
    echo "# --shell=$shell"
    start_engine "$shell" --shell=$shell --InteractiveShell.colors=nocolor
    drive basics $shell
    kill -TERM "${ENGINE_PIDS[-1]}"
    wait_exit "${ENGINE_PIDS[-1]}" 15 || fail "the $shell engine stops on SIGTERM"
done
[ "$fails" -eq 0 ] || show_logs
finish
