"""The README's "Try it on the simulator" and "Test your bot" code runs as written.

The first block is a script: it runs in a fresh interpreter with no credentials in its
environment.  The second is a bot author's test file: it runs under pytest in an empty
directory, with the engine's pytest plugin found through the package's entry point alone.
"""

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points

from tests.support import ROOT

README = (ROOT / "README.md").read_text()


def section_code(title: str) -> str:
    body = README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", body, re.S)
    assert len(blocks) == 1, f"one python block under '## {title}'"
    return blocks[0]


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_API_SECRET"))}
    env.pop("PYTEST_ADDOPTS", None)
    return env


def test_try_it_on_the_simulator_runs_verbatim(tmp_path):
    script = tmp_path / "try_it.py"
    script.write_text(section_code("Try it on the simulator"))
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=clean_env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    first, second = out.stdout.splitlines()[:2]
    assert first == "FILLED 0.01 True"                         # filled, and the id starts with its tag
    assert second.startswith("FILLED (Decimal(")               # the bid filled when the market fell


def test_test_your_bot_runs_verbatim_with_the_plugin_from_its_entry_point(tmp_path):
    (tmp_path / "test_my_bot.py").write_text(section_code("Test your bot"))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                          "test_my_bot.py"], cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
    paths = sum(1 for _ in __import__("engine.venues.registry", fromlist=["x"]).order_paths())
    assert f"{paths + 1} passed" in out.stdout                # every venue and path, and the single test


def test_the_plugin_is_registered_through_an_entry_point():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    assert declared == {"engine": "engine.testing"}
    assert any(e.value == "engine.testing" for e in entry_points(group="pytest11"))
