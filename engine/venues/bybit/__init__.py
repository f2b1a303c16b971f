"""Bybit V5 unified account (``bybit``): linear (the default) or spot, one category per adapter.

Every role of the venue shape (:mod:`engine.venues`) is here.  Notes per role:

- ``user_stream``: the private stream (``order``, ``execution``, ``wallet``, ``position`` topics).
- ``ws_orders``: the trade WebSocket (``/v5/trade``: ``order.create``/``amend``/``cancel``).
- ``brackets``: TP/SL attached to a linear entry (Partial mode); spot brackets are
  engine-managed (the module says why).
- ``limits``: the IP window and the per-UID per-endpoint windows, kept in step by headers.
"""
