"""A bot written with project-x-py (the stock ProjectX client), run by tests/sim/test_stock_project_x_py.py in a
Python 3.12+ interpreter: ``python project_x_py_client.py BASE_URL USER API_KEY``.

Its configuration names the simulator's REST and hub URLs and nothing else; it authenticates, lists the
accounts, searches and resolves MNQ, places a limit buy, modifies its price, cancels it, buys two contracts
at market and reads the open positions, printing what it saw as one JSON line.
"""

import asyncio
import json
import sys

from project_x_py import ProjectX
from project_x_py.event_bus import EventBus
from project_x_py.models import ProjectXConfig
from project_x_py.order_manager import OrderManager


async def main(url: str, user: str, key: str) -> None:
    config = ProjectXConfig(api_url=url + "/api", user_hub_url=url + "/hubs/user",
                            market_hub_url=url + "/hubs/market")
    seen: dict = {}
    async with ProjectX(user, key, config=config) as client:
        await client.authenticate()
        seen["accounts"] = [a.id for a in await client.list_accounts()]
        seen["search"] = [i.id for i in await client.search_instruments("MNQ")]
        instrument = await client.get_instrument("MNQ")
        seen["instrument"] = {"id": instrument.id, "tickSize": instrument.tickSize,
                              "tickValue": instrument.tickValue}
        orders = OrderManager(client, EventBus())
        bid = await orders.place_limit_order(instrument.id, 0, 1, 20000.0)
        seen["limit"] = bid.orderId
        seen["modified"] = await orders.modify_order(bid.orderId, limit_price=20000.25)
        seen["cancelled"] = await orders.cancel_order(bid.orderId)
        seen["market"] = (await orders.place_market_order(instrument.id, 0, 2)).orderId
        seen["positions"] = [[p.contractId, p.type, p.size] for p in await client.search_open_positions()]
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
