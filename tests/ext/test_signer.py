"""engine._signer: official venue test vectors, differential tests against hmac/hashlib on
both SHA-256 paths, buffer variants, secrecy, threads and allocation counts."""

import hashlib
import hmac
import pickle
import random
import threading
from urllib.parse import quote

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._signer import (
    RequestSigner,
    repeat_sign_binance,
    sha256_hex,
    sha512_hex,
    sha512_openssl,
    sha_ni_available,
    use_sha512_openssl,
)
from engine.secret import Secret

# Both compression paths: the CPU's SHA extensions (when present) and portable C.
PATHS = [pytest.param(False, id="best"), pytest.param(True, id="portable")]

BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
BINANCE_TS = 1499827319559
USDM_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
MEXC_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"


def ref256(key, msg):
    key = key.encode() if isinstance(key, str) else key
    msg = msg.encode() if isinstance(msg, str) else msg
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def ref512(key, msg):
    key = key.encode() if isinstance(key, str) else key
    msg = msg.encode() if isinstance(msg, str) else msg
    return hmac.new(key, msg, hashlib.sha512).hexdigest()


def test_sha_ni_detection_matches_cpuinfo():
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        pytest.skip("no /proc/cpuinfo")
    assert sha_ni_available() == (" sha_ni" in flags)
    assert RequestSigner("k").portable == (not sha_ni_available())
    assert RequestSigner("k", portable=True).portable is True


# ---- official test vectors (shared/venues) -------------------------------------


@pytest.mark.parametrize("portable", PATHS)
def test_binance_spot_rest_vectors(portable):
    s = RequestSigner(BINANCE_SECRET, portable=portable)
    expected = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    assert s.sign_binance(BINANCE_QUERY, BINANCE_TS) == expected
    assert s.sign_binance(BINANCE_QUERY.encode(), BINANCE_TS) == expected
    assert s.hmac_sha256(f"{BINANCE_QUERY}&timestamp={BINANCE_TS}") == expected
    # Non-ASCII symbol, percent-encoded (UTF-8) before signing on REST.
    symbol = quote("１２３４５６", safe="")
    assert symbol == "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"
    query = BINANCE_QUERY.replace("LTCBTC", symbol)
    assert s.sign_binance(query, BINANCE_TS) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"


@pytest.mark.parametrize("portable", PATHS)
def test_binance_ws_api_vectors(portable):
    s = RequestSigner(BINANCE_SECRET, portable=portable)
    payload = (
        f"apiKey={BINANCE_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL"
        "&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
    )
    assert s.hmac_sha256(payload) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    # WS API signs raw UTF-8 (str is signed as UTF-8), params sorted, up to timestamp.
    query = (
        f"apiKey={BINANCE_KEY}&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY"
        "&symbol=１２３４５６&timeInForce=GTC"
    )
    payload = query + "&timestamp=1645423376532&type=LIMIT"
    assert s.hmac_sha256(payload) == "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"


@pytest.mark.parametrize("portable", PATHS)
def test_binance_usdm_vector(portable):
    s = RequestSigner(USDM_SECRET, portable=portable)
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000"
    assert s.sign_binance(query, 1591702613943) == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"


@pytest.mark.parametrize("portable", PATHS)
def test_mexc_vectors_2_and_3(portable):
    s = RequestSigner(MEXC_SECRET, portable=portable)
    ts = 1644489390087
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000"
    assert s.sign_binance(query, ts) == "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
    mixed = "symbol=BTCUSDT&side=BUY&type=LIMIT" + "quantity=1&price=11&recvWindow=5000"
    assert s.sign_binance(mixed, ts) == "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"


@pytest.fixture(params=["openssl", "portable"])
def sha512_path(request):
    """Every SHA-512 check on both compressions: OpenSSL's (when the process has it) and the portable C."""
    if request.param == "openssl" and not sha512_openssl():
        pytest.skip("no OpenSSL SHA512_Transform in this process")
    assert use_sha512_openssl(request.param == "openssl") == (request.param == "openssl")
    yield request.param
    use_sha512_openssl(True)


@pytest.mark.usefixtures("sha512_path")
def test_gateio_vectors():
    s = RequestSigner("secret")
    empty = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
    assert sha512_hex(b"") == empty
    body = '{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
    assert sha512_hex(body) == (
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417e091d0bd22bafe5d956cca"
    )
    get = s.sign_gateio("GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", "", 1541993715)
    assert get == (
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a"
    )
    post = s.sign_gateio(b"POST", b"/api/v4/futures/orders", b"", body.encode(), 1541993715)
    assert post == (
        "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0"
    )


# ---- differential against hashlib / hmac ---------------------------------------------


@pytest.mark.parametrize("portable", PATHS)
def test_sha256_every_length_around_block_edges(portable):
    rng = random.Random(1)
    for n in list(range(0, 260)) + [447, 448, 511, 512, 1000, 4095, 4096, 65537]:
        data = rng.randbytes(n)
        assert sha256_hex(data, portable) == hashlib.sha256(data).hexdigest(), n


