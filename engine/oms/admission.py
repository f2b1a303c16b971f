"""Admission: the one path every new order takes before anything is sent.

validate -> halted? -> circuit breaker -> pre-trade risk -> record (a PENDING store slot).

The common order (LIMIT, LIMIT_MAKER, MARKET with ``str``/``int`` values) goes through all of
it in one compiled call, :class:`~engine._order_gate.OrderGate` (:meth:`Admission.fast_limit`,
:meth:`Admission.fast_market`); anything the gate does not plainly accept comes here, where
every typed error is raised.

Plain orders, the replacement of a cancel-replace and every leg of a bracket come
through here, so a rule added once holds for all of them.  Bad input raises a typed
error naming the value (``TypeError``/``ValueError``, :class:`UnknownInstrumentError`),
a refusal raises :class:`~engine.errors.EngineError` (halted),
:class:`~engine.oms.breaker.CircuitOpen` or :class:`~engine.oms.risk.RiskRejected`;
in every case nothing was recorded and nothing sent.

Admission also keeps the reference price per instrument (the last fill, or one the
user set) that the risk checks value market orders and price bands with.
"""

from __future__ import annotations

import logging
import time

from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import from_decimal, to_decimal
from engine._instruments import UnknownInstrumentError
from engine.errors import EngineError
from engine.oms.breaker import BreakerState
from engine.venues.base import OrderSpec

__all__ = ["Admission", "EngineHalted", "to_raw", "parse_side", "parse_tif", "PRICED_TYPES", "TRIGGERED_TYPES",
           "IMMEDIATE_TYPES", "IMMEDIATE_TIFS"]

log = logging.getLogger("engine.oms.admission")

TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "POST_ONLY": TimeInForce.POST_ONLY}
PRICED_TYPES = frozenset(int(t) for t in (OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT,
                                            OrderType.TAKE_PROFIT_LIMIT))
TRIGGERED_TYPES = frozenset(int(t) for t in (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                                               OrderType.TAKE_PROFIT_LIMIT))
# Orders that execute (or die) the moment they arrive: a copy sent later would trade at another price.
IMMEDIATE_TYPES = frozenset({int(OrderType.MARKET)})
IMMEDIATE_TIFS = frozenset({int(TimeInForce.IOC), int(TimeInForce.FOK)})


class EngineHalted(EngineError):
    """The kill switch was used: no new order is accepted by this engine."""


