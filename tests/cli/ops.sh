#!/usr/bin/env bash
# ops.sh - the operation subcommands of ippctl (px, apply, push, pull, scatter, gather,
# signal) against an ippc-controller and two plain-shell ippc-engines on 127.0.0.1, as a
# user sees them: standard output, standard error and exit status. Also their --help,
# usage errors (exit 2) and failures (exit 1: no cluster, no controller, no engines,
# unknown engine, timeout, exceptions on the engines).
. "$top_srcdir/tests/integration/lib.sh"

IPPCTL=$top_builddir/cli/ippctl
CONTROLLER=$top_builddir/controller/ippc-controller
ENGINE=$top_builddir/engine/ippc-engine
for p in "$IPPCTL" "$CONTROLLER" "$ENGINE"; do [ -x "$p" ] || skip "$p not built"; done
"$ENGINE" --version > /dev/null 2>&1 || skip "ippc-engine does not run"

export IPYTHONDIR=$TMP/ipython
PD=$IPYTHONDIR/profile_default
CF=$PD/security/ipcontroller-client.json
mkdir -p "$PD"

# ippctl WANT_RC DESCRIPTION ARGS...: run ippctl (stdin from /dev/null unless STDIN names
# a file); its output in $OUT and $ERR (also $TMP/out, $TMP/err); a result for the status.
ippctl() {
    local want=$1 what=$2
    shift 2
    timeout -k 5 120 "$IPPCTL" "$@" > "$TMP/out" 2> "$TMP/err" < "${STDIN:-/dev/null}"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    if [ "$RC" -eq "$want" ]; then
        ok "$what: exit $want"
    else
        fail "$what: exit $RC, not $want"
        sed 's/^/#   stdout: /' "$TMP/out"
        sed 's/^/#   stderr: /' "$TMP/err"
    fi
}
# same WHAT ACTUAL EXPECTED
same() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        fail "$1"
        echo "# expected:"; printf '%s\n' "$3" | sed 's/^/#   /'
        echo "# got:"; printf '%s\n' "$2" | sed 's/^/#   /'
    fi
}
# has WHAT TEXT PATTERN (an extended regex, matched against some line of TEXT)
has() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then
        ok "$1"
    else
        fail "$1: no line matches /$3/"
        printf '%s\n' "$2" | sed 's/^/#   /'
    fi
}
hasnt() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then
        fail "$1: a line matches /$3/"
        printf '%s\n' "$2" | sed 's/^/#   /'
    else
        ok "$1"
    fi
}
# json WHAT PYTHON-EXPRESSION: evaluate with d = the JSON in $OUT; true passes
json() {
    if printf '%s' "$OUT" | "$PYTHON3" -c "import json, sys; d = json.load(sys.stdin); sys.exit(0 if ($2) else 1)"; then
        ok "$1"
    else
        fail "$1: not ($2)"
        printf '%s\n' "$OUT" | sed 's/^/#   /'
    fi
}

# ------------------------------------------------------------ no cluster at all

ippctl 1 "px without a cluster" px 'print(1)'
same "px without a cluster: the message names the file and the fix" "$ERR" \
    "ippctl px: no cluster file $PD/security/cluster-.json; start one with: ippctl start"
ippctl 1 "pull of a cluster id that does not run" pull -p default --cluster-id nosuch a
has "the message names the cluster's file and how to start it" "$ERR" \
    "no cluster file .*/cluster-nosuch.json; start one with: ippctl start -p default --cluster-id nosuch"
ippctl 1 "a connection file that does not exist" gather -f "$TMP/nosuch.json" a
has "the message names the file" "$ERR" "nosuch.json: no such file"

# ----------------------------------------------------------------- usage errors

for cmd in px apply push pull scatter gather signal; do
    ippctl 0 "$cmd --help" "$cmd" --help
    has "$cmd --help shows the synopsis" "$OUT" "^Usage: ippctl $cmd "
    has "$cmd --help shows an example" "$OUT" "^  ippctl $cmd"
    has "$cmd --help lists --file" "$OUT" "^  -f, --file FILE"
    ippctl 2 "$cmd with an unknown option" "$cmd" --bogus x y
    same "$cmd --bogus: the message" "$ERR" "ippctl $cmd: unknown option '--bogus'
Try 'ippctl $cmd --help'."
    ippctl 2 "$cmd without its argument" "$cmd" -f "$CF"
    has "$cmd without its argument: says so" "$ERR" "^ippctl $cmd: missing argument \(usage: ippctl $cmd "
