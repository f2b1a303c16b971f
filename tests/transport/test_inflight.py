"""engine.transport.inflight.InflightRequests: answers by id, one timer for every deadline."""

import asyncio

import pytest
import uvloop

from engine.transport.errors import ConnectionLost, RequestTimeout
from engine.transport.inflight import InflightRequests


class Socket:
    def __init__(self, up=True):
        self.up = up
        self.sent = []

    def send(self, frame):
        if not self.up:
            raise ConnectionError("down")
        self.sent.append(bytes(frame))


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 10))


def test_answers_settle_their_own_request():
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        a = inf.send(ws, 1, b"a", "op", 5.0)
        b = inf.send(ws, 2, b"b", "op", 5.0)
        assert ws.sent == [b"a", b"b"] and len(inf) == 2 and 1 in inf
        assert inf.resolve(2, b"answer-b") and not inf.resolve(2, b"again") and not inf.resolve(99, b"x")
        assert await b == b"answer-b" and not a.done()
        assert inf.resolve(1, b"answer-a") and await a == b"answer-a"
        assert len(inf) == 0

    run(main())


def test_each_request_times_out_at_its_own_deadline():
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        slow = inf.send(ws, 1, b"a", "place", 0.30)
        quick = inf.send(ws, 2, b"b", "cancel", 0.05)        # earlier deadline: the timer is re-armed
        answered = inf.send(ws, 3, b"c", "status", 0.05)
        inf.resolve(3, b"ok")
        with pytest.raises(RequestTimeout) as exc:
            await quick
        assert exc.value.sent and "cancel" in str(exc.value)
        assert not slow.done() and await answered == b"ok"
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        with pytest.raises(RequestTimeout):
            await slow
        assert loop.time() - t0 > 0.15                      # not expired early with the quick one
        assert len(inf) == 0 and not inf._heap and inf._timer is None

    run(main())


def test_answered_requests_leave_no_timer_running():
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        for i in range(1000):
            inf.send(ws, i, b"x", "op", 0.02)
            inf.resolve(i, b"ok")
        await asyncio.sleep(0.06)
        assert inf._timer is None and not inf._heap

    run(main())


def test_a_down_socket_sends_nothing_and_registers_nothing():
    async def main():
        inf = InflightRequests("t")
        with pytest.raises(ConnectionLost) as exc:
            inf.send(Socket(up=False), 1, b"a", "op", 1.0)
        assert exc.value.sent is False and len(inf) == 0

    run(main())


def test_fail_all_fails_every_waiting_request():
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        futs = [inf.send(ws, i, b"x", "op", 5.0) for i in range(3)]
        inf.fail_all(ConnectionLost("dropped", sent=True))
        for f in futs:
            with pytest.raises(ConnectionLost):
                await f
        assert len(inf) == 0 and inf._timer is None

    run(main())


def test_hostile_ids_are_not_found_rather_than_raising():
    inf = InflightRequests("t")
    assert [] not in inf and {"a": 1} not in inf


def test_fail_all_empties_the_same_dict_a_compiled_reader_holds():
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        held = inf.pending
        fut = inf.send(ws, 1, b"x", "op", 5.0)
        inf.fail_all(ConnectionLost("dropped", sent=True))
        assert inf.pending is held and held == {}
        with pytest.raises(ConnectionLost):
            await fut
        inf.send(ws, 2, b"y", "op", 5.0)
        assert 2 in held

    run(main())


def test_answered_requests_do_not_pile_up_in_the_deadline_heap():
    """A long-lived session answers thousands of requests within one timeout: the heap keeps about what
    still waits, not every request of the last ``timeout`` seconds (each push would sift through them)."""
    async def main():
        inf, ws = InflightRequests("t"), Socket()
        slow = inf.send(ws, "slow", b"s", "op", 30.0)      # waits throughout, with the latest deadline
        for i in range(5000):
            inf.send(ws, i, b"x", "op", 10.0)
            assert inf.resolve(i, b"ok")
        assert len(inf._heap) <= 3 and len(inf) == 1 and not slow.done()
        late = inf.send(ws, "late", b"l", "op", 0.05)       # an earlier deadline than the waiting one
        with pytest.raises(RequestTimeout):
            await late
        assert not slow.done() and "slow" in inf
        inf.fail_all(ConnectionLost("stopped", sent=True))

    run(main())


def test_register_tracks_a_request_written_elsewhere():
    """A compiled writer writes its own frame, then registers it: answered by id, or timed out."""
    async def main():
        inf = InflightRequests("t")
        answered, lost = inf.register(b"k-1", "op", 5.0), inf.register(b"k-2", "op", 0.05)
        assert inf.resolve(b"k-1", b"ok") and await answered == b"ok"
        with pytest.raises(RequestTimeout) as exc:
            await lost
        assert exc.value.sent is True and len(inf) == 0

    run(main())
