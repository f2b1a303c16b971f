"""The MEXC adapter against the venue contract (engine/venues/base.py), checked on the class itself.

tests/venues/test_venue_contract.py checks every adapter of the registry; MEXC joins the registry with its
simulator personality (the venue-generic tests run every registered venue against the simulator), so until
then these checks hold it to the same contract."""

import inspect

import pytest

from engine.config import Endpoints, VenueConfig
from engine.venues.base import CAPABILITY_MEMBERS, REQUIRED_MEMBERS, Capability, VenueAdapter
from engine.venues.mexc.adapter import MexcAdapter
from tests.venues.test_venue_contract import ASYNC_MEMBERS


def config(secret="s", **options):
    # built directly: VenueConfig.local() refuses a venue the registry does not list yet
    return VenueConfig("mexc", Endpoints("http://127.0.0.1:9", None, "ws://127.0.0.1:9/ws"), "k", secret,
                       options=options)


def make(secret="s", **options):
    return MexcAdapter(config(secret, **options))


def test_the_adapter_has_the_required_members():
    adapter = make()
    assert isinstance(adapter, VenueAdapter)
    for name in REQUIRED_MEMBERS:
        assert hasattr(adapter, name), f"no {name}"
    for name in ASYNC_MEMBERS & set(REQUIRED_MEMBERS):
        assert inspect.iscoroutinefunction(getattr(adapter, name)), f"{name} must be async"
    assert adapter.venue == "mexc" and adapter.futures is False and adapter.margin_asset is None
    assert hasattr(adapter.clock, "now_ms") and hasattr(adapter.clock, "rtt_ms")
    assert hasattr(adapter.limiter, "try_take") and hasattr(adapter.parser, "next_record")
    assert list(inspect.signature(adapter.query).parameters) == ["symbol", "client_id", "order_type"]


def test_declared_capabilities_come_with_their_members_and_rest_is_the_only_order_entry():
    adapter = make()
    caps = adapter.capabilities
    assert isinstance(caps, frozenset) and all(isinstance(c, Capability) for c in caps)
    for cap in caps:
        for name in CAPABILITY_MEMBERS[cap]:
            assert getattr(adapter, name, None) is not None, f"declares {cap.value} but has no {name}"
    # MEXC spot v3: no WebSocket order entry, no amend, no stop orders (the engine refuses them up front)
    assert not caps & {Capability.WS_ORDER_ENTRY, Capability.AMEND_IN_PLACE, Capability.CANCEL_REPLACE,
                       Capability.NATIVE_BRACKETS, Capability.STOP_ORDERS, Capability.CANCEL_ON_DISCONNECT}
    with pytest.raises(ValueError, match="REST only"):
        MexcAdapter(config(), order_entry="ws")


def test_bad_options_are_refused_before_anything_starts():
    with pytest.raises(ValueError, match="market_protection"):
        make(market_protection="1.5")
    adapter = make("a-secret-never-shown")
    assert "a-secret-never-shown" not in repr(adapter) + repr(adapter.rest) + repr(adapter.config)
