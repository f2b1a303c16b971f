from typing import Any, Callable

class RecordLoop:
    settled: int
    handed: int
    cancelled: int
    def __init__(self, parser: Any, applier: Any, store: Any, counts: Any, open_set: dict[int, int],
                 dormant: set[int], waiters: dict[int, list[Any]], brackets: dict[int, Any], callbacks: list[Any],
                 streams: list[Any], wire_to_event: Any, on_other: Callable[[bytes], None],
                 on_record: Callable[[bytes, int], None], on_bad: Callable[[bytes, Exception], None],
                 on_event: Callable[[int, int, int], None] | None = ...) -> None: ...
    def start(self, applier: Any) -> None: ...
    def run(self, payload: bytes) -> None: ...
    def answer(self, parser: Any) -> int: ...
