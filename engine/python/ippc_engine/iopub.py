"""Publishing from Python: JSON content handed to the C side, which adds the header,
the parent (the request being run) and the topic."""

import math
import sys

import _ippc


def _default(obj):
    """What json cannot encode: bytes as base64 (as ipykernel's json_clean), sets and
    tuples as lists, the rest as str()."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        import base64

        return base64.b64encode(bytes(obj)).decode("ascii")
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    return str(obj)


def _clean(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def dumps(obj):
    """Strict JSON (the C side uses jansson): NaN and infinities become null."""
    import json  # here: the engine imports it after registering (Kernel.warm)

    try:
        return json.dumps(obj, default=_default, allow_nan=False)
    except ValueError:
        return json.dumps(_clean(obj), default=_default, allow_nan=False)


def publish(msg_type, content, buffers=None):
    _ippc.publish(msg_type, dumps(content), buffers)


def flush_streams():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass
