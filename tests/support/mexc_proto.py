"""The reference decoder of MEXC's private-stream frames: the ``protobuf`` package with the official schema.

The schema is mexcdevelop/websocket-proto (``PushDataV3ApiWrapper.proto``,
``PrivateOrdersV3Api.proto``, ``PrivateDealsV3Api.proto``, ``PrivateAccountV3Api.proto``;
shared/venues/mexc-spot.md §7), written here as descriptors: proto3, no package, ``optional``
fields with explicit presence.  The wrapper's public bodies (301-315 but the private three)
are empty stand-ins: they never come on the private stream, and their contents are unknown
fields to the reference as to the engine's reader.

:func:`expected` turns a decoded wrapper into the record the compiled reader must give,
with its rules written independently (shared/venues/mexc-spot.md §7 enums, proto3 defaults).
"""

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._parse_common import MessageKind, RecordFlag
from tests.support.parse_reference import Bad, RecordRef

# The fact sheet's frame vectors (shared/venues/mexc-spot.md §3): the doc push examples encoded.
ORDERS_HEX = ("0a1d73706f7440707269766174652e6f72646572732e76332e6170692e70621a064d585553445430a98095d4c43282135"
              "40a1a4330325f5f3530353937393031373433393030323632343131351a06332e353132312201312a01303206332e3639"
              "3632380540025201305a01306201316a01317206332e3639363278028001938095d4c432")
DEALS_HEX = ("0a1c73706f7440707269766174652e6465616c732e76332e6170692e70621a064d585553445430dc8095d4c432921369"
             "0a06332e363936321201311a06332e3639363220023a1435303539373930313734333930303236323458314a1a4330325f"
             "5f3530353937393031373433393030323632343131355215302e303030333939383337373336393639383137315a024d58"
             "60a88095d4c432")
ACCOUNT_HEX = ("0a1e73706f7440707269766174652e6163636f756e742e76332e6170692e706228c18095d4c43230c38095d4c4329a13"
               "5f0a0455534454122031323866353839323731636234393531623033653731653633323365623762651a1132312e393432"
               "3130333536303034333834220231302a01303201303a11434f4e54524143545f5452414e5346455240b0b58dd4c432")
SHEET_FRAMES = ORDERS, DEALS, ACCOUNT = tuple(bytes.fromhex(h) for h in (ORDERS_HEX, DEALS_HEX, ACCOUNT_HEX))

F = descriptor_pb2.FieldDescriptorProto
S, I32, I64, B = F.TYPE_STRING, F.TYPE_INT32, F.TYPE_INT64, F.TYPE_BOOL

# (number, name, type, proto3 optional)
ORDERS_FIELDS = [
    (1, "id", S, 0), (2, "clientId", S, 0), (3, "price", S, 0), (4, "quantity", S, 0), (5, "amount", S, 0),
    (6, "avgPrice", S, 0), (7, "orderType", I32, 0), (8, "tradeType", I32, 0), (9, "isMaker", B, 0),
    (10, "remainAmount", S, 0), (11, "remainQuantity", S, 0), (12, "lastDealQuantity", S, 1),
    (13, "cumulativeQuantity", S, 0), (14, "cumulativeAmount", S, 0), (15, "status", I32, 0), (16, "createTime", I64, 0),
    (17, "market", S, 1), (18, "triggerType", I32, 1), (19, "triggerPrice", S, 1), (20, "state", I32, 1),
    (21, "ocoId", S, 1), (22, "routeFactor", S, 1), (23, "symbolId", S, 1), (24, "marketId", S, 1),
    (25, "marketCurrencyId", S, 1), (26, "currencyId", S, 1)]
DEALS_FIELDS = [
    (1, "price", S, 0), (2, "quantity", S, 0), (3, "amount", S, 0), (4, "tradeType", I32, 0), (5, "isMaker", B, 0),
    (6, "isSelfTrade", B, 0), (7, "tradeId", S, 0), (8, "clientOrderId", S, 0), (9, "orderId", S, 0),
    (10, "feeAmount", S, 0), (11, "feeCurrency", S, 0), (12, "time", I64, 0)]
