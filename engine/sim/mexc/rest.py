"""The MEXC REST frame (``/api/v3``, mexc-spot.md §2, §5-6): parameters from the query string and
the body (the query's copy wins), the API key (``X-MEXC-APIKEY``), the signature over exactly the
bytes received, the timestamp window, the rate limits, and :func:`rest_handler`, which runs one
request through them.

A handler is ``handler(ctx, params) -> JSON-able``; it raises
:class:`~engine.sim.mexc.errors.MexcError` for every refusal.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from engine.sim.core_types import now_ms
from engine.sim.decimals import parse_number
from engine.sim.mexc.auth import check_window, key_error, signature_ok, strip_signature
from engine.sim.mexc.errors import BANNED, TOO_MANY, MexcError, bad_symbol, illegal, mandatory
from engine.sim.mexc.instruments import MARKET
from engine.sim.mexc.state import state_of
from engine.sim.wire import dumps

__all__ = ["Params", "Ctx", "Route", "rest_handler", "order_id_of", "wire_order_id"]

_ORDER_ID = re.compile(r"C02__([0-9]{1,18})")


def wire_order_id(oid: int) -> str:
    """The venue's opaque string order id for a core order (the doc push example's ``C02__`` form)."""
    return f"C02__{oid}"


def order_id_of(text: str | None) -> int | None:
    """The core order id behind a wire order id; -1 for one the venue never issued."""
    if text is None:
        return None
    m = _ORDER_ID.fullmatch(text)
    return int(m.group(1)) if m else -1


class Params:
    """Request parameters as strings, with the venue's validation errors."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data

    def get(self, name: str, default=None):
        v = self.data.get(name)
        return default if v is None or v == "" else v

    def need(self, name: str) -> str:
        v = self.get(name)
        if v is None:
            raise mandatory(name)
        return v

    def dec(self, name: str, required: bool = False) -> Decimal | None:
        raw = self.need(name) if required else self.get(name)
        if raw is None:
            return None
        val = parse_number(raw)
        if val is None:
            raise illegal(name)
        if val <= 0:
            raise MexcError(10102, "amount cannot be zero or negative")
        return val

    def int_(self, name: str) -> int | None:
        raw = self.get(name)
        if raw is None:
            return None
        if not re.fullmatch(r"[0-9]{1,20}", raw):
            raise illegal(name)
        return int(raw)

    def enum(self, name: str, allowed, required: bool = True) -> str | None:
        raw = self.need(name) if required else self.get(name)
        if raw is not None and raw not in allowed:
            raise MexcError(33333, f"param error: {name}")
        return raw

    def symbol(self, ctx: "Ctx", *, api: bool = False):
        """The instrument named by ``symbol``; ``api``: it must also be open to API trading (10007)."""
        inst = ctx.sim.core.instrument(MARKET, self.need("symbol"))
        if inst is None:
            raise bad_symbol()
        if api and inst.symbol not in state_of(ctx.sim).api_symbols:
            raise MexcError(10007, "symbol not support api")
        return inst


class Ctx:
    __slots__ = ("sim", "account", "ip")

    def __init__(self, sim, account, ip: str) -> None:
        self.sim = sim
        self.account = account
        self.ip = ip


class Route:
    """A handler with its security (NONE or SIGNED) and whether it spends the order budget."""

    __slots__ = ("handler", "signed", "order", "batch")

    def __init__(self, handler, signed: bool = True, order: bool = False, batch: bool = False) -> None:
        self.handler = handler
        self.signed = signed
        self.order = order
        self.batch = batch


def _section(raw: str) -> dict[str, str]:
    if raw.startswith("{"):                 # a JSON body (the docs' content type)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise MexcError(33333, "param error") from None
        if not isinstance(doc, dict):
            raise MexcError(33333, "param error")
        return {str(k): v if isinstance(v, str) else dumps(v) for k, v in doc.items()}
    return dict(parse_qsl(raw, keep_blank_values=True))


async def rest_handler(sim, request, routes: dict, path: str):
    """One MEXC REST request through the venue's checks; returns (status, body, headers)."""
    route = routes.get((request.method, path))
    if route is None:
        return web.Response(status=404, text=dumps({"code": 404, "msg": "Not Found"}),
                            content_type="application/json")
    state = state_of(sim)
    ip = request.remote or "127.0.0.1"
    try:
        raw_query = request.rel_url.raw_query_string
        raw_body = (await request.read()).decode("utf-8", "replace")
        q_stripped, q_sig = strip_signature(raw_query)
        b_stripped, b_sig = strip_signature(raw_body)
        params = _section(b_stripped)
        params.update(_section(q_stripped))          # the query string's copy wins
        account = None
        if route.signed:
            api_key = request.headers.get("X-MEXC-APIKEY")
            account = sim.account_for(api_key) if api_key else None
            if account is None or account.secret is None:
                raise key_error(api_key)
        gate = state.limiter.gate(ip, path, account.key if account else None, route.order, route.batch)
        if gate is not None:
            status, retry = gate
            raise (BANNED if status == 418 else TOO_MANY)(retry)
        if route.signed:
            signature_ok(account.secret, (q_stripped + b_stripped).encode(),
                         q_sig if q_sig is not None else b_sig)
            check_window(params, now_ms())
        result = route.handler(Ctx(sim, account, ip), Params(params))
        return 200, result, {}
    except MexcError as exc:
        return exc.http, exc.body(), dict(exc.headers)
