"""apply_request from stock ipyparallel clients: canned pickles.

The stock client packs ``f, args, kwargs`` with ``ipyparallel.serialize`` (functions as
CPython bytecode, numpy arrays as raw buffers), so the engine unpacks them with the same
module, imported on the first such request (it imports IPython and pyzmq, which an
engine serving only C clients never needs). Without ipyparallel the request fails with
an error that names the missing package.

Two stock engine behaviours the stock client relies on are provided here:
``ipyparallel.util.get_ipython()`` returns the engine's shell (``_push``/``_pull`` use
its ``user_global_ns``), and ``ipyparallel.datapub.publish_data`` publishes
``data_message`` on the engine's IOPub.
"""

import sys

from .iopub import publish

_serialize = None
_shell = None


class MissingPackage(ImportError):
    pass


def set_shell(shell):
    global _shell
    _shell = shell
    util = sys.modules.get("ipyparallel.util")
    if util is not None:
        util.get_ipython = get_ipython


def get_ipython():
    return _shell


def serialize():
    """ipyparallel.serialize, imported on first use."""
    global _serialize
    if _serialize is None:
        try:
            from ipyparallel import serialize as ser
            import ipyparallel.util as util
        except ImportError as e:
            raise MissingPackage(
                "ippc-engine: this apply_request uses the stock ipyparallel encoding (canned pickles), "
                "which needs the 'ipyparallel' package in the engine's Python %d.%d (%s): %s"
                % (sys.version_info[0], sys.version_info[1], sys.executable, e)) from None
        util.get_ipython = get_ipython
        _serialize = ser
    return _serialize


def publish_data(data):
    """ipyparallel.datapub.publish_data for this engine."""
    bufs = serialize().serialize_object(data)
    publish("data_message", {"keys": [str(k) for k in data.keys()]}, bufs)


class _DatapubFinder:
    """Replaces publish_data in ipyparallel.engine.datapub after it is imported (the
    stock one looks for ipykernel's ZMQInteractiveShell, which this engine has not)."""

    NAME = "ipyparallel.engine.datapub"

    def find_spec(self, name, path, target=None):
        if name != self.NAME:
            return None
        import importlib.util

        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            module.publish_data = publish_data

        try:
            loader.exec_module = exec_and_patch
        except AttributeError:
            return spec
        return spec


def install_hooks():
    sys.meta_path.insert(0, _DatapubFinder())
    mod = sys.modules.get(_DatapubFinder.NAME)
    if mod is not None:
        mod.publish_data = publish_data
    pub = sys.modules.get("ipyparallel.datapub")
    if pub is not None:
        pub.publish_data = publish_data
