"""The plain shell: runs code with the standard library only.

Semantics follow IPython's ``run_cell`` where a client can see them: the value of a
final expression statement is the execute_result (unless silent); ``execution_count``
advances when the cell is stored in history (not silent); ``Cell In [N]`` tracebacks;
SystemExit is reported as an error and never ends the engine.
"""

import builtins
import os
import sys
import types

from . import tbformat
from .iopub import publish, flush_streams


class PlainShell:
    """Namespace plus execution, the part of IPython's InteractiveShell the engine uses.

    ``user_ns`` / ``user_global_ns`` are what ipyparallel's ``_push``/``_pull`` use
    through ``get_ipython()``."""

    def __init__(self):
        self.user_module = types.ModuleType("__main__")
        self.user_ns = self.user_module.__dict__
        self.user_global_ns = self.user_ns
        self.execution_count = 1
        self._last_traceback = None
        self._cells = 0
        self._init_ns()
        sys.modules["__main__"] = self.user_module

    def _init_ns(self):
        self.user_ns.update({"__name__": "__main__", "__builtins__": builtins, "__doc__": None,
                             "__package__": None, "__loader__": None, "__spec__": None})

    def reset(self):
        """clear_request: the same dict (functions defined earlier keep their globals),
        emptied and set up again."""
        self.user_ns.clear()
        self._init_ns()
        sys.modules["__main__"] = self.user_module

    # ------------------------------------------------------------------ running code

    def _register(self, code, number):
        """A file name for the cell that linecache (and so tracebacks) can find."""
        import linecache  # ast and linecache: imported after registering (Kernel.warm)

        self._cells += 1
        # unique per run (not hashlib: its OpenSSL costs the idle engine 3 MB)
        filename = "<ipython-input-%s-%s>" % (number, self._cells)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tbformat.cell_names[filename] = number
        return filename

    def execute(self, code, silent=False, store_history=True):
        """Run code; returns None, or the exception that ended it (already formatted
        into self._last_traceback)."""
        import ast

        number = self.execution_count
        filename = self._register(code, number)
        try:
            tree = ast.parse(code, filename, "exec")
        except (SyntaxError, ValueError, OverflowError, MemoryError) as e:
            self._record(e, offset=10 ** 6)
            if store_history:
                self.execution_count += 1
            return e
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        error = None
        try:
            body = compile(tree, filename, "exec")
            tail = compile(last, filename, "eval") if last is not None else None
            exec(body, self.user_global_ns, self.user_ns)
            if tail is not None:
                value = eval(tail, self.user_global_ns, self.user_ns)
                if not silent:
                    self.displayhook(value, number)
        except SystemExit as e:
            error = e
            self._last_traceback = tbformat.exception_only(type(e), e)
        except BaseException as e:  # KeyboardInterrupt too: it ends this cell only
            error = e
            self._record(e, offset=1)
        finally:
            if store_history:
                self.execution_count += 1
        return error

    def run_file(self, path):
        """Run a script in the user namespace (--startup-script), its directory first on
        sys.path as for ``python PATH``. A failure is left in self._last_traceback;
        SystemExit(0) is not one."""
        self._last_traceback = None
        d = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, d)
        try:
            with open(path, "rb") as f:
                code = compile(f.read(), path, "exec", dont_inherit=True)
            exec(code, self.user_global_ns, self.user_ns)
        except SyntaxError as e:
            self._record(e, offset=10 ** 6)
        except SystemExit as e:
            if e.code not in (None, 0):
                self._last_traceback = tbformat.exception_only(type(e), e)
        except BaseException as e:
            self._record(e, offset=1)
        finally:
            try:
                sys.path.remove(d)
            except ValueError:
                pass

    def displayhook(self, value, number):
        if value is None:
            return
        builtins._ = value
        self.user_ns["_"] = value
        try:
            text = repr(value)
        except Exception as e:
            text = "<repr() failed: %s: %s>" % (type(e).__name__, e)
        flush_streams()
        publish("execute_result", {"data": {"text/plain": text}, "metadata": {}, "execution_count": number})

    def _record(self, e, offset):
        if isinstance(e, SyntaxError) and offset >= 10 ** 6:
            self._last_traceback = tbformat.syntax_error(type(e), e)
        else:
            self._last_traceback = tbformat.format_exception(type(e), e, e.__traceback__, offset)

    def showtraceback(self):
        """Format the exception being handled, skipping the caller's frame (like
        IPython's InteractiveTB with tb_offset=1)."""
        etype, evalue, tb = sys.exc_info()
        self._last_traceback = tbformat.format_exception(etype, evalue, tb, 1)

    def user_expressions(self, expressions):
        out = {}
        for key, expr in (expressions or {}).items():
            try:
                value = eval(expr, self.user_global_ns, self.user_ns)
                out[key] = {"status": "ok", "data": {"text/plain": repr(value)}, "metadata": {}}
            except BaseException as e:
                out[key] = {"status": "error", "ename": type(e).__name__, "evalue": str(e),
                            "traceback": tbformat.format_exception(type(e), e, e.__traceback__, 1)}
        return out

    def read_payload(self):
        return []
