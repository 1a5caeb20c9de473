# lifecycle_helpers.sh - shared set-up of the ippctl lifecycle tests (sourced after
# tests/integration/lib.sh): a private IPYTHONDIR whose default profile runs plain-shell
# engines (fast: no IPython import), a runner for ippctl that keeps its output and exit
# status, and checks by pid. On exit every process a cluster file of the private
# IPYTHONDIR records (and is still an ippc daemon) is killed, so a failing test leaves
# nothing behind.
IPPCTL=$top_builddir/cli/ippctl
for p in "$IPPCTL" "$top_builddir/controller/ippc-controller" "$top_builddir/engine/ippc-engine"; do
    [ -x "$p" ] || skip "$p not built"
done
"$top_builddir/engine/ippc-engine" --version > /dev/null 2>&1 || skip "ippc-engine does not run"

export IPYTHONDIR=$TMP/ipython
PD=$IPYTHONDIR/profile_default
SEC=$PD/security
mkdir -p "$PD"
cat > "$PD/ippc.yaml" <<'YAML'
engines:
  shell: plain
YAML
# ippctl finds the daemons of this build (beside it in the build tree).
unset IPPC_CONTROLLER IPPC_ENGINE

# The pids a cluster file records (controller first), one per line.
recorded_pids() {
    "$PYTHON3" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = (d.get("controller") or {}).get("state") or {}
if st.get("pid", -1) > 0:
    print(st["pid"])
for s in d.get("engines", {}).get("sets", {}).values():
    for e in s.get("engines", {}).values():
        if e.get("pid", -1) > 0:
            print(e["pid"])
PY
}

# Whether pid runs and is an ippc daemon (not a zombie, not a reused pid).
is_daemon() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q 'ippc-'
}

# The ippc daemons whose command line names our IPYTHONDIR, whatever started them.
leftovers() {
    local d
    for d in /proc/[0-9]*; do
        [ "${d#/proc/}" = $$ ] && continue
        { tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null | grep -q "ippc-.*$IPYTHONDIR" && is_daemon "${d#/proc/}" && echo "${d#/proc/}"
    done
    return 0
}

lifecycle_cleanup() {
    local p
    for p in $(leftovers); do PIDS+=("$p"); done
    cleanup
}
trap lifecycle_cleanup EXIT

# run WANT_RC WHAT ARGS...: run ippctl; stdout in $OUT, stderr in $ERR; a result for the
# exit status (and both outputs shown when it is not WANT_RC).
run() {
    local want=$1 what=$2
    shift 2
    timeout -k 5 300 "$IPPCTL" "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    if [ "$RC" -eq "$want" ]; then
        ok "$what (exit $want)"
    else
        fail "$what: exit $RC, not $want"
        sed 's/^/#   stdout: /' "$TMP/out"
        sed 's/^/#   stderr: /' "$TMP/err"
    fi
}

# in_background NAME ARGS...: start ippctl in the background (stdout, stderr in
# $TMP/NAME.out, .err); its pid in BG (and PIDS).
in_background() {
    local name=$1
    shift
    timeout -k 5 300 "$IPPCTL" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null &
    BG=$!
    PIDS+=("$BG")
}

# signal_bg SIG WANT_RC WHAT: send SIG to the background ippctl ($BG), wait for it and
# check its exit status.
signal_bg() {
    local rc
    kill -"$1" "$BG"
    wait "$BG"
    rc=$?
    [ "$rc" = "$2" ] && ok "$3: exit $2" || fail "$3: exit $rc, not $2"
}

# expect WHAT TEXT REGEX: some line of TEXT matches the extended regex.
expect() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then
        ok "$1"
    else
        fail "$1: nothing matches /$3/ in:"
        printf '%s\n' "$2" | sed 's/^/#   /'
    fi
}

# check WHAT PYTHON-EXPRESSION: true with d = the JSON of $OUT.
check() {
    if printf '%s' "$OUT" | "$PYTHON3" -c "import json, sys; d = json.load(sys.stdin); sys.exit(0 if ($2) else 1)" 2>"$TMP/pyerr"; then
        ok "$1"
    else
        fail "$1: not ($2)"
        sed 's/^/#   /' "$TMP/out" "$TMP/pyerr"
    fi
}

# all_gone WHAT PID...: none of the pids runs any more (waits up to 10 s for the
# parent of a daemon to reap it).
all_gone() {
    local what=$1 p left i
    shift
    for i in $(seq 100); do
        left=
        for p in "$@"; do is_daemon "$p" && left="$left $p"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    if [ -z "$left" ]; then ok "$what: none of the $# pids runs"; else fail "$what: still running:$left"; fi
}

# no_leftovers WHAT: no ippc daemon of our IPYTHONDIR runs.
no_leftovers() {
    local left i
    for i in $(seq 100); do
        left=$(leftovers)
        [ -z "$left" ] && break
        sleep 0.1
    done
    if [ -z "$left" ]; then ok "$1: no ippc process of this IPYTHONDIR is left"; else fail "$1: left running: $left"; fi
}
