from typing import Any, Callable

class FrameSink:
    """A compiled frame handler (subclasses override ``on_frame`` in C)."""
    def feed(self, payload: bytes, is_text: bool = ...) -> None: ...

class FrameListener:
    messages: int
    handler_errors: int
    def __init__(self, owner: Any, on_message: Callable[[bytes, bool], None] | None = ...,
                 sink: FrameSink | None = ...) -> None: ...
