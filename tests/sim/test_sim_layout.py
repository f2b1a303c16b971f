"""The simulator's layout: small modules, and no import circle anywhere in engine/sim/.

Every import counts, at the top of a module or inside a function: a circle dodged by a local
import is still two modules that cannot be understood apart.
"""

import ast

from tests.support import ROOT

SIM = ROOT / "engine" / "sim"
MAX_LINES = 400


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(SIM.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(), str(path))
    return out


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The engine.sim modules ``name`` imports (``from pkg import mod`` counts as importing ``mod``)."""
    package = name if (SIM / "/".join(name.split(".")[2:]) / "__init__.py").exists() else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, tree, known) for name, tree in modules.items()}


def test_no_module_in_the_simulator_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in SIM.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these by idea (at most {MAX_LINES} lines): {long}"


def test_no_import_circle_in_the_simulator():
    graph = _graph()
    state: dict[str, int] = {}        # 1: on the current path, 2: done
    path: list[str] = []
    circles = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_circle_check_sees_local_package_and_relative_imports():
    """The check is not blind: imports inside functions, ``from package import module`` and relative
    imports are edges too."""
    known = set(_modules())
    source = ("import engine.sim.core\n"
              "def f():\n    from engine.sim.binance import order_lists\n"
              "def g():\n    from .errors import BinanceError\n    from ..wire import dumps\n")
    got = _imports("engine.sim.binance.spot", ast.parse(source), known)
    assert got == {"engine.sim.core", "engine.sim.binance.order_lists", "engine.sim.binance.errors",
                   "engine.sim.wire"}
