#!/usr/bin/env bash
# launch_mpi.sh - the mpi launcher in an sbatch job over two nodes: `ippctl start -p
# <a profile based on mpi> -n 4` runs the controller in the batch step and the engines
# under Open MPI's mpirun (which starts them on the job's nodes and serves PMIx to
# them): each engine's id is its MPI rank; the stock client uses them; `ippctl stop`
# ends mpirun and its engines; the job ends COMPLETED, exit 0. As root, Open MPI wants
# OMPI_ALLOW_RUN_AS_ROOT (set here).
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules ipyparallel
command -v mpirun > /dev/null || skip "mpirun not installed (scripts/install-deps.sh: openmpi-bin)"
engine=${IPPC_ENGINE:-$top_builddir/engine/ippc-engine}
"$engine" --help 2>&1 | grep -q -- '--pmix' || skip "$engine has no --pmix option (PMIx start-up not wired in)"
keep_engine=${IPPC_ENGINE:-}
. "$top_srcdir/tests/slurm/launch_lib.sh"
[ -n "$keep_engine" ] && export IPPC_ENGINE=$keep_engine
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

test_profile mpt mpi

cat > "$TMP/mpi.sh" <<EOF
#!/bin/bash
set -eu
ippctl=$IPPCTL
trap '"\$ippctl" stop -p mpt && echo "client done"' EXIT
"\$ippctl" start -p mpt --daemonize --wait -n 4 --timeout 120
cp "$(cluster_file mpt)" "$TMP/cluster.json"
"$PYTHON3" - "$IPYTHONDIR/profile_mpt" <<'PY'
import sys
import ipyparallel as ipp
c = ipp.Cluster.from_file(profile_dir=sys.argv[1]).connect_client_sync()
c.wait_for_engines(4, timeout=60)
ranks = c[:].apply_sync(lambda: int(__import__("os").environ["OMPI_COMM_WORLD_RANK"]))
nodes = c[:].apply_sync(lambda: __import__("os").environ.get("SLURMD_NODENAME", "?"))
print("ids", sorted(c.ids), "ranks", ranks, "nodes", sorted(set(nodes)))
c.close()
PY
EOF
run_job mpi -N2 --ntasks-per-node=2
expect "mpirun: 4 engines, id = MPI rank, on both nodes of the job" "$JOBOUT" \
    "^ids \[0, 1, 2, 3\] ranks \[0, 1, 2, 3\] nodes \['n1', 'n2'\]$"
OUT=$(cat "$TMP/cluster.json" 2> /dev/null)
check "cluster file: engines as the stock MPI launcher records them (class mpi, the mpirun pid, n 4)" \
    "d['engines']['class'] == 'mpi' and [s['n'] for s in d['engines']['sets'].values()] == [4]
     and all(s['pid'] > 0 for s in d['engines']['sets'].values())"
expect "the job script stopped the cluster" "$JOBOUT" '^client done$'
all_clean "after the job" mpt
finish
