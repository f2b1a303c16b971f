"""Transports: the lean HTTP/1.1 order path, the aiohttp path, WebSockets, pacing and clocks."""
