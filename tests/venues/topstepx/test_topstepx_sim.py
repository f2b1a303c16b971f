"""TopstepX end to end: the engine against the simulator's TopstepX personality over loopback.

Orders, fills, positions and PnL in dollars through the point value, native brackets in
ticks, customTags, the sheet's error codes, token expiry with orders in flight, a hub drop
while a bracket works, and lost answers resolved by customTag (never sent twice).
"""

import asyncio
from decimal import Decimal

import pytest

from engine import EngineError, OrderState
from engine.oms.risk import RiskLimits, RiskRejected
from engine.testing import SIM_KEY, simulated
from engine.venues import errors as E
import uvloop

MNQ = "CON.F.US.MNQ.Z26"


def run(coro, timeout=40):
    return uvloop.run(asyncio.wait_for(coro, timeout))


def tsx(sim):
    return sim.state["topstepx"]


def acct_state(sim):
    return tsx(sim).accounts[SIM_KEY]


def test_limit_place_modify_cancel_and_a_market_fill_with_pnl_in_dollars():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            bid = await eng.place_limit("MNQ", "BUY", "1", "20000")
            assert bid.state == OrderState.NEW and bid.exchange_order_id
            await eng.amend(bid, price="20000.25")
            await s.until(lambda: sim.core.orders[bid.exchange_order_id].price == Decimal("20000.25"))
            await eng.cancel(bid)
            assert eng.get_order(bid.client_order_id).state == OrderState.CANCELLED
            buy = await eng.place_market("MNQ", "BUY", "2")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            await s.until(lambda: eng.positions().get("MNQ") is not None)
            pos = eng.positions()["MNQ"]
            assert pos.size == 2
            entry = pos.entry_price
            s.move_price("NQ", "21100")
            sell = await eng.place_market("MNQ", "SELL", "2")
            await s.until(lambda: eng.get_order(sell.client_order_id).state == OrderState.FILLED)
            await s.until(lambda: eng.positions().get("MNQ") is None or eng.positions()["MNQ"].size == 0)
            exit_avg = eng.get_order(sell.client_order_id).average_price
            # MNQ: $2 a point per contract; fees 0.37 a contract and side
            trades = acct_state(sim).trades
            closing = [t for t in trades if t["profitAndLoss"] is not None]
            assert sum(Decimal(str(t["profitAndLoss"])) for t in closing) == (exit_avg - entry) * 2 * 2
            assert all(t["profitAndLoss"] is None for t in trades if t["orderId"] == buy.exchange_order_id)
            balance = acct_state(sim).balance()
            assert balance == Decimal("150000") + (exit_avg - entry) * 4 - Decimal("0.37") * 4
            assert sim.totals() == sim.initial_totals
    run(main())


def test_a_fractional_quantity_is_a_typed_error_before_anything_is_sent():
    async def main():
        async with simulated("topstepx") as s:
            for qty in ("0.5", "1.5"):
                with pytest.raises(EngineError, match="MNQ"):
                    await s.engine.place_limit("MNQ", "BUY", qty, "20000")
            assert not [o for o in s.sim.core.orders.values() if o.account.key == SIM_KEY]
    run(main())


def test_native_bracket_in_ticks_exits_wait_suspended_then_oco():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            br = await eng.place_bracket("MNQ", "BUY", "1", entry_price="20990", stop_loss="20980",
                                         take_profit="21010")
            legs = [o for o in sim.core.orders.values() if o.extra.get("parent") == br.entry.exchange_order_id]
            assert len(legs) == 2 and all(o.extra["suspended"] for o in legs)
            assert sorted(o.extra["ticks"] for o in legs) == [-40, 80]
            s.move_price("NQ", "20985")          # the entry fills at its price
            await s.until(lambda: all(not o.extra["suspended"] for o in legs), what="legs live")
            s.move_price("NQ", "21020")          # the take-profit fills; the stop is cancelled
            await s.until(lambda: sorted(o.status for o in legs) == ["CANCELED", "FILLED"], what="oco")
            await s.until(lambda: eng.positions().get("MNQ") is None or eng.positions()["MNQ"].size == 0)
    run(main())


