"""Compare ippc's value model with the stock ipyparallel package and numpy.

usage: stock_partition.py IPPC_VALUETOOL TMPDIR

Prints one line per check, "ok DESCRIPTION" or "fail DESCRIPTION: DETAIL", for
stock_partition.sh to report:
  - scatter bounds of ippc_partition == ipyparallel.client.map.Map.getPartition
    for every n in 0..200 and q in 1..17;
  - scatter parts of lists, tuples, ranges, str, bytes, dicts and numpy arrays ==
    repr() of the stock parts; gather (joinPartitions) of parts likewise;
  - repr of Python literals == repr(eval(literal)); repr of ndarrays == numpy's
    repr (fixed cases plus seeded random arrays); repr of floats == Python's.
"""
import json
import os
import random
import struct
import subprocess
import sys

import numpy as np
from ipyparallel.client.map import Map

TOOL, TMP = sys.argv[1], sys.argv[2]
STOCK = Map()


def report(ok, desc, detail=""):
    print(("ok %s" % desc) if ok else ("fail %s: %s" % (desc, detail)), flush=True)


def tool(*args):
    """Run ippc-valuetool --json; the parsed output, or an error string."""
    r = subprocess.run([TOOL, "--json", *args], capture_output=True, text=True)
    if r.returncode != 0:
        return "exit %d: %s" % (r.returncode, r.stderr.strip())
    return json.loads(r.stdout)


def first_difference(want, got):
    if isinstance(got, str):
        return got
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return "item %d: want %r, got %r" % (i, w, g)
    return "want %d items, got %d" % (len(want), len(got))


def compare(desc, want, got):
    report(want == got, desc, "" if want == got else first_difference(want, got))


_files = [0]


def array_arg(a):
    """The @DTYPE:SHAPE:FILE argument that gives the tool this array."""
    _files[0] += 1
    path = os.path.join(TMP, "a%d.bin" % _files[0])
    with open(path, "wb") as f:
        f.write(a.tobytes())
    return "@%s:%s:%s" % (a.dtype.str, ",".join(map(str, a.shape)), path)


# ------------------------------------------------------------------ bounds
def check_bounds():
    rows = subprocess.run([TOOL, "partition", "0-200", "1-17"], capture_output=True, text=True, check=True)
    got = {}
    for line in rows.stdout.split("\n"):
        if line:
            n, q, p, lo, hi = map(int, line.split())
            got[n, q, p] = (lo, hi)
    for q in range(1, 18):
        bad = []
        for n in range(201):
            for p in range(q):
                part = STOCK.getPartition(range(n), p, q)  # a range: its bounds
                if got.get((n, q, p)) != (part.start, part.stop):
                    bad.append("n=%d p=%d: want %s, got %s" % (n, p, (part.start, part.stop), got.get((n, q, p))))
        report(not bad, "partition bounds n=0..200 q=%d match Map.getPartition" % q, "; ".join(bad[:3]))


# ----------------------------------------------------------------- scatter
SEQUENCES = [
    "[]", "[0, 1, 2, 3, 4]", "list(range(23))", "[[1], 'a', None, (2,), {'k': 3}, b'x', 2.5]",
    "()", "(1,)", "tuple(range(11))", "range(5)", "range(0, 16)", "range(100)", "range(3, 40, 3)",
    "range(10, 0, -3)", "range(-7, 7, 2)", "range(0)", "'héllo wörld'", "'abcdefghij'", "b'abcdef'",
    "{'a': 1, 'b': 2, 'c': 3, 'd': 4}",
]


def literal_for_tool(expr):
    """The tool parses literals only: spell list(...) and tuple(...) out."""
    return repr(eval(expr))


def check_scatter_sequences():
    for expr in SEQUENCES:
        seq = eval(expr)
        for q in (1, 2, 3, 4, 7, 16):
            want = [repr(STOCK.getPartition(seq, p, q)) for p in range(q)]
            compare("scatter %s over %d" % (expr, q), want, tool("scatter", literal_for_tool(expr), str(q)))


