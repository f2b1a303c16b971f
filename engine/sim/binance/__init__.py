"""The Binance personality: spot (``/api/v3``), the spot WebSocket API (``/ws-api/v3``), order
lists (OTOCO), USD-M futures (``/fapi``) and the USD-M user-data stream (``/ws/<listenKey>``),
registered by :mod:`engine.sim.binance.personality`.

Wire facts from shared/venues/binance-spot.md and shared/venues/binance-usdm-futures.md."""
