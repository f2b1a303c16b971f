"""A simulator on its own event loop in a thread, for stock clients that block (python-binance,
pybit, ccxt's sync classes) or run their own loop (ccxt.async_support, ccxt.pro)."""

from __future__ import annotations

import asyncio
import re
import threading

from engine.sim import SimExchange

__all__ = ["SimThread", "point_ccxt"]


class SimThread:
    """``with SimThread(accounts=[...]) as sim:``; :meth:`call` runs ``fn(sim)`` on the simulator's
    loop (its state belongs to that loop) and returns its result."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("seed", 5)
        self.kwargs = kwargs

    def __enter__(self) -> "SimThread":
        self.loop = asyncio.new_event_loop()
        self.sim = SimExchange(**self.kwargs)
        ready = threading.Event()

        def main():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.sim.start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()
        assert ready.wait(10), "the simulator did not start"
        return self

    def call(self, fn, timeout: float = 10.0):
        async def run():
            return fn(self.sim)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def point_ccxt(exchange, url: str):
    """A stock ccxt exchange (ccxt, ccxt.async_support or ccxt.pro) with every URL's scheme and host
    replaced by ``url``'s (paths kept; WebSocket URLs become ``ws://``): the only change a user makes to
    aim it at the simulator."""
    ws = url.replace("http://", "ws://", 1)

    def aim(value):
        if isinstance(value, dict):
            return {k: aim(v) for k, v in value.items()}
        if isinstance(value, str):
            return re.sub(r"^wss://[^/]+", ws, re.sub(r"^https://[^/]+", url, value))
        return value
    exchange.urls["api"] = aim(exchange.urls["api"])
    return exchange
