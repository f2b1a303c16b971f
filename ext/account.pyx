"""Account: balances, margin and the pre-trade check.

Owns the spot balances per asset id (free, locked, and what our own open orders have
reserved), the futures wallet per margin asset, the initial margin held by open
futures orders, and cached totals over the positions (unrealized PnL, position and
maintenance margin) refreshed by ``refresh_margin_c``.  ``can_place_order_c`` answers
with an :class:`AccountCheck` code from those numbers alone, so it allocates nothing
and does not loop over positions.  The stream handlers call the ``apply_*_c`` methods
(Binance ``outboundAccountPosition`` / ``balanceUpdate``, USD-M ``ACCOUNT_UPDATE`` B[]).
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
from engine._fixedpoint cimport FP_UP
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_div
from engine._fixedpoint cimport fp_mul
from engine._fixedpoint cimport fp_muldiv
from engine._fixedpoint cimport fp_sub
from engine._instruments cimport Instruments
from engine._instruments cimport SPOT
from engine._positions cimport PositionBook

__all__ = ["Account", "AccountCheck", "AccountError"]


class AccountError(EngineError, ValueError):
    """An account update that cannot be applied (unknown asset, overflow)."""


cdef inline int64_t _abs(int64_t v) noexcept nogil:
    return -v if v < 0 else v


cdef class Account:
    """Balances and margin for one venue account.

    Parameters
    ----------
    instruments : Instruments
        Registry giving each instrument's base/quote asset and contract type.
    positions : PositionBook
        Positions (size, mark, leverage, tiers) of the same account.
    n_assets : int
        Asset ids 0..n_assets-1 (the registry's asset ids).
    margin_asset : str, optional
        Futures margin asset name (e.g. "USDT").
    margin_call_ratio : str
        Maintenance margin / margin balance at which :meth:`is_margin_call` turns true.
    """

    def __cinit__(self, Instruments instruments, PositionBook positions, int32_t n_assets=1024,
                  margin_asset=None, str margin_call_ratio="0.8"):
        from engine._fixedpoint import parse
        if n_assets <= 0:
            raise ValueError("n_assets must be > 0")
        self.instruments = instruments
        self.positions = positions
        self.n_assets = n_assets
        a = {name: np.zeros(n_assets, np.int64)
             for name in ("free_raw", "locked_raw", "reserved_raw", "wallet_raw", "cross_wallet_raw",
                          "available_raw")}
        self.arrays = a
        self.free_raw = a["free_raw"]
        self.locked_raw = a["locked_raw"]
        self.reserved_raw = a["reserved_raw"]
        self.wallet_raw = a["wallet_raw"]
        self.cross_wallet_raw = a["cross_wallet_raw"]
        self.available_raw = a["available_raw"]
        a["futures_reported"] = np.zeros(n_assets, np.uint8)
        self.futures_reported = a["futures_reported"]
        a["reported"] = np.zeros(n_assets, np.uint8)
        self.reported = a["reported"]
        self.margin_asset = instruments.asset_id(margin_asset) if margin_asset else -1
        self.margin_call_ratio_raw = parse(margin_call_ratio)

    # ---- C level ----------------------------------------------------------------------

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int can_place_order_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw,
                               bint reduce_only) noexcept nogil:
        """Whether balance/margin cover the order (AccountCheck).  Spot: free - reserved of the
        asset spent.  Linear: only the part that opens or adds to the position needs
        initial margin, notional / leverage, against the available balance."""
        cdef int64_t need, have, size, opening, ma, price
        cdef int32_t asset, lev
        if inst < 0 or inst >= self.instruments.count or inst >= self.positions.capacity:
            return ACC_UNKNOWN_INSTRUMENT
        if qty_raw <= 0 or price_raw < 0 or (side != BUY and side != SELL):
            return ACC_BAD_VALUE
        price = price_raw if price_raw > 0 else self.positions.mark_raw[inst]
        if self.instruments.contract_type[inst] == SPOT:
            if side == BUY:
                if price == 0:
                    return ACC_NO_PRICE
                asset = self.instruments.quote_asset[inst]
                if fp_mul(qty_raw, price, FP_UP, &need) != FP_OK:
                    return ACC_OVERFLOW
            else:
                asset = self.instruments.base_asset[inst]
                need = qty_raw
            if asset < 0 or asset >= self.n_assets:
                return ACC_UNKNOWN_ASSET
            if fp_sub(self.free_raw[asset], self.reserved_raw[asset], &have) != FP_OK:
                return ACC_OVERFLOW
            return ACC_OK if need <= have else ACC_INSUFFICIENT_BALANCE
        # linear contracts
        size = self.positions.size_raw[inst]
        if (side == BUY and size < 0) or (side == SELL and size > 0):
            opening = qty_raw - _abs(size) if qty_raw > _abs(size) else 0
        else:
            opening = qty_raw
        if reduce_only:
            return ACC_OK if opening == 0 else ACC_REDUCE_ONLY_WOULD_INCREASE
        if opening == 0:
            return ACC_OK
        if price == 0:
            return ACC_NO_PRICE
        lev = self.positions.leverage[inst]
        if lev < 1:
            lev = 1
        if fp_muldiv(opening, price, <int64_t>lev * 100000000, FP_UP, &need) != FP_OK:
            return ACC_OVERFLOW
        ma = self.margin_balance_c()
        if (fp_sub(ma, self.position_margin_raw, &have) != FP_OK
                or fp_sub(have, self.order_margin_raw, &have) != FP_OK):
            return ACC_OVERFLOW
        return ACC_OK if need <= have else ACC_INSUFFICIENT_MARGIN

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int reserve_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw, int sign) noexcept nogil:
        """Reserve (sign +1) or release (sign -1) what an open order holds: spot quote notional
        (buy) or base quantity (sell); futures initial margin of the whole order."""
        cdef int64_t amount, cur
        cdef int32_t asset, lev
        if inst < 0 or inst >= self.instruments.count or inst >= self.positions.capacity:
            return ACC_UNKNOWN_INSTRUMENT
        if qty_raw < 0 or price_raw < 0 or (sign != 1 and sign != -1) or (side != BUY and side != SELL):
            return ACC_BAD_VALUE
        if self.instruments.contract_type[inst] == SPOT:
            if side == BUY:
                asset = self.instruments.quote_asset[inst]
                if fp_mul(qty_raw, price_raw, FP_UP, &amount) != FP_OK:
                    return ACC_OVERFLOW
            else:
                asset = self.instruments.base_asset[inst]
                amount = qty_raw
            if asset < 0 or asset >= self.n_assets:
                return ACC_UNKNOWN_ASSET
            if fp_add(self.reserved_raw[asset], sign * amount, &cur) != FP_OK:
                return ACC_OVERFLOW
            self.reserved_raw[asset] = cur if cur > 0 else 0
            return ACC_OK
        lev = self.positions.leverage[inst]
        if lev < 1:
            lev = 1
        if fp_muldiv(qty_raw, price_raw, <int64_t>lev * 100000000, FP_UP, &amount) != FP_OK:
            return ACC_OVERFLOW
        if fp_add(self.order_margin_raw, sign * amount, &cur) != FP_OK:
            return ACC_OVERFLOW
        self.order_margin_raw = cur if cur > 0 else 0
        return ACC_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_balance_c(self, int32_t asset, int64_t free_raw, int64_t locked_raw) noexcept nogil:
        """Venue's absolute spot balance (outboundAccountPosition B[])."""
        if asset < 0 or asset >= self.n_assets:
            return ACC_UNKNOWN_ASSET
        self.free_raw[asset] = free_raw
        self.locked_raw[asset] = locked_raw
        self.reported[asset] = 1
        return ACC_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_balance_delta_c(self, int32_t asset, int64_t delta_raw) noexcept nogil:
        """Deposit / withdrawal / transfer (balanceUpdate d) on the free balance."""
        cdef int64_t v
        if asset < 0 or asset >= self.n_assets:
            return ACC_UNKNOWN_ASSET
        if fp_add(self.free_raw[asset], delta_raw, &v) != FP_OK:
            return ACC_OVERFLOW
        self.free_raw[asset] = v
        return ACC_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_futures_balance_c(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw) noexcept nogil:
        """Futures wallet of one asset (ACCOUNT_UPDATE B[]: wb, cw)."""
        if asset < 0 or asset >= self.n_assets:
            return ACC_UNKNOWN_ASSET
        self.wallet_raw[asset] = wallet_raw
        self.cross_wallet_raw[asset] = cross_wallet_raw
        return ACC_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_futures_available_c(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw,
                                       int64_t available_raw) noexcept nogil:
        """Futures wallet of one asset with the available balance the venue's figures leave (Bybit's
        unified wallet coin); the asset then shows in :meth:`futures_balances`."""
        if asset < 0 or asset >= self.n_assets:
            return ACC_UNKNOWN_ASSET
        self.wallet_raw[asset] = wallet_raw
        self.cross_wallet_raw[asset] = cross_wallet_raw
        self.available_raw[asset] = available_raw
        self.futures_reported[asset] = 1
        return ACC_OK

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int refresh_margin_c(self) noexcept nogil:
        """Recompute unrealized PnL, position initial margin and maintenance margin over every
        linear position (call after marks or fills move; not per order)."""
        cdef int32_t i, n, lev
        cdef int64_t upnl = 0, im = 0, mm = 0, notional, x, price
        n = self.instruments.count if self.instruments.count < self.positions.capacity else self.positions.capacity
        for i in range(n):
            if self.positions.size_raw[i] == 0 or self.instruments.contract_type[i] == SPOT:
                continue
            if fp_add(upnl, self.positions.unrealized_raw[i], &upnl) != FP_OK:
                return ACC_OVERFLOW
            price = self.positions.mark_raw[i] if self.positions.mark_raw[i] > 0 else self.positions.entry_raw[i]
            lev = self.positions.leverage[i] if self.positions.leverage[i] >= 1 else 1
            if fp_mul(_abs(self.positions.size_raw[i]), price, FP_HALF_EVEN, &notional) != FP_OK:
                return ACC_OVERFLOW
            if fp_div(notional, <int64_t>lev * 100000000, FP_UP, &x) != FP_OK or fp_add(im, x, &im) != FP_OK:
                return ACC_OVERFLOW
            if self.positions.maint_margin_c(i, &x) != 0 or fp_add(mm, x, &mm) != FP_OK:
                return ACC_OVERFLOW
        self.unrealized_raw = upnl
        self.position_margin_raw = im
        self.maint_margin_raw = mm
        return ACC_OK

    cdef int64_t margin_balance_c(self) noexcept nogil:
        """Wallet balance of the margin asset plus unrealized PnL (saturating)."""
        cdef int64_t v
        if self.margin_asset < 0:
            return 0
        if fp_add(self.wallet_raw[self.margin_asset], self.unrealized_raw, &v) != FP_OK:
            return 0
        return v

    # ---- Python wrappers ----------------------------------------------------------------

    def can_place_order(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw=0, bint reduce_only=False):
        """AccountCheck code for an order (0: balance/margin suffice).  Never raises."""
        return self.can_place_order_c(inst, side, qty_raw, price_raw, reduce_only)

    def reserve(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw):
        """Hold balance/margin for an order just sent."""
        self._ok(self.reserve_c(inst, side, qty_raw, price_raw, 1), "reserve")

    def release(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw):
        """Give back what an order held (cancelled, or the filled part)."""
        self._ok(self.reserve_c(inst, side, qty_raw, price_raw, -1), "release")

    def apply_balance(self, int32_t asset, int64_t free_raw, int64_t locked_raw):
        """Set an asset's spot balance as the venue reports it."""
        self._ok(self.apply_balance_c(asset, free_raw, locked_raw), "balance")

    def apply_balance_delta(self, int32_t asset, int64_t delta_raw):
        """Add a deposit/withdrawal/transfer to the free balance."""
        self._ok(self.apply_balance_delta_c(asset, delta_raw), "balance delta")

    def apply_futures_balance(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw=0):
        """Set a futures wallet balance as the venue reports it."""
        self._ok(self.apply_futures_balance_c(asset, wallet_raw, cross_wallet_raw), "futures balance")

    def apply_futures_available(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw,
                                int64_t available_raw):
        """Set a futures wallet balance and its available balance as the venue reports them."""
        self._ok(self.apply_futures_available_c(asset, wallet_raw, cross_wallet_raw, available_raw),
                 "futures balance")

    def futures_available(self, int32_t asset):
        """The available balance last reported for a futures asset, None before the first report."""
        if 0 <= asset < self.n_assets and self.futures_reported[asset]:
            return self.available_raw[asset]
        return None

    def futures_balances(self, list names):
        """``{asset name: (available_raw, wallet_raw)}`` of every asset whose futures balance was reported
        with its available balance (``names``: the registry's asset names by id; cold path)."""
        cdef Py_ssize_t i, n = min(len(names), self.n_assets)
        return {names[i]: (self.available_raw[i], self.wallet_raw[i]) for i in range(n) if self.futures_reported[i]}

    def refresh_margin(self):
        """Recompute the position totals (unrealized PnL, initial and maintenance margin)."""
        self._ok(self.refresh_margin_c(), "margin refresh")

    def balance(self, int32_t asset):
        """``(free_raw, locked_raw, reserved_raw)`` of an asset."""
        self._ok(ACC_OK if 0 <= asset < self.n_assets else ACC_UNKNOWN_ASSET, "balance")
        return self.free_raw[asset], self.locked_raw[asset], self.reserved_raw[asset]

    def spot_balances(self, list names):
        """``{asset name: (free_raw, locked_raw)}`` of every asset whose spot balance the venue reported
        (``names``: the registry's asset names by id; cold path)."""
        cdef Py_ssize_t i, n = min(len(names), self.n_assets)
        return {names[i]: (self.free_raw[i], self.locked_raw[i]) for i in range(n) if self.reported[i]}

    @property
    def wallet_balance_raw(self):
        """Futures wallet balance of the margin asset."""
        return self.wallet_raw[self.margin_asset] if self.margin_asset >= 0 else 0

    @property
    def margin_balance_raw(self):
        """Wallet balance plus unrealized PnL."""
        return self.margin_balance_c()

    @property
    def available_balance_raw(self):
        """Margin balance minus position and open-order initial margin."""
        return self.margin_balance_c() - self.position_margin_raw - self.order_margin_raw

    def margin_ratio_raw(self):
        """Maintenance margin / margin balance (raw; a huge value when the balance is <= 0)."""
        cdef int64_t mb = self.margin_balance_c()
        cdef int64_t out = 0
        if mb <= 0:
            return 2**63 - 1 if self.maint_margin_raw > 0 else 0
        if fp_div(self.maint_margin_raw, mb, FP_HALF_EVEN, &out) != FP_OK:
            return 2**63 - 1
        return out

    def is_margin_call(self):
        """Whether the margin ratio has reached the configured margin-call ratio."""
        return self.margin_ratio_raw() >= self.margin_call_ratio_raw

    def _ok(self, int rc, str what):
        if rc == ACC_OK:
            return
        if rc == ACC_OVERFLOW:
            raise OverflowError(f"account {what}: result does not fit a fixed-point int64")
        raise AccountError(f"account {what}: {AccountCheck(rc).name}")
