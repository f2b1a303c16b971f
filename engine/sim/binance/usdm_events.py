"""Binance USD-M user-data payloads: ORDER_TRADE_UPDATE, ACCOUNT_UPDATE and ALGO_UPDATE for
one core event (served by :mod:`engine.sim.binance.user_stream`).
"""

from __future__ import annotations

from engine.sim.binance.usdm_algo import ALGO_STATUS
from engine.sim.binance.usdm_common import INSTRUMENTS, WALLET, price_text, qty_text
from engine.sim.decimals import ZERO, fixed

__all__ = ["format_event"]


def format_event(ev) -> list[dict]:
    core_ts = ev.ts
    if ev.kind == "order":
        o, fill = ev.order, ev.fill
        inst = INSTRUMENTS[o.symbol]
        x = ev.exec_type
        if x == "TRIGGERED":
            return []
        status = o.status if x not in ("NEW",) else "NEW"
        if x == "AMENDMENT":
            status = o.status
        last_q = last_p = fee = ZERO
        maker, tid, rp = False, 0, ZERO
        if fill is not None:
            last_q, last_p, tid = fill.qty, fill.price, fill.trade_id
            maker = fill.maker is o
            for f, fe, asset, mk in o.fills:
                if f is fill:
                    fee = fe
        body = {
            "s": o.symbol, "c": o.client_id, "S": o.side, "o": o.type, "f": o.tif, "q": qty_text(inst, o.qty),
            "p": price_text(inst, o.price), "ap": fixed(o.avg_price, inst.price_precision + 3),
            "sp": price_text(inst, o.extra.get("stop_price")), "x": x, "X": status, "i": o.oid,
            "l": qty_text(inst, last_q), "z": qty_text(inst, o.filled if x != "NEW" else ZERO), "L": price_text(inst, last_p),
            "n": fixed(fee, 8), "T": core_ts, "t": tid, "b": "0", "a": "0", "m": maker, "R": o.reduce_only,
            "wt": o.working_type or "CONTRACT_PRICE", "ot": o.extra.get("orig_type", o.type), "ps": "BOTH",
            "cp": o.close_position, "rp": fixed(fill.realized_for(o) if fill is not None else rp, 8), "pP": False,
            "si": 0, "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0,
        }
        if fill is not None:
            body["N"] = "USDT"
        return [{"e": "ORDER_TRADE_UPDATE", "E": core_ts, "T": core_ts, "o": body}]
    if ev.kind == "position":
        inst = INSTRUMENTS[ev.symbol]
        acct = ev.account
        pos = acct.position(WALLET, ev.symbol)
        bal = acct.wallets[WALLET]["USDT"].total
        mark = ev.fill.price
        return [{"e": "ACCOUNT_UPDATE", "E": core_ts, "T": core_ts, "a": {
            "m": "ORDER",
            "B": [{"a": "USDT", "wb": fixed(bal, 8), "cw": fixed(bal, 8), "bc": "0"}],
            "P": [{"s": ev.symbol, "pa": qty_text(inst, pos.amount), "ep": fixed(pos.entry, 8),
                   "bep": fixed(pos.entry, 8), "cr": fixed(pos.realized, 8), "up": fixed(pos.unrealized(mark), 8),
                   "mt": "cross", "iw": "0", "ps": "BOTH"}]}}]
    if ev.kind == "algo":
        o = ev.order
        inst = INSTRUMENTS[o.symbol]
        child = o.extra.get("child")
        return [{"e": "ALGO_UPDATE", "T": core_ts, "E": core_ts, "o": {
            "caid": o.client_id, "aid": o.oid, "at": "CONDITIONAL", "o": o.type, "s": o.symbol, "S": o.side,
            "ps": "BOTH", "f": o.tif, "q": qty_text(inst, o.qty), "X": ALGO_STATUS.get(o.status, o.status),
            "ai": str(child.oid) if child else "", "ap": price_text(inst, child.avg_price) if child else "0",
            "aq": qty_text(inst, child.filled) if child else "0", "act": child.type if child else "",
            "tp": price_text(inst, o.stop_price), "p": price_text(inst, o.price), "V": "NONE", "wt": o.working_type,
            "pm": "NONE", "cp": o.close_position, "pP": False, "R": o.reduce_only,
            "tt": o.updated_ms if o.triggered else 0, "gtd": 0, "rm": o.reject_reason or ""}}]
    return []