@pytest.mark.usefixtures("sha512_path")
def test_sha512_every_length_around_block_edges():
    rng = random.Random(2)
    for n in list(range(0, 300)) + [1023, 1024, 4096, 65537]:
        data = rng.randbytes(n)
        assert sha512_hex(data) == hashlib.sha512(data).hexdigest(), n


@pytest.mark.parametrize("portable", PATHS)
@pytest.mark.usefixtures("sha512_path")
def test_hmac_random_keys_and_messages(portable):
    rng = random.Random(3 + portable)
    for i in range(2500):
        key = rng.randbytes(rng.choice([rng.randint(1, 64), rng.randint(65, 300)]))
        msg = rng.randbytes(rng.randint(0, 4096) if i % 4 == 0 else rng.randint(0, 300))
        s = RequestSigner(key, portable=portable)
        assert s.hmac_sha256(msg) == ref256(key, msg)
        assert s.hmac_sha512(msg) == ref512(key, msg)


@pytest.mark.parametrize("portable", PATHS)
def test_venue_payloads_random(portable):
    rng = random.Random(5 + portable)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=&.-_"
    for _ in range(1500):
        key = "".join(rng.choices(alphabet, k=rng.randint(1, 130)))
        s = RequestSigner(key, portable=portable)
        query = "".join(rng.choices(alphabet, k=rng.randint(0, 600)))
        ts = rng.randint(0, 2**53)
        expected = ref256(key, (query + "&" if query else "") + f"timestamp={ts}")
        assert s.sign_binance(query, ts) == expected
        api_key = "".join(rng.choices(alphabet, k=18))
        rw = rng.randint(1, 60000)
        assert s.sign_bybit(ts, api_key, rw, query) == ref256(key, f"{ts}{api_key}{rw}{query}")
        assert s.sign_bybit_ws(ts) == ref256(key, f"GET/realtime{ts}")
        body = query.encode()
        gate = f"DELETE\n/api/v4/spot/orders\n{query[:40]}\n{hashlib.sha512(body).hexdigest()}\n{ts}"
        assert s.sign_gateio("DELETE", "/api/v4/spot/orders", query[:40], body, ts) == ref512(key, gate)


def test_empty_query_signs_timestamp_only():
    s = RequestSigner(BINANCE_SECRET)
    assert s.sign_binance("", 1700000000000) == ref256(BINANCE_SECRET, "timestamp=1700000000000")


def test_inputs_of_every_bytes_like_type_sign_alike():
    s = RequestSigner(BINANCE_SECRET)
    expected = s.sign_binance(BINANCE_QUERY, BINANCE_TS)
    raw = BINANCE_QUERY.encode()
    for q in (raw, bytearray(raw), memoryview(raw)):
        assert s.sign_binance(q, BINANCE_TS) == expected
    with pytest.raises(TypeError, match="str or a bytes-like"):
        s.sign_binance(12345, BINANCE_TS)
    with pytest.raises(OverflowError):
        s.sign_binance(BINANCE_QUERY, 2**64)


def test_hex_is_lowercase():
    s = RequestSigner(MEXC_SECRET)
    for i in range(50):
        sig = s.sign_binance(f"i={i}", i)
        assert sig == sig.lower() and len(sig) == 64
    assert s.sign_gateio("GET", "/", "", "", 1) == s.sign_gateio("GET", "/", "", "", 1).lower()


# ---- into-buffer variants --------------------------------------------------------------


def test_into_variants_write_exactly_their_window():
    s = RequestSigner(BINANCE_SECRET)
    buf = bytearray(b"#" * 300)
    assert s.sign_binance_into(BINANCE_QUERY, BINANCE_TS, buf, 10) == 64
    assert buf[10:74].decode() == s.sign_binance(BINANCE_QUERY, BINANCE_TS)
    assert buf[:10] == b"#" * 10 and buf[74:] == b"#" * 226
    assert s.hmac_sha256_into(b"abc", memoryview(buf)[100:], 0) == 64
    assert buf[100:164].decode() == ref256(BINANCE_SECRET, "abc")
    assert s.sign_bybit_into(1, "key", 5000, "{}", buf, 200) == 64
    assert buf[200:264].decode() == ref256(BINANCE_SECRET, "1key5000{}")
    assert s.sign_bybit_ws_into(99, buf) == 64
    assert buf[:64].decode() == ref256(BINANCE_SECRET, "GET/realtime99")
    assert s.sign_gateio_into("GET", "/p", "a=1", "", 7, buf, 100) == 128
    assert buf[100:228].decode() == s.sign_gateio("GET", "/p", "a=1", "", 7)


