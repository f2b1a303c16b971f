"""What stock Bybit clients ask for beside trading (ccxt's ``load_markets`` and its first private
calls do by default), answered from the simulator's own accounts as the venue answers a unified
trading account without deposits, withdrawals, inverse contracts or options:

* ``GET /v5/asset/coin/query-info``: every coin of the unified wallet, its amount, and one chain of
  the coin's own name with deposits and withdrawals disabled (``chainDeposit``/``chainWithdraw``
  "0"; the simulator moves no coin on a chain, so it states no fee or minimum of its own);
* ``GET /v5/user/query-api``: the API key's information: read-write, unified (``uta`` 1), with the
  account's uid;
* ``GET /v5/account/fee-rate``: each instrument's maker and taker rates (what the simulator charges);
* ``GET /v5/account/info``: the account's unified margin status (5, a unified trading account;
  which generation the simulator's accounting follows is not confirmed) and regular margin.

Shapes from the venue's V5 API documentation.
"""

from __future__ import annotations

from engine.sim.bybit.common import MARKETS, WALLET, category_of, inst_of
from engine.sim.core_types import now_ms
from engine.sim.decimals import plain

__all__ = ["coin_info", "api_key_info", "account_info", "fee_rate"]


def coin_info(sim, account, q: dict) -> dict:
    wanted = q.get("coin")
    rows = []
    for coin, bal in sorted(account.wallets[WALLET].items()):
        if wanted and coin != wanted:
            continue
        chain = {"chainType": coin, "confirmation": "1", "withdrawFee": "", "depositMin": "0", "withdrawMin": "0",
                 "chain": coin, "chainDeposit": "0", "chainWithdraw": "0", "minAccuracy": "8",
                 "withdrawPercentageFee": "0", "contractAddress": "", "safeConfirmNumber": "1"}
        rows.append({"name": coin, "coin": coin, "remainAmount": plain(bal.total), "chains": [chain]})
    return {"rows": rows}


def api_key_info(sim, account, q: dict) -> dict:
    created = "2024-01-01T00:00:00Z"
    return {"id": str(account.uid), "note": "simulator", "apiKey": account.key, "readOnly": 0, "secret": "",
            "permissions": {"ContractTrade": ["Order", "Position"], "Spot": ["SpotTrade"], "Wallet": [],
                            "Options": [], "Derivatives": [], "CopyTrading": [], "BlockTrade": [], "Exchange": [],
                            "NFT": [], "Affiliate": []},
            "ips": ["*"], "type": 1, "deadlineDay": -1, "expiredAt": "", "createdAt": created, "unified": 0,
            "uta": 1, "userID": account.uid, "inviterID": 0, "vipLevel": "No VIP", "mktMakerLevel": "0",
            "affiliateID": 0, "rsaPublicKey": "", "isMaster": True, "parentUid": "0", "kycLevel": "LEVEL_DEFAULT",
            "kycRegion": ""}


def account_info(sim, account, q: dict) -> dict:
    return {"unifiedMarginStatus": 5, "marginMode": "REGULAR_MARGIN", "isMasterTrader": False,
            "spotHedgingStatus": "OFF", "updatedTime": str(now_ms()), "dcpStatus": "OFF", "timeWindow": 10,
            "smpGroup": 0}


def fee_rate(sim, account, q: dict) -> dict:
    """Without ``category``, linear (stock ccxt asks so on its default path; the venue's default is not
    confirmed)."""
    cat = category_of({"category": q.get("category") or "linear"})
    symbol = q.get("symbol") or None
    if symbol:
        inst_of(sim, cat, symbol)
    return {"list": [{"symbol": sym, "takerFeeRate": plain(inst.taker_fee), "makerFeeRate": plain(inst.maker_fee)}
                     for (m, sym), inst in sim.core.instruments.items()
                     if m == MARKETS[cat] and symbol in (None, sym)]}
