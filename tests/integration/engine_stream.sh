#!/usr/bin/env bash
# engine_stream.sh - output of user code reaches the client while the code runs: a loop's
# prints (flushed or not), stderr, writes to fd 1/2, C-level printf and child processes.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/engine_helpers.sh"

start_controller --ping=1000
start_engine engine --shell=plain
drive stream
[ "$fails" -eq 0 ] || show_logs
finish
