"""``python -m engine sim``: a help text complete on its own, and one clean line for every bad value."""

import os
import re
import signal
import socket
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from engine.sim import DEFAULT_BALANCES
from engine.sim.cli import SECRET_ENV, build_parser
from engine.sim.cli_help import ACTION_HELP, EXAMPLES
from engine.sim.faults import ACTIONS, PROCESS_MODES, parse_faults
from engine.sim.instruments import DEFAULT_PRICES
from engine.sim.ratelimit import Limits


def sim(*args, env=None, timeout=30):
    environ = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    environ["PYTHONPATH"] = os.getcwd()
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "engine", "sim", *args], capture_output=True, text=True,
                          env=environ, timeout=timeout, check=False)


def assert_refused(out, *words):
    """Exit status 2, nothing on stdout, one ``engine sim: ...`` line on stderr naming the problem."""
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("engine sim: "), out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# -- help ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def help_text():
    out = sim("--help")
    assert out.returncode == 0 and out.stderr == ""
    return out.stdout


def test_every_option_says_its_default(help_text):
    for action in build_parser()._actions:
        if action.help in (None, "==SUPPRESS==") or action.dest == "help":
            continue
        assert "(default: " in action.help, action.option_strings
        assert action.option_strings[0] in help_text


def test_help_shows_the_default_values(help_text):
    flat = " ".join(help_text.split())          # argparse wraps lines anywhere
    limits = Limits()
    for value in ("(default: 127.0.0.1)", "(default: 0)", "(default: 1.0)",
                  *(f"{k}={v}" for k, v in DEFAULT_BALANCES.items()),
                  *(f"{k}={v}" for k, v in DEFAULT_PRICES.items()),
                  f"{limits.spot_weight_1m} spot", f"{limits.usdm_weight_1m} USD-M",
                  f"{limits.spot_orders_10s} spot", f"{limits.usdm_orders_10s} USD-M"):
        assert value in flat, value


def test_help_says_how_credentials_are_given(help_text):
    flat = " ".join(help_text.split())
    for words in (SECRET_ENV, "--api-secret-file PATH", "--accounts-file PATH", "KEY:SECRET",
                  "key sim-key, secret sim-secret", "--api-secret and --account are refused"):
        assert words in flat, words


def test_help_gives_the_output_line_format(help_text):
    assert "\n      listening on http://127.0.0.1:PORT\n" in help_text
    assert "\n      VENUE listening on URL\n" in help_text


def test_help_writes_out_the_fault_syntax(help_text):
    assert "TARGET:ACTION[:KEY=VALUE,...]" in help_text
    words = set(re.findall(r"[\w.*/-]+", help_text))
    for action in ACTIONS:
        assert action in words, action
        assert ACTION_HELP.get(action), f"{action} has no description in engine.sim.cli_help.ACTION_HELP"
    for word in (*PROCESS_MODES, "stream.binance-spot", "stream.binance-usdm", "stream.bybit", "ws-api/v3",
                 "v5/trade", "drop_before", "drop_after"):
        assert word in words, word
    for param in ("process=", "delay_ms=", "p=", "nth=", "every=", "times=", "ms=", "kind=", "code="):
        assert param in help_text, param
    assert "engine.sim.faults" not in help_text     # nothing points at the source


def test_help_examples_parse():
    assert EXAMPLES
    for spec, _ in EXAMPLES:
        assert parse_faults(spec)


