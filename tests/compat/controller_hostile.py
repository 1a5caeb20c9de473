"""Forged, replayed and garbled input on every socket the controller binds.

usage: controller_hostile.py CLIENT_JSON ENGINE_JSON ROUNDS
Sends junk at every port (ZeroMQ messages of every wrong shape, wrong and missing
signatures, replays, raw TCP garbage), then checks the controller still serves the
stock client and that no forged registration got in. Prints ok/FAIL lines; exit 1 on
a failure."""
import hashlib
import hmac
import json
import os
import random
import socket
import sys
import time
import uuid

import zmq

client_file, engine_file, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ci, ei = json.load(open(client_file)), json.load(open(engine_file))
key = ci["key"].encode()
failed = False
rng = random.Random(1234)
DELIM = b"<IDS|MSG>"


def check(cond, what):
    global failed
    print(("ok - " if cond else "FAIL - ") + what, flush=True)
    failed |= not cond


def header(msg_type):
    return {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "mallory",
            "session": uuid.uuid4().hex, "date": "2026-01-01T00:00:00.000000Z", "version": "5.3"}


def parts(msg_type, content=None):
    return [json.dumps(x).encode() for x in (header(msg_type), {}, {}, content or {})]


def sign(p, k=key):
    h = hmac.new(k, digestmod=hashlib.sha256)
    for x in p:
        h.update(x)
    return h.hexdigest().encode()


def junk_messages(prefix):
    """Every wrong shape we can think of; prefix = routing frames the socket needs."""
    p = parts("apply_request")
    yield [b"garbage"]
    yield [b""]
    yield [os.urandom(rng.randint(0, 64)) for _ in range(rng.randint(1, 12))]
    yield [DELIM]
    yield prefix + [DELIM, b"x" * 64, b"{}"]
    yield prefix + [DELIM, b"0" * 64] + p                               # wrong signature
    yield prefix + [DELIM, b""] + p                                     # unsigned
    yield prefix + [DELIM, sign(p, b"not-the-key")] + p                 # another key
    bad = [b"not json", b"{}", b"{}", b"{}"]
    yield prefix + [DELIM, sign(bad)] + bad                             # signed garbage
    arr = [b"[1,2]", b"{}", b"{}", b"{}"]
    yield prefix + [DELIM, sign(arr)] + arr                             # signed non-object
    nul = [b'{"msg_id": "a\\u0000b", "msg_type": 7}', b"{}", b"{}", b"\xff\xfe"]
    yield prefix + [DELIM, sign(nul)] + nul                             # odd but signed
    yield [os.urandom(8) for _ in range(200)]                           # many frames, no delimiter
    yield prefix + [os.urandom(1 << 20)]                                # a big frame
    yield [DELIM, sign(p)] + p                                          # no routing identity


ctx = zmq.Context()
ctx.setsockopt(zmq.LINGER, 0)
host = "127.0.0.1"
routers = {
    "registration": ci["registration"], "client mux": ci["mux"], "client control": ci["control"],
    "task": ci["task"], "broadcast": ci["broadcast"], "engine mux": ei["mux"],
    "engine control": ei["control"], "engine task": ei["task"], "hb_pong": ei["hb_pong"],
    "leaf0": ei["broadcast"][0], "leaf1": ei["broadcast"][1],
}
pubs = {"iopub out": ci["iopub"], "notification": ci["notification"], "hb_ping": ei["hb_ping"]}
sent = 0

# 1. ZeroMQ junk at every ROUTER (from DEALERs, some with an engine-like identity).
socks = []
for name, port in routers.items():
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.IDENTITY, ("mallory-" + name).encode())
    s.connect("tcp://%s:%d" % (host, port))
    socks.append((name, s))
# 2. at the iopub SUB, from a PUB
iopub = ctx.socket(zmq.PUB)
iopub.connect("tcp://%s:%d" % (host, ei["iopub"]))
# 3. at the PUB sockets, from XSUBs (subscriptions and junk)
xsubs = []
for name, port in pubs.items():
    x = ctx.socket(zmq.XSUB)
    x.connect("tcp://%s:%d" % (host, port))
    xsubs.append(x)
time.sleep(0.5)
for r in range(rounds):
    for name, s in socks:
        prefix = [b"no-such-engine"] if "client" in name or name in ("engine mux", "engine control") else []
        for m in junk_messages(prefix):
            s.send_multipart(m)
            sent += 1
    for m in junk_messages([b"engine.0.stdout"]):
        iopub.send_multipart(m)
        sent += 1
    for x in xsubs:
        for m in (b"\x01", b"\x00", b"\x01" + os.urandom(30), os.urandom(100), b""):
            x.send(m)
            sent += 1
print("sent %d bad ZeroMQ messages" % sent, flush=True)

# 4. raw TCP garbage at every port: not even ZMTP
for port in list(routers.values()) + list(pubs.values()) + [ei["iopub"]]:
    for blob in (os.urandom(300), b"\xff" + b"\x00" * 8 + b"\x7f" + os.urandom(60), b"GET / HTTP/1.0\r\n\r\n"):
        try:
            with socket.create_connection((host, port), timeout=2) as t:
                t.sendall(blob)
        except OSError as e:
            check(False, "raw TCP to port %d: %s" % (port, e))

# 5. replays and forgeries on the query socket: a valid request is answered once;
# a registration signed with another key is not answered and registers nothing.
q = ctx.socket(zmq.DEALER)
q.connect("tcp://%s:%d" % (host, ci["registration"]))
p = parts("connection_request")
msg = [DELIM, sign(p)] + p
q.send_multipart(msg)
check(q.poll(5000), "a valid connection_request is answered")
first = q.recv_multipart() if q.poll(0) else None
q.send_multipart(msg)
check(not q.poll(1500), "the same message replayed is not answered")
forged = parts("registration_request", {"uuid": "forged-" + uuid.uuid4().hex})
q.send_multipart([DELIM, sign(forged, b"wrong key")] + forged)
check(not q.poll(1000), "a registration signed with another key is not answered")

# 6. a signed request to an engine that is not there gets an error reply, not silence
m = ctx.socket(zmq.DEALER)
m.connect("tcp://%s:%d" % (host, ci["mux"]))
ap = parts("apply_request")
m.send_multipart([b"no-such-engine", DELIM, sign(ap)] + ap)
if m.poll(5000):
    rep = m.recv_multipart()
    i = rep.index(DELIM)
    content = json.loads(rep[i + 5])
    check(content.get("status") == "error", "a request to a missing engine is answered with %s: %s"
          % (content.get("ename"), content.get("evalue")))
else:
    check(False, "a request to a missing engine is answered")
for s in [q, m, iopub] + [s for _, s in socks] + xsubs:
    s.close()
ctx.term()

# 7. the controller still serves the stock client, and knows only the real engine
import ipyparallel as ipp  # noqa: E402

rc = ipp.Client(client_file)
rc.wait_for_engines(1, timeout=30)
check(len(rc.ids) == 1, "exactly the one real engine is registered: %r" % rc.ids)
check(rc[:].apply_sync(lambda: 6 * 7) == [42], "the stock client still runs tasks")
check(len(rc.hub_history()) >= 1, "the hub still answers queries")
rc.close()
sys.exit(1 if failed else 0)
