#!/usr/bin/env bash
# launch_pmix.sh - `ippctl start -p <a profile based on pmix> -n 16` from outside an
# allocation: the controller runs here, the 16 engines as one `srun --mpi=pmix` step
# (srun makes its own allocation: 4 engines on each of the 4 nodes). Each engine's id
# is its PMIx rank; only rank 0 loads the connection info, the 15 others get it from
# rank 0 through PMIx (their logs say so); all 16 register without timeouts. The stock
# client sees ids 0..15 with rank == id; `ippctl signal INT` interrupts code on all 16
# through `scancel -s INT JOB.STEP` (through the controller once a stock client has
# rewritten the cluster file without the step); `ippctl stop` ends the step and its
# allocation.
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules ipyparallel
[ -x "$top_builddir/tests/slurm/pmix_rank" ] || skip "built without PMIx (configure found no pmix.pc)"
# IPPC_ENGINE may name an engine built elsewhere (lifecycle_helpers.sh unsets it).
engine=${IPPC_ENGINE:-$top_builddir/engine/ippc-engine}
"$engine" --help 2>&1 | grep -q -- '--pmix' || skip "$engine has no --pmix option (PMIx start-up not wired in)"
keep_engine=${IPPC_ENGINE:-}
. "$top_srcdir/tests/slurm/launch_lib.sh"
[ -n "$keep_engine" ] && export IPPC_ENGINE=$keep_engine

test_profile pmt pmix slurm.ntasks_per_node=4

run 0 "ippctl start -p pmt -n 16 --daemonize --wait" start -p pmt -n 16 --daemonize --wait --timeout 150
expect "start: 16 engines registered" "$ERR" '16 engines registered'
OUT=$(cat "$(cluster_file pmt)" 2> /dev/null)
check "cluster file: engines as one srun step (class mpi, the srun pid, job_id JOB.STEP), n 16" \
    "d['engines']['class'] == 'mpi' and [s['n'] for s in d['engines']['sets'].values()] == [16]
     and all(s['pid'] > 0 and '.' in s['job_id'] for s in d['engines']['sets'].values())"
log=$(recorded pmt '' "list(d['engines']['sets'].values())[0]['output_file']")
step=$(recorded pmt '' "list(d['engines']['sets'].values())[0]['job_id']")
cmd=$(recorded pmt '' "d['controller']['state']['pid']")

run 0 "ippctl status --json" status -p pmt --json
check "status: 16 engines registered in step $step (RUNNING)" \
    "d['state'] == 'running' and d['registered'] == 16 and len(d['engines']) == 16
     and all(e['job_id'] == '$step' and e['job_state'] == 'RUNNING' and e['state'] == 'registered'
             for e in d['engines'])"

# ippctl signal goes through Slurm to the step (srun would take one SIGINT as a question).
interrupt_sleepers 16 "$step" -p pmt

out=$(timeout 120 "$PYTHON3" - "$IPYTHONDIR/profile_pmt" 2>&1 <<'PY'
import sys
import ipyparallel as ipp
c = ipp.Cluster.from_file(profile_dir=sys.argv[1]).connect_client_sync()
c.wait_for_engines(16, timeout=60)
ranks = c[:].apply_sync(lambda: int(__import__("os").environ["PMIX_RANK"]))
nodes = c[:].apply_sync(lambda: __import__("os").environ["SLURMD_NODENAME"])
print("ids", sorted(c.ids) == list(range(16)), "ranks", ranks == sorted(c.ids),
      "nodes", sorted((n, nodes.count(n)) for n in set(nodes)))
c.close()
PY
)
[ "$out" = "ids True ranks True nodes [('n1', 4), ('n2', 4), ('n3', 4), ('n4', 4)]" ] &&
    ok "stock client: ids 0..15, each engine's id is its PMIx rank, 4 engines per node" ||
    fail "stock client: got: $out"

# The stock Cluster.from_file() rewrote the cluster file as its MPI launcher records a
# set, without the step: signal then goes through the controller, which still works.
run 0 "ippctl signal INT after a stock client rewrote the cluster file" signal -p pmt INT
[ -z "$ERR" ] && ok "signal INT without a recorded step: through the controller (nothing printed)" ||
    fail "signal INT without a recorded step: printed: $ERR"

shared=$(grep -c 'PMIx: shared the connection info with the 16 ranks' "$log")
got=$(grep -c 'PMIx: connection info from rank 0' "$log")
[ "$shared $got" = "1 15" ] && ok "PMIx: rank 0 loaded the connection info, the 15 others got it from rank 0" ||
    fail "PMIx: expected 1 rank sharing and 15 receiving, got $shared and $got (log $log)"
n=$(grep -c 'registered as engine' "$log")
[ "$n" = 16 ] && ok "the engines' log: 16 registrations" || fail "the engines' log $log: $n registrations"

run 0 "ippctl stop" stop -p pmt
st=$(squeue -h --steps -o %i 2> /dev/null | grep -cx "$step")
[ "$st" = 0 ] && ok "stop: step $step is gone" || fail "stop: step $step still listed"
all_clean "after ippctl stop" pmt
[ -n "$cmd" ] && all_gone "stop: the controller" "$cmd" || fail "stop: no controller pid recorded"
finish