def test_brackets_without_auto_oco_mode_are_refused_with_the_venues_words():
    async def main():
        async with simulated("topstepx") as s:
            acct_state(s.sim).auto_oco = False
            with pytest.raises(E.OrderRejected, match="Auto OCO"):
                await s.engine.place_bracket("MNQ", "BUY", "1", entry_price="20990", stop_loss="20980",
                                             take_profit="21010")
            assert s.engine.positions().get("MNQ") is None
    run(main())


@pytest.mark.parametrize("process", ["first", "later,delay_ms=200"])
def test_a_lost_place_answer_is_resolved_by_its_custom_tag_and_never_sent_again(process):
    async def main():
        async with simulated("topstepx") as s:
            s.inject(f"order:drop:process={process},nth=1")
            order = await s.engine.place_limit("MNQ", "BUY", "1", "20000")
            await s.until(lambda: s.engine.get_order(order.client_order_id).state == OrderState.NEW, 10)
            await s.settle()
            assert s.venue_orders(order.client_order_id) == 1
            record, = s.sim.faults.log
            assert record.name == "api/Order/place" and record.processed_ms is not None
            assert s.engine.get_order(order.client_order_id).exchange_order_id == \
                s.sim.core.by_client[("tsx", SIM_KEY, order.client_order_id)][0].oid
    run(main())


def test_token_expiry_mid_session_with_orders_in_flight():
    async def main():
        async with simulated("topstepx") as s:
            st = tsx(s.sim)
            st.token_lifetime = 1.0
            logins = st.tokens_issued
            await s.engine.adapter.rest.tokens.renew()      # the first token lived 24 h: now short ones
            orders = await asyncio.gather(*(s.engine.place_limit("MNQ", "BUY", "1", str(20000 - i))
                                            for i in range(3)))
            await asyncio.sleep(1.3)             # that token expired: its renewal or a 401 brings a new one
            more = await s.engine.place_limit("MNQ", "BUY", "1", "19990")
            assert st.tokens_issued >= logins + 2
            for o in [*orders, more]:
                assert s.venue_orders(o.client_order_id) == 1
                assert s.engine.get_order(o.client_order_id).state == OrderState.NEW
    run(main())


def test_a_hub_drop_while_a_bracket_works_leaves_the_books_equal_to_the_venues():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            br = await eng.place_bracket("MNQ", "BUY", "1", entry_price="20990", stop_loss="20980",
                                         take_profit="21010")
            hub = tsx(sim).hubs.user
            await s.until(lambda: hub.clients, what="hub connected")
            hub.drop_all()
            s.move_price("NQ", "20985")          # the entry fills while the hub is down
            await s.until(lambda: eng.get_order(br.entry.client_order_id).state == OrderState.FILLED, 15,
                          "entry filled after the reconnect")
            await s.until(lambda: eng.positions().get("MNQ") is not None and eng.positions()["MNQ"].size == 1,
                          10, "position")
            await s.until(lambda: len(hub.clients) == 1, 10, "hub back")

            def venue_open():
                return {o.oid for o in sim.core.orders.values() if o.account.key == SIM_KEY and o.is_open}

            def engine_open():
                return {o.exchange_order_id for o in eng.open_orders("MNQ")}
            assert len(venue_open()) == 2              # the stop and the take-profit, live since the fill
            await s.until(lambda: engine_open() == venue_open(), 10, "the engine's open orders are the venue's")
    run(main())