done
ippctl 2 "an option without its value" px -f "$CF" 'pass' --targets
has "says which option" "$ERR" "option '--targets' needs a value"
ippctl 2 "a flag given a value" px --json=yes 'pass'
ippctl 2 "a bad --timeout" px --timeout soon 'pass'
has "says what is wrong with it" "$ERR" "--timeout: 'soon' is not a number of seconds"
ippctl 2 "too many arguments" px 'pass' 'pass'
ippctl 2 "a malformed literal" push -f "$CF" 'a=[1, 2'
has "the parse error and its position" "$ERR" "bad value for a, \"\[1, 2\": at column 6: expected"
ippctl 2 "push of a word without =" push -f "$CF" a
has "says NAME=VALUE" "$ERR" "'a' is not NAME=VALUE"
ippctl 2 "push to a name that is no identifier" push -f "$CF" '1a=1'
ippctl 2 "pull of a name that is no identifier" pull -f "$CF" 'a-b'
ippctl 2 "scatter of a non-sequence" scatter -f "$CF" x 5
has "says what it can scatter" "$ERR" "cannot scatter 5, of type int: give a list, a tuple or a range"
ippctl 2 "apply with a malformed argument" apply -f "$CF" f "'unterminated"
has "names the argument" "$ERR" "bad value for argument 1, "
ippctl 2 "apply with a positional argument after a keyword" apply -f "$CF" f x=1 2
ippctl 2 "an unknown signal" signal -f "$CF" NOPE
has "says what a signal is" "$ERR" "'NOPE' is not a signal: give a name \(INT, SIGINT"
ippctl 2 "both --file and --profile" px -f "$CF" -p default 'pass'

# ------------------------------------------------------------ the cluster

"$CONTROLLER" --profile-dir="$PD" --ip=127.0.0.1 > "$TMP/controller.log" 2>&1 &
PIDS+=($!)
wait_for_file "$CF" 60 || { cat "$TMP/controller.log"; fail "the controller wrote $CF"; finish; exit 1; }

ippctl 1 "px before any engine registered" px -f "$CF" 'pass'
has "says there are no engines" "$ERR" "the cluster has no engines registered; start some"

for i in 1 2; do
    "$ENGINE" --profile-dir="$PD" --shell=plain --InteractiveShell.colors=NoColor > "$TMP/engine.$i.log" 2>&1 &
    PIDS+=($!)
done
for _ in $(seq 600); do   # until engines 0 and 1 are registered (60 s)
    "$IPPCTL" px -f "$CF" -t 1 'pass' > /dev/null 2>&1 && break
    sleep 0.1
