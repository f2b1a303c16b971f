"""The Binance spot wallet client (engine.venues.binance.wallet): signing over exactly the bytes sent, the
withdrawal vectors of the fact sheets, the SAPI records read into neutral ones, one request per withdrawal.

The wire checks run against a small loopback server that only records what arrives and answers the fact
sheet's shapes (shared/venues/binance-spot.md §9).
"""

import asyncio
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest
from engine.venues.binance.wallet import STATUS, BinanceWallet, network_of, withdrawal_of
from engine.venues.wallet import WithdrawalStatus, WithdrawRequest
from tests.support.recorder import Recorder

KEY, SECRET = "wallet-key-0001", "wallet-secret-never-shown-0001"
MEXC_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"        # mexc-spot.md §3 (same HMAC-SHA256 over query+body)
ADDRESS = "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_withdrawal_vectors_of_the_fact_sheets():
    """mexc-spot.md §3's computed withdraw vectors (HMAC-SHA256 over the query, as Binance REST signs): the
    network name's parentheses percent-encoded, and raw; the signer's binance path reproduces both."""
    signer = RequestSigner(MEXC_SECRET)
    base = "coin=USDT&netWork={}&address=" + ADDRESS + "&amount=10&withdrawOrderId=wd-0001"
    assert signer.sign_binance(base.format("BEP20%28BSC%29"), 1700000000000) == \
        "40286dd0b7bf8d1ab95b538462692470b230783ce231384d523dfa1557805ca6"
    assert signer.sign_binance(base.format("BEP20(BSC)"), 1700000000000) == \
        "b3e2d9f7ba10dac81fc003489f4fe09f8896108593648361f8d232b0302c96fe"


def test_sign_query_encodes_before_signing():
    rest = BinanceRest(VenueConfig.local("binance-spot", "http://127.0.0.1:9", KEY, SECRET))
    q = rest.sign_query({"coin": "USDT", "network": "BEP20(BSC)", "address": ADDRESS, "addressTag": None,
                         "amount": "10"})
    signed, _, signature = q.rpartition("&signature=")
    assert "network=BEP20%28BSC%29" in signed and "addressTag" not in signed
    assert signature == hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()


async def _wallet(url, **settings):
    rest = BinanceRest(VenueConfig.local("binance-spot", url, KEY, SECRET, **settings))
    await rest.start(sync_clock=False)
    return rest, BinanceWallet(rest)


def _request(network="BEP20(BSC)", memo=None):
    return WithdrawRequest("USDT", Decimal("10.5"), ADDRESS, network, memo, "wd-0001")


def test_withdraw_is_signed_over_the_bytes_that_arrive():
    async def main():
        async with Recorder({"/sapi/v1/capital/withdraw/apply": (200, {"id": "7213fea8e94b4a55"})}) as srv:
            rest, wallet = await _wallet(srv.url)
            try:
                req = _request()
                before = rest.clock.now_ms()
                w = await wallet.withdraw(req)
            finally:
                await rest.close()
        assert (w.withdrawal_id, w.client_id, w.status, w.amount) == ("7213fea8e94b4a55", "wd-0001",
                                                                       WithdrawalStatus.PENDING, Decimal("10.5"))
        assert req.sent_ms >= before
        [(method, path, query, body)] = srv.seen
        raw = query + body                       # Binance signs query + body with no separator
        signed, _, signature = raw.rpartition("&signature=")
        assert signature == hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()
        params = dict(parse_qsl(signed))
        assert "network=BEP20%28BSC%29" in signed
        assert params == {"coin": "USDT", "withdrawOrderId": "wd-0001", "network": "BEP20(BSC)", "address": ADDRESS,
                          "amount": "10.5", "recvWindow": "5000", "timestamp": params["timestamp"]}
        assert method == "POST"

    run(main())


def test_withdraw_is_sent_once_whatever_the_answer():
    """A 5xx leaves the outcome unknown and is never retried by the transport; a documented wallet refusal is
    typed (nothing exists); an answer without an id is unknown."""
    async def main():
        path = "/sapi/v1/capital/withdraw/apply"
        script = {path: [(503, {"code": -1000, "msg": "busy"}),
                         (400, {"code": -4026, "msg": "User has insufficient balance"}),
                         (400, {"code": -4019, "msg": "Current asset is not open for withdrawal"}),
                         (200, {"ok": True})]}
        async with Recorder(script) as srv:
            rest, wallet = await _wallet(srv.url, retry_delays=(0.01, 0.01))
            try:
                with pytest.raises(E.OutcomeUnknown) as lost:
                    await wallet.withdraw(_request())
                assert not lost.value.not_executed
                assert len(srv.seen) == 1
                with pytest.raises(E.InsufficientFunds):
                    await wallet.withdraw(_request())
                with pytest.raises(E.WithdrawalRejected) as refused:
                    await wallet.withdraw(_request())
                assert refused.value.not_executed and E.is_definite_rejection(refused.value)
                with pytest.raises(E.OutcomeUnknown):
                    await wallet.withdraw(_request())
                assert len(srv.seen) == 4
            finally:
                await rest.close()

    run(main())


