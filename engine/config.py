"""Per-venue configuration: endpoints, credentials from the environment, timeouts.

Testnet (or the venue's demo environment) is the default.  Mainnet needs the
explicit argument ``mainnet=True``; a mainnet host without it is refused.  Plain
``http``/``ws`` URLs are accepted only for loopback (the local simulator).  These
rules are checked when a :class:`VenueConfig` is built, by whatever path:
:meth:`VenueConfig.create`, :meth:`VenueConfig.local`, the constructor itself,
``dataclasses.replace`` or :meth:`VenueConfig.with_settings`.

A mainnet host is any host under a registered domain in :data:`MAINNET_DOMAINS` (the
domain itself or any subdomain of it), compared
after :func:`~engine.hosts.normalize_host` (case, trailing dot, IDNA), except the
test and demo hosts listed in :data:`TEST_HOSTS`.  The check covers every venue's
domains whatever the configured venue.  It cannot see through an IP address or a
DNS name of one's own that points at a venue; for ``https`` the venue's certificate
would not match such a name anyway.

Every venue's endpoints, credential variables, domains and test hosts are declared in its
own folder (``engine/venues/<folder>/endpoints.py``, :class:`~engine.venues.site.VenueSite`)
and collected here over the registry (:func:`engine.venues.site.sites`).

Credentials come from environment variables (see :data:`CREDENTIAL_ENV`) unless
passed explicitly; the secret is held in a :class:`~engine.secret.Secret`, so it
never appears in ``repr``, ``str``, logs or exception messages, nor in the locals
of a traceback raised while building the configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Mapping
from urllib.parse import urlsplit

from engine.errors import ConfigError
from engine.hosts import check_cleartext, is_loopback_host, normalize_host
from engine.secret import Secret
from engine.venues.site import Endpoints, VenueSite, sites

__all__ = ["VENUES", "CREDENTIAL_ENV", "MAINNET_DOMAINS", "TEST_HOSTS", "Endpoints", "VenueConfig",
           "is_loopback_host", "is_mainnet_host"]


# Each registered venue's site, declared in its folder (engine/venues/<folder>/endpoints.py).
_SITES: dict[str, VenueSite] = sites()

# venue -> network ("mainnet"; "testnet": the venue's test or demo environment, where it has one) -> Endpoints
VENUES: dict[str, dict[str, Endpoints]] = {venue: dict(site.networks) for venue, site in _SITES.items()}

# Environment variables read for credentials: venue -> (key variable, secret variable).
CREDENTIAL_ENV: dict[str, tuple[str, str]] = {venue: site.credentials for venue, site in _SITES.items()}

# Registered domains whose hosts trade real funds (the domain itself and every subdomain).
MAINNET_DOMAINS: dict[str, tuple[str, ...]] = {venue: site.mainnet_domains for venue, site in _SITES.items()}

# Test and demo hosts under those domains: exact hosts, or ".zone" for a zone whose every
# host is a test host.  Taken from the sheets' section 1 (no other host is assumed safe).
TEST_HOSTS: dict[str, tuple[str, ...]] = {venue: site.test_hosts for venue, site in _SITES.items()}

_DOMAINS = tuple(sorted({d for ds in MAINNET_DOMAINS.values() for d in ds}))
_TEST_EXACT = frozenset(h for hs in TEST_HOSTS.values() for h in hs if not h.startswith("."))
_TEST_ZONES = tuple(sorted({h for hs in TEST_HOSTS.values() for h in hs if h.startswith(".")}))


def is_mainnet_host(host: str) -> bool:
    """Whether ``host`` is under any venue's mainnet domain and not one of its test hosts.

    ``host`` is normalised first (case, trailing dot, IDNA); an IP address is never
    recognised (see the module docstring).

    Raises
    ------
    ConfigError
        ``host`` is not a valid host name.
    """
    name = normalize_host(host)
    if name in _TEST_EXACT or name.endswith(_TEST_ZONES):
        return False
    return any(name == d or name.endswith("." + d) for d in _DOMAINS)


def _check_url(url: str, what: str, mainnet: bool) -> str:
    """``url`` without a trailing slash, after every rule of the module docstring."""
    if not isinstance(url, str):
        raise ConfigError(f"{what} must be a str URL, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "wss", "http", "ws") or not parts.hostname:
        raise ConfigError(f"{what} {url!r} is not an http(s)/ws(s) URL with a host")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ConfigError(f"{what} must not carry credentials in the URL")
    try:
        _ = parts.port  # urlsplit checks the port only when asked
    except ValueError:
        raise ConfigError(f"{what} {url!r} has an invalid port") from None
    normalize_host(parts.hostname)  # a host name or an IP address, nothing a URL library may reinterpret
    check_cleartext(url, what)
    if not mainnet and is_mainnet_host(parts.hostname):
        raise ConfigError(f"{what} {url!r} is a mainnet host; pass mainnet=True to trade real funds")
    return url.rstrip("/")


def _to_secret(value: str | bytes | Secret | None) -> Secret | None:
    """``value`` as a Secret (None when absent or empty)."""
    if value is None or isinstance(value, Secret):
        return value
    if not isinstance(value, (str, bytes)):
        raise ConfigError(f"api_secret must be str, bytes or engine.Secret, not {type(value).__name__}")
    return Secret(value) if value else None


class _Environment:
    """Read access to the credential variables that never shows them.

    Not a Mapping on purpose: traceback renderers that print locals (pytest
    --showlocals, rich, Sentry) expand mappings item by item but show other objects
    by their ``repr``, and the environment holds the secret.
    """

    __slots__ = ("_source",)

    def __init__(self, source: Mapping[str, str]):
        self._source = source

    def get(self, name: str) -> str | None:
        return self._source.get(name)

    def secret(self, name: str) -> Secret | None:
        return _to_secret(self._source.get(name))

    def __repr__(self) -> str:
        return "<environment (not shown)>"


def _to_ws(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


@dataclass(frozen=True, repr=False)
class VenueConfig:
    """Everything needed to talk to one venue account.

    Build with :meth:`create` (defaults, environment) or :meth:`local` (the simulator).
    Every instance, however it was made, satisfies:

    1. ``venue`` is one of :data:`VENUES`; ``mainnet`` is a bool.
    2. Every endpoint URL is http(s)/ws(s) with a valid host and no credentials in it.
    3. Plain ``http``/``ws`` only to a loopback host.
    4. A mainnet host only with ``mainnet=True``.
    5. ``api_secret`` is a :class:`Secret` (a raw value given to the constructor is wrapped).
    6. Settings in range: recv window 1..60000 ms, positive timeouts, no negative retry delay.
    7. Withdrawal settings well formed: ``withdraw_allowlist`` entries (:mod:`engine.withdraw_allowlist`),
       an allow-list file that exists and only its owner may write, ``withdraw_daily_limits``
       asset -> amount (str, Decimal or int; never float) per rolling 24 hours.

    Raises
    ------
    ConfigError
        When any rule is broken (never naming the secret).
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
    # Withdrawals (engine.withdraw_allowlist): empty allow-list and no file = no withdrawal allowed.
    withdraw_allowlist: tuple = ()
    withdraw_allowlist_file: str | None = None
    withdraw_daily_limits: Mapping[str, object] = field(default_factory=dict)   # asset -> most per 24 h

    def __post_init__(self) -> None:
        if not isinstance(self.api_secret, Secret):
            secret = _to_secret(self.api_secret)
            object.__setattr__(self, "api_secret", secret)  # rule 5 first: repr(self) is safe from here on
            if secret is None:
                raise ConfigError(f"{self.venue}: api_secret is empty")
        if self.venue not in VENUES:
            raise ConfigError(f"unknown venue {self.venue!r}; known: {', '.join(sorted(VENUES))}")
        if not isinstance(self.mainnet, bool):
            raise ConfigError("mainnet must be True or False")
        if not isinstance(self.api_key, str) or not self.api_key:
            raise ConfigError(f"{self.venue}: api_key must be a non-empty str")
        if not isinstance(self.endpoints, Endpoints) or self.endpoints.rest is None:
            raise ConfigError("endpoints must be an Endpoints with a REST URL")
        ep = self.endpoints
        for what, url in (("rest_url", ep.rest), ("ws_api_url", ep.ws_api), ("stream_url", ep.stream)):
            if url is not None:
                _check_url(url, what, self.mainnet)
        if not isinstance(self.recv_window_ms, int) or not (0 < self.recv_window_ms <= 60000):
            raise ConfigError(f"recv_window_ms must be in 1..60000, got {self.recv_window_ms!r}")
        if not (self.connect_timeout > 0 and self.read_timeout > 0):
            raise ConfigError("timeouts must be positive")
        if any(not d >= 0 for d in self.retry_delays):
            raise ConfigError("retry delays must not be negative")
        _check_withdraw_settings(self)

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
        # The environment is read through a view that never shows itself and the secret is
        # a Secret from the first line that sees it, so no local of this frame holds the raw
        # value when something below raises (tracebacks printed with their locals).
        env = _Environment(os.environ if env is None else env)
        api_secret = _to_secret(api_secret)
        if venue not in VENUES:
            raise ConfigError(f"unknown venue {venue!r}; known: {', '.join(sorted(VENUES))}")
        from engine.venues.registry import has_adapter
        if not has_adapter(venue):
            raise ConfigError(f"{venue}: the engine has no adapter for this venue yet, so it cannot trade there "
                              "(its wire facts are known; its client has not landed)")
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
            rest = _local_rest_url(venue, rest)
        ws_api = ws_api_url or defaults.ws_api
        stream = stream_url or defaults.stream
        endpoints = Endpoints(
            rest,
            _check_url(ws_api, "ws_api_url", mainnet) if ws_api else None,
            _check_url(stream, "stream_url", mainnet) if stream else None,
        )
        key_var, secret_var = CREDENTIAL_ENV[venue]
        if api_key is None:
            api_key = env.get(key_var)
        if api_secret is None:
            api_secret = env.secret(secret_var)
        missing = [n for n, v in ((key_var, api_key), (secret_var, api_secret)) if not v]
        if missing:
            raise ConfigError(f"{venue}: missing credentials; set {' and '.join(missing)} in the environment")
        config = cls(venue, endpoints, str(api_key), api_secret, mainnet)
        return config.with_settings(**settings) if settings else config

    @classmethod
    def local(cls, venue: str, base_url: str, api_key: str, api_secret: str | bytes | Secret, **settings):
        """Configuration for the local simulator serving every personality at ``base_url``."""
        api_secret = _to_secret(api_secret)  # first line: see create()
        if not is_loopback_host(urlsplit(base_url).hostname):
            raise ConfigError(f"local() is for the loopback simulator, not {base_url!r}")
        return cls.create(venue, rest_url=base_url, api_key=api_key, api_secret=api_secret, env={}, **settings)

    def with_settings(self, **settings) -> "VenueConfig":
        """A copy with timeouts, recv window, retry delays or options changed (checked like any new instance)."""
        allowed = {"recv_window_ms", "connect_timeout", "read_timeout", "retry_delays", "options",
                   "withdraw_allowlist", "withdraw_allowlist_file", "withdraw_daily_limits"}
        unknown = set(settings) - allowed
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **settings)

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


