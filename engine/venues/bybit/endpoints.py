"""Where Bybit V5 lives (shared/venues/bybit-v5.md section 1), its credential variables, the domains that
trade real funds and the paths on the simulator's port."""

from __future__ import annotations

from engine.venues.site import Endpoints, VenueSite

__all__ = ["SITES"]

SITES = {
    "bybit": VenueSite(
        networks={
            "mainnet": Endpoints("https://api.bybit.com", "wss://stream.bybit.com/v5/trade",
                                 "wss://stream.bybit.com/v5/private"),
            "testnet": Endpoints("https://api-testnet.bybit.com", "wss://stream-testnet.bybit.com/v5/trade",
                                 "wss://stream-testnet.bybit.com/v5/private"),
        },
        credentials=("BYBIT_API_KEY", "BYBIT_API_SECRET"),
        client_id_rule=("", 36, "A-Za-z0-9_-"),          # orderLinkId
        # api.bybit.com and api.bytick.com, then the regional sites of Bybit's integration
        # guide (.nl, -tr.com, .kz, bybitgeorgia.ge, .ae, .eu, .id; the sheet's ".tr" kept
        # as written there), Japan (manepa.jp, per the sheet) and Hong Kong (byhkbit.com, SDKs).
        mainnet_domains=("bybit.com", "bytick.com", "bybit.nl", "bybit-tr.com", "bybit.tr", "bybit.kz",
                         "bybitgeorgia.ge", "bybit.ae", "bybit.eu", "bybit.id", "manepa.jp", "byhkbit.com"),
        test_hosts=("api-testnet.bybit.com", "stream-testnet.bybit.com", "api-demo.bybit.com",
                    "stream-demo.bybit.com"),
        local_ws_api="/v5/trade", local_stream="/v5/private",
    ),
}
