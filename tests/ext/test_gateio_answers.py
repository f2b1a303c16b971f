"""engine._gateio_answers.GateAnswers: the Gate order API's answers paired with their requests in C,
against a pure-Python reference of its rules, fuzzed, and allocation-free for acks."""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._gateio_answers import GateAnswers
from tests.support import DATA
from tests.support.alloc import python_allocations_per_call_bytes
from tests.support.fuzzing import mutate

ACK = (DATA / "gateio_wsapi_ack.json").read_bytes().rstrip(b"\n")          # request_id "r1"
RESULT = (DATA / "gateio_wsapi_result.json").read_bytes().rstrip(b"\n")    # request_id "r1"
ERROR = (DATA / "gateio_wsapi_error.json").read_bytes().rstrip(b"\n")      # request_id "r2", status "429"


def pairing_py(payload: bytes, pending) -> str:
    """The module's rules in Python: "ack", "settle" or "other"."""
    if not pending:
        return "other"
    at = payload.find(b'"request_id":"', 0, 64)
    if at < 0:
        return "other"
    end = payload.find(b'"', at + 14, at + 96)
    if end < 0:
        return "other"
    if b'"ack":true' in payload:
        return "ack"
    if payload.find(b'"status":"200"', 0, 400) >= 0 and payload[at + 14:end] in pending:
        return "settle"
    return "other"


class Harness:
    def __init__(self, loop, ids=(b"r1", b"r2")):
        self.pending = {i: loop.create_future() for i in ids}
        self.others = []
        self.answers = GateAnswers(self.pending, self.others.append)


def run(coro):
    return asyncio.run(coro)


def test_the_ack_is_dropped_and_the_result_settles_its_request():
    async def main():
        h = Harness(asyncio.get_running_loop())
        r1, r2 = h.pending[b"r1"], h.pending[b"r2"]
        h.answers.feed(ACK)
        assert h.answers.acks == 1 and not r1.done() and h.others == []
        h.answers.feed(RESULT)
        assert r1.done() and r1.result() == RESULT and type(r1.result()) is bytes
        assert b"r1" not in h.pending and h.answers.settled == 1 and not r2.done()
        h.answers.feed(RESULT)                     # no longer waiting: the JSON path decides
        assert h.others == [RESULT] and h.answers.settled == 1

    run(main())


def test_errors_and_frames_without_a_waiting_id_go_to_the_json_path():
    async def main():
        h = Harness(asyncio.get_running_loop())
        h.answers.feed(ERROR)                      # status 429: typed by the JSON path
        assert h.others == [ERROR] and not h.pending[b"r2"].done()
        pong = b'{"time":1,"time_ms":1,"channel":"spot.pong","event":"","result":null}'
        h.answers.feed(pong)
        foreign = RESULT.replace(b'"request_id":"r1"', b'"request_id":"zz"')
        h.answers.feed(foreign)
        assert h.others == [ERROR, pong, foreign] and not h.pending[b"r1"].done()
        h.pending.clear()
        h.answers.feed(RESULT)                     # nothing waits: not even read
        assert h.others[-1] == RESULT

    run(main())


def test_a_settled_future_that_was_already_done_is_left_alone():
    async def main():
        h = Harness(asyncio.get_running_loop())
        h.pending[b"r1"].cancel()
        h.answers.feed(RESULT)
        assert b"r1" not in h.pending and h.answers.settled == 0 and h.others == []

    run(main())


def test_the_shared_dict_is_read_live():
    async def main():
        loop = asyncio.get_running_loop()
        h = Harness(loop, ids=())
        h.answers.feed(RESULT)
        fut = h.pending[b"r1"] = loop.create_future()       # added after the sink was made
        h.answers.feed(RESULT)
        assert fut.result() == RESULT and h.others == [RESULT]

    run(main())


def test_constructor_checks():
    with pytest.raises(TypeError):
        GateAnswers(None, print)
    with pytest.raises(TypeError):
        GateAnswers({}, None)


def test_an_ack_allocates_nothing():
    async def main():
        h = Harness(asyncio.get_running_loop())
        feed = h.answers.feed
        assert python_allocations_per_call_bytes(lambda: feed(ACK), 20_000) == 0
        assert h.others == []

    run(main())


def _outcome(payload: bytes, ids) -> str:
    async def main():
        h = Harness(asyncio.get_running_loop(), ids)
        before = h.answers.acks
        h.answers.feed(payload)
        if h.answers.acks != before:
            return "ack"
        if h.answers.settled:
            assert h.others == [] and len(h.pending) == len(ids) - 1
            return "settle"
        assert h.others == [payload]
        return "other"

    return run(main())


@given(st.binary(max_size=500), st.sampled_from([(b"r1",), (b"",), (b"r1", b"x")]))
def test_random_bytes_never_crash_and_follow_the_rules(payload, ids):
    assert _outcome(payload, ids) == pairing_py(payload, ids)


@given(st.sampled_from([ACK, RESULT, ERROR]), st.data())
def test_mutated_frames_follow_the_rules(frame, data):
    payload = mutate(frame, data)
    assert _outcome(payload, (b"r1", b"r2")) == pairing_py(payload, (b"r1", b"r2"))


