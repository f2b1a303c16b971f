"""Positions: fills against a pure-Python Decimal reference, liquidation price, reconciliation."""

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._enums import Side
from engine._positions import FeeKind, PositionBook, PositionError, PositionResult

E8 = 100_000_000
Q = Decimal("0.00000001")
BUY, SELL = int(Side.BUY), int(Side.SELL)


def D(raw):
    return Decimal(raw) / E8


def R(dec):
    return int((dec * E8).to_integral_value(ROUND_HALF_EVEN))


class PositionPy:
    """Reference model: the rounding rules of ext/positions.pyx, in Decimal."""

    def __init__(self):
        self.size = Decimal(0)
        self.entry = Decimal(0)
        self.realized = Decimal(0)
        self.fees = Decimal(0)
        self.fee_other = Decimal(0)
        self.mark = Decimal(0)

    @staticmethod
    def q(x):
        return x.quantize(Q, rounding=ROUND_HALF_EVEN)

    def fill(self, side, qty, price, fee=Decimal(0), fee_kind=0):
        with localcontext() as ctx:
            ctx.prec = 80
            signed = qty if side == BUY else -qty
            new_size = self.size + signed
            if self.size == 0 or (self.size > 0) == (signed > 0):
                new_entry = self.q((abs(self.size) * self.entry + qty * price) / (abs(self.size) + qty))
            else:
                closing = min(abs(self.size), qty)
                diff = price - self.entry if self.size > 0 else self.entry - price
                self.realized += self.q(closing * diff)
                if new_size == 0:
                    new_entry = Decimal(0)
                elif (new_size > 0) != (self.size > 0):
                    new_entry = price
                else:
                    new_entry = self.entry
            if fee:
                if fee_kind == 0:
                    self.fees += fee
                elif fee_kind == 1:
                    before = new_size
                    new_size -= fee
                    self.fees += self.q(fee * price)
                    if new_size == 0:
                        new_entry = Decimal(0)
                    elif before == 0 or (new_size > 0) != (before > 0):
                        new_entry = price
                else:
                    self.fee_other += fee
            self.size, self.entry = new_size, new_entry

    def unrealized(self):
        if self.mark == 0 or self.size == 0:
            return Decimal(0)
        return self.q(self.size * (self.mark - self.entry))


def assert_same(book, inst, ref):
    p = book.get(inst)
    assert p["size_raw"] == R(ref.size)
    assert p["entry_raw"] == R(ref.entry)
    assert p["realized_raw"] == R(ref.realized)
    assert p["fees_raw"] == R(ref.fees)
    assert p["fee_other_raw"] == R(ref.fee_other)
    assert p["unrealized_raw"] == R(ref.unrealized())


fills = st.lists(
    st.tuples(
        st.sampled_from([BUY, SELL]),
        st.integers(1, 5_000 * E8),          # qty raw
        st.integers(1, 120_000 * E8),        # price raw
        st.integers(0, 10 * E8),             # fee raw
        st.sampled_from([0, 0, 1, 2]),       # fee kind
        st.booleans(),                       # move the mark first
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=2000)
@given(fills)
def test_fill_sequences_agree_with_decimal_reference(seq):
    book = PositionBook(4)
    ref = PositionPy()
    for side, qty, price, fee, kind, mark in seq:
        if mark:
            book.set_mark(2, price)
            ref.mark = D(price)
        rc = book.update_from_fill(2, side, qty, price, fee, kind, 5)
        assert rc == PositionResult.POS_OK
        ref.fill(side, D(qty), D(price), D(fee), kind)
        assert_same(book, 2, ref)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from([BUY, SELL]), st.integers(1, 1000), st.integers(1, 10)), max_size=80))
def test_small_integer_fills_hit_exact_closes_and_flips(seq):
    """Small quantities make exact closes and flips frequent."""
    book = PositionBook(1)
    ref = PositionPy()
    for side, qty, price in seq:
        book.update_from_fill(0, side, qty * E8, price * E8)
        ref.fill(side, Decimal(qty), Decimal(price))
        assert_same(book, 0, ref)


