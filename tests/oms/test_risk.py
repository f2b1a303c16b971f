"""Pre-trade risk: every rule on both sides, reduce-only, market orders, overrides and the order of checks."""

from decimal import Decimal

import pytest

from engine._account import AccountCheck
from engine._enums import OrderType, Side
from engine._fixedpoint import parse
from engine._instruments import ContractType, RuleViolation
from engine.errors import EngineError
from engine.oms import RiskEngine, RiskLimits, RiskRejected
from tests.support.accounts import TwoInstrumentAccount

E8 = 100_000_000
BUY, SELL = int(Side.BUY), int(Side.SELL)
LIMIT, MARKET = int(OrderType.LIMIT), int(OrderType.MARKET)
STOP_MARKET, STOP_LIMIT = int(OrderType.STOP_LOSS), int(OrderType.STOP_LOSS_LIMIT)
LAST = 60_000 * E8


class World(TwoInstrumentAccount):
    """A spot BTCUSDT and a linear ETHUSDT perpetual on one account with plenty of money."""

    def __init__(self, limits=None, **kw):
        super().__init__()
        self.risk = RiskEngine(limits if limits is not None else RiskLimits(**kw), self.reg, self.acc, self.book)

    def check(self, side=BUY, qty="1", price="60000", *, inst=None, order_type=LIMIT, reduce_only=False,
              open_symbol=0, open_total=0, last=LAST):
        return self.risk.check(self.btc if inst is None else inst, side, order_type, parse(qty),
                               parse(price) if price else 0, reduce_only, open_symbol, open_total, last)

    def rejected(self, *args, **kw) -> RiskRejected:
        with pytest.raises(RiskRejected) as info:
            self.check(*args, **kw)
        return info.value


def test_good_orders_pass_on_both_sides():
    w = World(max_order_qty="10", max_notional="1000000", max_position="20", max_open_orders=10,
              max_open_orders_per_symbol=5, price_band="0.05")
    for side in (BUY, SELL):
        assert w.check(side) is None
        assert w.check(side, order_type=MARKET, price=None) is None
        assert w.check(side, inst=w.eth, qty="2", price="3000", last=3000 * E8) is None


def test_rejection_is_an_engine_error_with_rule_and_values():
    w = World(max_notional="500000")
    e = w.rejected(BUY, qty="10", price="60000")
    assert isinstance(e, EngineError)
    assert str(e) == "notional 600000 exceeds max_notional 500000 for BTCUSDT (quantity 10 x price 60000)"
    assert (e.rule, e.symbol, e.symbol_id) == ("max_notional", "BTCUSDT", w.btc)
    assert (e.value_raw, e.limit_raw, e.code) == (600_000 * E8, 500_000 * E8, None)


# ---- 1. instrument filters ------------------------------------------------------------------

@pytest.mark.parametrize("side", [BUY, SELL])
def test_instrument_filter_names_rule_and_values(side):
    w = World()
    e = w.rejected(side, price="60000.005")
    assert e.rule == "filter_price_not_tick" and e.code == RuleViolation.RULE_PRICE_NOT_TICK
    assert "price 60000.005 is not a multiple of tick 0.01 for BTCUSDT" in str(e)
    e = w.rejected(side, qty="0.000001")
    assert e.rule == "filter_qty_below_min" and "0.000001" in str(e) and "0.00001" in str(e)
    e = w.rejected(side, qty="0.0001", price="100")           # notional 0.01 < 5
    assert e.rule == "filter_notional_below_min" and "minimum 5" in str(e)


def test_unknown_instrument_and_bad_values():
    w = World()
    e = w.rejected(inst=9)
    assert (e.rule, e.symbol, e.symbol_id, e.code) == ("filter_unknown_instrument", None, 9,
                                                      RuleViolation.RULE_UNKNOWN_INSTRUMENT)
    assert w.rejected(side=3).rule == "filter_bad_value"
    assert w.rejected(qty="0").rule == "filter_bad_value"


def test_not_trading_instrument():
    w = World()
    w.reg.add("LUNAUSDT", "LUNA", "USDT", ContractType.SPOT, trading=False)
    e = w.rejected(inst=w.reg.id("LUNAUSDT"))
    assert e.rule == "filter_not_trading" and str(e) == "LUNAUSDT is not trading"


# ---- 2. max order quantity and notional -------------------------------------------------------

