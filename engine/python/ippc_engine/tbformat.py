"""IPython-style tracebacks without IPython (the plain shell).

The structured traceback is a list of strings, as IPython 8's VerboseTB makes it with
the NoColor scheme, so clients show the same text whichever shell ran the code::

    ---------------------------------------------------------------------------
    ZeroDivisionError                         Traceback (most recent call last)
    Cell In [1], line 1
    ----> 1 1/0

    ZeroDivisionError: division by zero

Frames of code run as a cell are named ``Cell In [N], line L``; other frames
``File <path>:L, in func(args)``. Context: two source lines before and after the
current one (one for chained exceptions), blank lines skipped, limited to the frame's
function; chained exceptions come first with IPython's linking sentences.
"""

import os

RULE_WIDTH = 75
NUMBERS_WIDTH = 7

# filename → cell number, for "Cell In [N]" (filled by the plain shell)
cell_names = {}


def _exc_line(etype, evalue):
    name = getattr(etype, "__name__", str(etype))
    try:
        text = str(evalue) if evalue is not None else ""
    except Exception as e:  # a broken __str__ must not break the reply
        text = "<exception str() failed: %s>" % e
    return "%s: %s" % (name, text)


def _link(filename, lineno):
    if filename in cell_names:
        return "Cell In [%s], line %s" % (cell_names[filename], lineno)
    home = os.path.expanduser("~")
    if home != "/" and filename.startswith(home + os.sep):
        filename = "~" + filename[len(home):]
    return "File %s:%s" % (filename, lineno)


def _call(frame):
    code = frame.f_code
    if code.co_name == "<module>":
        return ""
    import inspect

    try:
        args, varargs, varkw, values = inspect.getargvalues(frame)
        spec = inspect.formatargvalues(args, varargs, varkw, values, formatvalue=lambda v: "")
    except Exception:
        spec = "(***failed resolving arguments***)"
    return "in %s%s" % (getattr(code, "co_qualname", code.co_name), spec)


def _scope(code, lines):
    """First and last line (1-based) of the code object's source: the whole file for
    module code and for comprehensions and lambdas (their context is the enclosing
    code), else the function's own lines."""
    if code.co_name.startswith("<"):
        return 1, len(lines)
    last = code.co_firstlineno
    try:
        for _start, _end, line in code.co_lines():
            if line is not None and line > last:
                last = line
    except Exception:
        pass
    return code.co_firstlineno, last


def _source_lines(frame, lineno, context):
    import linecache  # imported after registering (Kernel.warm)

    filename = frame.f_code.co_filename
    lines = linecache.getlines(filename, frame.f_globals)
    if not lines or not lineno or lineno > len(lines):
        return []
    after = (context - 1) // 2
    before = (context - 1) - after
    first, last = _scope(frame.f_code, lines)
    shown = [lineno]
    n, i = 0, lineno - 1
    while n < before and i >= first:
        if lines[i - 1].strip():
            shown.insert(0, i)
            n += 1
        i -= 1
    n, i = 0, lineno + 1
    while n < after and i <= last:
        if lines[i - 1].strip():
            shown.append(i)
            n += 1
        i += 1
    # like stack_data, drop the indentation the shown lines have in common
    indent = min((len(lines[ln - 1]) - len(lines[ln - 1].lstrip()) for ln in shown), default=0)
    out = []
    for ln in shown:
        text = lines[ln - 1].rstrip("\n")[indent:]
        if ln == lineno:
            pad = NUMBERS_WIDTH - len(str(ln))
            arrow = "-" * (pad - 2) + "> " if pad >= 2 else (">" if pad == 1 else "")
            num = arrow + str(ln)
        else:
            num = "%*s" % (NUMBERS_WIDTH, ln)
        out.append("%s %s\n" % (num, text))
    return out


def _frames(tb, context, offset):
    entries = []
    while tb is not None:
        entries.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    entries = entries[offset:]
    parts = []
    hidden = 0
    for i, (frame, lineno) in enumerate(entries):
        if frame.f_locals.get("__tracebackhide__", 0) and i != len(entries) - 1:
            hidden += 1
            continue
        if hidden:
            parts.append("    [... skipping hidden %s frame]\n" % hidden)
            hidden = 0
        call = _call(frame)
        head = _link(frame.f_code.co_filename, lineno) + (", " + call if call else "") + "\n"
        parts.append(head + "".join(_source_lines(frame, lineno, context)))
    if hidden:
        parts.append("    [... skipping hidden %s frame]\n" % hidden)
    return parts


def _one(etype, evalue, tb, context, offset):
    name = getattr(etype, "__name__", str(etype))
    head = name + "Traceback (most recent call last)".rjust(RULE_WIDTH - len(name))
    return [head] + (_frames(tb, context, offset) if tb is not None else []) + [_exc_line(etype, evalue)]


def _chained(evalue):
    cause = getattr(evalue, "__cause__", None)
    if cause is not None:
        return cause, True
    if getattr(evalue, "__suppress_context__", False):
        return None, False
    return getattr(evalue, "__context__", None), False


def syntax_error(etype, evalue):
    """The single-string form IPython gives a SyntaxError in the input."""
    out = []
    filename = evalue.filename or "<string>"
    lineno = evalue.lineno
    import linecache

    out.append("  %s\n" % (_link(filename, lineno) if lineno else _link(filename, "unknown").rsplit(",", 1)[0]))
    textline = linecache.getline(filename, lineno) if lineno else ""
    if not textline:
        textline = evalue.text or ""
    if textline:
        i = 0
        while i < len(textline) and textline[i].isspace():
            i += 1
        out.append("    %s\n" % textline.strip())
        if evalue.offset is not None:
            s = "    " + "".join(c if c.isspace() else " " for c in textline[i:evalue.offset - 1])
            out.append("%s^\n" % s)
    msg = getattr(evalue, "msg", None) or str(evalue)
    out.append("%s: %s\n" % (etype.__name__, msg) if msg else "%s\n" % etype.__name__)
    return ["".join(out)]


def exception_only(etype, evalue):
    """SystemExit and friends: IPython shows no stack for these."""
    return ["An exception has occurred, use %tb to see the full traceback.\n", _exc_line(etype, evalue) + "\n"]


def format_exception(etype, evalue, tb, offset=0):
    """The structured traceback (list of str) of an exception caught in our code;
    offset frames at the top (ours) are left out."""
    if issubclass(etype, SyntaxError) and tb is not None and _only_our_frames(tb, offset):
        return syntax_error(etype, evalue)
    parts = [_one(etype, evalue, tb, 5, offset)]
    seen = {id(evalue)}
    exc = evalue
    while True:
        nxt, is_cause = _chained(exc)
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        parts.append([
            "\nThe above exception was the direct cause of the following exception:\n"
            if is_cause else
            "\nDuring handling of the above exception, another exception occurred:\n"])
        parts.append(_one(type(nxt), nxt, nxt.__traceback__, 3, 0))
        exc = nxt
    out = ["-" * RULE_WIDTH]
    for p in reversed(parts):
        out.extend(p)
    return out


def _only_our_frames(tb, offset):
    n = 0
    while tb is not None:
        n += 1
        tb = tb.tb_next
    return n <= offset
