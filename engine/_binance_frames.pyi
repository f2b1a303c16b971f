from asyncio import Future
from typing import Callable

from engine._ws_listener import FrameSink

class BinanceFrames(FrameSink):
    on_event: Callable[[bytes], None] | None
    events: int
    settled: int
    def __init__(self, pending: dict[int, Future[bytes]], other: Callable[[bytes, bool], None],
                 on_event: Callable[[bytes], None] | None = ...) -> None: ...
