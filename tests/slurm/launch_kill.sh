#!/usr/bin/env bash
# launch_kill.sh - one engine task of a Slurm launch killed (SIGKILL, as the OOM killer
# or a node's trouble would): the request it was running ends in EngineError for the
# client, the job and the other engines go on and keep serving (srun
# --kill-on-bad-exit=0), and `ippctl stop` still cleans everything up.
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules ipyparallel
. "$top_srcdir/tests/slurm/launch_lib.sh"

# A short heartbeat so that the controller finds the dead engine in about 2 s.
test_profile slk slurm controller.heartbeat.period_ms=500 controller.heartbeat.misses=4 slurm.nodes=4 \
    slurm.ntasks_per_node=1

run 0 "ippctl start -p slk -n 4 --daemonize --wait" start -p slk -n 4 --daemonize --wait --timeout 120
job=$(recorded slk '' "d['controller']['state']['job_id']")

out=$(timeout 150 "$PYTHON3" - "$IPYTHONDIR/profile_slk" 2>&1 <<'PY'
import os, signal, sys, time
import ipyparallel as ipp
c = ipp.Cluster.from_file(profile_dir=sys.argv[1]).connect_client_sync()
c.wait_for_engines(4, timeout=60)
pids = dict(zip(c.ids, c[:].apply_sync(os.getpid)))
ar = c[2].apply_async(time.sleep, 60)
time.sleep(1)  # running, not queued
os.kill(pids[2], signal.SIGKILL)  # every node of the test cluster is this host
try:
    ar.get(timeout=60)
    print("no error")
except ipp.error.EngineError:
    print("EngineError")
except ipp.error.RemoteError as e:  # what the stock client makes of it, as with ipcontroller
    print(e.ename)
except Exception as e:
    print("other error", type(e).__name__, e)
print("others", c[[0, 1, 3]].apply_sync(lambda: 6 * 7))
deadline = time.time() + 30
while sorted(c.ids) != [0, 1, 3] and time.time() < deadline:
    time.sleep(0.2)
print("ids", sorted(c.ids))
c.close()
PY
)
expect "the killed engine's pending request fails with EngineError" "$out" '^EngineError$'
expect "the other engines keep serving" "$out" '^others \[42, 42, 42\]$'
expect "the controller drops the dead engine" "$out" '^ids \[0, 1, 3\]$'
[ -n "$out" ] && ! printf '%s\n' "$out" | grep -q '^\(EngineError\|others\|ids\)' && printf '%s\n' "$out" | sed 's/^/#   /'
st=$(squeue -h -j "$job" -o %T)
[ "$st" = RUNNING ] && ok "the job ($job) still runs" || fail "the job ($job) is '$st'"
run 0 "ippctl px on the 3 engines left" px -p slk --timeout 60 'print("alive")'
[ "$(printf '%s\n' "$OUT" | grep -c '^alive$')" = 3 ] && ok "px: the 3 engines left answer" || fail "px: $OUT"
run 0 "ippctl stop" stop -p slk
all_clean "after ippctl stop" slk
finish
