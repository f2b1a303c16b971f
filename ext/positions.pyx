"""Positions: what the account holds per instrument, updated fill by fill.

Owns one position per instrument id (one-way mode): signed size, average entry
price, realized PnL, fees, unrealized PnL at the mark price, leverage, margin mode
and the venue's maintenance-margin tiers, and from them the liquidation-price
estimate of Binance USD-M.  ``update_from_fill_c`` handles open, increase, reduce,
close and a flip through zero in one fill; it computes everything first and stores
only when every step fitted, so a refused fill changes nothing.

Rounding (the property test's reference model follows the same rules):

1. Average entry = (|size| * entry + qty * price) / (|size| + qty), one half-even rounding.
2. Realized PnL of a reduction = closed qty * (price - entry) for a long, * (entry - price)
   for a short, times the instrument's multiplier (a future's point value: ticks x tick
   value; 1 for crypto contracts), one half-even rounding per fill.
3. A fee in the base asset reduces the holding by the fee and adds fee * price (half-even)
   to ``fees_raw``; if that takes the size to zero the entry resets, across zero it becomes
   the fill price.
4. Unrealized PnL = size * (mark - entry) * multiplier, half-even.
"""

import numpy as np

from engine.errors import EngineError

cimport cython
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t

from engine._enums cimport BUY
from engine._enums cimport SELL
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport FP_OVERFLOW
from engine._fixedpoint cimport FP_SCALE
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_mul
from engine._fixedpoint cimport fp_parse
from engine._fixedpoint cimport fp_sub

__all__ = ["FeeKind", "PositionBook", "PositionError", "PositionResult"]


class PositionError(EngineError, ValueError):
    """A position update that cannot be applied (unknown instrument, bad value, overflow)."""


cdef inline int64_t _abs(int64_t v) noexcept nogil:
    return -v if v < 0 else v


cdef inline int _sign(int64_t v) noexcept nogil:
    return (v > 0) - (v < 0)


cdef object _raise(int rc, str what):
    if rc == POS_UNKNOWN_INSTRUMENT:
        raise PositionError(f"{what}: unknown instrument id")
    if rc == POS_OVERFLOW:
        raise OverflowError(f"{what}: result does not fit a fixed-point int64 with 8 decimals")
    raise PositionError(f"{what}: bad value")


def _parse_raw(value):
    """Decimal string / int / Decimal of a payload -> raw (cold path)."""
    cdef int64_t out = 0
    cdef bytes b = str(value).encode("ascii")
    if fp_parse(b, len(b), FP_HALF_EVEN, &out) != FP_OK:
        raise PositionError(f"{value!r} is not a decimal number that fits 8 decimals in int64")
    return out