@pytest.mark.parametrize("side", [BUY, SELL])
def test_max_order_qty(side):
    w = World(max_order_qty="2.5")
    assert w.check(side, qty="2.5") is None                  # at the limit: allowed
    e = w.rejected(side, qty="2.50001")
    assert e.rule == "max_order_qty"
    assert str(e) == "quantity 2.50001 exceeds max_order_qty 2.5 for BTCUSDT"
    assert (e.value_raw, e.limit_raw) == (parse("2.50001"), parse("2.5"))


def test_max_order_qty_per_symbol_override():
    w = World(max_order_qty="1", max_order_qty_by_symbol={"ETHUSDT": "50", "BTCUSDT": None})
    assert w.check(qty="100", price="60000") is None           # override None: no limit for BTCUSDT
    assert w.check(inst=w.eth, qty="50", price="3000", last=3000 * E8) is None
    e = w.rejected(inst=w.eth, qty="51", price="3000", last=3000 * E8)
    assert e.rule == "max_order_qty" and "max_order_qty 50 for ETHUSDT" in str(e)


@pytest.mark.parametrize("side", [BUY, SELL])
def test_max_notional_limit_order(side):
    w = World(max_notional="500000")
    assert w.check(side, qty="5", price="100000") is None       # exactly 500000
    e = w.rejected(side, qty="5", price="100000.01")
    assert e.rule == "max_notional"
    assert str(e) == ("notional 500000.05 exceeds max_notional 500000 for BTCUSDT "
                      "(quantity 5 x price 100000.01)")


def test_max_notional_is_exact_below_a_raw_unit():
    # 0.00001 x 0.01 = 0.0000001 exactly; a limit of 0.0000001 is met, one raw unit less is not
    w = World(max_notional="0.0000001", check_balance=False)
    w.reg.add("TINYUSDT", "TINY", "USDT", ContractType.SPOT)
    tiny = w.reg.id("TINYUSDT")
    assert w.check(inst=tiny, qty="0.00001", price="0.01", last=0) is None
    w.risk.set_limits(RiskLimits(max_notional="0.00000009", check_balance=False))
    e = w.rejected(inst=tiny, qty="0.00001", price="0.01", last=0)
    assert str(e).startswith("notional 0.0000001 exceeds max_notional 0.00000009 for TINYUSDT")


@pytest.mark.parametrize("side", [BUY, SELL])
@pytest.mark.parametrize("order_type", [MARKET, STOP_MARKET])
def test_market_orders_are_valued_at_the_last_price(side, order_type):
    w = World(max_notional="500000")
    assert w.check(side, qty="8", price=None, order_type=order_type, last=62_500 * E8) is None
    e = w.rejected(side, qty="9", price=None, order_type=order_type, last=62_500 * E8)
    assert e.rule == "max_notional"
    assert str(e) == ("notional 562500 exceeds max_notional 500000 for BTCUSDT "
                      "(quantity 9 x last price 62500)")


def test_stop_limit_is_valued_at_its_limit_price():
    w = World(max_notional="500000")
    assert w.check(qty="8", price="60000", order_type=STOP_LIMIT, last=70_000 * E8) is None
    assert w.rejected(qty="9", price="60000", order_type=STOP_LIMIT, last=10_000 * E8).rule == "max_notional"


def test_market_order_without_a_last_price_cannot_be_valued():
    w = World(max_notional="500000")
    e = w.rejected(qty="1", price=None, order_type=MARKET, last=0)
    assert e.rule == "no_price" and "no last price" in str(e) and "max_notional 500000" in str(e)


# ---- 3. max position --------------------------------------------------------------------------

def test_max_position_long_and_short():
    w = World(max_position="2", check_balance=False)
    assert w.check(BUY, qty="2") is None
    e = w.rejected(BUY, qty="2.1")
    assert e.rule == "max_position" and e.value_raw == parse("2.1") and e.limit_raw == 2 * E8
    assert str(e) == "projected position 2.1 exceeds max_position 2 for BTCUSDT (position 0, buy 2.1)"
    e = w.rejected(SELL, qty="3")
    assert str(e) == "projected position -3 exceeds max_position 2 for BTCUSDT (position 0, sell 3)"
    assert e.value_raw == -3 * E8


def test_max_position_counts_the_current_position():
    w = World(max_position="2", check_balance=False)
    w.book.update_from_fill(w.btc, BUY, parse("1.5"), LAST)
    assert w.check(BUY, qty="0.5") is None
    assert "position 1.5, buy 0.6" in str(w.rejected(BUY, qty="0.6"))
    assert w.check(SELL, qty="3.5") is None                    # flip to -2: allowed
    e = w.rejected(SELL, qty="3.6")                            # flip to -2.1
    assert e.rule == "max_position" and e.value_raw == parse("-2.1")


