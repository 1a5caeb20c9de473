"""Hub records and queries through the stock client: record limits (count and bytes),
what a client is told about a dropped record, db_query operators, purge, --nodb, and
shutdown through the hub.

usage: controller_hub.py limits|nodb PROFILE
Prints ok/FAIL lines; exit 1 on a failure."""
import sys
import time

import ipyparallel as ipp
from ipyparallel import error

mode, profile = sys.argv[1], sys.argv[2]
failed = False


def check(cond, what):
    global failed
    print(("ok - " if cond else "FAIL - ") + what, flush=True)
    failed |= not cond


def remote_error(f, *a, **kw):
    try:
        f(*a, **kw)
    except error.RemoteError as e:
        return e
    except Exception as e:  # noqa
        return e
    return None


rc = ipp.Client(profile=profile)
rc.wait_for_engines(1, timeout=60)
v = rc[rc.ids[0]]
v.block = True

if mode == "limits":  # the controller runs with --records-max=5 --records-max-bytes=250k
    ids = []
    for i in range(10):
        ar = v.apply_async(lambda x: x * 2, i)
        ar.get()
        ids.append(ar.msg_ids[0])
    time.sleep(0.2)
    hist = rc.hub_history()
    check(hist == ids[-5:], "history keeps the newest 5 of 10: %d" % len(hist))
    other = ipp.Client(profile=profile)
    e = remote_error(other.get_result(ids[-1], owner=False).get, timeout=10)
    check(e is None, "get_result of a kept record works")
    check(other.get_result(ids[-1]).get(timeout=10) == 18, "get_result gives the result")
    e = remote_error(other.result_status, [ids[0]], status_only=False)
    check(isinstance(e, error.RemoteError) and e.ename == "KeyError" and "records are limited" in e.evalue,
          "a dropped record: %s" % (e if e is None else "%s: %s" % (getattr(e, "ename", type(e).__name__), getattr(e, "evalue", e))))
    recs = rc.db_query({"msg_id": {"$in": ids}}, keys=["msg_id", "submitted", "completed", "engine_uuid"])
    check(sorted(r["msg_id"] for r in recs) == sorted(ids[-5:]), "db_query $in finds the kept records")
    mid = recs[2]["submitted"]
    lt = rc.db_query({"submitted": {"$lt": mid}}, keys=["submitted"])
    gte = rc.db_query({"submitted": {"$gte": mid}}, keys=["submitted"])
    gt = rc.db_query({"submitted": {"$gt": mid}}, keys=["submitted"])
    check(len(lt) == 2 and len(gte) == 3 and len(gt) == 2, "date operators $lt/$gte/$gt: %d/%d/%d" % (len(lt), len(gte), len(gt)))
    check(len(rc.db_query({"completed": {"$exists": True}, "engine_uuid": rc._engines[rc.ids[0]]})) == 5,
          "$exists and equality")
    e = remote_error(rc.db_query, {"msg_id": {"$bogus": 1}})
    check(isinstance(e, error.RemoteError), "an unknown operator is an error: %s" % e)
    rb = rc.db_query({"msg_id": ids[-1]}, keys=["result_buffers", "buffers"])
    check(len(rb) == 1 and len(rb[0]["result_buffers"]) == 1 and rb[0]["buffers"] == [],
          "db_query returns result buffers (request buffers are not kept)")
    rc.purge_hub_results(ids[-1])
    check(rc.hub_history() == ids[-5:-1], "purge_hub_results drops one record")
    rc.purge_hub_results("all")
    check(rc.hub_history() == [], "purge_hub_results('all') drops them all")
    # bytes: results of 100 kB each, 250 kB allowed
    for i in range(4):
        v.apply_sync(lambda n: b"x" * n, 100000)
    n = len(rc.hub_history())
    check(n == 2, "the byte limit (250 kB) keeps %d records of 100 kB" % n)
    qs = rc.queue_status(verbose=True)
    check(qs[rc.ids[0]]["queue"] == [] and isinstance(qs[rc.ids[0]]["completed"], list), "verbose queue_status")
    other.close()
    # shutdown through the hub alone (not Client.shutdown(hub=True), which stops the
    # engines itself first): the controller stops the engines; the shell checks that
    # everything exits
    rc._notification_handlers["shutdown_notification"] = lambda msg: None
    reply = rc._send_recv(rc._query_stream, "shutdown_request")
    check(reply["content"]["status"] == "ok", "shutdown_request answered ok")
elif mode == "nodb":
    ar = v.apply_async(time.sleep, 2)
    time.sleep(0.2)
    st = rc.result_status(ar.msg_ids, status_only=True)
    check(st["pending"] == ar.msg_ids, "status_only of a running task: pending")
    check(v.apply_sync(lambda: 1) == 1, "tasks run without records")
    e = remote_error(rc.hub_history)
    check(isinstance(e, error.RemoteError) and "nodb" in e.evalue, "hub_history: %s" % e)
    other = ipp.Client(profile=profile)
    e = remote_error(other.get_result(ar.msg_ids[0], owner=False).get, timeout=10)
    check(isinstance(e, error.RemoteError) and "nodb" in e.evalue, "get_result: %s" % e)
    ar.get()
    other.close()
rc.close()
sys.exit(1 if failed else 0)
