"""Retry-After read one way (engine.transport.retry_after) and clamped by the limiter, for both venues."""

import email.utils
import math

import pytest

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import MAX_BAN_S, MAX_PAUSE_S, RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E
from engine.venues.binance.errors import check_response as binance_check
from engine.venues.bybit.errors import check_response as bybit_check

NOW = 1_700_000_000.0  # a fixed "now" for the HTTP-date form


def http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)  # IMF-fixdate


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), (b"120", 120.0), ("0", 0.0), (" 7 ", 7.0), ("\t3", 3.0), ("1.5", 1.5),
    ("007", 7.0), ("99999999", 99999999.0),
])
def test_delay_seconds(value, expected):
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("value", [
    None, "", "   ", "inf", "Infinity", "-inf", "nan", "NaN", "-1", "-0.5", "+5", "1e3", "1_000", "0x10",
    "1.", ".5", "5 s", "five", "9" * 400, b"\xff\xfe", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 99999 08:49:37 GMT",
])
def test_anything_else_says_nothing(value):
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize("form", [
    "%a, %d %b %Y %H:%M:%S GMT",   # IMF-fixdate
    "%A, %d-%b-%y %H:%M:%S GMT",   # obsolete RFC 850
    "%a %b %e %H:%M:%S %Y",        # obsolete asctime (no zone: GMT)
])
def test_http_date_is_seconds_from_now(form):
    import time

    when = time.strftime(form, time.gmtime(NOW + 90))
    assert parse_retry_after(when, NOW) == pytest.approx(90.0)
    assert parse_retry_after(when.encode(), NOW) == pytest.approx(90.0)


def test_http_date_in_the_past_is_zero_and_default_now_is_the_clock():
    assert parse_retry_after(http_date(NOW - 3600), NOW) == 0.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT") == 0.0
    import time

    soon = parse_retry_after(http_date(time.time() + 60))
    assert 55 <= soon <= 61


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def limiter(**kw):
    return RateLimiter("binance-spot", clock=(clock := Clock()), **kw), clock


@pytest.mark.parametrize("given, pause", [
    (None, 1.0), (0.0, 1.0), (-5.0, 1.0), (math.nan, 1.0), (math.inf, MAX_PAUSE_S), (10.0, 10.0), (1e9, MAX_PAUSE_S),
])
def test_pause_after_429_is_bounded(given, pause):
    rl, clock = limiter()
    rl.on_throttled(given)
    assert rl.paused_until - clock.t == pytest.approx(pause)


@pytest.mark.parametrize("given, ban", [
    (None, 120.0), (-1.0, 120.0), (math.nan, 120.0), (math.inf, MAX_BAN_S), (7200.0, 7200.0), (1e12, MAX_BAN_S),
])
def test_ban_is_bounded(given, ban):
    rl, clock = limiter()
    rl.on_banned(given)
    assert rl.banned_until - clock.t == pytest.approx(ban)


def test_limits_are_constructor_arguments():
    assert MAX_PAUSE_S == 300.0 and MAX_BAN_S == 3 * 86400.0
    rl, clock = limiter(max_pause_s=5.0, max_ban_s=60.0)
    rl.on_throttled(100.0)
    rl.on_banned(1000.0)
    assert rl.paused_until - clock.t == 5.0 and rl.banned_until - clock.t == 60.0
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError):
            RateLimiter("x", max_pause_s=bad)
        with pytest.raises(ValueError):
            RateLimiter("x", max_ban_s=bad)


def answer(status, retry_after, body=b'{"code":-1003,"msg":"Too many requests."}'):
    headers = [] if retry_after is None else [(b"retry-after", retry_after)]
    return HttpResponse(status, headers, body)


@pytest.mark.parametrize("header, pause", [
    (b"inf", 1.0), (b"nan", 1.0), (b"-30", 1.0), (b"junk", 1.0), (b"30", 30.0), (b"86400", MAX_PAUSE_S),
])
def test_binance_429_reads_retry_after_through_the_parser(header, pause):
    rl, clock = limiter()
    with pytest.raises(E.RateLimited) as err:
        binance_check("binance-spot", answer(429, header), rl)
    assert rl.paused_until - clock.t == pytest.approx(pause)
    assert err.value.retry_after is None or math.isfinite(err.value.retry_after)


def test_binance_418_with_an_http_date_and_with_inf():
    import time

    rl, clock = limiter()
    with pytest.raises(E.IpBanned) as err:
        binance_check("binance-spot", answer(418, http_date(time.time() + 600).encode()), rl)
    assert 590 <= rl.banned_until - clock.t <= 601 and 590 <= err.value.retry_after <= 601
    rl, clock = limiter()
    with pytest.raises(E.IpBanned) as err:
        binance_check("binance-spot", answer(418, b"inf"), rl)
    assert rl.banned_until - clock.t == 120.0 and err.value.retry_after is None


def test_bybit_429_and_403_read_retry_after():
    rl, clock = limiter()
    with pytest.raises(E.RateLimited) as err:
        bybit_check(answer(429, b"12", b""), rl)
    assert rl.paused_until - clock.t == 12.0 and err.value.retry_after == 12.0
    rl, clock = limiter()
    with pytest.raises(E.RateLimited):
        bybit_check(answer(429, b"inf", b""), rl)
    assert rl.paused_until - clock.t == 1.0
    rl, clock = limiter()
    with pytest.raises(E.IpBanned) as err:
        bybit_check(answer(403, b"1800", b""), rl)  # longer than the documented 10 minutes: honoured
    assert rl.banned_until - clock.t == 1800.0 and err.value.retry_after == 1800.0
    rl, clock = limiter()
    with pytest.raises(E.IpBanned):
        bybit_check(answer(403, b"nan", b""), rl)  # never shorter than 10 minutes
    assert rl.banned_until - clock.t == 600.0
