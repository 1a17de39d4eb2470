"""Values that cross between the judge and the candidate runner: plain data as tagged JSON.

Only exact built-in types cross. The judge rebuilds every value from JSON itself, so what its asserts compare is
data the candidate computed, never an object the candidate wrote: a result whose __eq__ says yes to everything, or
a subclass of int with a patched comparison, cannot reach the judge.
"""

import math

MAX_DEPTH = 64


def encode(value, depth=0):
    """JSON-ready form of value; raises TypeError for anything but plain built-in data."""
    if depth > MAX_DEPTH:
        raise TypeError("value nested deeper than %d levels" % MAX_DEPTH)
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        # JSON has no NaN or infinity; keep them exact with repr
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        return {kind.__name__: [encode(item, depth + 1) for item in value]}
    if kind is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if kind is bytes:
        return {"bytes": value.hex()}
    if kind is complex:
        return {"complex": [encode(value.real, depth + 1), encode(value.imag, depth + 1)]}
    raise TypeError("a %s cannot cross between the tests and the candidate (plain data only)" % kind.__name__)


_SEQUENCES = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def decode(data, depth=0):
    """The value encode() described; raises ValueError for anything it would not have produced."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested deeper than %d levels" % MAX_DEPTH)
    kind = type(data)
    if data is None or kind is bool or kind is int or kind is float or kind is str:
        return data
    if kind is not dict or len(data) != 1:
        raise ValueError("malformed value")
    ((tag, body),) = data.items()
    if tag in _SEQUENCES and type(body) is list:
        return _SEQUENCES[tag](decode(item, depth + 1) for item in body)
    if tag == "dict" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("malformed dict entry")
            out[decode(pair[0], depth + 1)] = decode(pair[1], depth + 1)
        return out
    if tag == "float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "bytes" and type(body) is str:
        return bytes.fromhex(body)
    if tag == "complex" and type(body) is list and len(body) == 2:
        real, imag = (decode(part, depth + 1) for part in body)
        if type(real) is not float or type(imag) is not float:
            raise ValueError("malformed complex")
        return complex(real, imag)
    raise ValueError("unknown value tag %r" % (tag,))
