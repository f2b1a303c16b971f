"""Instrument registry: venue symbols as small integer ids, with their trading rules.

Owns the mapping symbol <-> id (a dict for the cold path, an open-addressing table
over the symbol bytes for parsers), the asset names <-> ids, and every rule an
order must meet before it is sent: tick, step, min/max quantity (limit and market),
min/max notional, percent-price band, open-order cap, base/quote asset and contract
type.  ``check_order_c`` returns a :class:`RuleViolation` code; ``validate`` turns
it into an :class:`InstrumentRuleError` naming the rule and the values.  Loading
venue payloads is plain Python in ``engine.instruments_load``.
"""

import numpy as np

from engine._fixedpoint import Rounding
from engine._fixedpoint import format as fp_format_py
from engine._fixedpoint import parse as fp_parse_py
from engine.errors import EngineError

cimport cython
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.string cimport memcpy

from engine._enums cimport BUY
from engine._enums cimport JOIN_ASK
from engine._enums cimport JOIN_BID
from engine._enums cimport MARKET
from engine._enums cimport SELL
from engine._enums cimport STOP_LOSS
from engine._enums cimport TAKE_PROFIT
from engine._enums cimport TRAILING_STOP
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_mul
from engine._fixedpoint cimport fp_quantize
from engine._fixedpoint cimport fp_sub

__all__ = ["ContractType", "InstrumentRuleError", "Instruments", "RuleViolation", "UnknownInstrumentError"]


