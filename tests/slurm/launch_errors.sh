#!/usr/bin/env bash
# launch_errors.sh - `ippctl start -p <slurm profile>` that cannot work says why in one
# message, exits 1 and leaves nothing queued, running or recorded: Slurm not reachable
# (SLURM_CONF naming a slurmctld that is not there), an invalid partition, a job that
# never starts before the deadline (more nodes than the cluster has: it pends with
# reason PartitionConfig until --timeout, then is cancelled), a job that fails (its
# state and the end of its output file), a job cancelled by someone else while ippctl
# waits. Another user's job that keeps the cluster busy is left alone.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/slurm/launch_lib.sh"

test_profile slt slurm

# --- Slurm not reachable ------------------------------------------------------------
# The same configuration, with slurmctld on a port where nothing listens.
sed -E "s/^SlurmctldPort=.*/SlurmctldPort=$((SL_PORT + 97))/" "$SLURM_CONF" > "$TMP/dead.conf"
sl_port_free $((SL_PORT + 97)) || skip "port $((SL_PORT + 97)) is taken: cannot make an unreachable slurmctld"
SLURM_CONF=$TMP/dead.conf run 1 "start with Slurm not reachable" start -p slt -n 2 --daemonize --timeout 60
one_error "Slurm not reachable" 'Slurm is not reachable: sbatch: .*Unable to contact slurm controller.*scontrol ping.*dead\.conf'
all_clean "Slurm not reachable" slt

# --- an invalid partition -----------------------------------------------------------
run 1 "start with an invalid partition" start -p slt -n 2 --daemonize --timeout 60 --set slurm.partition=nosuch
one_error "invalid partition" "sbatch refused the job .*ippc-slurm\.sbatch.*invalid partition specified: nosuch"
all_clean "invalid partition" slt

# --- a job that never starts within the deadline ------------------------------------
t0=$(now_s)
run 1 "start of a job that cannot start (8 nodes of 4), --timeout 6" \
    start -p slt -n 8 --daemonize --timeout 6 --set slurm.nodes=8
expect "never starts: the job was seen pending, with its reason" "$ERR" \
    '^ippctl: batch job [0-9]+ is pending \(reason: Partition(Config|NodeLimit)\)'
one_error "never starts" 'batch job [0-9]+ did not start within 6 s: it is still pending \(reason: Partition(Config|NodeLimit)'
expect "never starts: says it cancelled the job" "$ERR" '^ippctl: cancelled batch job [0-9]+'
elapsed_lt "$t0" 40 && ok "never starts: gave up at the deadline" || fail "never starts: took $(awk -v a="$t0" -v b="$(now_s)" 'BEGIN{print b-a}') s"
job=$(printf '%s\n' "$ERR" | sed -nE 's/^ippctl: submitted batch job ([0-9]+) .*/\1/p')
st=$(scontrol show job -o "${job:-none}" 2> /dev/null | grep -o 'JobState=[A-Z]*')
[ "$st" = JobState=CANCELLED ] && ok "never starts: job $job is CANCELLED" || fail "never starts: job '$job' is '$st'"
all_clean "never starts" slt

# --- a job that fails: its state and the end of its output file ----------------------
run 1 "start of a job whose engines fail (startup code raises)" \
    start -p slt -n 2 --daemonize --wait --timeout 90 --set 'engines.startup=raise RuntimeError("bad startup code")'
one_error "failing job" 'batch job [0-9]+ ended FAILED with exit code [0-9]+:0 before all engines registered; the end of its output file .*/ippc-slurm-[0-9]+\.log:'
expect "failing job: the engines' error is shown" "$ERR" 'RuntimeError.*bad startup code'
all_clean "failing job" slt

# --- a job cancelled by someone else while ippctl waits -------------------------------
in_background pending start -p slt -n 8 --daemonize --timeout 90 --set slurm.nodes=8
for _ in $(seq 300); do grep -q 'is pending' "$TMP/pending.err" && break; sleep 0.1; done
job=$(sed -nE 's/^ippctl: submitted batch job ([0-9]+) .*/\1/p' "$TMP/pending.err")
scancel_bg pending "$job" 20 "cancelled job"
one_error "cancelled job" "batch job $job ended CANCELLED .*before all engines registered; its output file .*ippc-slurm-$job\.log is missing: it never started"
all_clean "cancelled job" slt

# --- a busy cluster: ours is cancelled, the other job stays --------------------------
other=$(sbatch --parsable -N4 --exclusive -o /dev/null --wrap 'sleep 300')
sl_wait 30 job_live "$other" || fail "the blocking job $other does not run"
run 1 "start while another job holds every node, --timeout 5" start -p slt -n 2 --daemonize --timeout 5
one_error "busy cluster" 'batch job [0-9]+ did not start within 5 s: it is still pending \(reason: (Resources|Priority)'
job_live "$other" && ok "busy cluster: the other job ($other) still runs" || fail "busy cluster: job $other is gone"
mine=$(squeue -h -o '%i %j' | grep -v "^$other " || true)
[ -z "$mine" ] && ok "busy cluster: our job is gone from squeue" || fail "busy cluster: squeue still has: $mine"
scancel "$other"
finish
