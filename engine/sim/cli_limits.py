"""The rate-limit options of ``python -m engine sim``: one per venue's limiter, each raising (or
lowering) what the simulator enforces, and the :class:`~engine.sim.ratelimit.Limits` they make."""

from __future__ import annotations

from engine.sim.ratelimit import BYBIT_DEFAULTS, Limits

__all__ = ["add_limit_options", "limits_from"]


def add_limit_options(p, positive_int) -> None:
    limits = Limits()
    bybit = sorted(set(BYBIT_DEFAULTS.values()))
    p.add_argument("--weight-limit", type=positive_int, default=None, metavar="N",
                   help="request weight per minute, both Binance venues (default: "
                        f"{limits.spot_weight_1m} spot, {limits.usdm_weight_1m} USD-M)")
    p.add_argument("--orders-10s", type=positive_int, default=None, metavar="N",
                   help="orders per 10 s per account, both Binance venues (default: "
                        f"{limits.spot_orders_10s} spot, {limits.usdm_orders_10s} USD-M)")
    p.add_argument("--bybit-per-second", type=positive_int, default=None, metavar="N",
                   help="Bybit requests per endpoint per rolling second, every endpoint (default: "
                        f"{' or '.join(map(str, bybit))} by endpoint, {limits.bybit_default_per_second} elsewhere)")
    p.add_argument("--gateio-per-second", type=positive_int, default=None, metavar="N", help="Gate.io places and "
                   f"amends per pair per second, REST and WebSocket together (default: {limits.gateio_place_per_second})")
    p.add_argument("--mexc-per-second", type=positive_int, default=None, metavar="N",
                   help="MEXC place + cancel requests per second per account, and ten times that per endpoint "
                        f"per 10 s (default: {limits.mexc_orders_per_s}, {limits.mexc_endpoint_per_10s})")
    p.add_argument("--topstepx-per-minute", type=positive_int, default=None, metavar="N",
                   help="TopstepX requests per login per rolling 60 s, every endpoint but History/retrieveBars "
                        f"(default: {limits.topstepx_per_minute})")


def limits_from(args) -> Limits:
    limits = Limits(gateio_place_per_second=args.gateio_per_second or Limits.gateio_place_per_second)
    if args.weight_limit:
        limits.spot_weight_1m = limits.usdm_weight_1m = args.weight_limit
    if args.orders_10s:
        limits.spot_orders_10s = limits.usdm_orders_10s = args.orders_10s
    if args.bybit_per_second:
        limits.bybit_default_per_second = args.bybit_per_second
        limits.bybit_per_second = {name: args.bybit_per_second for name in BYBIT_DEFAULTS}
    if args.mexc_per_second:
        limits.mexc_orders_per_s, limits.mexc_endpoint_per_10s = args.mexc_per_second, 10 * args.mexc_per_second
    if args.topstepx_per_minute:
        limits.topstepx_per_minute = args.topstepx_per_minute
    return limits
