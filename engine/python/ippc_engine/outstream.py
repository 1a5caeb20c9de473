"""sys.stdout / sys.stderr of the engine: text goes to the C side (``_ippc``), which
batches it into IOPub ``stream`` messages (see engine/outstream.c for the timing)."""

import io

import _ippc


class OutStream(io.TextIOBase):
    """A text stream whose writes become IOPub stream output."""

    def __init__(self, name, fd):
        super().__init__()
        self._name = name
        self._fd = fd
        self.name = "<%s>" % name

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        # With fd capture on, fd 1 / 2 lead to the same output (subprocess, faulthandler).
        if _ippc.fd_capture:
            return self._fd
        raise io.UnsupportedOperation("fileno")

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            _ippc.stream_write(self._name, s)
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        _ippc.stream_flush(self._name)
