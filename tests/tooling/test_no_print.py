"""Library code logs through logging under the 'engine' logger and never prints."""

import ast
from tests.support import ROOT

ENGINE = ROOT / "engine"
# Command-line front ends write to the terminal on purpose.
CLI_MODULES = {"__main__.py", "cli.py"}


def test_library_code_never_prints():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        if path.name in CLI_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno}")
    assert not offenders, offenders
