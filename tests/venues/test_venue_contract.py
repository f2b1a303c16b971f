"""The venue contract (engine/venues/base.py), checked over every registered adapter, and the rules that keep
venue knowledge behind it: the order manager names no venue and reads no venue JSON, uses no adapter member
the contract does not declare, and no module imports another module's private name."""

import ast
import inspect
import re

import pytest

from engine.config import VenueConfig
from engine.venues.base import CAPABILITY_MEMBERS, REQUIRED_MEMBERS, Capability, VenueAdapter
from engine.venues.registry import ADAPTERS, adapter_class, make_adapter
from tests.support import ROOT

OMS = ROOT / "engine" / "oms"
ASYNC_MEMBERS = {"start", "stop", "load_instruments", "send_place", "cancel", "cancel_all", "query", "open_orders",
                 "fills", "positions", "balances", "last_price", "describe_found", "amend", "cancel_replace",
                 "cancel_on_disconnect", "disarm_cancel_on_disconnect", "withdrawal_networks", "withdraw",
                 "withdrawal_history", "withdraw_address_book", "cancel_withdrawal"}
VENUE_WORDS = re.compile(r"binance|bybit|mexc|gate\.?io|topstep|projectx|usd-?m\b|otoco", re.I)
# JSON field names of the venues' wire formats (shared/venues/*.md): the order manager never reads them
VENUE_FIELDS = re.compile(r"""["'](e|E|o|X|x|z|clientOrderId|origClientOrderId|orderLinkId|retCode|retMsg|"""
                          r"""executionReport|ORDER_TRADE_UPDATE|ALGO_UPDATE|outboundAccountPosition|ACCOUNT_UPDATE|"""
                          r"""orderStatus|cumExecQty|stopOrderType|parentOrderLinkId|createType|topic)["']""")


def adapters():
    for venue in sorted(ADAPTERS):
        yield venue, make_adapter(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"))


@pytest.mark.parametrize("venue", sorted(ADAPTERS))
def test_every_adapter_has_the_required_members(venue):
    adapter = make_adapter(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"))
    assert isinstance(adapter, VenueAdapter)
    for name in REQUIRED_MEMBERS:
        assert hasattr(adapter, name), f"{venue}: no {name}"
    for name in ASYNC_MEMBERS & set(REQUIRED_MEMBERS):
        assert inspect.iscoroutinefunction(getattr(adapter, name)), f"{venue}: {name} must be async"
    assert adapter.venue == venue and isinstance(adapter.futures, bool)
    assert hasattr(adapter.clock, "now_ms") and hasattr(adapter.clock, "rtt_ms")
    assert hasattr(adapter.limiter, "try_take") and hasattr(adapter.parser, "next_record")
    # the query takes the order type (conditional orders may live elsewhere at the venue)
    assert list(inspect.signature(adapter.query).parameters) == ["symbol", "client_id", "order_type"]


@pytest.mark.parametrize("venue", sorted(ADAPTERS))
def test_declared_capabilities_come_with_their_members(venue):
    adapter = make_adapter(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"))
    caps = adapter.capabilities
    assert isinstance(caps, frozenset) and all(isinstance(c, Capability) for c in caps)
    for cap in caps:
        for name in CAPABILITY_MEMBERS[cap]:
            member = getattr(adapter, name, None)
            assert member is not None, f"{venue} declares {cap.value} but has no {name}"
            if name in ASYNC_MEMBERS:
                assert inspect.iscoroutinefunction(member), f"{venue}: {name} must be async"
    if Capability.NATIVE_BRACKETS in caps:
        impl = adapter.native_brackets
        assert isinstance(impl.exits_known_up_front, bool) and callable(impl.accepts) and callable(impl.exit_types)
        assert inspect.iscoroutinefunction(impl.place)
        if impl.exits_known_up_front:
            assert inspect.iscoroutinefunction(impl.known)
        else:   # the venue creates the exits: they are queried and cancelled through this object
            for name in ("query_leg", "cancel_leg", "fills_leg"):
                assert inspect.iscoroutinefunction(getattr(impl, name))
    if Capability.WITHDRAWALS in caps:
        assert isinstance(adapter.withdrawal_cancel, bool)
        params = list(inspect.signature(adapter.withdrawal_history).parameters)
        assert params == ["asset", "since_ms", "limit", "withdrawal_id", "client_id"], params
    if Capability.WS_ORDER_ENTRY not in caps:
        with pytest.raises(ValueError):
            adapter_class(venue)(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"), order_entry="ws")


def oms_sources():
    return sorted(OMS.glob("*.py"))


def test_the_order_manager_uses_only_contract_members_of_the_adapter():
    allowed = set(REQUIRED_MEMBERS) | {m for ms in CAPABILITY_MEMBERS.values() for m in ms}
    used = set()
    for path in oms_sources():
        used |= set(re.findall(r"adapter\.([a-z_]+)", path.read_text()))
    assert used <= allowed, f"members the contract does not declare: {sorted(used - allowed)}"


@pytest.mark.parametrize("path", oms_sources(), ids=lambda p: p.name)
def test_the_order_manager_names_no_venue_and_reads_no_venue_json(path):
    text = path.read_text()
    assert not VENUE_WORDS.findall(text), f"{path.name} names a venue: {VENUE_WORDS.findall(text)[:5]}"
    assert not VENUE_FIELDS.findall(text), f"{path.name} reads venue JSON fields: {VENUE_FIELDS.findall(text)[:5]}"
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mod = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert "json" != (mod or ""), f"{path.name} imports json"
            assert not (mod or "").startswith(("engine.venues.binance", "engine.venues.bybit", "engine._parse_b")), \
                f"{path.name} imports venue code: {mod}"


def test_no_module_imports_a_private_name_from_another_module():
    offenders = []
    for path in sorted((ROOT / "engine").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py")) \
            + sorted((ROOT / "bench").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                for alias in node.names:
                    if node.module == "engine" and (ROOT / "engine" / f"{alias.name}.pyi").exists():
                        continue        # a compiled module (private by design, imported whole)
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
    assert not offenders, offenders


def test_a_venue_without_an_adapter_is_refused_by_the_registry():
    from engine.errors import ConfigError
    with pytest.raises(ConfigError, match="no adapter"):
        adapter_class("no-such-venue")
