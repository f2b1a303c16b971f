"""engine.oms.balance_stream: balance events through the compiled parser, the same result as the
json path, and end to end on the simulator (the compiled path is the one taken)."""

import pathlib

import pytest

from engine._enums import Side
from engine.oms.balance_stream import BalanceStream
from engine_fixtures import KEY, engine_on_sim, run, until

DATA = pathlib.Path(__file__).resolve().parent / "data"
SAMPLES = {
    "binance-spot": ["binance_spot_outbound_account_position.json", "balances_binance_spot_outbound_bare.json"],
    "binance-usdm": ["binance_usdm_account_update.json", "balances_binance_usdm_account_update.json",
                     "balances_binance_usdm_account_update_funding.json"],
    "bybit": ["balances_bybit_wallet.json"],
}


class FakeAccount:
    def __init__(self):
        self.calls = []

    def apply_balance(self, aid, free, locked):
        self.calls.append(("spot", aid, free, locked))

    def apply_futures_balance(self, aid, wallet, cross):
        self.calls.append(("futures", aid, wallet, cross))


class FakeBus:
    def __init__(self):
        self.events = []

    def emit(self, kind, **kw):
        self.events.append((kind, kw))


class FakeInstruments:
    ids: dict = {}

    def asset_id(self, name):
        return sum(map(ord, name))


class FakeEngine:
    def __init__(self, futures):
        self.futures = futures
        self.account, self.bus, self.instruments = FakeAccount(), FakeBus(), FakeInstruments()
        self.reconciliations = []

    def request_reconciliation(self, reason):
        self.reconciliations.append(reason)


class FakeReconciler:
    def __init__(self, futures):
        self.eng = FakeEngine(futures)
        self.balances = {}

    def _apply_balance(self, asset, a, b):
        aid = self.eng.instruments.asset_id(asset)
        if self.eng.futures:
            self.eng.account.apply_futures_balance(aid, b, b)
        else:
            self.eng.account.apply_balance(aid, a, b)


def _outcome(stream):
    rec = stream.rec
    return rec.balances, rec.eng.account.calls, rec.eng.bus.events, stream.bad_messages


@pytest.mark.parametrize("venue,name", [(v, n) for v, names in SAMPLES.items() for n in names])
def test_compiled_path_equals_the_json_path(venue, name):
    payload = (DATA / name).read_bytes().strip()
    futures = venue != "binance-spot"
    fast, slow = BalanceStream(FakeReconciler(futures)), BalanceStream(FakeReconciler(futures))
    fast.on_message(payload)
    slow._general(payload)
    assert fast.compiled == 1 and fast.general == 0
    assert _outcome(fast) == _outcome(slow)
    assert fast.rec.balances, "the sample changed no balance"


def test_other_messages_take_the_json_path_and_bad_ones_are_counted():
    s = BalanceStream(FakeReconciler(futures=True))
    s.on_message(b'{"topic":"position","data":[{"symbol":"BTCUSDT","markPrice":"1"}]}')
    assert (s.compiled, s.general) == (0, 1)
    s.on_message(b'{"e":"outboundAccountPosition","E":1,"B":[{"a":"BTC","f":"1.0"')   # truncated
    assert s.bad_messages == 1 and not s.rec.balances
    assert s.rec.eng.reconciliations == ["unreadable account event"]   # counted, then the venue is asked


@pytest.mark.parametrize("venue,wallet,kw", [
    ("binance-spot", "binance-spot", {}),
    ("bybit", "bybit", {"config": {"options": {"category": "spot"}}}),
])
def test_on_the_simulator_balance_events_take_the_compiled_path(venue, wallet, kw):
    async def main():
        async with engine_on_sim(venue, **kw) as (sim, eng):
            stream = eng.reconciler.balance_stream
            before = stream.compiled
            order = await eng.place_limit("BTCUSDT", Side.BUY, "0.01", "20000")
            await until(lambda: stream.compiled > before, 5, "a balance event")
            await eng.cancel(order)
            await eng.place_market("BTCUSDT", Side.BUY, "0.01")
            await until(lambda: all(eng.balances().get(a) == sim.balance(KEY, a, wallet) for a in ("BTC", "USDT")),
                        5, "balances equal the simulator's")
            assert stream.general == 0

    run(main())
