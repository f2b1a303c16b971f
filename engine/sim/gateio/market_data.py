"""Gate.io public market data (gateio-spot.md §4): server time, currency pairs and currencies,
tickers, the order book, candlesticks and public trades; and what ccxt's ``gate`` asks for in
``load_markets`` with its default options beyond spot: margin pairs, futures, delivery and
options contracts, served empty (this venue is spot only; an account without margin gets an
empty list, not an error).
"""

from __future__ import annotations

from engine.sim.core_types import now_ms
from engine.sim.decimals import plain
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.instruments import MARKET
from engine.sim.gateio.orders import int_arg, pair_of

__all__ = ["PUBLIC", "EMPTY_PREFIXES", "pair_row"]


def pair_row(inst) -> dict:
    return {"id": inst.symbol, "base": inst.base, "base_name": inst.base, "quote": inst.quote,
            "quote_name": inst.quote, "fee": plain(inst.taker_fee * 100), "min_base_amount": plain(inst.min_qty),
            "min_quote_amount": plain(inst.min_notional), "max_base_amount": plain(inst.max_qty),
            "max_quote_amount": "5000000", "amount_precision": inst.qty_precision,
            "precision": inst.price_precision, "trade_status": "tradable", "sell_start": 0, "buy_start": 0,
            "delisting_time": 0, "type": "normal", "trade_url": ""}


def _insts(sim):
    return [inst for (m, _), inst in sim.core.instruments.items() if m == MARKET]


def currency_pairs(sim, q: dict, tail: str = ""):
    if tail:
        inst = sim.core.instrument(MARKET, tail)
        if inst is None:
            raise GateError("INVALID_CURRENCY_PAIR", f"Invalid currency pair {tail}", 400)
        return pair_row(inst)
    return [pair_row(inst) for inst in _insts(sim)]


def currencies(sim, q: dict, tail: str = ""):
    assets = sorted({a for inst in _insts(sim) for a in (inst.base, inst.quote)})
    return [{"currency": a, "name": a, "delisted": False, "withdraw_disabled": False, "withdraw_delayed": False,
             "deposit_disabled": False, "trade_disabled": False, "fixed_rate": "", "chain": "ETH",
             "chains": [{"name": "ETH", "addr": "", "withdraw_disabled": False, "withdraw_delayed": False,
                         "deposit_disabled": False}]} for a in assets]


def tickers(sim, q: dict, tail: str = ""):
    rows = []
    for inst in _insts(sim):
        if q.get("currency_pair") and q["currency_pair"] != inst.symbol:
            continue
        book = sim.core.books[(MARKET, inst.symbol)]
        last = sim.core.last.get((MARKET, inst.symbol))
        bid, ask = book.best("BUY"), book.best("SELL")
        rows.append({"currency_pair": inst.symbol, "last": plain(last), "lowest_ask": plain(ask),
                     "lowest_size": plain(book.depth("SELL", 1)[0][1]) if ask else "0", "highest_bid": plain(bid),
                     "highest_size": plain(book.depth("BUY", 1)[0][1]) if bid else "0", "change_percentage": "0",
                     "base_volume": "0", "quote_volume": "0", "high_24h": plain(last), "low_24h": plain(last)})
    if q.get("currency_pair") and not rows:
        raise GateError("INVALID_CURRENCY_PAIR", f"Invalid currency pair {q['currency_pair']}")
    return rows


def order_book(sim, q: dict, tail: str = ""):
    inst = pair_of(sim, q)
    book = sim.core.books[(MARKET, inst.symbol)]
    n = int_arg(q, "limit", 10, 1000)
    t = now_ms()
    out = {"current": t, "update": t, "asks": [[plain(p), plain(s)] for p, s in book.depth("SELL", n)],
           "bids": [[plain(p), plain(s)] for p, s in book.depth("BUY", n)]}
    if str(q.get("with_id", "")).lower() == "true":
        out = {"id": book._seq, **out}
    return out


def candlesticks(sim, q: dict, tail: str = ""):
    """Flat candles at the last price (the simulator keeps no history): [t, quote volume, close, high, low,
    open, base volume, closed]."""
    inst = pair_of(sim, q)
    last = plain(sim.core.last.get((MARKET, inst.symbol)))
    step = {"10s": 10, "1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400,
            "1d": 86400}.get(q.get("interval") or "30m")
    if step is None:
        raise GateError("INVALID_PARAM_VALUE", f"Invalid interval {q.get('interval')}")
    n = int_arg(q, "limit", 100, 1000)
    now = now_ms() // 1000 // step * step
    return [[str(now - i * step), "0", last, last, last, last, "0", "true"] for i in range(n - 1, -1, -1)]


def public_trades(sim, q: dict, tail: str = ""):
    pair_of(sim, q)
    return []


def server_time(sim, q: dict, tail: str = ""):
    return {"server_time": now_ms()}


def empty(sim, q: dict, tail: str = ""):
    return []


PUBLIC = {"spot/time": server_time, "spot/currency_pairs": currency_pairs, "spot/currencies": currencies,
          "spot/tickers": tickers, "spot/order_book": order_book, "spot/candlesticks": candlesticks,
          "spot/trades": public_trades, "margin/currency_pairs": empty, "options/underlyings": empty}
# GET paths under these answer [] (the contracts of settle currencies of other markets)
EMPTY_PREFIXES = ("futures/", "delivery/", "options/")
