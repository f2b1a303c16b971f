"""Stages 1-3 done by this engine and by the pure-Python baseline (stdlib ``hmac`` + ``json``).

1. ``sign``: Binance HMAC-SHA256 of a query with its ``&timestamp=``, as hex.
2. ``encode_sign``: a Binance spot LIMIT order encoded as its signed request; the engine's rows are
   the lean order path's whole step per order (the ``build(ts)`` closure it makes, the compiled
   encode + sign, and the request line and headers around the query, one bytes object ready
   for the socket) and the Engine's compiled order writer's (the same request from the order's
   spec in one call: ``BinanceOrderEncoder.spec_request``), the baseline's and peers' rows the
   signed query or request they build.
3. ``parse_apply``: a spot ``executionReport`` parsed and applied to the order it names
   (state, filled quantity, quote, fee, trade dedup), NEW then FILLED for each order.

The peers' versions of these stages are in :mod:`engine.bench.peers`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from engine.bench.timing import Contender, repeat_batch
from engine.bench.workloads import (EXPECTED_SIGNATURE, ORDER_ARGS, ORDER_PARAMS, ORDER_TS, QUERY, RECV_WINDOW,
                                    SECRET, TS, execution_report)

__all__ = ["STAGES", "engine_contenders", "baseline_contenders", "baseline_order_query"]

STAGES = {
    "sign": "1. sign: Binance HMAC-SHA256 of a query (+ timestamp), hex",
    "encode_sign": "2. encode + sign a Binance LIMIT order (signed request)",
    "parse_apply": "3. parse + apply an executionReport to its order",
}


# -- stage 1 ----------------------------------------------------------------------------------------
def _engine_sign() -> Contender:
    from engine._signer import RequestSigner

    signer = RequestSigner(SECRET)
    fn = lambda: signer.sign_binance(QUERY, TS)  # noqa: E731

    def check():
        if fn() != EXPECTED_SIGNATURE:
            raise AssertionError("engine signer: wrong signature")
    return Contender("engine: RequestSigner.sign_binance", "engine", repeat_batch(fn), check)


def _baseline_sign() -> Contender:
    key = SECRET.encode()
    suffix = b"&timestamp="

    def fn():
        return hmac.new(key, QUERY + suffix + str(TS).encode(), hashlib.sha256).hexdigest()

    def check():
        if fn() != EXPECTED_SIGNATURE:
            raise AssertionError("baseline: wrong signature")
    return Contender("baseline: hmac + hashlib", "baseline", repeat_batch(fn), check)


# -- stage 2 ----------------------------------------------------------------------------------------
def baseline_order_query(key: bytes, params: dict, ts: int, recv_window: int) -> bytes:
    """The pure-Python signed order query (what the baseline and its check share)."""
    q = urlencode({**params, "recvWindow": recv_window, "timestamp": ts})
    return (q + "&signature=" + hmac.new(key, q.encode(), hashlib.sha256).hexdigest()).encode()


HEAD = b"POST /api/v3/order?"
TAIL = b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: bench-key\r\nContent-Length: 0\r\n\r\n"


def _framed_encoder():
    """A spot encoder that writes whole requests (the bench's request line and headers around the query)."""
    from engine._codec_binance import BinanceOrderEncoder
    from engine._signer import RequestSigner

    enc = BinanceOrderEncoder(RequestSigner(SECRET))
    enc.set_frame([HEAD] * 9, TAIL)
    return enc


def _checked(step):
    """The check that ``step`` writes the request the plain-Python baseline builds, whole."""
    def check():
        expected = HEAD + baseline_order_query(SECRET.encode(), ORDER_PARAMS, ORDER_TS, RECV_WINDOW) + TAIL
        if step() != expected:
            raise AssertionError(f"engine encoder: {step()!r} != {expected!r}")
    return check


def _engine_encode() -> Contender:
    request = _framed_encoder().new_order_request
    symbol, side, otype, tif, qty, price, stop, cid, ts, rw = ORDER_ARGS

    def step():
        # what BinanceOrderPath.place_builder and the lean path do per order
        build = lambda t: request(symbol, side, otype, tif, qty, price, stop, cid, t, rw, 0, False, 0)  # noqa: E731
        return build(ts)
    return Contender("engine: order path build(ts) -> request bytes", "engine", repeat_batch(step), _checked(step),
                     "closure + BinanceOrderEncoder.new_order_request: the whole HTTP request")


def _engine_encode_spec() -> Contender:
    from engine._order_spec import OrderSpec

    request = _framed_encoder().spec_request
    symbol, side, otype, tif, qty, price, stop, cid, ts, rw = ORDER_ARGS
    spec = OrderSpec(0, symbol.decode(), cid.decode(), side, otype, tif, qty, price, stop)

    def step():
        # what the Engine's compiled order writer does per order (BinanceWriter.write_place)
        return request(spec, cid, ts, rw)
    return Contender("engine: Engine's order writer, OrderSpec -> request bytes", "engine", repeat_batch(step),
                     _checked(step), "BinanceOrderEncoder.spec_request: the whole HTTP request, one call from the "
                     "order's spec")


def _baseline_encode() -> Contender:
    key = SECRET.encode()
    return Contender("baseline: urlencode + hmac", "baseline",
                     repeat_batch(lambda: baseline_order_query(key, ORDER_PARAMS, ORDER_TS, RECV_WINDOW)))


# -- stage 3 ----------------------------------------------------------------------------------------
class _EngineApplyPool:
    """Fresh orders in a compiled OrderStore and their reports, a batch at a time."""

    CAPACITY = 1 << 16

    def __init__(self) -> None:
        self._store_orders = 0
        self._new_store()

    def _new_store(self) -> None:
        from engine._instruments import ContractType, Instruments
        from engine._oms_apply import RecordApplier
        from engine._order_store import OrderStore
        from engine._parse_binance import BinanceParser

        reg = Instruments(4)
        self.inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001")
        self.store = OrderStore(self.CAPACITY, venue="binance-spot", retention_ns=10**15)
        self.applier = RecordApplier(self.store, reg, None)
        self.parser = BinanceParser()
        self._store_orders = 0
        self.oid = 1

    def make_batch(self, k: int):
        n_orders = (k + 1) // 2
        if self._store_orders + n_orders > self.CAPACITY:
            self._new_store()
        store, msgs = self.store, []
        for _ in range(n_orders):
            slot = store.create(self.inst, 1, 2, 1, 1_000_000, 5_000_000_000_000)
            cid = store.client_id(slot)
            msgs.append(execution_report(cid, self.oid, False))
            msgs.append(execution_report(cid, self.oid, True))
            self.oid += 1
        self._store_orders += n_orders
        del msgs[k:]
        parse, apply, parser = self.parser.parse, self.applier.apply, self.parser

        def run():
            for m in msgs:
                parse(m)
                apply(parser, 1)
        return run

    def check(self) -> None:
        before = self.applier.counters()["applied"]
        self.make_batch(2)()
        if self.applier.counters()["applied"] != before + 2:
            raise AssertionError(f"engine applier: {self.applier.counters()}")


_RANK = {"NEW": 1, "PARTIALLY_FILLED": 2, "FILLED": 3, "CANCELED": 3, "REJECTED": 3, "EXPIRED": 3}


@dataclass(slots=True)
class PyOrder:
    """The pure-Python baseline's order record."""

    client_id: str
    qty: Decimal
    price: Decimal
    state: str = "PENDING"
    exchange_id: int = 0
    filled: Decimal = Decimal(0)
    cum_quote: Decimal = Decimal(0)
    fee: Decimal = Decimal(0)
    fee_asset: str | None = None
    updated: int = 0
    trades: set = field(default_factory=set)


def py_apply(orders: dict, data: bytes) -> int:
    """json.loads the report and apply it to its order: 0 applied, 1 duplicate/stale, 2 foreign."""
    ev = json.loads(data)
    ev = ev.get("event", ev)
    o = orders.get(ev["c"]) or orders.get(ev["C"])
    if o is None:
        return 2
    state = ev["X"]
    if ev["x"] == "TRADE":
        tid = ev["t"]
        if tid in o.trades:
            return 1
        o.trades.add(tid)
        o.filled = Decimal(ev["z"])
        o.cum_quote = Decimal(ev["Z"])
        o.fee += Decimal(ev["n"])
        o.fee_asset = ev["N"]
    elif _RANK.get(state, 0) <= _RANK.get(o.state, 0):
        return 1
    o.state = state
    o.exchange_id = ev["i"]
    o.updated = ev["E"]
    return 0


class _BaselineApplyPool:
    def __init__(self) -> None:
        self.orders: dict[str, PyOrder] = {}
        self.n = 0

    def make_batch(self, k: int):
        if len(self.orders) > 1 << 16:
            self.orders = {}
        msgs = []
        for _ in range((k + 1) // 2):
            self.n += 1
            cid = f"py-{self.n}"
            self.orders[cid] = PyOrder(cid, Decimal("0.01"), Decimal("50000"))
            msgs.append(execution_report(cid, self.n, False))
            msgs.append(execution_report(cid, self.n, True))
        del msgs[k:]
        orders = self.orders

        def run():
            for m in msgs:
                py_apply(orders, m)
        return run

    def check(self) -> None:
        self.make_batch(2)()
        o = self.orders[f"py-{self.n}"]
        if o.state != "FILLED" or o.filled != Decimal("0.01"):
            raise AssertionError(f"baseline apply: {o}")


def _engine_apply() -> Contender:
    pool = _EngineApplyPool()
    return Contender("engine: BinanceParser + RecordApplier", "engine", pool.make_batch, pool.check,
                     "compiled parser into the compiled OrderStore")


def _baseline_apply() -> Contender:
    pool = _BaselineApplyPool()
    return Contender("baseline: json.loads + dict + Decimal", "baseline", pool.make_batch, pool.check)


def engine_contenders() -> dict[str, list[Contender]]:
    return {"sign": [_engine_sign()], "encode_sign": [_engine_encode(), _engine_encode_spec()],
            "parse_apply": [_engine_apply()]}


def baseline_contenders() -> dict[str, Contender]:
    return {"sign": _baseline_sign(), "encode_sign": _baseline_encode(), "parse_apply": _baseline_apply()}

