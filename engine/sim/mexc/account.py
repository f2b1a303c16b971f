"""MEXC spot account calls (mexc-spot.md §4, §7, §9): ``account``, ``selfSymbols``, the listen-key
calls of the user-data stream (signed; create, list, keepalive, close) and the coin list
``capital/config/getall`` a stock client reads while loading markets.

Listen keys (§7): valid 60 minutes after creation or keepalive, at most 60 per account; a keepalive
sooner than ``keepalive_min_s`` after the last answers ``{"code":"730708","msg":"listen key information
error"}`` with the code as a string (peer code).  The answer to a 61st key and to a keepalive or close
of a key that does not exist are not documented: the same 730708 text is used (unconfirmed).
"""

from __future__ import annotations

import secrets
import time

from engine.sim.decimals import plain
from engine.sim.mexc import wallet
from engine.sim.mexc.errors import MexcError
from engine.sim.mexc.instruments import WALLET
from engine.sim.mexc.listen_keys import close_key
from engine.sim.mexc.rest import Ctx, Params
from engine.sim.mexc.state import MAX_KEYS, state_of

__all__ = ["account", "self_symbols", "listen_key_create", "listen_key_list", "listen_key_keepalive",
           "listen_key_close", "coin_config"]


def account(ctx: Ctx, p: Params):
    balances = [{"asset": asset, "free": plain(b.free), "locked": plain(b.locked)}
                for asset, b in sorted(ctx.account.wallets[WALLET].items()) if b.free or b.locked]
    return {"makerCommission": None, "takerCommission": None, "buyerCommission": None, "sellerCommission": None,
            "canTrade": True, "canWithdraw": True, "canDeposit": True, "updateTime": None, "accountType": "SPOT",
            "balances": balances, "permissions": ["SPOT"]}


def self_symbols(ctx: Ctx, p: Params):
    return {"code": 200, "data": sorted(state_of(ctx.sim).api_symbols), "msg": None}


def _key_error() -> MexcError:
    return MexcError("730708", "listen key information error")


def listen_key_create(ctx: Ctx, p: Params):
    state = state_of(ctx.sim)
    mine = [k for k, rec in state.listen_keys.items() if rec["account"] is ctx.account]
    if len(mine) >= MAX_KEYS:
        raise _key_error()
    key = secrets.token_hex(32)
    now = time.monotonic()
    state.listen_keys[key] = {"account": ctx.account, "expires": now + state.key_ttl_s, "touched": now,
                              "conns": set()}
    return {"listenKey": key}


def listen_key_list(ctx: Ctx, p: Params):
    state = state_of(ctx.sim)
    return {"listenKey": [k for k, rec in state.listen_keys.items() if rec["account"] is ctx.account]}


def _mine(ctx: Ctx, p: Params) -> tuple[str, dict]:
    key = p.get("listenKey") or ""
    rec = state_of(ctx.sim).listen_keys.get(key)
    if rec is None or rec["account"] is not ctx.account:
        raise _key_error()
    return key, rec


def listen_key_keepalive(ctx: Ctx, p: Params):
    state = state_of(ctx.sim)
    key, rec = _mine(ctx, p)
    now = time.monotonic()
    if now - rec["touched"] < state.keepalive_min_s:
        raise _key_error()                  # sent too often (mexcdevelop/mexc-api-demo#35)
    rec["touched"] = now
    rec["expires"] = now + state.key_ttl_s
    return {"listenKey": key}


def listen_key_close(ctx: Ctx, p: Params):
    key, _ = _mine(ctx, p)
    close_key(state_of(ctx.sim), key, invalid=False)
    return {"listenKey": key}


def coin_config(ctx: Ctx, p: Params):
    """``GET /api/v3/capital/config/getall``: every asset of the wallet; the networks of
    :data:`engine.sim.mexc.wallet.NETWORKS` for the coins it lists (withdrawals), one network otherwise."""
    assets = sorted({a for acct in ctx.sim.core.ledger.accounts.values() for a in acct.wallets.get(WALLET, {})})
    out = []
    for coin in assets:
        if wallet.network_rows(coin):
            out.append({"coin": coin, "name": coin, "networkList": wallet.network_rows(coin)})
            continue
        net = {"coin": coin, "depositDesc": None, "depositEnable": True, "minConfirm": 12, "name": coin,
               "network": "ERC20", "netWork": "ETH", "withdrawEnable": True, "withdrawFee": "1",
               "withdrawIntegerMultiple": None, "withdrawMax": "1000000", "withdrawMin": "10",
               "sameAddress": False, "contract": "", "withdrawTips": None, "depositTips": None,
               "isDefault": True}
        out.append({"coin": coin, "name": coin, "networkList": [net]})
    return out
