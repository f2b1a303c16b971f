class OrderSpec:
    slot: int
    symbol: str
    client_id: str
    side: int
    order_type: int
    tif: int
    qty_raw: int
    price_raw: int
    stop_raw: int
    trailing_raw: int
    reduce_only: bool
    close_on_trigger: bool
    exchange_id: int | str | None
    sent_ms: int
    def __init__(self, slot: int, symbol: str, client_id: str, side: int, order_type: int, tif: int, qty_raw: int,
                 price_raw: int = ..., stop_raw: int = ..., trailing_raw: int = ..., reduce_only: bool = ...,
                 close_on_trigger: bool = ..., exchange_id: int | str | None = ..., sent_ms: int = ...) -> None: ...
