"""One harness per order entry of the simulator, for the fault-model tests.

An :class:`Entry` places a resting limit buy with a given client order id through one
order entry (Binance spot REST or WS API, USD-M REST, Bybit REST or trade socket), with
a chosen recvWindow, and hands back the raw answer text (faults make it non-JSON); it
asks the venue whether an order with that client id exists and watches the account's
user-data stream for the order's events.  Plain aiohttp + hmac, like sim_fixtures.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from tests.support.sim_fixtures import KEY, SECRET, bybit_auth_args, hsign, now_ms, sim_and_session, ws_signed

__all__ = ["ENTRIES", "REST_ENTRIES", "WS_ENTRIES", "TARGETS", "Entry", "entry", "binance_rest_request",
           "bybit_headers", "bybit_order_args", "binance_order_params"]

PRICE, QTY = "49000", "0.01"          # rests below the 50000 market on every venue
TARGETS = {"spot": "POST api/v3/order", "usdm": "POST fapi/v1/order", "bybit": "POST v5/order/create",
           "spot-ws": "order.place", "bybit-ws": "order.create"}
VENUE = {"spot": "binance-spot", "usdm": "binance-usdm", "bybit": "bybit", "spot-ws": "binance-spot",
         "bybit-ws": "bybit"}
REST_ENTRIES = ("spot", "usdm", "bybit")
WS_ENTRIES = ("spot-ws", "bybit-ws")
ENTRIES = REST_ENTRIES + WS_ENTRIES
REST_PATH = {"spot": "/api/v3/order", "usdm": "/fapi/v1/order"}


def binance_order_params(cid: str, recv_window: int | None = None) -> dict:
    p = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": QTY,
         "price": PRICE, "newClientOrderId": cid, "timestamp": now_ms()}
    if recv_window is not None:
        p["recvWindow"] = recv_window
    return p


def bybit_order_args(cid: str) -> dict:
    return {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": QTY,
            "price": PRICE, "orderLinkId": cid}


def binance_rest_request(base: str, path: str, params: dict) -> tuple[URL, dict]:
    """A signed Binance request with every parameter in the query string."""
    q = urlencode(params)
    q += "&signature=" + hsign(SECRET, q)
    return URL(base + path + "?" + q, encoded=True), {"X-MBX-APIKEY": KEY}


def bybit_headers(payload: str, recv_window: str = "5000") -> dict:
    """Signed Bybit headers for ``payload`` (the JSON body of a POST, the query of a GET)."""
    ts = str(now_ms())
    return {"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": recv_window,
            "X-BAPI-SIGN": hsign(SECRET, ts + KEY + recv_window + payload), "Content-Type": "application/json"}


class Entry:
    """An order entry with the account's user-data stream open beside it."""

    def __init__(self, name: str, sim, session: aiohttp.ClientSession) -> None:
        self.name, self.sim, self.s = name, sim, session
        self.target = TARGETS[name]
        self.venue = VENUE[name]
        self.family = "bybit" if name.startswith("bybit") else ("usdm" if name == "usdm" else "spot")
        self.events: list[dict] = []      # order events of the stream: {"cid":..., "raw":...}
        self.ws = None                    # the order-entry socket (WS entries)
        self._stream = None
        self._reader = None
        self.last_status: int | None = None
        self.last_content_type = ""

    # -- set-up --------------------------------------------------------------------------------
    async def open(self) -> "Entry":
        await self._open_stream()
        if self.name in WS_ENTRIES:
            await self.reconnect()
        return self

    async def reconnect(self) -> None:
        """(Re)open the order-entry socket, e.g. after a ``drop`` closed it."""
        if self.name == "spot-ws":
            self.ws = await self.s.ws_connect(self.sim.ws_url + "/ws-api/v3")
        else:
            self.ws = await self.s.ws_connect(self.sim.ws_url + "/v5/trade")
            await self.ws.send_json({"op": "auth", "args": bybit_auth_args()})
            assert (await self.ws.receive_json())["retCode"] == 0

    async def _open_stream(self) -> None:
        sim, s = self.sim, self.s
        if self.family == "spot":
            ws = await s.ws_connect(sim.ws_url + "/ws-api/v3")
            await ws.send_json({"id": "sub", "method": "userDataStream.subscribe.signature", "params": ws_signed({})})
            assert (await ws.receive_json())["status"] == 200
        elif self.family == "usdm":
            async with s.post(sim.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": KEY}) as r:
                key = (await r.json())["listenKey"]
            ws = await s.ws_connect(sim.ws_url + "/ws/" + key)
        else:
            ws = await s.ws_connect(sim.ws_url + "/v5/private")
            await ws.send_json({"op": "auth", "args": bybit_auth_args()})
            assert (await ws.receive_json())["success"]
            await ws.send_json({"op": "subscribe", "args": ["order"]})
            assert (await ws.receive_json())["success"]
        self._stream = ws
        self._reader = asyncio.get_running_loop().create_task(self._read(ws))

    async def _read(self, ws) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            m = json.loads(msg.data)
            if self.family == "spot" and m.get("event", {}).get("e") == "executionReport":
                self.events.append({"cid": m["event"]["c"], "raw": m})
            elif self.family == "usdm" and m.get("e") == "ORDER_TRADE_UPDATE":
                self.events.append({"cid": m["o"]["c"], "raw": m})
            elif self.family == "bybit" and m.get("topic") == "order":
                for row in m["data"]:
                    self.events.append({"cid": row["orderLinkId"], "raw": m})

    async def close(self) -> None:
        for ws in (self.ws, self._stream):
            if ws is not None:
                await ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # -- orders --------------------------------------------------------------------------------
    async def place(self, cid: str, recv_window: int | None = None) -> str | None:
        """Place one order; the raw answer text, or None when the connection was closed."""
        if self.name in ("spot", "usdm"):
            url, headers = binance_rest_request(self.sim.url, REST_PATH[self.name],
                                                binance_order_params(cid, recv_window))
            return await self._post(url, headers)
        if self.name == "bybit":
            body = json.dumps(bybit_order_args(cid))
            return await self._post(self.sim.url + "/v5/order/create", bybit_headers(body, str(recv_window or 5000)),
                                    body)
        if self.name == "spot-ws":
            params = binance_order_params(cid, recv_window)
            await self.ws.send_json({"id": cid, "method": "order.place", "params": ws_signed(params)})
        else:
            await self.ws.send_json({"reqId": cid, "op": "order.create", "args": [bybit_order_args(cid)],
                                     "header": {"X-BAPI-TIMESTAMP": str(now_ms()),
                                                "X-BAPI-RECV-WINDOW": str(recv_window or 5000)}})
        msg = await asyncio.wait_for(self.ws.receive(), 5)
        if msg.type != aiohttp.WSMsgType.TEXT:
            return None
        return msg.data

    async def _post(self, url, headers, body=None) -> str | None:
        try:
            async with self.s.post(url, headers=headers, data=body) as r:
                self.last_status = r.status
                self.last_content_type = r.headers.get("Content-Type", "")
                return await r.text()
        except aiohttp.ClientError:
            self.last_status = None
            return None

    async def exists(self, cid: str) -> bool:
        """Whether the venue, asked by client order id, knows the order."""
        if self.family == "bybit":
            q = urlencode({"category": "linear", "orderLinkId": cid, "openOnly": "1"})
            async with self.s.get(self.sim.url + "/v5/order/realtime?" + q, headers=bybit_headers(q)) as r:
                return bool((await r.json())["result"]["list"])
        path = REST_PATH[self.family]
        url, headers = binance_rest_request(self.sim.url, path, {"symbol": "BTCUSDT", "origClientOrderId": cid,
                                                                 "timestamp": now_ms()})
        async with self.s.get(url, headers=headers) as r:
            body = await r.json()
            assert r.status == 200 or body["code"] == -2013, body
            return r.status == 200

    def count(self, cid: str) -> int:
        return self.sim.client_order_count(KEY, self.venue, cid)

    def cids_seen(self) -> list[str]:
        return [e["cid"] for e in self.events]

    async def wait_event(self, cid: str, timeout: float = 3.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while cid not in self.cids_seen():
            assert loop.time() < deadline, f"no stream event for {cid}: {self.cids_seen()}"
            await asyncio.sleep(0.01)


@asynccontextmanager
async def entry(name: str, **sim_kwargs):
    async with sim_and_session(**sim_kwargs) as (sim, s):
        e = await Entry(name, sim, s).open()
        try:
            yield e
        finally:
            await e.close()
