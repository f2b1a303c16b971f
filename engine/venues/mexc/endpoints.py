"""Where MEXC spot V3 lives (shared/venues/mexc-spot.md section 1: mainnet only), its credential
variables, the domains that trade real funds and the paths on the simulator's port."""

from __future__ import annotations

from engine.venues.site import Endpoints, VenueSite

__all__ = ["SITES"]

SITES = {
    "mexc": VenueSite(
        networks={"mainnet": Endpoints("https://api.mexc.com", None, "wss://wbs-api.mexc.com/ws")},
        credentials=("MEXC_API_KEY", "MEXC_API_SECRET"),
        # limits unconfirmed in the sheet, which advises staying within 32 of [A-Za-z0-9_-]
        client_id_rule=("", 32, "A-Za-z0-9_-"),
        mainnet_domains=("mexc.com", "mexc.co"),
        local_stream="/ws",
    ),
}
