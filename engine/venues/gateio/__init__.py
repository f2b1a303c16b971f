"""Gate.io APIv4 spot (``gateio``): one spot account, orders over REST or the WebSocket order API.

The roles of the venue shape (:mod:`engine.venues`), with notes:

- ``user_stream``: WebSocket v4 private channels ``spot.orders``, ``spot.usertrades``,
  ``spot.balances`` (each subscribed with its own signed auth).
- ``ws_orders``: the WebSocket order API on the same v4 endpoint (``spot.login``, then
  ``spot.order_place`` / ``order_cancel`` / ``order_amend`` / ``order_status``).
- ``brackets``: absent.  Brackets need stop orders, and Gate's spot trigger orders
  (``/spot/price_orders``) are a separate API whose triggered orders the engine could not
  tie to their trigger; stop orders are refused before anything is sent (:mod:`.adapter`).
- ``limits``: 10 r/s per pair for placing and amending (REST and WebSocket together),
  cancels in a window of their own.

Wire facts: shared/venues/gateio-spot.md.  Exactly-once on a venue that does not refuse a
second order under one ``text``: :mod:`.adapter`, rule 1.
"""
