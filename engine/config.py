"""Per-venue configuration: endpoints, credentials from the environment, timeouts.

Testnet (or the venue's demo environment) is the default.  Mainnet needs the
explicit argument ``mainnet=True``; a mainnet host without it is refused.  Plain
``http``/``ws`` URLs are accepted only for loopback (the local simulator).

Credentials come from environment variables (see :data:`CREDENTIAL_ENV`) unless
passed explicitly; the secret is held in a :class:`~engine.secret.Secret`, so it
never appears in ``repr``, ``str``, logs or exception messages.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from typing import Mapping
from urllib.parse import urlsplit

from engine.errors import ConfigError
from engine.secret import Secret

__all__ = ["VENUES", "CREDENTIAL_ENV", "Endpoints", "VenueConfig", "is_loopback_host"]


@dataclass(frozen=True)
class Endpoints:
    """Where a venue lives: REST base, WebSocket order entry, user-data stream."""

    rest: str
    ws_api: str | None = None   # WebSocket order entry (None: the venue has none)
    stream: str | None = None   # user-data stream base


# Facts from ../shared/venues/<venue>.md section 1.  "testnet" is the venue's test or
# demo environment; a venue without one has no entry there.
VENUES: dict[str, dict[str, Endpoints]] = {
    "binance-spot": {
        "mainnet": Endpoints("https://api.binance.com", "wss://ws-api.binance.com:443/ws-api/v3",
                             "wss://ws-api.binance.com:443/ws-api/v3"),
        "testnet": Endpoints("https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                             "wss://ws-api.testnet.binance.vision/ws-api/v3"),
    },
    "binance-usdm": {
        "mainnet": Endpoints("https://fapi.binance.com", "wss://ws-fapi.binance.com/ws-fapi/v1",
                             "wss://fstream.binance.com/private"),
        "testnet": Endpoints("https://demo-fapi.binance.com", "wss://testnet.binancefuture.com/ws-fapi/v1",
                             "wss://fstream.binancefuture.com/private"),
    },
    "bybit": {
        "mainnet": Endpoints("https://api.bybit.com", "wss://stream.bybit.com/v5/trade",
                             "wss://stream.bybit.com/v5/private"),
        "testnet": Endpoints("https://api-testnet.bybit.com", "wss://stream-testnet.bybit.com/v5/trade",
                             "wss://stream-testnet.bybit.com/v5/private"),
    },
    "mexc": {
        "mainnet": Endpoints("https://api.mexc.com", None, "wss://wbs-api.mexc.com/ws"),
    },
    "gateio": {
        "mainnet": Endpoints("https://api.gateio.ws/api/v4", "wss://api.gateio.ws/ws/v4/",
                             "wss://api.gateio.ws/ws/v4/"),
    },
    "topstepx": {
        "mainnet": Endpoints("https://api.topstepx.com", None, "wss://rtc.topstepx.com/hubs/user"),
        "testnet": Endpoints("https://gateway-api-demo.s2f.projectx.com", None,
                             "wss://gateway-rtc-demo.s2f.projectx.com/hubs/user"),
    },
}

# Environment variables read for credentials: venue -> (key variable, secret variable).
# TopstepX logs in with a user name and an API key (the key is the secret there).
CREDENTIAL_ENV: dict[str, tuple[str, str]] = {
    "binance-spot": ("BINANCE_API_KEY", "BINANCE_API_SECRET"),
    "binance-usdm": ("BINANCE_USDM_API_KEY", "BINANCE_USDM_API_SECRET"),
    "bybit": ("BYBIT_API_KEY", "BYBIT_API_SECRET"),
    "mexc": ("MEXC_API_KEY", "MEXC_API_SECRET"),
    "gateio": ("GATEIO_API_KEY", "GATEIO_API_SECRET"),
    "topstepx": ("TOPSTEPX_USERNAME", "TOPSTEPX_API_KEY"),
}

_MAINNET_HOSTS = {
    urlsplit(url).hostname
    for nets in VENUES.values()
    for name, ep in nets.items()
    if name == "mainnet"
    for url in (ep.rest, ep.ws_api, ep.stream)
    if url
}


def is_loopback_host(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_url(url: str, what: str, mainnet: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "wss", "http", "ws") or not parts.hostname:
        raise ConfigError(f"{what} {url!r} is not an http(s)/ws(s) URL with a host")
    if parts.username or parts.password:
        raise ConfigError(f"{what} must not carry credentials in the URL")
    loopback = is_loopback_host(parts.hostname)
    if parts.scheme in ("http", "ws") and not loopback:
        raise ConfigError(
            f"{what} {url!r} uses plain {parts.scheme}:// on a non-loopback host; "
            f"use {'https' if parts.scheme == 'http' else 'wss'}:// (plain is for the local simulator only)"
        )
    if not mainnet and parts.hostname in _MAINNET_HOSTS:
        raise ConfigError(f"{what} {url!r} is a mainnet host; pass mainnet=True to trade real funds")
    return url.rstrip("/")


def _to_ws(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


@dataclass(frozen=True, repr=False)
class VenueConfig:
    """Everything needed to talk to one venue account.

    Build with :meth:`create` (defaults, environment) or :meth:`local` (the simulator).
    """

    venue: str
    endpoints: Endpoints
    api_key: str
    api_secret: Secret
    mainnet: bool = False
    recv_window_ms: int = 5000
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    retry_delays: tuple[float, ...] = (0.75, 1.5, 3.0)
    options: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        venue: str,
        *,
        mainnet: bool = False,
        api_key: str | None = None,
        api_secret: str | bytes | Secret | None = None,
        rest_url: str | None = None,
        ws_api_url: str | None = None,
        stream_url: str | None = None,
        env: Mapping[str, str] | None = None,
        **settings,
    ) -> "VenueConfig":
        """Configuration for ``venue`` (one of :data:`VENUES`).

        Testnet unless ``mainnet=True``.  Credentials not given are read from the
        environment variables named in :data:`CREDENTIAL_ENV`.

        Raises
        ------
        ConfigError
            Unknown venue, mainnet host without ``mainnet=True``, a venue without a
            testnet and no URL given, a non-TLS remote URL, missing credentials.
        """
        if venue not in VENUES:
            raise ConfigError(f"unknown venue {venue!r}; known: {', '.join(sorted(VENUES))}")
        if not isinstance(mainnet, bool):
            raise ConfigError("mainnet must be True or False")
        network = "mainnet" if mainnet else "testnet"
        defaults = VENUES[venue].get(network)
        if defaults is None and rest_url is None:
            raise ConfigError(
                f"{venue} has no testnet; pass mainnet=True for real trading or rest_url= for the local simulator"
            )
        if defaults is None:
            defaults = Endpoints(rest_url)  # type: ignore[arg-type]
        rest = _check_url(rest_url or defaults.rest, "rest_url", mainnet)
        if rest_url and not ws_api_url and not stream_url and is_loopback_host(urlsplit(rest_url).hostname):
            # The simulator serves everything on one port; derive its WebSocket URLs.
            ws_api_url, stream_url = _local_ws_urls(venue, rest_url)
        ws_api = ws_api_url or defaults.ws_api
        stream = stream_url or defaults.stream
        endpoints = Endpoints(
            rest,
            _check_url(ws_api, "ws_api_url", mainnet) if ws_api else None,
            _check_url(stream, "stream_url", mainnet) if stream else None,
        )
        key_var, secret_var = CREDENTIAL_ENV[venue]
        source = os.environ if env is None else env
        if api_key is None:
            api_key = source.get(key_var)
        if api_secret is None:
            api_secret = source.get(secret_var)
        missing = [n for n, v in ((key_var, api_key), (secret_var, api_secret)) if not v]
        if missing:
            raise ConfigError(f"{venue}: missing credentials; set {' and '.join(missing)} in the environment")
        config = cls(venue, endpoints, str(api_key), Secret(api_secret), mainnet)  # type: ignore[arg-type]
        return config.with_settings(**settings) if settings else config

    @classmethod
    def local(cls, venue: str, base_url: str, api_key: str, api_secret: str | bytes | Secret, **settings):
        """Configuration for the local simulator serving every personality at ``base_url``."""
        if not is_loopback_host(urlsplit(base_url).hostname):
            raise ConfigError(f"local() is for the loopback simulator, not {base_url!r}")
        return cls.create(venue, rest_url=base_url, api_key=api_key, api_secret=api_secret, env={}, **settings)

    def with_settings(self, **settings) -> "VenueConfig":
        """A copy with timeouts, recv window, retry delays or options changed."""
        allowed = {"recv_window_ms", "connect_timeout", "read_timeout", "retry_delays", "options"}
        unknown = set(settings) - allowed
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        new = replace(self, **settings)
        if not (0 < new.recv_window_ms <= 60000):
            raise ConfigError(f"recv_window_ms must be in 1..60000, got {new.recv_window_ms}")
        if new.connect_timeout <= 0 or new.read_timeout <= 0:
            raise ConfigError("timeouts must be positive")
        if any(d < 0 for d in new.retry_delays):
            raise ConfigError("retry delays must not be negative")
        return new

    @property
    def is_local(self) -> bool:
        return is_loopback_host(urlsplit(self.endpoints.rest).hostname)

    def __repr__(self) -> str:
        key = self.api_key
        shown = f"...{key[-4:]}" if len(key) > 8 else "****"
        net = "local" if self.is_local else ("MAINNET" if self.mainnet else "testnet")
        return (
            f"VenueConfig(venue={self.venue!r}, network={net}, rest={self.endpoints.rest!r}, "
            f"api_key={shown!r}, api_secret={self.api_secret!r})"
        )

    __str__ = __repr__


def _local_ws_urls(venue: str, base_url: str) -> tuple[str | None, str | None]:
    ws = _to_ws(base_url)
    return {
        "binance-spot": (f"{ws}/ws-api/v3", f"{ws}/ws-api/v3"),
        "binance-usdm": (f"{ws}/ws-fapi/v1", f"{ws}/private"),
        "bybit": (f"{ws}/v5/trade", f"{ws}/v5/private"),
    }.get(venue, (None, None))
