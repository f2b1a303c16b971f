"""Instrument registry: loading venue payloads, rule checks with clear messages, rounding."""

import json

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._enums import OrderType, Side
from engine._fixedpoint import Rounding, parse
from engine._instruments import (
    ContractType,
    InstrumentRuleError,
    Instruments,
    RuleViolation,
    UnknownInstrumentError,
)
from engine.venues.binance.instruments import load_binance_spot, load_binance_usdm
from engine.venues.bybit.instruments import load_bybit
from tests.support import DATA

E8 = 100_000_000
BUY, SELL = int(Side.BUY), int(Side.SELL)
LIMIT, MARKET = int(OrderType.LIMIT), int(OrderType.MARKET)


def payload(name):
    return json.loads((DATA / f"instruments_{name}.json").read_text())


@pytest.fixture
def spot():
    reg = Instruments(64)
    load_binance_spot(reg, payload("binance_spot_exchange_info"))
    return reg


@pytest.fixture
def usdm():
    reg = Instruments(64)
    load_binance_usdm(reg, payload("binance_usdm_exchange_info"))
    return reg


def test_binance_spot_rules_loaded(spot):
    btc = spot.id("BTCUSDT")
    r = spot.rules(btc)
    assert r["tick_raw"] == parse("0.01") and r["min_price_raw"] == parse("0.01")
    assert r["step_raw"] == parse("0.00001") and r["min_qty_raw"] == parse("0.00001")
    assert r["max_qty_raw"] == 9000 * E8
    assert r["mkt_max_qty_raw"] == parse("123.456789") and r["mkt_step_raw"] == 0
    assert r["min_notional_raw"] == 5 * E8 and r["max_notional_raw"] == 9_000_000 * E8
    assert r["bid_up_raw"] == 5 * E8 and r["ask_down_raw"] == parse("0.2")
    assert r["max_orders"] == 200
    assert (r["base"], r["quote"], r["contract_type"]) == ("BTC", "USDT", ContractType.SPOT)
    assert r["trading"] == 1
    assert spot.rules(spot.id("LUNAUSDT"))["trading"] == 0           # status BREAK
    assert spot.rules(spot.id("LUNAUSDT"))["min_notional_raw"] == 5 * E8  # legacy MIN_NOTIONAL
    assert spot.asset_ids["BTC"] == spot.rules(spot.id("ETHBTC"))["quote_asset"]


def test_binance_usdm_rules_loaded(usdm):
    shib = usdm.id("1000SHIBUSDT")
    r = usdm.rules(shib)
    assert r["contract_type"] == ContractType.LINEAR_PERPETUAL
    assert r["step_raw"] == E8 and r["tick_raw"] == parse("0.000001")
    assert r["min_notional_raw"] == 5 * E8 and r["mkt_max_qty_raw"] == 20_000_000 * E8
    assert r["bid_up_raw"] == parse("1.1") and r["max_orders"] == 200
    assert usdm.rules(usdm.id("BTCUSDT_260925"))["contract_type"] == ContractType.LINEAR_FUTURE


def test_bybit_linear_and_spot_loaded():
    reg = Instruments(16)
    load_bybit(reg, payload("bybit_instruments_linear"))
    pepe = reg.id("1000PEPEUSDT")
    r = reg.rules(pepe)
    assert r["step_raw"] == 100 * E8 and r["min_qty_raw"] == 100 * E8 and r["qty_origin_raw"] == 0
    assert r["max_qty_raw"] == 50_000_000 * E8 and r["mkt_max_qty_raw"] == 10_000_000 * E8
    assert r["contract_type"] == ContractType.LINEAR_PERPETUAL
    assert reg.rules(reg.id("OLDUSDT"))["trading"] == 0
    spot = Instruments(16)
    load_bybit(spot, payload("bybit_instruments_spot"))
    r = spot.rules(spot.id("ETHUSDT"))
    assert r["step_raw"] == parse("0.00001") and r["min_notional_raw"] == E8
    assert r["max_qty_raw"] == parse("1229.2336343") and r["mkt_max_qty_raw"] == parse("614.61681715")
    with pytest.raises(ValueError, match="category"):
        load_bybit(spot, {"result": {"category": "option", "list": []}})


