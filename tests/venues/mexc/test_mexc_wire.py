"""MEXC client pieces that need no venue: signing (the sheet's vectors), error mapping (every code of the
sheet's table), the decoding of query answers and exchange info, the limiter's shared order budget."""

import hashlib
import hmac
import json

import pytest

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import Instruments
from engine._signer import RequestSigner
from engine.config import Endpoints, VenueConfig
from engine.transport.fast_http import HttpResponse
from engine.venues import errors as E
from engine.venues.mexc import decode
from engine.venues.mexc.errors import check_response
from engine.venues.mexc.instruments import load_mexc
from engine.venues.mexc.limits import default_limiter
from engine.venues.mexc.order_path import CANCEL_COST, PLACE_COST
from engine.venues.mexc.rest import MexcRest, encode_params

SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"       # the docs' example key pair (shared/venues/mexc-spot.md §3)
E8 = 100_000_000


# ---- signing: the sheet's computed vectors -----------------------------------------------------------

BATCH = ('[{"type":"LIMIT","price":"40000","quantity":"0.0002","symbol":"BTCUSDT","side":"BUY",'
         '"newClientOrderId":"bo-1"},{"type":"LIMIT","price":"40005","quantity":"0.0003","symbol":"BTCUSDT",'
         '"side":"SELL","newClientOrderId":"bo-2"}]')
BATCH_SIGNED = ("batchOrders=%5B%7B%22type%22%3A%22LIMIT%22%2C%22price%22%3A%2240000%22%2C%22quantity%22%3A%22"
                "0.0002%22%2C%22symbol%22%3A%22BTCUSDT%22%2C%22side%22%3A%22BUY%22%2C%22newClientOrderId%22%3A%22"
                "bo-1%22%7D%2C%7B%22type%22%3A%22LIMIT%22%2C%22price%22%3A%2240005%22%2C%22quantity%22%3A%22"
                "0.0003%22%2C%22symbol%22%3A%22BTCUSDT%22%2C%22side%22%3A%22SELL%22%2C%22newClientOrderId%22%3A%22"
                "bo-2%22%7D%5D&timestamp=1700000000000")
WITHDRAW = {"coin": "USDT", "netWork": "BEP20(BSC)", "address": "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c",
            "amount": "10", "withdrawOrderId": "wd-0001"}


def test_batch_orders_are_signed_upper_case_percent_encoded_as_sent():
    query = encode_params({"batchOrders": BATCH})
    signer = RequestSigner(SECRET)
    assert f"{query}&timestamp=1700000000000" == BATCH_SIGNED
    assert signer.sign_binance(query, 1700000000000) == \
        "5d600ec7905fc8470e4930be0b4da1c5587df8a39789c049a4f3f5cc943eca91"


def test_parentheses_are_encoded_in_what_is_signed_and_sent():
    query = encode_params(WITHDRAW)
    assert "netWork=BEP20%28BSC%29" in query
    assert RequestSigner(SECRET).sign_binance(query, 1700000000000) == \
        "40286dd0b7bf8d1ab95b538462692470b230783ce231384d523dfa1557805ca6"


def test_the_general_path_signs_exactly_the_query_it_sends():
    cfg = VenueConfig("mexc", Endpoints("http://127.0.0.1:9", None, "ws://127.0.0.1:9/ws"), "mx0aBYs33eIilxBWC5",
                      SECRET)
    rest = MexcRest(cfg)
    q = rest.sign_query({"symbol": "BTCUSDT", "netWork": "BEP20(BSC)"})
    signed, sig = q.rsplit("&signature=", 1)
    assert signed.startswith("symbol=BTCUSDT&netWork=BEP20%28BSC%29&recvWindow=5000&timestamp=")
    assert sig == hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest() and sig == sig.lower()
    with pytest.raises(TypeError):
        encode_params({"quantity": 0.1})


# ---- errors: every code of the sheet's table ------------------------------------------------------------

def resp(status, body, headers=()):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, [(k.lower().encode(), v.encode()) for k, v in headers], raw)