ACCOUNT_FIELDS = [
    (1, "vcoinName", S, 0), (2, "coinId", S, 0), (3, "balanceAmount", S, 0), (4, "balanceAmountChange", S, 0),
    (5, "frozenAmount", S, 0), (6, "frozenAmountChange", S, 0), (7, "type", S, 0), (8, "time", I64, 0)]
BODIES = [(301, "publicDeals", "PublicDealsV3Api"), (302, "publicIncreaseDepths", "PublicIncreaseDepthsV3Api"),
          (303, "publicLimitDepths", "PublicLimitDepthsV3Api"), (304, "privateOrders", "PrivateOrdersV3Api"),
          (305, "publicBookTicker", "PublicBookTickerV3Api"), (306, "privateDeals", "PrivateDealsV3Api"),
          (307, "privateAccount", "PrivateAccountV3Api"), (308, "publicSpotKline", "PublicSpotKlineV3Api"),
          (309, "publicMiniTicker", "PublicMiniTickerV3Api"), (310, "publicMiniTickers", "PublicMiniTickersV3Api"),
          (311, "publicBookTickerBatch", "PublicBookTickerBatchV3Api"),
          (312, "publicIncreaseDepthsBatch", "PublicIncreaseDepthsBatchV3Api"),
          (313, "publicAggreDepths", "PublicAggreDepthsV3Api"), (314, "publicAggreDeals", "PublicAggreDealsV3Api"),
          (315, "publicAggreBookTicker", "PublicAggreBookTickerV3Api")]
WRAPPER_FIELDS = [(1, "channel", S, 0), (3, "symbol", S, 1), (4, "symbolId", S, 1), (5, "createTime", I64, 1),
                  (6, "sendTime", I64, 1)]


def _message(file, name, fields, oneof_body=None):
    m = file.message_type.add(name=name)
    if oneof_body:
        m.oneof_decl.add(name="body")
        for number, fname, tname in oneof_body:
            m.field.add(name=fname, number=number, type=F.TYPE_MESSAGE, type_name=f".{tname}",
                        label=F.LABEL_OPTIONAL, oneof_index=0)
    for number, fname, ftype, optional in fields:
        f = m.field.add(name=fname, number=number, type=ftype, label=F.LABEL_OPTIONAL)
        if optional:            # proto3 `optional`: a synthetic oneof of its own, after the real ones
            f.proto3_optional = True
            f.oneof_index = len(m.oneof_decl)
            m.oneof_decl.add(name=f"_{fname}")


def _classes():
    file = descriptor_pb2.FileDescriptorProto(name="mexc_private_push.proto", syntax="proto3")
    _message(file, "PrivateOrdersV3Api", ORDERS_FIELDS)
    _message(file, "PrivateDealsV3Api", DEALS_FIELDS)
    _message(file, "PrivateAccountV3Api", ACCOUNT_FIELDS)
    for _, _, tname in BODIES:
        if tname.startswith("Public"):
            _message(file, tname, [])
    _message(file, "PushDataV3ApiWrapper", WRAPPER_FIELDS, BODIES)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
            for name in ("PushDataV3ApiWrapper", "PrivateOrdersV3Api", "PrivateDealsV3Api", "PrivateAccountV3Api")}


CLASSES = _classes()
Wrapper = CLASSES["PushDataV3ApiWrapper"]


def decode(frame: bytes):
    """The reference decoding (raises ``google.protobuf.message.DecodeError``)."""
    msg = Wrapper()
    msg.ParseFromString(frame)
    return msg


# ---- the record the compiled reader must give -----------------------------------------------------------

ORDER_TYPES = {1: (OrderType.LIMIT, TimeInForce.GTC), 2: (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY),
               3: (OrderType.LIMIT, TimeInForce.IOC), 4: (OrderType.LIMIT, TimeInForce.FOK),
               5: (OrderType.MARKET, TimeInForce.TIF_NONE)}
STATUSES = {1: OrderState.NEW, 2: OrderState.FILLED, 3: OrderState.PARTIALLY_FILLED, 4: OrderState.CANCELLED,
            5: OrderState.CANCELLED}
SIDES = {1: Side.BUY, 2: Side.SELL}


