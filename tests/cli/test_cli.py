"""python -m engine: subcommands exist and dispatch to their own parsers."""

import os
import subprocess
import sys

import pytest

from engine.__main__ import COMMANDS, main


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


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_subcommands_have_their_own_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"python -m engine {command}" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["demo", "--venue", "binance-usdm", "--entry", "ws"], "no WebSocket order entry"),
    (["demo", "--duration", "0.5"], "duration must be between"),
    (["bench", "--seconds", "0"], "--seconds must be"),
])
def test_bad_options_fail_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_demo_and_bench_are_built():
    for command in ("demo", "bench"):
        out = run(command, "--help")
        assert out.returncode == 0 and "not built yet" not in out.stdout + out.stderr


def test_sim_subcommand_serves_until_terminated():
    import json
    import signal
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "engine", "sim", "--port", "0", "--api-key", "K",
                             "--balance", "USDT=1000", "--seed", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "ENGINE_SIM_API_SECRET": "S"})
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split(" ", 2)[2]
        with urllib.request.urlopen(f"{url}/api/v3/time", timeout=5) as resp:
            assert "serverTime" in json.loads(resp.read())
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
