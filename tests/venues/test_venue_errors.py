"""Venue answers map to typed errors that keep code and message and say whether retrying is safe."""

import json

import pytest

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter, Window
from engine.venues import errors as E
from engine.venues.binance.errors import check_response as binance_check
from engine.venues.bybit.errors import check_response as bybit_check


def resp(status, body, headers=()):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HttpResponse(status, [(k.lower().encode(), v.encode()) for k, v in headers], raw)


@pytest.mark.parametrize(
    "status, code, msg, cls",
    [
        (400, -1021, "Timestamp for this request is outside of the recvWindow.", E.TimestampError),
        (400, -1022, "Signature for this request is not valid.", E.AuthenticationError),
        (401, -2015, "Invalid API-key, IP, or permissions for action.", E.AuthenticationError),
        (400, -2010, "Duplicate order sent.", E.DuplicateClientOrderId),
        (400, -2010, "Account has insufficient balance for requested action.", E.InsufficientFunds),
        (400, -2010, "Order would immediately match and take.", E.PostOnlyWouldTake),
        (400, -2010, "Order would trigger immediately.", E.OrderRejected),
        (400, -1013, "Filter failure: LOT_SIZE", E.OrderRejected),
        (400, -1111, "Precision is over the maximum defined for this asset.", E.InvalidRequest),
        (400, -1102, "Mandatory parameter 'side' was not sent.", E.InvalidRequest),
        (400, -2011, "Unknown order sent.", E.UnknownOrder),
        (400, -2013, "Order does not exist.", E.UnknownOrder),
        (400, -4116, "ClientOrderId is duplicated.", E.DuplicateClientOrderId),
        (400, -5022, "Due to the order could not be executed as maker", E.PostOnlyWouldTake),
        (400, -4120, "Order type not supported for this endpoint.", E.OrderRejected),
        (400, -2019, "Margin is insufficient.", E.InsufficientFunds),
        (503, None, "Service Unavailable.", E.OutcomeUnknown),  # spot: every 5xx is unknown
        (500, -1001, "Internal error; unable to process your request. Please try again.", E.OutcomeUnknown),
        (500, -1007, "Timeout waiting for response from backend server.", E.OutcomeUnknown),
    ],
)
def test_binance_codes(status, code, msg, cls):
    body = {"code": code, "msg": msg} if code is not None else {"msg": msg}
    with pytest.raises(cls) as err:
        binance_check("binance-spot", resp(status, body))
    assert type(err.value) is cls
    assert err.value.message == msg and err.value.code == code and err.value.http_status == status


@pytest.mark.parametrize(
    "status, code, msg, cls",
    [
        (503, None, "Unknown error, please check your request or try again later.", E.OutcomeUnknown),
        (503, None, "Service Unavailable.", E.VenueUnavailable),
        (500, -1001, "Internal error; unable to process your request. Please try again.", E.VenueUnavailable),
        (503, -1008, "Request throttled by system-level protection.", E.VenueUnavailable),
        (408, -1007, "Timeout waiting for response from backend server.", E.OutcomeUnknown),
    ],
)
def test_usdm_5xx_messages_decide(status, code, msg, cls):
    body = {"code": code, "msg": msg} if code is not None else {"msg": msg}
    with pytest.raises(cls):
        binance_check("binance-usdm", resp(status, body))


def test_binance_429_and_418_drive_the_limiter():
    rl = RateLimiter("binance-spot", weight=[Window("weight-1m", 6000, 60)])
    with pytest.raises(E.RateLimited) as err:
        binance_check("binance-spot", resp(429, {"code": -1003, "msg": "Too much request weight used"},
                                          [("Retry-After", "7")]), rl)
    assert err.value.retry_after == 7 and err.value.retry_safe
    assert rl.paused_until > 0
    with pytest.raises(E.IpBanned):
        binance_check("binance-spot", resp(418, {"code": -1003, "msg": "Way too much"}, [("Retry-After", "120")]), rl)
    with pytest.raises(E.IpBanned):
        rl.check_ban()


def test_binance_usage_headers_sync_the_limiter():
    rl = RateLimiter("binance-spot", weight=[Window("weight-1m", 6000, 60)], orders=[Window("orders-10s", 50, 10)])
    binance_check("binance-spot", resp(200, {}, [("X-MBX-USED-WEIGHT-1M", "1234"), ("X-MBX-ORDER-COUNT-10S", "9")]), rl)
    assert rl.weight[0].used == 1234 and rl.orders[0].used == 9


def test_binance_non_json_error_keeps_text():
    with pytest.raises(E.OutcomeUnknown) as err:
        binance_check("binance-spot", resp(502, b"<html>Bad Gateway</html>"))
    assert "Bad Gateway" in err.value.message


@pytest.mark.parametrize(
    "code, cls",
    [(10002, E.TimestampError), (10004, E.AuthenticationError), (10006, E.RateLimited),
     (110072, E.DuplicateClientOrderId), (170141, E.DuplicateClientOrderId), (110001, E.UnknownOrder),
     (110008, E.OrderNotOpen), (110007, E.InsufficientFunds), (170218, E.PostOnlyWouldTake),
     (10016, E.OutcomeUnknown), (110094, E.OrderRejected), (10001, E.InvalidRequest)],
)
def test_bybit_ret_codes(code, cls):
    with pytest.raises(cls) as err:
        bybit_check(resp(200, {"retCode": code, "retMsg": "msg", "result": {}, "retExtInfo": {}, "time": 1}))
    assert type(err.value) is cls and err.value.code == code


def test_bybit_success_and_headers():
    rl = RateLimiter("bybit")
    doc = bybit_check(resp(200, {"retCode": 0, "retMsg": "OK", "result": {"orderId": "x"}},
                           [("X-Bapi-Limit", "10"), ("X-Bapi-Limit-Status", "0")]), rl, "/v5/order/create")
    assert doc["result"]["orderId"] == "x"
    assert rl.endpoints["/v5/order/create"].used == 10


@pytest.mark.parametrize("status, cls", [(403, E.IpBanned), (429, E.RateLimited), (401, E.AuthenticationError),
                                         (502, E.OutcomeUnknown)])
def test_bybit_http_statuses(status, cls):
    with pytest.raises(cls):
        bybit_check(resp(status, b"nope"))


def test_outcome_flags():
    assert E.OutcomeUnknown("b", 1, "x").outcome_unknown
    assert not E.OrderRejected("b", 1, "x").outcome_unknown
    assert E.RateLimited("b", 1, "x").retry_safe and not E.DuplicateClientOrderId("b", 1, "x").retry_safe
