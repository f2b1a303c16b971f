"""Every ext/*.pyx is built as engine._<name>, ships a .pyi stub that matches it, and py.typed."""

import ast
import importlib
import inspect
import pathlib
import types

import pytest
from tests.support import ROOT

PYX = sorted((ROOT / "ext").glob("*.pyx"))


def module_of(pyx: pathlib.Path) -> str:
    return f"engine._{pyx.stem}"


def stub_names(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def public_names(mod: types.ModuleType) -> set[str]:
    out = set()
    for name, value in vars(mod).items():
        if name.startswith("_"):
            continue
        if inspect.ismodule(value):
            continue
        owner = getattr(value, "__module__", mod.__name__)
        if (inspect.isclass(value) or callable(value)) and owner != mod.__name__:
            continue  # imported, not defined here
        out.add(name)
    return out


def test_there_are_extension_modules():
    assert PYX, "ext/ holds no .pyx"


@pytest.mark.parametrize("pyx", PYX, ids=lambda p: p.stem)
def test_module_is_compiled_and_stub_matches(pyx):
    mod = importlib.import_module(module_of(pyx))
    assert pathlib.Path(mod.__file__).suffix in (".so", ".pyd"), "not a compiled extension"
    stub = ROOT / "engine" / f"_{pyx.stem}.pyi"
    assert stub.exists(), f"{stub.name} missing"
    assert stub_names(stub) == public_names(mod)


def test_package_is_typed():
    assert (ROOT / "engine" / "py.typed").exists()