done
ippctl 0 "px once both engines registered" px -f "$CF" 'pass'
[ "$RC" -eq 0 ] || { tail -n 20 "$TMP"/*.log; finish; exit 1; }

# ------------------------------------------------------------------------ px

ippctl 0 "px print" px -f "$CF" "print('hi')"
same "px print: [stdout:ID] blocks as %px shows them" "$OUT" "[stdout:0] 
hi
[stdout:1] 
hi"
same "px print: nothing on stderr" "$ERR" ""

ippctl 0 "px with several lines of stdout and stderr" px -f "$CF" "import sys
print('a')
print('b')
print('oops', file=sys.stderr)"
same "px: stdout of each engine" "$OUT" "[stdout:0] 
a
b
[stdout:1] 
a
b"
same "px: stderr of each engine, on stderr" "$ERR" "[stderr:0] 
oops
[stderr:1] 
oops"

ippctl 0 "px output without a final newline" px -f "$CF" "print('p', end='')"
same "px: the line is ended before the next engine's" "$OUT" "[stdout:0] 
p
[stdout:1] 
p"

ippctl 0 "px of an expression" px -f "$CF" 'x = 6 * 7
x'
has "Out[0:N]: 42" "$OUT" '^Out\[0:[0-9]+\]: 42$'
has "Out[1:N]: 42" "$OUT" '^Out\[1:[0-9]+\]: 42$'
n1=$(printf '%s\n' "$OUT" | sed -n 's/^Out\[0:\([0-9]*\)\].*/\1/p')
m1=$(printf '%s\n' "$OUT" | sed -n 's/^Out\[1:\([0-9]*\)\].*/\1/p')
ippctl 0 "px of a str expression" px -f "$CF" -t 0 "'a' + 'b'"
same "the execution count goes up by one per px, the value is its repr" "$OUT" "Out[0:$((n1 + 1))]: 'ab'"
ippctl 0 "px of a value with a multi-line repr" px -f "$CF" -t 0 "class R:
    def __repr__(self):
        return 'line1\\nline2'
R()"
same "a multi-line Out starts on its own line" "$OUT" "Out[0:$((n1 + 2))]: 
line1
line2"

ippctl 1 "px raising on every engine" px -f "$CF" '1/0'
has "the first engine's block" "$ERR" '^\[0:execute\]: $'
has "the second engine's block" "$ERR" '^\[1:execute\]: $'
has "the traceback's cell line" "$ERR" '^Cell In \[[0-9]+\], line 1$'
has "the traceback's code line" "$ERR" '^----> 1 1/0$'
has "the exception" "$ERR" '^ZeroDivisionError: division by zero$'
same "nothing on stdout" "$OUT" ""
ippctl 1 "px raising on one engine of --targets 0" px -f "$CF" --targets 0 '1/0'
hasnt "a single engine's error has no [0:execute] header (a RemoteError)" "$ERR" 'execute\]'
has "but its traceback" "$ERR" '^ZeroDivisionError: division by zero$'

ippctl 0 "scatter --flatten of one id per engine" scatter -f "$CF" --flatten eid '[0, 1]'
ippctl 1 "px failing on engine 0 only" px -f "$CF" "print('start'); 1 / eid"
same "px: both engines' stdout" "$OUT" "[stdout:0] 
start
[stdout:1] 
start
Out[1:$((m1 + 2))]: 1.0"
has "engine 0's error under [0:execute]" "$ERR" '^\[0:execute\]: $'
hasnt "no error for engine 1" "$ERR" '^\[1:execute\]'

printf 'import sys\nprint("from stdin", sys.version_info[0])\n' > "$TMP/code.py"
STDIN=$TMP/code.py ippctl 0 "px - reads the code from stdin" px -f "$CF" -t 1 -
same "px -: its output" "$OUT" "[stdout:1] 
from stdin 3"

ippctl 0 "px --json" px -f "$CF" --json "print('j'); 6 * 7"
json "px --json: one object per engine with id, stdout, stderr, result, error" \
    "[e['id'] for e in d] == [0, 1] and all(e['stdout'] == 'j\n' and e['stderr'] == '' and e['result'] == '42' and e['error'] is None and isinstance(e['execution_count'], int) for e in d)"
ippctl 1 "px --json with an exception" px -f "$CF" --json -t 1 "undefined_name"
json "px --json: the error's name, value and traceback" \
    "d[0]['error']['ename'] == 'NameError' and 'undefined_name' in d[0]['error']['evalue'] and len(d[0]['error']['traceback']) > 0 and d[0]['result'] is None"

ippctl 1 "px on an engine that is not there" px -f "$CF" -t 7 'pass'
same "says so, with the registered engines" "$ERR" \
    "ippctl px: No such engine: 7 (registered engines: 0, 1)"
ippctl 1 "px on malformed targets" px -f "$CF" -t 'x' 'pass'
has "says what targets look like" "$ERR" "bad targets 'x'.*a slice like 1:3"
ippctl 1 "px that takes longer than --timeout" px -f "$CF" --timeout 0.5 'import time; time.sleep(2)'
has "says it timed out and how to interrupt the engines" "$ERR" \
    "timed out after 0.5 s waiting for engines 0,1 .*ippctl signal -f .* --targets 0,1 INT"

# ------------------------------------------------------------- push and pull

ippctl 0 "push of several literals" push -f "$CF" a=1 b="'text'" c='[1, 2.5, None, True]' \
    d="{'k': (1, 2), 'l': [b'x\\x00']}" e=-5 u="'h\u00e9llo \u2603'" r='range(0, 10, 2)' t='()'
same "push prints nothing" "$OUT$ERR" ""
ippctl 0 "pull of what was pushed" pull -f "$CF" a b c d e u r t
same "pull: [ID] NAME = repr per engine and name" "$OUT" "[0] a = 1
[0] b = 'text'
[0] c = [1, 2.5, None, True]
[0] d = {'k': (1, 2), 'l': [b'x\\x00']}
[0] e = -5
[0] u = 'héllo ☃'
[0] r = range(0, 10, 2)
[0] t = ()
[1] a = 1
[1] b = 'text'
[1] c = [1, 2.5, None, True]
[1] d = {'k': (1, 2), 'l': [b'x\\x00']}
[1] e = -5
[1] u = 'héllo ☃'
[1] r = range(0, 10, 2)
[1] t = ()"
ippctl 0 "pull of one name from one engine" pull -f "$CF" -t 1 d
same "the repr alone" "$OUT" "{'k': (1, 2), 'l': [b'x\\x00']}"
ippctl 0 "pull of two names from one engine" pull -f "$CF" -t -1 a b
same "NAME = repr lines" "$OUT" "a = 1
b = 'text'"
ippctl 0 "px sees the pushed values" px -f "$CF" -t 0 "print(type(d['k']).__name__, c[1] * 2, u.upper())"
same "with their Python types" "$OUT" "[stdout:0] 
tuple 5.0 HÉLLO ☃"
ippctl 0 "push to one engine" push -f "$CF" -t 1 a=2
ippctl 0 "pull shows the engines differ" pull -f "$CF" a
same "per-engine values" "$OUT" "[0] a = 1
[1] a = 2"
ippctl 0 "pull --json" pull -f "$CF" --json a c d
json "pull --json: values as JSON, reprs as Python prints them" \
    "[e['values']['a'] for e in d] == [1, 2] and d[0]['values']['c'] == [1, 2.5, None, True] and d[1]['reprs']['d'] == \"{'k': (1, 2), 'l': [b'x\\\\x00']}\" and d[1]['values']['d']['l'] == [None]"
ippctl 1 "pull of a name that is not defined" pull -f "$CF" nosuchname
has "the NameError of each engine" "$ERR" "^NameError: name 'nosuchname' is not defined"
has "under [0:apply]" "$ERR" '^\[0:apply\]: $'

# ---------------------------------------------------------- scatter and gather

ippctl 0 "scatter of range(10)" scatter -f "$CF" x 'range(10)'
same "scatter prints nothing" "$OUT$ERR" ""
ippctl 0 "pull of the parts" pull -f "$CF" x
same "each engine got a range, the first the larger half" "$OUT" "[0] x = range(0, 5)
[1] x = range(5, 10)"
ippctl 0 "gather of the ranges" gather -f "$CF" x
same "the parts listed, as the stock gather of ranges" "$OUT" "[range(0, 5), range(5, 10)]"
ippctl 0 "px on the parts" px -f "$CF" 'y = [i * i for i in x]'
ippctl 0 "gather of lists" gather -f "$CF" y
same "chained in engine order" "$OUT" "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"
ippctl 0 "scatter of a list of 5" scatter -f "$CF" z "['a', 2, 3.0, None, (5,)]"
ippctl 0 "pull of its parts" pull -f "$CF" z
same "3 + 2 items (the first len % n engines get one more)" "$OUT" "[0] z = ['a', 2, 3.0]
[1] z = [None, (5,)]"
ippctl 0 "gather --json" gather -f "$CF" --json z
json "gather --json: value and repr" "d['value'] == ['a', 2, 3.0, None, [5]] and d['repr'] == \"['a', 2, 3.0, None, (5,)]\""
ippctl 0 "scatter to --targets 1 only" scatter -f "$CF" -t 1 w '[7, 8]'
ippctl 0 "pull it there" pull -f "$CF" -t 1 w
same "one engine gets the whole sequence" "$OUT" "[7, 8]"
ippctl 1 "gather of a name some engine lacks" gather -f "$CF" w
has "the NameError of engine 0" "$ERR" "^NameError: name 'w' is not defined"

# ---------------------------------------------------------------------- apply

ippctl 0 "apply with positional arguments" apply -f "$CF" 'lambda x, y: x * y' 6 7
same "[ID] repr per engine" "$OUT" "[0] 42
[1] 42"
ippctl 0 "apply with a negative number and keyword arguments" apply -f "$CF" -t 0 \
    'lambda p, q=0, r=0: (p, q, r)' -1 r="'z'"
same "the result alone for one engine" "$OUT" "(-1, 0, 'z')"
ippctl 0 "apply of a callable that prints" apply -f "$CF" print "'hello'"
same "its output, then the results" "$OUT" "[stdout:0] 
hello
[stdout:1] 
hello
[0] None
[1] None"
ippctl 0 "apply using the engines' namespace" apply -f "$CF" 'lambda k: a + k' 40
same "a differs per engine" "$OUT" "[0] 41
[1] 42"
ippctl 1 "apply raising" apply -f "$CF" 'lambda: 1/0'
has "[0:apply] block" "$ERR" '^\[0:apply\]: $'
has "the exception" "$ERR" '^ZeroDivisionError: division by zero$'
ippctl 0 "apply --json" apply -f "$CF" --json -t 1 'lambda: {"n": [1, 2]}'
json "apply --json: value and repr per engine" \
    "d[0]['id'] == 1 and d[0]['value'] == {'n': [1, 2]} and d[0]['repr'] == \"{'n': [1, 2]}\" and d[0]['error'] is None"

# --------------------------------------------------------------------- signal

ippctl 0 "signal INT to idle engines" signal -f "$CF" INT
same "signal prints nothing" "$OUT$ERR" ""
ippctl 0 "signal by number to one engine" signal -f "$CF" -t 1 2
ippctl 1 "signal to an engine that is not there" signal -f "$CF" -t 5 SIGINT
has "says so" "$ERR" "No such engine: 5"

"$IPPCTL" px -f "$CF" 'import time; time.sleep(30)' > "$TMP/sleep.out" 2> "$TMP/sleep.err" &
sleeper=$!
PIDS+=($sleeper)
start=$(date +%s)
signalled=0
# An idle engine ignores SIGINT: signal until the sleeping px is over (at most 25 s).
while kill -0 "$sleeper" 2> /dev/null && [ $(($(date +%s) - start)) -lt 25 ]; do
    sleep 0.5
    "$IPPCTL" signal -f "$CF" INT && signalled=$((signalled + 1))
done
wait "$sleeper"
rc=$?
elapsed=$(($(date +%s) - start))
[ "$signalled" -gt 0 ] && ok "signal INT while px runs: exit 0" || fail "signal INT while px runs failed"
[ "$rc" -eq 1 ] && ok "the interrupted px: exit 1" || fail "the interrupted px: exit $rc, not 1"
[ "$elapsed" -lt 28 ] && ok "the sleep ended early ($elapsed s)" || fail "the sleep was not interrupted ($elapsed s)"
ERR=$(cat "$TMP/sleep.err")
has "engine 0 raised KeyboardInterrupt" "$ERR" '^\[0:execute\]: $'
has "engine 1 raised KeyboardInterrupt" "$ERR" '^\[1:execute\]: $'
has "the KeyboardInterrupt line" "$ERR" '^KeyboardInterrupt: ?$'

# ---------------------------------------------------------------- no controller

sed -E 's/"registration": *[0-9]+/"registration": 1/' "$CF" > "$TMP/dead.json"
ippctl 1 "a connection file whose controller is gone" px -f "$TMP/dead.json" --timeout 1 'pass'
has "says no controller answered" "$ERR" "no controller answered at tcp://127.0.0.1:1 within 1 s"

# ------------------------------------- a cluster of ippctl start, by its cluster id

if "$IPPCTL" start --help > /dev/null 2>&1; then
    ippctl 0 "ippctl start --daemonize --wait of a second cluster" start -n 2 --cluster-id ops2 \
        --daemonize --wait --json --set engines.shell=plain
    # its processes, for the trap of lib.sh should the stop below not happen
    started=($(printf '%s' "$OUT" | "$PYTHON3" -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(str(p) for p in [d["controller"]["pid"]] + [e["pid"] for e in d["engines"]]))'))
    before=("${PIDS[@]}")
    PIDS+=("${started[@]}")
    ippctl 0 "px finds it through -p and --cluster-id" px -p default --cluster-id ops2 'import os; os.getpid() > 0'
    has "px: both of its engines answered" "$OUT" '^Out\[1:[0-9]+\]: True$'
    ippctl 0 "ippctl stop of it" stop --cluster-id ops2
    gone=0
    for p in "${started[@]}"; do   # ended (a zombie, where no init reaps orphans, has ended)
        case $(ps -o stat= -p "$p" 2> /dev/null) in "" | Z*) gone=$((gone + 1)) ;; esac
    done
    [ "$gone" -eq 3 ] && ok "its 3 processes are gone" || fail "$((3 - gone)) of its processes still run"
    [ "$gone" -eq 3 ] && PIDS=("${before[@]}") # never signal pids that may be reused
else
    echo "# ippctl start is not available in this build: no check of a started cluster"
fi

[ "$fails" -eq 0 ] || tail -n 20 "$TMP"/*.log
finish
