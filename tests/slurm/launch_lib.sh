# launch_lib.sh - shared set-up of the launcher tests on the private Slurm (sourced after
# tests/integration/lib.sh): the ippctl helpers of tests/cli/lifecycle_helpers.sh (a
# private IPYTHONDIR, run/expect/check, no_leftovers), the private Slurm of slurm_lib.sh
# started, and checks of what a user looks at after a stop: squeue, the processes, the
# cluster file.
. "$top_srcdir/tests/cli/lifecycle_helpers.sh"
. "$top_srcdir/tests/slurm/slurm_lib.sh"

slurm_start || { fail "private Slurm did not start"; finish; exit 1; }

# test_profile NAME BASE [KEY=VALUE]...: write $IPYTHONDIR/profile_NAME/ippc.yaml (so
# that -p NAME names both the profile and its cluster files), inheriting BASE, with what
# every test here wants and then the keys given (dotted: slurm.nodes=4): the controller
# on 127.0.0.1 (every node of the private cluster is this host), plain-shell engines,
# partition debug, a 10-minute limit.
test_profile() {
    local name=$1 base=$2
    shift 2
    mkdir -p "$IPYTHONDIR/profile_$name"
    "$PYTHON3" - "$base" controller.ip=127.0.0.1 engines.shell=plain slurm.partition=debug slurm.time=00:10:00 \
        "$@" > "$IPYTHONDIR/profile_$name/ippc.yaml" <<'PY'
import sys
base, *keys = sys.argv[1:]
tree = {}
for item in keys:
    key, value = item.split("=", 1)
    *parents, leaf = key.split(".")
    node = tree
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = value
def dump(node, indent=""):
    for k, v in node.items():
        if isinstance(v, dict):
            print(f"{indent}{k}:")
            dump(v, indent + "  ")
        else:
            print(f'{indent}{k}: "{v}"' if ":" in v else f"{indent}{k}: {v}")
print("inherit:", base)
dump(tree)
PY
}

# run_job NAME SBATCH-OPTION...: submit $TMP/NAME.sh (output $TMP/NAME-JOB.out), wait
# for its end (3 minutes at most) and check that it ended COMPLETED with exit code 0.
# JOB: its id; JOBOUT: its output.
run_job() {
    local name=$1 res
    shift
    JOB=$(cd "$TMP" && sbatch --parsable "$@" -o "$TMP/$name-%j.out" "$name.sh" 2>&1)
    JOBOUT=
    if ! [[ $JOB =~ ^[0-9]+$ ]]; then
        fail "sbatch $name.sh: expected a job id, got: $JOB"
        return 1
    fi
    sl_wait 180 job_ended "$JOB" || fail "job $JOB did not end within 180 s"
    JOBOUT=$(cat "$TMP/$name-$JOB.out" 2>&1)
    res=$(scontrol show job -o "$JOB" | grep -o 'JobState=[A-Z]* .*ExitCode=[0-9:]*' | sed 's/ .* / /')
    if [ "$res" = "JobState=COMPLETED ExitCode=0:0" ]; then
        ok "job $JOB ($name.sh): COMPLETED, exit code 0"
    else
        fail "job $JOB ($name.sh): $res"
        printf '%s\n' "$JOBOUT" | sed 's/^/#   /'
    fi
}

# cluster_file PROFILE [ID]: the cluster file's path.
cluster_file() { echo "$IPYTHONDIR/profile_$1/security/cluster-${2:-}.json"; }

# recorded PROFILE ID EXPR: a value of the cluster file (d: its JSON), printed by Python.
recorded() {
    "$PYTHON3" -c "import json, sys; d = json.load(open(sys.argv[1])); print($3)" "$(cluster_file "$1" "$2")" 2> /dev/null
}

# job_live JOB: Slurm has JOB, not ended (pending, running, completing).
job_live() {
    local st
    st=$(squeue -h -j "$1" -o %T 2> /dev/null)
    [ -n "$st" ] && ! [[ $st =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$ ]]
}

job_ended() { ! job_live "$1"; }

# no_jobs WHAT: squeue lists no job that has not ended.
no_jobs() {
    local left
    left=$(squeue -h -o '%i %j %T' 2> /dev/null | grep -Ev ' (COMPLETED|FAILED|CANCELLED|TIMEOUT)$')
    if [ -z "$left" ]; then ok "$1: squeue shows no job"; else fail "$1: squeue still shows: $left"; fi
}