def test_history_networks_and_address_book_requests():
    coin = {"coin": "USDT", "name": "TetherUS", "networkList": [
        {"network": "ETH", "coin": "USDT", "withdrawEnable": True, "withdrawFee": "1.5", "withdrawMin": "10",
         "withdrawMax": "9999999", "withdrawIntegerMultiple": "0.000001", "addressRegex": "^(0x)[0-9A-Fa-f]{40}$",
         "memoRegex": "", "sameAddress": False, "isDefault": True, "name": "Ethereum (ERC20)"},
        {"network": "BNB", "coin": "USDT", "withdrawEnable": False, "withdrawFee": "0.8", "withdrawMin": "0.01",
         "withdrawMax": "0", "withdrawIntegerMultiple": "0", "addressRegex": "^(bnb1)[0-9a-z]{38}$",
         "memoRegex": "^[0-9A-Za-z\\-_]{1,120}$", "sameAddress": True, "isDefault": False}]}
    rows = [{"id": "b6ae22b3aa844210a7041aee7589627c", "amount": "8.91000000", "transactionFee": "0.004",
             "coin": "USDT", "status": 6, "address": ADDRESS, "txId": "0xb5ef8c", "applyTime": "2019-10-12 11:12:02",
             "network": "ETH", "transferType": 0, "withdrawOrderId": "wd-0001", "info": "", "confirmNo": 3},
            {"id": "156ec387f49b41df8724fa744fa82719", "amount": "0.00150000", "transactionFee": "0.004",
             "coin": "USDT", "status": 5, "address": ADDRESS, "applyTime": "2019-09-24 12:43:45", "network": "ETH",
             "info": "The address is not valid."}]

    async def main():
        async with Recorder({"/sapi/v1/capital/config/getall": (200, [{"coin": "BTC", "networkList": []}, coin]),
                             "/sapi/v1/capital/withdraw/history": (200, rows),
                             "/sapi/v1/capital/withdraw/address/list": (200, [
                                 {"address": ADDRESS, "addressTag": "", "coin": "USDT", "name": "mine",
                                  "network": "ETH", "origin": "bla", "originType": "others", "whiteStatus": True},
                                 {"address": "bc1qxyz", "coin": "BTC", "network": "BTC"}])}) as srv:
            rest, wallet = await _wallet(srv.url)
            try:
                nets = await wallet.networks("USDT")
                assert await wallet.networks("DOGE") == []
                hist = await wallet.history("USDT", None, 50, client_id="wd-0001")
                book = await wallet.address_book("USDT")
                with pytest.raises(ValueError):
                    await wallet.history(None, None, 1001)
            finally:
                await rest.close()
        eth, bnb = nets
        assert (eth.network, eth.withdraw_enabled, eth.fee, eth.min_amount, eth.max_amount, eth.multiple) == \
            ("ETH", True, Decimal("1.5"), Decimal("10"), Decimal("9999999"), Decimal("0.000001"))
        assert (eth.memo_allowed, eth.memo_required, eth.is_default, eth.name) == (False, False, True,
                                                                                   "Ethereum (ERC20)")
        assert (bnb.withdraw_enabled, bnb.max_amount, bnb.multiple, bnb.memo_required, bnb.memo_allowed) == \
            (False, None, None, True, True)
        assert [h.status for h in hist] == [WithdrawalStatus.FAILED, WithdrawalStatus.COMPLETED]   # oldest first
        assert hist[0].reason == "The address is not valid." and hist[1].reason == ""
        assert (hist[1].client_id, hist[1].fee, hist[1].tx_id, hist[1].time_ms) == \
            ("wd-0001", Decimal("0.004"), "0xb5ef8c", 1570878722000)
        assert [(b.address, b.network) for b in book] == [(ADDRESS, "ETH")]
        history_query = dict(parse_qsl(srv.seen[2][2]))
        assert history_query["coin"] == "USDT" and history_query["withdrawOrderId"] == "wd-0001"
        assert history_query["limit"] == "50" and "idList" not in history_query

    run(main())


def test_status_codes_map_to_one_enum():
    assert {c: s.value for c, s in STATUS.items()} == {
        0: "pending", 1: "cancelled", 2: "pending", 3: "failed", 4: "processing", 5: "failed", 6: "completed"}
    base = {"id": "x", "amount": "1", "coin": "USDT", "address": ADDRESS, "network": "ETH"}
    assert withdrawal_of({**base, "status": 7}).status is WithdrawalStatus.UNKNOWN
    assert withdrawal_of({**base, "status": "6"}).status is WithdrawalStatus.UNKNOWN
    assert withdrawal_of({**base, "status": 1, "info": "by user"}).reason == "by user"
    net = network_of({"network": "TRX", "withdrawEnable": True, "withdrawFee": "1", "withdrawMin": "x",
                      "withdrawTag": True})
    assert net.min_amount == 0 and net.memo_required