def test_wrapped_user_events_are_read_as_the_bare_ones():
    async def main():
        async with simulated("topstepx") as s:
            tsx(s.sim).wrapped.update({"GatewayUserOrder", "GatewayUserTrade"})
            buy = await s.engine.place_market("MNQ", "BUY", "1")
            await s.until(lambda: s.engine.get_order(buy.client_order_id).state == OrderState.FILLED)
            await s.until(lambda: s.engine.positions().get("MNQ") is not None)
    run(main())


def test_daily_loss_limit_refuses_orders_with_account_violation():
    async def main():
        async with simulated("topstepx") as s:
            acct_state(s.sim).day_loss_limit = Decimal("10")
            await s.engine.place_market("MNQ", "BUY", "1")
            s.move_price("NQ", "20900")
            with pytest.raises(E.OrderRejected, match="AccountViolation"):
                await s.engine.place_limit("MNQ", "BUY", "1", "20000")
    run(main())


def test_a_hub_coming_back_after_its_token_expired_logs_in_again_and_reads_fills():
    async def main():
        async with simulated("topstepx") as s:
            st, tokens = tsx(s.sim), s.engine.adapter.rest.tokens
            st.token_lifetime = 1.0
            await tokens.renew()                 # a token that lives one second
            tokens._refresh_task.cancel()        # and nobody refreshes it
            await asyncio.sleep(1.3)
            st.token_lifetime = 3600.0           # the next token lives long (the hub's retries back off 1 s and more)
            hub = st.hubs.user
            connections, issued = hub.connections, st.tokens_issued
            hub.drop_all()
            await s.until(lambda: hub.connections > connections and any(c.subscriptions for c in hub.clients), 15,
                          "the hub back, subscribed")
            assert st.tokens_issued > issued     # a new token was fetched for it (the stale one is refused)
            buy = await s.engine.place_market("MNQ", "BUY", "1")
            await s.until(lambda: s.engine.get_order(buy.client_order_id).state == OrderState.FILLED)
            await s.until(lambda: s.engine.positions().get("MNQ") is not None)
    run(main())


def test_stop_orders_close_a_position_and_the_engines_limits_count_contracts():
    async def main():
        async with simulated("topstepx", risk_limits=RiskLimits(max_position="3")) as s:
            eng = s.engine
            with pytest.raises(RiskRejected, match="max_position"):
                await eng.place_market("MNQ", "BUY", "4")          # refused before sending
            buy = await eng.place_market("MNQ", "BUY", "2")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            stop = await eng.place_stop_loss("MNQ", "SELL", "2", "20950")
            row = s.sim.core.orders[stop.exchange_order_id]
            assert row.extra["tsx_type"] == 4 and row.stop_price == Decimal("20950")
            with pytest.raises(EngineError):                          # no take-profit type on the Gateway
                await eng.place_take_profit("MNQ", "SELL", "2", "21100")
            s.move_price("NQ", "20940")
            await s.until(lambda: eng.get_order(stop.client_order_id).state == OrderState.FILLED, 10)
            await s.until(lambda: eng.positions().get("MNQ") is None or eng.positions()["MNQ"].size == 0)
            bids = [await eng.place_limit("MNQ", "BUY", "1", str(20000 - i)) for i in range(2)]
            assert await eng.cancel_all("MNQ") == 2
            for b in bids:
                await s.until(lambda b=b: eng.get_order(b.client_order_id).state == OrderState.CANCELLED)
            assert not [o for o in s.sim.core.orders.values() if o.account.key == SIM_KEY and o.is_open]
    run(main())


def test_closing_a_position_at_the_venue_reaches_the_engines_books():
    async def main():
        async with simulated("topstepx") as s:
            eng = s.engine
            buy = await eng.place_market("MNQ", "BUY", "3")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            with pytest.raises(ValueError):
                await eng.adapter.close_position("MNQ", 1.5)
            await eng.adapter.close_position("MNQ", 1)              # Position/partialCloseContract
            await s.until(lambda: eng.positions()["MNQ"].size == 2, 10, "two contracts left")
            await eng.adapter.close_position("MNQ")                 # Position/closeContract
            await s.until(lambda: eng.positions().get("MNQ") is None or eng.positions()["MNQ"].size == 0, 10)
            assert eng.unresolved == 0
    run(main())


