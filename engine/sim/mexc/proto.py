"""The MEXC private stream's protobuf frames, written (mexc-spot.md §7; mexcdevelop/websocket-proto).

``PushDataV3ApiWrapper`` (1 channel, 3 symbol, 5 createTime, 6 sendTime, body 304 privateOrders |
306 privateDeals | 307 privateAccount) around ``PrivateOrdersV3Api``, ``PrivateDealsV3Api`` or
``PrivateAccountV3Api``.  Fields go out in ascending number order, as protoc and protobufjs write
them; proto3 defaults are left out (an empty string, 0, false): a decoder meets them absent, as it
does on the venue.  ``optional`` fields (proto3 explicit presence: the wrapper's symbol and times,
``lastDealQuantity``) are written whenever they are given, defaults included.

The simulator's side only: the engine reads these frames with its compiled reader.
"""

from __future__ import annotations

__all__ = ["ORDERS_CHANNEL", "DEALS_CHANNEL", "ACCOUNT_CHANNEL", "CHANNELS", "orders_frame", "deals_frame",
           "account_frame"]

ORDERS_CHANNEL = "spot@private.orders.v3.api.pb"
DEALS_CHANNEL = "spot@private.deals.v3.api.pb"
ACCOUNT_CHANNEL = "spot@private.account.v3.api.pb"
CHANNELS = (ACCOUNT_CHANNEL, DEALS_CHANNEL, ORDERS_CHANNEL)

_VARINT, _LEN = 0, 2

# (number, name, kind, optional): kind "s" string, "i" int32/int64, "b" bool
_ORDERS = ((1, "id", "s", 0), (2, "clientId", "s", 0), (3, "price", "s", 0), (4, "quantity", "s", 0),
           (5, "amount", "s", 0), (6, "avgPrice", "s", 0), (7, "orderType", "i", 0), (8, "tradeType", "i", 0),
           (9, "isMaker", "b", 0), (10, "remainAmount", "s", 0), (11, "remainQuantity", "s", 0),
           (12, "lastDealQuantity", "s", 1), (13, "cumulativeQuantity", "s", 0), (14, "cumulativeAmount", "s", 0),
           (15, "status", "i", 0), (16, "createTime", "i", 0))
_DEALS = ((1, "price", "s", 0), (2, "quantity", "s", 0), (3, "amount", "s", 0), (4, "tradeType", "i", 0),
          (5, "isMaker", "b", 0), (6, "isSelfTrade", "b", 0), (7, "tradeId", "s", 0), (8, "clientOrderId", "s", 0),
          (9, "orderId", "s", 0), (10, "feeAmount", "s", 0), (11, "feeCurrency", "s", 0), (12, "time", "i", 0))
_ACCOUNT = ((1, "vcoinName", "s", 0), (2, "coinId", "s", 0), (3, "balanceAmount", "s", 0),
            (4, "balanceAmountChange", "s", 0), (5, "frozenAmount", "s", 0), (6, "frozenAmountChange", "s", 0),
            (7, "type", "s", 0), (8, "time", "i", 0))


def _varint(out: bytearray, value: int) -> None:
    value &= (1 << 64) - 1          # negative int32/int64 go out as ten-byte two's complement
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _tag(out: bytearray, number: int, wire_type: int) -> None:
    _varint(out, (number << 3) | wire_type)


def _bytes_field(out: bytearray, number: int, data: bytes) -> None:
    _tag(out, number, _LEN)
    _varint(out, len(data))
    out += data


def _message(fields, values: dict) -> bytes:
    out = bytearray()
    for number, name, kind, optional in fields:
        v = values.get(name)
        if v is None:
            continue
        if kind == "s":
            data = str(v).encode()
            if data or optional:
                _bytes_field(out, number, data)
        elif kind == "b":
            if v or optional:
                _tag(out, number, _VARINT)
                _varint(out, 1 if v else 0)
        else:
            if v or optional:
                _tag(out, number, _VARINT)
                _varint(out, int(v))
    return bytes(out)


def _wrapper(channel: str, body_number: int, body: bytes, *, symbol: str | None, create_time: int | None,
             send_time: int | None) -> bytes:
    out = bytearray()
    _bytes_field(out, 1, channel.encode())
    if symbol is not None:
        _bytes_field(out, 3, symbol.encode())
    for number, v in ((5, create_time), (6, send_time)):
        if v is not None:
            _tag(out, number, _VARINT)
            _varint(out, v)
    _bytes_field(out, body_number, body)
    return bytes(out)


def orders_frame(symbol: str, send_time: int, **fields) -> bytes:
    """A ``spot@private.orders.v3.api.pb`` push (``fields``: PrivateOrdersV3Api names)."""
    return _wrapper(ORDERS_CHANNEL, 304, _message(_ORDERS, fields), symbol=symbol, create_time=None,
                    send_time=send_time)


def deals_frame(symbol: str, send_time: int, **fields) -> bytes:
    """A ``spot@private.deals.v3.api.pb`` push (``fields``: PrivateDealsV3Api names)."""
    return _wrapper(DEALS_CHANNEL, 306, _message(_DEALS, fields), symbol=symbol, create_time=None,
                    send_time=send_time)


def account_frame(create_time: int, send_time: int, **fields) -> bytes:
    """A ``spot@private.account.v3.api.pb`` push: no symbol, as on the venue."""
    return _wrapper(ACCOUNT_CHANNEL, 307, _message(_ACCOUNT, fields), symbol=None, create_time=create_time,
                    send_time=send_time)