def test_max_position_reduce_only_and_reducing_orders_are_exempt():
    w = World(max_position="2", check_balance=False)
    w.book.update_from_fill(w.eth, SELL, 5 * E8, 3000 * E8)   # short 5: over the limit already
    kw = dict(inst=w.eth, price="3000", last=3000 * E8)
    assert w.check(BUY, qty="1", **kw) is None                 # -4: smaller, allowed although over 2
    assert w.check(BUY, qty="7", reduce_only=True, **kw) is None  # reduce-only never checked here
    assert w.rejected(SELL, qty="0.01", **kw).rule == "max_position"    # grows the short
    assert w.rejected(BUY, qty="7.1", **kw).rule == "max_position"      # flips to +2.1 long: over the limit
    assert w.check(BUY, qty="5", **kw) is None                 # flat
    assert w.check(BUY, qty="3", **kw) is None                 # -2: at the limit


def test_max_position_long_over_the_limit_may_only_shrink():
    w = World(max_position="2", check_balance=False)
    w.book.update_from_fill(w.btc, BUY, 3 * E8, LAST)         # long 3: over the limit (e.g. limit lowered)
    assert w.check(SELL, qty="0.5") is None                    # 2.5: smaller, allowed
    assert w.rejected(BUY, qty="0.001").rule == "max_position"
    assert w.rejected(SELL, qty="5.1").rule == "max_position"  # flips to -2.1
    assert w.check(SELL, qty="5") is None                      # -2: at the limit


def test_max_position_per_symbol_override():
    w = World(max_position="1", max_position_by_symbol={"ETHUSDT": "100"}, check_balance=False)
    assert w.check(inst=w.eth, qty="100", price="3000", last=3000 * E8) is None
    assert w.rejected(qty="1.1").rule == "max_position"


# ---- 4. max open orders ----------------------------------------------------------------------

def test_max_open_orders_total_and_per_symbol():
    w = World(max_open_orders=10, max_open_orders_per_symbol=3)
    assert w.check(open_symbol=2, open_total=9) is None
    e = w.rejected(open_symbol=0, open_total=10)
    assert (e.rule, e.value_raw, e.limit_raw) == ("max_open_orders", 10, 10)
    assert str(e) == "open orders 10 already at max_open_orders 10"
    e = w.rejected(SELL, open_symbol=3, open_total=3)
    assert e.rule == "max_open_orders_symbol"
    assert str(e) == "open orders 3 for BTCUSDT already at max_open_orders_per_symbol 3"


def test_max_open_orders_per_symbol_uses_the_venue_cap_when_smaller():
    w = World(max_open_orders_by_symbol={"BTCUSDT": 500})
    assert w.check(open_symbol=199) is None
    e = w.rejected(open_symbol=200)                            # BTCUSDT allows 200 on the venue
    assert e.rule == "max_open_orders_symbol" and e.limit_raw == 200 and "the venue limit 200" in str(e)
    w2 = World(max_open_orders_per_symbol=5)
    assert w2.rejected(open_symbol=5).limit_raw == 5           # ours is smaller
    w3 = World()
    assert w3.rejected(open_symbol=200).rule == "max_open_orders_symbol"   # the venue's alone
    assert w3.check(inst=w3.eth, price="3000", last=3000 * E8, open_symbol=10_000) is None  # no cap known


# ---- 5. price band --------------------------------------------------------------------------------

def test_price_band_both_sides():
    w = World(price_band="0.05")
    assert w.check(BUY, price="63000") is None                 # +5 % exactly
    assert w.check(SELL, price="57000") is None                # -5 % exactly
    e = w.rejected(BUY, price="63000.01")
    assert e.rule == "price_band" and (e.value_raw, e.limit_raw) == (parse("63000.01"), parse("0.05"))
    assert str(e) == "price 63000.01 is outside price_band 0.05 around last price 60000 (57000..63000) for BTCUSDT"
    assert w.rejected(SELL, price="56999.99").rule == "price_band"
    assert w.rejected(SELL, price="70000").rule == "price_band"   # a sell far above is a fat finger too


def test_price_band_skips_market_orders_and_unknown_last_price():
    w = World(price_band=0.05)                                  # a float fraction is accepted
    assert w.check(BUY, price=None, order_type=MARKET) is None
    assert w.check(BUY, price="90000", last=0) is None
    w2 = World(price_band="0.01", price_band_by_symbol={"BTCUSDT": "0.2"})
    assert w2.check(BUY, price="71000") is None
    assert w2.rejected(BUY, inst=w2.eth, price="3031", last=3000 * E8).rule == "price_band"


