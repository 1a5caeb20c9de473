#!/usr/bin/env bash
# engine_signals.sh - ippc-engine turns SIGINT into KeyboardInterrupt in running user code
# (from the client's signal_request and from a plain kill -INT), serves the next request
# within a second, and ignores SIGINT while idle; with the IPython and the plain shell.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"

start_controller --ping=1000
start_engine ipython --shell=ipython --InteractiveShell.colors=nocolor
start_engine plain --shell=plain
drive signals 2
[ "$fails" -eq 0 ] || show_logs
finish
