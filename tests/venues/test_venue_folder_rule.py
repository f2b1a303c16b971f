"""The venue-folder rule (issue 13): adding a venue touches only its own folders (``engine/venues/<v>/``,
``engine/sim/<v>/``, ``ext/*<v>*``, ``tests/venues/<v>/``, its bench rows ``engine/bench/roundtrip_<v>.py``),
its registry line (``engine/venues/registry.py``) and its personality line (``engine/sim/personalities.py``;
the personality declares the rest, its own port included).

So no shared module of ``engine/`` names a venue in its code: no string literal outside a docstring holds a
venue's name (a per-venue table, a switch on a venue, a venue's path or flag), and no shared compiled
module of ``ext/`` quotes one, but for the few listed below, each with its reason.  And every registered venue has a home for what the shared code collects:
its endpoints and traits in its folder, its bench rows, its personality's new-order requests.
"""

import ast
import importlib
import re

import pytest

from engine.sim import personalities
from engine.sim.registry import load
from engine.venues.registry import ADAPTERS, folder, folders, order_paths
from engine.venues.site import sites
from engine.venues.traits import VenueTraits, traits
from tests.support import ROOT

# Names of venues that are not a registry key or folder name (brands, the gateway TopstepX runs on).
OTHER_NAMES = ("gate.io", "gate io", "topstep", "projectx")

# Shared modules that may name venues, and why.
WHOLE_FILES = {
    "engine/venues/registry.py": "the registry: one line per venue",
    "engine/sim/personalities.py": "one line per personality",
    "engine/sim/cli_help.py": "the fault grammar's help prose gives each venue's own answer to a fault",
    "engine/bench/micro.py": "stages 1-3 are a Binance workload (sign, encode, parse), done by every contender",
    "engine/bench/peers.py": "stages 1-3 by the peer libraries, named by their package",
    "engine/bench/cli.py": "its help names the peer packages",
    "engine/bench/results.py": "the report's notes name the blocking peer packages",
    "engine/report/machine.py": "the report names the peer packages' versions",
    "engine/bench/roundtrip.py": "the round-trip harness, with Binance's and Bybit's clients (rows per venue are "
                                 "in roundtrip_<venue>.py)",
}
# Single literals that may name a venue in a shared module, and why.
LITERALS = {
    ("engine/demo/session.py", "binance-usdm"): "DEFAULT_VENUE, the demo's venue when none is asked for",
    ("engine/testing.py", "binance-spot"): "simulated()'s and SimRunner's default venue",
    ("engine/sim/exchange.py", "binance-spot"): "SimExchange.balance's default wallet",
    ("engine/sim/exchange.py", "binance-usdm"): "SimExchange.futures_balance's default wallet",
}
# Prose that may name a venue in a shared module's help text, and why: (file, venue word).
PROSE = {
    ("engine/sim/cli.py", "binance"): "--ed25519-key: only Binance takes Ed25519 API keys",
}


def venue_words() -> re.Pattern:
    """Every registered venue's name and folder, every personality, and the brand names, as words."""
    names = {*ADAPTERS, *folders(), *personalities.PERSONALITIES, *OTHER_NAMES}
    alternatives = "|".join(sorted((re.escape(n).replace(r"\ ", "[ .]?") for n in names), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])({alternatives})", re.I)


def in_a_venue_folder(rel: str) -> bool:
    parts = rel.split("/")
    if parts[1] in ("venues", "sim") and len(parts) > 3 and parts[2] in folders() + list(personalities.PERSONALITIES):
        return True
    bench = re.fullmatch(r"engine/bench/roundtrip_([a-z0-9]+)\.py", rel)
    return bool(bench) and bench.group(1) in folders()


