"""Every error label of the Gate.io sheet (§5) becomes a typed error; only documented refusals reject."""

import time

import pytest

from engine.transport.fast_http import HttpResponse
from engine.venues import errors as E
from engine.venues.gateio.errors import LABELS, check_response, error_for, reset_pause
from engine.venues.gateio.limits import GateLimits

# the labels of gateio-spot.md §5, group by group (TOO_MANY_REQUESTS: the rate-limit paragraph below it)
SHEET_LABELS = {
    # request
    "INVALID_PARAM_VALUE", "INVALID_PROTOCOL", "INVALID_ARGUMENT", "INVALID_REQUEST_BODY", "MISSING_REQUIRED_PARAM",
    "BAD_REQUEST", "INVALID_CONTENT_TYPE", "NOT_ACCEPTABLE", "METHOD_NOT_ALLOWED", "NOT_FOUND",
    # auth
    "INVALID_CREDENTIALS", "INVALID_KEY", "IP_FORBIDDEN", "READ_ONLY", "INVALID_SIGNATURE",
    "MISSING_REQUIRED_HEADER", "REQUEST_EXPIRED", "ACCOUNT_LOCKED", "FORBIDDEN",
    # wallet
    "SUB_ACCOUNT_NOT_FOUND", "SUB_ACCOUNT_LOCKED", "MARGIN_BALANCE_EXCEPTION", "MARGIN_TRANSFER_FAILED",
    "TOO_MUCH_FUTURES_AVAILABLE", "FUTURES_BALANCE_NOT_ENOUGH", "ACCOUNT_EXCEPTION", "SUB_ACCOUNT_TRANSFER_FAILED",
    "ADDRESS_NOT_USED", "TOO_FAST", "WITHDRAWAL_OVER_LIMIT", "API_WITHDRAW_DISABLED", "INVALID_WITHDRAW_ID",
    "INVALID_WITHDRAW_CANCEL_STATUS", "DUPLICATE_REQUEST", "ORDER_EXISTS", "INVALID_CLIENT_ORDER_ID",
    # spot
    "INVALID_PRECISION", "INVALID_CURRENCY", "INVALID_CURRENCY_PAIR", "POC_FILL_IMMEDIATELY", "ORDER_NOT_FOUND",
    "ORDER_CLOSED", "ORDER_CANCELLED", "QUANTITY_NOT_ENOUGH", "BALANCE_NOT_ENOUGH", "MARGIN_NOT_SUPPORTED",
    "MARGIN_BALANCE_NOT_ENOUGH", "AMOUNT_TOO_LITTLE", "AMOUNT_TOO_MUCH", "REPEATED_CREATION",
    "TOO_MANY_CURRENCY_PAIRS", "TOO_MANY_ORDERS", "MIXED_ACCOUNT_TYPE", "AUTO_BORROW_TOO_MUCH", "TRADE_RESTRICTED",
    "FOK_NOT_FILL", "INITIAL_MARGIN_TOO_LOW", "ORDER_BOOK_NOT_FOUND", "FAILED_RETRIEVE_ASSETS", "CANCEL_FAIL",
    "NO_CHANGE", "CLIENT_ID_NOT_FOUND",
    # server
    "INTERNAL", "SERVER_ERROR", "TOO_BUSY",
    "TOO_MANY_REQUESTS",
}
# labels whose outcome is unclear: they must never reject an order
UNCLEAR = {"INTERNAL", "SERVER_ERROR", "TOO_BUSY", "REPEATED_CREATION", "DUPLICATE_REQUEST", "ORDER_EXISTS",
           "FAILED_RETRIEVE_ASSETS", "CANCEL_FAIL"}


def test_every_label_of_the_sheet_is_mapped():
    missing = SHEET_LABELS - set(LABELS)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("label", sorted(LABELS))
def test_each_label_is_typed_and_unclear_ones_never_reject(label):
    err = error_for(label, "msg", 400)
    assert isinstance(err, E.VenueError) and err.code == label and err.venue == "gateio"
    if label in UNCLEAR:
        assert not E.is_definite_rejection(err)
    else:
        assert E.is_definite_rejection(err) or isinstance(err, E.UnknownOrder), label


def test_a_label_the_sheet_does_not_list_leaves_the_outcome_unknown():
    err = error_for("SOMETHING_NEW", "?", 400)
    assert type(err) is E.VenueError and not E.is_definite_rejection(err)


@pytest.mark.parametrize("status, cls", [(500, E.OutcomeUnknown), (502, E.OutcomeUnknown), (401, E.AuthenticationError),
                                         (429, E.RateLimited), (418, E.VenueError)])
def test_without_a_label_the_status_decides(status, cls):
    err = error_for(None, "", status)
    assert type(err) is cls


def test_check_response_reads_the_label_and_pauses_on_429():
    limits = GateLimits()
    stamp = str(int((time.time() + 3) * 1000))           # documented in ms
    resp = HttpResponse(429, [(b"x-gate-ratelimit-reset-timestamp", stamp.encode())],
                        b'{"label":"TOO_MANY_REQUESTS","message":"Request Rate limit Exceeded (211)"}')
    with pytest.raises(E.RateLimited) as exc:
        check_response(resp, limits.limiter)
    assert 1.5 < exc.value.retry_after <= 3.1 and limits.limiter.paused_until > 0
    resp = HttpResponse(400, [], b'{"label":"POC_FILL_IMMEDIATELY","message":"would take"}')
    with pytest.raises(E.PostOnlyWouldTake):
        check_response(resp)
    resp = HttpResponse(404, [], b'{"label":"CLIENT_ID_NOT_FOUND","message":"Order with client ID t-x not found"}')
    with pytest.raises(E.UnknownOrder):
        check_response(resp)
    with pytest.raises(E.OutcomeUnknown):
        check_response(HttpResponse(502, [], b"<html>bad gateway</html>"))
    check_response(HttpResponse(201, [], b"{}"))


def test_reset_timestamp_in_seconds_or_milliseconds():
    now = time.time()
    assert 9 < reset_pause(str(int(now + 10))) <= 10
    assert 9 < reset_pause(str(int((now + 10) * 1000))) <= 10
    assert reset_pause("garbled") is None and reset_pause(None) is None and reset_pause(str(int(now - 5))) == 0


def test_the_rate_limit_headers_keep_the_pair_window_in_step():
    limits = GateLimits()
    cost = limits.place("BTC_USDT")
    resp = HttpResponse(201, [(b"x-gate-ratelimit-limit", b"10"), (b"x-gate-ratelimit-requests-remain", b"3")], b"{}")
    check_response(resp, limits.limiter, cost.endpoint)
    took = sum(limits.limiter.try_take(cost) for _ in range(10))
    assert took == 3                                     # the venue's count, not ours
    assert limits.limiter.try_take(limits.cancel)         # cancels have their own window
    assert limits.limiter.try_take(limits.place("ETH_USDT"))    # and each pair its own
