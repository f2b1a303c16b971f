"""The inputs every contender gets: the same query, the same order, the same execution reports.

Stage 1 signs the documented Binance HMAC example query (86 bytes of parameters, signed
with ``&timestamp=``).  Stage 2 encodes and signs a Binance spot LIMIT order.  Stage 3
feeds spot ``executionReport`` messages (as the WebSocket API user-data stream wraps
them, ~480 bytes) for a stream of orders, each reported NEW then FILLED, so every
message changes an order's state (the dedup of a repeated message is not what is timed).
"""

from __future__ import annotations

__all__ = ["SECRET", "API_KEY", "QUERY", "TS", "FULL_QUERY", "EXPECTED_SIGNATURE", "ORDER_PARAMS", "ORDER_TS",
           "RECV_WINDOW", "ORDER_ARGS",
           "execution_report"]

SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
QUERY = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
TS = 1499827319559
FULL_QUERY = QUERY + b"&timestamp=" + str(TS).encode()
EXPECTED_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"

# The stage-2 order as wire parameters (peers and the baseline) and as the encoder's arguments.
ORDER_PARAMS = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.015",
                "price": "65000.5", "newClientOrderId": "bot-1-000042"}
ORDER_TS = 1700000000123
RECV_WINDOW = 5000
# symbol, side BUY, type LIMIT, tif GTC, qty 0.015, price 65000.5 (fixed point, 8 decimals), stop 0, client id, ts
ORDER_ARGS = (b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, 0, b"bot-1-000042", ORDER_TS, RECV_WINDOW)

_REPORT = ('{{"subscriptionId":0,"event":{{"e":"executionReport","E":{E},"s":"BTCUSDT","c":"{cid}","S":"BUY",'
           '"o":"LIMIT","f":"GTC","q":"0.01000000","p":"50000.00","P":"0.00","F":"0.00","g":-1,"C":"",'
           '"x":"{x}","X":"{X}","r":"NONE","i":{oid},"l":"{l}","z":"{z}","L":"{L}","n":"{n}","N":{N},'
           '"T":{T},"t":{t},"I":{I},"w":{w},"m":{m},"M":{M},"O":1700000000000,"Z":"{Z}","Y":"{Y}","Q":"0.00",'
           '"W":1700000000000,"V":"EXPIRE_MAKER"}}}}')


def execution_report(client_id: str, order_id: int, filled: bool) -> bytes:
    """The NEW (``filled=False``) or the FILLED report of a 0.01 BTCUSDT buy at 50000."""
    if filled:
        fields = dict(x="TRADE", X="FILLED", l="0.01000000", z="0.01000000", L="50000.00", n="0.00001000",
                      N='"BTC"', t=order_id, w="false", m="true", M="true", Z="500.00", Y="500.00")
    else:
        fields = dict(x="NEW", X="NEW", l="0.00000000", z="0.00000000", L="0.00", n="0", N="null", t=-1,
                      w="true", m="false", M="false", Z="0.00", Y="0.00")
    ts = 1700000000000 + order_id
    return _REPORT.format(E=ts + 1, cid=client_id, oid=order_id, T=ts, I=order_id * 2, **fields).encode()
