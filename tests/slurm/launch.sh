#!/usr/bin/env bash
# launch.sh - `ippctl start -p <a profile based on slurm> -n 8` from outside Slurm (a
# login node): one batch job named ippc-<cluster id> runs the controller and the 8
# engines, 2 on each of the 4 nodes (slurm.nodes, slurm.ntasks_per_node); the cluster file records the job as the stock
# SlurmControllerLauncher does; `ippctl px` and the stock Python client
# (Cluster.from_file().connect_client_sync()) use the engines; `ippctl signal INT`
# goes through Slurm (scancel -s INT JOB.STEP, never -f) and interrupts a
# time.sleep(30) running on every engine, which keep serving; with --targets it goes
# through the controller; `ippctl status` shows the job and its Slurm state per engine;
# `ippctl stop` cancels the job and leaves no job, no process and no cluster file.
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules ipyparallel
. "$top_srcdir/tests/slurm/launch_lib.sh"

test_profile slt slurm slurm.nodes=4 slurm.ntasks_per_node=2

# --- start ------------------------------------------------------------------------
run 0 "ippctl start -p slt -n 8 --cluster-id c1 --daemonize --wait" \
    start -p slt -n 8 --cluster-id c1 --daemonize --wait --timeout 120
expect "start: says which batch job it submitted and its output file" "$ERR" \
    '^ippctl: submitted batch job [0-9]+ .*output .*/profile_slt/log/ippc-slurm-c1-[0-9]+\.log'
expect "start: reports the job running, and on which nodes" "$ERR" '^ippctl: batch job [0-9]+ is running on n'
expect "start: 8 engines registered" "$ERR" '8 engines registered'
job=$(recorded slt c1 "d['controller']['state']['job_id']")
if [[ $job =~ ^[0-9]+$ ]]; then ok "cluster file: the job id ($job)"; else fail "cluster file: no job id ($job)"; fi
OUT=$(cat "$(cluster_file slt c1)")
check "cluster file: controller and engines of class slurm with the job id, as the stock Slurm launchers" \
    "d['controller']['class'] == 'slurm' and d['engines']['class'] == 'slurm' and
     [s['job_id'] for s in d['engines']['sets'].values()] == ['$job'] and
     [s['n'] for s in d['engines']['sets'].values()] == [8] and d['controller']['state']['state'] == 'running'
     and '#SBATCH --nodes=4' in d['controller']['state']['batch_template']"
out=$(squeue -h -j "$job" -o '%j %T %D')
[ "$out" = "ippc-c1 RUNNING 4" ] && ok "squeue: job $job named ippc-c1, running on 4 nodes" ||
    fail "squeue: expected 'ippc-c1 RUNNING 4', got '$out'"

# --- ippctl px: where the engines run ---------------------------------------------
run 0 "ippctl px on every engine" px -p slt --cluster-id c1 --timeout 60 \
    'import os; print("node", os.environ["SLURMD_NODENAME"], "task", os.environ["SLURM_PROCID"])'
nodes=$(printf '%s\n' "$OUT" | grep -o 'node n[0-9]*' | sort | uniq -c | awk '{print $1 "x" $3}' | tr '\n' ' ')
[ "$nodes" = "2xn1 2xn2 2xn3 2xn4 " ] && ok "px: 8 engines, 2 on each of the 4 nodes" ||
    fail "px: expected 2 engines on each of n1..n4, got: $nodes"

# --- ippctl status: the job and what Slurm says of it, per engine -----------------------
run 0 "ippctl status --json" status -p slt --cluster-id c1 --json
check "status: controller in job $job (RUNNING), 8 engines registered in job $job (RUNNING)" \
    "d['state'] == 'running' and d['controller']['job_id'] == '$job' and d['controller']['job_state'] == 'RUNNING'
     and d['registered'] == 8 and len(d['engines']) == 8 and sorted(e['id'] for e in d['engines']) == list(range(8))
     and all(e['job_id'] == '$job' and e['job_state'] == 'RUNNING' and e['state'] == 'registered'
             and e['log'].endswith('/ippc-slurm-c1-$job.log') for e in d['engines'])"
run 0 "ippctl status" status -p slt --cluster-id c1
expect "status: the controller's batch job" "$OUT" "^cluster 'c1' of profile slt: running, controller in batch job $job \(RUNNING\), 8 engines registered"
[ "$(printf '%s\n' "$OUT" | grep -cE "^[0-7] .* registered .* $job RUNNING\$")" = 8 ] &&
    ok "status: 8 rows with the job and its state" || fail "status: expected 8 rows ending '$job RUNNING' in: $OUT"

# --- the stock Python client -------------------------------------------------------
out=$(timeout 120 "$PYTHON3" - "$IPYTHONDIR/profile_slt" 2>&1 <<'PY'
import sys
import ipyparallel as ipp
c = ipp.Cluster.from_file(profile_dir=sys.argv[1], cluster_id="c1").connect_client_sync()
c.wait_for_engines(8, timeout=60)
dv = c[:]
dv.scatter("x", list(range(16)), block=True)
sums = dv.apply_sync(lambda: sum(x))
print("ids", sorted(c.ids), "sum", sum(sums), "squares", dv.map_sync(lambda v: v * v, range(5)))
c.close()
PY
)
[ "$out" = "ids [0, 1, 2, 3, 4, 5, 6, 7] sum 120 squares [0, 1, 4, 9, 16]" ] &&
    ok "stock client: Cluster.from_file().connect_client_sync(), scatter/apply/map on 8 engines" ||
    fail "stock client: got: $out"

# --- ippctl signal INT, through scancel, interrupts a running sleep on every engine --
step=$(squeue -h --steps -j "$job" -o '%i %j' | awk '$2 == "ippc-engines-c1" { print $1 }')
interrupt_sleepers 8 "$step" -p slt --cluster-id c1
run 0 "ippctl signal --targets 0 INT: through the controller" signal -p slt --cluster-id c1 --targets 0 INT
[ -z "$ERR" ] && ok "signal --targets: no scancel (the controller acknowledges, nothing printed)" ||
    fail "signal --targets: printed: $ERR"

# --- stop ---------------------------------------------------------------------------
run 0 "ippctl stop" stop -p slt --cluster-id c1
expect "stop: counts the controller and the 8 engines" "$ERR" 'stopped .*\(9 processes\)'
st=$(scontrol show job -o "$job" 2> /dev/null | grep -o 'JobState=[A-Z]*')
[ "$st" = JobState=CANCELLED ] && ok "stop: job $job is CANCELLED" || fail "stop: job $job is $st"
all_clean "after ippctl stop" slt c1
finish
