"""What the chaos bot (:mod:`tests.support.chaos_bot`) needs to know of each venue: one entry per venue.

An entry names the simulator's market and wallet the engine venue trades in, the fault targets of
its order-entry requests (REST, and the WebSocket order API where the venue has one) and of its
user-data stream, the symbols the bot trades (engine symbol, the simulator's fair-price series and
instrument, a small size, the price tick), and which of the chaos faults that venue's simulator
personality injects (``supports``).  The test asserts exactly those that fired; a fault kind a
personality does not inject on a path is left out there, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

__all__ = ["ChaosSymbol", "ChaosVenue", "CHAOS_VENUES", "ALL_KINDS"]

# Every fault kind the chaos test can assert fired (a FaultRecord's action[:process]).
ALL_KINDS = ("unknown:first", "unknown:later", "http503:never", "garbage:first", "drop:first", "drop:never",
             "interim:first", "stream_lose", "stream_delay", "stream_reorder", "stream_duplicate")
_WS_KINDS = tuple(k for k in ALL_KINDS if k != "interim:first")     # interim 1xx exists on HTTP only


@dataclass(frozen=True)
class ChaosSymbol:
    symbol: str                      # as the engine names it
    series: str                      # the simulator's fair-price series (SimExchange.price)
    qty: str                         # one order's size, in the engine's units
    tick: str                        # prices are rounded to this
    venue_symbol: str = ""           # the simulator's instrument, when not ``symbol``
    units: Decimal = Decimal(1)      # the simulator's quantity of one engine unit (a future's point value)

    @property
    def at_venue(self) -> str:
        return self.venue_symbol or self.symbol


@dataclass(frozen=True)
class ChaosVenue:
    market: str                                  # the simulator's market key (its by_client index)
    wallet: str                                  # the simulator's wallet the venue trades from
    stream: str                                  # the user-data stream's fault target
    rest: tuple[str, str | None]                 # (new order, cancel) fault targets over REST
    ws: tuple[str, str | None] | None = None     # the same over the WebSocket order API, if any
    symbols: tuple[ChaosSymbol, ...] = ()
    supports: dict[str, tuple[str, ...]] = field(default_factory=dict)   # entry -> kinds asserted fired
    extra: tuple[tuple[str, float], ...] = ()    # venue-only faults: (target:action, probability at rate 1)
    kill_cancel: str | None = None               # the kill switch's cancel-all request, failing now and then
    kinds: tuple[str, ...] = ("market", "ioc", "post_only", "limit")   # the order kinds the venue has
    pin_rare: bool = False                       # short runs: every asserted answer kind also fires at a fixed request
    lift: Callable | None = None                 # lifts a simulator limit that Limits does not name: lift(sim)
    amend: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())   # the amendments' fault targets: (REST, WebSocket)


_CRYPTO = (ChaosSymbol("BTCUSDT", "BTCUSDT", "0.01", "0.1"), ChaosSymbol("ETHUSDT", "ETHUSDT", "0.1", "0.1"))
_BOTH = {"rest": ALL_KINDS, "ws": _WS_KINDS}


def _gate_queries_unlimited(sim) -> None:
    """Gate.io's 200 requests per 10 s for each other private endpoint (the reconciliation's order lists)."""
    sim.state["gateio"].limiter.other_per_10s = 10**9


CHAOS_VENUES: dict[str, ChaosVenue] = {
    "binance-spot": ChaosVenue("bspot", "binance-spot", "stream.binance-spot",
                               ("POST api/v3/order", "DELETE api/v3/order"), ("order.place", "order.cancel"),
                               _CRYPTO, _BOTH,
                               # amended by cancel-replace, a quantity lowered in place (keepPriority): over the
                               # WebSocket API when orders go there (the engine's Python path, which a Decimal
                               # takes, over REST on either entry)
                               amend=(("POST api/v3/order/cancelReplace", "PUT api/v3/order/amend/keepPriority"),
                                      ("order.cancelReplace", "order.amend.keepPriority"))),
    "binance-usdm": ChaosVenue("busdm", "binance-usdm", "stream.binance-usdm",
                               ("POST fapi/v1/order", "DELETE fapi/v1/order"), None, _CRYPTO, _BOTH,
                               extra=(("stream.binance-usdm:listenkey_expire", 0.001),),
                               amend=(("PUT fapi/v1/order",), ())),
    "bybit": ChaosVenue("ylinear", "bybit", "stream.bybit", ("POST v5/order/create", "POST v5/order/cancel"),
                        ("order.create", "order.cancel"), _CRYPTO, _BOTH,
                        amend=(("POST v5/order/amend",), ("order.amend",))),
    # MEXC: REST order entry only; its user-data stream (protobuf pushes) takes every stream fault
    "mexc": ChaosVenue("mexc", "mexc", "stream.mexc", ("POST api/v3/order", "DELETE api/v3/order"), None,
                       _CRYPTO, _BOTH, pin_rare=True),
    # Gate.io: a REST cancel's path carries the order's text (DELETE api/v4/spot/orders/t-...), which no
    # fault target names; the kill switch's cancel-all per pair (DELETE api/v4/spot/orders) fails instead.
    # The WebSocket order API cancels by spot.order_cancel.
    "gateio": ChaosVenue("gate", "gateio", "stream.gateio", ("POST api/v4/spot/orders", None),
                         ("spot.order_place", "spot.order_cancel"),
                         (ChaosSymbol("BTC_USDT", "BTCUSDT", "0.01", "0.1"),
                          ChaosSymbol("ETH_USDT", "ETHUSDT", "0.1", "0.1")), _BOTH,
                         kill_cancel="DELETE api/v4/spot/orders", lift=_gate_queries_unlimited, pin_rare=True),
    # TopstepX: REST order entry; user events over the SignalR user hub (stream.topstepx); whole
    # contracts of CME micro futures, the simulator counting a contract as its point value; no time
    # in force there (no IOC, no post-only: the bot sends market and plain limit orders instead)
    "topstepx": ChaosVenue("tsx", "topstepx", "stream.topstepx", ("POST api/Order/place", "POST api/Order/cancel"),
                           None, (ChaosSymbol("MNQ", "NQ", "1", "0.25", "CON.F.US.MNQ.Z26", Decimal(2)),
                                  ChaosSymbol("MES", "ES", "1", "0.25", "CON.F.US.MES.Z26", Decimal(5))),
                           _BOTH, kinds=("market", "limit"), pin_rare=True),
}
