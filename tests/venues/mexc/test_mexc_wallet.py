"""The MEXC wallet client (engine.venues.mexc.wallet): the sheet's withdrawal vectors (mexc-spot.md §3), a network
name with parentheses signed and sent in one spelling, one request per withdrawal, typed refusals (10212,
10232), the coin configuration, history (matched by client id here), address book and statuses (§9)."""

import asyncio
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from engine._signer import RequestSigner
from engine.config import Endpoints, VenueConfig
from engine.venues import errors as E
from engine.venues.mexc.adapter import MexcAdapter
from engine.venues.mexc.rest import encode_params
from engine.venues.mexc.wallet import STATUS, withdrawal_of
from engine.venues.wallet import WithdrawalStatus, WithdrawRequest
from tests.support.recorder import Recorder

SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
ADDRESS = "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


def test_withdrawal_vectors():
    params = {"coin": "USDT", "netWork": "BEP20(BSC)", "address": ADDRESS, "amount": "10",
              "withdrawOrderId": "wd-0001"}
    query = encode_params(params)
    assert "netWork=BEP20%28BSC%29" in query
    signer = RequestSigner(SECRET)
    assert signer.sign_binance(query, 1700000000000) == \
        "40286dd0b7bf8d1ab95b538462692470b230783ce231384d523dfa1557805ca6"
    raw = query.replace("%28", "(").replace("%29", ")")
    assert signer.sign_binance(raw, 1700000000000) == \
        "b3e2d9f7ba10dac81fc003489f4fe09f8896108593648361f8d232b0302c96fe"


async def adapter_at(url):
    config = VenueConfig("mexc", Endpoints(url, None, "ws://127.0.0.1:9/ws"), "k", SECRET, retry_delays=(0.01,))
    adapter = MexcAdapter(config)
    await adapter.rest.start(sync_clock=False)
    return adapter


def test_withdraw_signed_as_sent_once_and_typed():
    async def main():
        path = "/api/v3/capital/withdraw"
        script = {path: [(200, {"id": "7213fea8e94b4a5593d507237e5a555b"}),
                         (500, {"code": 500, "msg": "internal"}),
                         (400, {"code": 10212, "msg": "withdraw address not in the allow-list"}),
                         (400, {"code": 10232, "msg": "network error"}),
                         (400, {"code": 10101, "msg": "Insufficient balance"})]}
        async with Recorder(script) as srv:
            adapter = await adapter_at(srv.url)
            try:
                req = WithdrawRequest("USDT", Decimal("10"), ADDRESS, "BEP20(BSC)", None, "wd-0001")
                w = await adapter.withdraw(req)
                with pytest.raises(E.OutcomeUnknown):
                    await adapter.withdraw(req)
                assert len(srv.seen) == 2
                for exc in (E.WithdrawalRejected, E.WithdrawalRejected, E.InsufficientFunds):
                    with pytest.raises(exc) as info:
                        await adapter.withdraw(req)
                    assert E.is_definite_rejection(info.value)
            finally:
                await adapter.rest.close()
        assert (w.withdrawal_id, w.client_id, w.network, w.status) == (
            "7213fea8e94b4a5593d507237e5a555b", "wd-0001", "BEP20(BSC)", WithdrawalStatus.PENDING)
        method, _, query, body = srv.seen[0]
        assert method == "POST" and body == ""
        signed, _, signature = query.rpartition("&signature=")
        assert "netWork=BEP20%28BSC%29" in signed and "memo" not in signed
        assert signature == hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()

    run(main())


