"""The engine's kernel: what the C side calls for each shell request.

``Kernel.dispatch(msg_type, content_json, native, buffers)`` (content_json: the
request's content frame as bytes; native: its metadata has a true ``"ippc"``) returns
``(reply_content_json, reply_buffers, status, ename)`` (ename None unless an error):
the C side puts the text into the reply as it is and writes the reply metadata from
status and ename. It publishes the request's IOPub output on the way (execute_input,
stream, display_data, execute_result, error); the C side sends status busy/idle and
the reply. Handled types:

* ``execute_request`` ``{code, silent, store_history, user_expressions}`` → execute_reply
  ``{status, execution_count, user_expressions, payload}`` (+ ename, evalue, traceback,
  engine_info on errors).
* ``apply_request``: the stock canned-pickle encoding (canned.py), or the native
  encoding of libippc when the request metadata has ``"ippc": 1`` (native.py).
* ``kernel_info_request``; anything else gets an error reply.
"""

import os
import sys

import _ippc

from . import outstream
from .iopub import dumps, flush_streams, publish

DEFAULT_MPI_INIT = """
from mpi4py import MPI
mpi_rank = MPI.COMM_WORLD.Get_rank()
mpi_size = MPI.COMM_WORLD.Get_size()
"""


_MISSING = object()
_OK_REPLY = '{"status":"ok"}'


def _log(level, text):
    _ippc.log(level, text)