# all_clean WHAT PROFILE [ID]: no job queued or running, no ippc process of our IPYTHONDIR,
# no slurmstepd that outlived its job, no cluster file.
all_clean() {
    no_jobs "$1"
    no_leftovers "$1"
    local f
    f=$(cluster_file "$2" "${3:-}")
    if [ -e "$f" ]; then fail "$1: the cluster file $f is still there"; else ok "$1: no cluster file"; fi
}

# one_error WHAT REGEX: $ERR has exactly one message of ippctl start (its own prefix)
# besides its closing note, whatever progress came before, and it matches REGEX.
one_error() {
    local lines
    lines=$(printf '%s\n' "$ERR" | grep '^ippctl start: ' | grep -vc '^ippctl start: stopped what was started')
    if [ "$lines" = 1 ] && printf '%s\n' "$ERR" | grep -Eq -- "$2"; then
        ok "$1: one message, matching /$2/"
    else
        fail "$1: expected one message matching /$2/, got $lines in:"
        printf '%s\n' "$ERR" | sed 's/^/#   /'
    fi
}

# scancel_bg NAME JOB MAX WHAT: scancel JOB from outside (as a user or an admin would),
# then wait for the background `ippctl start` NAME ($BG): it must exit 1 within MAX
# seconds. ERR: its standard error.
scancel_bg() {
    local t0 rc
    t0=$(now_s)
    scancel "${2:-none}"
    wait "$BG"
    rc=$?
    ERR=$(cat "$TMP/$1.err")
    [ "$rc" = 1 ] && elapsed_lt "$t0" "$3" && ok "$4: ippctl start exits 1 soon after" ||
        fail "$4: exit $rc after $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN{print b-a}') s"
}

# now_s: seconds since the epoch, with a fraction.
now_s() { date +%s.%N; }
# elapsed_lt START MAX: less than MAX seconds since START.
elapsed_lt() { awk -v a="$1" -v b="$(now_s)" -v m="$2" 'BEGIN { exit !(b - a < m) }'; }

# interrupt_sleepers N STEP OPTION...: `ippctl px` of a time.sleep(30) on the N engines
# of the cluster the ippctl options name, then `ippctl signal INT`: it must go through
# Slurm (`scancel -s INT STEP`, said on stderr), the px must end at once with
# KeyboardInterrupt from every engine, and the engines must answer again afterwards.
interrupt_sleepers() {
    local n=$1 step=$2 rc t0 k
    shift 2
    mkdir -p "$TMP/sleeping"
    rm -f "$TMP/sleeping"/*
    in_background sleeper px "$@" --json --timeout 120 \
        "import os, time; open('$TMP/sleeping/%d' % os.getpid(), 'w').close(); time.sleep(30)"
    local sleeper=$BG
    for _ in $(seq 600); do [ "$(ls "$TMP/sleeping" | wc -l)" = "$n" ] && break; sleep 0.1; done
    [ "$(ls "$TMP/sleeping" | wc -l)" = "$n" ] ||
        fail "signal: the $n engines did not all start sleeping ($(ls "$TMP/sleeping" | wc -l))"
    t0=$(now_s)
    run 0 "ippctl signal INT" signal "$@" INT
    expect "signal INT: sent through Slurm to the engines' step ${step:-(none found)}, not through the controller" \
        "$ERR" "^ippctl signal: sent SIGINT to $n engines through \`scancel -s INT ${step:-none}\`\$"
    wait "$sleeper"
    rc=$?
    k=$("$PYTHON3" -c 'import json, sys
print(sum((r["error"] or {}).get("ename") == "KeyboardInterrupt" for r in json.load(open(sys.argv[1]))))' \
        "$TMP/sleeper.out" 2>&1)
    if elapsed_lt "$t0" 20 && [ "$rc" = 1 ] && [ "$k" = "$n" ]; then
        ok "signal INT: the px running time.sleep(30) ends at once with KeyboardInterrupt on the $n engines"
    else
        fail "signal INT: px exit $rc, KeyboardInterrupt on $k engines"
        sed 's/^/#   /' "$TMP/sleeper.out" "$TMP/sleeper.err" | tail -20
    fi
    run 0 "the engines keep serving after the interrupt" px "$@" --timeout 60 'print(6 * 7)'
    [ "$(printf '%s\n' "$OUT" | grep -c '^42$')" = "$n" ] && ok "px after the interrupt: $n engines answer" ||
        fail "px after the interrupt: expected $n answers, got: $OUT"
}
