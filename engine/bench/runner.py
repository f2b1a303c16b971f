"""Runs the five stages within a time budget and collects a :class:`~engine.bench.results.BenchReport`.

Budget: about a quarter of ``seconds`` goes to stages 1-3 (shared evenly by their
contenders), the rest to the round trips (shared evenly by the clients); a client also
stops at ``iterations`` round trips.  Progress goes to a callback; nothing here prints.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from engine.bench import micro, peers, roundtrip, roundtrip_peers
from engine.bench.results import BenchReport, StageResult, add_ratios, micro_row, roundtrip_rows
from engine.bench.timing import Skip, time_contender
from engine.report.machine import machine_info

__all__ = ["BenchOptions", "BenchError", "run_bench", "ROUNDTRIP_CLIENTS"]

# (name, coroutine function, peer name or None), in the order they run and are listed.
ROUNDTRIP_CLIENTS = [
    ("baseline (Binance)", roundtrip.aiohttp_baseline, None),
    ("engine REST (Binance)", roundtrip.engine_rest, None),
    ("engine WebSocket API (Binance)", roundtrip.engine_ws, None),
    ("engine Engine API (Binance)", roundtrip.engine_api, None),
    ("ccxt", roundtrip_peers.ccxt_client, "ccxt"),
    ("python-binance", roundtrip_peers.python_binance_client, "python-binance"),
    ("binance-connector", roundtrip_peers.binance_connector_client, "binance-connector"),
    ("baseline (Bybit)", roundtrip.bybit_aiohttp_baseline, None),
    ("engine REST (Bybit)", roundtrip.bybit_engine_rest, None),
    ("engine WebSocket trade (Bybit)", roundtrip.bybit_engine_ws, None),
    ("pybit", roundtrip_peers.pybit_client, "pybit"),
]
STAGE_TITLES = dict(micro.STAGES, place="4. place a LIMIT order -> acknowledged (round trip)",
                    cancel="5. cancel it -> confirmed (round trip)")


class BenchError(Exception):
    """The benchmark could not run (bad options, simulator failed to start, a client failed)."""


@dataclass
class BenchOptions:
    seconds: float = 120.0
    iterations: int = 2000
    quick: bool = False
    peers: tuple[str, ...] = peers.PEERS
    micro: bool = True
    roundtrips: bool = True
    command: str = "python -m engine bench"
    seed: int = 7
    micro_share: float = field(default=0.25, repr=False)

    def check(self) -> None:
        if not 1.0 <= self.seconds <= 3600.0:
            raise BenchError(f"--seconds must be between 1 and 3600, got {self.seconds:g}")
        if not 10 <= self.iterations <= 1_000_000:
            raise BenchError(f"--iterations must be between 10 and 1000000, got {self.iterations}")
        unknown = set(self.peers) - set(peers.PEERS)
        if unknown:
            raise BenchError(f"unknown peer(s) {', '.join(sorted(unknown))}; known: {', '.join(peers.PEERS)}")
        if not (self.micro or self.roundtrips):
            raise BenchError("nothing to run")

    def effective(self) -> "BenchOptions":
        if not self.quick:
            return self
        return BenchOptions(min(self.seconds, 15.0), min(self.iterations, 150), True, self.peers, self.micro,
                            self.roundtrips, self.command, self.seed, self.micro_share)


Progress = Callable[[str], None]


def run_bench(options: BenchOptions, progress: Progress | None = None) -> BenchReport:
    """Run the benchmark (blocking; it runs its own event loop for the round trips)."""
    options.check()
    opt = options.effective()
    say = progress or (lambda msg: None)
    t0 = time.monotonic()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    stages: list[StageResult] = []
    rt_share = 1.0 if not opt.micro else (0.0 if not opt.roundtrips else 1.0 - opt.micro_share)
    if opt.micro:
        stages += _run_micro(opt, opt.seconds * (1.0 - rt_share), say)
    if opt.roundtrips:
        stages += _run_roundtrips(opt, opt.seconds * rt_share, say)
    for stage in stages:
        add_ratios(stage)
    return BenchReport(command=opt.command, started_utc=started, elapsed_s=time.monotonic() - t0,
                       budget={"seconds": opt.seconds, "iterations": opt.iterations, "quick": opt.quick,
                               "peers": list(opt.peers)},
                       machine=machine_info(), stages=stages)


def _run_micro(opt: BenchOptions, budget: float, say: Progress) -> list[StageResult]:
    engine_c, base_c = micro.engine_contenders(), micro.baseline_contenders()
    plan = []
    for stage_id in micro.STAGES:
        ready, skipped = peers.peer_contenders(stage_id, opt.peers)
        plan.append((stage_id, [base_c[stage_id], engine_c[stage_id], *ready], skipped))
    per = max(0.1, budget / max(1, sum(len(c) for _, c, _ in plan)))
    out = []
    for stage_id, contenders, skipped in plan:
        stage = StageResult(stage_id, STAGE_TITLES[stage_id], "micro", skipped=skipped)
        for c in contenders:
            say(f"stage {STAGE_TITLES[stage_id].split(':')[0]}: {c.name}")
            try:
                time_contender(c, per, 2 * opt.iterations)
            except Exception as exc:
                if c.kind != "peer":
                    raise BenchError(f"{c.name} failed: {type(exc).__name__}: {exc}") from exc
                stage.skipped.append((c.name.split(":")[0], f"could not run: {type(exc).__name__}: {exc}"))
                continue
            stage.rows.append(micro_row(c))
        out.append(stage)
    return out


def _run_roundtrips(opt: BenchOptions, budget: float, say: Progress) -> list[StageResult]:
    clients = [c for c in ROUNDTRIP_CLIENTS if c[2] is None or c[2] in opt.peers]
    skipped = [(p, "not selected (--peers)") for p in peers.PEERS if p not in opt.peers]
    per = max(0.5, budget / max(1, len(clients)))
    warmup = max(10, min(200, opt.iterations // 10))
    try:
        proc, url = roundtrip.start_sim(opt.seed)
    except (OSError, RuntimeError) as exc:
        raise BenchError(f"could not start the simulator: {exc}") from exc
    try:
        samples = _run_loop(_clients(clients, url, opt.iterations, warmup, per, say, skipped))
    finally:
        roundtrip.stop_sim(proc)
    place = StageResult("place", STAGE_TITLES["place"], "roundtrip", skipped=list(skipped))
    cancel = StageResult("cancel", STAGE_TITLES["cancel"], "roundtrip", skipped=list(skipped))
    for s in samples:
        place.rows.append(roundtrip_rows(s, "place"))
        cancel.rows.append(roundtrip_rows(s, "cancel"))
    return [place, cancel]


async def _clients(clients, url, n, warmup, per, say, skipped) -> list:
    samples = []
    for label, fn, peer in clients:
        say(f"stages 4-5 round trips: {label}")

        def tick(name, done, total, label=label):
            say(f"stages 4-5 round trips: {label} {done}/{total}")
        try:
            s = await fn(url, n, warmup, time.monotonic() + per, tick)
        except Skip as exc:
            skipped.append((peer or label, str(exc)))
            continue
        except Exception as exc:
            if peer is None:
                raise BenchError(f"{label} failed: {type(exc).__name__}: {exc}") from exc
            skipped.append((peer, f"failed during the run: {type(exc).__name__}: {str(exc)[:160]}"))
            continue
        samples.append(s)
    return samples


def _run_loop(coro):
    """Run on uvloop (the engine's loop of choice) when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
