"""The Gate.io wallet client (engine.venues.gateio.wallet): the sheet's withdrawal vector (gateio-spot.md §3) on
the bytes that arrive, one request per withdrawal, typed refusals, the chains, fees, history, address book and
cancel read into neutral records, the status words (§9)."""

import asyncio
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from engine.config import Endpoints, VenueConfig
from engine.venues import errors as E
from engine.venues.gateio.adapter import GateAdapter
from engine.venues.gateio.wallet import STATUS, withdrawal_of
from engine.venues.wallet import WithdrawalStatus, WithdrawRequest
from tests.support.recorder import Recorder

TS = 1541993715
ADDRESS = "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"
BODY = ('{"withdraw_order_id":"wd-0001","currency":"USDT","address":"0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c",'
        '"amount":"10","chain":"ETH"}')
SIGN = ("6cff0090d4602c2219d924c5b89d9ec48055fe7e2af0ca19d426c2ba9f73058892617bd0eaee5f005910b243b0f639b3bf6845bf5"
        "bd8043226ae7c1ff673522e")
ANSWER = {"id": "w1879219868", "timestamp": "1700000000", "withdraw_order_id": "wd-0001", "currency": "USDT",
          "address": ADDRESS, "txid": "", "amount": "10", "memo": "", "status": "REQUEST", "chain": "ETH"}


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


async def adapter_at(url):
    config = VenueConfig("gateio", Endpoints(f"{url}/api/v4", "ws://127.0.0.1:9/ws/v4", "ws://127.0.0.1:9/ws/v4"),
                         "key", "secret", retry_delays=(0.01,))
    adapter = GateAdapter(config)
    await adapter.rest.start(sync_clock=False)
    return adapter


def test_withdraw_carries_the_sheets_vector():
    async def main():
        async with Recorder({"/api/v4/withdrawals": (200, ANSWER)}) as srv:
            adapter = await adapter_at(srv.url)
            adapter.clock.now_ms = lambda: TS * 1000 + 250
            try:
                req = WithdrawRequest("USDT", Decimal("10"), ADDRESS, "ETH", None, "wd-0001")
                w = await adapter.withdraw(req)
            finally:
                await adapter.rest.close()
        [(method, path, query, body)] = srv.seen
        assert (method, path, query, body) == ("POST", "/api/v4/withdrawals", "", BODY)
        headers = srv.headers[0]
        assert headers["SIGN"] == SIGN and headers["Timestamp"] == str(TS) and headers["KEY"] == "key"
        assert headers["X-Gate-Exptime"] == str(TS * 1000 + 250 + 5000)
        assert (w.withdrawal_id, w.client_id, w.status, w.venue_status, w.fee) == \
            ("w1879219868", "wd-0001", WithdrawalStatus.PENDING, "REQUEST", None)
        assert req.sent_ms == TS * 1000 + 250

    run(main())


def test_withdraw_is_sent_once_and_refusals_are_typed():
    async def main():
        script = {"/api/v4/withdrawals": [
            (500, {"label": "INTERNAL", "message": "x"}),
            (400, {"label": "INVALID_PARAM_VALUE",
                   "message": "Error: only used addresses or verified addresses are allowed for api withdrawal"}),
            (400, {"label": "BALANCE_NOT_ENOUGH", "message": "not enough"}),
            (200, {"status": "REQUEST"})]}
        async with Recorder(script) as srv:
            adapter = await adapter_at(srv.url)
            try:
                req = WithdrawRequest("USDT", Decimal("10"), ADDRESS, "ETH", "memo-1", "wd-0002")
                with pytest.raises(E.OutcomeUnknown):
                    await adapter.withdraw(req)
                assert len(srv.seen) == 1
                with pytest.raises(E.WithdrawalRejected) as refused:
                    await adapter.withdraw(req)
                assert E.is_definite_rejection(refused.value)
                with pytest.raises(E.InsufficientFunds):
                    await adapter.withdraw(req)
                with pytest.raises(E.OutcomeUnknown):
                    await adapter.withdraw(req)
            finally:
                await adapter.rest.close()
        assert len(srv.seen) == 4 and '"memo":"memo-1","chain":"ETH"}' in srv.seen[0][3]

    run(main())


