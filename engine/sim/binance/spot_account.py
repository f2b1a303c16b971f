"""Binance spot account: balances and commission rates (``/api/v3/account``), trades
(``/api/v3/myTrades``) and the order-count usage (``/api/v3/rateLimit/order``).
"""

from __future__ import annotations

from engine.sim.binance.fees import spot_rates
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import MARKET, WALLET, f8, instrument_of
from engine.sim.core_types import now_ms
from engine.sim.binance.state import state_of

__all__ = ["my_trades", "account_info", "rate_limit_order"]


def my_trades(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    oid = p.int_("orderId")
    out = []
    for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
        if oid is not None and o.oid != oid:
            continue
        for fill, fee, asset, maker in o.fills:
            out.append({"symbol": o.symbol, "id": fill.trade_id, "orderId": o.oid, "orderListId": -1,
                        "price": f8(fill.price), "qty": f8(fill.qty), "quoteQty": f8(fill.price * fill.qty),
                        "commission": f8(fee), "commissionAsset": asset, "time": fill.ts,
                        "isBuyer": o.side == "BUY", "isMaker": maker, "isBestMatch": True})
    out.sort(key=lambda t: t["id"])
    return out[: min(p.int_("limit") or 500, 1000)]


def account_info(ctx: Ctx, p: Params):
    acct = ctx.account
    omit = p.boolean("omitZeroBalances")
    balances = [{"asset": a, "free": f8(b.free), "locked": f8(b.locked)}
                for a, b in sorted(acct.wallets[WALLET].items()) if not (omit and b.total == 0)]
    maker, taker = spot_rates(ctx.sim.core)
    return {
        "makerCommission": int(maker * 10000), "takerCommission": int(taker * 10000), "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {"maker": f8(maker), "taker": f8(taker), "buyer": "0.00000000",
                            "seller": "0.00000000"},
        "canTrade": True, "canWithdraw": True, "canDeposit": True, "brokered": False,
        "requireSelfTradePrevention": False, "preventSor": False, "updateTime": now_ms(),
        "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": acct.uid,
    }


def rate_limit_order(ctx: Ctx, p: Params):
    lim = state_of(ctx.sim).spot_limiter
    out = []
    for window, limit, _, interval, num in lim.order_windows():
        out.append({"rateLimitType": "ORDERS", "interval": interval, "intervalNum": num, "limit": limit,
                    "count": lim.windows.used(("o", ctx.account.key), window, now_ms() / 1000)})
    return out
