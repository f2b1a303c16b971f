"""Binance spot personality: the ``/api/v3`` route table (handler, security type, weight).

The handlers live by idea: public market data in :mod:`engine.sim.binance.spot_market_data`,
orders in :mod:`engine.sim.binance.spot_orders` (their JSON in
:mod:`engine.sim.binance.spot_shapes`), order lists in :mod:`engine.sim.binance.order_lists`,
the account in :mod:`engine.sim.binance.spot_account`; the user-data payloads in
:mod:`engine.sim.binance.spot_events`.  The same handlers serve the WebSocket API
(``order.place`` is ``POST /api/v3/order``): see :mod:`engine.sim.binance.ws_api`.
"""

from __future__ import annotations

from engine.sim.binance import order_lists
from engine.sim.binance.public_trades import spot_agg_trades, spot_trades
from engine.sim.binance.rest import Route
from engine.sim.binance.spot_account import account_info, my_trades, rate_limit_order
from engine.sim.binance.spot_market_data import depth, exchange_info, ping, server_time, ticker_price
from engine.sim.binance.fees import spot_commission
from engine.sim.binance.klines import spot_klines
from engine.sim.binance.tickers import spot_24hr, spot_book_ticker
from engine.sim.binance.spot_orders import (all_orders, amend_keep_priority, cancel_all, cancel_order, cancel_replace,
                                            new_order, open_orders, query_order, test_order)

__all__ = ["ROUTES"]

ROUTES = {
    ("GET", "/api/v3/ping"): Route(ping, "NONE", 1),
    ("GET", "/api/v3/time"): Route(server_time, "NONE", 1),
    ("GET", "/api/v3/exchangeInfo"): Route(exchange_info, "NONE", 20),
    ("GET", "/api/v3/depth"): Route(depth, "NONE", 5),
    ("GET", "/api/v3/ticker/price"): Route(ticker_price, "NONE", 2),
    ("GET", "/api/v3/ticker/24hr"): Route(spot_24hr, "NONE", 2),
    ("GET", "/api/v3/klines"): Route(spot_klines, "NONE", 2),
    ("GET", "/api/v3/trades"): Route(spot_trades, "NONE", 25),
    ("GET", "/api/v3/aggTrades"): Route(spot_agg_trades, "NONE", 4),
    ("GET", "/api/v3/ticker/bookTicker"): Route(spot_book_ticker, "NONE", 2),
    ("POST", "/api/v3/order"): Route(new_order, "SIGNED", 1, is_order=True),
    ("POST", "/api/v3/order/test"): Route(test_order, "SIGNED", 1),
    ("DELETE", "/api/v3/order"): Route(cancel_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/api/v3/openOrders"): Route(cancel_all, "SIGNED", 1, is_order=True),
    ("POST", "/api/v3/order/cancelReplace"): Route(cancel_replace, "SIGNED", 1, is_order=True),
    ("PUT", "/api/v3/order/amend/keepPriority"): Route(amend_keep_priority, "SIGNED", 4),
    ("GET", "/api/v3/order"): Route(query_order, "SIGNED", 4),
    ("GET", "/api/v3/openOrders"): Route(open_orders, "SIGNED", 6),
    ("GET", "/api/v3/allOrders"): Route(all_orders, "SIGNED", 20),
    ("GET", "/api/v3/myTrades"): Route(my_trades, "SIGNED", 20),
    ("GET", "/api/v3/account"): Route(account_info, "SIGNED", 20),
    ("GET", "/api/v3/account/commission"): Route(spot_commission, "SIGNED", 20),
    ("GET", "/api/v3/rateLimit/order"): Route(rate_limit_order, "SIGNED", 40),
    ("POST", "/api/v3/orderList/otoco"): Route(order_lists.place_otoco, "SIGNED", 1, is_order=True),
    ("DELETE", "/api/v3/orderList"): Route(order_lists.cancel_list_route, "SIGNED", 1, is_order=True),
    ("GET", "/api/v3/orderList"): Route(order_lists.query_list, "SIGNED", 4),
    ("GET", "/api/v3/openOrderList"): Route(order_lists.open_lists, "SIGNED", 6),
}