@pytest.mark.parametrize("cut", [0, 1, 13, 15, 16, 17, 18, 40, 63, 64, 100, 399, 400])
def test_frames_cut_short_are_read_within_their_length(cut):
    for frame in (ACK, RESULT, ERROR):
        payload = frame[:cut]
        assert _outcome(payload, (b"r1", b"r2")) == pairing_py(payload, (b"r1", b"r2"))


# -- writing ------------------------------------------------------------------------------------------------
class EchoServer:
    """A loopback WebSocket server that keeps every frame it gets and answers none."""

    def __init__(self):
        self.frames = []

    async def handler(self, request):
        from aiohttp import WSMsgType, web

        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.frames.append(msg.data)
        return ws

    async def start(self):
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/ws", self.handler)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/ws"


def _writer(url=None):
    from engine._codec_gateio import GateOrderEncoder
    from engine._signer import RequestSigner
    from engine.transport.inflight import InflightRequests
    from engine.transport.ws import ReconnectingWebSocket

    inflight, others = InflightRequests("t"), []
    answers = GateAnswers(inflight.pending, others.append)
    ws = ReconnectingWebSocket(url or "ws://127.0.0.1:1/ws", None, sink=answers)
    enc = GateOrderEncoder(RequestSigner("secret"), "key", signs=False)
    answers.bind(enc, ws, inflight, b"ab12")
    return answers, ws, enc, inflight, others


def test_bind_checks_what_it_is_given():
    from engine._codec_gateio import GateOrderEncoder
    from engine._signer import RequestSigner
    from engine.transport.inflight import InflightRequests

    inflight = InflightRequests("t")
    answers = GateAnswers(inflight.pending, print)
    enc = GateOrderEncoder(RequestSigner("secret"), "key", signs=False)
    with pytest.raises(RuntimeError):
        answers.write(b"spot.order_cancel", 1, 2, "cancel", 1.0)             # not bound
    with pytest.raises(ValueError):
        answers.bind(enc, None, InflightRequests("other"), b"ab12")         # not the dict it reads
    for prefix in (b"", b"a" * 24, b"a-b", b'a"b'):
        with pytest.raises(ValueError):
            answers.bind(enc, None, inflight, prefix)


def test_a_socket_that_is_down_gets_nothing_and_nothing_is_registered():
    from engine.transport.errors import ConnectionLost

    async def main():
        answers, ws, enc, inflight, _ = _writer()
        enc.ws_cancel_param(b"BTC_USDT", None, b"t-a")
        with pytest.raises(ConnectionLost) as exc:
            answers.write(b"spot.order_cancel", 1_700_000_000_000, 1_700_000_005_000, "spot.order_cancel", 1.0)
        assert exc.value.sent is False and len(inflight) == 0 and not inflight._heap

    run(main())


def test_requests_are_written_with_fresh_ids_registered_and_timed_out():
    import json

    from engine.transport.errors import RequestTimeout

    async def main():
        server = EchoServer()
        answers, ws, enc, inflight, _ = _writer(await server.start())
        await ws.start()
        try:
            enc.ws_cancel_param(b"BTC_USDT", None, b"t-a")
            first = answers.write(b"spot.order_cancel", 1_700_000_000_000, 1_700_000_005_000, "spot.order_cancel",
                                  5.0)
            assert ws.last_send_ns > 0
            enc.ws_cancel_param(b"BTC_USDT", b"123", None)
            second = answers.write(b"spot.order_cancel", 1_700_000_000_001, 1_700_000_005_001, "spot.order_cancel",
                                   0.05)
            assert list(inflight.pending) == [b"ab12-1", b"ab12-2"] and answers.seq == 2
            for _ in range(100):
                if len(server.frames) == 2:
                    break
                await asyncio.sleep(0.01)
            sent = [json.loads(f) for f in server.frames]
            assert [s["payload"]["req_id"] for s in sent] == ["ab12-1", "ab12-2"]
            assert sent[0]["channel"] == "spot.order_cancel" and sent[0]["time"] == 1_700_000_000
            assert sent[0]["payload"]["req_param"] == {"currency_pair": "BTC_USDT", "order_id": "t-a"}
            assert sent[1]["payload"]["req_header"] == {"x-gate-exptime": "1700000005001"}
            answers.feed(RESULT.replace(b'"request_id":"r1"', b'"request_id":"ab12-1"'))
            assert first.done() and b"ab12-1" not in inflight.pending
            with pytest.raises(RequestTimeout) as exc:
                await second                           # no answer within its 0.05 s: outcome unknown
            assert exc.value.sent is True and len(inflight) == 0
        finally:
            await ws.stop()

    run(main())


@pytest.mark.parametrize("pad", [0, 1, 48, 49, 50, 51, 52])
def test_the_windows_end_where_the_rules_say(pad):
    """The id's key found only wholly in the first 64 bytes, "status":"200" only in the first 400."""
    lead = b'{"x":"' + b"a" * pad + b'",'
    for frame in (ACK, RESULT):
        payload = lead + frame[1:]
        assert _outcome(payload, (b"r1",)) == pairing_py(payload, (b"r1",))
    head = RESULT.index(b'"status":"200"')
    for extra in range(400 - head - 16, 400 - head + 2):
        payload = RESULT[:head] + b'"p":"' + b"k" * extra + b'",' + RESULT[head:]
        assert _outcome(payload, (b"r1",)) == pairing_py(payload, (b"r1",))
