"""Gate.io spot objects as the venue writes them (gateio-spot.md §4, §7, §8).

One order, three forms: the REST answer and the WebSocket order API's result (``create_time_ms``
and ``update_time_ms`` integers), and the ``spot.orders`` channel (those as strings, ``user`` an
integer, ``event`` put/update/finish, no ``status``).  Trades: ``/spot/my_trades`` rows (``id``
a string) and ``spot.usertrades`` items (``id`` and ``create_time`` integers, ``create_time_ms``
a string with a fractional part).  Every decimal is a string.

The outcome is ``status`` + ``finish_as`` + ``filled_amount``/``left``: a ``cancelled`` order may
be partly filled; IOC, FOK and post-only orders that could not do what they asked come back
``cancelled`` with ``finish_as`` ``ioc``/``fok``/``poc``.
"""

from __future__ import annotations

from engine.sim.core_types import MARKET_LIKE
from engine.sim.decimals import ZERO, plain
from engine.sim.matching import Order

__all__ = ["order_row", "trade_row", "status_of", "finish_of", "amount_of", "left_of"]

_FINISH = {"post_only": "poc", "fok": "fok", "ioc": "ioc", "no_liquidity": "ioc"}


def status_of(o: Order) -> str:
    if o.is_open:
        return "open"
    return "closed" if o.status == "FILLED" else "cancelled"


def finish_of(o: Order) -> str:
    if o.is_open:
        return "open"
    if o.status == "FILLED":
        return "filled"
    if o.status == "EXPIRED":
        return _FINISH.get(o.expiry_reason or "", "cancelled")
    return o.extra.get("gate_finish", "cancelled")


def amount_of(o: Order):
    """``amount`` as the order was placed: a market BUY's is what it spends, in the quote currency."""
    return o.quote_qty if o.quote_qty is not None else o.qty


def left_of(o: Order):
    if o.quote_qty is not None:                     # a market BUY: left in quote
        return ZERO if o.status == "FILLED" else max(ZERO, o.quote_qty - o.cum_quote)
    return o.qty - o.filled


def _sec(ms: int) -> str:
    return str(ms // 1000)


def order_row(o: Order, form: str = "rest", event: str | None = None) -> dict:
    """``form``: ``rest`` (REST and the order API's results) or ``channel`` (``spot.orders``, with ``event``)."""
    created, updated = o.created_ms or 0, o.updated_ms or o.created_ms or 0
    base, quote = o.symbol.split("_")
    row = {
        "id": str(o.oid), "text": o.client_id or "apiv4", "amend_text": o.extra.get("amend_text", "-"),
        "create_time": _sec(created), "update_time": _sec(updated),
        "create_time_ms": created if form == "rest" else str(created),
        "update_time_ms": updated if form == "rest" else str(updated),
        "currency_pair": o.symbol, "type": "market" if o.type in MARKET_LIKE else "limit", "account": "spot",
        "side": o.side.lower(), "amount": plain(amount_of(o)), "price": plain(o.price),
        "time_in_force": o.extra.get("gate_tif", "gtc"), "iceberg": "0", "left": plain(left_of(o)),
        "filled_amount": plain(o.filled), "fill_price": plain(o.cum_quote), "filled_total": plain(o.cum_quote),
        "avg_deal_price": plain(o.avg_price) if o.filled else "0", "fee": plain(o.commission),
        "fee_currency": o.commission_asset or (base if o.side == "BUY" else quote), "point_fee": "0",
        "gt_fee": "0", "gt_maker_fee": "0", "gt_taker_fee": "0", "gt_discount": False, "rebated_fee": "0",
        "rebated_fee_currency": quote if o.side == "BUY" else base, "stp_id": 0, "stp_act": "-",
        "finish_as": finish_of(o),
    }
    if form == "rest":
        row["status"] = status_of(o)
    else:
        del row["fill_price"], row["iceberg"], row["gt_maker_fee"], row["gt_taker_fee"]
        row.update({"user": o.account.uid, "event": event or "update", "biz_info": "-"})
    return row


def trade_row(o: Order, fill, fee, asset: str, maker: bool, form: str = "rest", ts_ms: int = 0) -> dict:
    """One fill of ``o``: ``rest`` (``/spot/my_trades``) or ``channel`` (``spot.usertrades``)."""
    ts_ms = ts_ms or o.last_exec_ms or o.updated_ms or 0
    row = {
        "id": str(fill.trade_id) if form == "rest" else fill.trade_id,
        "create_time": _sec(ts_ms) if form == "rest" else ts_ms // 1000,
        "create_time_ms": f"{ts_ms}.000", "currency_pair": o.symbol, "side": o.side.lower(),
        "role": "maker" if maker else "taker", "amount": plain(fill.qty), "price": plain(fill.price),
        "order_id": str(o.oid), "fee": plain(fee), "fee_currency": asset or "", "point_fee": "0", "gt_fee": "0",
        "amend_text": o.extra.get("amend_text", "-"), "text": o.client_id or "apiv4",
    }
    if form == "rest":
        row["sequence_id"] = str(fill.trade_id)
    else:
        row.update({"user_id": o.account.uid, "biz_info": "-", "id_market": fill.trade_id})
    return row