# -- bad values: one line, exit status 2 ------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--price", "FOOUSDT=1"], ["FOOUSDT", "BTCUSDT", "ETHUSDT", "1000SHIBUSDT"]),
    (["--price", "BTCUSDT"], ["--price", "SYMBOL=PRICE"]),
    (["--price", "BTCUSDT=abc"], ["--price", "not a price"]),
    (["--price", "BTCUSDT=0"], ["--price", "above 0"]),
    (["--price", "ETHUSDT=-5"], ["--price", "above 0"]),
    (["--price", "BTCUSDT=NaN"], ["--price", "not a price"]),
    (["--price", "BTCUSDT=2000000"], ["--price", "range"]),
    (["--balance", "USDT"], ["--balance", "ASSET=AMOUNT"]),
    (["--balance", "USDT=lots"], ["--balance", "not an amount"]),
    (["--balance", "USDT=-1"], ["--balance", "0 or more"]),
    (["--balance", "EUR=1"], ["--balance", "EUR", "USDT"]),
    (["--port", "http"], ["--port", "0 to 65535"]),
    (["--port", "65536"], ["--port", "0 to 65535"]),
    (["--port", "-1"], ["--port", "0 to 65535"]),
    (["--host", "0.0.0.0"], ["--host", "loopback"]),
    (["--seed", "x"], ["--seed", "integer"]),
    (["--tick-interval", "-1"], ["--tick-interval", "0 or more"]),
    (["--tick-interval", "inf"], ["--tick-interval"]),
    (["--weight-limit", "0"], ["--weight-limit", "1 or more"]),
    (["--orders-10s", "ten"], ["--orders-10s", "1 or more"]),
    (["--bybit-per-second", "-3"], ["--bybit-per-second", "1 or more"]),
    (["--fault", "api/v3/order:explode"], ["unknown action 'explode'"]),
    (["--fault", "api/v3/order:latency:ms=-1"], ["bad value for 'ms'"]),
    (["--fault", "stream.bybit:http500"], ["applies to requests"]),
    (["--fault", "api/v3/order"], ["TARGET:ACTION"]),
    (["--api-key", "K", "--api-secret-file", "/nonexistent/secret"], ["--api-secret-file", "cannot read"]),
    (["--api-key", ""], ["--api-key is empty"]),
    (["--api-key", "__market_maker__"], ["reserved"]),
    (["--accounts-file", "/nonexistent/accounts"], ["--accounts-file", "cannot read"]),
    (["--ed25519-key", "K:/nonexistent.pem"], ["--ed25519-key", "cannot read"]),
    (["--ed25519-key", "K"], ["--ed25519-key", "KEY:PATH"]),
    (["--no-such-option"], ["unrecognized arguments: --no-such-option"]),
    (["--port"], ["--port", "expected one argument"]),
    (["--withdraw-address", "0xab cd"], ["withdraw address", "without blanks"]),
])
def test_a_bad_value_is_one_line_and_exit_status_2(args, words):
    assert_refused(sim(*args), *words)


@pytest.mark.parametrize("content, words", [
    ("", ["has no KEY:SECRET line"]),
    ("# only a comment\n\n", ["has no KEY:SECRET line"]),
    ("k1:s1\nno separator\n", ["line 2 is not KEY:SECRET"]),
    ("k1:s1\n# c\nk1:s2\n", ["line 3 repeats the key of line 1"]),
    ("K:s1\n", ["repeats the key of --api-key"]),
    (b"\xff\xfe:x\n", ["not UTF-8"]),
])
def test_a_bad_accounts_file_is_one_line(tmp_path, content, words):
    path = tmp_path / "accounts"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    line = assert_refused(sim("--api-key", "K", "--accounts-file", str(path), env={SECRET_ENV: "top-secret"}),
                          "--accounts-file", *words)
    assert "s1" not in line and "s2" not in line and "top-secret" not in line


def test_a_key_with_both_an_hmac_secret_and_an_ed25519_key_is_refused(tmp_path):
    pem = tmp_path / "ed.pem"
    pem.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert_refused(sim("--api-key", "K", "--ed25519-key", f"K:{pem}", env={SECRET_ENV: "s"}),
                   "--ed25519-key K", "HMAC")


def test_a_busy_port_says_so():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = assert_refused(sim("--port", str(port), "--tick-interval", "0"), f"--port {port}", "in use")
    assert "--port 0" in line


# -- a good start ------------------------------------------------------------------------------

def test_a_good_start_prints_the_listening_line_first():
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    env["PYTHONPATH"] = os.getcwd()
    proc = subprocess.Popen([sys.executable, "-m", "engine", "sim", "--port", "0", "--tick-interval", "0",
                             "--price", "BTCUSDT=40000", "--price", "1000SHIBUSDT=0.02", "--balance", "USDT=0",
                             "--balance", "BTC=1.5", "--fault", "api/v3/order:latency:ms=1", "--seed", "-4",
                             "--weight-limit", "100", "--orders-10s", "5", "--bybit-per-second", "3",
                             "--withdraw-address", "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+\n", line), (line, proc.stderr.read()
                                                                                if proc.poll() is not None else "")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
