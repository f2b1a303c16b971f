"""setup.py: debug build switch, and a clear message when there is no C compiler."""

import os
import shutil
import subprocess
import sys

import pytest
from tests.support import ROOT

pytestmark = pytest.mark.timeout(600)


@pytest.fixture()
def tree(tmp_path):
    """A copy of the sources, so builds here never touch the working tree."""
    for name in ("setup.py", "pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "ext", tmp_path / "ext")
    shutil.copytree(ROOT / "engine", tmp_path / "engine", ignore=shutil.ignore_patterns("*.so", "_*.pxd", "__pycache__"))
    return tmp_path


def build(tree, **env):
    return subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=tree, capture_output=True, text=True, env={**os.environ, "ENGINE_ONLY": "fixedpoint", **env},
    )


def test_module_mapping_is_ext_name_to_engine_underscore_name():
    sys.path.insert(0, str(ROOT))
    try:
        import setup  # noqa: F401  (import only defines functions; main() runs under __main__)
    finally:
        sys.path.remove(str(ROOT))
    assert setup.module_name("ext/fixedpoint.pyx") == "engine._fixedpoint"
    assert setup.staged_pxd_path("ext/signer.pxd") == os.path.join("engine", "_signer.pxd")


def test_editable_install_compiles_where_the_in_place_build_looks():
    """pip install -e . builds where setup.py build_ext --inplace (make build) does, not in throw-away
    directories: the in-place build that follows finds every module up to date (one compile, not two)."""
    sys.path.insert(0, str(ROOT))
    try:
        import setup
    finally:
        sys.path.remove(str(ROOT))
    from setuptools import Distribution, Extension

    def build_ext(editable: bool):
        dist = Distribution({"name": "engine", "ext_modules": [Extension("engine._fixedpoint", ["x.c"])]})
        if editable:  # what setuptools' editable_wheel does: temporary dirs on the build command
            build = dist.get_command_obj("build")
            build.build_lib = build.build_platlib = build.build_purelib = "/tmp/editable-xyz/lib"
            build.build_temp = "/tmp/editable-xyz/tmp"
        cmd = setup.BuildExt(dist)
        cmd.editable_mode = editable
        cmd.ensure_finalized()
        return cmd

    editable, plain = build_ext(True), build_ext(False)
    assert editable.inplace and not plain.inplace
    assert (editable.build_lib, editable.build_temp) == (plain.build_lib, plain.build_temp)
    assert plain.build_temp.startswith("build") and plain.parallel == (os.cpu_count() or 1)


def test_debug_build_traces_lines_and_annotates(tree):
    out = build(tree, ENGINE_DEBUG="1")
    assert out.returncode == 0, out.stderr[-2000:]
    generated = (tree / "build" / "cython-debug" / "ext" / "fixedpoint.c").read_text()
    assert "__Pyx_TraceLine(" in generated
    assert (tree / "build" / "cython-debug" / "ext" / "fixedpoint.html").exists()
    assert list((tree / "engine").glob("_fixedpoint*.so"))


def test_release_build_has_no_tracing(tree):
    out = build(tree)
    assert out.returncode == 0, out.stderr[-2000:]
    generated = (tree / "build" / "cython" / "ext" / "fixedpoint.c").read_text()
    assert "__Pyx_TraceLine(" not in generated
    assert not (tree / "build" / "cython" / "ext" / "fixedpoint.html").exists()


def test_missing_compiler_is_named(tree):
    out = build(tree, CC="/nonexistent/cc")
    assert out.returncode != 0
    assert "no C compiler found" in out.stderr + out.stdout
