"""engine._parse_mexc_stream against the protobuf package with the official schema, plus fuzzing.

The fact sheet's frame vectors (shared/venues/mexc-spot.md §3) are encoded by the reference from
the doc values (proving the field numbers) and read by the compiled reader; random frames built by
the reference, reordered and padded with unknown fields, must read the same through both; mutated
and random bytes either raise ParseError or read as the reference reads them.
"""

import random

import pytest
from google.protobuf.message import DecodeError
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._parse_common import MessageKind, ParseError, RecordFlag
from engine._parse_mexc_stream import MexcStreamParser, parse_many, read_many
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import mutate
from tests.support.mexc_proto import ACCOUNT, DEALS, ORDERS, Bad, Wrapper, decode, expected

SAMPLES = [ORDERS, DEALS, ACCOUNT]
E8 = 100_000_000


def doc_orders():
    w = Wrapper(channel="spot@private.orders.v3.api.pb", symbol="MXUSDT", sendTime=1736417034281)
    o = w.privateOrders
    o.id, o.price, o.quantity, o.amount, o.avgPrice = "C02__505979017439002624115", "3.5121", "1", "0", "3.6962"
    o.orderType, o.tradeType, o.remainAmount, o.remainQuantity = 5, 2, "0", "0"
    o.lastDealQuantity, o.cumulativeQuantity, o.cumulativeAmount, o.status = "1", "1", "3.6962", 2
    o.createTime = 1736417034259
    return w


def doc_deals():
    w = Wrapper(channel="spot@private.deals.v3.api.pb", symbol="MXUSDT", sendTime=1736417034332)
    d = w.privateDeals
    d.price, d.quantity, d.amount, d.tradeType = "3.6962", "1", "3.6962", 2
    d.tradeId, d.orderId = "505979017439002624X1", "C02__505979017439002624115"
    d.feeAmount, d.feeCurrency, d.time = "0.0003998377369698171", "MX", 1736417034280
    return w


def doc_account():
    w = Wrapper(channel="spot@private.account.v3.api.pb", createTime=1736417034305, sendTime=1736417034307)
    a = w.privateAccount
    a.vcoinName, a.coinId, a.balanceAmount = "USDT", "128f589271cb4951b03e71e6323eb7be", "21.94210356004384"
    a.balanceAmountChange, a.frozenAmount, a.frozenAmountChange = "10", "0", "0"
    a.type, a.time = "CONTRACT_TRANSFER", 1736416910000
    return w


def compiled(frame: bytes):
    p = MexcStreamParser()
    kind = p.parse(frame)
    bal = None
    if p.body == 307:
        bal = {"asset": p.account_asset, "free_raw": p.account_free_raw, "locked_raw": p.account_locked_raw,
               "ts_ms": p.account_ts_ms, "flags": p.account_flags}
    return kind, (p.to_dict() if p.next_record() else {}), bal


def check(frame: bytes):
    """The compiled reader agrees with the reference (or both refuse); returns the reference's view."""
    try:
        want = expected(decode(frame))
    except (DecodeError, Bad):
        with pytest.raises(ParseError):
            compiled(frame)
        return None
    assert compiled(frame) == want
    return want


# ---- the fact sheet's vectors -------------------------------------------------------------------------

@pytest.mark.parametrize("build,frame", [(doc_orders, ORDERS), (doc_deals, DEALS), (doc_account, ACCOUNT)],
                         ids=["orders", "deals", "account"])
def test_the_sheet_vectors_are_the_doc_values_encoded(build, frame):
    assert build().SerializeToString() == frame
    assert check(frame) is not None


def test_orders_vector_fields():
    kind, rec, bal = compiled(ORDERS)
    assert kind == MessageKind.ORDER_STATE and bal is None
    assert rec == {"kind": MessageKind.ORDER_STATE, "flags": RecordFlag.NO_AMEND, "ts_event_ms": 1736417034281, "symbol": "MXUSDT",
                   "venue_order_id": "C02__505979017439002624115", "side": Side.SELL, "order_type": OrderType.MARKET,
                   "time_in_force": TimeInForce.TIF_NONE, "order_state": OrderState.FILLED, "qty_raw": E8,
                   "price_raw": 351210000, "last_qty_raw": E8, "cum_qty_raw": E8, "cum_quote_raw": 369620000,
                   "avg_price_raw": 369620000, "leaves_qty_raw": 0, "is_maker": False}


