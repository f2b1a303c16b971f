"""Account: spot balances and reservations, futures margin, margin call, stream updates."""

import json

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._account import Account, AccountCheck, AccountError
from engine._enums import Side
from engine._fixedpoint import parse
from engine._instruments import Instruments
from engine._positions import PositionBook
from engine.venues.binance.instruments import load_binance_spot, load_binance_usdm
from tests.support import DATA

E8 = 100_000_000
BUY, SELL = int(Side.BUY), int(Side.SELL)
BRACKETS = [
    {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0.0},
    {"bracket": 2, "initialLeverage": 100, "notionalCap": 600000, "notionalFloor": 50000, "maintMarginRatio": 0.005, "cum": 50.0},
]


def make(loader, name, margin_asset=None):
    reg = Instruments(16)
    loader(reg, json.loads((DATA / f"instruments_{name}.json").read_text()))
    book = PositionBook(16)
    return reg, book, Account(reg, book, 64, margin_asset=margin_asset)


def test_spot_balance_and_reservations():
    reg, book, acc = make(load_binance_spot, "binance_spot_exchange_info")
    btc, usdt = reg.asset_ids["BTC"], reg.asset_ids["USDT"]
    inst = reg.id("BTCUSDT")
    acc.apply_balance(usdt, 1_000 * E8, 0)
    assert acc.can_place_order(inst, BUY, parse("0.01"), 60_000 * E8) == AccountCheck.ACC_OK       # 600
    assert acc.can_place_order(inst, BUY, parse("0.02"), 60_000 * E8) == AccountCheck.ACC_INSUFFICIENT_BALANCE
    acc.reserve(inst, BUY, parse("0.01"), 60_000 * E8)
    assert acc.balance(usdt) == (1_000 * E8, 0, 600 * E8)
    assert acc.can_place_order(inst, BUY, parse("0.01"), 60_000 * E8) == AccountCheck.ACC_INSUFFICIENT_BALANCE
    acc.release(inst, BUY, parse("0.01"), 60_000 * E8)
    assert acc.can_place_order(inst, BUY, parse("0.01"), 60_000 * E8) == AccountCheck.ACC_OK
    # selling needs the base asset
    assert acc.can_place_order(inst, SELL, parse("0.01"), 60_000 * E8) == AccountCheck.ACC_INSUFFICIENT_BALANCE
    acc.apply_balance_delta(btc, parse("0.5"))
    assert acc.can_place_order(inst, SELL, parse("0.5"), 60_000 * E8) == AccountCheck.ACC_OK
    # market buy without a price to value it
    assert acc.can_place_order(inst, BUY, parse("0.01"), 0) == AccountCheck.ACC_NO_PRICE
    assert acc.can_place_order(99, BUY, 1, 1) == AccountCheck.ACC_UNKNOWN_INSTRUMENT
    with pytest.raises(AccountError, match="UNKNOWN_ASSET"):
        acc.apply_balance(64, 1, 1)
    with pytest.raises(OverflowError):
        acc.apply_balance_delta(btc, 2**63 - 1)


def test_futures_margin_leverage_and_reduce_only():
    reg, book, acc = make(load_binance_usdm, "binance_usdm_exchange_info", margin_asset="USDT")
    inst = reg.id("BTCUSDT")
    usdt = reg.asset_ids["USDT"]
    book.set_leverage(inst, 10)
    book.set_brackets(inst, BRACKETS)
    acc.apply_futures_balance(usdt, 1_000 * E8, 1_000 * E8)
    # 0.1 BTC at 60,000 = 6,000 notional, 600 initial margin at 10x
    assert acc.can_place_order(inst, BUY, parse("0.1"), 60_000 * E8) == AccountCheck.ACC_OK
    assert acc.can_place_order(inst, BUY, parse("0.2"), 60_000 * E8) == AccountCheck.ACC_INSUFFICIENT_MARGIN
    acc.reserve(inst, BUY, parse("0.1"), 60_000 * E8)
    assert acc.order_margin_raw == 600 * E8
    assert acc.can_place_order(inst, BUY, parse("0.1"), 60_000 * E8) == AccountCheck.ACC_INSUFFICIENT_MARGIN
    acc.release(inst, BUY, parse("0.1"), 60_000 * E8)
    book.update_from_fill(inst, BUY, parse("0.1"), 60_000 * E8)
    book.set_mark(inst, 59_000 * E8)
    acc.refresh_margin()
    assert acc.unrealized_raw == -100 * E8
    assert acc.position_margin_raw == 590 * E8
    assert acc.maint_margin_raw == parse("23.6")               # 5,900 * 0.004
    assert acc.margin_balance_raw == 900 * E8
    assert acc.available_balance_raw == 310 * E8
    # closing needs no margin; reduce-only may not add
    assert acc.can_place_order(inst, SELL, parse("0.1"), 59_000 * E8) == AccountCheck.ACC_OK
    assert acc.can_place_order(inst, SELL, parse("0.1"), 59_000 * E8, reduce_only=True) == AccountCheck.ACC_OK
    assert acc.can_place_order(inst, BUY, parse("0.01"), 59_000 * E8, reduce_only=True) == \
        AccountCheck.ACC_REDUCE_ONLY_WOULD_INCREASE
    # flipping: only the part beyond the position needs margin (0.06 at 59,000 / 10 = 354 > 310)
    assert acc.can_place_order(inst, SELL, parse("0.15"), 59_000 * E8) == AccountCheck.ACC_OK
    assert acc.can_place_order(inst, SELL, parse("0.16"), 59_000 * E8) == AccountCheck.ACC_INSUFFICIENT_MARGIN
    # market order valued at the mark
    assert acc.can_place_order(inst, BUY, parse("0.05"), 0) == AccountCheck.ACC_OK


def test_margin_call_detection():
    reg, book, acc = make(load_binance_usdm, "binance_usdm_exchange_info", margin_asset="USDT")
    inst = reg.id("BTCUSDT")
    usdt = reg.asset_ids["USDT"]
    book.set_leverage(inst, 100)
    book.set_brackets(inst, BRACKETS)
    acc.apply_futures_balance(usdt, 100 * E8, 100 * E8)
    book.update_from_fill(inst, BUY, parse("0.1"), 60_000 * E8)
    book.set_mark(inst, 60_000 * E8)
    acc.refresh_margin()
    assert acc.margin_ratio_raw() == parse("0.24")              # 24 / 100
    book.set_mark(inst, 59_300 * E8)                            # -70 upnl: 23.72 / 30 = 0.79
    acc.refresh_margin()
    assert not acc.is_margin_call()
    assert not acc.is_margin_call()
    book.set_mark(inst, 59_250 * E8)                            # -75 upnl: 23.7 / 25 = 0.948
    acc.refresh_margin()
    assert acc.is_margin_call()
    book.set_mark(inst, 58_000 * E8)                            # balance below zero
    acc.refresh_margin()
    assert acc.is_margin_call()


def test_can_place_order_allocates_nothing():
    reg, book, acc = make(load_binance_usdm, "binance_usdm_exchange_info", margin_asset="USDT")
    inst = reg.id("BTCUSDT")
    acc.apply_futures_balance(reg.asset_ids["USDT"], 1_000 * E8, 0)
    book.set_leverage(inst, 10)
    check = acc.can_place_order
    args = (inst, BUY, parse("0.1"), 60_000 * E8, False)

    def call():
        check(*args)

    assert check(*args) == 0
    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == allocated_blocks_delta(lambda: None)
