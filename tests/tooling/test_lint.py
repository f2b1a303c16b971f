"""The lint and unused-code checks, run as part of the suite.

- ruff with the pyflakes rules (F): unused imports and variables, undefined names, shadowed
  imports, f-strings without placeholders, ... over engine/, tests/ and bench/;
- vulture (80 % confidence: unused imports, variables, arguments and unreachable code; below
  that it reports every public method a bot may call), with tests/tooling/vulture_whitelist.py
  for parameters an interface imposes.
"""

import shutil
import subprocess
import sys

import pytest

from tests.support import ROOT

PATHS = ["engine", "tests", "bench"]


def _tool(name):
    exe = shutil.which(name, path=str(__import__("pathlib").Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: it is in the test extra (pip install -e '.[test]')")
    return exe


def test_ruff_pyflakes_rules_pass():
    out = subprocess.run([_tool("ruff"), "check", "--select", "F", "--output-format", "concise", *PATHS],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_unused_code():
    out = subprocess.run([_tool("vulture"), *PATHS, "tests/tooling/vulture_whitelist.py", "--min-confidence", "80"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
