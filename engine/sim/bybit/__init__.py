"""The Bybit V5 personality: REST (``/v5``), the private stream (``/v5/private``) and
WebSocket trade (``/v5/trade``), spot and linear, registered by
:mod:`engine.sim.bybit.personality`.

Wire facts from shared/venues/bybit-v5.md."""