class Kernel:
    def __init__(self, engine_uuid, shell="auto", colors=None, profile_dir=None, mpi=False, fd_capture=True,
                 log_level=20):
        self.engine_id = -1  # known after registration (attach)
        self.engine_uuid = engine_uuid
        self.shell_mode = shell
        self.colors = colors
        self.profile_dir = profile_dir
        self.mpi = mpi
        self.fd_capture = fd_capture
        self.log_level = log_level
        self.shell = None
        self.ipython = False
        self._native = None  # the codec modules, once imported (apply_request)
        self._serialize = None

    # ------------------------------------------------------------------ lifecycle

    def prepare(self, startup_command=None, startup_script=None):
        """Before registration: the shell and the startup code, in the stock engine's
        order (profile startup files, MPI initialisation, --startup-command,
        --startup-script). Output still goes to the engine's own stdout/stderr. Returns
        False when the startup command or script failed (its traceback is logged): an
        engine that cannot run its startup code must not register."""
        if "" not in sys.path:
            sys.path.insert(1, "")  # like the stock engine: the working directory is importable
        self._fix_executable()
        self.shell = self._make_shell()
        self._no_stdin()
        from . import canned

        canned.set_shell(self.shell)
        canned.install_hooks()
        if self.ipython:
            # With IPython the engine serves stock clients, whose first apply would
            # otherwise wait for ipyparallel's import; the plain shell stays lean and
            # imports it on the first canned apply.
            try:
                canned.serialize()
            except ImportError:
                pass
        self._run_startup_files()
        if self.mpi:
            self._report(self._run_code(DEFAULT_MPI_INIT), "MPI initialisation", 30)
        if startup_command and not self._report(self._run_code(startup_command), "--startup-command", 40):
            return False
        if startup_script and not self._report(self._run_file(startup_script), "--startup-script %s" % startup_script,
                                               40):
            return False
        return True

    def attach(self, engine_id):
        """After registration: the id, and stdout/stderr published on IOPub."""
        self.engine_id = engine_id
        sys.stdout = outstream.OutStream("stdout", 1)
        sys.stderr = outstream.OutStream("stderr", 2)

    def warm(self):
        """Registered and waiting for the first request: import what requests need.
        Kept out of the start (they are a third of its CPU time with the plain shell),
        so that the engine registers sooner, and done before the first request comes
        (when it comes later than a few milliseconds)."""
        import json  # noqa: F401
        import linecache  # noqa: F401

        if not self.ipython:
            import ast  # noqa: F401

    def _fix_executable(self):
        # sys.executable is this C program; code that starts Python children
        # (multiprocessing, subprocess.run([sys.executable, ...])) needs a real interpreter.
        exe = os.path.join(sys.base_exec_prefix, "bin", "python%d.%d" % sys.version_info[:2])
        if os.access(exe, os.X_OK):
            sys.executable = exe
            sys._base_executable = exe

    def _no_stdin(self):
        """input() cannot be answered (no client sends input_reply to engines): fail
        at once like ipykernel instead of reading the engine's own stdin."""
        import builtins
        import getpass

        if self.ipython:
            from IPython.core.error import StdinNotImplementedError
        else:  # the same name, without importing IPython
            class StdinNotImplementedError(NotImplementedError):
                pass

        def no_input(prompt=""):
            raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")

        builtins.input = no_input
        getpass.getpass = no_input

    def _make_shell(self):
        if self.shell_mode in ("auto", "ipython"):
            try:
                from . import ipyshell
            except ImportError as e:
                if self.shell_mode == "ipython":
                    raise ImportError("--shell=ipython: IPython cannot be imported: %s" % e) from None
                _log(20, "IPython not importable (%s); using the plain shell" % e)
            else:
                self.ipython = True
                _log(10, "running code through IPython")
                return ipyshell.make_shell(self.colors, self.profile_dir)
        from .plainshell import PlainShell

        _log(10, "running code through the plain shell")
        return PlainShell()

    def _run_code(self, code):
        """Startup code: the formatted traceback when it failed, else None."""
        self.shell._last_traceback = None
        err = self.shell.execute(code, silent=True, store_history=False)
        if err is None:
            return None
        return self.shell._last_traceback or ["%s: %s" % (type(err).__name__, err)]

    def _run_file(self, path):
        """A startup script in the user namespace, as IPKernelApp's exec_files: __file__
        and sys.argv name it while it runs. The traceback when it failed, else None."""
        if not os.path.isfile(path):
            return ["FileNotFoundError: startup script %s not found (in %s)" % (path, os.getcwd())]
        ns = self.shell.user_ns
        saved_argv, saved_file = sys.argv, ns.get("__file__", _MISSING)
        sys.argv = [path]
        ns["__file__"] = path
        self.shell._last_traceback = None
        try:
            self.shell.run_file(path)
        finally:
            sys.argv = saved_argv
            if saved_file is _MISSING:
                ns.pop("__file__", None)
            else:
                ns["__file__"] = saved_file
        return self.shell._last_traceback

    def _report(self, traceback, what, level):
        """Log a startup failure with its traceback (colours removed: this is the log);
        True when there was none."""
        if traceback is None:
            return True
        import re

        text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
        _log(level, "%s failed:\n%s" % (what, text))
        return False

    def _run_startup_files(self):
        """<profile_dir>/startup/*.py (and *.ipy with IPython), in name order, as the
        stock engine's IPKernelApp does; a failing one is logged and the next runs."""
        if not self.profile_dir:
            return
        d = os.path.join(self.profile_dir, "startup")
        try:
            names = sorted(os.listdir(d))
        except OSError:
            return
        for name in names:
            path = os.path.join(d, name)
            if name.endswith(".py") or (name.endswith(".ipy") and self.ipython):
                try:
                    with open(path, encoding="utf-8") as f:
                        code = f.read()
                except OSError as e:
                    _log(30, "startup file %s: %s" % (path, e))
                    continue
                self._report(self._run_code(code), "startup file %s" % path, 30)

    def clear(self):
        self.shell.reset()

    def shutdown(self):
        flush_streams()
        try:
            import atexit

            atexit._run_exitfuncs()
        except Exception:
            pass

    # ------------------------------------------------------------------ requests

    def dispatch(self, msg_type, content_json, native, buffers):
        try:
            if msg_type == "apply_request":  # the content of a stock one is {}: not parsed
                return self.apply_request(content_json, native, buffers)
            import json

            content = json.loads(content_json)
            if msg_type == "execute_request":
                return self.execute_request(content)
            if msg_type == "kernel_info_request":
                return self.kernel_info(), None, "ok", None
            return self._error_reply("ValueError", "ippc-engine: unknown shell message type '%s'" % msg_type,
                                     ["ValueError: unknown shell message type '%s'" % msg_type],
                                     msg_type.replace("_request", ""))
        except BaseException as e:  # e.g. a KeyboardInterrupt after the user's code ended
            return self._error_reply(type(e).__name__, str(e), ["%s: %s" % (type(e).__name__, e)],
                                     "apply" if msg_type == "apply_request" else "execute")

    def _error_reply(self, ename, evalue, traceback, method):
        return dumps(self._error_content(ename, evalue, traceback, method)), None, "error", ename

    def _error_content(self, ename, evalue, traceback, method):
        return {"status": "error", "ename": ename, "evalue": evalue, "traceback": traceback,
                "engine_info": {"engine_uuid": self.engine_uuid, "engine_id": self.engine_id, "method": method}}

    def kernel_info(self):
        import platform

        return dumps({"status": "ok", "protocol_version": "5.3", "implementation": "ippc",
                      "implementation_version": "0.1.0",
                      "language_info": {"name": "python", "version": platform.python_version(),
                                        "mimetype": "text/x-python", "file_extension": ".py"},
                      "banner": "ippc-engine (%s shell)" % ("IPython" if self.ipython else "plain")})

    def execute_request(self, c):
        code = c.get("code", "")
        silent = bool(c.get("silent", False))
        store_history = c.get("store_history", not silent)
        shell = self.shell
        if not silent:
            publish("execute_input", {"code": code, "execution_count": shell.execution_count})
        err = shell.execute(code, silent=silent, store_history=store_history)
        flush_streams()
        reply = {"status": "ok" if err is None else "error"}
        if err is not None:
            try:
                evalue = str(err)
            except Exception as e:
                evalue = "Failed to cast exception to string: %s" % e
            error = {"ename": type(err).__name__, "evalue": evalue,
                     "traceback": shell._last_traceback or ["%s: %s" % (type(err).__name__, evalue)]}
            publish("error", error)
            reply.update(error)
            reply["engine_info"] = {"engine_uuid": self.engine_uuid, "engine_id": self.engine_id,
                                    "method": "execute"}
            reply["user_expressions"] = {}
        else:
            reply["user_expressions"] = shell.user_expressions(c.get("user_expressions") or {})
        reply["execution_count"] = shell.execution_count - 1
        reply["payload"] = shell.read_payload()
        return dumps(reply), None, reply["status"], reply.get("ename")

    def apply_request(self, content_json, native, buffers):
        try:
            if native:
                codec = self._native or self._import_native()
                f, args, kwargs = codec.unpack_request(codec.loads(content_json), buffers, self.shell.user_global_ns)
            else:
                ser = self._serialize or self._import_serialize()
                f, args, kwargs = ser.unpack_apply_message(buffers, self.shell.user_global_ns, copy=False)
            result = f(*args, **kwargs)  # the frame below ours is the user's (tb offset 1)
            if native:
                return codec.pack_reply_text(result) + ("ok", None)
            return _OK_REPLY, ser.serialize_object(result), "ok", None
        except BaseException as e:
            content = self._apply_error(e)
            return dumps(content), None, "error", content["ename"]

    def _import_native(self):
        from . import native

        self._native = native
        return native

    def _import_serialize(self):
        from . import canned

        self._serialize = canned.serialize()  # MissingPackage without ipyparallel
        return self._serialize

    def _apply_error(self, e):
        from . import canned

        self.shell._last_traceback = None
        if isinstance(e, canned.MissingPackage):
            tb = ["%s: %s" % (type(e).__name__, e)]
        else:
            try:
                self.shell.showtraceback()
            except Exception:
                pass
            tb = self.shell._last_traceback or ["%s: %s" % (type(e).__name__, e)]
        self.shell._last_traceback = None
        try:
            evalue = str(e)
        except Exception as err:
            evalue = "Failed to cast exception to string: %s" % err
        content = self._error_content(type(e).__name__, evalue, tb, "apply")
        publish("error", {k: content[k] for k in ("traceback", "ename", "evalue", "engine_info")})
        _log(20, "Exception in apply request:\n%s" % "\n".join(tb))
        return content
