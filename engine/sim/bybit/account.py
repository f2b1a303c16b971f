"""Bybit V5 account: linear positions, the UNIFIED wallet balance, leverage, and
disconnection protection (``order/disconnected-cancel-all`` and the timers the private
streams arm and disarm).
"""

from __future__ import annotations

from decimal import Decimal

from engine.sim.bybit.common import WALLET, category_of, inst_of, number
from engine.sim.bybit.errors import BybitError
from engine.sim.decimals import ZERO, plain
from engine.sim.margin import MarginLine
from engine.sim.bybit.state import state_of

__all__ = ["position_row", "wallet_row", "dcp_stream_closed", "dcp_stream_opened"]

def position_row(sim, account, symbol: str) -> dict:
    """A linear position; its margins are the wallet's lines (engine.sim.margin), so they add up to it."""
    core = sim.core
    pos = account.position(WALLET, symbol)
    line = core.margin_lines(account, WALLET).get(symbol) or MarginLine(core.mark_of(WALLET, symbol))
    mark = line.mark
    lev = account.lev(WALLET, symbol)
    side = "" if pos.amount == 0 else ("Buy" if pos.amount > 0 else "Sell")
    return {
        "positionIdx": 0, "riskId": 1, "riskLimitValue": "2000000", "symbol": symbol, "side": side,
        "size": plain(abs(pos.amount)), "avgPrice": plain(pos.entry), "positionValue": plain(abs(pos.cost)),
        "tradeMode": 0, "autoAddMargin": 0, "positionStatus": "Normal", "leverage": str(lev),
        "markPrice": plain(mark), "liqPrice": "", "bustPrice": "", "positionIM": plain(line.position_im),
        "positionMM": plain(line.maint), "positionBalance": "0", "takeProfit": "0", "stopLoss": "0", "trailingStop": "0",
        "sessionAvgPrice": "", "unrealisedPnl": plain(line.upnl), "curRealisedPnl": plain(pos.realized),
        "cumRealisedPnl": plain(pos.realized), "adlRankIndicator": 0, "createdTime": str(pos.update_ms),
        "updatedTime": str(pos.update_ms), "seq": pos.update_ms, "isReduceOnly": False, "tpslMode": "Full",
        "breakEvenPrice": plain(pos.entry),
    }


def positions_route(sim, account, q: dict) -> dict:
    cat = category_of(q, ("linear",))
    symbol = q.get("symbol")
    if not symbol and not q.get("settleCoin"):
        raise BybitError(10001, "params error: symbol or settleCoin is required")
    rows = []
    for (m, sym) in sim.core.instruments:
        if m != "ylinear" or (symbol and sym != symbol):
            continue
        pos = account.position(WALLET, sym)
        if symbol or pos.amount != 0:
            rows.append(position_row(sim, account, sym))
    return {"category": cat, "nextPageCursor": "", "list": rows}


