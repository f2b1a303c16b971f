"""A bot that trades against engine.sim while the simulator injects faults, then checks the books.

Shared by the CI chaos test (tests/test_engine_chaos.py) and the long run in bench/.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

from engine._enums import OrderState
from engine.api import connect
from engine.config import VenueConfig
from engine.oms.breaker import CircuitBreaker, CircuitOpen
from engine.oms.risk import RiskRejected
from engine.sim import Limits, SimExchange
from engine.venues.errors import VenueError
from engine.transport.errors import TransportError
from engine.errors import EngineError

KEY, SECRET = "chaos-key", "chaos-secret-never-shown"
# Our entry price is a fixed-point weighted average rounded at the 8th decimal on every fill;
# the simulator keeps an exact rational.  Over a few thousand fills they may part by ~1e-7.
ENTRY_TOLERANCE = Decimal("0.000001")
MARKETS = {"binance-spot": "bspot", "binance-usdm": "busdm", "bybit": "ylinear"}
WALLETS = {"binance-spot": "binance-spot", "binance-usdm": "binance-usdm", "bybit": "bybit"}
PATHS = {"binance-spot": ("POST api/v3/order", "DELETE api/v3/order"),
         "binance-usdm": ("POST fapi/v1/order", "DELETE fapi/v1/order"),
         "bybit": ("POST v5/order/create", "POST v5/order/cancel")}
STREAMS = {"binance-spot": "stream.binance-spot", "binance-usdm": "stream.binance-usdm", "bybit": "stream.bybit"}


def chaos_faults(venue: str, rate: float = 1.0) -> list[str]:
    place, cancel = PATHS[venue]
    stream = STREAMS[venue]
    p = lambda x: f"p={x * rate:.4f}"
    faults = [f"{place}:after_process_drop:{p(0.03)}", f"{place}:before_process_drop:{p(0.03)}",
              f"{place}:http503:{p(0.02)}", f"{cancel}:http500:{p(0.02)}", f"{place}:latency:ms=30,{p(0.02)}",
              f"{stream}:stream_duplicate:{p(0.05)}", f"{stream}:stream_reorder:{p(0.05)}",
              f"{stream}:stream_drop:{p(0.004)}"]
    if venue == "binance-usdm":
        faults.append(f"{stream}:listenkey_expire:{p(0.002)}")
    return faults


async def run_chaos(venue: str, orders: int, *, seed: int = 7, workers: int = 8, rate: float = 1.0) -> dict:
    rng = random.Random(seed)
    limits = Limits()
    for name in ("spot_weight_1m", "usdm_weight_1m", "spot_orders_10s", "usdm_orders_10s"):
        if hasattr(limits, name):
            setattr(limits, name, 10**9)
    for name in ("spot_orders_1d", "usdm_orders_1m", "bybit_default_per_second", "bybit_ip_per_5s"):
        if hasattr(limits, name):
            setattr(limits, name, 10**9)
    from engine.sim.ratelimit import BYBIT_DEFAULTS
    limits.bybit_per_second = {endpoint: 10**9 for endpoint in BYBIT_DEFAULTS}
    balances = {"USDT": "10000000", "BTC": "100", "ETH": "1000"}
    intents: list[str] = []
    errors: dict[str, int] = {}
    async with SimExchange(seed=seed, accounts=[(KEY, SECRET)], balances=balances, faults=chaos_faults(venue, rate),
                           limits=limits) as sim:
        breaker = CircuitBreaker(consecutive_errors=1000, error_rate=None, cooldown_s=0.1)
        cfg = VenueConfig.local(venue, sim.url, KEY, SECRET, read_timeout=2.0)
        async with connect(cfg, breaker=breaker, ack_wait_s=1.0) as eng:
            for limiter in (eng.adapter.rest.limiter,):
                limiter.max_wait = 60.0
            remaining = [orders]

            async def worker(wid: int):
                while remaining[0] > 0:
                    remaining[0] -= 1
                    symbol = "BTCUSDT" if rng.random() < 0.5 else "ETHUSDT"
                    fair = sim.price(symbol)
                    side = "BUY" if rng.random() < 0.5 else "SELL"
                    qty = "0.01" if symbol == "BTCUSDT" else "0.1"
                    # around the fair price: some cross and fill, most rest and get cancelled
                    off = Decimal(rng.choice([-30, -20, -10, -5, 5, 10, 20])) / Decimal(10000)
                    px = (fair * (1 + (off if side == "SELL" else -off))).quantize(Decimal("0.1"))
                    try:
                        if rng.random() < 0.1:
                            o = await eng.place_market(symbol, side, qty)
                        else:
                            o = await eng.place_limit(symbol, side, qty, str(px))
                        intents.append(o.client_order_id)
                        if o.is_open and rng.random() < 0.8:
                            await asyncio.sleep(rng.random() * 0.01)
                            try:
                                await eng.cancel(o)
                            except (VenueError, TransportError, EngineError) as exc:
                                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    except (CircuitOpen, RiskRejected) as exc:
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                        remaining[0] += 1
                        await asyncio.sleep(0.05)
                    except VenueError as exc:  # rejected by the venue: the intent still had its one order attempt
                        errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                        if exc.args and hasattr(exc, "code"):
                            pass
                    if rng.random() < 0.05:
                        sim.step(1)

            await asyncio.gather(*(worker(i) for i in range(workers)))
            # let every unknown settle, then clean up without faults and compare the books
            sim.clear_faults()
            for _ in range(300):
                if not any(eng.store.state_of(s) == OrderState.UNKNOWN for s in eng.open_slots()):
                    break
                await asyncio.sleep(0.1)
            await eng.cancel_all()
            await eng.reconciler.run("final")
            await asyncio.sleep(0.3)
            return compare(sim, eng, venue, intents, errors)


def compare(sim, eng, venue: str, intents: list[str], errors: dict) -> dict:
    market, wallet = MARKETS[venue], WALLETS[venue]
    problems: list[str] = []
    by_client = sim.core.by_client
    fills_missing = 0
    for cid in intents:
        venue_orders = by_client.get((market, KEY, cid), [])
        if len(venue_orders) != 1:
            problems.append(f"{cid}: {len(venue_orders)} venue orders for one intent")
            continue
        vo = venue_orders[0]
        local = eng.get_order(cid)
        if local.filled != vo.filled:
            fills_missing += 1
            problems.append(f"{cid}: local filled {local.filled} != venue {vo.filled}")
        if local.is_open != vo.is_open:
            problems.append(f"{cid}: local {local.state.name} vs venue {vo.status}")
    ours = {k[2] for k in by_client if k[0] == market and k[1] == KEY}
    strays = ours - set(intents)
    if strays:
        problems.append(f"{len(strays)} venue orders no intent asked for: {sorted(strays)[:3]}")
    acct = sim.core.ledger.accounts[KEY]
    if eng.futures:
        for symbol in ("BTCUSDT", "ETHUSDT"):
            vp = acct.positions.get((wallet, symbol))
            size = vp.amount if vp else Decimal(0)
            local = eng.positions().get(symbol)
            lsize = local.size if local else Decimal(0)
            if lsize != size:
                problems.append(f"position {symbol}: local {lsize} != venue {size}")
            elif size and abs(local.entry_price - vp.entry) > ENTRY_TOLERANCE:
                problems.append(f"position {symbol}: entry {local.entry_price} != venue {vp.entry}")
    local_bal = eng.balances()
    for asset, bal in acct.wallets[wallet].items():
        if asset not in local_bal:
            continue
        if eng.futures:
            continue  # futures wallet balances move with PnL and fees: compared through positions and fills
        free, locked = local_bal[asset]
        if (free, locked) != (bal.free, bal.locked):
            problems.append(f"balance {asset}: local {free}/{locked} != venue {bal.free}/{bal.locked}")
    return {"intents": len(intents), "problems": problems, "fills_missing": fills_missing, "errors": errors,
            "stats": eng.stats(), "resent": eng.reconciler.resent, "adopted": eng.reconciler.adopted}