def test_messages_name_rule_and_values(spot, usdm):
    btc = usdm.id("BTCUSDT")
    with pytest.raises(InstrumentRuleError, match=r"quantity 0.0015 is not a multiple of step 0.001 for BTCUSDT") as e:
        usdm.validate(btc, BUY, LIMIT, parse("0.0015"), 60_000 * E8)
    assert e.value.code == RuleViolation.RULE_QTY_NOT_STEP
    with pytest.raises(InstrumentRuleError, match=r"price 60000.05 is not a multiple of tick 0.1 for BTCUSDT"):
        usdm.validate(btc, BUY, LIMIT, parse("0.002"), parse("60000.05"))
    with pytest.raises(InstrumentRuleError, match=r"notional 60 \(quantity 0.001 x price 60000\) is below the minimum 100"):
        usdm.validate(btc, BUY, LIMIT, parse("0.001"), 60_000 * E8)
    usdm.validate(btc, BUY, LIMIT, parse("0.001"), 60_000 * E8, reduce_only=True)  # reduce-only exempt (-4164)
    with pytest.raises(InstrumentRuleError, match=r"quantity 121 is above the maximum 120 for BTCUSDT"):
        usdm.validate(btc, BUY, MARKET, 121 * E8, ref_price_raw=60_000 * E8)
    with pytest.raises(InstrumentRuleError, match="below the minimum 261.1"):
        usdm.validate(btc, BUY, LIMIT, E8, 200 * E8)
    with pytest.raises(InstrumentRuleError, match=r"outside the percent-price band 0.95..1.05 x reference 60000"):
        usdm.validate(btc, SELL, LIMIT, parse("0.01"), 64_000 * E8, ref_price_raw=60_000 * E8)
    luna = spot.id("LUNAUSDT")
    with pytest.raises(InstrumentRuleError, match="LUNAUSDT is not trading"):
        spot.validate(luna, BUY, LIMIT, E8, E8)
    with pytest.raises(UnknownInstrumentError, match="unknown instrument 'NOPE'"):
        spot.id("NOPE")
    with pytest.raises(UnknownInstrumentError):
        spot.validate(99, BUY, LIMIT, E8, E8)
    assert spot.check_order(99, BUY, LIMIT, E8, E8) == RuleViolation.RULE_UNKNOWN_INSTRUMENT


def test_valid_orders_pass(spot, usdm):
    spot.validate(spot.id("BTCUSDT"), BUY, LIMIT, parse("0.00012"), parse("65000.01"), ref_price_raw=65_000 * E8)
    spot.validate(spot.id("BTCUSDT"), SELL, MARKET, parse("0.12345"), ref_price_raw=65_000 * E8)
    usdm.validate(usdm.id("1000SHIBUSDT"), BUY, LIMIT, 1000 * E8, parse("0.024531"))


def test_spot_market_lot_and_percent_price_by_side(spot):
    btc = spot.id("BTCUSDT")
    # MARKET_LOT_SIZE stepSize/minQty "0": market orders keep LOT_SIZE's step; its maxQty applies
    assert spot.check_order(btc, BUY, MARKET, parse("0.12345"), 0, 65_000 * E8) == 0
    assert spot.check_order(btc, BUY, MARKET, parse("0.12345678"), 0, 65_000 * E8) == RuleViolation.RULE_QTY_NOT_STEP
    assert spot.check_order(btc, BUY, MARKET, 124 * E8, 0, 65_000 * E8) == RuleViolation.RULE_QTY_ABOVE_MAX
    # bid multipliers 0.2..5 around the average price
    assert spot.check_order(btc, BUY, LIMIT, parse("0.001"), 12_000 * E8, 65_000 * E8) == \
        RuleViolation.RULE_PRICE_OUTSIDE_BAND
    assert spot.check_order(btc, BUY, LIMIT, parse("0.001"), 14_000 * E8, 65_000 * E8) == 0
    # notional above max (limit only: applyMaxToMarket false)
    assert spot.check_order(btc, BUY, LIMIT, 200 * E8, 50_000 * E8) == RuleViolation.RULE_NOTIONAL_ABOVE_MAX


