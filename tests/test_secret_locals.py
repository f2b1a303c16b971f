"""No frame of engine code holds a raw secret when building a config or a venue client raises.

Traceback renderers that print locals (pytest --showlocals, rich, Sentry) show the ``repr``
of every local of every frame; a secret held as a plain str or bytes local, or inside a
mapping local (the environment), would be printed there.
"""

import pytest

from engine import ConfigError, Secret, VenueConfig

SECRET = "s3cr3t-only-in-the-test-7f3a9c1e5b"
KEY = "key-abcdef-123"


def _frames_outside_this_test(tb):
    """Every frame of the traceback but this file's (which holds the value on purpose)."""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            yield tb.tb_frame
        tb = tb.tb_next


def _leaks(excinfo) -> list[str]:
    found = []
    for frame in _frames_outside_this_test(excinfo.tb):
        for name, value in frame.f_locals.items():
            try:
                shown = repr(value)
            except Exception:  # a half-built object may not repr; renderers skip it too
                continue
            if SECRET in shown or SECRET.encode().hex() in shown:
                found.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}: {name}")
    return found


def _raise_and_walk(fn):
    with pytest.raises(Exception) as excinfo:
        fn()
    assert sum(1 for _ in _frames_outside_this_test(excinfo.tb)) >= 1  # engine frames were walked
    assert _leaks(excinfo) == []
    return excinfo.value


@pytest.mark.parametrize("secret", [SECRET, SECRET.encode()], ids=["str", "bytes"])
@pytest.mark.parametrize("settings, error", [
    ({"recv_window_ms": 0}, "recv_window_ms"),               # a bad setting, after the secret was read
    ({"colour": "red"}, "unknown setting"),
    ({"rest_url": "https://api.bytick.com"}, "mainnet"),     # a URL refused after the secret was seen
    ({"rest_url": "http://10.0.0.1"}, "plain http"),
    ({"mainnet": "yes"}, "mainnet must be"),
])
def test_create_with_a_secret_argument_that_raises(secret, settings, error):
    exc = _raise_and_walk(lambda: VenueConfig.create("bybit", api_key=KEY, api_secret=secret, env={}, **settings))
    assert isinstance(exc, ConfigError) and error in str(exc)


def test_create_with_the_secret_in_an_env_mapping_and_no_key():
    exc = _raise_and_walk(lambda: VenueConfig.create("bybit", env={"BYBIT_API_SECRET": SECRET}))
    assert "BYBIT_API_KEY" in str(exc)


def test_create_with_the_secret_in_os_environ_and_no_key(monkeypatch):
    monkeypatch.delenv("BINANCE_API_KEY", raising=False)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    exc = _raise_and_walk(lambda: VenueConfig.create("binance-spot"))
    assert "BINANCE_API_KEY" in str(exc)


def test_create_with_the_secret_in_os_environ_and_a_bad_setting(monkeypatch):
    monkeypatch.setenv("BINANCE_API_KEY", KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    _raise_and_walk(lambda: VenueConfig.create("binance-spot", read_timeout=-1))


def test_local_and_direct_construction():
    from engine.config import Endpoints

    _raise_and_walk(lambda: VenueConfig.local("binance-spot", "http://127.0.0.1:1", KEY, SECRET, recv_window_ms=0))
    _raise_and_walk(lambda: VenueConfig.local("binance-spot", "https://api.binance.com", KEY, SECRET))
    _raise_and_walk(lambda: VenueConfig("bybit", Endpoints("https://api.bybit.com"), KEY, Secret(SECRET)))


@pytest.mark.parametrize("module, build, venue, fails", [
    ("engine.venues.binance.rest", lambda m, c: m.BinanceRest(c), "binance-spot", "RestTransport"),
    ("engine.venues.binance.rest", lambda m, c: m.BinanceRest(c), "binance-usdm", "RestTransport"),
    ("engine.venues.bybit.rest", lambda m, c: m.BybitRest(c), "bybit", "RestTransport"),
    ("engine.venues.binance.ws_orders", lambda m, c: m.BinanceWsApi(c, None), "binance-spot", "ReconnectingWebSocket"),
    ("engine.venues.bybit.user_stream", lambda m, c: m.BybitPrivateStream(c, None, print), "bybit", "ReconnectingWebSocket"),
    ("engine.venues.bybit.ws_orders", lambda m, c: m.BybitWsTrade(c, None), "bybit", "ReconnectingWebSocket"),
], ids=["binance-rest-spot", "binance-rest-usdm", "bybit-rest", "binance-ws-api", "bybit-stream", "bybit-ws-trade"])
def test_venue_client_constructor_raising_after_the_signer(monkeypatch, module, build, venue, fails):
    """The constructors reveal the secret to build a signer; a failure after that shows nothing."""
    import importlib

    mod = importlib.import_module(module)

    def broken(*args, **kwargs):
        raise RuntimeError("transport could not be built")

    monkeypatch.setattr(mod, fails, broken)
    config = VenueConfig.local(venue, "http://127.0.0.1:1", KEY, SECRET)
    exc = _raise_and_walk(lambda: build(mod, config))
    assert "transport could not be built" in str(exc)
