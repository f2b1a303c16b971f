"""Allocations per order on the no-await path, over real sockets: 10,000 ``submit_limit`` orders against a
simulator in its own process (so its books are not counted), each written, acknowledged, applied from the
user-data stream and cancelled one by one, leave the engine's live Python blocks flat once warm; so do 10,000
that fill at once (their fills settled by the compiled stream loop); and the compiled gate admits an order
without keeping anything."""

import asyncio
import gc
import logging
import os
import time
import tracemalloc
from decimal import Decimal

import pytest
import uvloop

import engine
from engine._enums import OrderState
from engine.oms.engine import Engine
from engine.bench import roundtrip
from engine.config import VenueConfig
from engine.oms.risk import RiskLimits
from tests.support.alloc import allocated_blocks_delta

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ENGINE_DIR = os.path.dirname(os.path.abspath(engine.__file__))

BATCH = 100                       # the venue keeps at most 200 open orders per symbol
RETENTION_S = 0.05                # a terminal order's slot is reused after this (its reports all in by then)
WARM = 3                          # batches before the first sample
BATCHES = WARM + 100              # 100 measured: 10,000 orders
FILL_QTY = "0.0002"               # an order that crosses: small, so the simulator's book holds every batch


async def _until(cond, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


async def _drive(url: str, fills: bool = False):
    cfg = VenueConfig.local("binance-spot", url, roundtrip.KEY, roundtrip.SECRET)
    eng = Engine(cfg, capacity=4 * BATCH, retention_s=RETENTION_S, risk_limits=RiskLimits(check_balance=False),
                 alert_threshold_ms=10_000.0)
    reported: set[bytes] = set()          # client ids whose CANCELED (or FILLED) report the stream brought
    adapter_start = eng.adapter.start
    end, key = (b'"X":"FILLED"', b'"c":"') if fills else (b'"X":"CANCELED"', b'"C":"')

    async def start(on_stream, *args):    # what the venue hands the engine, seen on its way
        def counting(payload: bytes) -> None:
            at = payload.find(end)
            if at >= 0:
                begin = payload.index(key) + 5      # (a cancel's report names the order in "C", a fill's in "c")
                reported.add(payload[begin:payload.index(b'"', begin)])
            on_stream(payload)

        await adapter_start(counting, *args)

    eng.adapter.start = start
    async with eng:
        inst = eng.instruments.id(roundtrip.SYMBOL)
        tracker = eng.tracker
        samples = []

        def price(factor: str) -> str:
            return str((Decimal(eng.admission.reference_of(inst)) / 10**8 * Decimal(factor)).quantize(Decimal("0.01")))

        async def batch(i):
            if fills:        # crossing the book, buying and selling in turn (flat every two batches)
                side, px = ("BUY", price("1.05")) if i % 2 == 0 else ("SELL", price("0.95"))
            else:            # resting, then cancelled
                side, px = "BUY", price("0.9")
            qty = FILL_QTY if fills else roundtrip.QTY
            cids = [eng.submit_limit(roundtrip.SYMBOL, side, qty, px) for _ in range(BATCH)]
            last = eng.store.find_client_id(cids[-1])
            await _until(lambda: not tracker.slots_in(OrderState.PENDING), 30, "every order acknowledged")
            if fills:
                await _until(lambda: tracker.open_count() == 0, 30, "every order filled")
                assert eng.store.state_of(last) == OrderState.FILLED
            else:
                assert eng.store.state_of(last) == OrderState.NEW
                await asyncio.gather(*(eng.cancel(cid) for cid in cids))     # each on the lean path, as placed
                await _until(lambda: tracker.open_count() == 0, 30, "every order cancelled")
            # the stream's last report of every order in (after its REST answer) before the slots are reused
            await _until(lambda: all(c.encode() in reported for c in cids), 30, "the stream's reports")
            reported.clear()
            await asyncio.sleep(RETENTION_S * 1.2)
            eng.store.reclaim(time.time_ns())       # every slot of the batch free again: the next reuses them

        for i in range(BATCHES):
            await batch(i)
            if i == WARM - 1 or i == BATCHES - 1:
                gc.collect()
                samples.append(tracemalloc.take_snapshot())
        return eng, samples


def _flat(samples) -> None:
    """What 10,000 orders left behind, by the line that allocated it: one object kept per order would show as a
    line with >= 10,000 more blocks.  (Counted with tracemalloc, by line, rather than with the interpreter's block
    total, which moves by a few thousand with free lists and resizing.)"""
    first, last = samples
    grown = [d for d in last.compare_to(first, "lineno") if d.count_diff > 0]
    assert all(d.count_diff < 500 for d in grown), [str(d) for d in grown[:5]]
    ours = sum(d.count_diff for d in grown if d.traceback[0].filename.startswith(ENGINE_DIR))
    assert ours < 200, [str(d) for d in grown if d.traceback[0].filename.startswith(ENGINE_DIR)][:5]


def test_ten_thousand_submitted_orders_keep_nothing_per_order(caplog):
    caplog.set_level(logging.ERROR)            # the log capture would keep every record it is given
    proc, urls = roundtrip.start_sim()
    tracemalloc.start(1)
    try:
        eng, samples = uvloop.run(_drive(urls["binance-spot"]))
    finally:
        tracemalloc.stop()
        roundtrip.stop_sim(proc)
    m = eng.metrics
    assert m.placed == BATCH * BATCHES and m.acknowledged == BATCH * BATCHES
    assert m.cancelled == BATCH * BATCHES and eng.resolver.unresolved == 0
    assert eng.foreign.counters()["adopted"] == 0
    assert eng.admission.gate.passed == BATCH * BATCHES              # every one admitted by the compiled gate
    _flat(samples)


def test_ten_thousand_submitted_orders_that_fill_keep_nothing_per_order(caplog):
    caplog.set_level(logging.ERROR)
    proc, urls = roundtrip.start_sim()
    tracemalloc.start(1)
    try:
        eng, samples = uvloop.run(_drive(urls["binance-spot"], fills=True))
    finally:
        tracemalloc.stop()
        roundtrip.stop_sim(proc)
    m = eng.metrics
    assert m.placed == BATCH * BATCHES and m.filled == BATCH * BATCHES and eng.resolver.unresolved == 0
    assert eng.stream.loop.filled == BATCH * BATCHES                   # every fill settled by the compiled loop
    assert eng.stream.unexpected == 0 and eng.foreign.counters()["adopted"] == 0
    _flat(samples)


def test_the_gate_admits_without_keeping_anything():
    from tests.oms.test_order_gate import World

    w = World()
    gate, store = w.gate, w.store

    def admit_and_free():
        slot = gate.admit_limit("BTCUSDT", "BUY", "0.5", "60000.01", "GTC", False, False, 1)
        store.release(slot)

    assert allocated_blocks_delta(admit_and_free, iterations=20_000) == 0
    assert gate.passed >= 20_000 and gate.deferred == 0
