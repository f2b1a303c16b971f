"""The MEXC private-stream reader beside the ``protobuf`` package's decoder, in the same run.

Run: .venv/bin/python -m pytest bench/test_bench_parse_mexc.py --benchmark-enable --benchmark-only
     --benchmark-max-time=0.5

One group per frame of the fact sheet (shared/venues/mexc-spot.md §3: orders 133 bytes, deals
153, account 144), each with the engine's reader and two readings by the protobuf package:

- ``engine_parse_next_record``: ``MexcStreamParser.parse`` + ``next_record``, one Python call
  each per message (how Python code reads a push).  The record is filled, decimals in fixed
  point, ids copied, no Python object made;
- ``protobuf_decode_only``: the protobuf package (upb) with the official schema,
  ``ParseFromString`` into a message object.  Nothing a consumer can use yet: decimals are still
  strings, the body still has to be found and read field by field;
- ``protobuf_decode_extract``: the same, then the fields the engine's record holds, decimals
  through the same exact fixed-point parser: the pure-Python way to get what the engine needs.
  This is the like-for-like comparison;
- ``python_call_floor``: the same closure making two calls that do nothing (``next_record`` with no
  record left): the part of the engine's row no reader can remove.

The issue's target is the engine's reader at least 10x faster than the decoder.

Two shapes, both in the same run:

- ``parse-mexc-<frame>``: one Python call per message on each side, as the user stream makes
  it;
- ``parse-mexc-batch-<frame>``: 64 messages per call, the protobuf package in the tightest Python
  loop it allows, and the engine's reader two ways: ``engine_reader_in_c`` (``parse_many``: the C
  entry point, the reader's own cost) and ``engine_as_record_loop`` (``read_many``: the bound
  ``parse`` called from C and the records taken in C, as ``engine._record_loop.RecordLoop.run``
  reads every binary push of the user stream, ``engine/oms/stream_apply.py``: the form the engine
  uses on its hot path).  Divide by 64 for the cost per message.
"""

import pytest

from engine._fixedpoint import parse as fp_parse
from engine._parse_mexc_stream import MexcStreamParser, parse_many, read_many
from tests.support.mexc_proto import ACCOUNT, DEALS, ORDERS, Wrapper

FRAMES = {"orders": ORDERS, "deals": DEALS, "account": ACCOUNT}
BATCH = 64


def _dec(text):
    return fp_parse(text) if text else 0


def protobuf_extract(frame):
    msg = Wrapper()
    msg.ParseFromString(frame)
    body = msg.WhichOneof("body")
    if body == "privateOrders":
        o = msg.privateOrders
        return (msg.symbol, msg.sendTime, o.id, o.clientId, _dec(o.price), _dec(o.quantity), _dec(o.avgPrice),
                _dec(o.cumulativeQuantity), _dec(o.cumulativeAmount), _dec(o.remainQuantity), o.orderType,
                o.tradeType, o.status, o.isMaker)
    if body == "privateDeals":
        d = msg.privateDeals
        return (msg.symbol, msg.sendTime, _dec(d.price), _dec(d.quantity), _dec(d.amount), d.tradeId,
                d.clientOrderId, d.orderId, fp_parse(d.feeAmount, 7) if d.feeAmount else 0, d.feeCurrency,
                d.tradeType, d.isMaker, d.time)
    a = msg.privateAccount
    return a.vcoinName, fp_parse(a.balanceAmount, 7), _dec(a.frozenAmount), a.time


def protobuf_decode(frame):
    msg = Wrapper()
    msg.ParseFromString(frame)
    return msg


@pytest.mark.parametrize("name", list(FRAMES))
def test_engine_parse_next_record(steady, benchmark, name):
    benchmark.group = f"parse-mexc-{name}"
    p = MexcStreamParser()
    parse, next_record = p.parse, p.next_record
    frame = FRAMES[name]

    def run():
        parse(frame)
        next_record()

    steady(run)


@pytest.mark.parametrize("name", list(FRAMES))
def test_protobuf_decode_only(steady, benchmark, name):
    benchmark.group = f"parse-mexc-{name}"
    steady(protobuf_decode, FRAMES[name])


@pytest.mark.parametrize("name", list(FRAMES))
def test_protobuf_decode_extract(steady, benchmark, name):
    benchmark.group = f"parse-mexc-{name}"
    steady(protobuf_extract, FRAMES[name])


@pytest.mark.parametrize("name", list(FRAMES))
def test_python_call_floor(steady, benchmark, name):
    benchmark.group = f"parse-mexc-{name}"
    p = MexcStreamParser()
    next_record = p.next_record

    def run():
        next_record()
        next_record()

    steady(run)


@pytest.mark.parametrize("name", list(FRAMES))
def test_batch_engine_reader_in_c(steady, benchmark, name):
    benchmark.group = f"parse-mexc-batch-{name}"
    p, frames = MexcStreamParser(), [FRAMES[name]] * BATCH
    steady(parse_many, p, frames, 1)


@pytest.mark.parametrize("name", list(FRAMES))
def test_batch_engine_as_record_loop(steady, benchmark, name):
    benchmark.group = f"parse-mexc-batch-{name}"
    p, frames = MexcStreamParser(), [FRAMES[name]] * BATCH
    steady(read_many, p, p.parse, frames, 1)


@pytest.mark.parametrize("name", list(FRAMES))
def test_batch_protobuf_decode_only(steady, benchmark, name):
    benchmark.group = f"parse-mexc-batch-{name}"
    frames = [FRAMES[name]] * BATCH

    def run():
        for f in frames:
            msg = Wrapper()
            msg.ParseFromString(f)

    steady(run)


@pytest.mark.parametrize("name", list(FRAMES))
def test_batch_protobuf_decode_extract(steady, benchmark, name):
    benchmark.group = f"parse-mexc-batch-{name}"
    frames = [FRAMES[name]] * BATCH

    def run():
        for f in frames:
            protobuf_extract(f)

    steady(run)