def test_a_roll_is_picked_up_and_the_root_trades_the_new_contract():
    async def main():
        async with simulated("topstepx") as s:
            eng = s.engine
            assert eng.adapter.contracts.resolve("MNQ").id == MNQ
            tsx(s.sim).roll(MNQ, "CON.F.US.MNQ.H27")
            with pytest.raises(E.OrderRejected, match="ContractNotActive"):
                await eng.place_limit("MNQ", "BUY", "1", "20000")     # the venue refuses the old contract
            await s.until(lambda: eng.adapter.contracts.resolve("MNQ").id == "CON.F.US.MNQ.H27", 5, "rolled")
            assert eng.adapter.contracts.rolls == 1
            bid = await eng.place_limit("MNQ", "BUY", "1", "20000")
            assert s.sim.core.orders[bid.exchange_order_id].symbol == "CON.F.US.MNQ.H27"
    run(main())


def test_reduce_only_orders_in_flight_together_never_close_more_than_the_position():
    # the Gateway has no reduce-only flag: the engine counts its open reduce-only orders of a side
    async def main():
        async with simulated("topstepx") as s:
            eng = s.engine
            buy = await eng.place_market("MNQ", "BUY", "2")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            await s.until(lambda: eng.positions().get("MNQ") is not None and eng.positions()["MNQ"].size == 2)
            first = await eng.place_limit("MNQ", "SELL", "2", "21500", reduce_only=True)
            with pytest.raises(RiskRejected) as info:
                await eng.place_market("MNQ", "SELL", "1", reduce_only=True)
            assert info.value.rule == "reduce_only"
            sent = len(s.sim.core.orders)
            await eng.amend(first, qty="1")
            await s.until(lambda: eng.get_order(first.client_order_id).quantity == 1)
            third = await eng.place_limit("MNQ", "SELL", "1", "21600", reduce_only=True)  # 1 + 1 = the position
            with pytest.raises(RiskRejected, match="reduce_only|reduce-only"):
                await eng.amend(third, qty="2")                        # 1 + 2 would close 3 of 2: not sent
            assert eng.get_order(third.client_order_id).quantity == 1
            await eng.cancel(third)
            second = await eng.place_market("MNQ", "SELL", "1", reduce_only=True)   # 1 + 1 = the position
            await s.until(lambda: eng.get_order(second.client_order_id).state == OrderState.FILLED)
            assert len(s.sim.core.orders) == sent + 2                 # the refused ones never left
    run(main())


def test_a_trailing_stop_goes_as_a_price_level_and_closes_the_position_when_the_market_turns():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            s.move_price("NQ", "21000")
            buy = await eng.place_market("MNQ", "BUY", "1")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            last = sim.core.last[("tsx", MNQ)]
            # 0.05 % of 21000 is 10.5 points: 42 ticks of 0.25, sent as the level 21000 - 10.5
            trail = await eng.place_trailing_stop("MNQ", "SELL", "1", "0.05", activation_price="21000")
            row = sim.core.orders[trail.exchange_order_id]
            assert row.extra["tsx_type"] == 5
            assert row.extra["trail_ticks"] == int((last - Decimal("20989.5")) / Decimal("0.25"))
            s.move_price("NQ", "20950")
            await s.until(lambda: eng.get_order(trail.client_order_id).state == OrderState.FILLED, 10, "trailed out")
            await s.until(lambda: eng.positions().get("MNQ") is None or eng.positions()["MNQ"].size == 0, 10)
            with pytest.raises(ValueError, match="activation_price"):
                await eng.place_trailing_stop("MNQ", "SELL", "1", "0.05")     # nothing to take the distance from
    run(main())
