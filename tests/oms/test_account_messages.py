"""Account messages: each venue's decoder (engine/venues/<venue>/decode.py) reads balance events with the
compiled parser into an AccountSink, the same result as its json path; end to end on the simulator the
compiled path is the one taken and the engine's balances equal the simulator's."""


import pytest

from engine._enums import Side
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until
from tests.support import DATA

SAMPLES = {
    "binance-spot": ["binance_spot_outbound_account_position.json", "balances_binance_spot_outbound_bare.json"],
    "binance-usdm": ["binance_usdm_account_update.json", "balances_binance_usdm_account_update.json",
                     "balances_binance_usdm_account_update_funding.json"],
    "bybit": ["balances_bybit_wallet.json"],
    "bybit-linear": ["balances_bybit_wallet.json"],
}


class Sink:
    """Records what a venue's account decoder says (an AccountSink)."""

    def __init__(self):
        self.calls = []
        self.bad = []

    def spot_balance(self, asset, free, locked):
        self.calls.append(("spot", asset, free, locked))

    def spot_parsed(self, parser):
        return False            # row by row, so the compiled and json paths are compared call for call

    def futures_parsed(self, parser):
        return False

    def futures_balance(self, asset, wallet, available, cross):
        self.calls.append(("futures", asset, wallet, available, cross))

    def position_mark(self, symbol, mark):
        self.calls.append(("mark", symbol, mark))

    def changed(self, assets):
        self.calls.append(("changed", tuple(assets)))

    def unreadable(self, why):
        self.bad.append(why)


def decoder(venue):
    if venue.startswith("binance"):
        from engine.venues.binance.decode import AccountMessages
        return AccountMessages()
    from engine.venues.bybit.decode import AccountMessages
    return AccountMessages(futures=venue == "bybit-linear")


@pytest.mark.parametrize("venue,name", [(v, n) for v, names in SAMPLES.items() for n in names])
def test_compiled_path_equals_the_json_path(venue, name):
    payload = (DATA / name).read_bytes().strip()
    fast, slow = decoder(venue), decoder(venue)
    fast_sink, slow_sink = Sink(), Sink()
    fast.read(payload, fast_sink)
    slow.read_json(payload, slow_sink)
    assert fast.compiled == 1 and fast.general == 0
    assert fast_sink.calls == slow_sink.calls and not fast_sink.bad
    assert any(c[0] in ("spot", "futures") for c in fast_sink.calls), "the sample changed no balance"


def test_a_linear_wallet_gives_the_available_balance_its_margin_fields_leave():
    from engine.venues.bybit.decode import AccountMessages
    msg = (b'{"topic":"wallet","creationTime":1,"data":[{"accountType":"UNIFIED","coin":[{"coin":"USDT",'
           b'"walletBalance":"1000","unrealisedPnl":"-12.5","totalPositionIM":"200","totalOrderIM":"50.25",'
           b'"locked":"0"}]}]}')
    d, sink = AccountMessages(futures=True), Sink()
    d.read(msg, sink)
    E8 = 100_000_000
    assert sink.calls[0] == ("futures", "USDT", 1000 * E8, (1000 - 12.5 - 200 - 50.25) * E8, None)
    assert (d.compiled, d.general) == (1, 0)


def test_a_linear_wallet_whose_available_balance_does_not_fit_is_reported():
    from engine.venues.bybit.decode import AccountMessages
    msg = (b'{"topic":"wallet","data":[{"accountType":"UNIFIED","coin":[{"coin":"USDT",'
           b'"walletBalance":"-92233720368","totalOrderIM":"1"}]}]}')
    for read in ("read", "read_json"):
        d, sink = AccountMessages(futures=True), Sink()
        getattr(d, read)(msg, sink)
        assert len(sink.bad) == 1 and not sink.calls


@pytest.mark.parametrize("venue", ["binance-usdm", "bybit"])
def test_other_messages_take_the_json_path_and_bad_ones_are_reported(venue):
    d, sink = decoder(venue), Sink()
    other = b'{"topic":"position","data":[{"symbol":"BTCUSDT","markPrice":"1"}]}' if venue != "bybit" else \
        b'{"topic":"position","data":[' + b",".join([b'{"symbol":"BTCUSDT","markPrice":"1"}'] * 65) + b']}'
    d.read(other, sink)          # (Bybit: a position push over the compiled parser's capacity)
    assert (d.compiled, d.general) == (0, 1)
    d.read(b'{"e":"outboundAccountPosition","E":1,"B":[{"a":"BTC","f":"1.0"', sink)   # truncated
    assert len(sink.bad) == 1 and not any(c[0] in ("spot", "futures") for c in sink.calls)


