#!/usr/bin/env bash
# launch_sbatch.sh - an sbatch job script that starts ippc inside its allocation, uses
# it and stops it (doc/slurm.md shows the same script): `ippctl start --daemonize
# --wait -n 4` picks the srun launcher by itself (SLURM_JOB_ID is set and the profile
# names no launcher), runs the controller in the batch step and the engines as one
# `srun --overlap` step over the job's two nodes; `ippctl px` reaches them; `ippctl
# stop` ends the step; the job ends COMPLETED with exit code 0 and nothing is left.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/slurm/launch_lib.sh"

# The default profile of the private IPYTHONDIR (lifecycle_helpers.sh) only asks for
# plain-shell engines: the launcher is not named, so srun is chosen inside the job.
cat > "$TMP/client.sh" <<EOF
#!/bin/bash
set -eu
ippctl=$IPPCTL
"\$ippctl" start --daemonize --wait -n 4 --timeout 120
"\$ippctl" px --timeout 60 'import os; print("node", os.environ["SLURMD_NODENAME"], "job", os.environ["SLURM_JOB_ID"])'
cp "$SEC/cluster-.json" "$TMP/cluster.json"
"\$ippctl" stop
echo "steps after the stop: \$(squeue -h --steps -j "\$SLURM_JOB_ID" -o '%i %j' | grep -c ippc-engines || true)"
echo "client done"
EOF
run_job client -N2 --ntasks-per-node=2
job=$JOB out=$JOBOUT
expect "inside the job: 4 engines registered" "$out" '4 engines registered'
nodes=$(printf '%s\n' "$out" | grep -o "node n[0-9]* job $job" | sort | uniq -c | awk '{print $1 "x" $3}' | tr '\n' ' ')
[ "$nodes" = "2xn1 2xn2 " ] && ok "px: the 4 engines run in job $job, 2 on each of its nodes" ||
    fail "px: expected 2 engines on each of n1, n2 in job $job, got: $nodes"
OUT=$(cat "$TMP/cluster.json" 2> /dev/null)
check "cluster file: controller here (class local, a pid), engines as one srun step (class mpi: pid, job_id JOB.STEP)" \
    "d['controller']['class'] == 'local' and d['controller']['state']['pid'] > 0 and d['engines']['class'] == 'mpi'
     and [s['n'] for s in d['engines']['sets'].values()] == [4]
     and all(s['pid'] > 0 and s['job_id'].startswith('$job.') for s in d['engines']['sets'].values())"
expect "stop inside the job: the engine step is gone" "$out" '^steps after the stop: 0$'
expect "the script went on after the stop" "$out" '^client done$'
all_clean "after the job" default
finish
