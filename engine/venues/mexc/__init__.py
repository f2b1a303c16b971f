"""MEXC spot V3 (``mexc``): one folder of the venue shape (:mod:`engine.venues`).

Notes per role:

- ``order_path``: place and cancel on the lean REST path; the answers are receipts, the
  order's state comes on the private stream.
- ``user_stream``: the listen-key stream; pushes are protobuf (read by the compiled
  ``engine._parse_mexc_stream``), control answers JSON text.
- ``ws_orders``: absent.  MEXC spot has no WebSocket order entry (orders over REST only).
- ``brackets``: absent.  MEXC spot's v3 REST API has no stop or take-profit orders, so
  there is neither a native bracket nor the stop leg an engine-managed one needs.
- ``limits``: the shared place + cancel budget (12 per second) and the endpoint windows.
"""
