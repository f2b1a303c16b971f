"""A bot that trades against engine.sim while the simulator lies, then pulls the kill switch and checks the books.

Shared by the CI chaos test (tests/oms/test_engine_chaos.py) and the long run (bench/chaos_long.py).

The faults are the ones that break exactly-once engines: the venue processes an order and
then answers with an error or garbage, answers first and processes later (inside the
recvWindow), answers a 1xx interim response before the real one, drops the connection
before or after processing; cancels fail or are answered unknown; stream events are
duplicated, reordered, delayed, lost, or the stream drops; amendments are answered with an
error after processing, answered first and processed later, or fail.  Workers place limit
orders around the market (some cross), market orders, IOC and post-only orders, amend some
of those that rest (a price a tick or two away, which may cross, or twice the quantity), and
cancel most of them at once (cancels race fills).  After ``orders`` placements, at a random point,
the kill switch is pulled mid-flight.  Then:

- every intent has at most one venue order, and every venue order is an intent of ours;
- an intent with no venue order is NOT_PLACED or REJECTED locally, never open or filled;
- the engine's state and fills of every order equal the venue's;
- positions (futures) and balances equal the venue's;
- the venue has no open order, and the kill switch reported flat.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

from engine._enums import OrderState
from engine.api import connect
from engine.config import VenueConfig
from engine.oms.admission import EngineHalted
from engine.oms.breaker import CircuitBreaker, CircuitOpen
from engine.oms.events import EventKind
from engine.oms.risk import RiskRejected
from engine.sim import Limits, SimExchange
from engine.venues.errors import VenueError
from engine.transport.errors import TransportError
from engine.errors import EngineError
from engine.venues.base import Capability
from tests.support.chaos_venues import CHAOS_VENUES

KEY, SECRET = "chaos-key", "chaos-secret-never-shown"
# Our entry price is a fixed-point weighted average rounded at the 8th decimal on every fill;
# the simulator keeps an exact rational.  Over a few thousand fills they may part by ~1e-7.
ENTRY_TOLERANCE = Decimal("0.000001")
RECV_WINDOW_MS = 1000
INSTEAD = {"ioc": "market", "post_only": "limit"}     # on a venue without them: trade at once, or rest


def chaos_faults(venue: str, entry: str = "rest", rate: float = 1.0) -> list[str]:
    decl = CHAOS_VENUES[venue]
    place, cancel = decl.ws if entry == "ws" else decl.rest
    stream = decl.stream
    p = lambda x: f"p={min(1.0, x * rate):.4f}"
    faults = [
        f"{place}:unknown:process=first,{p(0.02)}",                         # processed, then an error
        f"{place}:unknown:process=later,delay_ms=400,{p(0.02)}",            # answered first, processed later
        f"{place}:http503:{p(0.01)}",                                       # failed, never processed
        f"{place}:garbage:process=first,{p(0.01)}",
        # (a dropped WebSocket takes order entry and, on spot, the user-data stream down for its reconnect:
        # orders meanwhile go over REST, so drops there are rarer to keep the socket path the busy one)
        f"{place}:drop:process=first,{p(0.01 if entry == 'rest' else 0.001)}",
        f"{place}:drop:process=never,{p(0.01 if entry == 'rest' else 0.001)}",
        f"{place}:latency:ms=30,{p(0.02)}",
        f"{stream}:stream_duplicate:{p(0.03)}", f"{stream}:stream_reorder:{p(0.03)}",
        f"{stream}:stream_delay:ms=50,{p(0.02)}", f"{stream}:stream_lose:{p(0.01)}",
        f"{stream}:stream_drop:{p(0.002 if entry == 'rest' else 0.0005)}",
    ]
    if cancel is not None:
        faults += [f"{cancel}:http500:{p(0.02)}", f"{cancel}:unknown:process=first,{p(0.02)}"]
    if decl.kill_cancel is not None:
        faults.append(f"{decl.kill_cancel}:http500:{p(0.2)}")
    if entry == "rest":
        faults.append(f"{place}:interim:code=100,{p(0.01)}")
    faults += [f"{target}:{p(prob)}" for target, prob in decl.extra]
    for amend in decl.amend[entry == "ws"]:   # an amendment's answer lost: processed then an error, answered
        faults += [f"{amend}:unknown:process=first,{p(0.03)}", f"{amend}:unknown:process=later,delay_ms=300,{p(0.03)}",
                   f"{amend}:http503:{p(0.02)}"]
    if decl.pin_rare:       # a run of a few hundred orders may draw none of these: one each, at a fixed request
        # (early: a dropped order socket sends orders over REST until it is back, which may outlast the run)
        faults += [f"{place}:unknown:process=first,nth=19", f"{place}:unknown:process=later,delay_ms=400,nth=37",
                   f"{place}:http503:nth=53", f"{place}:garbage:process=first,nth=71",
                   f"{place}:drop:process=never,nth=89", f"{place}:drop:process=first,nth=93",
                   f"{stream}:stream_drop:nth=127"]
        if entry == "rest":
            faults.append(f"{place}:interim:code=100,nth=61")
    return faults


def unlimited() -> Limits:
    """The simulator's limits, every one lifted (the chaos is in the faults, not in the pace)."""
    limits = Limits()
    for name, default in vars(limits).items():
        if isinstance(default, int) and name not in ("ban_after", "ban_seconds"):
            setattr(limits, name, 10**9)
    from engine.sim.bybit.limits import BYBIT_DEFAULTS
    limits.bybit_per_second = {endpoint: 10**9 for endpoint in BYBIT_DEFAULTS}
    return limits


