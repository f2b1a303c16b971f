"""Venue adapters: one folder per venue with the same shape (rest, stream, ws_api, errors, codec bindings)."""
