"""Where Gate.io APIv4 spot lives (shared/venues/gateio-spot.md section 1: mainnet only for spot), its
credential variables, the domains that trade real funds and the paths on the simulator's port."""

from __future__ import annotations

from engine.venues.site import Endpoints, VenueSite

__all__ = ["SITES"]

SITES = {
    "gateio": VenueSite(
        networks={"mainnet": Endpoints("https://api.gateio.ws/api/v4", "wss://api.gateio.ws/ws/v4/",
                                       "wss://api.gateio.ws/ws/v4/")},
        credentials=("GATEIO_API_KEY", "GATEIO_API_SECRET"),
        client_id_rule=("t-", 30, "0-9A-Za-z_.-"),       # text: t- and at most 28 more
        mainnet_domains=("gateio.ws", "gate.io", "gate.com"),
        test_hosts=("fx-api-testnet.gateio.ws", "fx-ws-testnet.gateio.ws", "ws-testnet.gate.com"),
        # the REST API lives under /api/v4, on the venue as on the simulator's port
        local_rest="/api/v4", local_ws_api="/ws/v4", local_stream="/ws/v4",
    ),
}