def lift_client_limits(eng, decl) -> None:
    """The engine's own limiter lifted likewise (its windows are the venue's real figures), waits bounded."""
    limiter = eng.adapter.rest.limiter
    limiter.max_wait = 60.0
    limits = getattr(eng.adapter.rest, "limits", None)
    if hasattr(limits, "place"):                         # per-symbol windows made on first use
        for s in decl.symbols:
            limits.place(s.at_venue)
    for w in (*limiter.weight, *limiter.orders, *limiter.endpoints.values()):
        w.limit = 10**9
    limiter.set_windows(limiter.weight, limiter.orders)     # (forgets the costs' plans made on the old figures)


async def run_chaos(venue: str, orders: int, *, entry: str = "rest", seed: int = 7, workers: int = 8,
                    rate: float = 1.0, capacity: int = 65_536, retention_s: float = 300.0,
                    busy_poll: bool = False) -> dict:
    decl = CHAOS_VENUES[venue]
    rng = random.Random(seed)
    tags = random.Random(seed + 1)      # which orders carry a tag, on its own draws (orders and faults as seeded)
    amends = random.Random(seed + 2)    # which resting orders are amended, and how: on its own draws too
    submits = random.Random(seed + 3)   # which plain limit orders are submitted (no await; told by events)
    amended = {"sent": 0, "done": 0, "refused": 0}
    balances = {"USDT": "100000000", "BTC": "1000", "ETH": "10000"}
    errors: dict[str, int] = {}
    halt_after = orders + rng.randrange(0, max(1, orders // 10))
    async with SimExchange(seed=seed, accounts=[(KEY, SECRET)], balances=balances,
                           faults=chaos_faults(venue, entry, rate), limits=unlimited()) as sim:
        if decl.lift is not None:
            decl.lift(sim)
        breaker = CircuitBreaker(consecutive_errors=10**6, error_rate=None, cooldown_s=0.1)
        cfg = VenueConfig.local(venue, sim.urls[venue], KEY, SECRET, read_timeout=2.0, recv_window_ms=RECV_WINDOW_MS)
        async with connect(cfg, order_entry=entry, breaker=breaker, ack_wait_s=1.0, capacity=capacity,
                           retention_s=retention_s, busy_poll=busy_poll) as eng:
            lift_client_limits(eng, decl)
            warmed = [0]
            if busy_poll:                   # each turn of the spin warms the last order's path: counted
                warm = eng.busy_poll._warm

                def counted():
                    warmed[0] += warm() is True
                eng.busy_poll._warm = counted
            placed = [0]
            caps = eng.adapter.capabilities
            can_amend = bool(decl.amend[entry == "ws"]) and (
                Capability.AMEND_IN_PLACE in caps or Capability.CANCEL_REPLACE in caps)
            halted = asyncio.Event()
            # submitted orders: their outcome told by events (a bot subscribed to its orders' outcomes); every
            # kind each one was told, to hold the events to the store's last word at the end
            told: dict[str, set] = {}
            outcome: dict[str, asyncio.Future] = {}
            ends = {EventKind.ACCEPTED, EventKind.REJECTED, EventKind.UNKNOWN, EventKind.NOT_PLACED,
                    EventKind.FILLED, EventKind.CANCELLED, EventKind.EXPIRED}

            def on_outcome(ev):
                cid = ev.order.client_order_id if ev.order is not None else None
                if cid in told:
                    told[cid].add(ev.kind)
                    fut = outcome.pop(cid, None) if ev.kind in ends else None
                    if fut is not None and not fut.done():
                        fut.set_result(ev.kind)
            eng.on(on_outcome, kinds=ends | {EventKind.PARTIALLY_FILLED, EventKind.RESOLVED})

            def count(exc):
                name = type(exc).__name__ + (f":{exc.rule}" if isinstance(exc, RiskRejected) else "")
                errors[name] = errors.get(name, 0) + 1

            async def one(sym):
                symbol, qty, tick = sym.symbol, sym.qty, Decimal(sym.tick)
                fair = sim.price(sym.series)
                side = "BUY" if rng.random() < 0.5 else "SELL"
                off = Decimal(rng.choice([-30, -20, -10, -5, 5, 10, 20])) / Decimal(10000)
                px = str((fair * (1 + (off if side == "SELL" else -off)) / tick).quantize(Decimal(1)) * tick)
                draw = rng.random()
                kind = "market" if draw < 0.1 else "ioc" if draw < 0.2 else "post_only" if draw < 0.3 else "limit"
                kind = kind if kind in decl.kinds else INSTEAD[kind]
                tag = "cx" if tags.random() < 0.25 else None    # a tagged order: the full admission, then the
                if kind == "market":                            # same compiled write (OrderEntry.place_spec)
                    o = await eng.place_market(symbol, side, qty, client_tag=tag)
                elif kind == "ioc":
                    o = await eng.place_limit(symbol, side, qty, px, tif="IOC", client_tag=tag)
                elif kind == "post_only":
                    o = await eng.place_limit(symbol, side, qty, px, post_only=True, client_tag=tag)
                elif tag is None and submits.random() < 0.3:
                    o = await submitted(symbol, side, qty, px)
                else:
                    o = await eng.place_limit(symbol, side, qty, px, client_tag=tag)
                if (can_amend and kind in ("limit", "post_only") and o.state in (OrderState.NEW,
                                                                                 OrderState.PARTIALLY_FILLED)
                        and amends.random() < 0.2):
                    o = await amend(o, sym, tick)
                if o.is_open and rng.random() < 0.8:
                    await asyncio.sleep(rng.random() * 0.005)           # cancels race fills
                    try:
                        await eng.cancel(o)
                    except (VenueError, TransportError, EngineError) as exc:
                        count(exc)

            async def submitted(symbol, side, qty, px):
                """``submit_limit``, its first outcome awaited through the events (bounded: an order still
                PENDING when the wait ends goes on as the store has it)."""
                fut = asyncio.get_running_loop().create_future()
                cid = eng.submit_limit(symbol, side, qty, px)
                told[cid] = set()
                outcome[cid] = fut
                if eng.get_order(cid).state != OrderState.PENDING:     # (told before the future was filed)
                    outcome.pop(cid, None)
                else:
                    try:
                        await asyncio.wait_for(fut, 3.0)
                    except asyncio.TimeoutError:
                        outcome.pop(cid, None)
                return eng.get_order(cid)

            async def amend(o, sym, tick):
                """The order moved a tick or two (it may cross), or its quantity doubled or halved (where the venue
                lowers it in place, kept in the queue): the amended order, or ``o`` when the amendment raised
                (refused, or its outcome unknown: the stream says)."""
                amended["sent"] += 1
                draw, half = amends.random(), Decimal(sym.qty) / 2
                how = "moved" if draw < 0.6 else "lowered" if draw < 0.8 and o.filled < half else "grown"
                try:
                    if how == "moved":
                        new = await eng.amend(o, price=str(o.price + amends.choice([-2, -1, 1, 2]) * tick))
                    elif how == "lowered":
                        new = await eng.amend(o, qty=str(half))
                    else:
                        new = await eng.amend(o, qty=str(Decimal(sym.qty) * 2))
                except (VenueError, TransportError, EngineError) as exc:
                    amended["refused"] += 1
                    why = amended.setdefault("why", {})
                    why[type(exc).__name__] = why.get(type(exc).__name__, 0) + 1
                    count(exc)
                    return o
                amended["done"] += 1
                amended[how] = amended.get(how, 0) + 1
                return new

            async def worker():
                while not halted.is_set():
                    if placed[0] >= halt_after:
                        return
                    placed[0] += 1
                    sym = decl.symbols[0] if rng.random() < 0.5 else decl.symbols[1]
                    try:
                        await one(sym)
                    except EngineHalted:
                        return
                    except RiskRejected as exc:
                        count(exc)
                        if exc.rule.startswith("max_open_orders"):     # resting orders piled up: clear them
                            try:
                                await eng.cancel_all(sym.symbol)
                            except (VenueError, TransportError, EngineError) as exc2:
                                count(exc2)
                    except CircuitOpen as exc:
                        count(exc)
                        await asyncio.sleep(0.05)
                    except (VenueError, TransportError) as exc:      # a documented refusal, or nothing sent
                        count(exc)
                    if rng.random() < 0.05:
                        sim.step(1)

            async def kill_switch():
                while placed[0] < halt_after and not all(r.done() for r in runs):   # (a worker that failed:
                    await asyncio.sleep(0.005)                                      # gather raises it below)
                halted.set()
                return await eng.halt("chaos")            # with orders still in flight

            runs = [asyncio.ensure_future(worker()) for _ in range(workers)]
            report = await kill_switch()
            await asyncio.gather(*runs)
            # the books are compared once the simulator has nothing left in flight (postponed requests,
            # delayed stream events) and after one more reconciliation
            sim.clear_faults()
            # an order written before the halt whose answer was lost after it is concluded by asking the
            # venue (never re-sent): bounded wait for the engine to say what became of it
            end = asyncio.get_running_loop().time() + 15.0
            while eng.tracker.slots_in(OrderState.UNKNOWN) and asyncio.get_running_loop().time() < end:
                await asyncio.sleep(0.1)
            await sim.settle_later()
            await asyncio.sleep(0.3)
            await eng.reconciler.run("final")
            await asyncio.sleep(0.2)
            result = compare(sim, eng, venue)
            result["submitted"] = len(told)
            for cid, kinds in told.items():
                last = eng.get_order(cid).state
                if last.name in ("FILLED", "CANCELLED", "EXPIRED", "REJECTED", "NOT_PLACED") and \
                        EventKind(last.name.lower()) not in kinds and not (
                            last == OrderState.REJECTED and EventKind.REJECTED in kinds):
                    result["problems"].append(f"{cid}: submitted, ended {last.name}, never told so (told "
                                              f"{sorted(k.value for k in kinds)})")
            fired: dict[str, int] = {}
            for rec in sim.faults.log:
                key = rec.action + (f":{rec.process}" if rec.process else "")
                fired[key] = fired.get(key, 0) + 1
            targets = decl.amend[entry == "ws"]
            amend_fired = sum(1 for rec in sim.faults.log if any(rec.spec.startswith(t + ":") for t in targets))
            result.update(errors=errors, halt=report, placed=placed[0], faults_fired=fired,
                          amends=dict(amended, compiled=eng._entry.amends, faults_fired=amend_fired),
                          warm={"ran": warmed[0], "failures": eng._entry.warm_failures})
            if not report.flat:
                result["problems"].append(f"the kill switch did not report flat: {report}")
            return result


def compare(sim, eng, venue: str) -> dict:
    decl = CHAOS_VENUES[venue]
    market, wallet = decl.market, decl.wallet
    units = {s.symbol: s.units for s in decl.symbols}
    problems: list[str] = []
    store = eng.store
    intents = [store.client_id(s) for s in range(store.capacity) if store.state_of(s)
               and eng.tracker.spec(s) is not None and eng.tracker.leg(s) is None]
    ours = {k[2]: v for k, v in sim.core.by_client.items() if k[0] == market and k[1] == KEY}
    fills_missing = not_placed = 0
    for cid in intents:
        venue_orders = ours.get(cid, [])
        local = eng.get_order(cid)
        if len(venue_orders) > 1:
            problems.append(f"{cid}: {len(venue_orders)} venue orders for one intent")
            continue
        if not venue_orders:        # never placed: the engine must say so, never "filled" or "open"
            not_placed += 1
            if local.state not in (OrderState.NOT_PLACED, OrderState.REJECTED):
                problems.append(f"{cid}: no venue order, but local {local.state.name}")
            continue
        vo = venue_orders[0]
        if local.filled * units[local.symbol] != vo.filled:
            fills_missing += 1
            problems.append(f"{cid}: local filled {local.filled} != venue {vo.filled} (local {local.state.name} "
                            f"quantity {local.quantity}, venue {vo.status} quantity {vo.qty})")
        if local.is_open != vo.is_open:
            problems.append(f"{cid}: local {local.state.name} vs venue {vo.status}")
    strays = set(ours) - set(intents)
    if strays:
        problems.append(f"{len(strays)} venue orders no intent asked for: {sorted(strays)[:3]}")
    acct = sim.core.ledger.accounts[KEY]
    open_left = [o.client_id for o in sim.core.account_orders(market, acct) if o.is_open]
    if open_left:
        problems.append(f"{len(open_left)} orders open at the venue after the kill switch: {open_left[:3]}")
    if eng.futures:
        for sym in decl.symbols:
            vp = acct.positions.get((wallet, sym.at_venue))
            size = vp.amount if vp else Decimal(0)
            local = eng.positions().get(sym.symbol)
            lsize = local.size * sym.units if local else Decimal(0)
            if lsize != size:
                problems.append(f"position {sym.symbol}: local {lsize} != venue {size}")
            elif size and abs(local.entry_price - vp.entry) > ENTRY_TOLERANCE:
                problems.append(f"position {sym.symbol}: entry {local.entry_price} != venue {vp.entry}")
    else:
        local_bal = eng.balances()
        for asset, bal in acct.wallets[wallet].items():
            if asset in local_bal and local_bal[asset] != (bal.free, bal.locked):
                problems.append(f"balance {asset}: local {local_bal[asset]} != venue {bal.free}/{bal.locked}")
    stats = eng.stats()
    return {"intents": len(intents), "venue_orders": len(ours), "not_placed": not_placed, "problems": problems,
            "fills_missing": fills_missing, "stats": stats, "resolution": stats["resolution"]}
