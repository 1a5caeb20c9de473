#!/usr/bin/env bash
# jupyter_wire.sh - libippc's wire layer against the real jupyter_client.Session:
# messages each side builds (with identities and buffers) are accepted by the other,
# wrong keys and tampering are refused on both sides, replays are refused by libippc,
# and a round trip over a real socket (libippc ROUTER, jupyter_client DEALER) works.
. "$top_srcdir/tests/integration/lib.sh"
need_python_modules jupyter_client zmq

wiretool="$tools/ippc-wiretool"
[ -x "$wiretool" ] || skip "$wiretool not built"
py="$top_srcdir/tests/integration/jupyter_wire.py"

check() { # name, description
    if "$PYTHON3" "$py" "$1" "$wiretool" "$TMP"; then ok "$2"; else fail "$2"; fi
}

check c2py          "libippc message (idents, parent, 3 buffers) accepted by Session.deserialize"
check c2py_wrongkey "Session.deserialize refuses a libippc message under another key"
check c2py_unsigned "unsigned libippc message accepted by an unsigned Session, refused by a keyed one"
check py2c          "Session.serialize message (idents, parent, 3 buffers) parsed and verified by libippc"
check py2c_wrongkey "libippc refuses a Session message under another key"
check py2c_tampered "libippc refuses a Session message with changed content"
check py2c_replay   "libippc refuses a replayed Session message"
check py2c_unsigned "libippc accepts unsigned Session messages only without a key"
check zmq_echo      "over a socket: libippc receives, verifies and replies to Session.send (replay/key refused)"

finish
