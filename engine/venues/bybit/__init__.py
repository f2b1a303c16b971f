"""Bybit V5: REST, private stream, WebSocket trade."""