def test_deals_vector_fields_taker_by_default_and_a_19_decimal_fee_rounded():
    kind, rec, _ = compiled(DEALS)
    assert kind == MessageKind.TRADE
    assert rec["is_maker"] is False                      # isMaker absent on the wire: a taker
    assert rec["exec_type"] == ExecType.EXEC_TRADE and rec["exec_id"] == "505979017439002624X1"
    assert (rec["last_price_raw"], rec["last_qty_raw"], rec["last_quote_raw"]) == (369620000, E8, 369620000)
    assert rec["commission_raw"] == 39984 and rec["commission_asset"] == "MX"   # 0.00039983(77) half-even
    assert rec["flags"] & RecordFlag.ROUNDED
    assert (rec["ts_event_ms"], rec["ts_transact_ms"], rec["symbol"]) == (1736417034332, 1736417034280, "MXUSDT")


def test_account_vector_is_a_balance_not_an_order():
    p = MexcStreamParser()
    assert p.parse(ACCOUNT) == MessageKind.OTHER and p.body == 307 and not p.next_record()
    assert (p.account_asset, p.account_free_raw, p.account_locked_raw) == ("USDT", 2194210356, 0)
    assert p.account_ts_ms == 1736416910000 and p.account_flags & RecordFlag.ROUNDED


# ---- rules -----------------------------------------------------------------------------------------------

def order_frame(**fields) -> bytes:
    w = Wrapper(channel="spot@private.orders.v3.api.pb", symbol="BTCUSDT", sendTime=5)
    o = w.privateOrders
    o.id, o.clientId, o.status, o.orderType, o.tradeType = "C02__1", "cl-1", 1, 1, 1
    for k, v in fields.items():
        setattr(o, k, v)
    return w.SerializeToString()


@pytest.mark.parametrize("order_type,status,state", [
    (1, 4, OrderState.CANCELLED), (1, 5, OrderState.CANCELLED), (2, 4, OrderState.CANCELLED),
    (3, 4, OrderState.EXPIRED), (3, 5, OrderState.EXPIRED), (4, 4, OrderState.EXPIRED), (5, 5, OrderState.EXPIRED),
    (1, 1, OrderState.NEW), (1, 3, OrderState.PARTIALLY_FILLED), (5, 2, OrderState.FILLED)])
def test_status_mapping_partially_cancelled_is_terminal(order_type, status, state):
    _, rec, _ = compiled(order_frame(orderType=order_type, status=status, cumulativeQuantity="0.5"))
    assert rec["order_state"] == state and rec["cum_qty_raw"] == E8 // 2


@pytest.mark.parametrize("frame", [
    order_frame(status=0), order_frame(status=6), order_frame(price="1.2.3"), order_frame(id="x" * 49),
    order_frame(clientId="c" * 65), Wrapper(symbol="S" * 33, privateOrders={"status": 1}).SerializeToString(),
    Wrapper(privateDeals={"price": "1", "quantity": "1"}).SerializeToString(),       # no trade id
    Wrapper(privateAccount={"balanceAmount": "1"}).SerializeToString(),              # no asset
    Wrapper(privateAccount={"vcoinName": "A" * 17}).SerializeToString(),
    ORDERS[:-1], ORDERS + b"\x08", b"\x0a\x05abc", b"\x00\x01", b"\x1b\x1c", b"\x82\x13\x05\x0a\x03\xff\xfe\xfd",
])
def test_unusable_frames_raise_and_leave_the_record_empty(frame):
    p = MexcStreamParser()
    p.parse(ORDERS)
    with pytest.raises(ParseError):
        p.parse(frame)
    assert p.kind == MessageKind.NONE and p.to_dict() == {"kind": MessageKind.NONE, "flags": 0}
    assert not p.next_record() and p.error_offset >= 0