def _check_withdraw_settings(config: VenueConfig) -> None:
    """Rule 7: the allow-list as AllowedAddress entries, its file readable and safe, daily limits positive
    Decimals by upper-case asset (normalised in place: the instance is frozen)."""
    from decimal import Decimal, InvalidOperation

    from engine.withdraw_allowlist import check_allowlist_file, parse_entries
    object.__setattr__(config, "withdraw_allowlist", parse_entries(config.withdraw_allowlist))
    if config.withdraw_allowlist_file is not None:
        object.__setattr__(config, "withdraw_allowlist_file",
                           str(check_allowlist_file(config.withdraw_allowlist_file)))
    limits = {}
    for asset, most in dict(config.withdraw_daily_limits).items():
        if not isinstance(asset, str) or not asset:
            raise ConfigError(f"withdraw_daily_limits keys are asset names, not {asset!r}")
        if isinstance(most, float) or isinstance(most, bool):
            raise ConfigError(f"withdraw_daily_limits[{asset!r}]: pass a str, Decimal or int, never a float")
        try:
            value = Decimal(str(most))
        except InvalidOperation:
            raise ConfigError(f"withdraw_daily_limits[{asset!r}] = {most!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise ConfigError(f"withdraw_daily_limits[{asset!r}] must be a finite amount >= 0, not {most!r}")
        limits[asset.upper()] = value
    object.__setattr__(config, "withdraw_daily_limits", limits)


def _local_rest_url(venue: str, base_url: str) -> str:
    """The simulator's REST base URL of ``venue``: its port's URL plus the venue's API path, unless given."""
    path = _SITES[venue].local_rest
    if not path or urlsplit(base_url).path.rstrip("/"):
        return base_url
    return base_url.rstrip("/") + path


def _local_ws_urls(venue: str, base_url: str) -> tuple[str | None, str | None]:
    """The simulator's WebSocket order-entry and user-data stream URLs of ``venue`` on ``base_url``'s port."""
    ws, site = _to_ws(base_url), _SITES[venue]
    return (f"{ws}{site.local_ws_api}" if site.local_ws_api is not None else None,
            f"{ws}{site.local_stream}" if site.local_stream is not None else None)
