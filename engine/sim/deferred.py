"""Processing a request after the client was answered (``process=later`` faults).

A venue can answer "timeout, status unknown" and still execute the order a moment later,
when the request finally reaches its matching engine.  The simulator does the same: the
request is kept as it arrived (its bytes, headers and address) and run through the
personality's normal frame ``delay_ms`` later.  Because the frame checks signature,
timestamp and recvWindow against the clock at that moment, a request delayed beyond its
recvWindow is refused then, as the venue's second recvWindow check would refuse it; nobody
hears either outcome, both land in the fault's :class:`~engine.sim.fault_plan.FaultRecord`.

Rules:

1. A REST request is frozen (:class:`FrozenRequest`) before the handler returns, since
   aiohttp recycles the request and its connection after that.
2. Every pending run is a task owned by :class:`Deferred`; ``SimExchange.stop()`` cancels
   them, so nothing acts on a stopped simulator.
"""

from __future__ import annotations

import asyncio
import inspect
import logging

from multidict import CIMultiDict, CIMultiDictProxy

from engine.sim.core_types import now_ms

__all__ = ["Deferred", "FrozenRequest"]

log = logging.getLogger("engine.sim.deferred")


class FrozenRequest:
    """What the REST frames read from an aiohttp request, kept after the request ended."""

    __slots__ = ("method", "path", "rel_url", "query", "headers", "remote", "_body")

    def __init__(self, request, body: bytes) -> None:
        self.method = request.method
        self.path = request.path
        self.rel_url = request.rel_url            # yarl URLs are immutable: safe to keep
        self.query = request.rel_url.query
        self.headers = CIMultiDictProxy(CIMultiDict(request.headers))
        self.remote = request.remote
        self._body = body

    @property
    def body_exists(self) -> bool:
        return bool(self._body)

    async def read(self) -> bytes:
        return self._body


class Deferred:
    """The requests the venue still has to process, each a task sleeping until its time."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()

    def schedule(self, delay_ms: int, work, record=None) -> asyncio.Task:
        """Run ``work()`` (sync or async, returning the unheard answer) in ``delay_ms``;
        its answer and time go to ``record`` (a FaultRecord)."""
        task = asyncio.get_running_loop().create_task(self._run(delay_ms, work, record))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    @staticmethod
    async def _run(delay_ms: int, work, record) -> None:
        await asyncio.sleep(delay_ms / 1000)
        try:
            answer = work()
            if inspect.isawaitable(answer):
                answer = await answer
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug here must not kill the server
            log.exception("deferred processing failed")
            answer = None
        if record is not None:
            record.processed_ms = now_ms()
            record.unheard = answer

    async def wait(self, timeout: float | None = None) -> None:
        """Until every pending run is done (runs scheduled meanwhile included)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self.tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                raise asyncio.TimeoutError(f"{len(self.tasks)} deferred request(s) still pending")
            await asyncio.wait(set(self.tasks), timeout=left)

    async def cancel_all(self) -> None:
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