# ---- 6. balance and margin --------------------------------------------------------------------

def test_spot_balance_both_sides():
    w = World()
    w.acc.apply_balance(w.usdt, 1_000 * E8, 0)
    w.acc.apply_balance(w.reg.asset_ids["BTC"], parse("0.01"), 0)
    assert w.check(BUY, qty="0.01", price="60000") is None     # 600 USDT
    e = w.rejected(BUY, qty="0.02", price="60000")
    assert e.rule == "balance" and e.code == AccountCheck.ACC_INSUFFICIENT_BALANCE
    assert str(e) == "insufficient balance for BTCUSDT: buy 0.02 at 60000"
    assert w.check(SELL, qty="0.01") is None
    assert w.rejected(SELL, qty="0.011").rule == "balance"
    # market buy: valued at the last price
    assert w.rejected(BUY, qty="0.02", price=None, order_type=MARKET).rule == "balance"
    assert w.check(BUY, qty="0.01", price=None, order_type=MARKET) is None


def test_balance_check_can_be_switched_off():
    w = World(check_balance=False)
    w.acc.apply_balance(w.usdt, 0, 0)
    assert w.check(BUY, qty="1") is None


def test_spot_market_buy_without_any_price():
    w = World()
    e = w.rejected(BUY, qty="0.01", price=None, order_type=MARKET, last=0)
    assert e.rule == "no_price" and e.code == AccountCheck.ACC_NO_PRICE


def test_futures_margin_and_reduce_only():
    w = World()
    w.acc.apply_futures_balance(w.usdt, 1_000 * E8, 1_000 * E8)
    kw = dict(inst=w.eth, price="3000", last=3000 * E8)
    assert w.check(BUY, qty="3", **kw) is None                 # 9000 / 10x = 900
    e = w.rejected(SELL, qty="4", **kw)                        # 1200 margin
    assert e.rule == "margin" and str(e) == "insufficient margin for ETHUSDT: sell 4 at 3000"
    w.book.update_from_fill(w.eth, BUY, 2 * E8, 3000 * E8)
    assert w.check(SELL, qty="2", reduce_only=True, **kw) is None
    e = w.rejected(SELL, qty="2.5", reduce_only=True, **kw)
    assert e.rule == "reduce_only" and e.code == AccountCheck.ACC_REDUCE_ONLY_WOULD_INCREASE
    assert str(e) == "reduce-only order for ETHUSDT would increase the position (position 2, sell 2.5 at 3000)"
    assert w.rejected(BUY, qty="0.01", reduce_only=True, **kw).rule == "reduce_only"


def test_reduce_only_orders_already_open_on_a_side_count_against_the_position():
    w = World()
    kw = dict(inst=w.eth, price="3000", last=3000 * E8)
    w.book.update_from_fill(w.eth, BUY, 2 * E8, 3000 * E8)
    check = lambda qty, open_raw, side=SELL: w.risk.check(w.eth, side, LIMIT, parse(qty), 3000 * E8, True, 0, 0,
                                                          3000 * E8, reduce_open_raw=open_raw)
    assert check("1", E8) is None                                # 1 open + 1 = the position of 2
    with pytest.raises(RiskRejected) as info:
        check("1.5", E8)                                         # 1 open + 1.5 would close 2.5 of 2
    e = info.value
    assert e.rule == "reduce_only" and e.value_raw == parse("2.5") and e.limit_raw == 2 * E8
    assert str(e) == ("reduce-only order for ETHUSDT with the reduce-only orders already open on its side would "
                      "close more than the position (position 2, open reduce-only 1, sell 1.5)")
    with pytest.raises(RiskRejected, match="open reduce-only 2"):
        check("0.001", 2 * E8)
    assert w.check(SELL, qty="2", reduce_only=True, **kw) is None  # nothing open on the side: the order alone
    amend = lambda qty, filled: w.risk.check_amend(w.eth, SELL, LIMIT, parse(qty), 3000 * E8, E8, 3000 * E8,
                                                   parse(filled), True, 0, 0, 3000 * E8, reduce_open_raw=E8)
    with pytest.raises(RiskRejected, match="open reduce-only 1, sell 1.5"):
        amend("1.5", "0")                                          # amended to 1.5 beside 1 open: 2.5 of 2
    assert amend("1.5", "0.5") is None                             # its remainder is 1: 1 + 1
    assert w.check(SELL, qty="2", **kw) is None                    # not reduce-only: not counted


