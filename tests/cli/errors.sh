#!/usr/bin/env bash
# errors.sh - ippctl's lifecycle commands on bad input, as a user meets it: malformed
# and unknown profiles, engines that cannot start (their log's end is shown and nothing
# is left running), a start interrupted by SIGINT or timing out, usage errors (exit 2),
# and --help (exit 0) of every subcommand.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/cli/lifecycle_helpers.sh"

# ------------------------------------------------------------------ profiles
mkdir -p "$IPYTHONDIR/profile_broken" "$IPYTHONDIR/profile_typo"
printf 'cluster:\n  n: 2\nengines: [shell: plain\n' > "$IPYTHONDIR/profile_broken/ippc.yaml"
printf 'cluster:\n  n: 2\nengines:\n  shel: plain\n' > "$IPYTHONDIR/profile_typo/ippc.yaml"
run 1 "start with malformed YAML" start -p broken --daemonize
expect "malformed YAML: the message has file:line:column" "$ERR" "profile_broken/ippc.yaml:[0-9]+:[0-9]+: "
run 1 "start with an unknown key" start -p typo --daemonize
expect "unknown key: file:line:column and the key" "$ERR" "profile_typo/ippc.yaml:4:3: .*shel"
run 1 "start with an unknown profile" start -p nosuch --daemonize
expect "unknown profile: where it looked and how to create one" "$ERR" "profile 'nosuch' not found: looked in .*ippctl profile create nosuch"
run 1 "profile show of a malformed profile" profile show broken
expect "profile show: the same file:line:column" "$ERR" "profile_broken/ippc.yaml:[0-9]+:[0-9]+: "
no_leftovers "after the profile errors"

# ----------------------------------------------------- engines that cannot start
run 1 "start with an import error in the startup code" start -n 2 --daemonize --wait \
    --set 'engines.startup=import no_such_module_xyz'
expect "startup error: which engine, its exit status" "$ERR" "engine [01] of set [0-9-]+ \(pid [0-9]+\) exited with status 1; the end of its log"
expect "startup error: the traceback from its log" "$ERR" "ModuleNotFoundError: No module named 'no_such_module_xyz'"
expect "startup error: says what was stopped" "$ERR" "stopped what was started \(3 processes\)"
[ ! -e "$SEC/cluster-.json" ] && ok "startup error: no cluster file is left" || fail "cluster file left"
no_leftovers "after the startup error"

run 1 "start with a Python that cannot start (PYTHONHOME)" start -n 1 --daemonize --wait \
    --set engines.env.PYTHONHOME=/nonexistent
expect "bad PYTHONHOME: the engine's own message" "$ERR" "ippc-engine: cannot start Python"
no_leftovers "after the bad PYTHONHOME"

run 1 "start with a python_path that does not exist" start -n 1 --daemonize --set "engines.python_path=[$TMP/nope]"
expect "bad python_path: named with its origin" "$ERR" "command line: engines.python_path: $TMP/nope: No such file or directory"
no_leftovers "after the bad python_path"

IPPC_ENGINE=/nonexistent/ippc-engine run 1 "start with IPPC_ENGINE naming nothing" start -n 1 --daemonize
expect "missing engine program: says so" "$ERR" "IPPC_ENGINE=/nonexistent/ippc-engine is not an executable file"
no_leftovers "after the missing engine program (its controller was stopped)"


# -------------------------------------------------- interrupted and timed out
in_background int start -n 2 --daemonize --wait --set 'engines.startup=import time; time.sleep(120)'
wait_for_file "$SEC/cluster-.json" 60 || fail "no cluster file while starting"
for _ in $(seq 100); do [ "$(recorded_pids "$SEC/cluster-.json" 2>/dev/null | wc -l)" = 3 ] && break; sleep 0.1; done
STARTED=$(recorded_pids "$SEC/cluster-.json")
signal_bg INT 1 "SIGINT to ippctl start --wait"
expect "SIGINT: says it was interrupted and stopped what it started" "$(cat "$TMP/int.err")" "interrupted while waiting for (engines|the controller)"
all_gone "after SIGINT to ippctl start --wait" $STARTED
[ ! -e "$SEC/cluster-.json" ] && ok "SIGINT: no cluster file is left" || fail "cluster file left after SIGINT"

run 1 "start --timeout 2 with engines that never register" start -n 1 --daemonize --wait --timeout 2 \
    --set 'engines.startup=import time; time.sleep(120)'
expect "timeout: how many registered, and the engine that did not with its log" "$ERR" "0 of 1 engines registered within 2 s"
expect "timeout: the engine's log is named" "$ERR" "engine 0 of set [0-9-]+ \(pid [0-9]+\) has not registered; its log"
no_leftovers "after the timeout"

# --------------------------------------------------------- commands on no cluster
run 1 "status when nothing runs" status
expect "status: not running, and how to start" "$ERR" "is not running: there is no cluster file .*ippctl start"
run 1 "engines -n 1 when nothing runs" engines -n 1
expect "engines: not running" "$ERR" "is not running \(no cluster file"

# ------------------------------------------------------------------ usage
usage() {
    local what=$1
    shift
    run 2 "usage error: $what" "$@"
    expect "usage error: $what: says how to get help" "$ERR" "^Try 'ippctl [a-z]+ --help'\.$"
}
usage "start -n 0" start -n 0
usage "start --bogus" start --bogus
usage "start with an argument" start extra
usage "start --timeout x" start --timeout x
usage "start --set without =" start --set cluster.n
usage "start --set of an unknown key" start --set cluster.nn=3
usage "start --cluster-id with a slash" start --cluster-id a/b
usage "start --launcher bogus" start --launcher bogus
usage "stop with an argument" stop extra
usage "stop --all --cluster-id" stop --all --cluster-id x
usage "list with an argument" list extra
usage "status --timeout -1" status --timeout -1
usage "engines without -n" engines
usage "engines -n x" engines -n x
usage "clean --all -p x" clean --all -p x
usage "profile without an action" profile
usage "profile frob" profile frob
usage "profile create without a name" profile create
run 2 "an unknown command" frob
no_leftovers "after the usage errors"

# ------------------------------------------------------------------ help
for cmd in start stop list status engines clean profile; do
    run 0 "ippctl $cmd --help" "$cmd" --help
    expect "ippctl $cmd --help: usage and exit status" "$OUT" "^Usage: ippctl $cmd"
    [ -z "$ERR" ] && ok "ippctl $cmd --help: nothing on stderr" || fail "ippctl $cmd --help wrote to stderr: $ERR"
done
run 0 "ippctl --help" --help
expect "ippctl --help lists the lifecycle commands" "$OUT" "^  engines +add engines to a running cluster$"

finish