cdef class PositionBook:
    """Positions by instrument id.

    Parameters
    ----------
    capacity : int
        Instrument ids 0..capacity-1.
    default_leverage : int
        Leverage until the venue's setting is loaded.
    """

    def __cinit__(self, int32_t capacity=4096, int32_t default_leverage=1):
        if capacity <= 0:
            raise ValueError(f"capacity must be > 0, got {capacity}")
        self.capacity = capacity
        a = {
            "size_raw": np.zeros(capacity, np.int64),
            "entry_raw": np.zeros(capacity, np.int64),
            "realized_raw": np.zeros(capacity, np.int64),
            "fees_raw": np.zeros(capacity, np.int64),
            "fee_other_raw": np.zeros(capacity, np.int64),
            "fee_other_asset": np.full(capacity, -1, np.int32),
            "mark_raw": np.zeros(capacity, np.int64),
            "unrealized_raw": np.zeros(capacity, np.int64),
            "multiplier_raw": np.full(capacity, FP_SCALE, np.int64),
            "leverage": np.full(capacity, default_leverage, np.int32),
            "isolated": np.zeros(capacity, np.uint8),
            "isolated_wallet_raw": np.zeros(capacity, np.int64),
            "n_brackets": np.zeros(capacity, np.int32),
            "br_floor_raw": np.zeros((capacity, MAX_BRACKETS), np.int64),
            "br_cap_raw": np.zeros((capacity, MAX_BRACKETS), np.int64),
            "br_mmr_raw": np.zeros((capacity, MAX_BRACKETS), np.int64),
            "br_cum_raw": np.zeros((capacity, MAX_BRACKETS), np.int64),
            "br_max_leverage": np.zeros((capacity, MAX_BRACKETS), np.int64),
        }
        self.arrays = a
        self.size_raw = a["size_raw"]
        self.entry_raw = a["entry_raw"]
        self.realized_raw = a["realized_raw"]
        self.fees_raw = a["fees_raw"]
        self.fee_other_raw = a["fee_other_raw"]
        self.fee_other_asset = a["fee_other_asset"]
        self.mark_raw = a["mark_raw"]
        self.unrealized_raw = a["unrealized_raw"]
        self.multiplier_raw = a["multiplier_raw"]
        self.leverage = a["leverage"]
        self.isolated = a["isolated"]
        self.isolated_wallet_raw = a["isolated_wallet_raw"]
        self.n_brackets = a["n_brackets"]
        self.br_floor_raw = a["br_floor_raw"]
        self.br_cap_raw = a["br_cap_raw"]
        self.br_mmr_raw = a["br_mmr_raw"]
        self.br_cum_raw = a["br_cum_raw"]
        self.br_max_leverage = a["br_max_leverage"]

    # ---- C level -----------------------------------------------------------------

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int value_c(self, int32_t inst, int64_t qty_raw, int64_t diff_raw, int64_t *out) noexcept nogil:
        """qty * diff * multiplier (quote), one half-even rounding (inst validated by the caller)."""
        cdef int64_t m = self.multiplier_raw[inst], per_unit
        if m == FP_SCALE:
            return fp_mul(qty_raw, diff_raw, FP_HALF_EVEN, out)
        # diff * multiplier first: exact for a tick-aligned price difference and a tick value
        if fp_mul(diff_raw, m, FP_HALF_EVEN, &per_unit) != FP_OK:
            return FP_OVERFLOW
        return fp_mul(qty_raw, per_unit, FP_HALF_EVEN, out)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int update_from_fill_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw,
                                int64_t fee_raw, int fee_kind, int32_t fee_asset) noexcept nogil:
        """Apply one fill to the instrument's position; returns a PositionResult code."""
        cdef int64_t size, entry, q, new_size, new_entry, closing, diff, pnl, realized, fees, fee_val
        cdef int64_t fee_other, upnl, mark
        cdef int rc = POS_OK
        if inst < 0 or inst >= self.capacity:
            self.n_unknown += 1
            return POS_UNKNOWN_INSTRUMENT
        if (side != BUY and side != SELL) or qty_raw <= 0 or price_raw <= 0 or fee_raw < 0:
            return POS_BAD_VALUE
        size = self.size_raw[inst]
        entry = self.entry_raw[inst]
        realized = self.realized_raw[inst]
        fees = self.fees_raw[inst]
        fee_other = self.fee_other_raw[inst]
        q = qty_raw if side == BUY else -qty_raw
        if fp_add(size, q, &new_size) != FP_OK:
            self.n_overflows += 1
            return POS_OVERFLOW
        if size == 0 or _sign(size) == _sign(q):
            # open or increase
            if pos_wavg(_abs(size), entry, qty_raw, price_raw, FP_HALF_EVEN, &new_entry) != FP_OK:
                self.n_overflows += 1
                return POS_OVERFLOW
        else:
            # reduce, close or flip
            closing = _abs(size) if _abs(size) < qty_raw else qty_raw
            if size > 0:
                rc = fp_sub(price_raw, entry, &diff)
            else:
                rc = fp_sub(entry, price_raw, &diff)
            if (rc != FP_OK or self.value_c(inst, closing, diff, &pnl) != FP_OK
                    or fp_add(realized, pnl, &realized) != FP_OK):
                self.n_overflows += 1
                return POS_OVERFLOW
            if new_size == 0:
                new_entry = 0
            elif _sign(new_size) != _sign(size):
                new_entry = price_raw
            else:
                new_entry = entry
        rc = POS_OK
        if fee_raw:
            if fee_kind == FEE_QUOTE:
                if fp_add(fees, fee_raw, &fees) != FP_OK:
                    self.n_overflows += 1
                    return POS_OVERFLOW
            elif fee_kind == FEE_BASE:
                size = new_size
                if (fp_sub(new_size, fee_raw, &new_size) != FP_OK
                        or fp_mul(fee_raw, price_raw, FP_HALF_EVEN, &fee_val) != FP_OK
                        or fp_add(fees, fee_val, &fees) != FP_OK):
                    self.n_overflows += 1
                    return POS_OVERFLOW
                if new_size == 0:
                    new_entry = 0
                elif size == 0 or _sign(new_size) != _sign(size):
                    new_entry = price_raw
            elif fee_kind == FEE_OTHER:
                if self.fee_other_asset[inst] == fee_asset or self.fee_other_asset[inst] < 0:
                    if fp_add(fee_other, fee_raw, &fee_other) != FP_OK:
                        self.n_overflows += 1
                        return POS_OVERFLOW
                else:
                    rc = POS_FEE_ASSET_DROPPED
            else:
                return POS_BAD_VALUE
        mark = self.mark_raw[inst]
        upnl = 0
        if mark > 0 and new_size != 0:
            if fp_sub(mark, new_entry, &diff) != FP_OK or self.value_c(inst, new_size, diff, &upnl) != FP_OK:
                self.n_overflows += 1
                return POS_OVERFLOW
        # commit
        self.size_raw[inst] = new_size
        self.entry_raw[inst] = new_entry
        self.realized_raw[inst] = realized
        self.fees_raw[inst] = fees
        self.unrealized_raw[inst] = upnl
        if fee_kind == FEE_OTHER and fee_raw and rc == POS_OK:
            self.fee_other_raw[inst] = fee_other
            self.fee_other_asset[inst] = fee_asset
        elif rc == POS_FEE_ASSET_DROPPED:
            self.n_fee_assets_dropped += 1
        return rc

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int set_mark_c(self, int32_t inst, int64_t mark_raw) noexcept nogil:
        """New mark price: recompute unrealized PnL."""
        cdef int64_t diff, upnl = 0
        if inst < 0 or inst >= self.capacity:
            self.n_unknown += 1
            return POS_UNKNOWN_INSTRUMENT
        if mark_raw < 0:
            return POS_BAD_VALUE
        if mark_raw > 0 and self.size_raw[inst] != 0:
            if (fp_sub(mark_raw, self.entry_raw[inst], &diff) != FP_OK
                    or self.value_c(inst, self.size_raw[inst], diff, &upnl) != FP_OK):
                self.n_overflows += 1
                return POS_OVERFLOW
        self.mark_raw[inst] = mark_raw
        self.unrealized_raw[inst] = upnl
        return POS_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int bracket_c(self, int32_t inst, int64_t notional_raw) noexcept nogil:
        """Index of the maintenance tier holding notional_raw (inst validated by caller); -1 if none set."""
        cdef int i, n = self.n_brackets[inst]
        if n == 0:
            return -1
        for i in range(n):
            if notional_raw < self.br_cap_raw[inst, i]:
                return i
        return n - 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int maint_margin_c(self, int32_t inst, int64_t *out) noexcept nogil:
        """Maintenance margin = notional * MMR - cum, notional at the mark (entry without a mark)."""
        cdef int64_t price, notional, mm
        cdef int b
        if inst < 0 or inst >= self.capacity:
            return POS_UNKNOWN_INSTRUMENT
        price = self.mark_raw[inst] if self.mark_raw[inst] > 0 else self.entry_raw[inst]
        if fp_mul(_abs(self.size_raw[inst]), price, FP_HALF_EVEN, &notional) != FP_OK:
            return POS_OVERFLOW
        b = self.bracket_c(inst, notional)
        if b < 0 or notional == 0:
            out[0] = 0
            return POS_OK
        if fp_mul(notional, self.br_mmr_raw[inst, b], FP_HALF_EVEN, &mm) != FP_OK:
            return POS_OVERFLOW
        out[0] = mm - self.br_cum_raw[inst, b]
        return POS_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int liquidation_price_c(self, int32_t inst, int64_t wallet_raw, int64_t other_maint_raw,
                                 int64_t other_upnl_raw, int64_t *out) noexcept nogil:
        """Estimated liquidation price (0: none).  Isolated positions use their own wallet and
        ignore the other positions; the tier is re-chosen at the liquidation notional."""
        cdef int64_t q, ep, lp = 0, notional, mmr = 0, cum = 0
        cdef int b, b2, k, side
        if inst < 0 or inst >= self.capacity:
            return POS_UNKNOWN_INSTRUMENT
        q = _abs(self.size_raw[inst])
        out[0] = 0
        if q == 0:
            return POS_OK
        side = _sign(self.size_raw[inst])
        ep = self.entry_raw[inst]
        if self.isolated[inst]:
            wallet_raw = self.isolated_wallet_raw[inst]
            other_maint_raw = 0
            other_upnl_raw = 0
        if fp_mul(q, self.mark_raw[inst] if self.mark_raw[inst] > 0 else ep, FP_HALF_EVEN, &notional) != FP_OK:
            return POS_OVERFLOW
        b = self.bracket_c(inst, notional)
        for k in range(MAX_BRACKETS + 1):
            if b >= 0:
                mmr = self.br_mmr_raw[inst, b]
                cum = self.br_cum_raw[inst, b]
            if pos_liquidation_price(wallet_raw, other_maint_raw, other_upnl_raw, cum, side, q, ep, mmr,
                                     &lp) != FP_OK:
                return POS_OVERFLOW
            if lp <= 0 or b < 0:
                break
            if fp_mul(q, lp, FP_HALF_EVEN, &notional) != FP_OK:
                return POS_OVERFLOW
            b2 = self.bracket_c(inst, notional)
            if b2 == b:
                break
            b = b2
        out[0] = lp if lp > 0 else 0
        return POS_OK

    # ---- Python wrappers -------------------------------------------------------------

    def update_from_fill(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw,
                         int64_t fee_raw=0, int fee_kind=FEE_QUOTE, int32_t fee_asset=-1):
        """Apply one fill; returns a :class:`PositionResult` code (0, or 4 when a third-asset fee
        could not be summed).

        Raises
        ------
        PositionError
            Unknown instrument id or a bad value (nothing changed).
        OverflowError
            A result would not fit int64 raw (nothing changed).
        """
        cdef int rc = self.update_from_fill_c(inst, side, qty_raw, price_raw, fee_raw, fee_kind, fee_asset)
        if rc == POS_OK or rc == POS_FEE_ASSET_DROPPED:
            return rc
        _raise(rc, f"fill inst={inst} side={side} qty_raw={qty_raw} price_raw={price_raw} fee_raw={fee_raw}")

    def set_multiplier(self, int32_t inst, int64_t multiplier_raw):
        """The instrument's multiplier (raw; quote value of one unit of size per unit of price)."""
        self._check(inst)
        if multiplier_raw <= 0:
            raise PositionError(f"multiplier of instrument {inst} must be positive, got raw {multiplier_raw}")
        self.multiplier_raw[inst] = multiplier_raw

    def set_mark(self, int32_t inst, int64_t mark_raw):
        """Set the mark price (raw) and recompute unrealized PnL."""
        cdef int rc = self.set_mark_c(inst, mark_raw)
        if rc != POS_OK:
            _raise(rc, f"mark inst={inst} mark_raw={mark_raw}")

    def set_leverage(self, int32_t inst, int32_t leverage):
        """Leverage as set on the venue (1..125)."""
        self._check(inst)
        if not 1 <= leverage <= 125:
            raise PositionError(f"leverage {leverage} outside 1..125")
        self.leverage[inst] = leverage

    def set_margin_mode(self, int32_t inst, bint isolated, isolated_wallet_raw=0):
        """Cross (isolated=False) or isolated with the position's isolated wallet balance (raw)."""
        self._check(inst)
        self.isolated[inst] = isolated
        self.isolated_wallet_raw[inst] = isolated_wallet_raw

    def set_brackets(self, int32_t inst, brackets):
        """Maintenance tiers from Binance ``GET /fapi/v1/leverageBracket`` ``brackets`` (dicts with
        notionalFloor, notionalCap, maintMarginRatio, cum, initialLeverage), lowest first."""
        self._check(inst)
        rows = sorted(brackets, key=lambda b: _parse_raw(b["notionalFloor"]))
        if not 0 < len(rows) <= MAX_BRACKETS:
            raise PositionError(f"{len(rows)} brackets; 1..{MAX_BRACKETS} supported")
        for i, b in enumerate(rows):
            self.br_floor_raw[inst, i] = _parse_raw(b["notionalFloor"])
            self.br_cap_raw[inst, i] = _parse_raw(b["notionalCap"])
            self.br_mmr_raw[inst, i] = _parse_raw(b["maintMarginRatio"])
            self.br_cum_raw[inst, i] = _parse_raw(b["cum"])
            self.br_max_leverage[inst, i] = int(b.get("initialLeverage", 0))
        self.n_brackets[inst] = len(rows)

    def maint_margin(self, int32_t inst):
        """Maintenance margin of the position (raw, quote)."""
        cdef int64_t out = 0
        cdef int rc = self.maint_margin_c(inst, &out)
        if rc != POS_OK:
            _raise(rc, f"maintenance margin inst={inst}")
        return out

    def liquidation_price(self, int32_t inst, int64_t wallet_raw=0, int64_t other_maint_raw=0,
                          int64_t other_upnl_raw=0):
        """Estimated liquidation price (raw; 0 when the position cannot be liquidated).

        Parameters
        ----------
        wallet_raw : int
            Cross wallet balance (ignored for isolated positions, which use their own).
        other_maint_raw, other_upnl_raw : int
            Maintenance margin and unrealized PnL of all other cross positions.
        """
        cdef int64_t out = 0
        cdef int rc = self.liquidation_price_c(inst, wallet_raw, other_maint_raw, other_upnl_raw, &out)
        if rc != POS_OK:
            _raise(rc, f"liquidation price inst={inst}")
        return out

    def get(self, int32_t inst):
        """The position as a dict of raw values (cold path)."""
        self._check(inst)
        return {
            "size_raw": self.size_raw[inst], "entry_raw": self.entry_raw[inst],
            "realized_raw": self.realized_raw[inst], "fees_raw": self.fees_raw[inst],
            "fee_other_raw": self.fee_other_raw[inst], "fee_other_asset": self.fee_other_asset[inst],
            "mark_raw": self.mark_raw[inst], "unrealized_raw": self.unrealized_raw[inst],
            "leverage": self.leverage[inst], "isolated": bool(self.isolated[inst]),
            "isolated_wallet_raw": self.isolated_wallet_raw[inst],
        }

    def reconcile(self, int32_t inst, int64_t size_raw, int64_t entry_raw, mark_raw=None, leverage=None,
                  isolated_wallet_raw=None):
        """Replace the local position with the venue's snapshot; returns what differed.

        Returns
        -------
        dict
            ``{"size_raw": venue - local, "entry_raw": venue - local}`` (zeros when they agreed).
        """
        self._check(inst)
        diff = {"size_raw": size_raw - self.size_raw[inst],
                "entry_raw": (entry_raw if size_raw else 0) - self.entry_raw[inst]}
        self.size_raw[inst] = size_raw
        self.entry_raw[inst] = entry_raw if size_raw else 0
        if leverage is not None:
            self.set_leverage(inst, leverage)
        if isolated_wallet_raw is not None:
            self.isolated_wallet_raw[inst] = isolated_wallet_raw
        self.set_mark(inst, self.mark_raw[inst] if mark_raw is None else mark_raw)
        return diff

    def _check(self, int32_t inst):
        if inst < 0 or inst >= self.capacity:
            raise PositionError(f"instrument id {inst} outside 0..{self.capacity - 1}")