def wallet_row(sim, account, coins=None) -> dict:
    """The unified wallet: per coin its balance; USDT (the linear margin coin) also carries the linear
    positions' unrealised PnL and initial margins, and what is available is what they leave."""
    core = sim.core
    upnl, pos_im, order_im = core.margin_parts(account, WALLET)
    mm = core.maint_margin(account, WALLET)
    rows, total, available = [], ZERO, ZERO
    for coin, bal in sorted(account.wallets[WALLET].items()):
        if coins and coin not in coins:
            continue
        px = 1 if coin == "USDT" else core.mark.get(coin + "USDT", ZERO)
        margin = coin == "USDT"
        coin_upnl = upnl if margin else ZERO
        coin_pos_im, coin_order_im, coin_mm = (pos_im, order_im, mm) if margin else (ZERO, ZERO, ZERO)
        usd = (bal.total + coin_upnl) * px
        total += usd
        coin_avail = bal.total + coin_upnl - coin_pos_im - coin_order_im - (bal.locked if not margin else ZERO)
        available += coin_avail * px
        rows.append({"coin": coin, "equity": plain(bal.total + coin_upnl), "usdValue": plain(usd),
                     "walletBalance": plain(bal.total), "free": plain(bal.free), "locked": plain(bal.locked),
                     "spotHedgingQty": "0", "borrowAmount": "0", "availableToWithdraw": plain(max(coin_avail, ZERO)),
                     "availableToBorrow": "", "accruedInterest": "0", "totalOrderIM": plain(coin_order_im),
                     "totalPositionIM": plain(coin_pos_im), "totalPositionMM": plain(coin_mm), "unrealisedPnl": plain(coin_upnl),
                     "cumRealisedPnl": "0", "bonus": "0", "marginCollateral": True, "collateralSwitch": True})
    im = pos_im + order_im
    rate = plain((im / total).quantize(Decimal("0.0001"))) if total else "0"
    mm_rate = plain((mm / total).quantize(Decimal("0.0001"))) if total else "0"
    return {"accountType": "UNIFIED", "accountIMRate": rate, "accountMMRate": mm_rate,
            "totalEquity": plain(total), "totalWalletBalance": plain(total - upnl), "totalMarginBalance": plain(total),
            "totalAvailableBalance": plain(available), "totalPerpUPL": plain(upnl), "totalInitialMargin": plain(im),
            "totalMaintenanceMargin": plain(mm), "accountLTV": "0", "coin": rows}


def wallet_route(sim, account, q: dict) -> dict:
    if q.get("accountType") != "UNIFIED":
        raise BybitError(10001, "accountType only support UNIFIED.")
    coins = set(q["coin"].split(",")) if q.get("coin") else None
    return {"list": [wallet_row(sim, account, coins)]}


def set_leverage(sim, account, args: dict) -> dict:
    category_of(args, ("linear",))
    inst = inst_of(sim, "linear", args.get("symbol"))
    buy, sell = number(args, "buyLeverage", True), number(args, "sellLeverage", True)
    if buy != sell or buy != int(buy) or not 1 <= buy <= inst.max_leverage:
        raise BybitError(10001, "params error: leverage invalid")
    key = (WALLET, inst.symbol)
    if account.leverage.get(key, 20) == int(buy):
        raise BybitError(110043, "leverage not modified")
    account.leverage[key] = int(buy)
    return {}


def disconnected_cancel_all(sim, account, body: dict) -> dict:
    """Disconnection protection: orders are cancelled when every private stream of the account has been
    closed for ``timeWindow`` seconds (3..300)."""
    try:
        window = int(body.get("timeWindow", 10))
    except (TypeError, ValueError):
        raise BybitError(10001, "timeWindow invalid") from None
    if not 3 <= window <= 300:
        raise BybitError(10001, "timeWindow must be in [3, 300]")   # wire text unconfirmed
    state_of(sim).dcp_windows[account.key] = window
    return {}


def dcp_stream_closed(sim, account) -> None:
    """Called when an authenticated private stream of ``account`` closes."""
    import asyncio

    from engine.sim.decimals import sim_decimal_context

    state = state_of(sim)
    left = state.private_conns.get(account.key, 1) - 1
    state.private_conns[account.key] = left
    window = state.dcp_windows.get(account.key)
    if window is None or left > 0:
        return

    def fire():
        state.dcp_timers.pop(account.key, None)
        with sim_decimal_context():
            for market in ("ylinear", "yspot"):
                for o in sim.core.account_orders(market, account):
                    if o.is_open:
                        sim.core.cancel(o)

    old = state.dcp_timers.pop(account.key, None)
    if old is not None:
        old.cancel()
    state.dcp_timers[account.key] = asyncio.get_running_loop().call_later(window, fire)


def dcp_stream_opened(sim, account) -> None:
    state = state_of(sim)
    state.private_conns[account.key] = state.private_conns.get(account.key, 0) + 1
    timer = state.dcp_timers.pop(account.key, None)
    if timer is not None:
        timer.cancel()
