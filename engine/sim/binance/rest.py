"""The Binance REST frame spot and USD-M share: the parameter readers (:class:`Params`), a
request's context (:class:`Ctx`), the route entry (:class:`Route`), and :func:`rest_handler`,
which runs every request through the rate-limit gate, parameter parsing, API key, HMAC or
Ed25519 signature, timestamp window and usage headers.

A handler is ``handler(ctx, params) -> JSON-able``; it raises
:class:`~engine.sim.binance.errors.BinanceError` for every refusal, so the same handler
serves REST and the WebSocket API.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from urllib.parse import parse_qsl

from engine.sim.binance.auth import (binance_payload, binance_signature_ok, binance_time_error, ed25519_signature_ok,
                                     strip_signature)
from engine.sim.binance.errors import BAN_MSG, LEGAL_NUMBER, TOO_MUCH_WEIGHT, BinanceError, mandatory
from engine.sim.core_types import now_ms
from engine.sim.decimals import decimals_of, parse_number
from engine.sim.wire import dumps

__all__ = ["Params", "Ctx", "Route", "rest_handler", "check_signed", "check_timestamp", "check_time"]

log = logging.getLogger("engine.sim.binance")


class Params:
    """Request parameters as strings, with the venue's validation errors."""

    def __init__(self, data: dict[str, str], max_decimals: int = 8) -> None:
        self.data = data
        self.max_decimals = max_decimals

    def get(self, name: str, default=None):
        v = self.data.get(name)
        return default if v is None or v == "" else v

    def need(self, name: str) -> str:
        v = self.data.get(name)
        if v is None or v == "":
            raise mandatory(name)
        return v

    def dec(self, name: str, required: bool = False, max_decimals: int | None = None) -> Decimal | None:
        raw = self.need(name) if required else self.get(name)
        if raw is None:
            return None
        val = parse_number(raw)
        if val is None or val < 0:
            raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{LEGAL_NUMBER}'.")
        limit = self.max_decimals if max_decimals is None else max_decimals
        if decimals_of(val) > limit:
            raise BinanceError(-1111, f"Parameter '{name}' has too much precision.")
        return val

    def int_(self, name: str, required: bool = False) -> int | None:
        raw = self.need(name) if required else self.get(name)
        if raw is None:
            return None
        if not re.fullmatch(r"-?[0-9]{1,20}", str(raw)):
            raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^-?[0-9]{{1,20}}$'.")
        return int(raw)

    def enum(self, name: str, allowed, code: int, msg: str, required: bool = True) -> str | None:
        raw = self.need(name) if required else self.get(name)
        if raw is None:
            return None
        if raw not in allowed:
            raise BinanceError(code, msg)
        return raw

    def boolean(self, name: str) -> bool:
        raw = self.get(name)
        if raw is None:
            return False
        if str(raw).lower() not in ("true", "false"):
            raise BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")
        return str(raw).lower() == "true"


class Ctx:
    """One request's context: the simulator, the caller's account and address."""

    __slots__ = ("sim", "account", "ip", "via", "venue", "extra")

    def __init__(self, sim, account, ip: str, via: str, venue: str) -> None:
        self.sim = sim
        self.account = account
        self.ip = ip
        self.via = via
        self.venue = venue
        self.extra = {}


class Route:
    """A handler with its security type (NONE, USER_STREAM, SIGNED), weight and order flag."""

    __slots__ = ("handler", "security", "weight", "is_order")

    def __init__(self, handler, security: str = "SIGNED", weight: int = 1, is_order: bool = False) -> None:
        self.handler = handler
        self.security = security
        self.weight = weight
        self.is_order = is_order


