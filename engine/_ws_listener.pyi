from typing import Any, Callable

class FrameSink:
    """A compiled frame handler (subclasses override ``on_frame`` in C)."""

class FrameListener:
    messages: int
    handler_errors: int
    def __init__(self, owner: Any, on_message: Callable[[bytes, bool], None] | None = ...,
                 sink: FrameSink | None = ...) -> None: ...