def test_into_rejects_short_readonly_and_bad_offsets():
    s = RequestSigner(BINANCE_SECRET)
    with pytest.raises(ValueError, match="64 bytes"):
        s.sign_binance_into(BINANCE_QUERY, 1, bytearray(63))
    with pytest.raises(ValueError):
        s.sign_binance_into(BINANCE_QUERY, 1, bytearray(100), 37)
    with pytest.raises(ValueError):
        s.sign_binance_into(BINANCE_QUERY, 1, bytearray(100), -1)
    with pytest.raises(ValueError, match="128 bytes"):
        s.sign_gateio_into("GET", "/", "", "", 1, bytearray(127))
    with pytest.raises((TypeError, BufferError)):
        s.sign_binance_into(BINANCE_QUERY, 1, bytes(64))


def test_c_entry_point_matches_python_api():
    s = RequestSigner(BINANCE_SECRET)
    out = bytearray(64)
    repeat_sign_binance(s, BINANCE_QUERY.encode(), BINANCE_TS, 3, out)
    assert out.decode() == s.sign_binance(BINANCE_QUERY, BINANCE_TS)


# ---- secrecy -----------------------------------------------------------------------------


def test_secret_never_shown():
    s = RequestSigner(BINANCE_SECRET)
    for text in (repr(s), str(s), format(s)):
        assert BINANCE_SECRET not in text and BINANCE_SECRET[:8] not in text
    with pytest.raises(TypeError) as exc:
        pickle.dumps(s)
    assert BINANCE_SECRET not in str(exc.value)
    assert not hasattr(s, "secret") and not hasattr(s, "__dict__")


def test_constructor_errors_do_not_echo_the_value():
    with pytest.raises(TypeError) as exc:
        RequestSigner(1234567890123)
    assert "1234567890123" not in str(exc.value)
    with pytest.raises(ValueError):
        RequestSigner(b"")


def test_secret_object_and_str_and_bytes_give_the_same_key():
    a = RequestSigner(Secret(BINANCE_SECRET)).sign_binance(BINANCE_QUERY, BINANCE_TS)
    b = RequestSigner(BINANCE_SECRET.encode()).sign_binance(BINANCE_QUERY, BINANCE_TS)
    c = RequestSigner(BINANCE_SECRET).sign_binance(BINANCE_QUERY, BINANCE_TS)
    assert a == b == c


def test_non_ascii_secret_is_utf8():
    assert RequestSigner("ключ").hmac_sha256("m") == ref256("ключ".encode(), b"m")


# ---- threads -------------------------------------------------------------------------------


@pytest.mark.parametrize("portable", PATHS)
def test_parallel_signing_from_threads_is_correct(portable):
    signers = [RequestSigner(f"secret-{i}", portable=portable) for i in range(3)]
    jobs = [(i % 3, f"symbol=BTCUSDT&quantity={i}&price={i * 7}", 1700000000000 + i) for i in range(3000)]
    expected = [ref256(f"secret-{k}", f"{q}&timestamp={ts}") for k, q, ts in jobs]
    results = [[None] * len(jobs) for _ in range(6)]
    errors = []
    start = threading.Barrier(6)

    def worker(t):
        try:
            start.wait()
            buf = bytearray(64)
            for j, (k, q, ts) in enumerate(jobs):
                if (j + t) % 2:
                    results[t][j] = signers[k].sign_binance(q, ts)
                else:
                    signers[k].sign_binance_into(q, ts, buf)
                    results[t][j] = buf.decode()
        except BaseException as e:  # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for t in range(6):
        assert results[t] == expected


# ---- allocations ---------------------------------------------------------------------------


def test_into_variants_allocate_nothing():
    s = RequestSigner(BINANCE_SECRET)
    q = BINANCE_QUERY.encode()
    qs = BINANCE_QUERY
    buf = bytearray(256)
    view = memoryview(buf)
    ts = BINANCE_TS
    body = b'{"category":"linear","symbol":"BTCUSDT"}'

    def binance():
        s.sign_binance_into(q, ts, buf, 0)

    def binance_str_query():
        s.sign_binance_into(qs, ts, view, 64)

    def bybit():
        s.sign_bybit_into(ts, "KEY", 5000, body, buf, 0)

    def gate():
        s.sign_gateio_into(b"POST", b"/api/v4/spot/orders", b"", body, 1541993715, buf, 100)

    # The counting loop itself keeps one block (its last loop int): compare with an empty call.
    baseline = allocated_blocks_delta(_noop)
    for fn in (binance, binance_str_query, bybit, gate):
        assert python_allocations_per_call_bytes(fn) == 0, fn.__name__
        assert allocated_blocks_delta(fn) == baseline, fn.__name__


def test_str_returning_variant_keeps_nothing():
    s = RequestSigner(BINANCE_SECRET)
    q = BINANCE_QUERY.encode()
    assert allocated_blocks_delta(lambda: s.sign_binance(q, BINANCE_TS)) == allocated_blocks_delta(_noop)
    # ...but it does make its result string, and the counter sees it (the 0s above are real).
    assert python_allocations_per_call_bytes(lambda: s.sign_binance(q, BINANCE_TS)) >= 64


def _noop():
    return None
