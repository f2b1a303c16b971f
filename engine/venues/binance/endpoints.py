"""Where Binance spot and USD-M live (shared/venues/binance-spot.md and
binance-usdm-futures.md, section 1), their credential variables,
the domains that trade real funds and the paths on the simulator's port."""

from __future__ import annotations

from engine.venues.site import Endpoints, VenueSite

__all__ = ["SITES"]

# binance.com: api, api1-4, api-gcp, fapi, ws-api, ws-fapi, stream, fstream, fix-oe...
# binance.vision: data-api (mainnet market data) beside the Spot Testnet zone.
# binance.us: Binance.US, another exchange the engine does not target, but with real
# funds behind it: a key of it must never be used believing it is a testnet.
SITES = {
    "binance-spot": VenueSite(
        networks={
            "mainnet": Endpoints("https://api.binance.com", "wss://ws-api.binance.com:443/ws-api/v3",
                                 "wss://ws-api.binance.com:443/ws-api/v3"),
            "testnet": Endpoints("https://testnet.binance.vision", "wss://ws-api.testnet.binance.vision/ws-api/v3",
                                 "wss://ws-api.testnet.binance.vision/ws-api/v3"),
        },
        credentials=("BINANCE_API_KEY", "BINANCE_API_SECRET"),
        client_id_rule=("", 36, "A-Za-z0-9_-"),
        mainnet_domains=("binance.com", "binance.vision", "binance.us"),
        test_hosts=("testnet.binance.vision", ".testnet.binance.vision",  # api1., ws-api., stream., fix-oe.
                    "demo-api.binance.com", "demo-ws-api.binance.com", "demo-stream.binance.com"),
        local_ws_api="/ws-api/v3", local_stream="/ws-api/v3",
    ),
    "binance-usdm": VenueSite(
        networks={
            "mainnet": Endpoints("https://fapi.binance.com", "wss://ws-fapi.binance.com/ws-fapi/v1",
                                 "wss://fstream.binance.com/private"),
            "testnet": Endpoints("https://demo-fapi.binance.com", "wss://testnet.binancefuture.com/ws-fapi/v1",
                                 "wss://fstream.binancefuture.com/private"),
        },
        credentials=("BINANCE_USDM_API_KEY", "BINANCE_USDM_API_SECRET"),
        client_id_rule=("", 36, ".A-Z:/a-z0-9_-"),
        mainnet_domains=("binance.com", "binance.us"),
        test_hosts=("demo-fapi.binance.com",),  # testnet.binancefuture.com is outside every mainnet domain
        local_ws_api="/ws-fapi/v1", local_stream="/private",
    ),
}
