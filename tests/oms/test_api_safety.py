"""Safe on every path, clear at every step: one test (or set) per defect of the API-safety review.

1. brackets: every leg checked before anything is sent; exits follow partial fills; a refused exit
   applies the documented policy, emits an event, and ``wait()`` ends;
2. ``amend()`` under the placement checks on every venue; venue refusals counted;
3. futures balances equal the venue's own figures after fills;
4. authentication failures raise ``AuthenticationError`` on every venue and path;
5. contradictory or ignored arguments refused or honoured (``client_tag``);
6. errors a bot can act on, all importable from ``engine``;
7. the same event sequence for the same outcome on every venue and path.
"""

import asyncio
from decimal import Decimal

import pytest

import engine
from engine import (AuthenticationError, EngineError, EventKind, OrderNotOpen, OrderState, RiskLimits,
                    RiskRejected, UnknownInstrumentError, VenueConfig, VenueError)
from engine.api import connect
from engine.sim import SimExchange
from engine.testing import simulated
from engine.venues.registry import ADAPTERS, order_paths
from tests.support.engine_fixtures import KEY, SECRET, engine_on_sim, run, until

# The bracket, amend and client-tag tests' venues (written on BTCUSDT, with cancel-replace or amend); the
# tests about every venue are parametrized from the registry.
VENUES = ["binance-spot", "binance-usdm", "bybit"]
FUTURES = ["binance-usdm", "bybit"]
NATIVE = {"binance-spot", "bybit"}       # venues with a native bracket for a limit entry


def our_orders(sim) -> list:
    acct = sim.account_for(KEY)
    return [o for o in sim.core.orders.values() if o.account is acct]


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


# -- 1. brackets ------------------------------------------------------------------------------------------
BAD_EXITS = {
    "float": (dict(stop_loss=49000.0, take_profit="51500"), TypeError),
    "off_tick": (dict(stop_loss="49000.001", take_profit="51500"), EngineError),
    "out_of_band": (dict(stop_loss="49000", take_profit="80000"), RiskRejected),
    "inverted": (dict(stop_loss="51500", take_profit="49000"), ValueError),
}


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("how", ["market-managed", "limit-managed", "limit-native"])
@pytest.mark.parametrize("bad", sorted(BAD_EXITS))
def test_bracket_with_a_bad_exit_sends_nothing(venue, how, bad):
    if how == "limit-native" and venue not in NATIVE:
        pytest.skip(f"{venue} has no native bracket")
    exits, error = BAD_EXITS[bad]
    entry_price = None if how.startswith("market") else "49500"
    limits = RiskLimits(price_band="0.1")      # a take-profit 60% away is out of it

    async def main():
        async with engine_on_sim(venue, risk_limits=limits) as (sim, eng):
            with pytest.raises(error):
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=entry_price,
                                        native=how.endswith("native"), **exits)
            await asyncio.sleep(0.2)
            assert our_orders(sim) == [] and eng.open_orders() == []

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_bracket_exits_follow_partial_entry_fills(venue):
    """The entry fills in two parts: each part gets its own stop and take, sized to it."""
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            bracket = await eng.place_bracket("BTCUSDT", "BUY", "1", entry_price="49500", stop_loss="49000",
                                              take_profit="51500", native=False)
            sim.set_price("BTCUSDT", "49490")      # one ask level (about 0.5) crosses the bid
            await until(lambda: len(bracket.tranches) == 1 and bracket.tranches[0].take is not None, 10,
                        "the first tranche's exits")
            first = bracket.entry.filled
            assert Decimal(0) < first < 1 and bracket.entry.state == OrderState.PARTIALLY_FILLED
            assert bracket.stops[0].quantity == first and bracket.takes[0].quantity == first
            sim.set_price("BTCUSDT", "49490")      # the quotes come back: the rest fills
            await until(lambda: len(bracket.tranches) == 2 and bracket.tranches[1].take is not None, 10,
                        "the second tranche's exits")
            assert bracket.entry.state == OrderState.FILLED
            assert [s.quantity for s in bracket.stops] == [first, 1 - first]
            assert [t.quantity for t in bracket.takes] == [first, 1 - first]
            assert all(o.is_open for o in bracket.stops + bracket.takes)
            await bracket.cancel()
            assert await bracket.wait(10)

    run(main())


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("policy", ["flatten", "alert"])
def test_bracket_exit_refused_by_the_venue_applies_the_policy(venue, policy):
    """The market falls through the stop while the entry fills: the venue refuses the stop (it would
    trigger at once); the policy is applied, bracket_exit_failed says so, and wait() ends."""
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            events = []
            eng.on(events.append)
            bracket = await eng.place_bracket("BTCUSDT", "BUY", "0.2", entry_price="49500", stop_loss="49450",
                                              take_profit="51500", native=False, on_exit_failure=policy)
            sim.set_price("BTCUSDT", "49400")
            assert await bracket.wait(10), "wait() must end"
            failed = kinds(events, EventKind.BRACKET_EXIT_FAILED)
            assert len(failed) == 1 and failed[0].data["policy"] == policy
            assert failed[0].data["unprotected"] == Decimal("0.2") and "stop" in failed[0].data["reason"]
            assert bracket.entry.state == OrderState.FILLED
            assert bracket.takes == []                  # the take was never placed without its stop
            if policy == "flatten":
                closing = failed[0].data["flatten"]
                await until(lambda: eng.get_order(closing.client_order_id).state == OrderState.FILLED, 10,
                            "the flattening order filled")
                assert eng.get_order(closing.client_order_id).quantity == Decimal("0.2")
                if eng.futures:
                    await until(lambda: eng.positions().get("BTCUSDT") is None
                                or eng.positions()["BTCUSDT"].size == 0, 10, "flat")
            else:
                assert "flatten" not in failed[0].data
                if eng.futures:
                    assert eng.positions()["BTCUSDT"].size == Decimal("0.2")   # left to the bot, as told

    run(main())