def sample_arrays():
    rng = np.random.default_rng(7)
    return [
        np.arange(10.0), np.arange(12).reshape(4, 3), np.arange(24, dtype="<i4").reshape(2, 3, 4),
        rng.standard_normal((9, 2)), np.array([True, False, True]), np.arange(6, dtype=">f8"),
        np.arange(5, dtype="<f4") / 3, np.zeros((0, 3)), np.arange(1001), rng.integers(0, 255, (7, 5), dtype="u1"),
        (rng.standard_normal(6) + 1j * rng.standard_normal(6)).astype("<c16"),
    ]


def check_scatter_arrays():
    for a in sample_arrays():
        arg = array_arg(a)
        for q in (1, 2, 3, 5, 8):
            want = [repr(STOCK.getPartition(a, p, q)) for p in range(q)]
            compare("scatter ndarray %s%s over %d" % (a.dtype.str, a.shape, q), want, tool("scatter", arg, str(q)))


# ------------------------------------------------------------------ gather
GATHERS = [
    [[1, 2], [3]], [(1,), (2, 3)], [[1], (2, 3), range(4, 6)], [(1,), "ab"], [[], [], []],
    [[1], b"\x05", {"k": 0}], [range(0, 3), range(3, 5)], [1, 2, 3], ["ab", "cd"], [None],
    [{"a": 1}, {"b": 2}], [[0.5, "x"], [None, (1, 2)]],
]


def check_gather():
    for parts in GATHERS:
        want = [repr(STOCK.joinPartitions(parts))]
        compare("gather %r" % (parts,), want, tool("gather", *[repr(p) for p in parts]))
    for a in sample_arrays():
        for q in (1, 3):
            parts = [STOCK.getPartition(a, p, q) for p in range(q)]
            want = [repr(STOCK.joinPartitions(parts))]
            compare("gather ndarray %s%s from %d parts" % (a.dtype.str, a.shape, q), want,
                    tool("gather", *[array_arg(p) for p in parts]))
    mixed = [[1], np.array([2, -3], dtype="<i4"), np.array([0.5, 1e20]), np.zeros((2, 2), dtype="<i8")]
    compare("gather list then arrays", [repr(STOCK.joinPartitions(mixed))],
            tool("gather", "[1]", *[array_arg(p) for p in mixed[1:]]))


# -------------------------------------------------------------------- repr
LITERALS = [
    "None", "True", "False", "0", "-9223372036854775808", "0x7fffffffffffffff", "0o777", "0b1011", "1_000",
    "0.0", "-0.0", "1.0", "0.1", "0.3333333333333333", "1e16", "1e15", "123456789.123",
    "1e-4", "1e-5", "2.5e-300", "5e-324", "1.7976931348623157e308", "1e400", "-1e400", "1.5e+16",
    "float('nan')", "float('-inf')", "float(' 12.5 ')", ".5", "5.", "1_0.2_5e1_0",
    "''", "'a'", "\"it's\"", "'say \"hi\"'", "'both \\' and \"'", "'\\t\\n\\r\\\\'", "'\\x00\\x1f\\x7f'",
    "'\\x80\\x9f\\xa0\\xad\\xff'", "'\\u0378\\u0600\\u061c\\u200b\\u2028\\u2029\\u3000\\ufeff\\ufffd'",
    "'\\ud7ff\\ue000\\uf8ff\\U000f0000\\U0010ffff'", "'\\U0001f600\\U0001f1fa\\U000e0001'", "'é中文한국어'",
    "'\\a\\b\\f\\v\\0\\101\\777'", "'a' 'b' \"c\"", "r'\\n\\d\\''", "'''tri'ple\"q'''", "'\\q\\ '",
    "b''", "b'abc'", "b\"it's\"", "b'\\x00\\x7f\\x80\\xff\\n\\t\\r'", "b'\"'", "b'\\'\"'", "rb'\\x00'", "b'\\777'",
    "[]", "[1, [2, [3, []]]]", "()", "(1,)", "((),)", "(1, 'a', b'b', None)", "{}", "{'a': 1, 'b': [2, (3,)], 'a': 4}",
    "{'é': {'\\x00': ()}}", "range(5)", "range(0, 16)", "range(0, 10, 2)", "range(10, 0, -3)", "range(-2, -9, -1)",
    "range(-9223372036854775808, 9223372036854775807)", "[range(1), {'r': range(3, 4, 5)}]",
]