@pytest.mark.parametrize("futures", [False, True])
def test_a_position_push_takes_the_compiled_path_with_the_json_paths_marks(futures):
    from engine.venues.bybit.decode import AccountMessages
    msg = (b'{"id":"1003076014fb7eedb-c7e6-45d6-a8c1-270f0169171a","topic":"position","creationTime":1,"data":['
           b'{"symbol":"BTCUSDT","markPrice":"28184.5"},{"symbol":"ETHUSDT","markPrice":""},'
           b'{"symbol":"SOLUSDT","markPrice":"20.123456789"},{"markPrice":"5"}]}')
    fast, slow, fast_sink, slow_sink = AccountMessages(futures), AccountMessages(futures), Sink(), Sink()
    fast.read(msg, fast_sink)
    slow.read_json(msg, slow_sink)
    assert (fast.compiled, fast.general) == (1, 0)
    assert fast_sink.calls == slow_sink.calls == [("mark", "BTCUSDT", 28184_50000000), ("mark", "SOLUSDT", 20_12345679),
                                                  ("changed", ())]
    fast.read(msg[:-3], fast_sink)
    assert len(fast_sink.bad) == 1


def test_an_unreadable_account_message_is_counted_and_reconciled():
    from engine.oms.events import EventKind

    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            events = []
            eng.on(events.append)
            eng.stream.on_message(b'{"e":"outboundAccountPosition","E":1,"B":[{"a":"BTC","f":"x1","l":"0"}]}')
            await until(lambda: any(e.kind == EventKind.RECONCILED for e in events), 5, "a reconciliation")
            assert eng.account_book.bad_messages == 1 and eng.stats()["bad_messages"] == 1

    run(main())


def test_on_the_simulator_a_linear_wallet_goes_to_the_compiled_account():
    from decimal import Decimal

    def near(sim, eng):
        available, total = sim.futures_balance(KEY, "bybit")
        have = eng.account_book.balances.get("USDT")
        return have is not None and abs(Decimal(have[0]) / 10**8 - available) < Decimal("1e-7") and \
            abs(Decimal(have[1]) / 10**8 - total) < Decimal("1e-7")

    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            stream = eng.adapter.account_messages
            before = stream.compiled
            order = await eng.place_limit("BTCUSDT", Side.BUY, "0.01", "20000")
            await until(lambda: stream.compiled > before and near(sim, eng), 5, "the order's margin in the wallet")
            await eng.cancel(order)
            await until(lambda: near(sim, eng), 5, "the margin released")
            assert stream.general == 0 and eng.account_book.refreshes == 0
            assert stream.parser.loop_reads > 0         # nobody listens: read whole in the stream loop
            assert eng.account.futures_available(eng.instruments.asset_id("USDT")) == \
                eng.account_book.balances["USDT"][0]
            from engine._parse_bybit_marks import BybitMarkParser
            seen = []

            class Marks(BybitMarkParser):
                def parse(self, payload):
                    n = super().parse(payload)
                    seen.append(n)
                    return n
            stream.marks = Marks()
            await eng.place_market("BTCUSDT", Side.BUY, "0.01")     # a fill: position and wallet pushes
            await until(lambda: seen and near(sim, eng), 5, "the position's push and margin")
            assert seen[0] >= 1 and stream.general == 0 and eng.account_book.bad_messages == 0

    run(main())


@pytest.mark.parametrize("venue,wallet,kw", [
    ("binance-spot", "binance-spot", {}),
    ("bybit", "bybit", {"config": {"options": {"category": "spot"}}}),
])
def test_on_the_simulator_balance_events_take_the_compiled_path(venue, wallet, kw):
    async def main():
        async with engine_on_sim(venue, **kw) as (sim, eng):
            stream = eng.adapter.account_messages
            before = stream.compiled
            order = await eng.place_limit("BTCUSDT", Side.BUY, "0.01", "20000")
            await until(lambda: stream.compiled > before, 5, "a balance event")
            await eng.cancel(order)
            await eng.place_market("BTCUSDT", Side.BUY, "0.01")
            await until(lambda: all(eng.balances().get(a) == sim.balance(KEY, a, wallet) for a in ("BTC", "USDT")),
                        5, "balances equal the simulator's")
            assert stream.general == 0

    run(main())


def test_a_linear_wallet_push_into_the_engine_keeps_nothing_and_makes_only_its_time_mark():
    from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
    payload = (DATA / "balances_bybit_wallet.json").read_bytes().strip()

    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            book, stream = eng.account_book, eng.adapter.account_messages
            book.on_message(payload)                 # the first registers ETH, row by row
            assert book.balances["ETH"] == (29_000_000, 29_000_000)
            before = stream.compiled

            def call():
                book.on_message(payload)

            # nothing kept per message: the same few blocks (the counters, the mark of the last change) after
            # 10,000 messages as after 40,000
            assert allocated_blocks_delta(call, iterations=10_000) == allocated_blocks_delta(call, iterations=40_000) <= 2
            # nobody listens: what stays is the account book's (time, assets) mark of the change, no row
            assert python_allocations_per_call_bytes(call, iterations=20_000) <= 128
            assert stream.general == 0 and stream.compiled > before + 70_000

    run(main())