# -- 2. amend ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("venue", FUTURES)
def test_amend_runs_the_user_limits_and_the_instrument_filters(venue):
    async def main():
        limits = RiskLimits(max_order_qty="0.05", price_band="0.1")
        async with engine_on_sim(venue, risk_limits=limits) as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000")
            with pytest.raises(RiskRejected, match="0.05"):
                await eng.amend(bid, qty="1000")
            with pytest.raises(RiskRejected, match="band"):
                await eng.amend(bid, price="20000")          # outside the user's price band
            with pytest.raises(ValueError, match="changes nothing"):
                await eng.amend(bid, qty="0.01")
            venue_order = our_orders(sim)[0]
            assert venue_order.qty == Decimal("0.01") and venue_order.price == Decimal("49000")
            moved = await eng.amend(bid, qty="0.02")
            assert moved.quantity == Decimal("0.02") and our_orders(sim)[0].qty == Decimal("0.02")

    run(main())


@pytest.mark.parametrize("venue", FUTURES)
def test_amend_above_the_instruments_max_quantity_is_refused_locally(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000")
            with pytest.raises(EngineError):
                await eng.amend(bid, qty="100000")
            assert our_orders(sim)[0].qty == Decimal("0.01")

    run(main())


@pytest.mark.parametrize("venue", FUTURES)
def test_a_venue_refusal_of_an_amend_is_raised_and_counted(venue):
    """The account's margin left by another way (the engine cannot know): the venue refuses the amend."""
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000")
            wallet = "binance-usdm" if venue == "binance-usdm" else "bybit"
            sim.account_for(KEY).wallets[wallet]["USDT"].free = Decimal("1")
            with pytest.raises(VenueError):
                await eng.amend(bid, qty="0.5")
            assert eng.stats()["metrics"]["orders"]["amend_rejected"] == 1
            assert our_orders(sim)[0].qty == Decimal("0.01")

    run(main())


# -- 3. futures balances -------------------------------------------------------------------------------------
@pytest.mark.parametrize("venue", FUTURES)
def test_futures_balances_equal_the_venues_after_every_fill(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            wallet = "binance-usdm" if venue == "binance-usdm" else "bybit"

            def agree():
                available, total = sim.futures_balance(KEY, wallet)
                mine = eng.balances().get("USDT")
                return mine is not None and abs(mine[0] - available) < Decimal("1e-7") \
                    and abs(mine[1] - total) < Decimal("1e-7")

            await eng.place_market("BTCUSDT", "BUY", "0.1")
            await until(agree, 10, "available and wallet after a market fill")
            assert eng.balances()["USDT"][0] < eng.balances()["USDT"][1]     # margin is held
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.1", "49800")
            sim.set_price("BTCUSDT", "49700")
            await until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 10, "bid filled")
            await until(agree, 10, "available and wallet after a limit fill")
            await eng.place_market("BTCUSDT", "SELL", "0.2", reduce_only=True)
            await until(agree, 10, "available and wallet once flat")

    run(main())


def test_bybit_margin_figures_with_more_decimals_than_eight_are_rounded_cautiously():
    from engine.venues.bybit.decode import coin_available
    coin = {"walletBalance": "1000.123456789", "unrealisedPnl": "-0.000000001", "totalPositionIM": "850.940517257",
            "totalOrderIM": "0.000000009", "locked": "0"}
    got = coin_available(coin)
    # down for what is had, up for what is held: never more than the exact figure
    assert Decimal(got) / 10**8 <= Decimal("1000.123456789") - Decimal("0.000000001") - Decimal("850.940517257") \
        - Decimal("0.000000009")


# -- 4. authentication -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("venue, entry", order_paths())
@pytest.mark.parametrize("wrong", ["secret", "key"])
def test_a_wrong_credential_raises_authentication_error(venue, entry, wrong):
    async def main():
        async with SimExchange(accounts=[(KEY, SECRET)]) as sim:
            key, secret = (KEY, "not-the-secret") if wrong == "secret" else ("no-such-key", SECRET)
            cfg = VenueConfig.local(venue, sim.urls[venue], key, secret)

            async def enter():
                async with connect(cfg, order_entry=entry):
                    pass

            with pytest.raises(AuthenticationError):
                await asyncio.wait_for(enter(), 5)    # not a TimeoutError: refused, and said so

    run(main())


# -- 5, 6. input --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("venue", sorted(ADAPTERS))       # every registered venue
def test_bad_input_gets_a_typed_error_naming_the_fix_and_nothing_is_sent(venue):
    async def main():
        async with simulated(venue) as s:
            eng, symbol, qty, price = s.engine, s.symbol(), s.qty, s.bid_price
            with pytest.raises(ValueError, match="post_only"):
                await eng.place_limit(symbol, "BUY", qty, price, tif="IOC", post_only=True)
            with pytest.raises(ValueError, match="post_only=True"):
                await eng.place_limit(symbol, "BUY", qty, price, tif="GTX")
            with pytest.raises(ValueError, match="side must be"):
                await eng.place_market(symbol, 7, qty)
            with pytest.raises(TypeError, match="symbol must be a str"):
                await eng.place_market(None, "BUY", qty)
            with pytest.raises(TypeError, match="client order id"):
                await eng.cancel(12345)
            with pytest.raises(UnknownInstrumentError):
                await eng.cancel_all("FOOUSDT")
            with pytest.raises(ValueError, match="client_tag"):
                await eng.place_market(symbol, "BUY", qty, client_tag="has space")
            with pytest.raises(ValueError, match="room"):
                await eng.place_market(symbol, "BUY", qty, client_tag="x" * 30)
            with pytest.raises(TypeError, match="float"):
                await eng.place_limit(symbol, "BUY", float(qty), price)
            await asyncio.sleep(0.1)
            acct = s.sim.account_for(eng.config.api_key)
            assert [o for o in s.sim.core.orders.values() if o.account is acct] == []

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_client_tag_leads_the_client_order_id_the_venue_sees(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            order = await eng.place_market("BTCUSDT", "BUY", "0.01", client_tag="grid7")
            assert order.client_order_id.startswith("grid7-") and order.state == OrderState.FILLED
            assert sim.client_order_count(KEY, venue, order.client_order_id) == 1
            assert eng.get_order(order.client_order_id).slot == order.slot
            assert eng.store.client_tag(order.slot) == "grid7"
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000", client_tag="mm")
            moved = await eng.amend(bid, price="49100")
            assert moved.client_order_id.startswith("mm-")   # a cancel-replace keeps the tag
            assert await eng.cancel(moved)

    run(main())


def test_local_errors_do_not_print_absent_venue_codes():
    err = OrderNotOpen("bybit", None, "order x is already FILLED")
    assert str(err) == "bybit: order x is already FILLED"
    assert str(VenueError("bybit", 110001, "Order does not exist.", http_status=200)) == \
        "bybit: Order does not exist. (code 110001, HTTP 200)"


EXPORTED = ["UnknownInstrumentError", "InstrumentRuleError", "TransportError", "ConnectFailed", "RequestTimeout",
            "ConnectionLost", "ProtocolError", "NativeBracketUnsupported", "EngineHalted", "FixedPointError",
            "PrecisionError", "EncodeError", "ParseError", "RiskRejected", "CircuitOpen", "OrderNotFound",
            "AuthenticationError", "RateLimited", "IpBanned", "OrderRejected", "OutcomeUnknown", "VenueError",
            "EventsOverflow", "CapacityError", "ConfigError"]


@pytest.mark.parametrize("name", EXPORTED)
def test_every_error_a_bot_catches_is_an_engine_error_importable_from_engine(name):
    cls = getattr(engine, name)
    assert issubclass(cls, engine.EngineError) and name in engine.__all__


def test_amending_a_replaced_order_names_its_replacement():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000")
            new = await eng.amend(bid, price="49100")
            assert new.client_order_id != bid.client_order_id
            with pytest.raises(OrderNotOpen, match=new.client_order_id):
                await eng.amend(bid, price="49200")

    run(main())


# -- 7. events -----------------------------------------------------------------------------------------------------
OUTCOMES = {
    "market fills": ["accepted", "filled", "balance_changed"],
    "IOC finds nothing": ["accepted", "expired"],
    "limit rests, is cancelled": ["accepted", "cancelled"],
}


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_one_outcome_one_event_sequence_on_every_venue_and_path(engine_sim_every_path, outcome):
    async def scenario(s):
        events = []
        s.engine.on(events.append)
        eng, symbol = s.engine, s.symbol()
        if outcome == "market fills":
            await eng.place_market(symbol, "BUY", s.qty)
        elif outcome == "IOC finds nothing":
            if s.venue == "topstepx":       # the Gateway has no time in force: refused before anything is sent
                with pytest.raises(ValueError, match="no time in force"):
                    await eng.place_limit(symbol, "BUY", s.qty, s.bid_price, tif="IOC")
                return
            await eng.place_limit(symbol, "BUY", s.qty, s.bid_price, tif="IOC")
        else:
            bid = await eng.place_limit(symbol, "BUY", s.qty, s.bid_price)
            await eng.cancel(bid)
        await asyncio.sleep(0.5)
        told = [e.kind.value for e in events if e.kind != EventKind.POSITION_CHANGED]
        order_events = [k for k in told if k != "balance_changed"]
        expected = [k for k in OUTCOMES[outcome] if k != "balance_changed"]
        assert order_events == expected, told
        if "filled" in told:
            assert "balance_changed" in told[told.index("filled"):], told

    engine_sim_every_path.run(scenario)