def venue_literals(source: str, words: re.Pattern) -> list[tuple[int, str, str]]:
    """(line, venue word, literal) of every string literal naming a venue, docstrings left out."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found = words.search(node.value)
            if found:
                out.append((node.lineno, found.group(1).lower(), node.value))
    return out


def shared_modules() -> list[str]:
    return sorted(rel for path in (ROOT / "engine").rglob("*.py")
                  if not in_a_venue_folder(rel := path.relative_to(ROOT).as_posix()))


def test_the_rule_finds_a_per_venue_table_and_leaves_prose_alone():
    words = venue_words()
    table = '"""Where Gate.io lives (a docstring may say so)."""\nPATHS = {"gateio": "/api/v4", "kraken": ""}\n'
    assert [(w, lit) for _, w, lit in venue_literals(table, words)] == [("gateio", "gateio")]
    assert venue_literals('def f(venue):\n    return venue == "topstepx"\n', words)
    assert venue_literals('HELP = f"--{name}-per-second (Gate.io: 10)"\n', words)
    assert not venue_literals('"""Binance and Bybit."""\nX = "SimExchange"  # MEXC\n', words)   # no "mexc" word
    assert in_a_venue_folder("engine/venues/mexc/endpoints.py") and in_a_venue_folder("engine/sim/gateio/limits.py")
    assert in_a_venue_folder("engine/bench/roundtrip_topstepx.py")
    assert not in_a_venue_folder("engine/bench/roundtrip_peers.py") and not in_a_venue_folder("engine/config.py")


@pytest.mark.parametrize("rel", shared_modules())
def test_no_shared_module_names_a_venue(rel):
    if rel in WHOLE_FILES:
        return
    offenders = [(line, literal) for line, word, literal in venue_literals((ROOT / rel).read_text(), venue_words())
                 if (rel, literal) not in LITERALS and (rel, word) not in PROSE]
    assert not offenders, f"{rel} names a venue (move it into the venue's folder or declaration): {offenders[:5]}"


def shared_compiled_sources() -> list[str]:
    """ext/ sources not named for a venue (a venue's codec and parsers are ext/*<venue>*)."""
    names = [*folders(), *ADAPTERS]
    return sorted(rel for path in (ROOT / "ext").iterdir() if path.suffix in (".pyx", ".pxd", ".h", ".c")
                  if not any(n in path.name for n in names) and (rel := path.relative_to(ROOT).as_posix()))


# Quoted venue names that may stay in a shared compiled module, and why.
COMPILED_LITERALS = {
    ("ext/order_store.pyx", "binance-spot"): "ClientIdCodec's and OrderStore's default venue",
    ("ext/order_store.pxd", "binance-spot"): "the venue field's comment gives an example",
}


@pytest.mark.parametrize("rel", shared_compiled_sources())
def test_no_shared_compiled_module_holds_a_venue_table(rel):
    """Cython has no ast here: a quoted venue name ("gateio": ..., == "mexc") is what a per-venue table or
    switch needs; prose in docstrings and comments may name venues."""
    names = "|".join(re.escape(n) for n in sorted({*ADAPTERS, *folders()}, key=len, reverse=True))
    quoted = re.compile(rf"""["']({names})["']""", re.I)
    offenders = [m.group(1) for m in quoted.finditer((ROOT / rel).read_text())
                 if (rel, m.group(1)) not in COMPILED_LITERALS]
    assert not offenders, f"{rel} names a venue (declare it in the venue's folder instead): {offenders[:5]}"


def test_the_allow_lists_are_still_needed():
    """An exemption nothing uses any more is dropped, so the list stays the truth."""
    words = venue_words()
    found = {rel: venue_literals((ROOT / rel).read_text(), words) for rel in shared_modules()}
    for rel in WHOLE_FILES:
        assert found.get(rel), f"{rel} names no venue any more: drop it from WHOLE_FILES"
    for rel, literal in LITERALS:
        assert any(lit == literal for _, _, lit in found.get(rel, ())), f"{rel}: {literal!r} is gone"
    for rel, word in PROSE:
        assert any(w == word for _, w, _ in found.get(rel, ())), f"{rel}: no {word!r} any more"
    for rel, literal in COMPILED_LITERALS:
        assert f'"{literal}"' in (ROOT / rel).read_text(), f"{rel}: {literal!r} is gone"


@pytest.mark.parametrize("venue", sorted(ADAPTERS))
def test_every_venue_declares_what_the_shared_code_collects(venue):
    site = sites()[venue]                               # endpoints.py in its folder
    assert "mainnet" in site.networks and all(site.credentials) and site.mainnet_domains
    assert isinstance(traits(venue), VenueTraits)      # traits.py in its folder
    bench = importlib.import_module(f"engine.bench.roundtrip_{folder(venue).rpartition('.')[2]}")
    assert bench.ROWS and {row[3] for row in bench.ROWS} <= set(ADAPTERS)     # its folder's bench rows
    reg = load()
    for entry in (e for v, e in order_paths() if v == venue):
        assert (venue, entry) in reg.new_orders, f"{venue} {entry}: its personality declares no new-order request"