def to_raw(value, what: str) -> int:
    """str / Decimal / int -> raw fixed point (positive); floats refused before anything is sent."""
    if isinstance(value, float):
        raise TypeError(f"{what} must be str, Decimal or int, not float (floats are not exact)")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be str, Decimal or int, not bool")
    try:
        raw = from_decimal(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise type(exc)(f"{what}: {exc}") from None
    if raw <= 0:
        raise ValueError(f"{what} must be positive, got {value}")
    return raw


def parse_side(side) -> Side:
    if isinstance(side, Side):
        return side
    if isinstance(side, str):
        try:
            return Side[side.upper()]
        except KeyError:
            pass
    elif isinstance(side, int) and not isinstance(side, bool) and side in (Side.BUY, Side.SELL):
        return Side(side)
    raise ValueError(f"side must be 'BUY', 'SELL' or a Side, got {side!r}")


def parse_tif(tif) -> TimeInForce:
    if isinstance(tif, str):
        try:
            return TIFS[tif.upper()]
        except KeyError:
            hint = " (GTX is a venue's name for post-only: pass post_only=True)" if tif.upper() == "GTX" else ""
            raise ValueError(f"time in force must be one of {', '.join(TIFS)}, got {tif!r}{hint}") from None
    if isinstance(tif, TimeInForce) and tif != TimeInForce.TIF_NONE:
        return tif
    raise TypeError(f"tif must be one of {', '.join(TIFS)} (a str or TimeInForce), got {tif!r}")


def executes_at_once(spec: OrderSpec) -> bool:
    """MARKET, IOC and FOK orders: they trade or die on arrival."""
    return spec.order_type in IMMEDIATE_TYPES or spec.tif in IMMEDIATE_TIFS


class Admission:
    """Checks and records new orders for one engine."""

    def __init__(self, venue: str, instruments, tracker, risk, breaker, gate) -> None:
        self.venue = venue
        self.instruments = instruments
        self.tracker = tracker
        self.risk = risk
        self.breaker = breaker
        self.gate = gate                         # the compiled admission of the common order
        tracker.lend_books(gate)                 # (it records what it admits whole: limit_spec, market_spec)
        self._halted = False
        gate.set_accepting(breaker.state is BreakerState.CLOSED)
        breaker.add_listener(self._on_breaker)

    @property
    def halted(self) -> bool:
        return self._halted

    @halted.setter
    def halted(self, value: bool) -> None:
        self._halted = bool(value)
        self._on_breaker(None, self.breaker.state, "")

    def _on_breaker(self, old, new, reason: str) -> None:
        """The gate admits on its own only while the breaker is closed and the engine not halted."""
        self.gate.set_accepting(new is BreakerState.CLOSED and not self._halted)

    # -- the compiled path -------------------------------------------------------------------------
    def fast_limit(self, symbol, side, qty, price, tif, post_only: bool, reduce_only: bool,
                   client_tag) -> OrderSpec | None:
        """A limit order admitted and recorded by the gate, or None: the caller takes the full path."""
        if client_tag is None:          # admitted and recorded in one call
            return self.gate.limit_spec(symbol, side, qty, price, tif, post_only, reduce_only)
        if not self._tag_checked(symbol, client_tag):
            return None
        slot = self.gate.admit_limit(symbol, side, qty, price, tif, post_only, reduce_only, time.time_ns())
        return None if slot < 0 else self._admitted(slot, symbol, reduce_only, client_tag)

    def fast_market(self, symbol, side, qty, reduce_only: bool, client_tag) -> OrderSpec | None:
        """A market order admitted and recorded by the gate, or None: the caller takes the full path."""
        if client_tag is None:
            return self.gate.market_spec(symbol, side, qty, reduce_only)
        if not self._tag_checked(symbol, client_tag):
            return None
        slot = self.gate.admit_market(symbol, side, qty, reduce_only, time.time_ns())
        return None if slot < 0 else self._admitted(slot, symbol, reduce_only, client_tag)

    def _tag_checked(self, symbol, client_tag) -> bool:
        """A tag checked (ValueError) for an order of a known symbol; False sends it to the full path, which
        reports the symbol first."""
        if symbol not in self.instruments.ids:
            return False
        self.check_client_tag(client_tag)
        return True

    def _admitted(self, slot: int, symbol: str, reduce_only: bool, client_tag) -> OrderSpec:
        if client_tag:
            self.tracker.store.set_client_tag(slot, client_tag)
        gate = self.gate
        return self.tracker.admitted(gate.spec_of(slot, symbol, reduce_only), gate.inst)

    # -- input -----------------------------------------------------------------------------------
    def instrument(self, symbol: str) -> int:
        if not isinstance(symbol, str):
            raise TypeError(f"symbol must be a str such as 'BTCUSDT', not {type(symbol).__name__}")
        try:
            return self.instruments.id(symbol)
        except (UnknownInstrumentError, KeyError, TypeError):
            raise UnknownInstrumentError(f"{symbol!r} is not an instrument of {self.venue}") from None

    def set_reference(self, inst: int, price_raw: int) -> None:
        self.gate.set_reference(inst, price_raw)

    # -- amendments ---------------------------------------------------------------------------------
    def amendment(self, slot: int, qty, price) -> tuple[int, int, int, int]:
        """The amendment of the open order in ``slot`` to ``qty`` and/or ``price`` (None keeps the order's own),
        judged under the same checks as a placement (:meth:`RiskEngine.check_amend`).  The compiled gate's
        ``amend_pass`` judges the plain case alike; this is where every typed error is raised.

        Returns
        -------
        tuple
            ``(qty_raw, price_raw, new_qty, new_price)``: what to send (0 keeps) and the order as amended.

        Raises
        ------
        ValueError, TypeError
            No new value, a value like the order's own, a quantity at or below what has filled, a price for
            an order without one, bad input.
        EngineHalted
            The kill switch was used.
        RiskRejected
            A check the amended order fails.
        """
        if qty is None and price is None:
            raise ValueError("amend needs a new quantity (qty=) and/or a new price (price=)")
        qty_raw = to_raw(qty, "quantity") if qty is not None else 0
        price_raw = to_raw(price, "price") if price is not None else 0
        tracker = self.tracker
        spec = tracker.spec(slot)
        o = tracker.store.order(slot)
        if price_raw and not o.price_raw:
            raise ValueError(f"order {spec.client_id} has no limit price to amend ({OrderType(o.order_type).name})")
        new_qty, new_price = qty_raw or o.qty_raw, price_raw or o.price_raw
        if new_qty == o.qty_raw and new_price == o.price_raw:
            raise ValueError(f"amend changes nothing: order {spec.client_id} already has quantity "
                             f"{to_decimal(o.qty_raw)} at price {to_decimal(o.price_raw)}")
        if new_qty <= o.filled_raw:
            raise ValueError(f"the new quantity {to_decimal(new_qty)} must stay above what has filled "
                             f"({to_decimal(o.filled_raw)})")
        if self._halted:
            raise EngineHalted(f"{self.venue}: engine halted by the kill switch; no amendments")
        inst = o.instrument
        self.risk.check_amend(inst, o.side, o.order_type, new_qty, new_price, o.qty_raw - o.filled_raw, o.price_raw,
                              o.filled_raw, spec.reduce_only, tracker.open_count(inst) - 1,
                              tracker.open_count() - 1, self.reference_of(inst),
                              self.reduce_only_open(inst, o.side, exclude=slot) if spec.reduce_only else 0)
        return qty_raw, price_raw, new_qty, new_price

    def reference_of(self, inst: int) -> int:
        """The reference price of an instrument (raw; 0: none yet)."""
        return self.gate.reference_of(inst)

    def check_open(self) -> None:
        """Halted and breaker checks (raise when new orders are refused)."""
        if self.halted:
            raise EngineHalted(f"{self.venue}: engine halted by the kill switch; no new orders")
        self.breaker.check_new_order()

    def check_client_tag(self, client_tag) -> None:
        """A per-order tag must fit the venue's client-id rule (characters, room left); None is no tag."""
        if client_tag is not None:
            self.tracker.store.codec.check_order_tag(client_tag)

    def validate(self, symbol: str, side, order_type: int, tif: int, qty, price=None, stop=None,
                 trailing=None, client_tag: str | None = None) -> tuple:
        """Typed checks of the user's input; returns (inst, side, qty_raw, price_raw, stop_raw, trailing_raw)."""
        inst = self.instrument(symbol)
        self.check_client_tag(client_tag)
        side = parse_side(side)
        qty_raw = to_raw(qty, "quantity")
        price_raw = to_raw(price, "price") if price is not None else 0
        stop_raw = to_raw(stop, "stop price") if stop is not None else 0
        trailing_raw = to_raw(trailing, "callback rate") if trailing is not None else 0
        if order_type in PRICED_TYPES and not price_raw:
            raise ValueError(f"a {OrderType(order_type).name} order needs a price")
        if order_type in TRIGGERED_TYPES and not stop_raw:
            raise ValueError(f"a {OrderType(order_type).name} order needs a stop price")
        return inst, side, qty_raw, price_raw, stop_raw, trailing_raw

    # -- the path ----------------------------------------------------------------------------------
    def risk_check(self, inst: int, side: int, order_type: int, qty_raw: int, price_raw: int, reduce_only: bool,
                   *, extra_open: int = 0, replacing: int = 0, protective: bool = False) -> None:
        """Pre-trade risk for one order; ``extra_open`` orders about to be recorded with it (bracket legs),
        ``replacing`` orders it replaces (cancel-replace).  A reduce-only order of the user is judged with
        the reduce-only orders already open on its side (:meth:`reduce_only_open`); the engine's own
        protective orders (bracket exits sized from the entry's fills, a flatten) are not."""
        tr = self.tracker
        committed = self.reduce_only_open(inst, side) if reduce_only and not protective else 0
        self.risk.check(inst, side, order_type, qty_raw, price_raw, reduce_only,
                        tr.open_count(inst) + extra_open - replacing, tr.open_count() + extra_open - replacing,
                        self.gate.reference_of(inst), reduce_open_raw=committed)

    def reduce_only_open(self, inst: int, side: int, exclude: int = -1) -> int:
        """What the open reduce-only orders of ``inst`` on ``side`` (but the order in slot ``exclude``) may
        still close (raw): their remaining quantities, the legs of one bracket (exits that cancel each other)
        counted once, by the largest.  Orders whose answer is lost (UNKNOWN) count: the venue may hold them."""
        tr = self.tracker
        arrays = tr.store.arrays
        qty, filled = arrays["qty_raw"], arrays["filled_raw"]
        loose = 0
        by_bracket: dict[int, int] = {}
        for slot, i in tr.open_items():
            if i != inst or slot == exclude:
                continue
            spec = tr.spec(slot)
            if spec is None or not spec.reduce_only or spec.side != side:
                continue
            left = int(qty[slot]) - int(filled[slot])
            if left <= 0:
                continue
            bracket = tr.bracket_of(slot)
            if bracket is None:
                loose += left
            else:
                key = id(bracket)
                by_bracket[key] = max(by_bracket.get(key, 0), left)
        return loose + sum(by_bracket.values())

    def admit(self, symbol: str, inst: int, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
              stop_raw: int = 0, trailing_raw: int = 0, reduce_only: bool = False, *,
              replacing: int = 0, protective: bool = False, client_tag: str | None = None) -> OrderSpec:
        """Halted -> breaker -> risk -> record; returns the recorded spec (state PENDING).

        ``protective``: an order that takes risk off (a bracket's exit, closing an unprotected
        position) passes an open breaker, as cancels do; the kill switch still refuses it.
        """
        if protective:
            if self.halted:
                raise EngineHalted(f"{self.venue}: engine halted by the kill switch; no new orders")
        else:
            self.check_open()
        if stop_raw:
            self.risk.check_trigger(inst, stop_raw, "activation price" if trailing_raw else "stop price")
        self.risk_check(inst, side, order_type, qty_raw, price_raw or stop_raw, reduce_only, replacing=replacing,
                        protective=protective)
        return self.tracker.record(inst, symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, trailing_raw,
                                   reduce_only, client_tag=client_tag)
