"""TopstepX (``topstepx``): CME futures through the ProjectX Gateway, one account, whole contracts.

Every role of the venue shape (:mod:`engine.venues`) is here but one.  Notes per role:

- ``rest``: JSON POSTs with a bearer token; the token's life (login, ``validate``, re-login on
  401) is :mod:`.auth`.
- ``order_path``: Order/place, cancel and modify on the lean HTTP path (compiled encoder and parser).
- ``user_stream``: the SignalR user hub (:mod:`.signalr` is the hub protocol layer).
- ``ws_orders``: absent: the Gateway takes orders over REST only; its hubs push, they take no orders.
- ``brackets``: stop-loss and take-profit in signed ticks on the entry (Auto OCO accounts).
- ``limits``: 200 requests / 60 s, bars 50 / 30 s.
- ``instruments``: contracts by product root ("MNQ"), tick size, tick value, point value.

Why the hub client is a thin layer on the engine's picows WebSocket and not a SignalR
library: measured on loopback against the simulator's user hub (bench/signalr_client.py,
2 cores, the hub pushing GatewayUserOrder events one per frame), the picows layer handed
each record to the engine's parser in a median of TODO us of client CPU per event against
TODO us for pysignalr 1.3.3 (websockets and orjson underneath, an event decoded to Python
objects before its callback runs); pysignalr is kept as the stock client the simulator's hub
is tested with (tests/sim/topstepx).
"""
