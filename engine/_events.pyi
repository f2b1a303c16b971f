from typing import Any, Callable

class Event:
    kind: Any                   # EventKind
    ts_ns: int
    order: Any                  # the order's view (order events), else None
    symbol: str | None
    def __init__(self, kind: Any, ts_ns: int, order: Any = None, symbol: str | None = None,
                 data: dict | None = None) -> None: ...
    @property
    def data(self) -> dict: ...
    @data.setter
    def data(self, value: dict) -> None: ...

class Only:
    callback: Callable[[Event], None]
    kinds: frozenset
    def __init__(self, callback: Callable[[Event], None], kinds: frozenset) -> None: ...
    def __call__(self, event: Event) -> None: ...

class BusCore:
    _callbacks: list
    _balance: list
    _streams: list
    _kinds: dict
    _every: int
    emitted: int
    def emit(self, kind: Any, *, order: Any = None, symbol: str | None = None, **data: Any) -> Event | None: ...
    def wants(self, kind: Any) -> bool: ...
    @property
    def active(self) -> bool: ...

class OrderEvents:
    def __init__(self, bus: BusCore, view_of: Callable[[int], Any], kind_of: list, accepted: Any) -> None: ...
    def __call__(self, slot: int, event: int, prev_state: int, fill_qty: int = 0, fill_price: int = 0) -> Any: ...
