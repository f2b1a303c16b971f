from asyncio import Future
from typing import Any, Callable

from engine._codec_gateio import GateOrderEncoder
from engine._ws_listener import FrameSink

class GateAnswers(FrameSink):
    acks: int
    settled: int
    seq: int
    def __init__(self, pending: dict[bytes, Future[bytes]], other: Callable[[bytes], None]) -> None: ...
    def bind(self, encoder: GateOrderEncoder, ws: Any, inflight: Any, prefix: bytes) -> None: ...
    def write(self, channel: bytes, ts_ms: int, exptime_ms: int, what: Any, timeout: float) -> Future[bytes]: ...
