"""What happens on the venue after every core order event of the TopstepX market: fees, the
half-turn trade record, bracket legs, and the user and market hub events.

For an account's order event (``Core.watchers``, run after the core settled it):

1. the order's ``GatewayUserOrder`` (action 0 when new, else 1);
2. for a fill: the fee per contract and side charged (``fees``), one half-turn trade
   (``profitAndLoss`` null when the fill only opened or added to the position, else the
   PnL the fill realised, in dollars through the point value), then ``GatewayUserTrade``,
   ``GatewayUserPosition`` (a closed position: size 0, type 0; the venue's form is
   unconfirmed) and ``GatewayUserAccount`` with the balance after fees;
3. the bracket legs' life (:mod:`.brackets`).

The order of the events within one fill (order, trade, position, account) is unconfirmed.
Every fill, the market maker's included, moves the market hub: ``GatewayTrade`` and the
quote (best bid and ask, last price) to their subscribers; a change of the market maker's
quotes sends ``GatewayDepth``: a Reset (DomType 6) then the five best levels each side
(1 Ask, 2 Bid; ``volume`` = ``currentVolume`` = the level's contracts).  The Gateway's depth
semantics (volume against currentVolume, Reset) are unconfirmed.
"""

from __future__ import annotations

from collections import deque
from itertools import count

from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO
from engine.sim.topstepx.instruments import ASSET, MARKET, WALLET, contract, contracts
from engine.sim.topstepx.rows import account_row, iso, num, order_row, position_row, trade_row

__all__ = ["Events"]


class Events:
    def __init__(self, sim, st) -> None:
        self.sim = sim
        self.st = st
        self.realized: dict[int, object] = {}           # order id -> realised PnL reported so far
        self.positions: dict[tuple[int, str], tuple[int, int]] = {}     # (account, contract) -> (id, created ms)
        self._pos_id = count(5001)
        self.trades_published = 0
        self.tape: dict[str, deque] = {}                 # contract -> (ms, price, contracts) of every trade

    def watch(self, order, exec_type: str, fill) -> None:
        if order.market != MARKET:
            return
        if fill is not None and exec_type == "TRADE" and order is fill.taker:
            self._market_trade(order, fill)
        if order.account.is_market_maker:
            if exec_type in ("NEW", "CANCELED", "TRADE"):
                self._quote(order.symbol)
            return
        acct = self.st.accounts.get(order.account.key)
        if acct is None:
            return
        hubs = self.st.hubs
        hubs.user_event("orders", acct.id, "GatewayUserOrder", order_row(order, acct.id),
                        0 if exec_type == "NEW" else 1)
        if exec_type == "TRADE" and fill is not None:
            self._fill(acct, order, fill)
        self.st.brackets.on_event(order, exec_type)

    def _fill(self, acct, order, fill) -> None:
        c = contract(order.symbol)
        n = contracts(c, fill.qty)
        fee = c.fee * n
        self.sim.core.ledger.charge_fee(acct.account, WALLET, ASSET, fee)
        pos = acct.account.position(WALLET, order.symbol)
        delta = fill.qty if order.side == "BUY" else -fill.qty
        before = pos.amount - delta
        closing = before != 0 and (before > 0) != (delta > 0)
        pnl = order.realized - self.realized.get(order.oid, ZERO)
        self.realized[order.oid] = order.realized
        row = trade_row(fill.trade_id, acct.id, order, fill, n, pnl if closing else None, fee)
        acct.trades.append(row)
        hubs = self.st.hubs
        hubs.user_event("trades", acct.id, "GatewayUserTrade", row, 0)
        key = (acct.id, order.symbol)
        if key not in self.positions or before == 0:
            self.positions[key] = (next(self._pos_id), now_ms())
        pos_id, created = self.positions[key]
        hubs.user_event("positions", acct.id, "GatewayUserPosition",
                        position_row(pos_id, acct.id, order.symbol, pos, created))
        hubs.user_event("accounts", acct.id, "GatewayUserAccount", account_row(acct))
        self.trades_published += 1

    def position_rows(self, acct) -> list[dict]:
        out = []
        for (wallet, symbol), pos in acct.account.positions.items():
            if wallet != WALLET or pos.amount == 0:
                continue
            pos_id, created = self.positions.get((acct.id, symbol), (0, now_ms()))
            out.append(position_row(pos_id, acct.id, symbol, pos, created))
        return out

    # -- market hub ----------------------------------------------------------------------------------
    def _market_trade(self, order, fill) -> None:
        c = contract(order.symbol)
        self.tape.setdefault(c.id, deque(maxlen=100_000)).append((now_ms(), fill.price, contracts(c, fill.qty)))
        self.st.hubs.market_event("trades", c.id, "GatewayTrade",
                                  [{"symbolId": c.symbol_id, "price": num(fill.price), "timestamp": iso(now_ms()),
                                    "type": 0 if order.side == "BUY" else 1, "volume": contracts(c, fill.qty)}])

    def _quote(self, contract_id: str) -> None:
        hubs = self.st.hubs
        if not hubs.market.clients:
            return
        c = contract(contract_id)
        book = self.sim.core.books[(MARKET, contract_id)]
        last = self.sim.core.last.get((MARKET, contract_id))
        hubs.quote(contract_id, {"symbol": c.symbol_id, "symbolName": c.name, "lastPrice": num(last),
                                 "bestBid": num(book.best("BUY")), "bestAsk": num(book.best("SELL")),
                                 "timestamp": iso(now_ms())})
        if any(("depth", contract_id) in client.subscriptions for client in hubs.market.clients):
            ts = iso(now_ms())
            items = [{"timestamp": ts, "type": 6, "price": 0, "volume": 0, "currentVolume": 0}]
            for side, dom in (("SELL", 1), ("BUY", 2)):
                for price, qty in book.depth(side, 5):
                    n = contracts(c, qty)
                    items.append({"timestamp": ts, "type": dom, "price": num(price), "volume": n, "currentVolume": n})
            hubs.market_event("depth", contract_id, "GatewayDepth", items)