def parse_section(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if not raw:
        return out
    for k, v in parse_qsl(raw, keep_blank_values=True):
        if k in out:
            raise BinanceError(-1101, "Duplicate values for a parameter detected.")
        out[k] = v
    return out


def check_timestamp(params: dict) -> tuple[int, float]:
    """``(timestamp, recvWindow ms)`` of a signed request, or the venue's error for them."""
    ts_raw = params.get("timestamp")
    if ts_raw is None or ts_raw == "":
        raise mandatory("timestamp")
    if not re.fullmatch(r"[0-9]{1,20}", str(ts_raw)):
        raise BinanceError(-1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.")
    recv_raw = params.get("recvWindow")
    recv = 5000.0
    if recv_raw not in (None, ""):
        if not re.fullmatch(r"[0-9]{1,20}(\.[0-9]{1,3})?", str(recv_raw)):
            raise BinanceError(-1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}(\\.[0-9]{1,3})?$'.")
        recv = float(Decimal(str(recv_raw)))
        if recv > 60000:
            raise BinanceError(-1131, "recvWindow must be less than 60000")
    return int(ts_raw), recv


def check_time(timestamp: int, recv: float) -> None:
    """-1021 when ``timestamp`` is outside ``recv`` ms before, or 1 s ahead of, the server clock."""
    err = binance_time_error(timestamp, recv, now_ms())
    if err:
        raise BinanceError(-1021, err)


def check_signed(sim, api_key: str | None, params: dict, payload: bytes, signature: str | None,
                 *, signed: bool = True):
    """The account behind a keyed request, or the venue's error for it.

    HMAC keys are checked against their secret (hex, any case); Ed25519 keys against
    their public key (base64, percent-decoded first when it came in a URL).
    """
    if not api_key:
        raise BinanceError(-2014, "API-key format invalid.", http=401)
    account = sim.account_for(api_key)
    if account is None:
        raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)
    if not signed:
        return account
    ts_raw = params.get("timestamp")
    if ts_raw is None or ts_raw == "":
        raise mandatory("timestamp")
    if not re.fullmatch(r"[0-9]{1,20}", str(ts_raw)):
        raise BinanceError(-1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.")
    if not signature:
        raise mandatory("signature")
    timestamp, recv = check_timestamp(params)
    if account.ed25519 is not None:
        ok = ed25519_signature_ok(account.ed25519, payload, signature)
    else:
        ok = binance_signature_ok(account.secret, payload, signature)
    if not ok:
        raise BinanceError(-1022, "Signature for this request is not valid.")
    check_time(timestamp, recv)
    return account


async def rest_handler(sim, request, routes: dict, limiter, venue: str, path: str):
    """Run one Binance REST request through the venue's checks; returns (status, body, headers)."""
    from aiohttp import web  # local: keeps this module importable without aiohttp for unit use

    route = routes.get((request.method, path))
    if route is None:
        return web.Response(status=404, text=dumps({"code": -1000, "msg": "Unknown path."}),
                            content_type="application/json")
    ip = request.remote or "127.0.0.1"
    headers: dict[str, str] = {}
    account = None
    status = 200
    try:
        gate = limiter.gate(ip, route.weight)
        if gate is not None:
            code, retry = gate
            headers["Retry-After"] = str(retry)
            if code == 418:
                until = now_ms() + retry * 1000
                raise BinanceError(-1003, BAN_MSG.format(until=until), http=418, headers=headers)
            raise BinanceError(-1003, TOO_MUCH_WEIGHT.format(limit=limiter.weight_limit), http=429, headers=headers)
        raw_query = request.rel_url.raw_query_string
        body_bytes = await request.read()   # cached by the server frame; b"" without a body
        raw_body = body_bytes.decode("utf-8", "replace")
        ctype = request.headers.get("Content-Type", "")
        if raw_body and "json" in ctype:
            raise BinanceError(-1100, "Illegal characters found in a parameter.")
        q_stripped, q_sig = strip_signature(raw_query)
        b_stripped, b_sig = strip_signature(raw_body)
        params = parse_section(b_stripped)
        params.update(parse_section(q_stripped))   # the query-string copy wins
        signature = q_sig if q_sig is not None else b_sig
        if route.security != "NONE":
            account = check_signed(sim, request.headers.get("X-MBX-APIKEY"), params,
                                   binance_payload(raw_query, raw_body), signature,
                                   signed=route.security == "SIGNED")
        if route.is_order and account is not None and request.method == "POST":
            over = limiter.order_gate(account.key)
            if over is not None:
                limit, interval, retry = over
                raise BinanceError(-1015, f"Too many new orders; current limit is {limit} orders per {interval}.",
                                   http=429)
        ctx = Ctx(sim, account, ip, "rest", venue)
        result = route.handler(ctx, Params(params, 8 if venue == "spot" else 8))
        if route.is_order:
            limiter.refund(ip, route.weight)   # successful order calls cost no weight
        body = result
    except BinanceError as exc:
        status = exc.http
        headers.update(exc.headers)
        body = exc.body()
    headers["X-MBX-USED-WEIGHT-1M"] = str(limiter.used_weight(ip))
    if route.is_order and account is not None:
        for suffix, used in limiter.order_counts(account.key):
            headers[f"X-MBX-ORDER-COUNT-{suffix}"] = str(used)
    return status, body, headers
