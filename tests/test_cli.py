"""python -m engine: subcommands exist; unbuilt ones say so and exit non-zero."""

import subprocess
import sys

import pytest

from engine.__main__ import NOT_BUILT, main


def run(*args):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, timeout=60)


def test_help_lists_subcommands():
    out = run("--help")
    assert out.returncode == 0
    for name in ("demo", "sim", "bench"):
        assert name in out.stdout


def test_no_command_prints_help_and_fails():
    out = run()
    assert out.returncode != 0 and "usage" in out.stdout


@pytest.mark.parametrize("command", sorted(NOT_BUILT))
def test_unbuilt_commands_say_so(command, capsys):
    assert main([command]) != 0
    assert "not built yet" in capsys.readouterr().err