REJECTS = [26, 10098, 30000, 30001, 30002, 30003, 30010, 30016, 30018, 30019, 30020, 30025, 30027, 30028, 30029,
           30032, 30041, 30051, 70011]
INVALID = [10007, 10095, 10096, 10097, 10102, 20001, 30014, 30021, 30026, 33333, 44444, 700004, 700005, 700008]
AUTH = [400, 401, 403, 602, 10001, 10015, 10072, 60005, 700001, 700002, 700006, 700007]
CASES = ([(c, E.OrderRejected) for c in REJECTS] + [(c, E.InvalidRequest) for c in INVALID]
         + [(c, E.AuthenticationError) for c in AUTH]
         + [(-2011, E.UnknownOrder), (-2013, E.UnknownOrder), (22222, E.UnknownOrder), (10101, E.InsufficientFunds),
            (30004, E.InsufficientFunds), (30005, E.InsufficientFunds), (700003, E.TimestampError),
            (10073, E.TimestampError), (429, E.RateLimited), (500, E.OutcomeUnknown), (503, E.OutcomeUnknown),
            (504, E.OutcomeUnknown), (20002, E.OutcomeUnknown), (123456, E.VenueError)])


@pytest.mark.parametrize("code,cls", CASES, ids=[str(c) for c, _ in CASES])
def test_every_code_of_the_table_is_typed(code, cls):
    with pytest.raises(cls) as info:
        check_response(resp(400, {"code": code, "msg": "m"}))
    assert type(info.value) is cls and info.value.code == code and info.value.http_status == 400
    # only a documented "not executed" answer may reject an order
    assert E.is_definite_rejection(info.value) == (cls not in (E.UnknownOrder, E.OutcomeUnknown, E.VenueError))


def test_string_codes_statuses_and_limiter_feedback():
    with pytest.raises(E.InvalidRequest) as info:
        check_response(resp(400, {"code": "730708", "msg": "listen key information error"}))
    assert info.value.code == 730708
    check_response(resp(200, {"code": 200, "data": [], "msg": None}))           # the success envelope
    with pytest.raises(E.OutcomeUnknown):
        check_response(resp(502, b"<html>bad gateway</html>"))                 # 5xx: status unknown
    with pytest.raises(E.AuthenticationError):
        check_response(resp(403, b"forbidden"))                                # the WAF
    lim = default_limiter()
    with pytest.raises(E.RateLimited) as info:
        check_response(resp(429, {"code": 429, "msg": "Too Many Requests"}, [("Retry-After", "7")]), lim)
    assert info.value.retry_after == 7 and lim.paused_until > 0
    with pytest.raises(E.IpBanned):
        check_response(resp(418, b"", [("Retry-After", "120")]), lim)
    assert lim.banned_until > lim.paused_until


def test_place_and_cancel_share_twelve_a_second_and_new_orders_never_take_the_cancels_share():
    lim = default_limiter()
    placed = sum(lim.try_take(PLACE_COST) for _ in range(20))
    cancels = sum(lim.try_take(CANCEL_COST) for _ in range(20))
    assert placed < 12 and placed + cancels == 12


# ---- decoding ---------------------------------------------------------------------------------------------

def row(**kw):
    base = {"symbol": "BTCUSDT", "orderId": "C02__9", "orderListId": -1, "clientOrderId": "cl-1", "price": "50000",
            "origQty": "1", "executedQty": "0.4", "cummulativeQuoteQty": "20000", "status": "PARTIALLY_CANCELED",
            "timeInForce": None, "type": "LIMIT", "side": "BUY", "stopPrice": None, "time": 1, "updateTime": 2,
            "isWorking": True, "origQuoteOrderQty": "0"}
    return {**base, **kw}


