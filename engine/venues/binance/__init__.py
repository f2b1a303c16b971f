"""Binance spot and USD-M futures: REST, user-data streams, WebSocket order entry."""
