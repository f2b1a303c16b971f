"""Binance spot (``binance-spot``) and USD-M futures (``binance-usdm``): one folder, two adapters' worth.

Every role of the venue shape (:mod:`engine.venues`) is here.  Notes per role:

- ``user_stream``: the USD-M listen-key stream.  Spot's user data comes over the WebSocket API
  connection of ``ws_orders`` (``userDataStream.subscribe``; spot listen keys are retired).
- ``ws_orders``: the spot WebSocket API (``/ws-api/v3``).  USD-M WebSocket order entry
  (``ws-fapi``) is not implemented: USD-M orders go over the REST lean path.
- ``brackets``: spot OTOCO order lists; USD-M brackets are engine-managed (the module says why).
- ``limits``: request weight and order counts, adopted from ``exchangeInfo``.
"""
