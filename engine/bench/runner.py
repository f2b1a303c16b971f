"""Runs the five stages within a time budget and collects a :class:`~engine.bench.results.BenchReport`.

Budget: about a quarter of ``seconds`` goes to stages 1-3, the rest to the round trips;
a round-trip client also stops at ``iterations`` round trips, an in-process contender
at twice that many samples.

Contenders are measured in turns, not one after the other: each stage's contenders
take a slice of their samples, round after round (in alternating order), and every
round-trip client, connected from the start to a simulator of its own, does a chunk of
orders per round.  A noisy stretch of this shared machine then touches every
contender alike, and no client trades against a simulator slowed by another's orders.
Progress goes to a callback; nothing here prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable

from engine.bench import micro, peers, roundtrip
from engine.bench.results import BenchReport, StageResult, add_ratios, micro_row, roundtrip_rows
from engine.bench.timing import Skip, calibrate, sample
from engine.report.machine import machine_info
from engine.venues.registry import folders

__all__ = ["BenchOptions", "BenchError", "run_bench", "ROUNDTRIP_CLIENTS", "roundtrip_modules"]


def roundtrip_modules() -> list:
    """Each venue's rows module (``engine/bench/roundtrip_<folder>.py``, exporting ``VENUE``, the report's
    name of the venue (``VENUES`` too where the folder serves more than one), and ``ROWS``), one per venue
    folder in registry order."""
    return [importlib.import_module(f"engine.bench.roundtrip_{name}") for name in folders()]


# (label, opener, peer name or None, engine venue: the simulator URL it gets), in the order they are listed:
# every venue's rows, as its module declares them.
ROUNDTRIP_CLIENTS = [row for module in roundtrip_modules() for row in module.ROWS]
MICRO_ROUNDS = 20
ROUNDTRIP_CHUNK = 50
# the turns of two orders in a row (Session.pair) each such client makes after its round trips: a quarter of
# the round trips, at least 50, after 10 not recorded
PAIR_TURNS_MIN, PAIR_TURNS_SHARE, PAIR_WARMUP = 50, 4, 10
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
    venues: tuple[str, ...] = ()        # round trips of these engine venues only (empty: every venue)
    command: str = "python -m engine bench"
    seed: int = 7
    cores: dict = field(default_factory=lambda: {"pinned": False, "why": "not asked"})
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
        known = dict.fromkeys(row[3] for row in ROUNDTRIP_CLIENTS)
        unknown = set(self.venues) - set(known)
        if unknown:
            raise BenchError(f"unknown venue(s) {', '.join(sorted(unknown))}; known: {', '.join(known)}")

    def effective(self) -> "BenchOptions":
        """The options in force: ``quick`` caps the run at 15 s and 150 round trips per client."""
        if not self.quick:
            return self
        return replace(self, seconds=min(self.seconds, 15.0), iterations=min(self.iterations, 150))


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
                       machine={**machine_info(), "cores_used": opt.cores}, stages=stages)


def _run_micro(opt: BenchOptions, budget: float, say: Progress) -> list[StageResult]:
    engine_c, base_c = micro.engine_contenders(), micro.baseline_contenders()
    plan = []
    for stage_id in micro.STAGES:
        ready, skipped = peers.peer_contenders(stage_id, opt.peers)
        plan.append((stage_id, [base_c[stage_id], *engine_c[stage_id], *ready], skipped))
    per_stage = budget / len(plan)
    out = []
    for stage_id, contenders, skipped in plan:
        stage = StageResult(stage_id, STAGE_TITLES[stage_id], "micro", skipped=skipped)
        label = f"stage {STAGE_TITLES[stage_id].split(':')[0]}"
        running = []
        for c in contenders:
            say(f"{label}: calibrating {c.name}")
            try:
                calibrate(c)
            except Exception as exc:
                if c.kind != "peer":
                    raise BenchError(f"{c.name} failed: {type(exc).__name__}: {exc}") from exc
                stage.skipped.append((c.name.split(":")[0], f"could not run: {type(exc).__name__}: {exc}"))
                continue
            running.append(c)
        quota = 2 * opt.iterations
        per_round = max(1, -(-quota // MICRO_ROUNDS))
        deadline = time.monotonic() + per_stage
        for r in range(MICRO_ROUNDS):
            if time.monotonic() > deadline and all(c.samples_ns for c in running):
                break
            say(f"{label}: round {r + 1}/{MICRO_ROUNDS}")
            slot = max(0.001, (deadline - time.monotonic()) / max(1, (MICRO_ROUNDS - r) * len(running)))
            for c in (running if r % 2 == 0 else running[::-1]):
                sample(c, min(per_round, quota - len(c.samples_ns)), time.monotonic() + slot)
        stage.rows = [micro_row(c) for c in running]
        out.append(stage)
    return out


def _run_roundtrips(opt: BenchOptions, budget: float, say: Progress) -> list[StageResult]:
    clients = [c for c in ROUNDTRIP_CLIENTS
               if (c[2] is None or c[2] in opt.peers) and (not opt.venues or c[3] in opt.venues)]
    skipped = [(p, "not selected (--peers)") for p in peers.PEERS if p not in opt.peers]
    warmup = max(10, min(200, opt.iterations // 10))
    try:
        sims = roundtrip.start_sims(len(clients), opt.seed)
    except (OSError, RuntimeError) as exc:
        raise BenchError(f"could not start the simulators: {exc}") from exc
    try:
        samples = _run_loop(_rotate(clients, sims, opt.iterations, warmup, budget, say, skipped))
    finally:
        for proc, _ in sims:
            roundtrip.stop_sim(proc)
    place = StageResult("place", STAGE_TITLES["place"], "roundtrip", skipped=list(skipped))
    cancel = StageResult("cancel", STAGE_TITLES["cancel"], "roundtrip", skipped=list(skipped))
    for s in samples:
        place.rows.append(roundtrip_rows(s, "place"))
        cancel.rows.append(roundtrip_rows(s, "cancel"))
    return [place, cancel]


@contextlib.contextmanager
def _turn(session):
    """A client's turn: its ``enter`` before, its ``leave`` after (whatever happens)."""
    if session.enter is not None:
        session.enter()
    try:
        yield
    finally:
        if session.leave is not None:
            session.leave()


