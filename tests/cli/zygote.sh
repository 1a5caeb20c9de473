#!/usr/bin/env bash
# zygote.sh - the local launcher's engine zygote (engines.zygote): the engines of a set
# are forked from one ippc-engine that started Python and imported IPython once. They
# must be engines like spawned ones: distinct ids, pids and logs, each its own session,
# IPython's magics working, stopped by pid with nothing left (the zygote included);
# engines added with `ippctl engines` get their own zygote; engines.zygote: false
# spawns them; a failing engine or zygote is reported with its log and undone.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/cli/lifecycle_helpers.sh"

# A profile with IPython's shell when the engine's Python has it (the case the zygote
# is for); the plain shell otherwise (the magics check is skipped then).
mkdir -p "$IPYTHONDIR/profile_zyg"
if "$PYTHON3" -c 'import IPython, ipyparallel' 2> /dev/null; then
    HAVE_IPYTHON=1
    printf 'engines:\n  shell: auto\n' > "$IPYTHONDIR/profile_zyg/ippc.yaml"
else
    HAVE_IPYTHON=
    printf 'engines:\n  shell: plain\n' > "$IPYTHONDIR/profile_zyg/ippc.yaml"
fi
ZSEC=$IPYTHONDIR/profile_zyg/security
ZLOG=$IPYTHONDIR/profile_zyg/log

# Pids of the processes of our IPYTHONDIR that run as a zygote or were forked by one.
zygote_cmdlines() {
    local d
    for d in /proc/[0-9]*; do
        { tr '\0' ' ' < "$d/cmdline"; } 2> /dev/null | grep -q -- "--zygote-fd=.*$IPYTHONDIR\|$IPYTHONDIR.*--zygote-fd=" \
            && is_daemon "${d#/proc/}" && echo "${d#/proc/}"
    done
    return 0
}
# The session id of a pid.
session_of() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f4; }

# ---------------------------------------------------------------- zygote on
run 0 "start 4 engines from a zygote" start -p zyg -n 4 --daemonize --wait --set engines.zygote=true
mapfile -t PIDS_REC < <(recorded_pids "$ZSEC/cluster-.json")
ENGINE_PIDS=("${PIDS_REC[@]:1}")
[ "${#ENGINE_PIDS[@]}" = 4 ] && ok "4 engine pids recorded" || fail "recorded: ${PIDS_REC[*]}"
[ "$(printf '%s\n' "${ENGINE_PIDS[@]}" | sort -u | wc -l)" = 4 ] && ok "the engine pids are distinct" \
    || fail "engine pids: ${ENGINE_PIDS[*]}"
alive=0 leaders=0
for p in "${ENGINE_PIDS[@]}"; do
    is_daemon "$p" && alive=$((alive + 1))
    [ "$(session_of "$p")" = "$p" ] && leaders=$((leaders + 1))
done
[ "$alive" = 4 ] && ok "every recorded engine runs" || fail "$alive of 4 recorded engines run"
[ "$leaders" = 4 ] && ok "every engine leads its own session (setsid)" || fail "$leaders of 4 lead a session"
forked=$(zygote_cmdlines | sort)
[ "$forked" = "$(printf '%s\n' "${ENGINE_PIDS[@]}" | sort)" ] \
    && ok "the engines are the zygote's children and the zygote itself has exited" \
    || fail "zygote processes: $(echo $forked), engines: ${ENGINE_PIDS[*]}"

logs=$(ls "$ZLOG"/ippc-engine-[0-9]*.log 2> /dev/null | wc -l)
[ "$logs" = 4 ] && ok "one log per engine" || fail "$logs engine logs: $(ls "$ZLOG")"
ls "$ZLOG"/ippc-engine-zygote-*.log > /dev/null 2>&1 && ok "the zygote has its own log" || fail "no zygote log"
ids=$(cat "$ZLOG"/ippc-engine-[0-9]*.log | grep -o "registered as engine [0-9]*" | sort -u | wc -l)
[ "$ids" = 4 ] && ok "each engine log has its own engine id" || fail "$ids distinct ids in the engine logs"
grep -q "ERROR\|Traceback" "$ZLOG"/ippc-engine-zygote-*.log && fail "the zygote logged an error: $(cat "$ZLOG"/ippc-engine-zygote-*.log)" \
    || ok "the zygote's log has no error"

run 0 "px: each engine's pid" px -p zyg 'import os; print(os.getpid())'
got=$(printf '%s\n' "$OUT" | grep -E '^[0-9]+$' | sort)
[ "$got" = "$(printf '%s\n' "${ENGINE_PIDS[@]}" | sort)" ] && ok "the engines that answer are the recorded pids" \
    || fail "answering pids: $(echo $got), recorded: ${ENGINE_PIDS[*]}"
