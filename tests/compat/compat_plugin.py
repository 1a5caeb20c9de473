"""pytest plugin: run the stock ipyparallel test suite against ippc-controller and/or
ippc-engine (run_compat.sh loads it with `-p compat_plugin`).

The suite's fixtures start `launcher.ipcontroller_cmd_argv + ['--profile=iptest', ...]`
and `launcher.ipengine_cmd_argv + ['--profile=iptest', ...]`; replacing those lists in
place points them at the commands in $IPPC_CONTROLLER and $IPPC_ENGINE (command lines;
either may be unset to keep the stock one). With $IPPC_CONTROLLER_LOG set, the
controller's stderr (its log, and any sanitizer report) goes to that file.

Tests listed in $IPPC_COMPAT_EXCLUSIONS for the configuration in $IPPC_COMPAT_CONFIG
(e.g. "ctl=ippc eng=stock") are marked xfail and not run, so the report names each with
its reason. Each line of the exclusions file is

    <file>.py::<class>::<test>  <applies-to>  <reason>

where <applies-to> is `all` or comma-separated conditions on the configuration
(`ctl=ippc`, `eng=ippc`, `ctl=ippc,eng=stock`) that must all hold; # starts a comment.
"""
import os
import shlex

import pytest
from ipyparallel.cluster import launcher

KEYS = {"ctl": ("ippc", "stock"), "eng": ("ippc", "stock")}

_controller = os.environ.get("IPPC_CONTROLLER")
if _controller:
    argv = shlex.split(_controller)
    if os.environ.get("IPPC_CONTROLLER_LOG"):
        # pytest captures the output of whatever a fixture starts and shows it only for
        # failing tests: send the controller's log (and any sanitizer report) to a file.
        # exec keeps the pid the launcher signals that of the controller itself.
        argv = ["/bin/sh", "-c", 'exec "$0" "$@" 2>>"$IPPC_CONTROLLER_LOG"'] + argv
    launcher.ipcontroller_cmd_argv[:] = argv
_engine = os.environ.get("IPPC_ENGINE")
if _engine:
    launcher.ipengine_cmd_argv[:] = shlex.split(_engine)


def parse_conditions(text, where="configuration"):
    """{'ctl': ..., 'eng': ...} from 'ctl=ippc eng=stock' or 'ctl=ippc,eng=stock'."""
    out = {}
    for word in text.replace(",", " ").split():
        key, eq, value = word.partition("=")
        if not eq or key not in KEYS or value not in KEYS[key] or key in out:
            raise ValueError("%s: bad condition %r (want ctl=ippc|stock, eng=ippc|stock)" % (where, word))
        out[key] = value
    return out


def load_exclusions(path, config):
    """{test id: reason} for the tests of path that apply to config (a dict)."""
    out = {}
    if not path:
        return out
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(None, 2)
            if len(fields) < 2:
                raise ValueError("%s:%d: want <test id> <applies-to> <reason>" % (path, lineno))
            test_id, applies = fields[0], fields[1]
            reason = fields[2] if len(fields) > 2 else "excluded"
            if applies != "all":
                cond = parse_conditions(applies, "%s:%d" % (path, lineno))
                if any(config.get(k) != v for k, v in cond.items()):
                    continue
            out.setdefault(test_id, reason)
    return out


def excluded_reason(exclusions, nodeid):
    """The reason nodeid ('file.py::Class::test[param]', any directory) is excluded, or None."""
    nodeid = nodeid.split("/")[-1]
    return exclusions.get(nodeid) or exclusions.get(nodeid.split("[")[0])


def pytest_collection_modifyitems(config, items):
    exclusions = load_exclusions(os.environ.get("IPPC_COMPAT_EXCLUSIONS"),
                                 parse_conditions(os.environ.get("IPPC_COMPAT_CONFIG", "")))
    for item in items:
        reason = excluded_reason(exclusions, item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, run=False))