def test_networks_history_book_and_cancel():
    chains = [{"chain": "ETH", "name_cn": "", "name_en": "ETH/ERC20", "contract_address": "", "is_disabled": 0,
               "is_deposit_disabled": 0, "is_withdraw_disabled": 0, "decimal": "6"},
              {"chain": "TRX", "name_en": "TRX/TRC20", "is_disabled": 0, "is_withdraw_disabled": 1, "decimal": "6"}]
    status = [{"currency": "USDT", "name": "Tether", "withdraw_percent": "0%", "withdraw_fix": "2",
               "withdraw_day_limit": "500000", "withdraw_amount_mini": "1.5", "withdraw_eachtime_limit": "100000",
               "withdraw_fix_on_chains": {"ETH": "3.5", "TRX": "1"}}]
    rows = [{**ANSWER, "status": "DONE", "block_number": "1234", "fee": "3.5", "txid": "0xabc",
             "timestamp": "1700000100"},
            {**ANSWER, "id": "w2", "withdraw_order_id": "wd-0002", "status": "DONE", "block_number": "0",
             "timestamp": "1700000050"},
            {**ANSWER, "id": "w3", "withdraw_order_id": "", "status": "FAIL", "fail_reason": "bad address",
             "timestamp": "1700000010"}]

    async def main():
        async with Recorder({"/api/v4/wallet/currency_chains": (200, chains),
                             "/api/v4/wallet/withdraw_status": (200, status),
                             "/api/v4/wallet/withdrawals": (200, rows),
                             "/api/v4/wallet/saved_address": (200, [
                                 {"currency": "USDT", "chain": "ETH", "address": ADDRESS, "name": "cold", "tag": "",
                                  "verified": "1"},
                                 {"currency": "USDT", "chain": "ETH", "address": "0xunverified", "verified": "0"}]),
                             "/api/v4/withdrawals/w1879219868": (200, {**ANSWER, "status": "CANCEL"})}) as srv:
            adapter = await adapter_at(srv.url)
            try:
                nets = await adapter.withdrawal_networks("USDT")
                hist = await adapter.withdrawal_history("USDT", None, 100, client_id="wd-0001")
                book = await adapter.withdraw_address_book("USDT")
                cancelled = await adapter.cancel_withdrawal("w1879219868")
            finally:
                await adapter.rest.close()
        eth, trx = nets
        assert (eth.network, eth.name, eth.withdraw_enabled, eth.fee, eth.min_amount, eth.max_amount, eth.multiple) \
            == ("ETH", "ETH/ERC20", True, Decimal("3.5"), Decimal("1.5"), Decimal("100000"), Decimal("0.000001"))
        assert eth.address_regex is None and not trx.withdraw_enabled and trx.fee == 1
        assert [(h.withdrawal_id, h.status) for h in hist] == [
            ("w3", WithdrawalStatus.FAILED), ("w2", WithdrawalStatus.PROCESSING), ("w1879219868",
                                                                                  WithdrawalStatus.COMPLETED)]
        assert hist[0].reason == "bad address" and hist[2].fee == Decimal("3.5") and hist[2].time_ms == 1700000100000
        query = dict(parse_qsl(srv.seen[2][2]))
        assert query == {"currency": "USDT", "withdraw_order_id": "wd-0001", "limit": "100"}
        assert [b.address for b in book] == [ADDRESS]
        assert cancelled.status is WithdrawalStatus.CANCELLED and srv.seen[-1][0] == "DELETE"
        assert adapter.withdrawal_cancel is True

    run(main())


def test_status_words():
    assert {k: v.value for k, v in STATUS.items()} == {
        "REQUEST": "pending", "MANUAL": "pending", "VERIFY": "pending", "DMOVE": "pending", "REVIEW": "pending",
        "PEND": "processing", "PROCES": "processing", "EXTPEND": "processing", "SPLITPEND": "processing",
        "BCODE": "processing", "DONE": "completed", "CANCEL": "cancelled", "FAIL": "failed", "INVALID": "failed"}
    assert withdrawal_of({**ANSWER, "status": "NEWWORD"}).status is WithdrawalStatus.UNKNOWN
    assert withdrawal_of({**ANSWER, "status": "DONE"}).status is WithdrawalStatus.PROCESSING   # no block yet
