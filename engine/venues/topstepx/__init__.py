"""TopstepX (``topstepx``): CME futures through the ProjectX Gateway, one account, whole contracts.

Every role of the venue shape (:mod:`engine.venues`) is here but one.  Notes per role:

- ``rest``: JSON POSTs with a bearer token; the token's life (login, ``validate``, re-login on
  401) is :mod:`.auth`.
- ``order_path``: Order/place, cancel and modify on the lean HTTP path (compiled encoder and parser).
- ``user_stream``: the SignalR user hub (:mod:`.signalr` is the hub protocol layer).
- ``market_stream``: the SignalR market hub's quotes (deltas merged), the risk checks' reference price.
- ``ws_orders``: absent: the Gateway takes orders over REST only; its hubs push, they take no orders.
- ``brackets``: stop-loss and take-profit in signed ticks on the entry (Auto OCO accounts).
- ``limits``: 200 requests / 60 s, bars 50 / 30 s.
- ``instruments``: contracts by product root ("MNQ"), tick size, tick value, point value.

Why the hub client is a thin layer on the engine's picows WebSocket and not a SignalR
library, measured on loopback against the simulator's hub (``python -m bench.signalr_client
--events 5000 --gap-us 200``; 2 cores, the hub in its own process pushing GatewayUserOrder
events one per frame, three runs): the picows layer, each record parsed by the compiled
parser, took 18-22 us of client CPU per event and delivered in a median of 25-47 us;
pysignalr 1.3.3 (websockets and orjson underneath, the event decoded to Python objects
before its callback runs) took 34-41 us of CPU per event and delivered in a median of
44-49 us (the p99 of both, 5-8 ms, is the hub process's scheduling on a 2-core machine).
About half the CPU per event, from a small layer (:mod:`.signalr`); pysignalr stays the
stock client the simulator's hub is tested with.
"""
