"""Where TopstepX lives (shared/venues/topstepx-projectx.md section 1), its credential variables, the domains
that trade real funds and the paths on the simulator's port."""

from __future__ import annotations

from engine.venues.site import Endpoints, VenueSite

__all__ = ["SITES"]

SITES = {
    # No test host: Topstep's practice accounts trade on the production gateway (the sheet's section 1;
    # the gateway-*-demo.s2f.projectx.com hosts appear only in stale doc examples).  Its hubs are
    # /hubs/user (the stream) and /hubs/market beside it.
    "topstepx": VenueSite(
        networks={"mainnet": Endpoints("https://api.topstepx.com", None, "wss://rtc.topstepx.com/hubs/user")},
        # a user name and an API key (the key is the secret there)
        credentials=("TOPSTEPX_USERNAME", "TOPSTEPX_API_KEY"),
        # customTag: unique per account; length and characters unconfirmed (the sheet's section 4), so the
        # same conservative rule as Bybit's orderLinkId
        client_id_rule=("", 36, "A-Za-z0-9_-"),
        # TopstepX's gateway and hubs; projectx.com serves the ProjectX gateways of other firms
        mainnet_domains=("topstepx.com", "projectx.com"),
        local_stream="/hubs/user",
    ),
}
