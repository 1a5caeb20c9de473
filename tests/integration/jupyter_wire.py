"""jupyter_wire.py - cross-checks of libippc's wire layer against jupyter_client.Session.

Run by jupyter_wire.sh as:  jupyter_wire.py CHECK WIRETOOL TMPDIR
Each CHECK exits 0 when it holds, else prints why and exits 1. Frames travel between
the two sides in ippc-wiretool's stream format (4-byte big-endian length, then bytes).
"""
import datetime
import json
import os
import re
import struct
import subprocess
import sys

import zmq
from jupyter_client.session import Session

KEY = "4b72be71-8d197964393dddbbb367ee1a"
OTHER_KEY = "not-the-same-key"
CONTENT = {"code": "a = 1", "silent": False, "nested": {"list": [1, 2.5, None, True]},
           "text": "caf\u00e9 \u65e5\u672c \U0001f600", "nul": "a\u0000b"}


class CheckFailed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def session(key, **kw):
    return Session(key=key.encode(), username="tester", **kw)


def pack_frames(frames):
    return b"".join(struct.pack(">I", len(f)) + bytes(f) for f in frames)


def unpack_frames(data):
    frames, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from(">I", data, pos)
        frames.append(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return frames


class Ctx:
    def __init__(self, tool, tmp):
        self.tool, self.tmp = tool, tmp
        self.big = bytes((i * 31 + 7) & 0xFF for i in range(1 << 20))
        self.big_path = os.path.join(tmp, "big.bin")
        with open(self.big_path, "wb") as f:
            f.write(self.big)

    def run(self, *args, ok_codes=(0,)):
        p = subprocess.run([self.tool, *args], capture_output=True)
        expect(p.returncode in ok_codes,
               f"{os.path.basename(self.tool)} {args[0]} exited {p.returncode}: {p.stderr.decode()}")
        return p.stdout

    def build(self, key, parent=None, idents=(), bufs=None):
        """A message made by libippc, as frames."""
        args = ["build", "-m", '{"label": null}']
        for i in idents:
            args += ["-i", i]
        if parent is not None:
            args += ["-p", json.dumps(parent)]
        args += [key, "apply_request", json.dumps(CONTENT)]
        args += ["", "small", "@" + self.big_path] if bufs is None else bufs
        return unpack_frames(self.run(*args))

    def verify(self, key, *frame_lists):
        """libippc's verdict on each message, parsed by one session in order."""
        paths = []
        for i, frames in enumerate(frame_lists):
            paths.append(os.path.join(self.tmp, f"msg{i}.bin"))
            with open(paths[-1], "wb") as f:
                f.write(pack_frames(frames))
        out = self.run("verify", key, *paths, ok_codes=(0, 1))
        return [json.loads(line) for line in out.decode().splitlines()]


def python_header(msg_type="execute_request"):
    """A header as Python sends it (date squashed to a string), to use as a parent."""
    s = session(KEY)
    return json.loads(s.pack(s.msg_header(msg_type)))


# ------------------------------------------------------------- libippc -> Python

def check_c2py(c):
    parent = python_header()
    frames = c.build(KEY, parent=parent, idents=["engine-1", "client-2"])
    s = session(KEY)
    idents, msg_list = s.feed_identities(frames)
    msg = s.deserialize(msg_list)
    expect(idents == [b"engine-1", b"client-2"], f"idents {idents}")
    expect(msg["msg_type"] == "apply_request", f"msg_type {msg['msg_type']}")
    expect(msg["content"] == CONTENT, f"content {msg['content']}")
    expect(msg["metadata"] == {"label": None}, f"metadata {msg['metadata']}")
    bufs = [bytes(b) for b in msg["buffers"]]
    expect(bufs == [b"", b"small", c.big], f"buffers {[len(b) for b in bufs]}")
    expect(json.loads(msg_list[2]) == parent, f"parent header {msg_list[2]!r}")
    expect(msg["parent_header"]["msg_id"] == parent["msg_id"], "parent msg_id")
    h = msg["header"]
    expect(list(json.loads(msg_list[1])) == ["msg_id", "msg_type", "username", "session", "date",
                                              "version"], f"header keys {msg_list[1]!r}")
    expect(h["version"] == "5.3", "version")
    expect(re.fullmatch(re.escape(h["session"]) + r"_\d+_0", h["msg_id"]), f"msg_id {h['msg_id']}")
    expect(isinstance(h["date"], datetime.datetime) and h["date"].tzinfo is not None,
           f"date {h['date']!r} not parsed as an aware datetime")
    age = datetime.datetime.now(datetime.timezone.utc) - h["date"]
    expect(abs(age.total_seconds()) < 60, f"date {h['date']} is not now")


def check_c2py_wrongkey(c):
    frames = c.build(KEY)
    s = session(OTHER_KEY)
    _, msg_list = s.feed_identities(frames)
    try:
        s.deserialize(msg_list)
    except ValueError as e:
        expect("Invalid Signature" in str(e), f"unexpected error {e}")
        return
    raise CheckFailed("jupyter_client accepted a message signed with another key")


def check_c2py_unsigned(c):
    frames = c.build("")
    s = session("")
    _, msg_list = s.feed_identities(frames)
    expect(msg_list[0] == b"", f"signature {msg_list[0]!r} in unsigned mode")
    msg = s.deserialize(msg_list)
    expect(msg["content"] == CONTENT, "content")
    try:
        session(KEY).deserialize(msg_list)
    except ValueError as e:
        expect("Unsigned Message" in str(e), f"unexpected error {e}")
        return
    raise CheckFailed("a keyed jupyter_client session accepted an unsigned message")


# ------------------------------------------------------------- Python -> libippc

def python_message(c, key=KEY, parent=None):
    """A message made by jupyter_client, with identities and buffers, as frames."""
    s = session(key)
    msg = s.msg("apply_reply", content=CONTENT, parent=parent or python_header(),
                metadata={"status": "ok", "engine": "e-uuid"})
    frames = s.serialize(msg, ident=[b"route-a", b"\x00\xff"])
    return frames + [b"", b"xyz", c.big]


def check_py2c(c):
    parent = python_header()
    frames = python_message(c, parent=parent)
    [res] = c.verify(KEY, frames)
    expect(res["ok"], f"libippc refused: {res}")
    d = frames.index(b"<IDS|MSG>")
    expect(res["idents"] == [f.hex() for f in frames[:d]], f"idents {res['idents']}")
    expect(res["header"] == json.loads(frames[d + 2]), "header")
    expect(res["parent_header"] == parent, "parent header")
    expect(res["metadata"] == json.loads(frames[d + 4]), "metadata")
    expect(res["content"] == CONTENT, f"content {res['content']}")
    expect(res["buffers"] == ["", b"xyz".hex(), c.big.hex()], "buffers")


def check_py2c_wrongkey(c):
    [res] = c.verify(OTHER_KEY, python_message(c))
    expect(not res["ok"] and res["error"] == "IPPC_E_SIGNATURE", f"got {res}")
    expect(res["message"] == "signature mismatch", f"message {res['message']}")


def check_py2c_tampered(c):
    frames = python_message(c)
    d = frames.index(b"<IDS|MSG>")
    frames[d + 5] = frames[d + 5].replace(b"a = 1", b"a = 2")
    [res] = c.verify(KEY, frames)
    expect(not res["ok"] and res["error"] == "IPPC_E_SIGNATURE", f"got {res}")


def check_py2c_replay(c):
    frames = python_message(c)
    first, second = c.verify(KEY, frames, frames)
    expect(first["ok"], f"first copy refused: {first}")
    expect(not second["ok"] and second["error"] == "IPPC_E_REPLAY", f"second copy: {second}")


def check_py2c_unsigned(c):
    frames = python_message(c, key="")
    [res] = c.verify("", frames)
    expect(res["ok"], f"unsigned message refused: {res}")
    [res] = c.verify(KEY, frames)
    expect(not res["ok"] and res["error"] == "IPPC_E_SIGNATURE", f"keyed: {res}")


# ------------------------------------------------------------ over real sockets

def check_zmq_echo(c):
    """libippc receives and replies over a real socket; jupyter_client sends and receives."""
    endpoint = "ipc://" + os.path.join(c.tmp, "echo.sock")
    tool = subprocess.Popen([c.tool, "echo", KEY, endpoint, "3"], stdout=subprocess.PIPE)
    try:
        expect(tool.stdout.readline().strip() == b"ready", "echo tool did not start")
        ctx = zmq.Context()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.rcvtimeo = 10000
        sock.connect(endpoint)
        s = session(KEY)
        msg = s.msg("echo_request", content=CONTENT)
        bufs = [b"", b"small", c.big]
        frames = s.serialize(msg) + bufs
        sock.send_multipart(frames)
        idents, reply = s.recv(sock, mode=0)
        expect(reply is not None, "no reply")
        expect(idents == [], f"idents {idents}")
        expect(reply["msg_type"] == "echo_reply", f"msg_type {reply['msg_type']}")
        expect(reply["parent_header"]["msg_id"] == msg["header"]["msg_id"], "parent msg_id")
        expect(reply["parent_header"]["session"] == s.session, "parent session")
        expect(reply["content"] == CONTENT, "content")
        expect(reply["metadata"] == {"echoed": 0}, f"metadata {reply['metadata']}")
        expect([bytes(b) for b in reply["buffers"]] == bufs, "buffers")

        session(OTHER_KEY).send(sock, "echo_request", content={})  # refused: no reply
        sock.send_multipart(frames)  # a replay: refused, no reply
        expect(tool.wait(timeout=20) == 1, "echo tool should report two refused messages")
        expect(sock.poll(200) == 0, "a refused message was answered")
        lines = [json.loads(line) for line in tool.stdout.read().decode().splitlines()]
        verdicts = [line["ok"] or line["error"] for line in lines]
        expect(verdicts == [True, "IPPC_E_SIGNATURE", "IPPC_E_REPLAY"], f"verdicts {verdicts}")
        ctx.destroy()
    finally:
        if tool.poll() is None:
            tool.kill()
            tool.wait()


CHECKS = {name[len("check_"):]: f for name, f in globals().items() if name.startswith("check_")}


def main():
    name, tool, tmp = sys.argv[1:4]
    c = Ctx(tool, tmp)
    try:
        CHECKS[name](c)
    except (CheckFailed, subprocess.TimeoutExpired) as e:
        print(f"{name}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
