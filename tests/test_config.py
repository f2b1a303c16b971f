"""engine.config: testnet by default, explicit mainnet, TLS off loopback, secrets never shown."""

import dataclasses
import logging
import pickle

import pytest

from engine import ConfigError, Secret, VenueConfig
from engine.config import CREDENTIAL_ENV, VENUES, Endpoints
from engine.venues.registry import has_adapter

SECRET = "s3cr3t-VALUE-that-must-never-leak-0123456789"
ENV = {
    "BINANCE_API_KEY": "binance-key-abcdef",
    "BINANCE_API_SECRET": SECRET,
    "BYBIT_API_KEY": "bybit-key-abcdef",
    "BYBIT_API_SECRET": SECRET,
    "BINANCE_USDM_API_KEY": "usdm-key-abcdef",
    "BINANCE_USDM_API_SECRET": SECRET,
    "TOPSTEPX_USERNAME": "trader",
    "TOPSTEPX_API_KEY": SECRET,
    "MEXC_API_KEY": "mexc-key",
    "MEXC_API_SECRET": SECRET,
    "GATEIO_API_KEY": "gate-key",
    "GATEIO_API_SECRET": SECRET,
}


def make(venue, *, mainnet=False, rest_url=None, ws_api_url=None, stream_url=None):
    """A configuration by ``create`` where the venue has an adapter, else by the constructor (which runs
    the same URL checks): the host rules hold for every venue, adapter or not."""
    if has_adapter(venue):
        return VenueConfig.create(venue, mainnet=mainnet, rest_url=rest_url, ws_api_url=ws_api_url,
                                  stream_url=stream_url, env=ENV)
    base = VENUES[venue].get("mainnet" if mainnet else "testnet") or VENUES[venue]["mainnet"]
    return VenueConfig(venue, Endpoints(rest_url or base.rest, ws_api_url, stream_url), "k", Secret(SECRET),
                       mainnet=mainnet)


@pytest.mark.parametrize("venue", sorted(v for v in VENUES if "testnet" in VENUES[v] and has_adapter(v)))
def test_testnet_is_the_default(venue):
    cfg = VenueConfig.create(venue, env=ENV)
    assert cfg.mainnet is False
    assert cfg.endpoints == VENUES[venue]["testnet"]
    assert cfg.api_secret.reveal() == SECRET


def test_credentials_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "from-env-key")
    monkeypatch.setenv("BYBIT_API_SECRET", SECRET)
    cfg = VenueConfig.create("bybit")
    assert cfg.api_key == "from-env-key"
    assert cfg.api_secret.reveal() == SECRET


def test_every_venue_documents_its_variables():
    assert set(CREDENTIAL_ENV) == set(VENUES)
    assert CREDENTIAL_ENV["binance-spot"] == ("BINANCE_API_KEY", "BINANCE_API_SECRET")
    assert CREDENTIAL_ENV["bybit"] == ("BYBIT_API_KEY", "BYBIT_API_SECRET")


def test_mainnet_needs_the_explicit_argument():
    cfg = VenueConfig.create("binance-spot", mainnet=True, env=ENV)
    assert cfg.endpoints.rest == "https://api.binance.com"
    with pytest.raises(ConfigError, match="mainnet=True"):
        VenueConfig.create("binance-spot", rest_url="https://api.binance.com", env=ENV)
    with pytest.raises(ConfigError, match="mainnet=True"):
        VenueConfig.create("bybit", stream_url="wss://stream.bybit.com/v5/private", env=ENV)
    with pytest.raises(ConfigError):
        VenueConfig.create("bybit", mainnet="yes", env=ENV)


def test_a_venue_without_an_adapter_is_refused_with_a_message_that_says_so(monkeypatch):
    from engine.venues import registry
    venue = "topstepx"
    monkeypatch.delitem(registry.ADAPTERS, venue)       # every venue has one now: take one away
    assert not registry.has_adapter(venue)
    for kw in ({}, {"mainnet": True}, {"rest_url": "http://127.0.0.1:9"}):
        with pytest.raises(ConfigError, match="no adapter"):
            VenueConfig.create(venue, env=ENV, **kw)


