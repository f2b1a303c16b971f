"""The user and market hubs of the personality (``/hubs/user``, ``/hubs/market``) and what they push.

User hub methods (shared/venues/topstepx-projectx.md §7): ``SubscribeAccounts`` (no
arguments), ``SubscribeOrders`` / ``SubscribePositions`` / ``SubscribeTrades`` with
``[accountId]`` (an account of the token's login; another is an invocation error), and
the ``Unsubscribe*`` twins.  Events ``GatewayUserAccount``/``Order``/``Position``/``Trade``
carry one argument, the bare object, or ``{action, data}`` for the event names in
``TopstepxState.wrapped`` (action 0 create, 1 update).  Nothing is replayed to a
connection that comes back.

Market hub methods: ``SubscribeContractQuotes`` / ``Trades`` / ``MarketDepth`` with
``[contractId]`` (and the ``Unsubscribe*`` twins).  Events carry two arguments,
``(contractId, data)``: ``GatewayQuote`` as deltas (only the fields that changed since the
last quote sent; ``quote_deltas`` off: whole quotes), ``GatewayTrade`` and ``GatewayDepth`` items
in arrays (as project-x-py receives them; ``market_arrays`` off: one object per event, as the docs show).
"""

from __future__ import annotations

import asyncio

from engine.sim.streams import StreamConn
from engine.sim.topstepx.hub import HubServer, record
from engine.sim.topstepx.instruments import CONTRACTS

__all__ = ["Hubs"]

_USER_TOPICS = {"accounts": "accounts", "orders": "orders", "positions": "positions", "trades": "trades"}
_MARKET_TOPICS = {"contractquotes": "quotes", "contracttrades": "trades", "contractmarketdepth": "depth"}


class Hubs:
    def __init__(self, sim, st) -> None:
        self.sim = sim
        self.st = st

        def streams(ws):
            conn = StreamConn(sim, ws, "topstepx")
            sim.track_conn(conn)
            return conn

        methods = {}
        for verb in ("subscribe", "unsubscribe"):
            for name, topic in _USER_TOPICS.items():
                methods[verb + name] = self._user_method(verb == "subscribe", topic)
        self.user = HubServer("user", st.login_of, methods, streams=streams, released=sim.untrack_conn)
        market = {}
        for verb in ("subscribe", "unsubscribe"):
            for name, topic in _MARKET_TOPICS.items():
                market[verb + name] = self._market_method(verb == "subscribe", topic)
        self.market = HubServer("market", st.login_of, market, streams=streams, released=sim.untrack_conn)

    def _user_method(self, on: bool, topic: str):
        def method(client, args):
            acct = self.st.accounts.get(client.identity)
            if topic == "accounts":
                key = (topic, client.identity)
            else:
                if not args or args[0] != (acct.id if acct else None):
                    raise ValueError(f"not an account of this login: {args[:1]}")
                key = (topic, args[0])
            (client.subscriptions.add if on else client.subscriptions.discard)(key)
            return None
        return method

    def _market_method(self, on: bool, topic: str):
        def method(client, args):
            if not args or args[0] not in CONTRACTS:
                raise ValueError(f"unknown contract {args[:1]}")
            (client.subscriptions.add if on else client.subscriptions.discard)((topic, args[0]))
            if on and topic == "quotes":
                client.quote = {}
            return None
        return method

    # -- pushing ---------------------------------------------------------------------------------------
    def user_event(self, topic: str, account_id: int, target: str, row: dict, action: int = 1) -> None:
        arg = {"action": action, "data": row} if target in self.st.wrapped else row
        key = (topic, account_id) if topic != "accounts" else (topic, self.st.by_id[account_id].account.key)
        self.user.push(key, target, arg)

    def market_event(self, topic: str, contract_id: str, target: str, data) -> None:
        if isinstance(data, list) and not self.st.market_arrays:
            for item in data:                  # the documented form: one object per event
                self.market.push((topic, contract_id), target, contract_id, item)
            return
        self.market.push((topic, contract_id), target, contract_id, data)

    def quote(self, contract_id: str, full: dict) -> None:
        """Each quotes subscriber gets the fields that changed since its last quote."""
        for client in list(self.market.clients):
            if ("quotes", contract_id) not in client.subscriptions or client.closed:
                continue
            last = getattr(client, "quote", {}).setdefault(contract_id, {})
            delta = {k: v for k, v in full.items() if last.get(k) != v or k in ("symbol", "timestamp")}
            if len(delta) <= 2:
                continue
            if not self.st.quote_deltas:
                delta = dict(full)
            last.update(delta)
            text = record({"type": 1, "target": "GatewayQuote", "arguments": [contract_id, delta]})
            client.stream.event(text)

    def logout(self, login: str) -> int:
        """The user's hub sessions end: ``GatewayLogout`` (no arguments; its shape is unconfirmed, peer code)
        then a close; returns how many."""
        ended = [c for c in self.user.clients if c.identity == login and not c.closed]

        async def end(client):
            await client.send_text(record({"type": 1, "target": "GatewayLogout", "arguments": []}))
            await client.close("Session ended: the user logged in elsewhere.")
        for client in ended:
            asyncio.get_running_loop().create_task(end(client))
        return len(ended)

    async def stop(self) -> None:
        for hub in (self.user, self.market):
            hub.drop_all()
