"""The lean HTTP/1.1 order path against real loopback servers (plain and TLS), on asyncio and uvloop."""

import asyncio
import contextlib
import datetime
import ipaddress
import ssl

import pytest
import uvloop
from aiohttp import web

from engine.transport.errors import ConnectFailed, ConnectionLost, ProtocolError, RequestTimeout
from engine.transport.fast_http import FastHttpClient

LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


@pytest.fixture(params=sorted(LOOPS))
def run(request):
    def _run(coro):
        loop = LOOPS[request.param]()
        try:
            return loop.run_until_complete(asyncio.wait_for(coro, 20))
        finally:
            loop.close()

    return _run


async def echo_app_server(ssl_context=None):
    async def order(request):
        body = await request.read()
        delay = float(request.query.get("delay", "0"))
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(
            {"path": request.path, "query": request.query_string, "body": body.decode(),
             "key": request.headers.get("X-MBX-APIKEY")},
            headers={"X-MBX-USED-WEIGHT-1M": "7"},
        )

    app = web.Application()
    app.router.add_route("*", "/api/v3/order", order)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


async def raw_server(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_keepalive_and_pipelining(run):
    async def main():
        runner, port = await echo_app_server()
        client = FastHttpClient(f"http://127.0.0.1:{port}")
        try:
            headers = b"X-MBX-APIKEY: key123\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            conn = await client.connection()
            # several requests in flight on one connection, answers matched in order
            futs = [conn.send(client.build_request(b"POST", b"/api/v3/order?n=%d" % i, headers, b"qty=%d" % i))
                    for i in range(20)]
            answers = await asyncio.gather(*futs)
            assert [a.status for a in answers] == [200] * 20
            import json
            bodies = [json.loads(a.body) for a in answers]
            assert [b["query"] for b in bodies] == [f"n={i}" for i in range(20)]
            assert [b["body"] for b in bodies] == [f"qty={i}" for i in range(20)]
            assert bodies[0]["key"] == "key123"
            assert answers[0].header("x-mbx-used-weight-1m") == "7"
            # keep-alive: still the same connection
            again = await client.request(client.build_request(b"GET", b"/api/v3/order", headers))
            assert again.status == 200 and (await client.connection()) is conn
            assert client.reconnects == 0
        finally:
            await client.close()
            await runner.cleanup()

    run(main())


def test_timeout_fails_everything_in_flight_and_reconnects(run):
    async def main():
        runner, port = await echo_app_server()
        client = FastHttpClient(f"http://127.0.0.1:{port}", read_timeout=0.2)
        try:
            conn = await client.connection()
            slow = conn.send(client.build_request(b"GET", b"/api/v3/order?delay=1", b""))
            behind = conn.send(client.build_request(b"GET", b"/api/v3/order", b""))
            for fut in (slow, behind):
                with pytest.raises(RequestTimeout) as err:
                    await fut
                assert err.value.sent and err.value.outcome_unknown
            assert not conn.is_open
            ok = await client.request(client.build_request(b"GET", b"/api/v3/order", b""))
            assert ok.status == 200 and client.reconnects == 1
        finally:
            await client.close()
            await runner.cleanup()

    run(main())


def test_connection_closed_mid_answer(run):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":")
        await writer.drain()
        writer.close()

    async def main():
        server, port = await raw_server(handler)
        client = FastHttpClient(f"http://127.0.0.1:{port}")
        try:
            with pytest.raises(ConnectionLost) as err:
                await client.request(client.build_request(b"POST", b"/x", b"", b"a=1"))
            assert err.value.sent
        finally:
            await client.close()
            server.close()

    run(main())


def test_chunked_answer_and_garbage(run):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    async def main():
        server, port = await raw_server(handler)
        client = FastHttpClient(f"http://127.0.0.1:{port}")
        try:
            ok = await client.request(client.build_request(b"GET", b"/a", b""))
            assert ok.body == b"hello world"
            with pytest.raises(ProtocolError):
                await client.request(client.build_request(b"GET", b"/b", b""))
        finally:
            await client.close()
            server.close()

    run(main())


def test_connect_failure_is_safe_to_retry(run):
    async def main():
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        client = FastHttpClient(f"http://127.0.0.1:{port}", connect_timeout=1)
        with pytest.raises(ConnectFailed) as err:
            await client.request(b"GET / HTTP/1.1\r\n\r\n")
        assert not err.value.sent and err.value.retry_safe

    run(main())


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_with_verified_certificate(run, tmp_path):
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)

    async def main():
        runner, port = await echo_app_server(server_ctx)
        trusting = ssl.create_default_context(cafile=str(cert))
        client = FastHttpClient(f"https://127.0.0.1:{port}", ssl_context=trusting)
        try:
            ok = await client.request(client.build_request(b"POST", b"/api/v3/order", b"", b"x=1"))
            assert ok.status == 200 and b'"x=1"' in ok.body
        finally:
            await client.close()
        # the default context does not trust a self-signed certificate
        strict = FastHttpClient(f"https://127.0.0.1:{port}")
        with pytest.raises(ConnectFailed):
            await strict.request(b"GET / HTTP/1.1\r\n\r\n")
        await runner.cleanup()

    run(main())



# -- interim answers, 101, size caps, fail(), current(), cleartext (hardening) ----------------