class InstrumentRuleError(EngineError, ValueError):
    """An order that breaks its instrument's trading rules; ``code`` is the RuleViolation."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class UnknownInstrumentError(EngineError, KeyError):
    """A symbol or instrument id the registry does not hold."""

    def __str__(self):
        return str(self.args[0])


cdef inline bint _market_executed(int order_type) noexcept nogil:
    """Order types that execute at market when they fire (no limit price)."""
    return order_type == MARKET or order_type == STOP_LOSS or order_type == TAKE_PROFIT or order_type == TRAILING_STOP


cdef inline bint _unpriced(int order_type) noexcept nogil:
    """Order types sent without a price: those executed at market, and join bid / join ask, which rest
    at the price the venue picks (its best bid or ask), so they are valued at the reference price."""
    return _market_executed(order_type) or order_type == JOIN_BID or order_type == JOIN_ASK


cdef inline bint _off_grid(int64_t value, int64_t origin, int64_t step) noexcept nogil:
    """Whether (value - origin) is not a whole number of steps (step > 0)."""
    cdef int64_t d
    if fp_sub(value, origin, &d) != FP_OK:
        return True
    return d % step != 0


cdef class Instruments:
    """Symbols and their trading rules by integer id.

    Parameters
    ----------
    capacity : int
        Instruments the registry can hold.
    """

    def __cinit__(self, int32_t capacity=4096):
        if capacity <= 0:
            raise ValueError(f"capacity must be > 0, got {capacity}")
        self.capacity = capacity
        self.count = 0
        self.asset_ids = {}
        self.asset_names = []
        self.ids = {}
        self.symbols = []
        z64 = lambda: np.zeros(capacity, np.int64)
        a = {
            "symbol_buf": np.zeros((capacity, SYMBOL_MAX), np.uint8),
            "symbol_len": np.zeros(capacity, np.uint8),
            "contract_type": np.zeros(capacity, np.uint8),
            "trading": np.zeros(capacity, np.uint8),
            "base_asset": np.full(capacity, -1, np.int32),
            "quote_asset": np.full(capacity, -1, np.int32),
            "max_orders": np.zeros(capacity, np.int32),
            "notional_market": np.zeros(capacity, np.uint8),
        }
        for name in ("tick_raw", "min_price_raw", "max_price_raw", "price_origin_raw", "step_raw", "min_qty_raw",
                     "max_qty_raw", "qty_origin_raw", "mkt_step_raw", "mkt_min_qty_raw", "mkt_max_qty_raw",
                     "min_notional_raw", "max_notional_raw", "bid_up_raw", "bid_down_raw", "ask_up_raw",
                     "ask_down_raw"):
            a[name] = z64()
        a["multiplier_raw"] = np.full(capacity, 100_000_000, np.int64)
        self.arrays = a
        self.symbol_buf = a["symbol_buf"]
        self.symbol_len = a["symbol_len"]
        self.contract_type = a["contract_type"]
        self.trading = a["trading"]
        self.base_asset = a["base_asset"]
        self.quote_asset = a["quote_asset"]
        self.max_orders = a["max_orders"]
        self.notional_market = a["notional_market"]
        self.tick_raw = a["tick_raw"]
        self.min_price_raw = a["min_price_raw"]
        self.max_price_raw = a["max_price_raw"]
        self.price_origin_raw = a["price_origin_raw"]
        self.step_raw = a["step_raw"]
        self.min_qty_raw = a["min_qty_raw"]
        self.max_qty_raw = a["max_qty_raw"]
        self.qty_origin_raw = a["qty_origin_raw"]
        self.mkt_step_raw = a["mkt_step_raw"]
        self.mkt_min_qty_raw = a["mkt_min_qty_raw"]
        self.mkt_max_qty_raw = a["mkt_max_qty_raw"]
        self.min_notional_raw = a["min_notional_raw"]
        self.max_notional_raw = a["max_notional_raw"]
        self.bid_up_raw = a["bid_up_raw"]
        self.bid_down_raw = a["bid_down_raw"]
        self.ask_up_raw = a["ask_up_raw"]
        self.ask_down_raw = a["ask_down_raw"]
        self.multiplier_raw = a["multiplier_raw"]
        if ix_str_init(&self.ix_symbol, capacity, <const char *>&self.symbol_buf[0, 0], &self.symbol_len[0],
                       SYMBOL_MAX) != 0:
            raise MemoryError("instruments: symbol index")
        self.ix_ready = True

    def __dealloc__(self):
        if self.ix_ready:
            ix_str_free(&self.ix_symbol)

    # ---- C level ---------------------------------------------------------------------

    cdef int32_t find_c(self, const char *p, Py_ssize_t n) noexcept nogil:
        """Id of the symbol given as bytes (straight from the wire), -1 if unknown."""
        if n <= 0 or n > SYMBOL_MAX:
            return -1
        return ix_str_find(&self.ix_symbol, p, <size_t>n)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int check_order_c(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw,
                           int64_t ref_price_raw, bint reduce_only) noexcept nogil:
        """First rule the order breaks (RuleViolation), RULE_OK if none.  ref_price_raw is the
        venue's reference for the percent-price band and market notional (average or mark
        price); 0 skips the checks that need it."""
        cdef bint market, unpriced
        cdef int64_t step, lo, hi, p, notional, up, down
        if inst < 0 or inst >= self.count:
            return RULE_UNKNOWN_INSTRUMENT
        if qty_raw <= 0 or price_raw < 0 or ref_price_raw < 0 or (side != BUY and side != SELL):
            return RULE_BAD_VALUE
        if not self.trading[inst]:
            return RULE_NOT_TRADING
        market = _market_executed(order_type)
        unpriced = _unpriced(order_type)
        if not unpriced:
            if price_raw == 0:
                return RULE_BAD_VALUE
            if self.min_price_raw[inst] and price_raw < self.min_price_raw[inst]:
                return RULE_PRICE_BELOW_MIN
            if self.max_price_raw[inst] and price_raw > self.max_price_raw[inst]:
                return RULE_PRICE_ABOVE_MAX
            if self.tick_raw[inst] and _off_grid(price_raw, self.price_origin_raw[inst], self.tick_raw[inst]):
                return RULE_PRICE_NOT_TICK
        # quantity: market orders follow the market lot size where the venue has one
        lo = self.min_qty_raw[inst]
        hi = self.max_qty_raw[inst]
        step = self.step_raw[inst]
        if market:
            if self.mkt_min_qty_raw[inst]:
                lo = self.mkt_min_qty_raw[inst]
            if self.mkt_max_qty_raw[inst]:
                hi = self.mkt_max_qty_raw[inst]
            if self.mkt_step_raw[inst]:
                step = self.mkt_step_raw[inst]
        if lo and qty_raw < lo:
            return RULE_QTY_BELOW_MIN
        if hi and qty_raw > hi:
            return RULE_QTY_ABOVE_MAX
        if step and _off_grid(qty_raw, self.qty_origin_raw[inst], step):
            return RULE_QTY_NOT_STEP
        # notional (reduce-only futures orders are exempt from the minimum, per Binance -4164)
        p = price_raw if not unpriced else ref_price_raw
        if p and (not unpriced or self.notional_market[inst]):
            if fp_mul(qty_raw, p, FP_HALF_EVEN, &notional) != FP_OK:
                return RULE_OVERFLOW
            if (self.min_notional_raw[inst] and notional < self.min_notional_raw[inst]
                    and not (reduce_only and self.contract_type[inst] != SPOT)):
                return RULE_NOTIONAL_BELOW_MIN
            if self.max_notional_raw[inst] and notional > self.max_notional_raw[inst]:
                return RULE_NOTIONAL_ABOVE_MAX
        # percent-price band around the reference
        if ref_price_raw and not unpriced:
            up = self.bid_up_raw[inst] if side == BUY else self.ask_up_raw[inst]
            down = self.bid_down_raw[inst] if side == BUY else self.ask_down_raw[inst]
            if up:
                if fp_mul(ref_price_raw, up, FP_HALF_EVEN, &hi) != FP_OK:
                    return RULE_OVERFLOW
                if price_raw > hi:
                    return RULE_PRICE_OUTSIDE_BAND
            if down:
                if fp_mul(ref_price_raw, down, FP_HALF_EVEN, &lo) != FP_OK:
                    return RULE_OVERFLOW
                if price_raw < lo:
                    return RULE_PRICE_OUTSIDE_BAND
        return RULE_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int round_price_c(self, int32_t inst, int64_t price_raw, int mode, int64_t *out) noexcept nogil:
        """price rounded onto the tick grid by mode (fixed-point status)."""
        cdef int64_t d, q
        cdef int st
        if inst < 0 or inst >= self.count:
            return -1
        if self.tick_raw[inst] == 0:
            out[0] = price_raw
            return FP_OK
        st = fp_sub(price_raw, self.price_origin_raw[inst], &d)
        if st == FP_OK:
            st = fp_quantize(d, self.tick_raw[inst], mode, &q)
        if st == FP_OK:
            st = fp_add(q, self.price_origin_raw[inst], out)
        return st

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int round_qty_c(self, int32_t inst, int64_t qty_raw, int mode, bint market, int64_t *out) noexcept nogil:
        """quantity rounded onto the step grid (market lot step for market orders) by mode."""
        cdef int64_t d, q, step
        cdef int st
        if inst < 0 or inst >= self.count:
            return -1
        step = self.mkt_step_raw[inst] if market and self.mkt_step_raw[inst] else self.step_raw[inst]
        if step == 0:
            out[0] = qty_raw
            return FP_OK
        st = fp_sub(qty_raw, self.qty_origin_raw[inst], &d)
        if st == FP_OK:
            st = fp_quantize(d, step, mode, &q)
        if st == FP_OK:
            st = fp_add(q, self.qty_origin_raw[inst], out)
        return st

    # ---- Python API (cold path) ---------------------------------------------------------

    def asset_id(self, str name):
        """Id of an asset name, registering it on first use."""
        i = self.asset_ids.get(name)
        if i is None:
            i = len(self.asset_names)
            self.asset_ids[name] = i
            self.asset_names.append(name)
        return i

    def add(self, str symbol, str base, str quote, int contract_type, bint trading=True, *, tick="0",
            min_price="0", max_price="0", price_from_min=True, step="0", min_qty="0", max_qty="0",
            qty_from_min=True, market_step="0", market_min_qty="0", market_max_qty="0", min_notional="0",
            max_notional="0", notional_applies_to_market=True, bid_up="0", bid_down="0", ask_up="0",
            ask_down="0", max_orders=0, multiplier="1"):
        """Register (or update) an instrument from decimal strings; returns its id.

        ``multiplier``: the quote value of one unit of quantity per unit of price (1 for
        crypto contracts; a future's point value, its tick value over its tick size).

        ``price_from_min``/``qty_from_min``: the tick/step grid starts at min price/qty
        (Binance: ``(price - minPrice) % tickSize == 0``) rather than at zero (Bybit).
        """
        cdef bytes sym = symbol.encode("ascii")
        cdef int32_t other = -1
        if not sym or len(sym) > SYMBOL_MAX:
            raise ValueError(f"symbol {symbol!r} is empty or longer than {SYMBOL_MAX} bytes")
        if contract_type not in (SPOT, LINEAR_PERPETUAL, LINEAR_FUTURE):
            raise ValueError(f"contract type {contract_type} unknown")
        inst = self.ids.get(symbol)
        if inst is None:
            if self.count >= self.capacity:
                raise OverflowError(f"instrument registry full ({self.capacity}); raise its capacity")
            inst = self.count
            memcpy(&self.symbol_buf[inst, 0], <const char *>sym, len(sym))
            self.symbol_len[inst] = len(sym)
            if ix_str_insert(&self.ix_symbol, inst, &other) != 0:
                raise OverflowError(f"symbol index refused {symbol!r}")
            self.count += 1
            self.ids[symbol] = inst
            self.symbols.append(symbol)
        v = {k: fp_parse_py(str(x)) for k, x in dict(
            tick=tick, min_price=min_price, max_price=max_price, step=step, min_qty=min_qty, max_qty=max_qty,
            market_step=market_step, market_min_qty=market_min_qty, market_max_qty=market_max_qty,
            min_notional=min_notional, max_notional=max_notional, bid_up=bid_up, bid_down=bid_down,
            ask_up=ask_up, ask_down=ask_down, multiplier=multiplier).items()}
        if v["multiplier"] <= 0:
            raise ValueError(f"multiplier of {symbol!r} must be positive, got {multiplier!r}")
        self.contract_type[inst] = contract_type
        self.trading[inst] = trading
        self.base_asset[inst] = self.asset_id(base)
        self.quote_asset[inst] = self.asset_id(quote)
        self.tick_raw[inst] = v["tick"]
        self.min_price_raw[inst] = v["min_price"]
        self.max_price_raw[inst] = v["max_price"]
        self.price_origin_raw[inst] = v["min_price"] if price_from_min else 0
        self.step_raw[inst] = v["step"]
        self.min_qty_raw[inst] = v["min_qty"]
        self.max_qty_raw[inst] = v["max_qty"]
        self.qty_origin_raw[inst] = v["min_qty"] if qty_from_min else 0
        self.mkt_step_raw[inst] = v["market_step"]
        self.mkt_min_qty_raw[inst] = v["market_min_qty"]
        self.mkt_max_qty_raw[inst] = v["market_max_qty"]
        self.min_notional_raw[inst] = v["min_notional"]
        self.max_notional_raw[inst] = v["max_notional"]
        self.notional_market[inst] = notional_applies_to_market
        self.bid_up_raw[inst] = v["bid_up"]
        self.bid_down_raw[inst] = v["bid_down"]
        self.ask_up_raw[inst] = v["ask_up"]
        self.ask_down_raw[inst] = v["ask_down"]
        self.max_orders[inst] = max_orders
        self.multiplier_raw[inst] = v["multiplier"]
        return inst

    def id(self, symbol):
        """Instrument id of a symbol (str or bytes).  Raises UnknownInstrumentError."""
        cdef bytes b = symbol.encode("ascii") if isinstance(symbol, str) else bytes(symbol)
        cdef int32_t i = self.find_c(b, len(b))
        if i < 0:
            raise UnknownInstrumentError(f"unknown instrument {symbol!r}")
        return i

    def find(self, bytes symbol):
        """Instrument id of a symbol given as bytes, -1 if unknown (no exception)."""
        return self.find_c(symbol, len(symbol))

    def symbol(self, int32_t inst):
        """Venue symbol of an id."""
        if inst < 0 or inst >= self.count:
            raise UnknownInstrumentError(f"unknown instrument id {inst}")
        return self.symbols[inst]

    def rules(self, int32_t inst):
        """Every rule of an instrument as a dict of raw values and names (cold path)."""
        self._check(inst)
        out = {name: int(arr[inst]) for name, arr in self.arrays.items() if arr.ndim == 1 and name != "symbol_len"}
        out["symbol"] = self.symbol(inst)
        out["base"] = self.asset_names[self.base_asset[inst]]
        out["quote"] = self.asset_names[self.quote_asset[inst]]
        out["contract_type"] = ContractType(self.contract_type[inst])
        return out

    def check_order(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw=0,
                    int64_t ref_price_raw=0, bint reduce_only=False):
        """RuleViolation code of an order (0 when it meets every rule); never raises."""
        return self.check_order_c(inst, side, order_type, qty_raw, price_raw, ref_price_raw, reduce_only)

    def validate(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw=0,
                 int64_t ref_price_raw=0, bint reduce_only=False):
        """Raise :class:`InstrumentRuleError` naming the broken rule and the values, if any.

        Raises
        ------
        UnknownInstrumentError
            ``inst`` is not a registered id.
        InstrumentRuleError
            The order breaks a rule (``.code`` is the RuleViolation).
        """
        cdef int rc = self.check_order_c(inst, side, order_type, qty_raw, price_raw, ref_price_raw, reduce_only)
        if rc == RULE_OK:
            return
        if rc == RULE_UNKNOWN_INSTRUMENT:
            raise UnknownInstrumentError(f"unknown instrument id {inst}")
        raise InstrumentRuleError(self._describe(rc, inst, side, order_type, qty_raw, price_raw, ref_price_raw), rc)

    def _describe(self, int rc, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw,
                  int64_t ref_price_raw):
        f = fp_format_py
        sym = self.symbol(inst)
        market = _market_executed(order_type)
        step = self.mkt_step_raw[inst] if market and self.mkt_step_raw[inst] else self.step_raw[inst]
        lo = self.mkt_min_qty_raw[inst] if market and self.mkt_min_qty_raw[inst] else self.min_qty_raw[inst]
        hi = self.mkt_max_qty_raw[inst] if market and self.mkt_max_qty_raw[inst] else self.max_qty_raw[inst]
        p = price_raw if not _unpriced(order_type) else ref_price_raw
        if rc == RULE_NOT_TRADING:
            return f"{sym} is not trading"
        if rc == RULE_BAD_VALUE:
            return f"bad order values for {sym}: quantity {f(qty_raw)} (must be > 0), price {f(price_raw)}"
        if rc == RULE_PRICE_BELOW_MIN:
            return f"price {f(price_raw)} is below the minimum {f(self.min_price_raw[inst])} for {sym}"
        if rc == RULE_PRICE_ABOVE_MAX:
            return f"price {f(price_raw)} is above the maximum {f(self.max_price_raw[inst])} for {sym}"
        if rc == RULE_PRICE_NOT_TICK:
            return f"price {f(price_raw)} is not a multiple of tick {f(self.tick_raw[inst])} for {sym}"
        if rc == RULE_QTY_BELOW_MIN:
            return f"quantity {f(qty_raw)} is below the minimum {f(lo)} for {sym}"
        if rc == RULE_QTY_ABOVE_MAX:
            return f"quantity {f(qty_raw)} is above the maximum {f(hi)} for {sym}"
        if rc == RULE_QTY_NOT_STEP:
            return f"quantity {f(qty_raw)} is not a multiple of step {f(step)} for {sym}"
        if rc in (RULE_NOTIONAL_BELOW_MIN, RULE_NOTIONAL_ABOVE_MAX):
            from engine._fixedpoint import mul
            notional = f(mul(qty_raw, p, Rounding.HALF_EVEN))
            if rc == RULE_NOTIONAL_BELOW_MIN:
                return f"notional {notional} (quantity {f(qty_raw)} x price {f(p)}) is below the minimum " \
                       f"{f(self.min_notional_raw[inst])} for {sym}"
            return f"notional {notional} (quantity {f(qty_raw)} x price {f(p)}) is above the maximum " \
                   f"{f(self.max_notional_raw[inst])} for {sym}"
        if rc == RULE_PRICE_OUTSIDE_BAND:
            up = self.bid_up_raw[inst] if side == BUY else self.ask_up_raw[inst]
            down = self.bid_down_raw[inst] if side == BUY else self.ask_down_raw[inst]
            return f"price {f(price_raw)} is outside the percent-price band {f(down)}..{f(up)} x reference " \
                   f"{f(ref_price_raw)} for {sym}"
        return f"order for {sym} overflows fixed point (quantity {f(qty_raw)}, price {f(p)})"

    def round_price(self, int32_t inst, int64_t price_raw, int rounding=Rounding.HALF_EVEN):
        """Price rounded onto the instrument's tick grid in the given :class:`Rounding` direction."""
        cdef int64_t out = 0
        self._check(inst)
        if self.round_price_c(inst, price_raw, rounding, &out) != FP_OK:
            raise OverflowError(f"price {fp_format_py(price_raw)} cannot be rounded for {self.symbol(inst)}")
        return out

    def round_qty(self, int32_t inst, int64_t qty_raw, int rounding=Rounding.DOWN, bint market=False):
        """Quantity rounded onto the step grid (the market lot step when ``market``)."""
        cdef int64_t out = 0
        self._check(inst)
        if self.round_qty_c(inst, qty_raw, rounding, market, &out) != FP_OK:
            raise OverflowError(f"quantity {fp_format_py(qty_raw)} cannot be rounded for {self.symbol(inst)}")
        return out

    def __len__(self):
        return self.count

    def _check(self, int32_t inst):
        if inst < 0 or inst >= self.count:
            raise UnknownInstrumentError(f"unknown instrument id {inst}")