# ---- order of checks --------------------------------------------------------------------------

def test_checks_run_in_the_documented_order():
    w = World(max_order_qty="1", max_notional="50000", max_position="0.5", max_open_orders=2,
              max_open_orders_per_symbol=1, price_band="0.01")
    w.acc.apply_balance(w.usdt, 0, 0)
    bad = dict(qty="2", price="70000.001", open_symbol=1, open_total=2)
    steps = [
        ("filter_price_not_tick", dict(price="70000")),
        ("max_order_qty", dict(qty="0.9")),
        ("max_notional", dict(qty="0.6")),
        ("max_position", dict(qty="0.5")),
        ("max_open_orders", dict(open_total=1)),
        ("max_open_orders_symbol", dict(open_symbol=0)),
        ("price_band", dict(price="60000")),
        ("balance", None),
    ]
    for rule, fix in steps:
        assert w.rejected(BUY, **bad).rule == rule
        if fix:
            bad.update(fix)
    w.acc.apply_balance(w.usdt, 1_000_000 * E8, 0)
    assert w.check(BUY, **bad) is None


# ---- limits ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(max_order_qty="-1"),
    dict(max_notional=1.5),                                    # floats only for the fraction
    dict(max_position="0.000000001"),                          # more than 8 decimals
    dict(max_order_qty="abc"),
    dict(price_band="0"),
    dict(price_band=-0.1),
    dict(max_open_orders=-1),
    dict(max_open_orders_per_symbol=2.0),
    dict(max_open_orders=True),
    dict(max_notional_by_symbol={"BTCUSDT": "-5"}),
    dict(price_band_by_symbol=[("BTCUSDT", "0.1")]),
])
def test_invalid_limits_are_refused_when_made(kw):
    with pytest.raises(ValueError, match="risk limit"):
        RiskLimits(**kw)


def test_limits_accept_str_decimal_int_and_zero():
    lim = RiskLimits(max_order_qty=Decimal("1.5"), max_notional=1000, max_position="0", price_band=Decimal("0.1"))
    c = lim.compile()
    assert c["max_order_qty"][0] == parse("1.5") and c["max_notional"][0] == 1000 * E8
    assert c["max_position"][0] == 0 and c["price_band"][0] == parse("0.1")
    w = World(lim, check_balance=False)
    assert w.rejected(qty="0.001").rule == "max_position"      # a zero limit means no position at all
    assert w.rejected(SELL, qty="0.001").rule == "max_position"


def test_set_limits_at_run_time_and_invalid_ones_keep_the_old():
    w = World(max_order_qty="1")
    assert w.rejected(qty="2").rule == "max_order_qty"
    new = RiskLimits(max_order_qty="5")
    w.risk.set_limits(new)
    assert w.risk.limits is new and w.check(qty="2") is None
    new.max_order_qty = "-1"                                   # mutated into nonsense after validation
    with pytest.raises(ValueError):
        w.risk.set_limits(new)
    assert w.check(qty="2") is None and w.rejected(qty="6").rule == "max_order_qty"


def test_instruments_added_later_get_their_overrides():
    w = World(max_order_qty="1", max_order_qty_by_symbol={"SOLUSDT": "100"}, check_balance=False)
    w.check()                                                  # limits compiled for the first two ids
    sol = w.reg.add("SOLUSDT", "SOL", "USDT", ContractType.SPOT, tick="0.01", step="0.01")
    assert w.check(inst=sol, qty="100", price="150", last=150 * E8) is None
    assert w.rejected(inst=sol, qty="101", price="150", last=150 * E8).rule == "max_order_qty"


def test_refresh_after_instrument_rules_change():
    w = World()
    assert w.check(open_symbol=250, inst=w.eth, price="3000", last=3000 * E8) is None
    w.reg.add("ETHUSDT", "ETH", "USDT", ContractType.LINEAR_PERPETUAL, tick="0.01", step="0.001",
              min_qty="0.001", max_orders=200)
    w.risk.refresh()
    assert w.rejected(open_symbol=250, inst=w.eth, price="3000", last=3000 * E8).rule == "max_open_orders_symbol"


def test_no_limits_means_only_filters_and_balance():
    w = World()
    assert w.check(qty="9000", price="0.01", open_symbol=199, open_total=10**6, last=10**6 * E8) is None
