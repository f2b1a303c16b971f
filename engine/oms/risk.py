"""Pre-trade risk: the checks an order passes before it is recorded and sent.

Owns the engine's own limits (:class:`RiskLimits`) and the order in which every check
runs (:class:`RiskEngine`).  The first failing check raises :class:`RiskRejected`
naming the rule and the numbers; nothing is sent.  Checks, in this order:

1. Instrument filters: the venue's rules from the instrument registry (trading
   status, price range and tick, quantity range and step, min/max notional, the
   venue's percent-price band), with the last price as the reference price.
2. Max order quantity, then max notional (limit price, or the last price for orders
   that execute at market).
3. Max position per instrument: the position after a full fill of this order.
   Reduce-only orders are exempt, and so is any order that only shrinks the position
   on its own side (it reduces risk even if the position stays over the limit); an
   order that flips the position through zero is judged by the new side's size.
   Reduce-only: the order, with the reduce-only orders already open on its side, may close
   no more than the position (two of them in flight together must not over-close it where
   the venue does not enforce reduce-only itself).
4. Max open orders: in total, then for the instrument (the smaller of our own limit
   and the venue's open-order cap from the registry).
5. Price band: a priced order more than ``price_band`` (a fraction) away from the
   last price.  Skipped while no last price is known (the venue's own band in step 1
   still applies).
6. Balance (spot) or margin (futures) via the account's ``can_place_order``, when
   ``check_balance`` is on.

The checks compare raw fixed-point integers (products in Python's exact integers, so
nothing rounds and nothing overflows); decimal strings are made only when raising.
Limits are compiled per instrument id when the engine is built or the limits change;
after instruments are reloaded, call :meth:`RiskEngine.refresh`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from engine._account import AccountCheck
from engine._enums import OrderType, Side
from engine._fixedpoint import SCALE
from engine._fixedpoint import format as fp_format
from engine._fixedpoint import from_decimal
from engine._instruments import RuleViolation
from engine.errors import EngineError

__all__ = ["RiskEngine", "RiskLimits", "RiskRejected"]

log = logging.getLogger("engine.oms.risk")

_BUY = int(Side.BUY)
# Order types that execute at market when they fire: their notional is valued at the last price.
_MARKET_TYPES = frozenset(int(t) for t in (OrderType.MARKET, OrderType.STOP_LOSS, OrderType.TAKE_PROFIT,
                                             OrderType.TRAILING_STOP))
_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1

Decimalish = str | Decimal | int


class RiskRejected(EngineError):
    """An order refused by a pre-trade check; nothing was sent.

    Attributes
    ----------
    rule : str
        Short id of the failed check: ``max_order_qty``, ``max_notional``, ``no_price``,
        ``max_position``, ``max_open_orders``, ``max_open_orders_symbol``, ``price_band``,
        ``balance``, ``margin``, ``reduce_only``, ``account_<code>``, ``unknown_instrument``
        or ``filter_<violation>`` (an instrument rule, e.g. ``filter_price_not_tick``).
    symbol : str or None
        Venue symbol of the instrument (None when the id is unknown).
    symbol_id : int
        Instrument id the order was for.
    value_raw : int or None
        The checked value (raw fixed point, or a count for open orders), when one applies.
    limit_raw : int or None
        The limit it broke (same units as ``value_raw``).
    code : int or None
        The underlying ``RuleViolation`` or ``AccountCheck`` code, for filter/account rules.
    """

    def __init__(self, message: str, rule: str, *, symbol: str | None, symbol_id: int,
                 value_raw: int | None = None, limit_raw: int | None = None, code: int | None = None):
        super().__init__(message)
        self.rule = rule
        self.symbol = symbol
        self.symbol_id = symbol_id
        self.value_raw = value_raw
        self.limit_raw = limit_raw
        self.code = code


def _raw(value, what: str, *, fraction: bool = False) -> int:
    """Raw fixed point of a limit given as str, Decimal or int (floats only for fractions)."""
    if fraction and isinstance(value, float):
        value = repr(value)                      # shortest repr: 0.05 -> "0.05", exactly
    try:
        raw = from_decimal(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"risk limit {what}: {value!r} is not a usable decimal ({e})") from None
    if raw < 0 or (fraction and raw == 0):
        raise ValueError(f"risk limit {what} must be {'> 0' if fraction else '>= 0'}, got {value!r}")
    return raw


def _fraction(value, what: str) -> int:
    return _raw(value, what, fraction=True)


def _count(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"risk limit {what} must be an int >= 0, got {value!r}")
    return value


# Limits that hold per instrument: (name, its per-symbol override dict, converter to raw)
_PER_SYMBOL = (
    ("max_order_qty", "max_order_qty_by_symbol", _raw),
    ("max_notional", "max_notional_by_symbol", _raw),
    ("max_position", "max_position_by_symbol", _raw),
    ("max_open_orders_per_symbol", "max_open_orders_by_symbol", _count),
    ("price_band", "price_band_by_symbol", _fraction),
)


@dataclass
class RiskLimits:
    """The engine's own pre-trade limits (``None``: no limit).

    Decimal limits take ``str``, ``Decimal`` or ``int`` (whole units), never floats;
    ``price_band`` also takes a float.  Per-symbol dicts override the default for that
    venue symbol; an override of ``None`` lifts the limit for that symbol.

    Parameters
    ----------
    max_order_qty : str, Decimal, int or None
        Largest quantity of one order, base units.
    max_notional : str, Decimal, int or None
        Largest notional of one order (quantity x price), quote units.
    max_position : str, Decimal, int or None
        Largest absolute position per instrument after a full fill, base units.
    max_open_orders : int or None
        Open orders allowed in total.
    max_open_orders_per_symbol : int or None
        Open orders allowed per instrument (the venue's cap also applies).
    price_band : str, Decimal, float or None
        Largest distance of a limit price from the last price, as a fraction (0.05 = 5 %).
    check_balance : bool
        Check balance (spot) or margin (futures) with the account.
    max_order_qty_by_symbol, max_notional_by_symbol, max_position_by_symbol, max_open_orders_by_symbol, \
price_band_by_symbol : dict
        Per-symbol overrides of the limits above.

    Raises
    ------
    ValueError
        A limit is negative, not a decimal, or has more than 8 decimals.
    """

    max_order_qty: Decimalish | None = None
    max_notional: Decimalish | None = None
    max_position: Decimalish | None = None
    max_open_orders: int | None = None
    max_open_orders_per_symbol: int | None = None
    price_band: Decimalish | float | None = None
    check_balance: bool = True
    max_order_qty_by_symbol: dict[str, Decimalish | None] = field(default_factory=dict)
    max_notional_by_symbol: dict[str, Decimalish | None] = field(default_factory=dict)
    max_position_by_symbol: dict[str, Decimalish | None] = field(default_factory=dict)
    max_open_orders_by_symbol: dict[str, int | None] = field(default_factory=dict)
    price_band_by_symbol: dict[str, Decimalish | float | None] = field(default_factory=dict)

    def __post_init__(self):
        self.compile()                           # validate now, not on the first order

    def compile(self) -> dict:
        """Raw values of every limit.

        Returns
        -------
        dict
            ``{name: (default_raw, {symbol: raw})}`` for ``max_order_qty``, ``max_notional``,
            ``max_position``, ``max_open_orders_per_symbol`` and ``price_band`` (None: no
            limit), plus ``max_open_orders`` (int or None) and ``check_balance`` (bool).

        Raises
        ------
        ValueError
            A limit is out of range or not a decimal.
        """
        out: dict = {}
        for name, by_name, conv in _PER_SYMBOL:
            default = getattr(self, name)
            overrides = getattr(self, by_name)
            if not isinstance(overrides, dict):
                raise ValueError(f"risk limit {by_name} must be a dict, got {type(overrides).__name__}")
            out[name] = (None if default is None else conv(default, name),
                         {sym: None if v is None else conv(v, f"{by_name}[{sym!r}]") for sym, v in overrides.items()})
        out["max_open_orders"] = (None if self.max_open_orders is None
                                  else _count(self.max_open_orders, "max_open_orders"))
        out["check_balance"] = bool(self.check_balance)
        return out


class _Lim:
    """Compiled limits of one instrument (raw; None: no limit)."""

    __slots__ = ("symbol", "max_qty", "max_notional", "max_position", "max_open", "max_open_venue", "band")

    def __init__(self, symbol, max_qty, max_notional, max_position, max_open, max_open_venue, band):
        self.symbol = symbol
        self.max_qty = max_qty
        self.max_notional = max_notional
        self.max_position = max_position
        self.max_open = max_open                 # smaller of ours and the venue's
        self.max_open_venue = max_open_venue     # True when the venue's cap is the binding one
        self.band = band


def _fmt(raw: int) -> str:
    """Decimal text of a raw value (also beyond int64, e.g. an exact product)."""
    if _INT64_MIN <= raw <= _INT64_MAX:
        return fp_format(raw)
    return _fmt_scaled(raw, 8)


def _fmt_scaled(n: int, decimals: int) -> str:
    """Decimal text of n / 10**decimals, exact, without trailing zeros."""
    d = Decimal(n).scaleb(-decimals)
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class RiskEngine:
    """Runs the pre-trade checks of one account in a fixed order (see the module docstring).

    Parameters
    ----------
    limits : RiskLimits
        The engine's own limits.
    instruments : engine._instruments.Instruments
        Registry with the venue's trading rules.
    account : engine._account.Account
        Balances and margin (for the balance/margin check).
    positions : engine._positions.PositionBook
        Positions (for the max-position check).
    """

    def __init__(self, limits: RiskLimits, instruments, account, positions):
        self.instruments = instruments
        self.account = account
        self.positions = positions
        self._check_order = instruments.check_order
        self._can_place = account.can_place_order
        # A memoryview over the book's size column: indexing gives a plain int, no numpy scalar.
        self._size = memoryview(positions.arrays["size_raw"])
        self._limits = limits
        self._c: dict = {}
        self._by_id: list[_Lim] = []
        self._max_total = None
        self._check_balance = True
        self._gate = None
        self.set_limits(limits)

    def attach_gate(self, gate) -> None:
        """Keep the compiled gate's copy of the limits (:class:`~engine._order_gate.OrderGate`) in step."""
        self._gate = gate
        self.set_limits(self._limits)

    # ---- configuration (cold) -------------------------------------------------------------

    @property
    def limits(self) -> RiskLimits:
        """The limits in force."""
        return self._limits

    def set_limits(self, limits: RiskLimits) -> None:
        """Put new limits in force (validated first; the old ones stay if they are invalid).

        Raises
        ------
        ValueError
            A limit is out of range.
        """
        compiled = limits.compile()
        self._limits = limits
        self._c = compiled
        self._max_total = compiled["max_open_orders"]
        self._check_balance = compiled["check_balance"]
        if self._gate is not None:
            self._gate.set_account_limits(self._max_total, self._check_balance)
        self.refresh()

    def refresh(self) -> None:
        """Recompile the per-instrument limits (after instruments were added or reloaded)."""
        self._by_id = []
        if self._gate is not None:
            self._gate.clear_limits()
        self._compile_upto(self.instruments.count)

    def _compile_upto(self, n: int) -> None:
        """Compile limits for the ids below ``n`` not compiled yet."""
        c = self._c
        reg = self.instruments
        venue_cap = reg.arrays["max_orders"]
        for i in range(len(self._by_id), min(n, reg.count)):
            sym = reg.symbol(i)
            picked = {}
            for name, _, _ in _PER_SYMBOL:
                default, overrides = c[name]
                picked[name] = overrides[sym] if sym in overrides else default
            ours = picked["max_open_orders_per_symbol"]
            venue = int(venue_cap[i]) or None    # the venue's open-order cap (MAX_NUM_ORDERS), 0: unknown
            from_venue = venue is not None and (ours is None or venue < ours)
            lim = _Lim(sym, picked["max_order_qty"], picked["max_notional"], picked["max_position"],
                       venue if from_venue else ours, from_venue, picked["price_band"])
            self._by_id.append(lim)
            if self._gate is not None:
                self._gate.set_limits(i, lim.max_qty, lim.max_notional, lim.max_position, lim.max_open, lim.band)

    def _lim(self, symbol_id: int) -> _Lim:
        """Limits of an instrument registered after the last compile."""
        self._compile_upto(symbol_id + 1)
        return self._by_id[symbol_id]

    # ---- the check (hot) ------------------------------------------------------------------

    def check(self, symbol_id: int, side: int, order_type: int, qty_raw: int, price_raw: int,
              reduce_only: bool = False, open_orders_for_symbol: int = 0, open_orders_total: int = 0,
              last_price_raw: int = 0, reduce_open_raw: int = 0) -> None:
        """Run every pre-trade check; return None when the order may go.

        Parameters
        ----------
        symbol_id : int
            Instrument id in the registry.
        side : int
            ``Side.BUY`` or ``Side.SELL``.
        order_type : int
            An ``OrderType``.
        qty_raw : int
            Quantity, raw fixed point.
        price_raw : int
            Limit price, raw (0 for orders without one).
        reduce_only : bool
            The order may only reduce the position.
        open_orders_for_symbol, open_orders_total : int
            Open orders now (this one not included), for the instrument and in total.
        last_price_raw : int
            Last traded (or mark) price, raw; 0 when unknown.
        reduce_open_raw : int
            For a reduce-only order: what the reduce-only orders already open on its side may still
            close (raw); with this order it must not exceed the position it closes.

        Raises
        ------
        RiskRejected
            The first check the order fails (``.rule`` names it).
        """
        rc = self._check_order(symbol_id, side, order_type, qty_raw, price_raw, last_price_raw, reduce_only)
        if rc:
            self._reject_filter(rc, symbol_id, side, order_type, qty_raw, price_raw, last_price_raw, reduce_only)
        by_id = self._by_id
        lim = by_id[symbol_id] if symbol_id < len(by_id) else self._lim(symbol_id)
        market = order_type in _MARKET_TYPES or price_raw == 0
        px = last_price_raw if market else price_raw

        limit = lim.max_qty
        if limit is not None and qty_raw > limit:
            self._reject("max_order_qty", lim, symbol_id, qty_raw, limit,
                         f"quantity {_fmt(qty_raw)} exceeds max_order_qty {_fmt(limit)} for {lim.symbol}")
        limit = lim.max_notional
        if limit is not None:
            if px <= 0:
                self._reject("no_price", lim, symbol_id, None, limit,
                             f"cannot value the market order for {lim.symbol} against max_notional "
                             f"{_fmt(limit)}: no last price")
            if qty_raw * px > limit * SCALE:     # exact: no rounding of the product
                self._reject_notional(lim, symbol_id, qty_raw, px, market, limit)

        limit = lim.max_position
        if limit is not None and not reduce_only:
            if symbol_id >= len(self._size):
                self._reject("unknown_instrument", lim, symbol_id, None, None,
                             f"instrument id {symbol_id} ({lim.symbol}) is outside the position book "
                             f"(capacity {len(self._size)})")
            size = self._size[symbol_id]
            after = size + qty_raw if side == _BUY else size - qty_raw
            # over the limit, unless the order only shrinks the position on its own side
            if ((after > limit or after < -limit)
                    and not (0 < after < size or size < after < 0)):
                self._reject("max_position", lim, symbol_id, after, limit,
                             f"projected position {_fmt(after)} exceeds max_position {_fmt(limit)} for "
                             f"{lim.symbol} (position {_fmt(size)}, {'buy' if side == _BUY else 'sell'} "
                             f"{_fmt(qty_raw)})")
        if reduce_only and reduce_open_raw:
            self._check_reduce_open(lim, symbol_id, side, qty_raw, reduce_open_raw)

        limit = self._max_total
        if limit is not None and open_orders_total >= limit:
            self._reject("max_open_orders", lim, symbol_id, open_orders_total, limit,
                         f"open orders {open_orders_total} already at max_open_orders {limit}")
        limit = lim.max_open
        if limit is not None and open_orders_for_symbol >= limit:
            self._reject("max_open_orders_symbol", lim, symbol_id, open_orders_for_symbol, limit,
                         f"open orders {open_orders_for_symbol} for {lim.symbol} already at "
                         f"{'the venue limit' if lim.max_open_venue else 'max_open_orders_per_symbol'} {limit}")

        band = lim.band
        if band is not None and not market and last_price_raw > 0:
            dist = price_raw - last_price_raw
            if (dist if dist >= 0 else -dist) * SCALE > last_price_raw * band:
                self._reject_band(lim, symbol_id, price_raw, last_price_raw, band)

        if self._check_balance:
            rc = self._can_place(symbol_id, side, qty_raw, px, reduce_only)
            if rc:
                self._reject_account(rc, lim, symbol_id, side, qty_raw, px)

    def check_trigger(self, symbol_id: int, stop_raw: int, what: str = "stop price") -> None:
        """A trigger (stop) price meets the instrument's price filter: its minimum, maximum and tick, which
        venues apply to trigger prices as to limit prices.  No band: a stop is meant to be away from the
        market (the exits' side of the entry is checked by the bracket).

        Raises
        ------
        RiskRejected
            ``rule`` "filter_stop_price".
        """
        a = self.instruments.arrays
        tick, lo, hi = int(a["tick_raw"][symbol_id]), int(a["min_price_raw"][symbol_id]), \
            int(a["max_price_raw"][symbol_id])
        origin = int(a["price_origin_raw"][symbol_id])
        sym = self.instruments.symbol(symbol_id)
        if lo and stop_raw < lo:
            why = f"is below the minimum price {_fmt(lo)}"
        elif hi and stop_raw > hi:
            why = f"is above the maximum price {_fmt(hi)}"
        elif tick and (stop_raw - origin) % tick:
            why = f"is not a multiple of tick {_fmt(tick)}"
        else:
            return
        lim = _Lim(sym, None, None, None, None, False, None)
        self._reject("filter_stop_price", lim, symbol_id, stop_raw, None, f"{what} {_fmt(stop_raw)} {why} for {sym}")

    def check_exit(self, symbol_id: int, side: int, order_type: int, qty_raw: int, price_raw: int,
                   open_orders_for_symbol: int = 0, open_orders_total: int = 0, last_price_raw: int = 0) -> None:
        """Every check of :meth:`check` for an exit leg of a bracket, except the balance/margin one.

        The exit spends what the entry's fill brings (spot) or closes the position the entry
        opens (futures), so the account cannot pay for it before the entry fills; the entry
        itself was checked in full.  Not reduce-only here: the position limit is judged as if
        the exit ran alone, which an exit of an allowed entry always passes.

        Raises
        ------
        RiskRejected
            The first check the leg fails.
        """
        saved = self._check_balance
        self._check_balance = False
        try:
            self.check(symbol_id, side, order_type, qty_raw, price_raw, False, open_orders_for_symbol,
                       open_orders_total, last_price_raw)
        finally:
            self._check_balance = saved

    def check_amend(self, symbol_id: int, side: int, order_type: int, qty_raw: int, price_raw: int,
                    old_remaining_raw: int, old_price_raw: int, filled_raw: int = 0, reduce_only: bool = False,
                    open_orders_for_symbol: int = 0, open_orders_total: int = 0, last_price_raw: int = 0,
                    reduce_open_raw: int = 0) -> None:
        """Every check of :meth:`check` for an order amended to ``qty_raw`` at ``price_raw``.

        The filters and the user's limits judge the order as amended (its whole quantity); the
        balance/margin check asks only for what the amendment adds (the order already holds what
        it had: ``old_remaining_raw`` at ``old_price_raw``); the open-order counts exclude the
        order itself.  A reduce-only order's new remainder, with what the other reduce-only orders
        open on its side may close (``reduce_open_raw``), must not exceed the position.

        Raises
        ------
        RiskRejected
            The first check the amended order fails.
        """
        saved = self._check_balance
        self._check_balance = False
        try:
            self.check(symbol_id, side, order_type, qty_raw, price_raw, reduce_only, open_orders_for_symbol,
                       open_orders_total, last_price_raw)
        finally:
            self._check_balance = saved
        if reduce_only and reduce_open_raw:
            by_id = self._by_id
            lim = by_id[symbol_id] if symbol_id < len(by_id) else self._lim(symbol_id)
            self._check_reduce_open(lim, symbol_id, side, qty_raw - filled_raw, reduce_open_raw)
        if not saved:
            return
        remaining = qty_raw - filled_raw
        px = price_raw or last_price_raw
        extra = remaining * px - old_remaining_raw * (old_price_raw or last_price_raw)
        if extra > 0 and px > 0:
            extra_qty = -(-extra // px)         # the added notional, as a quantity at the new price
            rc = self._can_place(symbol_id, side, extra_qty, px, reduce_only)
            if rc:
                by_id = self._by_id
                lim = by_id[symbol_id] if symbol_id < len(by_id) else self._lim(symbol_id)
                self._reject_account(rc, lim, symbol_id, side, extra_qty, px)

    def _check_reduce_open(self, lim, symbol_id: int, side: int, qty_raw: int, open_raw: int) -> None:
        """A reduce-only order with others open on its side: together no more than the position they close."""
        size = self._size[symbol_id] if symbol_id < len(self._size) else 0
        room = -size if side == _BUY else size           # what this side can close (<= 0: nothing)
        if open_raw + qty_raw > room:
            self._reject("reduce_only", lim, symbol_id, open_raw + qty_raw, max(room, 0),
                         f"reduce-only order for {lim.symbol} with the reduce-only orders already open on its side "
                         f"would close more than the position (position {_fmt(size)}, open reduce-only "
                         f"{_fmt(open_raw)}, {'buy' if side == _BUY else 'sell'} {_fmt(qty_raw)})")

    # ---- rejections (cold: formatting happens only here) -------------------------------------

    def _reject(self, rule, lim, symbol_id, value_raw, limit_raw, message, code=None):
        log.debug("risk rejected (%s): %s", rule, message)
        raise RiskRejected(message, rule, symbol=lim.symbol if lim is not None else None, symbol_id=symbol_id,
                           value_raw=value_raw, limit_raw=limit_raw, code=code)

    def _reject_filter(self, rc, symbol_id, side, order_type, qty_raw, price_raw, last_price_raw, reduce_only):
        violation = RuleViolation(rc)
        if violation == RuleViolation.RULE_UNKNOWN_INSTRUMENT:
            self._reject("filter_unknown_instrument", None, symbol_id, None, None,
                         f"unknown instrument id {symbol_id}", code=rc)
        try:
            self.instruments.validate(symbol_id, side, order_type, qty_raw, price_raw, last_price_raw, reduce_only)
            message = f"order breaks instrument rule {violation.name}"   # validate should have raised
        except EngineError as e:
            message = str(e)
        lim = _Lim(self.instruments.symbol(symbol_id), None, None, None, None, False, None)
        self._reject("filter_" + violation.name[len("RULE_"):].lower(), lim, symbol_id, None, None, message,
                     code=rc)

    def _reject_notional(self, lim, symbol_id, qty_raw, px, market, limit):
        product = qty_raw * px
        notional = _fmt_scaled(product, 16)
        value_raw = product // SCALE
        self._reject("max_notional", lim, symbol_id, value_raw, limit,
                     f"notional {notional} exceeds max_notional {_fmt(limit)} for {lim.symbol} "
                     f"(quantity {_fmt(qty_raw)} x {'last price' if market else 'price'} {_fmt(px)})")

    def _reject_band(self, lim, symbol_id, price_raw, last_raw, band):
        lo = _fmt_scaled(last_raw * (SCALE - band), 16)
        hi = _fmt_scaled(last_raw * (SCALE + band), 16)
        self._reject("price_band", lim, symbol_id, price_raw, band,
                     f"price {_fmt(price_raw)} is outside price_band {_fmt(band)} around last price "
                     f"{_fmt(last_raw)} ({lo}..{hi}) for {lim.symbol}")

    def _reject_account(self, rc, lim, symbol_id, side, qty_raw, px):
        check = AccountCheck(rc)
        what = f"{'buy' if side == _BUY else 'sell'} {_fmt(qty_raw)}" + (f" at {_fmt(px)}" if px else "")
        if check == AccountCheck.ACC_INSUFFICIENT_BALANCE:
            rule, message = "balance", f"insufficient balance for {lim.symbol}: {what}"
        elif check == AccountCheck.ACC_INSUFFICIENT_MARGIN:
            rule, message = "margin", f"insufficient margin for {lim.symbol}: {what}"
        elif check == AccountCheck.ACC_REDUCE_ONLY_WOULD_INCREASE:
            size = self._size[symbol_id] if symbol_id < len(self._size) else 0
            rule, message = "reduce_only", (f"reduce-only order for {lim.symbol} would increase the position "
                                            f"(position {_fmt(size)}, {what})")
        elif check == AccountCheck.ACC_NO_PRICE:
            rule, message = "no_price", f"cannot value the order for {lim.symbol} ({what}): no last or mark price"
        else:
            rule = "account_" + check.name[len("ACC_"):].lower()
            message = f"account check {check.name} for {lim.symbol}: {what}"
        self._reject(rule, lim, symbol_id, qty_raw, None, message, code=rc)
