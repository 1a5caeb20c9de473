#!/usr/bin/env bash
# launch_kill.sh - one engine task of a Slurm launch killed (SIGKILL, as the OOM killer
# or a node's trouble would): the request it was running ends in EngineError for the
# client, the job and the other engines go on and keep serving (srun
# --kill-on-bad-exit=0); once the job is cancelled from outside `ippctl status` says so
# and `ippctl stop` still cleans everything up. A foreground
# `ippctl start` notices the end of its batch job: scancel from outside makes it say how
# the job ended, remove the cluster file and exit 1; `ippctl stop` from elsewhere makes
# it exit 0.
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
# The job cancelled from outside: status says so (exit 1), stop removes the files.
scancel "$job"
sl_wait 60 job_ended "$job" || fail "job $job did not end within 60 s of scancel"
run 1 "ippctl status after scancel of the job" status -p slk
expect "status: says the batch job ended, and how to clean up" "$ERR" \
    "is not running: its batch job $job has ended \(CANCELLED\); \`ippctl stop -p slk\` removes its files"
run 0 "ippctl stop" stop -p slk
all_clean "after ippctl stop" slk

# --- a foreground start whose job ends -------------------------------------------------
# fg_start NAME: `ippctl start -p slk --cluster-id NAME` in the foreground, in the
# background of the test; returns once it reports the engines registered. JOB: its job.
fg_start() {
    in_background "$1" start -p slk -n 4 --cluster-id "$1" --timeout 120
    for _ in $(seq 1500); do grep -q 'engines registered' "$TMP/$1.err" && break; sleep 0.1; done
    JOB=$(sed -nE 's/^ippctl: submitted batch job ([0-9]+) .*/\1/p' "$TMP/$1.err")
    grep -q '4 engines registered' "$TMP/$1.err" && ok "foreground $1: 4 engines registered (job $JOB)" ||
        fail "foreground $1: the engines did not register: $(cat "$TMP/$1.err")"
}

fg_start fgc
scancel_bg fgc "$JOB" 30 "scancel of the job of a foreground start"
expect "scancel of its job: says how the job ended" "$ERR" \
    "^ippctl start: the cluster has ended: batch job $JOB ended CANCELLED with exit code [0-9]+:[0-9]+; .*ippc-slurm-fgc-$JOB\.log"
expect "scancel of its job: says it removed the cluster file" "$ERR" '^ippctl start: removed its cluster file .*/cluster-fgc\.json'
all_clean "after the job's end" slk fgc

fg_start fgs
run 0 "ippctl stop of a foreground cluster, from elsewhere" stop -p slk --cluster-id fgs
wait "$BG"
rc=$?
ERR=$(cat "$TMP/fgs.err")
[ "$rc" = 0 ] && ok "ippctl stop from elsewhere: the foreground ippctl start exits 0" ||
    fail "ippctl stop from elsewhere: the foreground exit $rc"
expect "ippctl stop from elsewhere: the foreground says so" "$ERR" '^ippctl start: the cluster was stopped'
all_clean "after ippctl stop of the foreground cluster" slk fgs
finish