def check_literals():
    got = tool("repr", *LITERALS)
    if isinstance(got, str):
        report(False, "repr of %d literals" % len(LITERALS), got)
        return
    for lit, g in zip(LITERALS, got):
        want = repr(eval(lit))
        report(want == g, "repr %s" % lit, "want %r, got %r" % (want, g))


def numpy_cases():
    cases = sample_arrays() + [
        np.array([1.0, 2.0, 3.0]), np.arange(30), np.arange(2000.0), np.array([1e-5, 1.5e10]),
        np.array([np.nan, -np.inf]), np.array([1 + 2j, 3.5 - 4j]), np.array([0.1], dtype="<f2"),
        np.array([], dtype="<f8"), np.zeros((2, 0)), np.array(5), np.array(1.5), np.array(True),
        np.arange(2000).reshape(40, 50), np.arange(7 ** 4).reshape(7, 7, 7, 7), np.array([-0.0, 0.0]),
        np.array([2 ** 64 - 1], dtype="<u8"), np.array([0.1, 1.0, 10.0], dtype="<f16"),
        np.array([65504, 1], dtype="<f2"), np.array([0.3, 1e-7, 0.114932634], dtype="<f4"),
    ]
    rng = np.random.default_rng(2024)
    dtypes = ["<f8", "<f4", "<f2", ">f8", "<i8", "<i4", ">i2", "|i1", "<u8", "<u2", "|u1", "|b1", "<c16", "<c8", "<f16"]
    for _ in range(300):
        dt = np.dtype(dtypes[rng.integers(len(dtypes))])
        nd = int(rng.integers(0, 4))
        shape = tuple(int(x) for x in rng.integers(0, 9 if nd > 1 else 40, nd))
        if rng.random() < 0.05:
            shape = (int(rng.integers(990, 1500)),)
        n = int(np.prod(shape))
        if dt.kind in "fc":
            a = rng.standard_normal(n) * 10.0 ** rng.integers(-15, 15)
            if rng.random() < 0.3:
                a = np.round(a)
            if rng.random() < 0.2 and n:
                a[rng.integers(n)] = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0])
            if dt.kind == "c":
                a = a + 1j * rng.standard_normal(n)
            with np.errstate(all="ignore"):
                a = a.astype(dt)
        elif dt.kind == "b":
            a = rng.random(n) < 0.5
        else:
            info = np.iinfo(dt)
            a = rng.integers(info.min, info.max, n, dtype=dt.newbyteorder("="), endpoint=True).astype(dt)
        cases.append(np.asarray(a, dtype=dt).reshape(shape))
    return cases


def check_numpy_repr():
    cases = numpy_cases()
    got = tool("repr", *[array_arg(a) for a in cases])
    if isinstance(got, str):
        report(False, "repr of %d ndarrays" % len(cases), got)
        return
    bad = ["%s%s: want %r, got %r" % (a.dtype.str, a.shape, repr(a), g) for a, g in zip(cases, got) if repr(a) != g]
    report(not bad, "numpy repr of %d arrays (fixed and random)" % len(cases), "%d differ; %s" % (len(bad), bad[:2]))


def check_float_repr():
    rnd = random.Random(11)
    xs = [2.0 ** k for k in range(-1074, 1024, 3)]
    xs += [struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0] for _ in range(3000)]
    xs += [rnd.random() * 10.0 ** rnd.randint(-30, 30) for _ in range(2000)]
    lits = [repr(x) if x == x and abs(x) != float("inf") else "float('%r')" % x for x in xs]
    bad = []
    for i in range(0, len(lits), 1000):
        chunk = lits[i:i + 1000]
        got = tool("repr", *chunk)
        if isinstance(got, str):
            bad.append(got)
            break
        bad += ["%s -> %s" % (lit, g) for lit, g in zip(chunk, got) if repr(eval(lit)) != g]
    report(not bad, "float repr of %d doubles (random bits, powers of two)" % len(lits), "; ".join(bad[:3]))


def main():
    check_bounds()
    check_scatter_sequences()
    check_scatter_arrays()
    check_gather()
    check_literals()
    check_numpy_repr()
    check_float_repr()


main()
