"""engine._parse_balances on a Bybit linear (unified) account's wallet: each coin's available balance read in
C with the rounding of the json reader's ``coin_available`` (what is had FLOOR, what is held CEILING), and the
rows applied to the compiled account in one call that allocates nothing."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._parse_balances import BalanceFlag, BalanceParser, RowField
from engine._parse_common import ParseError
from engine.venues.bybit.decode import coin_available

from tests.support import DATA
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes

E8 = 100_000_000
FIELDS = ("walletBalance", "unrealisedPnl", "totalPositionIM", "totalOrderIM", "locked")


def wallet(*coins, account_type="UNIFIED") -> bytes:
    return json.dumps({"topic": "wallet", "creationTime": 1,
                       "data": [{"accountType": account_type, "coin": list(coins)}]}).encode()


def decimal_text(negative: bool):
    """Decimal strings as the venue writes them: up to 12 decimals (more than the engine's 8), a sign where
    the field may be negative."""
    return st.builds(lambda sign, whole, frac: f"{sign}{whole}{'.' + frac if frac else ''}",
                     st.sampled_from(["", "-"] if negative else [""]),
                     st.integers(0, 10**9),
                     st.text("0123456789", max_size=12))


def field(name):
    return st.one_of(decimal_text(name == "unrealisedPnl"), st.sampled_from(["", None, "0", "-0.000000001"]))


coins = st.fixed_dictionaries({}, optional={name: field(name) for name in FIELDS})


@given(st.lists(coins, min_size=1, max_size=5))
def test_available_is_what_coin_available_gives(rows):
    coins_ = [dict(c, coin=f"C{i}") for i, c in enumerate(rows)]
    p = BalanceParser()
    assert p.parse(wallet(*coins_)) == len(coins_)
    for i, c in enumerate(coins_):
        assert p.available_raw(i) == coin_available(c)
        assert p.present(i) & RowField.ROW_AVAILABLE


@given(st.decimals(min_value=-10**6, max_value=10**6, places=11, allow_nan=False, allow_infinity=False))
def test_json_numbers_read_as_their_text(upnl):
    text = format(upnl, "f")
    msg = (b'{"topic":"wallet","data":[{"accountType":"UNIFIED","coin":[{"coin":"USDT","walletBalance":"10",'
           b'"unrealisedPnl":' + text.encode() + b',"totalOrderIM":"1.000000001"}]}]}')
    p = BalanceParser()
    assert p.parse(msg) == 1
    assert p.available_raw(0) == coin_available({"walletBalance": "10", "unrealisedPnl": text,
                                                 "totalOrderIM": "1.000000001"})


def test_rounding_is_cautious_and_flagged():
    p = BalanceParser()
    p.parse(wallet({"coin": "USDT", "walletBalance": "1.000000009", "unrealisedPnl": "-0.000000001",
                    "totalPositionIM": "0.000000001", "totalOrderIM": "0.000000001", "locked": "0.000000001"}))
    # had: 1.00000000 (floor) - 0.00000001 (floor of -1e-9); held: 3 x 0.00000001 (ceiling)
    assert p.available_raw(0) == E8 - 1 - 3
    assert p.first_raw(0) == E8 + 1 and p.second_raw(0) == 0        # the row's own values: half-even
    assert p.flags & BalanceFlag.BAL_ROUNDED


def test_an_available_balance_out_of_range_is_flagged_not_wrapped():
    p = BalanceParser()
    p.parse(wallet({"coin": "USDT", "walletBalance": "-92233720368", "totalOrderIM": "1"},
                   {"coin": "BTC", "walletBalance": "1"}))
    assert p.available_raw(0) is None and not p.present(0) & RowField.ROW_AVAILABLE
    assert p.available_raw(1) == E8
    assert p.flags & BalanceFlag.BAL_AVAILABLE_OVERFLOW


@pytest.mark.parametrize("bad", [b'"1x"', b'"1..0"', b'true', b'{}', b'"--1"'])
def test_a_bad_margin_field_is_a_parse_error(bad):
    msg = b'{"topic":"wallet","data":[{"coin":[{"coin":"USDT","totalPositionIM":' + bad + b'}]}]}'
    with pytest.raises(ParseError):
        BalanceParser().parse(msg)


def _account(*assets):
    from engine._account import Account
    from engine._instruments import Instruments
    from engine._positions import PositionBook

    reg = Instruments(4)
    for a in assets:
        reg.asset_id(a)
    return reg, Account(reg, PositionBook(4), n_assets=16)


def test_wallet_rows_applied_to_the_account_in_one_call_without_allocating():
    reg, acc = _account("USDT", "BTC", "ETH")
    sample = (DATA / "balances_bybit_wallet.json").read_bytes().strip()
    p = BalanceParser()
    n = p.parse(sample)
    assert p.apply_futures(acc, reg.asset_names) == n == 3
    doc = json.loads(sample)["data"][0]["coin"]
    want = {c["coin"]: (coin_available(c), int(round(float(c["walletBalance"]) * E8))) for c in doc}
    assert acc.futures_balances(reg.asset_names) == want
    assert acc.futures_available(reg.asset_ids["USDT"]) == 9647_75537647 - 2 * 127_85731614   # locked and order IM
    names, apply = reg.asset_names, p.apply_futures

    def call():
        apply(acc, names)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0


def test_nothing_is_applied_for_an_unknown_asset_an_overflow_or_another_kind():
    reg, acc = _account("USDT", "BTC")            # no ETH yet
    p = BalanceParser()
    p.parse((DATA / "balances_bybit_wallet.json").read_bytes())
    assert p.apply_futures(acc, reg.asset_names) == -1 and acc.futures_balances(reg.asset_names) == {}
    p.parse(wallet({"coin": "USDT", "walletBalance": "-92233720368", "totalOrderIM": "1"}))
    assert p.apply_futures(acc, reg.asset_names) == -1 and acc.futures_balances(reg.asset_names) == {}
    p.parse((DATA / "balances_binance_spot_outbound_bare.json").read_bytes())
    assert p.apply_futures(acc, reg.asset_names) == -1 and acc.futures_balances(reg.asset_names) == {}
    with pytest.raises(TypeError):
        p.apply_futures(acc, None)
