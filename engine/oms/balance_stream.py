"""Balance and account events of the user-data streams, applied to the account.

Binance spot ``outboundAccountPosition`` (one per order placed, cancelled or filled),
USD-M ``ACCOUNT_UPDATE`` balances and the Bybit ``wallet`` topic are read in place by
the compiled :class:`~engine._parse_balances.BalanceParser`; anything else (Bybit
``position`` marks, a message too large for the parser's fixed rows, Binance list
statuses) goes through ``json`` on the cold path.  Every applied asset is remembered in
the reconciler's ``balances`` (what reconciliation compares) and evented once per
message as ``BALANCE_CHANGED``.
"""

from __future__ import annotations

import json
import logging

from engine._fixedpoint import parse as fp_parse
from engine._parse_balances import BalanceKind, BalanceParser, RowField
from engine._parse_common import ParseError
from engine.oms.events import EventKind

__all__ = ["BalanceStream"]

log = logging.getLogger("engine.oms.balance_stream")

_SPOT, _USDM, _WALLET = int(BalanceKind.BAL_BINANCE_SPOT), int(BalanceKind.BAL_BINANCE_USDM), \
    int(BalanceKind.BAL_BYBIT_WALLET)
_SECOND = int(RowField.ROW_SECOND)


def _raw(text) -> int:
    return fp_parse(str(text)) if text not in (None, "") else 0


class BalanceStream:
    """Applies balance events to ``reconciler.eng``'s account and ``reconciler.balances``."""

    def __init__(self, reconciler):
        self.rec = reconciler
        self.parser = BalanceParser()
        self.compiled = 0      # messages read by the compiled parser
        self.general = 0       # messages read with json
        self.bad_messages = 0  # unreadable ones (each followed by a reconciliation)

    def on_message(self, payload: bytes) -> None:
        p = self.parser
        try:
            n = p.parse(payload)
        except ParseError as exc:
            self._bad(f"unreadable account event ({len(payload)} bytes): {exc}")
            return
        if n < 0:
            self.general += 1
            self._general(payload)
            return
        self.compiled += 1
        changed = [self._row(p, p.kind, i) for i in range(n)]
        if changed:
            self.rec.eng.bus.emit(EventKind.BALANCE_CHANGED, assets=changed)

    def _row(self, p: BalanceParser, kind: int, i: int) -> str:
        rec, eng = self.rec, self.rec.eng
        asset = p.asset(i)
        first, second = p.first_raw(i), p.second_raw(i)
        if kind == _SPOT:                                   # free, locked
            rec.balances[asset] = (first, second)
            rec._apply_balance(asset, first, second)
        elif kind == _USDM:                                 # wallet, cross wallet (absent: the wallet)
            cross = second if p.present(i) & _SECOND else first
            avail = rec.balances.get(asset, (first, first))[0]
            rec.balances[asset] = (avail, first)
            eng.account.apply_futures_balance(eng.instruments.asset_id(asset), first, cross)
        else:                                               # Bybit walletBalance, locked (absent: 0)
            pair = (first - second, first) if eng.futures else (first - second, second)
            rec.balances[asset] = pair
            rec._apply_balance(asset, *pair)
        return asset

    def _bad(self, why: str) -> None:
        """Counted, logged, and the venue asked for the truth (balances included)."""
        self.bad_messages += 1
        log.warning("%s; counted, reconciling", why)
        self.rec.eng.request_reconciliation("unreadable account event")

    def _general(self, payload: bytes) -> None:
        """The cold path: messages the compiled parser leaves to json (position marks, oversized ones)."""
        rec, eng = self.rec, self.rec.eng
        try:
            doc = json.loads(payload)
        except ValueError:
            self._bad(f"account event is not JSON ({len(payload)} bytes)")
            return
        if isinstance(doc, dict) and "event" in doc and isinstance(doc["event"], dict):
            doc = doc["event"]
        if not isinstance(doc, dict):
            return
        changed = []
        try:
            e = doc.get("e")
            if e == "outboundAccountPosition":
                for b in doc.get("B", []):
                    rec.balances[b["a"]] = (_raw(b["f"]), _raw(b["l"]))
                    rec._apply_balance(b["a"], _raw(b["f"]), _raw(b["l"]))
                    changed.append(b["a"])
            elif e == "ACCOUNT_UPDATE":
                for b in doc.get("a", {}).get("B", []):
                    wallet = _raw(b.get("wb"))
                    avail = rec.balances.get(b["a"], (wallet, wallet))[0]
                    rec.balances[b["a"]] = (avail, wallet)
                    eng.account.apply_futures_balance(eng.instruments.asset_id(b["a"]), wallet,
                                                      _raw(b.get("cw", b.get("wb"))))
                    changed.append(b["a"])
            elif doc.get("topic", "").startswith("wallet"):
                for acct in doc.get("data", []):
                    for c in acct.get("coin", []):
                        wallet, locked = _raw(c.get("walletBalance")), _raw(c.get("locked", "0"))
                        pair = (wallet - locked, wallet) if eng.futures else (wallet - locked, locked)
                        rec.balances[c["coin"]] = pair
                        rec._apply_balance(c["coin"], *pair)
                        changed.append(c["coin"])
            elif doc.get("topic", "").startswith("position"):
                for p in doc.get("data", []):
                    inst = eng.instruments.ids.get(p.get("symbol"))
                    if inst is not None and p.get("markPrice"):
                        eng.book.set_mark(inst, _raw(p["markPrice"]))
        except (KeyError, TypeError, ValueError) as exc:
            self._bad(f"unreadable account event: {type(exc).__name__}: {exc}")
            return
        if changed:
            eng.bus.emit(EventKind.BALANCE_CHANGED, assets=changed)
