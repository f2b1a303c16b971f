from asyncio import Future
from typing import Callable

from engine._ws_listener import FrameSink

class GateAnswers(FrameSink):
    acks: int
    settled: int
    def __init__(self, pending: dict[bytes, Future[bytes]], other: Callable[[bytes], None]) -> None: ...
    def feed(self, payload: bytes) -> None: ...
