"""Distribution: sdist + platform wheel; the wheel installs and imports without Cython or a compiler."""

import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

import pytest
from tests.support import ROOT

MODULES = sorted(f"engine._{p.stem}" for p in (ROOT / "ext").glob("*.pyx"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{cmd[:4]} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with this environment's pinned Cython/numpy/setuptools
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def wheel(dist):
    built = next(dist.glob("engine-*-linux_*.whl"), None) or next(dist.glob("engine-*.whl"))
    try:
        import auditwheel  # noqa: F401
    except ImportError:
        return built  # auditwheel not installable here: keep the platform wheel
    repaired = dist / "repaired"
    env = dict(os.environ, PATH=os.pathsep.join([str(pathlib.Path(sys.executable).parent), os.environ["PATH"]]))
    run([sys.executable, "-m", "auditwheel", "repair", "-w", str(repaired), str(built)], env=env)
    (fixed,) = repaired.glob("*.whl")
    assert "manylinux" in fixed.name
    return fixed


def test_sdist_carries_the_sources(dist):
    (sdist,) = dist.glob("engine-*.tar.gz")
    names = tarfile.open(sdist).getnames()
    for pyx in (ROOT / "ext").glob("*.pyx"):
        assert any(n.endswith(f"ext/{pyx.name}") for n in names)
    assert any(n.endswith("ext/fixedpoint.h") for n in names)
    assert not any(n.endswith(".so") for n in names)


def test_wheel_ships_modules_stubs_and_marker(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for mod in MODULES:
        stem = mod.split(".")[1]
        assert any(n.startswith(f"engine/{stem}.") and n.endswith(".so") for n in names), mod
        assert f"engine/{stem}.pyi" in names
        assert f"engine/{stem}.pxd" in names or not (ROOT / "ext" / f"{stem[1:]}.pxd").exists()
    assert "engine/py.typed" in names


def test_wheel_imports_in_a_fresh_venv_without_compiler(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    # without PYTHONPATH: a source tree on it (engine.egg-info) would make pip take engine as installed
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run([str(py), "-m", "pip", "install", "-q", str(wheel)], env=clean)
    # Only the new environment's bin on PATH: no cc, gcc or cython reachable.
    env = {"PATH": str(venv / "bin"), "HOME": str(tmp_path), "PYTHONNOUSERSITE": "1"}
    probe = (
        "import importlib, shutil, sys\n"
        "assert shutil.which('cc') is None and shutil.which('gcc') is None, 'compiler on PATH'\n"
        "try:\n    import Cython\nexcept ImportError:\n    pass\nelse:\n    sys.exit('Cython importable')\n"
        f"mods = {MODULES!r}\n"
        "for m in mods:\n    mod = importlib.import_module(m)\n    assert mod.__file__.endswith('.so'), m\n"
        "import engine\nassert engine.__file__.startswith(sys.prefix), engine.__file__\n"
        "print('imported', len(mods))\n"
    )
    out = run([str(py), "-c", probe], env=env, cwd=tmp_path)
    assert f"imported {len(MODULES)}" in out.stdout
