"""Binance USD-M account handlers: position risk (v2, v3), account and balance (USDT,
cross margin), the account's trades (``userTrades``), leverage, and the countdown cancel-all
dead-man switch.
"""

from __future__ import annotations

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.usdm_common import MARKET, WALLET, instrument_of, qty_text
from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, fixed
from engine.sim.margin import MarginLine
from engine.sim.binance.state import state_of

__all__ = ["position_risk", "position_risk_v2", "balance", "account", "leverage_bracket", "user_trades",
           "set_leverage", "countdown_cancel_all"]


def _position_rows(ctx: Ctx, symbol: str | None, *, all_rows: bool):
    """positionRisk rows: every symbol with a position (or every listed one with ``all_rows``), with
    open-order margin beside it; their margins are the account's (engine.sim.margin)."""
    core, acct = ctx.sim.core, ctx.account
    lines = core.margin_lines(acct, WALLET)
    rows = []
    for (m, sym), inst in core.instruments.items():
        if m != MARKET or (symbol and sym != symbol):
            continue
        pos = acct.position(WALLET, sym)
        if pos.amount == 0 and not all_rows:
            continue
        line = lines.get(sym) or MarginLine(core.mark_of(WALLET, sym))
        lev = acct.lev(WALLET, sym)
        notional = line.mark * pos.amount
        rows.append({
            "symbol": sym, "positionSide": "BOTH", "positionAmt": qty_text(inst, pos.amount),
            "entryPrice": fixed(pos.entry, 8), "breakEvenPrice": fixed(pos.entry, 8),
            "markPrice": fixed(line.mark, 8), "unRealizedProfit": fixed(line.upnl, 8),
            "liquidationPrice": "0", "isolatedMargin": "0", "notional": fixed(notional, 8), "marginAsset": "USDT",
            "isolatedWallet": "0", "initialMargin": fixed(line.initial, 8), "maintMargin": fixed(line.maint, 8),
            "positionInitialMargin": fixed(line.position_im, 8), "openOrderInitialMargin": fixed(line.order_im, 8),
            "adl": 0, "bidNotional": "0", "askNotional": "0", "updateTime": pos.update_ms, "leverage": str(lev),
            "marginType": "cross",
        })
    return rows