def test_fields_in_any_order_unknown_fields_and_wire_type_mismatches_are_skipped():
    fields = split(ORDERS)
    body = next(v for f, w, v in fields if f == 304)
    inner = split(body)
    random.Random(1).shuffle(inner)
    inner += [(99, 0, b"\x96\x01"), (7, 2, b"\x02\x01\x02"), (1000, 5, b"abcd"), (40, 1, b"12345678")]
    outer = [(f, w, join(inner) if f == 304 else v) for f, w, v in fields][::-1] + [(3, 0, b"\x01"), (200, 2, b"")]
    frame = join(outer)
    assert compiled(frame) == compiled(ORDERS)
    assert check(frame) is not None


def test_a_repeated_body_is_merged_and_another_body_replaces_it():
    part1 = Wrapper(privateOrders={"id": "A", "status": 1, "price": "2"}).SerializeToString()
    part2 = Wrapper(symbol="X", privateOrders={"clientId": "c", "status": 4}).SerializeToString()
    kind, rec, _ = compiled(part1 + part2)
    assert kind == MessageKind.ORDER_STATE and rec["venue_order_id"] == "A" and rec["client_id"] == "c"
    assert rec["order_state"] == OrderState.CANCELLED and rec["price_raw"] == 2 * E8 and rec["symbol"] == "X"
    assert check(part1 + part2) is not None
    deal = Wrapper(privateDeals={"price": "1", "quantity": "1", "tradeId": "t"}).SerializeToString()
    kind, rec, _ = compiled(part1 + deal)
    assert kind == MessageKind.TRADE and "price_raw" not in rec and "client_id" not in rec
    assert check(part1 + deal) is not None
    assert compiled(deal + Wrapper(publicDeals={}).SerializeToString())[0] == MessageKind.OTHER


def test_the_record_is_handed_out_once():
    p = MexcStreamParser()
    assert p.parse(DEALS) == MessageKind.TRADE
    assert p.next_record() and not p.next_record()


# ---- property tests against the reference ------------------------------------------------------------

def split(data: bytes) -> list[tuple[int, int, bytes]]:
    """Top-level fields of a (well-formed) message: (number, wire type, value bytes as on the wire)."""
    out, i = [], 0
    while i < len(data):
        tag, i = _varint(data, i)
        field, wire = tag >> 3, tag & 7
        start = i
        if wire == 0:
            _, i = _varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        else:
            n, i = _varint(data, i)
            start, i = i, i + n
        out.append((field, wire, data[start:i]))
    return out


def join(fields) -> bytes:
    out = bytearray()
    for field, wire, value in fields:
        out += _enc_varint(field << 3 | wire)
        if wire == 2:
            out += _enc_varint(len(value))
        out += value
    return bytes(out)


