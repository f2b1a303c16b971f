"""The MEXC personality's own loopback port (its ``/api/v3`` paths collide with Binance's): the REST
routes, each run through the fault frame (:func:`engine.sim.frames.serve_rest`) and the venue's
checks (:func:`.rest.rest_handler`), and the user-data stream at ``/ws``.
``build_app(sim)`` is declared by the personality (``reg.own_port``).
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.frames import serve_rest
from engine.sim.mexc import account, market_data, orders, user_stream, wallet
from engine.sim.mexc.rest import Route, rest_handler
from engine.sim.mexc.state import state_of

__all__ = ["build_app", "ROUTES"]

_P = "/api/v3"
ROUTES = {
    ("GET", f"{_P}/ping"): Route(market_data.ping, signed=False),
    ("GET", f"{_P}/time"): Route(market_data.server_time, signed=False),
    ("GET", f"{_P}/exchangeInfo"): Route(market_data.exchange_info, signed=False),
    ("GET", f"{_P}/defaultSymbols"): Route(market_data.default_symbols, signed=False),
    ("GET", f"{_P}/depth"): Route(market_data.depth, signed=False),
    ("GET", f"{_P}/ticker/price"): Route(market_data.ticker_price, signed=False),
    ("GET", f"{_P}/ticker/24hr"): Route(market_data.ticker_24hr, signed=False),
    ("GET", f"{_P}/ticker/bookTicker"): Route(market_data.book_ticker, signed=False),
    ("GET", f"{_P}/klines"): Route(market_data.klines, signed=False),
    ("GET", "/api/v1/contract/detail"): Route(market_data.contract_detail, signed=False),
    ("POST", f"{_P}/order"): Route(orders.new_order, order=True),
    ("POST", f"{_P}/order/test"): Route(orders.test_order),
    ("POST", f"{_P}/batchOrders"): Route(orders.batch_orders, batch=True),
    ("DELETE", f"{_P}/order"): Route(orders.cancel_order, order=True),
    ("DELETE", f"{_P}/openOrders"): Route(orders.cancel_all, order=True),
    ("GET", f"{_P}/order"): Route(orders.query_order),
    ("GET", f"{_P}/openOrders"): Route(orders.open_orders),
    ("GET", f"{_P}/allOrders"): Route(orders.all_orders),
    ("GET", f"{_P}/myTrades"): Route(orders.my_trades),
    ("GET", f"{_P}/account"): Route(account.account),
    ("GET", f"{_P}/selfSymbols"): Route(account.self_symbols),
    ("GET", f"{_P}/capital/config/getall"): Route(account.coin_config),
    ("POST", f"{_P}/userDataStream"): Route(account.listen_key_create),
    ("GET", f"{_P}/userDataStream"): Route(account.listen_key_list),
    ("PUT", f"{_P}/userDataStream"): Route(account.listen_key_keepalive),
    ("DELETE", f"{_P}/userDataStream"): Route(account.listen_key_close),
    **wallet.ROUTES,                # withdrawals (engine.sim.mexc.wallet)
}
_SIM = web.AppKey("mexc_sim", object)


async def _dispatch(request: web.Request) -> web.StreamResponse:
    sim = request.app[_SIM]
    if request.path == "/ws":
        return await user_stream.serve(sim, request)
    if request.path.startswith("/api/v3/capital/withdraw"):
        sim.withdrawals.heard("mexc", request.method, request.path)
    return await serve_rest(sim, request, state_of(sim).answers,
                            lambda req: rest_handler(sim, req, ROUTES, req.path))


def build_app(sim) -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app[_SIM] = sim
    app.router.add_route("*", "/{tail:.*}", _dispatch)
    return app
