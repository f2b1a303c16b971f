"""JSON request frames written by hand: the WebSocket order paths skip a JSON encoder per order."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["json_value"]

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def json_value(v: Any) -> str:
    """One JSON value: ints and booleans as they are, plain strings (symbols, decimal strings, client
    ids, enum names) quoted directly, anything else through ``json.dumps``; floats are refused."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str) and _SAFE.issuperset(v):
        return f'"{v}"'
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return json.dumps(str(v))