@pytest.mark.parametrize(
    "url", ["http://testnet.binance.vision", "ws://example.com/ws", "http://10.0.0.5:8080", "ftp://127.0.0.1"]
)
def test_plain_transport_only_on_loopback(url):
    kw = {"ws_api_url": url} if url.startswith("ws") else {"rest_url": url}
    with pytest.raises(ConfigError):
        VenueConfig.create("binance-spot", env=ENV, **kw)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.6.7", "localhost", "[::1]"])
def test_loopback_simulator_urls(host):
    cfg = VenueConfig.local("bybit", f"http://{host}:8765", "k", SECRET)
    assert cfg.is_local
    assert cfg.endpoints.rest == f"http://{host}:8765"
    assert cfg.endpoints.stream == f"ws://{host}:8765/v5/private"
    assert cfg.endpoints.ws_api == f"ws://{host}:8765/v5/trade"


def test_local_refuses_remote_hosts():
    with pytest.raises(ConfigError):
        VenueConfig.local("bybit", "https://api-testnet.bybit.com", "k", SECRET)


def test_missing_credentials_name_the_variables():
    with pytest.raises(ConfigError, match="BINANCE_API_SECRET") as err:
        VenueConfig.create("binance-spot", env={"BINANCE_API_KEY": "k"})
    assert "BINANCE_API_KEY " not in str(err.value).replace("BINANCE_API_KEY and", "")


def test_unknown_venue_and_settings():
    with pytest.raises(ConfigError, match="unknown venue"):
        VenueConfig.create("kraken", env=ENV)
    with pytest.raises(ConfigError, match="recv_window_ms"):
        VenueConfig.create("bybit", env=ENV, recv_window_ms=0)
    with pytest.raises(ConfigError, match="unknown setting"):
        VenueConfig.create("bybit", env=ENV, colour="red")
    cfg = VenueConfig.create("bybit", env=ENV, recv_window_ms=3000, read_timeout=2.5)
    assert (cfg.recv_window_ms, cfg.read_timeout) == (3000, 2.5)


def test_secret_never_shown(caplog):
    cfg = VenueConfig.create("binance-spot", env=ENV)
    logger = logging.getLogger("engine.test")
    with caplog.at_level(logging.DEBUG, logger="engine"):
        logger.info("config %s %r", cfg, cfg)
        logger.info("secret %s", cfg.api_secret)
        logger.info(f"f-string {cfg.api_secret} {cfg.api_secret!r} {cfg}")
    shown = [repr(cfg), str(cfg), f"{cfg}", repr(cfg.api_secret), str(cfg.api_secret), f"{cfg.api_secret:>10}",
             repr(cfg.__dict__), caplog.text]
    for text in shown:
        assert SECRET not in text
    assert "binance-key-abcdef" not in repr(cfg)  # the key is shortened too
    with pytest.raises(TypeError):
        pickle.dumps(cfg.api_secret)


def test_config_errors_never_carry_the_secret():
    for kwargs in ({"rest_url": "http://evil.example"}, {"mainnet": "x"}, {"recv_window_ms": -1}):
        with pytest.raises(ConfigError) as err:
            VenueConfig.create("bybit", api_key="k", api_secret=SECRET, **kwargs)
        assert SECRET not in str(err.value) and SECRET not in repr(err.value)


def test_secret_type():
    s = Secret("abc")
    assert s == Secret(b"abc") and s != Secret("abd")
    assert s.reveal_bytes() == b"abc"
    with pytest.raises(ValueError):
        Secret("")
    with pytest.raises(AttributeError):
        s._value = "x"


# -- mainnet hosts by domain, checked on every construction path (hardening) ---------------

MAINNET_LOOKALIKES = [
    ("binance-spot", "https://api1.binance.com"), ("binance-spot", "https://api4.binance.com"),
    ("binance-spot", "https://api-gcp.binance.com"), ("binance-spot", "https://api.binance.com."),
    ("binance-spot", "https://API.BINANCE.COM"), ("binance-spot", "https://Api.Binance.Com.:443/"),
    ("binance-spot", "https://\uff41\uff50\uff49\uff0ebinance\u3002com"),   # full-width letters and dots (IDNA)
    ("binance-spot", "https://data-api.binance.vision"), ("binance-spot", "https://api.binance.us"),
    ("binance-usdm", "https://fapi.binance.com."), ("binance-usdm", "https://FAPI.binance.com"),
    ("binance-spot", "https://evil-testnet.binance.com"),
    ("bybit", "https://api.bytick.com"), ("bybit", "https://api.bybit.nl"), ("bybit", "https://api.bybit-tr.com"),
    ("bybit", "https://api.bybit.kz"), ("bybit", "https://api.bybitgeorgia.ge"), ("bybit", "https://api.bybit.eu"),
    ("bybit", "https://API.BYBIT.COM."),
    ("mexc", "https://api.mexc.com"), ("mexc", "https://api.mexc.co"),
    ("gateio", "https://api.gateio.ws/api/v4"), ("gateio", "https://api.gate.io/api/v4"),
    ("gateio", "https://api.gate.com/api/v4"),
    ("topstepx", "https://api.topstepx.com"), ("topstepx", "https://userapi.topstepx.com"),
    # stale doc examples of another ProjectX deployment: not a test host (TopstepX has none)
    ("topstepx", "https://gateway-api-demo.s2f.projectx.com"),
]
MAINNET_STREAMS = [
    ("binance-usdm", "wss://fstream.binance.com/private"), ("binance-spot", "wss://stream.binance.com:9443/ws"),
    ("binance-spot", "wss://ws-api.binance.com.:443/ws-api/v3"), ("bybit", "wss://stream.bybit.com./v5/private"),
    ("gateio", "wss://api.gateio.ws/ws/v4/"), ("mexc", "wss://wbs-api.mexc.com/ws"),
    ("topstepx", "wss://rtc.topstepx.com/hubs/user"),
]
TEST_URLS = [
    ("binance-spot", "https://testnet.binance.vision"), ("binance-spot", "https://api1.testnet.binance.vision"),
    ("binance-spot", "https://demo-api.binance.com"), ("binance-spot", "https://DEMO-API.binance.com."),
    ("binance-usdm", "https://demo-fapi.binance.com"), ("binance-usdm", "https://testnet.binancefuture.com"),
    ("bybit", "https://api-testnet.bybit.com"), ("bybit", "https://api-demo.bybit.com"),
    ("gateio", "https://fx-api-testnet.gateio.ws/api/v4"),
]


@pytest.mark.parametrize("venue, url", MAINNET_LOOKALIKES)
def test_every_mainnet_host_needs_the_flag(venue, url):
    with pytest.raises(ConfigError, match="mainnet=True"):
        make(venue, rest_url=url)
    assert make(venue, rest_url=url, mainnet=True).mainnet


@pytest.mark.parametrize("venue, url", MAINNET_STREAMS)
def test_every_mainnet_stream_host_needs_the_flag(venue, url):
    kw = {"ws_api_url": url} if "ws-api" in url else {"stream_url": url}
    rest = dict(TEST_URLS).get(venue, TEST_URLS[0][1]) if venue != "bybit" else "https://api-testnet.bybit.com"
    with pytest.raises(ConfigError, match="mainnet=True"):
        make(venue, rest_url=rest, **kw)


@pytest.mark.parametrize("venue, url", TEST_URLS)
def test_test_and_demo_hosts_are_not_mainnet(venue, url):
    cfg = make(venue, rest_url=url)
    assert cfg.mainnet is False