def test_networks_history_book_and_cancel():
    coins = [{"coin": "USDT", "name": "USDT", "networkList": [
        {"coin": "USDT", "network": "BNB Smart Chain(BEP20)", "netWork": "BEP20(BSC)", "withdrawEnable": True,
         "withdrawFee": "1", "withdrawMin": "10", "withdrawMax": "1000000", "withdrawIntegerMultiple": "0.01",
         "sameAddress": False, "isDefault": True},
        {"coin": "USDT", "network": "TON", "netWork": "TON", "withdrawEnable": False, "withdrawFee": "0.1",
         "withdrawMin": "1", "withdrawMax": "", "sameAddress": True}]}]
    rows = [{"id": "a1", "coin": "USDT", "network": "BEP20(BSC)", "address": ADDRESS, "amount": "10", "status": 7,
             "transactionFee": "1", "applyTime": 1700000100000, "withdrawOrderId": "wd-0001", "txId": "0xdef"},
            {"id": "a2", "coin": "USDT", "network": "BEP20(BSC)", "address": ADDRESS, "amount": "20", "status": 8,
             "applyTime": 1700000000000, "withdrawOrderId": "wd-0002", "remark": "failed on chain"},
            {"id": "a3", "coin": "USDT", "address": ADDRESS, "amount": "5", "status": 9, "applyTime": 1700000200000}]

    async def main():
        async with Recorder({"/api/v3/capital/config/getall": (200, coins),
                             "/api/v3/capital/withdraw/history": (200, rows),
                             "/api/v3/capital/withdraw/address": [
                                 (200, {"data": [{"coin": "USDT", "network": "BEP20(BSC)", "address": ADDRESS}],
                                        "totalRecords": 2, "page": 1, "totalPageNum": 2}),
                                 (200, {"data": [{"coin": "USDT", "network": "TON", "address": "UQabc",
                                                  "memo": "77"}], "totalRecords": 2, "page": 2, "totalPageNum": 2})],
                             "/api/v3/capital/withdraw": (200, {"id": "a3"})}) as srv:
            adapter = await adapter_at(srv.url)
            try:
                nets = await adapter.withdrawal_networks("USDT")
                mine = await adapter.withdrawal_history("USDT", None, 10, client_id="wd-0002")
                every = await adapter.withdrawal_history(None, None, 10)
                book = await adapter.withdraw_address_book("USDT")
                cancelled = await adapter.cancel_withdrawal("a3")
            finally:
                await adapter.rest.close()
        bsc, ton = nets
        assert (bsc.network, bsc.name, bsc.fee, bsc.min_amount, bsc.max_amount, bsc.multiple, bsc.is_default) == (
            "BEP20(BSC)", "BNB Smart Chain(BEP20)", 1, 10, 1000000, Decimal("0.01"), True)
        assert not ton.withdraw_enabled and ton.memo_required and ton.max_amount is None
        assert [(w.withdrawal_id, w.status, w.reason) for w in mine] == [("a2", WithdrawalStatus.FAILED,
                                                                          "failed on chain")]
        assert [w.withdrawal_id for w in every] == ["a2", "a1", "a3"]
        assert dict(parse_qsl(srv.seen[1][2]))["limit"] == "1000"       # matched here: a whole page asked
        assert dict(parse_qsl(srv.seen[2][2]))["limit"] == "10"
        assert [(b.address, b.memo) for b in book] == [(ADDRESS, ""), ("UQabc", "77")]
        assert cancelled.status is WithdrawalStatus.CANCELLED
        assert srv.seen[-2][0] == "DELETE" and dict(parse_qsl(srv.seen[-2][2]))["id"] == "a3"

    run(main())


def test_status_codes():
    assert {c: s.value for c, s in STATUS.items()} == {
        1: "pending", 2: "pending", 3: "pending", 10: "pending", 4: "processing", 5: "processing", 6: "processing",
        7: "completed", 8: "failed", 9: "cancelled"}
    base = {"id": "x", "coin": "USDT", "amount": "1"}
    assert withdrawal_of({**base, "status": 11}).status is WithdrawalStatus.UNKNOWN
    assert withdrawal_of({**base, "status": 7, "applyTime": "2023-11-14 22:13:20"}).time_ms == 1700000000000