run 0 "px: a random number on each engine" px -p zyg 'import random; print(random.random())'
n=$(printf '%s\n' "$OUT" | grep -E '^0\.[0-9]+' | sort -u | wc -l)
[ "$n" = 4 ] && ok "Python's random is reseeded in each engine" || fail "$n distinct random numbers of 4"
if [ -n "$HAVE_IPYTHON" ]; then
    run 0 "px of an IPython magic" px -p zyg '%time 1+1'
    n=$(printf '%s\n' "$OUT" | grep -c "Wall time")
    [ "$n" = 4 ] && ok "%time ran in IPython's shell on the 4 engines" || fail "%time output on $n engines: $OUT"
fi

run 0 "engines -n 2 adds a set from a new zygote" engines -p zyg -n 2 --wait
mapfile -t PIDS_REC < <(recorded_pids "$ZSEC/cluster-.json")
[ "${#PIDS_REC[@]}" = 7 ] && ok "6 engines and the controller recorded" || fail "recorded: ${PIDS_REC[*]}"
n=$(ls "$ZLOG"/ippc-engine-zygote-*.log | wc -l)
[ "$n" = 2 ] && ok "the added set had its own zygote log" || fail "$n zygote logs"

run 0 "stop" stop -p zyg
left=""
for i in $(seq 50); do
    left=""
    for p in "${PIDS_REC[@]}" $forked; do is_daemon "$p" && left="$left $p"; done
    [ -z "$left" ] && break
    sleep 0.1
done
[ -z "$left" ] && ok "stop: no recorded pid runs" || fail "stop: still running:$left"
no_leftovers "after the stop (zygotes included)"

# ---------------------------------------------------------------- zygote off
run 0 "start with engines.zygote: false" start -p zyg -n 2 --daemonize --wait --set engines.zygote=false
[ -z "$(zygote_cmdlines)" ] && ok "zygote off: the engines are spawned programs" || fail "zygote processes: $(zygote_cmdlines)"
run 0 "zygote off: px" px -p zyg 'print(1 + 1)'
run 0 "zygote off: stop" stop -p zyg
no_leftovers "after the zygote-off cluster"

# ---------------------------------------------------------------- failures
run 1 "a forked engine whose startup code fails" start -p zyg -n 3 --daemonize --wait \
    --set 'engines.startup=1/0' --set engines.zygote=true
expect "its exit status and its log" "$ERR" "engine [0-2] of set [0-9-]+ \(pid [0-9]+\) exited with status 1; the end of its log"
expect "the traceback from the log" "$ERR" "ZeroDivisionError"
[ ! -e "$ZSEC/cluster-.json" ] && ok "no cluster file is left" || fail "cluster file left"
no_leftovers "after the failing startup code"

# A zygote whose import fails (an IPython that raises) ends the start with its log.
mkdir -p "$TMP/badpy/IPython"
echo 'raise RuntimeError("broken IPython for zygote.sh")' > "$TMP/badpy/IPython/__init__.py"
printf 'engines:\n  shell: auto\n' > "$IPYTHONDIR/profile_zyg/ippc.yaml"
run 1 "a zygote whose import fails" start -p zyg -n 2 --daemonize --wait --set "engines.python_path=[$TMP/badpy]"
expect "the zygote, its exit status and its log" "$ERR" "the engine zygote of set [0-9-]+ \(pid [0-9]+\) exited with status 1; the end of its log"
expect "the traceback from the zygote's log" "$ERR" "RuntimeError: broken IPython for zygote.sh"
[ ! -e "$ZSEC/cluster-.json" ] && ok "no cluster file is left" || fail "cluster file left"
no_leftovers "after the failing zygote"

# A zygote that finds a thread (here one a sitecustomize starts) refuses to fork.
mkdir -p "$TMP/thread"
printf 'import threading, time\nthreading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n' \
    > "$TMP/thread/sitecustomize.py"
run 1 "a zygote with a thread" start -p zyg -n 2 --daemonize --wait --set "engines.python_path=[$TMP/thread]"
expect "it refuses to fork, saying how to do without it" "$ERR" "2 threads run in the zygote .*engines.zygote: false"
no_leftovers "after the zygote with a thread"

run 2 "engines.zygote takes auto, true or false" start -p zyg --daemonize --set engines.zygote=maybe
expect "the bad value is named with the choices" "$ERR" "engines.zygote.*auto, true(,| or) false"

finish
