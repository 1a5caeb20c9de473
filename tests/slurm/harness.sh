#!/usr/bin/env bash
# harness.sh - the private Slurm of tests/slurm/slurm_lib.sh works the way the launcher
# tests need: sinfo shows 4 idle nodes of 4 CPUs; a 4-node step runs one task per node;
# an sbatch job completes with its output file; srun --mpi=pmix gives 4 tasks ranks 0..3
# and the job size; scancel -s INT JOB.STEP reaches every task of that step; stopping
# leaves no daemon and no slurmstepd of ours, and no state directory.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/slurm/slurm_lib.sh"

PMIX_RANK_BIN=$top_builddir/tests/slurm/pmix_rank
# Every Slurm command gets a deadline: a hung step must fail the test, not block it.
T=60

slurm_start || { fail "private Slurm did not start"; finish; exit 1; }

# --- sinfo: the nodes a user would see -------------------------------------------
out=$(timeout $T sinfo -h -N -o '%N %T %c %P')
if [ "$out" = "$(printf 'n%d idle 4 debug*\n' 1 2 3 4)" ]; then
    ok "sinfo: 4 idle nodes with 4 CPUs in the default partition"
else
    fail "sinfo: expected n1..n4 idle with 4 CPUs, got: $out"
fi

# --- one task per node -----------------------------------------------------------
out=$(timeout $T srun -N4 -n4 --ntasks-per-node=1 bash -c 'echo "$SLURM_PROCID $SLURMD_NODENAME"' 2>&1 | sort)
if [ "$out" = "$(printf '%d n%d\n' 0 1 1 2 2 3 3 4)" ]; then
    ok "srun -N4 -n4: one task per node (ranks 0..3 on n1..n4)"
else
    fail "srun -N4 -n4: expected ranks 0..3 on n1..n4, got: $out"
fi

# --- a batch job -----------------------------------------------------------------
cat > "$TMP/job.sh" <<'EOF'
#!/bin/bash
echo "batch on $SLURMD_NODENAME with $SLURM_NTASKS tasks"
srun bash -c 'echo "step task $SLURM_PROCID"' | sort
EOF
job=$(cd "$TMP" && timeout $T sbatch --parsable -N2 -n2 -o "$TMP/job-%j.out" job.sh 2>&1)
job_state() { scontrol show job -o "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
job_done() { case $(job_state) in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) return 0 ;; esac; return 1; }
if ! [[ $job =~ ^[0-9]+$ ]]; then
    fail "sbatch --parsable: expected a job id, got: $job"
elif ! sl_wait $T job_done; then
    fail "sbatch job $job not finished after ${T}s (state $(job_state))"
else
    state=$(job_state)
    exitcode=$(scontrol show job -o "$job" | grep -o 'ExitCode=[0-9:]*')
    [ "$state $exitcode" = "COMPLETED ExitCode=0:0" ] && ok "sbatch job $job: COMPLETED, exit code 0" ||
        fail "sbatch job $job: $state $exitcode"
    want=$(printf 'batch on n1 with 2 tasks\nstep task 0\nstep task 1')
    got=$(cat "$TMP/job-$job.out" 2>&1)
    [ "$got" = "$want" ] && ok "sbatch job $job: output file has the batch and the step lines" ||
        fail "sbatch job $job: output file: expected '$want', got '$got'"
fi

# --- PMIx: rank and size from Slurm's PMIx server --------------------------------
if [ ! -x "$PMIX_RANK_BIN" ]; then
    echo "skip - srun --mpi=pmix: $PMIX_RANK_BIN not built (configure found no PMIx)"
else
    out=$(timeout $T srun --mpi=pmix -N4 -n4 "$PMIX_RANK_BIN" 2> "$TMP/pmix.err" | cut -d' ' -f1-6 | sort)
    if [ "$out" = "$(printf 'rank %d size 4 node n%d\n' 0 1 1 2 2 3 3 4)" ]; then
        ok "srun --mpi=pmix -n 4: ranks 0..3 on n1..n4, job size 4"
    else
        fail "srun --mpi=pmix -n 4: expected ranks 0..3 of size 4 on n1..n4, got: $out $(cat "$TMP/pmix.err")"
    fi
fi

# --- scancel -s INT JOB.STEP: every task of the step gets SIGINT ------------------
# Each task reports "ready", then "N got SIGINT" when the signal comes, and exits 0.
cat > "$TMP/sigtask.py" <<'EOF'
import os, signal, sys, time
rank = os.environ["SLURM_PROCID"]
def on_int(sig, frame):
    print(rank, "got SIGINT", flush=True)
    sys.exit(0)
signal.signal(signal.SIGINT, on_int)
print(rank, "ready", flush=True)
time.sleep(60)
print(rank, "no signal", flush=True)
EOF
timeout $T srun -J ippc-sig -N4 -n4 "$PYTHON3" "$TMP/sigtask.py" > "$TMP/sig.out" 2>&1 &
srun_pid=$!
PIDS+=("$srun_pid")
lines() { [ "$(grep -c "$1" "$TMP/sig.out")" = 4 ]; }
sigjob=
if sl_wait $T lines ready; then
    sigjob=$(squeue -h -n ippc-sig -o %i)
    scancel -s INT "$sigjob.0"
    if sl_wait 20 lines 'got SIGINT'; then
        ok "scancel -s INT $sigjob.0: all 4 tasks got SIGINT"
    else
        fail "scancel -s INT $sigjob.0: tasks that got it: $(grep -c 'got SIGINT' "$TMP/sig.out") of 4"
    fi
    wait "$srun_pid"
    rc=$?
    [ $rc = 0 ] && ok "srun of the signalled step exits 0 (its tasks exited 0)" ||
        fail "srun of the signalled step exited $rc: $(cat "$TMP/sig.out")"
else
    fail "signal step: the 4 tasks did not start: $(cat "$TMP/sig.out")"
fi

# --- stop: nothing of ours left --------------------------------------------------
dir=$SL_DIR
slurm_stop
left=
for e in "${SL_ALL_PIDS[@]}"; do
    [ -d "/proc/${e%% *}" ] && left="$left ${e#* }(${e%% *})"
done
stepds=$(sl_stray_stepds)
[ -z "$left$stepds" ] && ok "slurm_stop: no munged, slurmctld, slurmd or slurmstepd of ours left (${#SL_ALL_PIDS[@]} daemons)" ||
    fail "slurm_stop left:$left ${stepds:+slurmstepd $stepds}"
[ ! -e "$dir" ] && ok "slurm_stop removed $dir" || fail "slurm_stop left $dir"

finish
