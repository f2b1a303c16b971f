from typing import Callable

from engine._ws_listener import FrameSink

class MarkedFrames(FrameSink):
    on_marked: Callable[[bytes], None]
    on_other: Callable[[bytes], None]
    marked: int
    others: int
    def __init__(self, mark: bytes, window: int, on_marked: Callable[[bytes], None],
                 on_other: Callable[[bytes], None]) -> None: ...