def test_open_increase_reduce_close_flip():
    b = PositionBook(2)
    b.update_from_fill(0, BUY, 2 * E8, 100 * E8)
    b.update_from_fill(0, BUY, 2 * E8, 110 * E8)
    assert (b.get(0)["size_raw"], b.get(0)["entry_raw"]) == (4 * E8, 105 * E8)
    b.update_from_fill(0, SELL, 1 * E8, 120 * E8)            # reduce: +15
    assert b.get(0)["realized_raw"] == 15 * E8 and b.get(0)["entry_raw"] == 105 * E8
    b.update_from_fill(0, SELL, 5 * E8, 100 * E8)            # close 3 (-15) and flip to short 2 @ 100
    p = b.get(0)
    assert (p["size_raw"], p["entry_raw"], p["realized_raw"]) == (-2 * E8, 100 * E8, 0)
    b.set_mark(0, 90 * E8)
    assert b.get(0)["unrealized_raw"] == 20 * E8
    b.update_from_fill(0, BUY, 2 * E8, 95 * E8)              # close the short: +10
    p = b.get(0)
    assert (p["size_raw"], p["entry_raw"], p["realized_raw"], p["unrealized_raw"]) == (0, 0, 10 * E8, 0)


def test_fees_quote_base_and_third_asset():
    b = PositionBook(1)
    b.update_from_fill(0, BUY, E8, 100 * E8, fee_raw=100_000, fee_kind=FeeKind.FEE_BASE)   # 0.001 base
    p = b.get(0)
    assert p["size_raw"] == E8 - 100_000 and p["fees_raw"] == 10_000_000                   # 0.1 quote
    b.update_from_fill(0, SELL, E8 - 100_000, 100 * E8, fee_raw=5_000_000, fee_kind=FeeKind.FEE_QUOTE)
    assert b.get(0)["fees_raw"] == 15_000_000 and b.get(0)["size_raw"] == 0
    b.update_from_fill(0, BUY, E8, 100 * E8, fee_raw=7, fee_kind=FeeKind.FEE_OTHER, fee_asset=3)
    b.update_from_fill(0, BUY, E8, 100 * E8, fee_raw=8, fee_kind=FeeKind.FEE_OTHER, fee_asset=3)
    assert (b.get(0)["fee_other_raw"], b.get(0)["fee_other_asset"]) == (15, 3)
    rc = b.update_from_fill(0, BUY, E8, 100 * E8, fee_raw=9, fee_kind=FeeKind.FEE_OTHER, fee_asset=4)
    assert rc == PositionResult.POS_FEE_ASSET_DROPPED and b.n_fee_assets_dropped == 1
    assert b.get(0)["size_raw"] == 3 * E8


def test_errors_unknown_instrument_bad_values_overflow_change_nothing():
    b = PositionBook(2)
    with pytest.raises(PositionError, match="unknown instrument"):
        b.update_from_fill(2, BUY, E8, E8)
    with pytest.raises(PositionError, match="unknown instrument"):
        b.update_from_fill(-1, BUY, E8, E8)
    assert b.n_unknown == 2
    with pytest.raises(PositionError, match="bad value"):
        b.update_from_fill(0, 3, E8, E8)
    with pytest.raises(PositionError, match="bad value"):
        b.update_from_fill(0, BUY, 0, E8)
    b.update_from_fill(0, BUY, 90_000_000_000 * E8, E8)
    before = b.get(0)
    with pytest.raises(OverflowError):
        b.update_from_fill(0, BUY, 10_000_000_000 * E8, E8)   # size would pass int64
    b.update_from_fill(1, BUY, 1_000_000 * E8, 1_000_000 * E8)
    with pytest.raises(OverflowError):
        b.set_mark(1, 90_000_000_000 * E8)                      # 1e6 * 9e10 does not fit
    assert b.get(0) == before and b.n_overflows >= 1


# Tiers as Binance's leverageBracket returns them (BTCUSDT-like, first three tiers).
BRACKETS = [
    {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0.0},
    {"bracket": 2, "initialLeverage": 100, "notionalCap": 600000, "notionalFloor": 50000, "maintMarginRatio": 0.005, "cum": 50.0},
    {"bracket": 3, "initialLeverage": 75, "notionalCap": 3000000, "notionalFloor": 600000, "maintMarginRatio": 0.0065, "cum": 950.0},
]


