"""An engine killed with SIGKILL mid-task: the client gets EngineError in time, and the
hub's record (get_result from another client) says the same.

usage: controller_death.py PROFILE PING_MS MISSES
Prints "ok - ..." / "FAIL - ..." lines; exit 1 on any failure."""
import os
import signal
import sys
import time

import ipyparallel as ipp
from ipyparallel import error

profile, ping_ms, misses = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bound = ping_ms * (misses + 1) / 1000 + 1
failed = False


def check(cond, what):
    global failed
    print(("ok - " if cond else "FAIL - ") + what, flush=True)
    failed |= not cond


rc = ipp.Client(profile=profile)
rc.wait_for_engines(2, timeout=60)
victim = rc.ids[0]
pid = rc[victim].apply_sync(os.getpid)
ar = rc[victim].apply_async(time.sleep, 60)
msg_id = ar.msg_ids[0]
time.sleep(0.5)  # the request is running on the engine
os.kill(pid, signal.SIGKILL)
t0 = time.monotonic()
try:
    ar.get(timeout=bound + 5)
    check(False, "the request on the killed engine raised")
except error.RemoteError as e:
    took = time.monotonic() - t0
    check(e.ename == "EngineError", "the client got %s: %s" % (e.ename, e.evalue))
    check(took <= bound, "within %.1f s (period x (misses+1) + 1 s): %.2f s" % (bound, took))
except Exception as e:  # noqa
    check(False, "the client got %r" % e)

check(victim not in rc.ids, "engine %d is gone from the client's ids" % victim)

# Another client asks the hub: the record says EngineError too.
rc2 = ipp.Client(profile=profile)
try:
    rc2.get_result(msg_id, owner=False).get(timeout=10)
    check(False, "get_result of the killed request raised")
except error.RemoteError as e:
    check(e.ename == "EngineError" and "died while running task" in e.evalue,
          "get_result from another client: %s: %s" % (e.ename, e.evalue))
except Exception as e:  # noqa
    check(False, "get_result gave %r" % e)

qs = rc2.queue_status()
check(victim not in qs and len(rc2.ids) == 1, "queue_status lists the survivor only: %r" % sorted(k for k in qs if k != 'unassigned'))
# the survivor still works
check(rc2[:].apply_sync(lambda: 7) == [7], "the remaining engine still answers")

# A stopped engine (connections open, heart silent) is dropped by missed heartbeats.
survivor = rc2.ids[0]
spid = rc2[survivor].apply_sync(os.getpid)
os.kill(spid, signal.SIGSTOP)
t0 = time.monotonic()
while survivor in rc2.ids and time.monotonic() - t0 < bound + 10:
    time.sleep(0.05)
took = time.monotonic() - t0
os.kill(spid, signal.SIGKILL)
os.kill(spid, signal.SIGCONT)
check(survivor not in rc2.ids and took <= bound, "a stopped engine is unregistered after its missed beats: %.2f s (bound %.1f s)" % (took, bound))
rc.close()
rc2.close()
sys.exit(1 if failed else 0)
