"""stock_files.py - the stock ipyparallel side of stock_files.sh.

Run with the system Python that has ipyparallel ($PYTHON3). Each subcommand prints what
it found and exits 0 when the check holds, 1 (with the reason on stdout) when it does not:

  fields JSONFILE TOOLOUT       ippc-filetool conn-read's key=value lines match the JSON
  client-connect CONNFILE       ipyparallel.Client(CONNFILE) talks to the controller
  cluster-connect PD CID        Cluster.from_file(profile_dir=PD, cluster_id=CID) finds the
                                running controller, leaves the file as it is (so it is what
                                Cluster.to_dict() writes) and connect_client_sync() works
  cluster-dead PD CID           what the stock code does with a file whose pid is dead
  dump-local OUT PD CID PID     write the file Cluster.to_dict() makes for a local
                                controller with pid PID and one local engine set
  dump-slurm OUT PD CID         the same with Slurm launchers (job ids, nothing started)
  paths PD CID                  IPython's/ipyparallel's own paths, as key=value lines
"""
import json
import logging
import os
import sys


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def fields(jsonfile, toolout):
    """Every port and string libippc reported equals the file's value."""
    d = read_json(jsonfile)
    got = {}
    with open(toolout) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            got[k] = v
    bad = []
    for k, v in d.items():
        if k == "broadcast":
            want = ",".join(str(p) for p in (v if isinstance(v, list) else [v]))
        elif v is None:
            want = "(null)"
        else:
            want = str(v)
        if got.get(k) != want:
            bad.append(f"{k}: file {want!r}, libippc {got.get(k)!r}")
    want_side = "engine" if "hb_ping" in d else "client"
    if got.get("side") != want_side:
        bad.append(f"side: {got.get('side')!r}, wanted {want_side}")
    if bad:
        fail("; ".join(bad))
    print(f"{len(d)} keys match")


def client_check(rc):
    ids = rc.ids
    if ids != []:
        fail(f"rc.ids == {ids!r}, expected [] (no engines were started)")
    qs = rc.queue_status()
    if "unassigned" not in qs:
        fail(f"queue_status() gave {qs!r}")
    print(f"ids={ids} queue_status={qs}")


def client_connect(connfile):
    import ipyparallel

    rc = ipyparallel.Client(connfile, timeout=20)
    try:
        client_check(rc)
    finally:
        rc.close()


def quiet_logs():
    # Cluster.from_dict logs its findings at ERROR level; show them on stdout for the
    # test log instead of letting them look like failures.
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="stock log: %(message)s")


def cluster_connect(profile_dir, cluster_id):
    from ipyparallel.cluster import Cluster

    quiet_logs()
    path = os.path.join(profile_dir, "security", f"cluster-{cluster_id}.json")
    before = open(path).read()
    mtime = os.stat(path).st_mtime_ns
    cluster = Cluster.from_file(profile_dir=profile_dir, cluster_id=cluster_id)
    if cluster.controller is None:
        fail("Cluster.from_file() found no running controller")
    print(f"loaded {cluster!r}, controller state {cluster.controller.state}, pid {cluster.controller.pid}")
    after = open(path).read()
    if after != before or os.stat(path).st_mtime_ns != mtime:
        fail(f"from_file() rewrote the file: its to_dict() differs from ours:\n ours  {before}\n stock {after}")
    rc = cluster.connect_client_sync()
    try:
        client_check(rc)
    finally:
        rc.close()


def cluster_dead(profile_dir, cluster_id):
    from ipyparallel.cluster import Cluster

    quiet_logs()
    path = os.path.join(profile_dir, "security", f"cluster-{cluster_id}.json")
    cluster = Cluster.from_file(profile_dir=profile_dir, cluster_id=cluster_id)
    # Stock 7.1: LocalControllerLauncher.from_dict raises NotRunning for the dead pid,
    # from_dict logs "Controller for ... not running", drops the controller, and since
    # to_dict() now differs and nothing runs, update_cluster_file() deletes the file.
    if cluster.controller is not None:
        fail(f"the stock code thinks the controller is running: {cluster!r}")
    print(f"controller=None running={cluster._is_running()} file_exists={os.path.exists(path)}")


def dump_local(out, profile_dir, cluster_id, pid):
    from ipyparallel.cluster import Cluster

    c = Cluster(profile_dir=profile_dir, cluster_id=cluster_id, n=1, shutdown_atexit=False)
    ctl = c.controller_launcher_class(parent=c, profile_dir=c.profile_dir, cluster_id=c.cluster_id)
    ctl.pid = int(pid)
    ctl.state = "running"
    c.controller = ctl
    es = c.engine_launcher_class(
        parent=c, profile_dir=c.profile_dir, cluster_id=c.cluster_id, engine_set_id="1700000000-x1"
    )
    es.state = "running"
    es.n = 1
    el = es.launcher_class(
        parent=es, profile_dir=c.profile_dir, cluster_id=c.cluster_id, identifier="0",
        output_file=os.path.join(profile_dir, "log", "ipengine-x-0.log"),
    )
    el.pid = int(pid)
    el.state = "running"
    es.launchers["0"] = el
    c.engines[es.engine_set_id] = es
    d = c.to_dict()
    c.controller = None
    c.engines = {}
    with open(out, "w") as f:
        json.dump(d, f)


def dump_slurm(out, profile_dir, cluster_id):
    from ipyparallel.cluster import Cluster

    c = Cluster(
        profile_dir=profile_dir, cluster_id=cluster_id, n=8, delay=0.25, shutdown_atexit=False,
        controller_launcher_class="slurm", engine_launcher_class="slurm",
        controller_args=["--ip=*"],
    )
    ctl = c.controller_launcher_class(parent=c, profile_dir=c.profile_dir, cluster_id=c.cluster_id)
    ctl.job_id = "777"
    ctl.state = "running"
    c.controller = ctl
    es = c.engine_launcher_class(
        parent=c, profile_dir=c.profile_dir, cluster_id=c.cluster_id, engine_set_id="1700000000-s1"
    )
    es.job_id = "778"
    es.n = 8
    es.state = "running"
    c.engines[es.engine_set_id] = es
    d = c.to_dict()
    c.controller = None
    c.engines = {}
    with open(out, "w") as f:
        json.dump(d, f)


def paths(profile_dir, cluster_id):
    import IPython.paths
    from ipyparallel.cluster import Cluster

    print(f"ipython-dir={IPython.paths.get_ipython_dir()}")
    print(f"cluster={Cluster(profile_dir=profile_dir, cluster_id=cluster_id).cluster_file}")
    print(f"cluster-default={Cluster(profile_dir=profile_dir, cluster_id='').cluster_file}")


COMMANDS = {
    "fields": fields,
    "client-connect": client_connect,
    "cluster-connect": cluster_connect,
    "cluster-dead": cluster_dead,
    "dump-local": dump_local,
    "dump-slurm": dump_slurm,
    "paths": paths,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