def _text(r: RecordRef, field: str, v: str, cap: int) -> None:
    if v:                       # proto3: an empty string is the default, absent on the wire and in the record
        r.text(field, v, cap)


def _side(r: RecordRef, v: int) -> None:
    if v:
        if v not in SIDES:
            r.flags |= RecordFlag.UNKNOWN_ENUM
        r.d["side"] = SIDES.get(v, 0)


def _wrap_common(r: RecordRef, msg) -> None:
    if msg.HasField("sendTime"):
        r.d["ts_event_ms"] = msg.sendTime
    elif msg.HasField("createTime"):
        r.d["ts_event_ms"] = msg.createTime
    if msg.symbol:
        _text(r, "symbol", msg.symbol, 32)


def expected(msg) -> tuple[int, dict, dict | None]:
    """(kind, record fields, balance or None) for a decoded wrapper; raises :class:`Bad` where the reader
    must raise ParseError."""
    body = msg.WhichOneof("body")
    r = RecordRef()
    if body == "privateOrders":
        o = msg.privateOrders
        if o.status not in STATUSES:
            raise Bad("status")
        _text(r, "venue_order_id", o.id, 48)
        _text(r, "client_id", o.clientId, 64)
        for field, v in (("price_raw", o.price), ("qty_raw", o.quantity), ("avg_price_raw", o.avgPrice),
                         ("leaves_qty_raw", o.remainQuantity), ("last_qty_raw", o.lastDealQuantity),
                         ("cum_qty_raw", o.cumulativeQuantity), ("cum_quote_raw", o.cumulativeAmount),
                         ("stop_price_raw", o.triggerPrice)):
            r.decimal(field, v)
        if o.orderType:
            if o.orderType not in ORDER_TYPES:
                r.flags |= RecordFlag.UNKNOWN_ENUM
            r.d["order_type"], r.d["time_in_force"] = ORDER_TYPES.get(o.orderType, (0, TimeInForce.TIF_NONE))
        _side(r, o.tradeType)
        state = STATUSES[o.status]
        if state == OrderState.CANCELLED and o.orderType in (3, 4, 5):
            state = OrderState.EXPIRED
        r.d["order_state"] = state
        r.d["is_maker"] = o.isMaker
        r.flags |= RecordFlag.NO_AMEND          # MEXC never amends in place
        kind = MessageKind.ORDER_STATE
    elif body == "privateDeals":
        d = msg.privateDeals
        if not (d.price and d.quantity and d.tradeId):
            raise Bad("deal")
        for field, v in (("last_price_raw", d.price), ("last_qty_raw", d.quantity), ("last_quote_raw", d.amount),
                         ("commission_raw", d.feeAmount)):
            r.decimal(field, v)
        _text(r, "exec_id", d.tradeId, 48)
        _text(r, "client_id", d.clientOrderId, 64)
        _text(r, "venue_order_id", d.orderId, 48)
        _text(r, "commission_asset", d.feeCurrency, 16)
        if d.time:
            r.d["ts_transact_ms"] = d.time
        _side(r, d.tradeType)
        r.d["exec_type"] = ExecType.EXEC_TRADE
        r.d["is_maker"] = d.isMaker
        kind = MessageKind.TRADE
    else:
        kind = MessageKind.OTHER
        bal = None
        if body == "privateAccount":
            a = msg.privateAccount
            if not a.vcoinName:
                raise Bad("vcoinName")
            if len(a.vcoinName.encode()) > 16:
                raise Bad("vcoinName")
            b = RecordRef()
            b.decimal("free_raw", a.balanceAmount)
            b.decimal("locked_raw", a.frozenAmount)
            ts = a.time or (msg.sendTime if msg.HasField("sendTime") else msg.createTime)
            bal = {"asset": a.vcoinName, "free_raw": b.d.get("free_raw", 0), "locked_raw": b.d.get("locked_raw", 0),
                   "ts_ms": ts, "flags": b.flags}
        return kind, {}, bal
    _wrap_common(r, msg)
    r.d = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in r.d.items()}
    return kind, {"kind": kind, "flags": r.flags, **r.d}, None
