"""pytest plugin: run the stock ipyparallel test suite with ippc-engine as the engine.

The suite's fixtures start engines with `launcher.ipengine_cmd_argv + ['--profile=iptest',
'--InteractiveShell.colors=nocolor', '--log-level=10']`; replacing the list in place
points them at ippc-engine ($IPPC_ENGINE, a command line). The controller is the stock
ipcontroller unless $IPPC_CONTROLLER names another (ippc-controller).

Tests listed in the files of $IPPC_ENGINE_EXCLUSIONS (colon-separated; one
`<file>::<class>::<test> <reason>` per line, # comments) are marked xfail and not run,
so reports name each with its reason.
"""
import os
import shlex

import pytest
from ipyparallel.cluster import launcher

_engine = os.environ.get("IPPC_ENGINE")
if _engine:
    launcher.ipengine_cmd_argv[:] = shlex.split(_engine)
_controller = os.environ.get("IPPC_CONTROLLER")
if _controller:
    launcher.ipcontroller_cmd_argv[:] = shlex.split(_controller)


def load_exclusions(paths):
    """{test id: reason} from the files in paths (colon-separated)."""
    out = {}
    for path in filter(None, (paths or "").split(":")):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    test_id, _, reason = line.partition(" ")
                    out[test_id] = reason.strip() or "excluded"
    return out


def pytest_collection_modifyitems(config, items):
    exclusions = load_exclusions(os.environ.get("IPPC_ENGINE_EXCLUSIONS"))
    for item in items:
        nodeid = item.nodeid.split("/")[-1]
        reason = exclusions.get(nodeid) or exclusions.get(nodeid.split("[")[0])
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, run=False))