def margin_gap(book, inst, lp_raw, wallet, other_mm=0, other_upnl=0):
    """Margin balance minus maintenance margin at price lp (0 at the liquidation price)."""
    p = book.get(inst)
    size, ep, lp = D(p["size_raw"]), D(p["entry_raw"]), D(lp_raw)
    notional = abs(size) * lp
    tier = next((t for t in BRACKETS if notional < t["notionalCap"]), BRACKETS[-1])
    mm = notional * Decimal(str(tier["maintMarginRatio"])) - Decimal(str(tier["cum"]))
    balance = D(wallet) - D(other_mm) + D(other_upnl) + size * (lp - ep)
    return balance - mm


@pytest.mark.parametrize("side,qty,entry,wallet", [
    (BUY, 1, 60_000, 6_000),        # 10x long, tier 2
    (SELL, 1, 60_000, 6_000),       # 10x short
    (BUY, 20, 60_000, 100_000),     # notional 1.2M: tier 3
    (BUY, Decimal("0.5"), 60_000, 1_000),
])
def test_liquidation_price_matches_binance_formula(side, qty, entry, wallet):
    b = PositionBook(1)
    b.set_brackets(0, BRACKETS)
    b.set_margin_mode(0, True, R(Decimal(wallet)))
    b.update_from_fill(0, side, R(Decimal(qty)), entry * E8)
    lp = b.liquidation_price(0)
    assert lp > 0
    # at the estimate, margin balance equals maintenance margin (to rounding of one tick)
    assert abs(margin_gap(b, 0, lp, R(Decimal(wallet)))) < Decimal("0.0001") * abs(Decimal(qty)) * 10
    if side == BUY:
        assert lp < entry * E8
    else:
        assert lp > entry * E8


def test_liquidation_price_worked_example():
    """Isolated long 1 BTC at 60,000 with 6,000 wallet, tier 2 (MMR 0.5%, cum 50):
    LP = (6000 + 50 - 60000) / (0.005 - 1) = 54221.10552763... -> 54221.10552764 (half-even)."""
    b = PositionBook(1)
    b.set_brackets(0, BRACKETS)
    b.set_margin_mode(0, True, 6_000 * E8)
    b.update_from_fill(0, BUY, E8, 60_000 * E8)
    assert b.liquidation_price(0) == 5_422_110_552_764
    # cross: the same numbers through the wallet argument, and other positions' margin lowers it less
    b.set_margin_mode(0, False)
    assert b.liquidation_price(0, wallet_raw=6_000 * E8) == 5_422_110_552_764
    assert b.liquidation_price(0, wallet_raw=6_000 * E8, other_maint_raw=1_000 * E8) > 5_422_110_552_764
    # over-collateralised long: never liquidated
    b.set_margin_mode(0, True, 70_000 * E8)
    assert b.liquidation_price(0) == 0


def test_maint_margin_uses_tier():
    b = PositionBook(1)
    b.set_brackets(0, BRACKETS)
    b.update_from_fill(0, BUY, E8, 60_000 * E8)
    b.set_mark(0, 60_000 * E8)
    assert b.maint_margin(0) == 250 * E8        # 60000 * 0.005 - 50


def test_reconcile_replaces_and_reports_difference():
    b = PositionBook(1)
    b.update_from_fill(0, BUY, 2 * E8, 100 * E8)
    b.set_mark(0, 110 * E8)
    diff = b.reconcile(0, 3 * E8, 104 * E8)
    assert diff == {"size_raw": E8, "entry_raw": 4 * E8}
    p = b.get(0)
    assert (p["size_raw"], p["entry_raw"], p["unrealized_raw"]) == (3 * E8, 104 * E8, 18 * E8)
    assert b.reconcile(0, 3 * E8, 104 * E8) == {"size_raw": 0, "entry_raw": 0}
    assert b.reconcile(0, 0, 123) == {"size_raw": -3 * E8, "entry_raw": -104 * E8}


def test_update_from_fill_allocates_nothing():
    b = PositionBook(8)
    b.set_mark(3, 101 * E8)
    upd = b.update_from_fill
    buy = (3, BUY, 1000, 100 * E8, 3, 0, -1)
    sell = (3, SELL, 1000, 102 * E8, 3, 0, -1)

    def round_trip():
        upd(*buy)
        upd(*sell)

    assert python_allocations_per_call_bytes(round_trip) == 0
    assert allocated_blocks_delta(round_trip) == allocated_blocks_delta(lambda: None)