async def _rotate(clients, sims, n, warmup, budget, say, skipped) -> list:
    """Connect every client to its own simulator, then measure them a chunk each per round."""
    sessions = []
    try:
        for (label, opener, peer, venue), (_, urls) in zip(clients, sims):
            say(f"stages 4-5 round trips: connecting {label}")
            try:
                session = await opener(urls[venue])
            except Skip as exc:
                skipped.append((peer or label, str(exc)))
                continue
            except Exception as exc:
                if peer is None:
                    raise BenchError(f"{label} failed to connect: {type(exc).__name__}: {exc}") from exc
                skipped.append((peer, f"could not connect: {type(exc).__name__}: {str(exc)[:160]}"))
                continue
            sessions.append((label, peer, session))
        deadline = time.monotonic() + budget
        for _, _, session in sessions:   # warm-up, not recorded
            with _turn(session):
                session.next_index = await roundtrip.measure(session.sample, session.place, session.cancel, 0,
                                                             warmup, session.wire_ns)
        rounds = 0
        while time.monotonic() < deadline:
            todo = [x for x in sessions if len(x[2].sample.wall["place"]) < n]
            if not todo:
                break
            rounds += 1
            done = min(len(x[2].sample.wall["place"]) for x in sessions)
            say(f"stages 4-5 round trips: round {rounds}, {done}/{n} orders per client")
            for label, peer, session in (todo if rounds % 2 else todo[::-1]):
                chunk = min(ROUNDTRIP_CHUNK, n - len(session.sample.wall["place"]))
                try:
                    with _turn(session):
                        session.next_index = await roundtrip.measure(
                            session.sample, session.place, session.cancel, chunk, 0, session.wire_ns,
                            start=session.next_index)
                except Exception as exc:
                    if peer is None:
                        raise BenchError(f"{label} failed: {type(exc).__name__}: {exc}") from exc
                    skipped.append((peer, f"failed during the run: {type(exc).__name__}: {str(exc)[:160]}"))
                    sessions.remove((label, peer, session))
                    await session.close()
        pairs = max(PAIR_TURNS_MIN, n // PAIR_TURNS_SHARE)
        # (a floor writes two in a row only beside a client of its venue that does)
        paired = {s.sample.venue for _, _, s in sessions if s.pair is not None and s.sample.kind != "reference"}
        for label, _, session in sessions:
            if session.pair is not None and session.sample.venue in paired:
                say(f"stages 4-5 round trips: {label}, two orders in a row ({pairs} turns)")
                with _turn(session):
                    session.next_index = await roundtrip.measure_pairs(session, pairs, PAIR_WARMUP,
                                                                       start=session.next_index)
        return [s.sample for _, _, s in sessions]
    finally:
        for _, _, session in sessions:
            try:
                await session.close()
            except Exception:  # closing is best effort; the simulators are stopped anyway
                pass


def _run_loop(coro):
    """Run on uvloop (the engine's loop of choice) when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
