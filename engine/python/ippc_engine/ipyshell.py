"""The IPython shell: code runs through IPython's InteractiveShell (magics, rich display,
IPython's own tracebacks), as in the stock engine, with display and results published
through the engine's IOPub instead of ipykernel's."""


from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

from .iopub import flush_streams, publish


class EngineDisplayHook(DisplayHook):
    """execute_result of a cell's last expression (what ipykernel's ZMQShellDisplayHook does)."""

    def start_displayhook(self):
        self._content = {"data": {}, "metadata": {}, "execution_count": self.prompt_count}

    def write_output_prompt(self):
        self._content["execution_count"] = self.prompt_count

    def write_format_data(self, format_dict, md_dict=None):
        self._content["data"] = format_dict
        self._content["metadata"] = md_dict or {}

    def finish_displayhook(self):
        flush_streams()
        if self._content and self._content["data"]:
            publish("execute_result", self._content)
        self._content = None


class EngineDisplayPublisher(DisplayPublisher):
    """display() → display_data / update_display_data; clear_output()."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        flush_streams()
        content = {"data": data, "metadata": metadata or {}, "transient": transient or {}}
        publish("update_display_data" if update else "display_data", content)

    def clear_output(self, wait=False):
        flush_streams()
        publish("clear_output", {"wait": wait})


class EngineShell(InteractiveShell):
    displayhook_class = Type(EngineDisplayHook)
    display_pub_class = Type(EngineDisplayPublisher)

    _last_traceback = None

    def _showtraceback(self, etype, evalue, stb):
        # ipykernel publishes the error here; the engine's kernel publishes it with the
        # reply instead, so only the structured traceback is kept.
        flush_streams()
        self._last_traceback = stb

    def init_io(self):
        pass  # sys.stdout / sys.stderr are the engine's stream writers

    def enable_gui(self, gui=None):
        pass

    def read_payload(self):
        payload = self.payload_manager.read_payload()
        self.payload_manager.clear_payload()
        return payload

    def run_file(self, path):
        """--startup-script, as IPKernelApp's exec_files run it (.ipy as IPython
        cells); a failure is left in self._last_traceback through showtraceback."""
        self._last_traceback = None
        if path.endswith(".ipy"):
            self.safe_execfile_ipy(path, shell_futures=True)
        else:
            self.safe_execfile(path, self.user_ns, shell_futures=False)

    def execute(self, code, silent=False, store_history=True):
        """Run a cell; returns None, or the exception that ended it."""
        self._last_traceback = None
        res = self.run_cell(code, store_history=store_history, silent=silent)
        if res.success:
            return None
        return res.error_before_exec if res.error_before_exec is not None else res.error_in_exec


def make_shell(colors=None, profile_dir=None):
    cfg = Config()
    cfg.HistoryManager.hist_file = ":memory:"
    if colors:
        cfg.InteractiveShell.colors = colors
    kwargs = {"config": cfg}
    if profile_dir:
        from IPython.core.profiledir import ProfileDir

        try:
            kwargs["profile_dir"] = ProfileDir(location=profile_dir)
        except Exception:
            pass
    shell = EngineShell.instance(**kwargs)
    shell.colors = shell.colors  # apply the scheme to the traceback formatters
    return shell