def _varint(data, i):
    v = shift = 0
    while True:
        b = data[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def _enc_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


_decimal = st.one_of(st.from_regex(r"-?[0-9]{1,9}(\.[0-9]{1,12})?", fullmatch=True), st.just(""),
                     st.sampled_from(["1e5", "1.", " 1", "--1", "99999999999999"]))
_text = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{0,40}", fullmatch=True), st.text(max_size=70))
_enum = st.one_of(st.integers(0, 6), st.sampled_from([100, -1, 2**31 - 1]))
_i64 = st.integers(-(2**63), 2**63 - 1)


@st.composite
def frames(draw):
    w = Wrapper()
    if draw(st.booleans()):
        w.channel = draw(_text)
    if draw(st.booleans()):
        w.symbol = draw(st.from_regex(r"[A-Z]{0,34}", fullmatch=True))
    if draw(st.booleans()):
        w.sendTime = draw(_i64)
    if draw(st.booleans()):
        w.createTime = draw(_i64)
    body = draw(st.sampled_from(["orders", "deals", "account", "public", "none"]))
    if body == "orders":
        o = w.privateOrders
        o.status = draw(_enum)
        for name in ("price", "quantity", "avgPrice", "remainQuantity", "cumulativeQuantity", "cumulativeAmount",
                     "amount"):
            if draw(st.booleans()):
                setattr(o, name, draw(_decimal))
        for name in ("lastDealQuantity", "triggerPrice"):
            if draw(st.booleans()):
                setattr(o, name, draw(_decimal))
        for name in ("id", "clientId", "market", "ocoId"):
            if draw(st.booleans()):
                setattr(o, name, draw(_text))
        o.orderType, o.tradeType, o.isMaker = draw(_enum), draw(_enum), draw(st.booleans())
        o.createTime = draw(_i64)
    elif body == "deals":
        d = w.privateDeals
        for name in ("price", "quantity", "amount", "feeAmount"):
            if draw(st.integers(0, 4)):
                setattr(d, name, draw(_decimal))
        for name in ("tradeId", "clientOrderId", "orderId", "feeCurrency"):
            if draw(st.integers(0, 4)):
                setattr(d, name, draw(_text))
        d.tradeType, d.isMaker, d.isSelfTrade, d.time = draw(_enum), draw(st.booleans()), draw(st.booleans()), \
            draw(_i64)
    elif body == "account":
        a = w.privateAccount
        a.vcoinName = draw(st.one_of(st.from_regex(r"[A-Z]{0,18}", fullmatch=True), st.text(max_size=5)))
        a.balanceAmount, a.frozenAmount, a.type = draw(_decimal), draw(_decimal), draw(_text)
        a.time = draw(_i64)
    elif body == "public":
        w.publicBookTicker.SetInParent()
    frame = w.SerializeToString()
    fields = split(frame)
    rnd = random.Random(draw(st.integers(0, 2**32)))
    if draw(st.booleans()):
        fields = [(f, wt, join(rnd.sample(split(v), len(split(v)))) if f in (304, 306, 307) else v)
                  for f, wt, v in fields]
        rnd.shuffle(fields)
    extra = draw(st.lists(st.tuples(st.integers(20, 300).filter(lambda n: not 301 <= n <= 315),
                                    st.sampled_from([0, 1, 2, 5])), max_size=3))
    for number, wire in extra:
        value = {0: b"\x05", 1: b"\x00" * 8, 2: b"xy", 5: b"\x00" * 4}[wire]
        fields.insert(rnd.randrange(len(fields) + 1), (number, wire, value))
    return join(fields)


@settings(max_examples=300)
@given(frames())
def test_random_frames_read_as_the_reference_reads_them(frame):
    check(frame)


@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    try:
        compiled(data)
    except ParseError:
        return
    decode(data)                  # accepted implies the reference can decode it


@settings(max_examples=300)
@given(st.sampled_from(SAMPLES), st.data())
def test_mutations_raise_or_agree(sample, data):
    mutated = mutate(sample, data)
    try:
        got = compiled(mutated)
    except ParseError:
        return
    want = expected(decode(mutated))       # accepted: the reference decodes it and expects the same
    assert got == want


# ---- allocations ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("frame", SAMPLES, ids=["orders", "deals", "account"])
def test_zero_python_allocations_per_message(frame):
    p = MexcStreamParser()
    parse, next_record = p.parse, p.next_record

    def call():
        parse(frame)
        next_record()

    # one object made per message would show at once, one kept would show 20,000 times
    assert python_allocations_per_call_bytes(call, iterations=20_000) == 0
    assert allocated_blocks_delta(call, iterations=20_000) == 0


def test_the_c_entry_point_loop_allocates_nothing():
    p, frames_ = MexcStreamParser(), list(SAMPLES)
    assert python_allocations_per_call_bytes(lambda: parse_many(p, frames_, 10), iterations=2_000) == 0


def test_reading_as_the_compiled_stream_loop_does_allocates_nothing():
    p, frames_ = MexcStreamParser(), list(SAMPLES)
    parse = p.parse
    assert python_allocations_per_call_bytes(lambda: read_many(p, parse, frames_, 10), iterations=2_000) == 0
    assert p.holds(frames_[-1])


@given(st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{0,20})?", fullmatch=True), st.integers(0, 20), st.booleans())
def test_decimals_wherever_they_sit_in_the_frame(text, pad, last):
    """Decimals read with wide loads near the end of the buffer and far from it, against Decimal."""
    w = Wrapper(channel="c" * pad)
    w.privateDeals.quantity, w.privateDeals.tradeId = "1", "t"
    fields = split(w.SerializeToString())
    body = split(fields[-1][2])
    price = (1, 2, text.encode())
    body = body + [price] if last else [price] + body
    check(join(fields[:-1] + [(306, 2, join(body))]))


@pytest.mark.parametrize("text,raw", [
    ("0.000000005", 0), ("0.000000015", 2), ("0.000000025", 2), ("0.0000000250001", 3), ("0.0000000249", 2),
    ("-0.000000015", -2), ("1.999999995", 2 * E8), ("0.0003998377369698171", 39984), ("12.1234567800000", 1212345678)])
def test_more_than_eight_decimals_round_half_even_and_say_so(text, raw):
    """The fast reader's rounding (a fee comes with up to 19 decimals) is the general reader's: half-even."""
    frame = Wrapper(privateDeals={"price": "1", "quantity": "1", "tradeId": "t", "feeAmount": text}).SerializeToString()
    want = check(frame)
    assert want[1]["commission_raw"] == raw
    assert bool(want[1]["flags"] & RecordFlag.ROUNDED) == (text.split(".")[1][8:].strip("0") != "")


@pytest.mark.parametrize("first, reads", [
    (b"not a number", True),            # replaced before it is read: only the last value counts
    (b"x" * 60, True),                  # an id too long, replaced likewise
    (b"\xff\xfe", False),               # not UTF-8: a proto3 string is refused wherever it stands
])
def test_a_repeated_field_is_judged_by_its_last_value_and_every_string_by_utf8(first, reads):
    """Rule 7: the fields are found, then the last occurrence converted; as the reference decoder sees it."""
    body = split(Wrapper(privateDeals={"price": "2", "quantity": "1", "tradeId": "t"}).SerializeToString())[0][2]
    fields = [(1, 2, first), (7, 2, first)] + split(body)          # price and tradeId, then again as sent
    frame = join([(306, 2, join(fields))])
    if reads:
        kind, rec, _ = compiled(frame)
        assert kind == MessageKind.TRADE and rec["last_price_raw"] == 2 * E8 and rec["exec_id"] == "t"
        assert check(frame) is not None
    else:
        with pytest.raises(ParseError):
            compiled(frame)
        assert check(frame) is None                                  # the reference refuses it too


# ---- a second reader of the same frame, and the balance into the compiled account ---------------------

def test_holds_is_true_only_of_the_frame_the_last_parse_read_whole():
    p = MexcStreamParser()
    p.parse(ACCOUNT)
    assert p.holds(ACCOUNT) and not p.holds(bytes(bytearray(ACCOUNT)))      # identity, not equal bytes
    with pytest.raises(ParseError):
        p.parse(ACCOUNT[:-3])
    assert not p.holds(ACCOUNT) and not p.holds(ACCOUNT[:-3])
    p.parse(ORDERS)
    parse_many(p, [DEALS], 1)                                               # the C entry point: held no more
    assert not p.holds(ORDERS)


def test_an_account_push_is_applied_to_the_compiled_account_by_its_asset_bytes():
    from engine._account import Account
    from engine._instruments import Instruments
    from engine._positions import PositionBook

    reg = Instruments(16)
    account = Account(reg, PositionBook(16), 8)
    p = MexcStreamParser()
    p.parse(ACCOUNT)                                                        # USDT 21.94210356004384 free, 0 frozen
    assert p.apply_spot(account, reg.asset_names) == -1                     # not registered yet: nothing applied
    ids = [reg.asset_id(a) for a in ("BTC", "USDTX", "USDT")]
    assert p.apply_spot(account, reg.asset_names) == 1 and p.asset(0) == "USDT"
    assert account.balance(ids[2])[:2] == (2_194_210_356, 0) and account.balance(ids[1])[:2] == (0, 0)
    with pytest.raises(IndexError):
        p.asset(1)
    p.parse(ORDERS)
    assert p.apply_spot(account, reg.asset_names) == -1
    with pytest.raises(IndexError):
        p.asset(0)
