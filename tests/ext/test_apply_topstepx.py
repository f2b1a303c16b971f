"""TopstepX records through the compiled applier: ack, order states, fills by trade id (the same id the
cold path gives a Trade/search row), and positions valued with the contract's point value."""

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier, exec_id_hash
from engine._order_store import OrderStore
from engine._parse_topstepx import TopstepxParser
from engine._positions import PositionBook
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes

SCALE = 10**8


def setup():
    reg = Instruments(8)
    inst = reg.add("MNQ", "MNQ", "USD", ContractType.LINEAR_FUTURE, tick="0.25", step="1", min_qty="1",
                   price_from_min=False, qty_from_min=False, multiplier="2")
    store = OrderStore(64, venue="topstepx")
    book = PositionBook(8)
    return reg, inst, store, book, RecordApplier(store, reg, book)


def order_event(order_id, tag, status, size=2, price="20000.25", fill=0, gw_type=1):
    tag_part = f'"customTag":"{tag}",' if tag else ""
    return (f'{{"type":1,"target":"GatewayUserOrder","arguments":[{{"id":{order_id},{tag_part}"status":{status},'
            f'"type":{gw_type},"side":0,"size":{size},"limitPrice":{price},"fillVolume":{fill},'
            f'"contractId":"CON.F.US.MNQ.Z26"}}]}}\x1e').encode()


def trade_event(trade_id, order_id, size, price, side=0, fees="0.37"):
    return (f'{{"type":1,"target":"GatewayUserTrade","arguments":[{{"id":{trade_id},"orderId":{order_id},'
            f'"size":{size},"price":{price},"side":{side},"fees":{fees},"voided":false,'
            f'"contractId":"CON.F.US.MNQ.Z26"}}]}}\x1e').encode()


def test_an_order_from_ack_to_filled_with_pnl_in_point_value():
    reg, inst, store, book, ap = setup()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 2 * SCALE, 2000025 * 10**6, 0)
    cid = store.client_id(slot).encode()
    p = TopstepxParser()
    p.parse_ack(b'{"orderId":501,"success":true,"errorCode":0,"errorMessage":null}', cid)
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.state_of(slot) == OrderState.NEW
    p.parse(order_event(501, cid.decode(), 2, fill=2))         # Filled before its trades: deferred
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_DEFERRED
    p.parse(trade_event(9001, 501, 1, "20000.25"))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED
    assert store.state_of(slot) == OrderState.PARTIALLY_FILLED
    p.parse(trade_event(9002, 501, 1, "20000.25"))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.state_of(slot) == OrderState.FILLED
    p.parse(trade_event(9002, 501, 1, "20000.25"))              # a replay is a duplicate
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_IGNORED
    # the store's trade ids are the cold path's: a Trade/search row of the same fill is a duplicate
    assert store.apply(slot, 2, int(OrderState.PARTIALLY_FILLED), SCALE, 2000025 * 10**6, -1,
                       exec_id_hash("9001"), 0, -1, 0) != 0
    pos = book.get(inst)
    assert pos["size_raw"] == 2 * SCALE and pos["entry_raw"] == 2000025 * 10**6
    # sell one contract 10 points higher: 10 points x $2 = $20 realised
    sell = store.create(inst, Side.SELL, OrderType.MARKET, TimeInForce.TIF_NONE, SCALE, 0, 0)
    p.parse_ack(b'{"orderId":502,"success":true,"errorCode":0,"errorMessage":null}', store.client_id(sell).encode())
    ap.apply(p)
    p.parse(trade_event(9003, 502, 1, "20010.25", side=1))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED
    assert book.get(inst)["realized_raw"] == 20 * SCALE
    book.set_mark(inst, 2001025 * 10**6)
    assert book.get(inst)["unrealized_raw"] == 20 * SCALE      # 1 contract x 10 points x $2


def test_an_open_event_with_a_new_price_is_an_amendment_and_a_cancel_ends_it():
    reg, inst, store, book, ap = setup()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 2 * SCALE, 2000025 * 10**6, 0)
    tag = store.client_id(slot)
    p = TopstepxParser()
    p.parse(order_event(600, tag, 1))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.state_of(slot) == OrderState.NEW
    p.parse(order_event(600, tag, 1, price="19999.75"))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.order(slot).price_raw == 1999975 * 10**6
    p.parse(order_event(600, None, 3))                          # no tag: found by the venue id
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.state_of(slot) == OrderState.CANCELLED


def test_a_trade_of_an_order_nobody_named_is_foreign():
    reg, inst, store, book, ap = setup()
    p = TopstepxParser()
    p.parse(trade_event(1, 777, 1, "20000"))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_FOREIGN


def test_a_join_order_takes_the_price_the_venue_gives_it_and_only_a_later_change_is_an_amendment():
    reg, inst, store, book, ap = setup()
    p = TopstepxParser()
    for before_ack in (True, False):                 # the hub's event before or after the place answer
        slot = store.create(inst, Side.BUY, OrderType.JOIN_BID, TimeInForce.GTC, SCALE, 0, 0)
        tag = store.client_id(slot)
        oid = 700 + before_ack
        ack = b'{"orderId":%d,"success":true,"errorCode":0,"errorMessage":null}' % oid
        if not before_ack:
            p.parse_ack(ack, tag.encode())
            assert ap.apply(p) == ApplyStatus.AP_APPLIED
        p.parse(order_event(oid, tag, 1, size=1, price="20000.25", gw_type=6))
        p.next_record()
        # (after the answer the open event is a repeat of what the store holds: ignored, its price taken)
        assert ap.apply(p) in (ApplyStatus.AP_APPLIED, ApplyStatus.AP_IGNORED) and ap.event != OrderEvent.EV_AMENDED
        if before_ack:
            p.parse_ack(ack, tag.encode())
            ap.apply(p)
        o = store.order(slot)
        assert o.state == OrderState.NEW and o.order_type == OrderType.JOIN_BID and o.price_raw == 2000025 * 10**6
        p.parse(order_event(oid, tag, 1, size=1, price="20000.5", gw_type=6))      # modified at the venue
        p.next_record()
        assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_AMENDED
        assert store.order(slot).price_raw == 2000050 * 10**6
    # a limit order's price is its own: an event with another price is an amendment, never taken silently
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, SCALE, 1999975 * 10**6, 0)
    p.parse(order_event(710, store.client_id(slot), 1, size=1, price="20000.25"))
    p.next_record()
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and store.order(slot).price_raw == 1999975 * 10**6


def test_applying_a_join_orders_events_allocates_nothing():
    reg, inst, store, book, ap = setup()
    p = TopstepxParser()
    slot = store.create(inst, Side.SELL, OrderType.JOIN_ASK, TimeInForce.GTC, SCALE, 0, 0)
    event = order_event(800, store.client_id(slot), 1, size=1, price="20000.5", gw_type=7)
    parse, next_record, apply = p.parse, p.next_record, ap.apply

    def call():          # the first takes the venue's price; the repeats are the steady state
        parse(event)
        while next_record():
            apply(p)

    call()
    assert store.order(slot).price_raw == 2000050 * 10**6
    assert python_allocations_per_call_bytes(call, 20_000) == 0
    assert allocated_blocks_delta(call, 20_000) == 0
