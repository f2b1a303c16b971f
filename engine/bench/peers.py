"""Stages 1-3 as the peers do them, each through the library's own code path.

* ccxt: ``Exchange.hmac`` (stage 1), ``binance.sign`` for a private POST order (stage 2),
  ``ccxt.pro`` ``binance.handle_order_update`` into its order cache (stage 3; the
  WebSocket client it would notify is a stub).
* python-binance: ``Client._hmac_signature`` (1) and ``Client._get_request_kwargs``
  for a signed POST, what ``create_order`` runs before sending (2).
* binance-connector: ``binance.lib.authentication.hmac_hashing`` (1) and
  ``API.sign_request`` minus the send: ``_prepare_params`` + ``_get_sign`` +
  the final ``_prepare_params`` (2).
* pybit is a Bybit client: it takes part in the Bybit round trips only.

python-binance and binance-connector keep no order state: their user-data streams hand
the bot the ``json.loads`` dict, so there is nothing of theirs to time in stage 3.
A peer that is not installed, or whose check fails, is skipped with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from engine.bench.timing import Contender, Skip, repeat_batch
from engine.bench.workloads import EXPECTED_SIGNATURE, FULL_QUERY, ORDER_PARAMS, SECRET, execution_report

__all__ = ["PEERS", "INSTALL_HINT", "peer_contenders"]

PEERS = ("ccxt", "python-binance", "binance-connector", "pybit")
INSTALL_HINT = "not installed (pip install 'engine[bench]')"
NO_ORDER_STATE = "keeps no order state: its user-data stream hands the bot the json.loads dict"
FULL = FULL_QUERY.decode()


def _verify_signed_query(query: str, what: str) -> None:
    """A signed query's signature must be the HMAC of what precedes it."""
    body, _, sig = query.rpartition("&signature=")
    if hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest() != sig:
        raise AssertionError(f"{what}: signature does not verify")
    got = dict(parse_qsl(body))
    missing = {k: v for k, v in ORDER_PARAMS.items() if got.get(k) != v}
    if missing:
        raise AssertionError(f"{what}: parameters missing or changed: {missing}")


def _check_sign(fn, what):
    def check():
        if fn() != EXPECTED_SIGNATURE:
            raise AssertionError(f"{what}: wrong signature")
    return check


# -- ccxt ---------------------------------------------------------------------------------------------
class _StubClient:
    """Stands in for ccxt.pro's WebSocket client: the futures it would resolve are not timed."""

    def resolve(self, result, message_hash):
        return result

    def reject(self, result, message_hash=None):
        return result


def _ccxt(stage: str) -> Contender:
    try:
        import ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.binance({"apiKey": "bench-key", "secret": SECRET, "options": {"adjustForTimeDifference": False}})
    if stage == "sign":
        key, enc = ex.encode(SECRET), ex.encode
        fn = lambda: ex.hmac(enc(FULL), key, hashlib.sha256)  # noqa: E731
        return Contender("ccxt: Exchange.hmac", "peer", repeat_batch(fn), _check_sign(fn, "ccxt"))
    if stage == "encode_sign":
        sign = ex.sign
        fn = lambda: sign("order", ["private"], "POST", dict(ORDER_PARAMS))  # noqa: E731
        return Contender("ccxt: binance.sign (private POST order)", "peer", repeat_batch(fn),
                         lambda: _verify_signed_query(fn()["body"], "ccxt"))
    try:
        import ccxt.pro as ccxtpro
    except ImportError:
        raise Skip("ccxt.pro (WebSocket part of ccxt) not importable") from None
    pro = ccxtpro.binance({"apiKey": "bench-key", "secret": SECRET})
    client = _StubClient()
    state = {"n": 0}

    def make_batch(k: int):
        msgs = []
        for _ in range((k + 1) // 2):
            state["n"] += 1
            cid = f"cx-{state['n']}"
            msgs.append(execution_report(cid, state["n"], False))
            msgs.append(execution_report(cid, state["n"], True))
        del msgs[k:]
        handle, loads = pro.handle_order_update, json.loads

        def run():
            for m in msgs:
                handle(client, loads(m)["event"])
        return run

    def check():
        make_batch(2)()
        order = pro.orders.hashmap["BTCUSDT"][str(state["n"])]
        if order["status"] != "closed" or order["filled"] != 0.01:
            raise AssertionError(f"ccxt.pro order cache: {order['status']} {order['filled']}")
    return Contender("ccxt.pro: json.loads + binance.handle_order_update", "peer", make_batch, check,
                     "into ccxt's order cache (floats)")


# -- python-binance -------------------------------------------------------------------------------------
def _python_binance(stage: str) -> Contender:
    try:
        from binance.client import Client
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    if stage == "parse_apply":
        raise Skip(NO_ORDER_STATE)
    client = Client("bench-key", SECRET, ping=False)
    if stage == "sign":
        fn = lambda: client._hmac_signature(FULL)  # noqa: E731
        return Contender("python-binance: Client._hmac_signature", "peer", repeat_batch(fn),
                         _check_sign(fn, "python-binance"))
    kwargs = client._get_request_kwargs
    fn = lambda: kwargs("post", True, data=dict(ORDER_PARAMS))  # noqa: E731

    def check():
        data = fn()["data"]
        _verify_signed_query("&".join(f"{k}={v}" for k, v in data), "python-binance")
    return Contender("python-binance: Client._get_request_kwargs (signed POST)", "peer", repeat_batch(fn), check)


# -- binance-connector ------------------------------------------------------------------------------------
def _binance_connector(stage: str) -> Contender:
    try:
        from binance.lib.authentication import hmac_hashing
        from binance.spot import Spot
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    if stage == "parse_apply":
        raise Skip(NO_ORDER_STATE)
    if stage == "sign":
        fn = lambda: hmac_hashing(SECRET, FULL)  # noqa: E731
        return Contender("binance-connector: hmac_hashing", "peer", repeat_batch(fn),
                         _check_sign(fn, "binance-connector"))
    api = Spot(api_key="bench-key", api_secret=SECRET, base_url="http://127.0.0.1:9")
    prepare, get_sign = api._prepare_params, api._get_sign

    def fn():
        payload = dict(ORDER_PARAMS, timestamp=1700000000123)
        payload["signature"] = get_sign(prepare(payload))
        return prepare(payload)
    return Contender("binance-connector: sign_request path (no send)", "peer", repeat_batch(fn),
                     lambda: _verify_signed_query(fn(), "binance-connector"))


def _pybit(stage: str) -> Contender:
    try:
        import pybit  # noqa: F401
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    raise Skip("Bybit-only client; this stage is a Binance workload (pybit runs in the Bybit round trips)")


_MAKERS = {"ccxt": _ccxt, "python-binance": _python_binance, "binance-connector": _binance_connector,
           "pybit": _pybit}


def peer_contenders(stage: str, peers=PEERS) -> tuple[list[Contender], list[tuple[str, str]]]:
    """The peers' contenders for ``stage`` and the ``(peer, reason)`` of those skipped."""
    ready, skipped = [], []
    for peer in peers:
        try:
            c = _MAKERS[peer](stage)
            if c.check is not None:
                c.check()
        except Skip as exc:
            skipped.append((peer, str(exc)))
        except Exception as exc:  # a peer whose own code fails here is skipped, never faked
            skipped.append((peer, f"could not run: {type(exc).__name__}: {exc}"))
        else:
            ready.append(c)
    return ready, skipped