@contextlib.asynccontextmanager
async def scripted(*answers):
    """A raw server that reads one request head per answer and writes the answer verbatim.

    An answer is bytes, or a list of byte chunks written with a short pause between them.
    Yields the port; on exit the server and every handler task are closed and awaited.
    """
    tasks = set()

    async def handler(reader, writer):
        tasks.add(asyncio.current_task())
        try:
            for answer in answers:
                await reader.readuntil(b"\r\n\r\n")
                for chunk in (answer if isinstance(answer, list) else [answer]):
                    writer.write(chunk)
                    await writer.drain()
                    if isinstance(answer, list):
                        await asyncio.sleep(0.02)
            await reader.read()  # until the client closes
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server, port = await raw_server(handler)
    try:
        yield port
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def client_of(port, **kw):
    client = FastHttpClient(f"http://127.0.0.1:{port}", **kw)
    try:
        yield client
    finally:
        await client.close()


def _get(client, target=b"/x"):
    return client.build_request(b"GET", target, b"")


def test_interim_1xx_answers_are_skipped_not_paired(run):
    first = (b"HTTP/1.1 100 Continue\r\n\r\n"
             b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
             b"HTTP/1.1 102 Processing\r\n\r\n"
             b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
    second = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 6\r\n\r\nsecond"

    async def main():
        async with scripted(first, second) as port, client_of(port) as client:
            conn = await client.connection()
            a, b = conn.send(_get(client)), conn.send(_get(client))
            ra, rb = await a, await b
            assert (ra.status, ra.body) == (200, b"first")
            assert (rb.status, rb.body) == (201, b"second")
            assert conn.interim_answers == 4 and conn.responses_received == 2 and conn.is_open

    run(main())


def test_101_switching_protocols_fails_the_connection(run):
    upgrade = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello"

    async def main():
        async with scripted(upgrade) as port, client_of(port) as client:
            conn = await client.connection()
            futs = [conn.send(_get(client)), conn.send(_get(client))]
            for fut in futs:
                with pytest.raises(ProtocolError, match="101") as err:
                    await fut
                assert err.value.sent
            assert not conn.is_open and client.current() is None

    run(main())


@pytest.mark.parametrize("answer, cap, match", [
    # declared too large: refused at the header, before the body arrives
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", dict(max_body_bytes=1000), "2000 bytes"),
    # chunked, grows past the cap
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"] + [b"200\r\n" + b"x" * 512 + b"\r\n"] * 3,
     dict(max_body_bytes=1000), "body over"),
    # 101 header lines against the default cap of 100
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"Content-Length: 0\r\n\r\n",
     {}, "more than 100 header lines"),
    # header lines adding up past the default head cap of 64 KiB
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 1000) for i in range(70)) + b"\r\n",
     {}, "head over 65536 bytes"),
    # one header line that never ends, fed in pieces: caught by the bytes fed, not by on_header
    ([b"HTTP/1.1 200 OK\r\nX-Big: "] + [b"a" * 4096] * 40, dict(max_header_bytes=16384), "head over 16384"),
], ids=["content-length", "chunked-body", "header-count", "head-bytes", "endless-header-line"])
def test_answers_over_a_cap_fail_the_connection(run, answer, cap, match):
    async def main():
        async with scripted(answer) as port, client_of(port, read_timeout=5, **cap) as client:
            conn = await client.connection()
            futs = [conn.send(_get(client)), conn.send(_get(client))]
            for fut in futs:
                with pytest.raises(ProtocolError, match=match) as err:
                    await asyncio.wait_for(fut, 2)  # well before the read timeout
                assert err.value.sent
            assert not conn.is_open

    run(main())


def test_answers_at_the_caps_pass(run):
    head_at_cap = b"".join(b"X-%d: v\r\n" % i for i in range(99))  # + Content-Length = 100 lines
    answers = (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000,
               b"HTTP/1.1 200 OK\r\n" + head_at_cap + b"Content-Length: 2\r\n\r\nok")

    async def main():
        async with scripted(*answers) as port, client_of(port, max_body_bytes=1000) as client:
            assert len((await client.request(_get(client))).body) == 1000
            r = await client.request(_get(client))
            assert r.body == b"ok" and len(r.headers) == 100

    run(main())


def test_fail_closes_and_fails_everything_in_flight(run):
    pairing = ProtocolError("answer names another client order id: pairing broken", sent=True)
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    async def main():
        async with scripted([b"", ok], ok, ok) as port, client_of(port) as client:
            assert client.current() is None  # current() never connects
            conn = await client.connection()
            assert client.current() is conn
            futs = [conn.send(_get(client)) for _ in range(3)]
            conn.fail(pairing)
            for fut in futs:
                with pytest.raises(ProtocolError) as err:
                    await fut
                assert err.value is pairing
            assert not conn.is_open and client.current() is None
            with pytest.raises(ConnectionLost) as lost:
                conn.send(_get(client))
            assert not lost.value.sent
            await asyncio.sleep(0.1)  # answers still coming on the failed connection are dropped unread
            assert conn.responses_received == 0
        async with scripted(ok) as port, client_of(port) as client:  # the client reconnects on demand
            conn = await client.connection()
            conn.fail(pairing)
            assert (await client.request(_get(client))).body == b"ok"
            assert client.current() is not conn and client.reconnects == 1

    run(main())


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.5:8080", "http://api.binance.com"])
def test_cleartext_to_a_remote_host_is_refused(url):
    from engine.errors import ConfigError

    with pytest.raises(ConfigError, match="plain http"):
        FastHttpClient(url)
    with pytest.raises(ValueError):  # ConfigError is a ValueError
        FastHttpClient(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "https://example.com"])
def test_loopback_cleartext_and_remote_tls_are_accepted(url):
    FastHttpClient(url)
