"""A fill settled in C by the compiled stream loop (engine._record_loop) against the same fill settled by the
stream applier's Python step, live on the simulator: the same orders, counters, reference price, positions,
balances and events, and the C path really taken (nothing handed to Python) where it should be."""

from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.oms.events import EventKind
from tests.support.engine_fixtures import VENUES, engine_on_sim, run, until

pytestmark = pytest.mark.timeout(120)
E8 = 100_000_000
ORDER_KINDS = {EventKind.ACCEPTED, EventKind.PARTIALLY_FILLED, EventKind.FILLED, EventKind.CANCELLED}


async def _trade(venue, in_c, listen):
    """A market buy, a limit sell that crosses, a resting buy cancelled: what the engine ends up holding."""
    async with engine_on_sim(venue) as (sim, eng):
        loop = eng.stream.loop
        if not in_c:
            loop.settle_fills(None, None, None, None)           # every fill to the Python step
        got = []
        if listen:
            eng.on(lambda e: got.append((e.kind, e.order.client_order_id if e.order is not None else None,
                                         dict(e.data) if e.order is not None else None)),
                   kinds=None if listen == "every kind" else ORDER_KINDS)
        handed = loop.handed
        mark = sim.price("BTCUSDT")
        bought = await eng.place_market("BTCUSDT", "BUY", "0.02")
        await until(lambda: eng.get_order(bought.client_order_id).state == OrderState.FILLED, 5, "market filled")
        px = (mark * Decimal("0.99")).quantize(Decimal("0.1"))
        sold = await eng.place_limit("BTCUSDT", "SELL", "0.01", px)
        await until(lambda: eng.get_order(sold.client_order_id).state == OrderState.FILLED, 5, "sell filled")
        rest = await eng.place_limit("BTCUSDT", "BUY", "0.01", (mark * Decimal("0.95")).quantize(Decimal("0.1")))
        await eng.cancel(rest)
        await until(lambda: eng.get_order(rest.client_order_id).state == OrderState.CANCELLED, 5, "cancelled")
        last = eng.get_order(sold.client_order_id)
        inst = eng.admission.instrument("BTCUSDT")
        reference = eng.admission.gate.reference_of(inst)
        assert reference == int(last.average_price * E8), (reference, last.average_price)
        names = {bought.client_order_id: "bought", sold.client_order_id: "sold", rest.client_order_id: "rest"}
        told = [(kind, names.get(cid, cid), data) for kind, cid, data in got
                if kind not in (EventKind.BALANCE_CHANGED, EventKind.POSITION_CHANGED)]
        position = eng.positions().get("BTCUSDT")
        return {
            "states": [eng.get_order(c).state for c in names],
            "filled": [eng.get_order(c).filled for c in names],
            "counters": (eng.metrics.filled, eng.metrics.cancelled),
            "position": None if position is None else position.size,
            "btc": eng.balances().get("BTC"),
            "order_events": told,
            "balance_events": sum(1 for k, _, _ in got if k == EventKind.BALANCE_CHANGED) > 0,
            "position_events": sum(1 for k, _, _ in got if k == EventKind.POSITION_CHANGED),
            "handed": loop.handed - handed,
            "futures": eng.futures,
        }


@pytest.mark.parametrize("listen", [None, "every kind", "order kinds"],
                         ids=["nobody-listens", "every-kind", "order-kinds"])
@pytest.mark.parametrize("venue", VENUES)
def test_a_fill_settled_in_c_leaves_what_the_python_step_left(venue, listen):
    in_c = run(_trade(venue, True, listen))
    in_py = run(_trade(venue, False, listen))
    assert in_c["states"] == [OrderState.FILLED, OrderState.FILLED, OrderState.CANCELLED]
    assert in_c["filled"] == [Decimal("0.02"), Decimal("0.01"), Decimal(0)]
    assert in_c["counters"] == (2, 1)
    for key in ("states", "filled", "counters", "position", "btc", "order_events", "balance_events", "position_events"):
        assert in_c[key] == in_py[key], key
    assert in_py["handed"] > 0                   # switched off: the fills went to Python
    if listen == "every kind" and in_c["futures"]:
        assert in_c["handed"] > 0 and in_c["position_events"] > 0    # a position event: Python's to make
    else:
        assert in_c["handed"] == 0               # every fill settled in C
    if listen:
        fills = [(k, who) for k, who, _ in in_c["order_events"] if k in (EventKind.FILLED, EventKind.PARTIALLY_FILLED)]
        assert ("FILLED", "bought") in [(k.name, who) for k, who in fills], in_c["order_events"]
        assert sum(d["fill_qty"] for k, who, d in in_c["order_events"]
                   if who == "sold" and k in (EventKind.FILLED, EventKind.PARTIALLY_FILLED)) == Decimal("0.01")


def _report(cid: bytes, x: str, filled: str) -> bytes:
    return (b'{"e":"executionReport","E":1,"s":"BTCUSDT","c":"' + cid + b'","S":"BUY","o":"LIMIT","f":"GTC",'
            b'"q":"1.00000000","p":"50000.00000000","P":"0","F":"0","g":-1,"C":"","x":"' + x.encode() + b'","X":"'
            + (b"FILLED" if x == "TRADE" else x.encode()) + b'","r":"NONE","i":4242,"l":"' + filled.encode()
            + b'","z":"' + filled.encode() + b'","L":"' + (b"50000.00000000" if filled != "0" else b"0")
            + b'","n":"0","N":null,"T":2,"t":7,"w":true,"m":false,"O":1,"Z":"0","Y":"0","Q":"0"}')


@pytest.mark.parametrize("listen", [False, True], ids=["nobody-listens", "a-fills-subscriber"])
def test_ten_thousand_fills_through_the_engines_stream_keep_nothing(listen):
    """Each order created, its NEW and its filling report through the engine's stream, its slot reclaimed:
    no block kept per order over 10,000 orders after warm-up, every fill settled in C (nothing handed)."""
    from engine._enums import OrderType, Side, TimeInForce
    from tests.support.alloc import allocated_blocks_delta
    from tests.support.in_process_venue import started_engine
    with started_engine() as eng:
        seen = [0]
        if listen:
            eng.on(lambda e: seen.__setitem__(0, seen[0] + 1), kinds={EventKind.FILLED})
        store, on_message, inst = eng.store, eng.stream.on_message, eng.admission.instrument("BTCUSDT")

        def life():
            slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
            cid = store.client_id_bytes(slot)
            on_message(_report(cid, "NEW", "0"))
            on_message(_report(cid, "TRADE", "1.00000000"))
            store.reclaim(2**62)

        handed = eng.stream.loop.handed
        kept = allocated_blocks_delta(life, iterations=10_000, warmup=1_000)
        assert kept < 50, kept           # a block kept per order would be 10,000 (seen here: 1 to 3, whatever the count)
        assert eng.stream.loop.handed == handed and eng.metrics.filled == 11_000
        assert seen[0] == (11_000 if listen else 0) and eng.tracker.open_count() == 0
