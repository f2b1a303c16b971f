"""One outgoing WebSocket stream: an ordered send queue with stream faults applied.

Core events are formatted synchronously when emitted (so each payload shows the order
as it was at that moment) and queued here; a writer task sends them in order.  Stream
faults (``stream_drop``, ``stream_duplicate``, ``stream_reorder``, ``stream_lose``,
``stream_delay``, ``listenkey_expire``) act on queued events, never on request answers.
A delayed event is put on the queue by a timer while later events go out at once, so
it arrives out of order; its timer dies with the connection.
"""

from __future__ import annotations

import asyncio
import logging

from engine.sim.wire import dumps

__all__ = ["StreamConn"]

log = logging.getLogger("engine.sim.streams")


class StreamConn:
    """Wraps an aiohttp ``WebSocketResponse`` with an ordered writer."""

    def __init__(self, sim, ws, venue: str) -> None:
        self.sim = sim
        self.ws = ws
        self.venue = venue
        self.queue: asyncio.Queue = asyncio.Queue()
        self.held: str | None = None
        self.closed = False
        self.on_expire = None        # callable for listenkey_expire faults (USD-M)
        self.writer = asyncio.get_running_loop().create_task(self._write())
        self.sent_events = 0
        self.timers: dict[object, asyncio.TimerHandle] = {}   # stream_delay events not yet due

    def send(self, obj) -> None:
        """Queue a request answer (never subject to stream faults)."""
        if not self.closed:
            self.queue.put_nowait(obj if isinstance(obj, str) else dumps(obj))

    def event(self, obj) -> None:
        """Queue a stream event, applying this stream's faults (``bytes`` go out as a binary frame)."""
        if self.closed:
            return
        text = obj if isinstance(obj, (str, bytes)) else dumps(obj)
        fired = self.sim.faults.fire((f"stream.{self.venue}",))
        actions = {f.action for f in fired}
        if "listenkey_expire" in actions and self.on_expire is not None:
            self.on_expire()
            return
        if "stream_drop" in actions:
            self.queue.put_nowait(None)
            self.closed = True
            return
        if "stream_lose" in actions:
            return
        if "stream_delay" in actions:
            ms = next(f.ms for f in fired if f.action == "stream_delay")
            token = object()
            self.timers[token] = asyncio.get_running_loop().call_later(ms / 1000, self._late, token, text)
            return
        if "stream_reorder" in actions and self.held is None:
            self.held = text
            return
        self.queue.put_nowait(text)
        if "stream_duplicate" in actions:
            self.queue.put_nowait(text)
        if self.held is not None:
            self.queue.put_nowait(self.held)
            self.held = None
        self.sent_events += 1

    def _late(self, token: object, text: str) -> None:
        self.timers.pop(token, None)
        if not self.closed:
            self.queue.put_nowait(text)
            self.sent_events += 1

    def _cancel_timers(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()

    def close_soon(self) -> None:
        self._cancel_timers()
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)

    async def _write(self) -> None:
        try:
            while True:
                text = await self.queue.get()
                if text is None:
                    await self.ws.close()
                    return
                if isinstance(text, bytes):
                    await self.ws.send_bytes(text)
                else:
                    await self.ws.send_str(text)
        except (ConnectionResetError, RuntimeError, asyncio.CancelledError):
            pass
        except Exception:  # pragma: no cover - keep the server alive whatever a socket does
            log.exception("stream writer failed")
        finally:
            self.closed = True

    async def aclose(self) -> None:
        self._cancel_timers()
        self.closed = True
        self.writer.cancel()
        try:
            await self.writer
        except (asyncio.CancelledError, Exception):
            pass
