"""Every errorCode of the sheet's per-endpoint tables (shared/venues/topstepx-projectx.md §5) read into its
typed error: only the codes the Gateway documents as "not acted on" reject, the rest leave the outcome
unknown; HTTP 401, 429, 400 and 5xx before the envelope.  The simulator answers the codes it can produce
end to end (tests/sim/test_sim_topstepx*.py, tests/venues/topstepx/test_topstepx_*.py); this table holds
the ones it cannot (OutsideTradingHours, OrderPending, UnknownError, AccountRejected...)."""

import json

import pytest

from engine.transport.fast_http import HttpResponse
from engine.venues import errors as E
from engine.venues.topstepx.errors import AutoOcoRequired, TagInUse, check_response

REJECTED, UNKNOWN_OUTCOME, NO_ORDER, BAD, AUTH = "rejected", "unknown", "no order", "bad", "auth"
# endpoint -> {code: what it means for the request}
SHEET = {
    "/api/Order/place": {1: BAD, 2: REJECTED, 3: REJECTED, 4: REJECTED, 5: REJECTED, 6: UNKNOWN_OUTCOME,
                         7: UNKNOWN_OUTCOME, 8: BAD, 9: REJECTED, 10: REJECTED},
    "/api/Order/modify": {1: BAD, 2: NO_ORDER, 3: REJECTED, 4: UNKNOWN_OUTCOME, 5: UNKNOWN_OUTCOME, 6: REJECTED,
                          7: BAD},
    "/api/Order/cancel": {1: BAD, 2: NO_ORDER, 3: REJECTED, 4: UNKNOWN_OUTCOME, 5: UNKNOWN_OUTCOME, 6: REJECTED},
    "/api/Order/search": {1: BAD}, "/api/Order/searchOpen": {1: BAD}, "/api/Order/v2/query": {1: BAD},
    "/api/Position/searchOpen": {1: BAD}, "/api/Trade/search": {1: BAD},
    "/api/Order/searchById": {1: NO_ORDER}, "/api/Contract/searchById": {1: BAD},
    "/api/Position/closeContract": {1: BAD, 2: NO_ORDER, 3: BAD, 4: REJECTED, 5: REJECTED, 6: UNKNOWN_OUTCOME,
                                    7: UNKNOWN_OUTCOME, 8: REJECTED},
    "/api/Position/partialCloseContract": {1: BAD, 2: NO_ORDER, 3: BAD, 4: REJECTED, 5: BAD, 6: REJECTED,
                                           7: UNKNOWN_OUTCOME, 8: UNKNOWN_OUTCOME, 9: REJECTED},
    "/api/History/retrieveBars": {1: BAD, 2: BAD, 3: BAD, 4: BAD},
    "/api/Auth/loginKey": {c: AUTH for c in range(1, 11)},
    "/api/Auth/validate": {c: AUTH for c in range(1, 5)},
    "/api/Auth/logout": {1: AUTH, 2: AUTH},
}
CASES = [(endpoint, code, meaning) for endpoint, codes in SHEET.items() for code, meaning in codes.items()]


def answer(status: int, doc=None, headers=()) -> HttpResponse:
    return HttpResponse(status, list(headers), b"" if doc is None else json.dumps(doc).encode())


def raised(resp, endpoint="/api/Order/place"):
    with pytest.raises(E.VenueError) as info:
        check_response(resp, endpoint)
    return info.value


@pytest.mark.parametrize("endpoint, code, meaning", CASES, ids=[f"{e.rsplit('/', 2)[-2]}.{e.rsplit('/', 1)[-1]}-{c}"
                                                                 for e, c, _ in CASES])
def test_every_error_code_of_the_sheet(endpoint, code, meaning):
    err = raised(answer(200, {"success": False, "errorCode": code, "errorMessage": None}), endpoint)
    assert err.code == code and endpoint in str(err)
    want = {REJECTED: E.OrderRejected, UNKNOWN_OUTCOME: E.OutcomeUnknown, NO_ORDER: E.UnknownOrder,
            BAD: E.InvalidRequest, AUTH: E.AuthenticationError}[meaning]
    assert type(err) is want or (meaning == REJECTED and isinstance(err, E.OrderRejected))
    assert E.is_definite_rejection(err) == (meaning in (REJECTED, BAD, AUTH))


def test_codes_are_named_and_the_place_refusals_with_words_get_their_own_types():
    assert "OutsideTradingHours" in str(raised(answer(200, {"success": False, "errorCode": 5})))
    assert "AgreementsNotSigned" in str(raised(answer(200, {"success": False, "errorCode": 7}), "/api/Auth/loginKey"))
    tag = raised(answer(200, {"orderId": 9, "success": False, "errorCode": 2,
                              "errorMessage": "Custom tag already in use."}))
    assert isinstance(tag, TagInUse) and not E.is_definite_rejection(tag)        # whose order holds it: ask
    oco = raised(answer(200, {"orderId": 9057, "success": False, "errorCode": 2, "errorMessage":
                              "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets."}))
    assert isinstance(oco, AutoOcoRequired) and E.is_definite_rejection(oco)
    unknown = raised(answer(200, {"success": False, "errorCode": 42}))
    assert type(unknown) is E.VenueError and not E.is_definite_rejection(unknown)   # not in the table: unknown


@pytest.mark.parametrize("status, doc, want, rejects", [
    (401, None, E.AuthenticationError, True), (429, None, E.RateLimited, None), (400, {"status": 400},
                                                                                E.InvalidRequest, True),
    (500, {"status": 500}, E.OutcomeUnknown, False), (503, None, E.OutcomeUnknown, False),
    (200, {"orders": []}, E.VenueError, False)])
def test_http_status_before_the_envelope(status, doc, want, rejects):
    err = raised(answer(status, doc))
    assert isinstance(err, want) and err.http_status == status
    if rejects is not None:
        assert E.is_definite_rejection(err) == rejects
