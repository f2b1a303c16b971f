"""engine._codec_topstepx: the sheet's bodies byte for byte, refusals before anything is sent, no allocation."""

import json

import pytest

from engine._codec_errors import EncodeError
from engine._codec_topstepx import TopstepxOrderEncoder
from engine._enums import OrderType, Side

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes

SCALE = 10**8


def body(enc, n):
    return bytes(enc.buffer[:n])


def test_place_with_brackets_is_the_sheets_example():
    enc = TopstepxOrderEncoder(465)
    n = enc.new_order(b"CON.F.US.EP.M25", Side.BUY, OrderType.LIMIT, SCALE, 510025 * 10**6, 0, b"strat1-000017",
                      stop_ticks=-20, take_ticks=40)
    assert body(enc, n) == (b'{"accountId":465,"contractId":"CON.F.US.EP.M25","type":1,"side":0,"size":1,'
                            b'"limitPrice":5100.25,"stopPrice":null,"trailPrice":null,"customTag":"strat1-000017",'
                            b'"stopLossBracket":{"ticks":-20,"type":4},"takeProfitBracket":{"ticks":40,"type":1}}')
    assert enc.path == b"/api/Order/place"


def test_modify_and_cancel_are_the_sheets_examples():
    enc = TopstepxOrderEncoder(465)
    n = enc.modify_order(26974, SCALE, 0, 1604 * SCALE)
    assert body(enc, n) == b'{"accountId":465,"orderId":26974,"size":1,"limitPrice":null,"stopPrice":1604,"trailPrice":null}'
    n = enc.cancel_order(26974)
    assert body(enc, n) == b'{"accountId":465,"orderId":26974}' and enc.path == b"/api/Order/cancel"


@pytest.mark.parametrize("otype, price, stop, trail, want", [
    (OrderType.MARKET, 0, 0, 0, {"type": 2, "limitPrice": None, "stopPrice": None}),
    (OrderType.STOP_LOSS, 0, 2010025 * 10**6, 0, {"type": 4, "stopPrice": 20100.25}),
    (OrderType.TRAILING_STOP, 0, 0, 7044 * 10**6, {"type": 5, "trailPrice": 70.44}),
    # priced by the venue (its best bid / ask): no price of ours
    (OrderType.JOIN_BID, 0, 0, 0, {"type": 6, "limitPrice": None, "stopPrice": None, "trailPrice": None}),
    (OrderType.JOIN_ASK, 0, 0, 0, {"type": 7, "limitPrice": None, "stopPrice": None, "trailPrice": None}),
])
def test_order_types(otype, price, stop, trail, want):
    enc = TopstepxOrderEncoder(7)
    d = json.loads(body(enc, enc.new_order("CON.F.US.MNQ.Z26", Side.SELL, otype, 3 * SCALE, price, stop, "t-1",
                                           trail_raw=trail)))
    assert d["side"] == 1 and d["size"] == 3 and d["customTag"] == "t-1"
    assert "stopLossBracket" not in d
    for k, v in want.items():
        assert d[k] == v


@pytest.mark.parametrize("kw", [
    dict(qty_raw=SCALE // 2),                                            # a fractional contract
    dict(qty_raw=0),
    dict(order_type=OrderType.LIMIT, price_raw=0),
    dict(order_type=OrderType.LIMIT_MAKER, price_raw=SCALE),              # no post-only on the Gateway
    dict(order_type=OrderType.STOP_LOSS_LIMIT, price_raw=SCALE, stop_raw=SCALE),   # type 3 unconfirmed
    dict(order_type=OrderType.TAKE_PROFIT, stop_raw=SCALE),
    dict(order_type=OrderType.MARKET, price_raw=SCALE),
    dict(order_type=OrderType.TRAILING_STOP),
    dict(order_type=OrderType.JOIN_BID, price_raw=SCALE),                # the venue prices a join order
    dict(order_type=OrderType.JOIN_ASK, stop_raw=SCALE),
    dict(order_type=OrderType.JOIN_ASK, qty_raw=SCALE * 3 // 2),
    dict(order_type=12),
    dict(side=0),
    dict(client_id="has space"),
    dict(client_id="x" * 37),
    dict(contract_id='CON"F'),
    dict(stop_ticks=-5, stop_type=7),
])
def test_bad_input_is_refused(kw):
    args = dict(contract_id="CON.F.US.MNQ.Z26", side=Side.BUY, order_type=OrderType.MARKET, qty_raw=SCALE,
                price_raw=0, stop_raw=0, client_id="a")
    extra = {k: kw.pop(k) for k in ("stop_ticks", "stop_type") if k in kw}
    args.update(kw)
    enc = TopstepxOrderEncoder(7)
    with pytest.raises(EncodeError):
        enc.new_order(**args, **extra)
    assert enc.length == 0


def test_modify_refuses_nothing_and_fractions():
    enc = TopstepxOrderEncoder(7)
    with pytest.raises(EncodeError):
        enc.modify_order(1)
    with pytest.raises(EncodeError):
        enc.modify_order(1, qty_raw=SCALE + 1)
    with pytest.raises(EncodeError):
        enc.cancel_order(0)
    with pytest.raises(ValueError):
        TopstepxOrderEncoder(0)


def test_encoding_allocates_nothing():
    enc = TopstepxOrderEncoder(465)
    cid, contract = b"strat1-000017", b"CON.F.US.EP.M25"
    new_order, limit, join, buy = enc.new_order, int(OrderType.LIMIT), int(OrderType.JOIN_BID), int(Side.BUY)

    def one():
        new_order(contract, buy, limit, 100000000, 510025000000, 0, cid)
        new_order(contract, buy, join, 100000000, 0, 0, cid)

    assert allocated_blocks_delta(one, 20_000) == 0
    assert python_allocations_per_call_bytes(one, 20_000) == 0
