"""``python -m engine sim``: secrets come from the environment or a file, never from the command line."""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from engine.sim.cli import SECRET_ENV, main

KEY, SECRET = "cli-key", "cli-secret-9d8c7b6a"


@pytest.mark.parametrize("argv, option", [
    (["--api-key", KEY, "--api-secret", SECRET], "--api-secret"),
    (["--api-key", KEY, f"--api-secret={SECRET}"], "--api-secret"),
    (["--api-secret", SECRET], "--api-secret"),
    (["--account", f"{KEY}:{SECRET}"], "--account"),
])
def test_a_secret_on_the_command_line_is_refused(argv, option, capsys):
    assert main(argv, environ={}) == 2
    err = capsys.readouterr().err
    assert f"{option} is refused" in err and "ps" in err
    assert SECRET not in err  # the refusal does not repeat the value
    if option == "--api-secret":
        assert SECRET_ENV in err and "--api-secret-file" in err
    else:
        assert "--accounts-file" in err


def test_the_refused_option_is_not_taken_for_the_file_option(capsys, tmp_path):
    # argparse abbreviations would read "--api-secret S" as "--api-secret-file S"
    assert main(["--api-key", KEY, "--api-secret", str(tmp_path / "x")], environ={}) == 2
    assert "--api-secret is refused" in capsys.readouterr().err


@pytest.mark.parametrize("argv, environ, message", [
    (["--api-key", KEY], {}, f"set {SECRET_ENV}"),
    (["--api-key", KEY], {SECRET_ENV: ""}, f"set {SECRET_ENV}"),
    (["--api-secret-file", "/nonexistent"], {}, "goes with --api-key"),
    (["--api-key", KEY, "--api-secret-file", "/nonexistent/secret"], {}, "cannot read"),
    (["--accounts-file", "/nonexistent/accounts"], {}, "cannot read"),
])
def test_missing_or_unreadable_secrets_fail_with_a_message(argv, environ, message, capsys):
    assert main(argv, environ=environ) == 2
    assert message in capsys.readouterr().err


def test_bad_files_fail_with_a_message(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert main(["--api-key", KEY, "--api-secret-file", str(empty)], environ={}) == 2
    assert "is empty" in capsys.readouterr().err
    bad = tmp_path / "accounts"
    bad.write_text(f"# comment\n\n{KEY}:{SECRET}\nno-separator-{SECRET}\n")
    assert main(["--accounts-file", str(bad)], environ={}) == 2
    err = capsys.readouterr().err
    assert "line 4 is not KEY:SECRET" in err and SECRET not in err


def _start(args, env):
    proc = subprocess.Popen([sys.executable, "-m", "engine", "sim", "--port", "0", "--tick-interval", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on http://127.0.0.1:"):
        proc.kill()
        raise AssertionError(f"simulator did not start: {line!r} {proc.stderr.read()!r}")
    return proc, line.split(" ", 2)[2]


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _signed_account(url, key, secret):
    """One signed Binance spot request; (HTTP status, decoded body)."""
    query = f"timestamp={int(time.time() * 1000)}&recvWindow=5000"
    sig = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{url}/api/v3/account?{query}&signature={sig}", headers={"X-MBX-APIKEY": key})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _environ(**extra):
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    env["PYTHONPATH"] = os.getcwd()
    env.update(extra)
    return env


def _check_serves(proc, url, key, secret):
    try:
        status, body = _signed_account(url, key, secret)
        assert status == 200 and "balances" in body
        status, body = _signed_account(url, key, secret + "x")  # the secret really is the one used
        assert status == 400 and body["code"] == -1022
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:  # and it is not on the command line
            assert secret.encode() not in f.read()
    finally:
        _stop(proc)


def test_secret_from_the_environment():
    proc, url = _start(["--api-key", KEY], _environ(**{SECRET_ENV: SECRET}))
    _check_serves(proc, url, KEY, SECRET)


def test_secret_from_a_file(tmp_path):
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    # a secret in the environment too: the file, given explicitly, wins
    proc, url = _start(["--api-key", KEY, "--api-secret-file", str(path)], _environ(**{SECRET_ENV: "other"}))
    _check_serves(proc, url, KEY, SECRET)


def test_more_accounts_from_a_file(tmp_path):
    path = tmp_path / "accounts"
    path.write_text(f"# test accounts\n{KEY}:{SECRET}\nsecond-key:second-secret\n")
    proc, url = _start(["--accounts-file", str(path)], _environ())
    try:
        assert _signed_account(url, KEY, SECRET)[0] == 200
        assert _signed_account(url, "second-key", "second-secret")[0] == 200
    finally:
        _stop(proc)