@pytest.mark.parametrize("kw,state,otype,tif", [
    ({}, OrderState.CANCELLED, OrderType.LIMIT, TimeInForce.GTC),
    ({"type": "IMMEDIATE_OR_CANCEL"}, OrderState.EXPIRED, OrderType.LIMIT, TimeInForce.IOC),
    ({"type": "MARKET", "status": "CANCELED"}, OrderState.EXPIRED, OrderType.MARKET, TimeInForce.TIF_NONE),
    ({"type": "LIMIT_MAKER", "status": "CANCELED"}, OrderState.CANCELLED, OrderType.LIMIT_MAKER,
     TimeInForce.POST_ONLY),
    ({"status": "NEW", "executedQty": "0", "cummulativeQuoteQty": "0"}, OrderState.NEW, OrderType.LIMIT,
     TimeInForce.GTC)])
def test_query_rows(kw, state, otype, tif):
    vo = decode.venue_order(row(**kw))
    assert (vo.state, vo.order_type, vo.tif, vo.exchange_id, vo.client_id) == (state, otype, tif, "C02__9", "cl-1")
    if vo.filled_raw:
        assert vo.filled_raw == 40_000_000 and vo.avg_price_raw == 50_000 * E8


def test_query_row_without_client_id_and_with_the_docs_qty_spelling():
    vo = decode.venue_order(row(clientOrderId=None, origQty=None, Qty="2", status="NEW"))
    assert vo.client_id == "" and vo.qty_raw == 2 * E8 and vo.side == Side.BUY


def test_my_trades_rows_as_fills_of_one_order_oldest_first():
    rows = [{"symbol": "BTCUSDT", "id": "t2", "orderId": "A", "price": "2", "qty": "1", "quoteQty": "2",
             "commission": "0.002", "commissionAsset": "USDT", "time": 20},
            {"symbol": "BTCUSDT", "id": "t1", "orderId": "A", "price": "1", "qty": "1", "quoteQty": "1",
             "commission": "0.001", "commissionAsset": "USDT", "time": 10},
            {"symbol": "BTCUSDT", "id": "x", "orderId": "B", "price": "1", "qty": "1", "time": 5}]
    got = decode.fills(rows, "A")
    assert [(f.exec_id, f.qty_raw, f.price_raw, f.fee_raw) for f in got] == [("t1", E8, E8, 100_000),
                                                                              ("t2", E8, 2 * E8, 200_000)]


def test_exchange_info_both_status_spellings_and_derived_rules():
    info = {"symbols": [
        {"symbol": "TOMO3LUSDT", "status": "ENABLED", "baseAsset": "TOMO3L", "quoteAsset": "USDT",
         "quotePrecision": 3, "baseSizePrecision": "0.0001", "quoteAmountPrecision": "5", "maxQuoteAmount": "5000000",
         "isSpotTradingAllowed": True, "filters": []},
        {"symbol": "MXUSDT", "status": "1", "baseAsset": "MX", "quoteAsset": "USDT", "quotePrecision": 4,
         "baseSizePrecision": "0.01", "quoteAmountPrecision": "1", "filters": []},
        {"symbol": "OFFUSDT", "status": "3", "baseAsset": "OFF", "quoteAsset": "USDT", "quotePrecision": 2,
         "baseSizePrecision": "1"},
        {"symbol": "NOAPIUSDT", "status": "1", "isSpotTradingAllowed": False, "baseAsset": "NOAPI",
         "quoteAsset": "USDT", "quotePrecision": 2, "baseSizePrecision": "1"}]}
    reg = Instruments(8)
    ids = load_mexc(reg, info)
    rules = [reg.rules(i) for i in ids]
    assert [r["trading"] for r in rules] == [True, True, False, False]
    assert (rules[0]["tick_raw"], rules[0]["step_raw"], rules[0]["min_qty_raw"]) == (E8 // 1000, E8 // 10**4,
                                                                                      E8 // 10**4)
    assert (rules[0]["min_notional_raw"], rules[0]["max_notional_raw"]) == (5 * E8, 5_000_000 * E8)
    assert (rules[1]["tick_raw"], rules[1]["min_qty_raw"]) == (E8 // 10**4, E8 // 100)
