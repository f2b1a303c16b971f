"""JSON text and HTTP answers every personality writes: compact JSON (:func:`dumps`), a JSON
response (:func:`json_response`), and a connection cut without an answer (:func:`drop`).
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

__all__ = ["dumps", "json_response", "drop"]


def dumps(obj) -> str:
    """Compact JSON, as the venues send it (no spaces after separators)."""
    return json.dumps(obj, separators=(",", ":"))


def json_response(status: int, body, headers=None) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type="application/json", headers=headers)


def drop(request: web.Request):
    """Close the request's connection without answering (raises, so aiohttp writes nothing)."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError
