"""engine.config: testnet by default, explicit mainnet, TLS off loopback, secrets never shown."""

import logging
import pickle

import pytest

from engine import ConfigError, Secret, VenueConfig
from engine.config import CREDENTIAL_ENV, VENUES

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


@pytest.mark.parametrize("venue", sorted(v for v in VENUES if "testnet" in VENUES[v]))
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


@pytest.mark.parametrize("venue", ["mexc", "gateio"])
def test_venue_without_testnet_is_refused_unless_explicit(venue):
    with pytest.raises(ConfigError, match="no testnet"):
        VenueConfig.create(venue, env=ENV)
    assert VenueConfig.create(venue, mainnet=True, env=ENV).mainnet


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