def test_the_venue_table_agrees_with_the_patterns():
    from engine.config import MAINNET_DOMAINS, TEST_HOSTS, is_mainnet_host

    for venue, nets in VENUES.items():
        for net, ep in nets.items():
            for url in filter(None, (ep.rest, ep.ws_api, ep.stream)):
                from urllib.parse import urlsplit

                assert is_mainnet_host(urlsplit(url).hostname) is (net == "mainnet"), (venue, net, url)
    assert set(MAINNET_DOMAINS) == set(TEST_HOSTS) == set(VENUES)
    for hosts in TEST_HOSTS.values():  # every allow-listed host lies under a mainnet domain
        for h in hosts:
            assert any(h.lstrip(".") == d or h.lstrip(".").endswith("." + d)
                       for ds in MAINNET_DOMAINS.values() for d in ds), h


@pytest.mark.parametrize("host", ["api%2ebinance%2ecom", "exa mple.com", "-bad.example.com", "a..b"])
def test_hosts_that_are_not_host_names_are_refused(host):
    with pytest.raises(ConfigError):
        VenueConfig.create("bybit", rest_url=f"https://{host}", env=ENV)


def _testnet_bybit():
    return VenueConfig.create("bybit", env=ENV)


def test_direct_construction_is_checked():
    secret = Secret(SECRET)
    with pytest.raises(ConfigError, match="mainnet=True"):
        VenueConfig("binance-spot", Endpoints("https://api1.binance.com"), "k", secret)
    with pytest.raises(ConfigError, match="plain http"):
        VenueConfig("bybit", Endpoints("http://api-testnet.example.com"), "k", secret)
    with pytest.raises(ConfigError, match="plain ws"):
        VenueConfig("bybit", Endpoints("https://api-testnet.bybit.com", stream="ws://10.0.0.1/x"), "k", secret)
    with pytest.raises(ConfigError, match="unknown venue"):
        VenueConfig("kraken", Endpoints("https://api-testnet.bybit.com"), "k", secret)
    with pytest.raises(ConfigError, match="mainnet must be"):
        VenueConfig("bybit", Endpoints("https://api-testnet.bybit.com"), "k", secret, mainnet="no")
    ok = VenueConfig("bybit", Endpoints("https://api-testnet.bybit.com"), "k", SECRET)  # a raw secret gets wrapped
    assert isinstance(ok.api_secret, Secret) and SECRET not in repr(ok)


def test_replace_is_checked():
    cfg = _testnet_bybit()
    with pytest.raises(ConfigError, match="mainnet=True"):
        dataclasses.replace(cfg, endpoints=Endpoints("https://api.bytick.com"))
    with pytest.raises(ConfigError, match="plain http"):
        dataclasses.replace(cfg, endpoints=Endpoints("http://api-testnet.bybit.com"))
    with pytest.raises(ConfigError, match="recv_window_ms"):
        dataclasses.replace(cfg, recv_window_ms=0)
    real = VenueConfig.create("bybit", mainnet=True, env=ENV)
    with pytest.raises(ConfigError, match="mainnet=True"):
        dataclasses.replace(real, mainnet=False)  # mainnet endpoints kept, the flag dropped


def test_with_settings_checks_the_whole_copy():
    real = VenueConfig.create("binance-usdm", mainnet=True, env=ENV)
    object.__setattr__(real, "mainnet", False)  # an instance changed behind the dataclass's back
    with pytest.raises(ConfigError, match="mainnet=True"):
        real.with_settings(read_timeout=2.0)
    with pytest.raises(ConfigError, match="timeouts"):
        _testnet_bybit().with_settings(read_timeout=float("nan"))
    with pytest.raises(ConfigError, match="retry delays"):
        _testnet_bybit().with_settings(retry_delays=(1.0, float("nan")))


@pytest.mark.parametrize("base", ["http://LOCALHOST:8765", "http://localhost.:8765", "http://127.0.0.1:1"])
def test_loopback_spellings_are_local(base):
    assert VenueConfig.local("binance-spot", base, "k", SECRET).is_local