def position_risk(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        instrument_of(ctx, p)
    return _position_rows(ctx, symbol, all_rows=False)


def position_risk_v2(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        instrument_of(ctx, p)
    return _position_rows(ctx, symbol, all_rows=True)


def _balance_numbers(ctx: Ctx):
    core, acct = ctx.sim.core, ctx.account
    wallet = acct.wallets[WALLET]["USDT"].total
    upnl, pos_im, order_im = core.margin_parts(acct, WALLET)
    return wallet, upnl, pos_im, order_im, wallet + upnl - pos_im - order_im


def balance(ctx: Ctx, p: Params):
    wallet, upnl, _, _, avail = _balance_numbers(ctx)
    return [{"accountAlias": "SgsR", "asset": "USDT", "balance": fixed(wallet, 8),
             "crossWalletBalance": fixed(wallet, 8), "crossUnPnl": fixed(upnl, 8),
             "availableBalance": fixed(avail, 8), "maxWithdrawAmount": fixed(max(avail, ZERO), 8),
             "marginAvailable": True, "updateTime": now_ms()}]


def account(ctx: Ctx, p: Params):
    """``/fapi/v2|v3/account``: availableBalance + initialMargin = marginBalance (wallet + unrealised PnL);
    the positions listed are those with a position or an open order, and their margins add up to the
    totals."""
    wallet, upnl, pos_im, order_im, avail = _balance_numbers(ctx)
    core, acct = ctx.sim.core, ctx.account
    im, mm = pos_im + order_im, core.maint_margin(acct, WALLET)
    lines = core.margin_lines(acct, WALLET)
    asset = {"asset": "USDT", "walletBalance": fixed(wallet, 8), "unrealizedProfit": fixed(upnl, 8),
             "marginBalance": fixed(wallet + upnl, 8), "maintMargin": fixed(mm, 8), "initialMargin": fixed(im, 8),
             "positionInitialMargin": fixed(pos_im, 8), "openOrderInitialMargin": fixed(order_im, 8),
             "crossWalletBalance": fixed(wallet, 8), "crossUnPnl": fixed(upnl, 8), "availableBalance": fixed(avail, 8),
             "maxWithdrawAmount": fixed(max(avail, ZERO), 8), "updateTime": now_ms()}
    return {
        "totalInitialMargin": fixed(im, 8), "totalMaintMargin": fixed(mm, 8), "totalWalletBalance": fixed(wallet, 8),
        "totalUnrealizedProfit": fixed(upnl, 8), "totalMarginBalance": fixed(wallet + upnl, 8),
        "totalPositionInitialMargin": fixed(pos_im, 8), "totalOpenOrderInitialMargin": fixed(order_im, 8),
        "totalCrossWalletBalance": fixed(wallet, 8), "totalCrossUnPnl": fixed(upnl, 8),
        "availableBalance": fixed(avail, 8), "maxWithdrawAmount": fixed(max(avail, ZERO), 8),
        "assets": [asset], "positions": [
            {"symbol": r["symbol"], "positionSide": "BOTH", "positionAmt": r["positionAmt"],
             "unrealizedProfit": r["unRealizedProfit"], "isolatedMargin": "0", "notional": r["notional"],
             "isolatedWallet": "0", "initialMargin": r["initialMargin"], "maintMargin": r["maintMargin"],
             "updateTime": r["updateTime"]} for r in _position_rows(ctx, None, all_rows=True)
            if r["symbol"] in lines],
    }


def leverage_bracket(ctx: Ctx, p: Params):
    """``/fapi/v1/leverageBracket``: one bracket per symbol (the simulator has no notional tiers), with the
    instrument's maintenance rate and maximum leverage; an object when ``symbol`` is given."""
    core = ctx.sim.core
    symbol = p.get("symbol")
    if symbol is not None:
        instrument_of(ctx, p)
    rows = [{"symbol": sym, "notionalCoef": 1.0, "brackets": [
        {"bracket": 1, "initialLeverage": inst.max_leverage, "notionalCap": 9223372036854775807,
         "notionalFloor": 0, "maintMarginRatio": float(inst.maint_rate), "cum": 0.0}]}
        for (m, sym), inst in core.instruments.items() if m == MARKET and (symbol is None or sym == symbol)]
    return rows[0] if symbol is not None else rows


def user_trades(ctx: Ctx, p: Params):
    """``GET /fapi/v1/userTrades``: the account's trades in one symbol, oldest first; ``orderId``
    narrows them to one order, ``fromId`` starts at a trade id, ``startTime``/``endTime`` bound their
    time; ``limit`` (default 500, at most 1,000) keeps the first ones from ``fromId``, else the latest.
    ``commission`` is positive (what was charged), as the user-data stream's ``n``; the documented
    example shows it negative, which this simulator does not follow (unconfirmed).  The venue's
    7-day window and its refusal of ``fromId`` with a time range are not enforced."""
    inst = instrument_of(ctx, p)
    oid, from_id = p.int_("orderId"), p.int_("fromId")
    start, end = p.int_("startTime"), p.int_("endTime")
    limit = min(p.int_("limit") or 500, 1000)
    rows = []
    for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
        if oid is not None and o.oid != oid:
            continue
        for fill, fee, asset, maker in o.fills:
            if (from_id is not None and fill.trade_id < from_id) or (start is not None and fill.ts < start) \
                    or (end is not None and fill.ts > end):
                continue
            rows.append({"symbol": o.symbol, "id": fill.trade_id, "orderId": o.oid, "side": o.side,
                         "price": fixed(fill.price, inst.price_precision), "qty": qty_text(inst, fill.qty),
                         "realizedPnl": fixed(fill.realized_for(o), 8), "marginAsset": inst.quote,
                         "quoteQty": fixed(fill.price * fill.qty, 8), "commission": fixed(fee, 8),
                         "commissionAsset": asset, "time": fill.ts, "positionSide": "BOTH",
                         "buyer": o.side == "BUY", "maker": maker})
    rows.sort(key=lambda r: r["id"])
    return rows[:limit] if from_id is not None else rows[-limit:]


def set_leverage(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    lev = p.int_("leverage", required=True)
    if not 1 <= lev <= inst.max_leverage:
        raise BinanceError(-4028, f"Leverage {lev} is not valid")   # wire text unconfirmed
    ctx.account.leverage[(WALLET, inst.symbol)] = lev
    return {"leverage": lev, "maxNotionalValue": "1000000", "symbol": inst.symbol}


def countdown_cancel_all(ctx: Ctx, p: Params):
    """Dead-man switch: cancel every open order of the symbol unless renewed within countdownTime ms (0: off)."""
    import asyncio

    from engine.sim.decimals import sim_decimal_context

    inst = instrument_of(ctx, p)
    ms = p.int_("countdownTime", required=True)
    if ms < 0:
        raise BinanceError(-1102, "Mandatory parameter 'countdownTime' was not sent, was empty/null, or malformed.")
    sim, account, symbol = ctx.sim, ctx.account, inst.symbol
    timers = state_of(sim).countdowns
    old = timers.pop((account.key, symbol), None)
    if old is not None:
        old.cancel()
    if ms > 0:
        def fire():
            timers.pop((account.key, symbol), None)
            with sim_decimal_context():
                for o in sim.core.account_orders(MARKET, account, symbol):
                    if o.is_open:
                        sim.core.cancel(o)
        timers[(account.key, symbol)] = asyncio.get_running_loop().call_later(ms / 1000.0, fire)
    return {"symbol": symbol, "countdownTime": str(ms)}