def test_join_orders_rest_without_a_price_of_ours_and_are_valued_at_the_reference(spot):
    btc = spot.id("BTCUSDT")
    for join in (int(OrderType.JOIN_BID), int(OrderType.JOIN_ASK)):
        assert spot.check_order(btc, BUY, LIMIT, parse("0.12345"), 0, 65_000 * E8) == RuleViolation.RULE_BAD_VALUE
        assert spot.check_order(btc, BUY, join, parse("0.12345"), 0, 65_000 * E8) == 0
        # a resting order: LOT_SIZE's maximum (9000), not MARKET_LOT_SIZE's (123)
        assert spot.check_order(btc, SELL, join, 124 * E8, 0, 65_000 * E8) == 0
        assert spot.check_order(btc, BUY, MARKET, 124 * E8, 0, 65_000 * E8) == RuleViolation.RULE_QTY_ABOVE_MAX
        assert spot.check_order(btc, BUY, join, parse("0.12345678"), 0, 65_000 * E8) == RuleViolation.RULE_QTY_NOT_STEP
        # minimum notional at the reference price, as a market order's; no band (no price to compare)
        assert spot.check_order(btc, BUY, join, parse("0.00001"), 0, 65_000 * E8) == \
            RuleViolation.RULE_NOTIONAL_BELOW_MIN
        assert "x price 65000" in str(pytest.raises(InstrumentRuleError, spot.validate, btc, BUY, join,
                                                    parse("0.00001"), ref_price_raw=65_000 * E8).value)


def test_bybit_grid_from_zero():
    reg = Instruments(4)
    load_bybit(reg, payload("bybit_instruments_linear"))
    pepe = reg.id("1000PEPEUSDT")
    assert reg.check_order(pepe, BUY, LIMIT, 1_000 * E8, parse("0.0123456")) == 0
    assert reg.check_order(pepe, BUY, LIMIT, 1_050 * E8, parse("0.0123456")) == RuleViolation.RULE_QTY_NOT_STEP


def test_rounding_helpers(usdm, spot):
    btc = usdm.id("BTCUSDT")
    # the tick grid starts at minPrice 261.10 with tick 0.10
    assert usdm.round_price(btc, parse("60000.07"), Rounding.FLOOR) == parse("60000.0")
    assert usdm.round_price(btc, parse("60000.07"), Rounding.CEILING) == parse("60000.1")
    # 60000.05 is 597389.5 ticks above 261.10: half-even goes to 597390 ticks
    assert usdm.round_price(btc, parse("60000.05"), Rounding.HALF_EVEN) == parse("60000.1")
    assert usdm.round_qty(btc, parse("0.0019"), Rounding.DOWN) == parse("0.001")
    assert usdm.round_qty(btc, parse("0.0011"), Rounding.UP) == parse("0.002")
    sb = spot.id("BTCUSDT")
    assert spot.round_qty(sb, parse("0.12345678"), Rounding.DOWN, market=True) == parse("0.12345")
    assert spot.round_qty(sb, parse("0.12345678"), Rounding.DOWN) == parse("0.12345")
    r = usdm.round_qty(btc, parse("0.0015"), Rounding.DOWN)
    usdm.validate(btc, BUY, LIMIT, r * 100, 60_000 * E8)


def test_symbol_lookup_from_bytes_and_reload_keeps_ids(spot):
    assert spot.find(b"ETHBTC") == spot.id("ETHBTC")
    assert spot.find(b"ETHBTX") == -1
    assert spot.find(b"") == -1
    before = {s: spot.id(s) for s in ("BTCUSDT", "ETHBTC", "LUNAUSDT")}
    load_binance_spot(spot, payload("binance_spot_exchange_info"))
    assert {s: spot.id(s) for s in before} == before and len(spot) == 3
    assert [spot.symbol(i) for i in range(len(spot))] == spot.symbols and spot.symbol(spot.id("ETHBTC")) == "ETHBTC"
    for bad in (-1, len(spot)):
        with pytest.raises(UnknownInstrumentError):
            spot.symbol(bad)


def test_registry_capacity_is_a_clear_error():
    reg = Instruments(2)
    with pytest.raises(OverflowError, match="registry full"):
        load_binance_spot(reg, payload("binance_spot_exchange_info"))


def test_check_order_allocates_nothing(usdm):
    btc = usdm.id("BTCUSDT")
    check = usdm.check_order
    args = (btc, BUY, LIMIT, parse("0.002"), 60_000 * E8, 60_000 * E8, False)

    def call():
        check(*args)

    assert check(*args) == 0
    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == allocated_blocks_delta(lambda: None)
