"""Withdrawals end to end on the simulator (engine.oms.withdrawals over each venue's wallet endpoints and
engine.sim.withdrawals): through to completed, a failure refunded, every pre-send check refusing with nothing
sent (the simulator's request log shows no withdraw request), a lost answer resolved to exactly one
withdrawal, the allow-list empty by default."""

import asyncio
import logging
from decimal import Decimal

import pytest

import engine
from engine import WithdrawalStatus
from tests.support.engine_fixtures import KEY, SECRET, engine_on_sim, run, until

ETH_ADDR = "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"
FAILING = "0x1111111111111111111111111111111111111111"
NOT_IN_BOOK = "0x2222222222222222222222222222222222222222"
TRX_BAD = "T-not-a-tron-address"
TON_ADDR = "EQ" + "a" * 46
BTC_ADDR = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
VENUE_LIST = [ETH_ADDR, FAILING, TRX_BAD, TON_ADDR, BTC_ADDR]
ALLOW = [ETH_ADDR, FAILING, NOT_IN_BOOK, f"{TRX_BAD} network=TRX", TON_ADDR, BTC_ADDR]
SPEED = {"withdraw_seconds": 0.4}
VENUES = ["binance-spot", "gateio", "mexc"]
# Per venue: its withdraw request (a fault target), and the checks only its coin configuration allows
APPLY = {"binance-spot": "POST sapi/v1/capital/withdraw/apply", "gateio": "POST api/v4/withdrawals",
         "mexc": "POST api/v3/capital/withdraw"}
LIMITS = {"binance-spot": ("9.99", "10000001"), "gateio": ("1.49", "100001"),      # under the min, over the max
          "mexc": ("9.99", "1000001")}
NETWORK = {"binance-spot": "ETH", "gateio": "ETH", "mexc": "BEP20(BSC)"}   # MEXC: parentheses signed as sent
FORMAT_CHECKS = {  # address and memo patterns: Binance's coin configuration has them, Gate's has none
    "binance-spot": [(engine.InvalidWithdrawAddress, "address_format", ("USDT", "10", TRX_BAD, "TRX")),
                     (engine.InvalidWithdrawAddress, "memo_required", ("USDT", "10", TON_ADDR, "TON")),
                     (engine.InvalidWithdrawAddress, "memo_not_supported", ("USDT", "10", ETH_ADDR, "ETH", "123"))],
    "gateio": [], "mexc": []}


def sim_kwargs(**extra):
    return {"withdraw_addresses": VENUE_LIST, **SPEED, **extra}


async def final(eng, client_id, timeout=5.0):
    """The withdrawal once the venue reports it final (asked again every 50 ms)."""
    end = asyncio.get_running_loop().time() + timeout
    while not (w := await eng.withdrawal_status(client_id)).is_final:
        assert asyncio.get_running_loop().time() < end, f"{client_id} still {w.status}"
        await asyncio.sleep(0.05)
    return w


def withdraw_posts(sim):
    return [a for a in sim.withdrawals.arrived if a[1] == "POST"]


@pytest.mark.parametrize("venue", VENUES)
def test_allowlist_empty_by_default_sends_nothing(venue):
    async def main():
        async with engine_on_sim(venue, sim_kwargs=sim_kwargs()) as (sim, eng):
            assert eng.config.withdraw_allowlist == ()
            with pytest.raises(engine.WithdrawalNotAllowed) as info:
                await eng.withdraw("USDT", "10", ETH_ADDR, "ETH")
            assert info.value.rule == "allowlist_empty"
            assert sim.withdrawals.arrived == [] and sim.withdrawals.requests == []

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_withdrawal_completes_and_a_failed_one_is_refunded(venue, caplog):
    caplog.set_level(logging.DEBUG)

    async def main():
        async with engine_on_sim(venue, sim_kwargs=sim_kwargs(), config={"withdraw_allowlist": ALLOW}) as (sim, eng):
            wallet = venue
            nets = await eng.withdrawal_networks("USDT")
            net = NETWORK[venue]
            eth = next(n for n in nets if n.network == net)
            free0 = sim.balance(KEY, "USDT", wallet)[0]
            w = await eng.withdraw("USDT", "10", ETH_ADDR, net, client_id="wd-done-1")
            assert w.withdrawal_id and w.client_id == "wd-done-1" and w.status is WithdrawalStatus.PENDING
            assert w.address == "0x7130...ad9c" and w.amount == Decimal("10") and w.fee == eth.fee
            assert sim.balance(KEY, "USDT", wallet)[0] == free0 - 10 - eth.fee      # debited at request time
            again = await eng.withdraw("USDT", "10", ETH_ADDR, net, client_id="wd-done-1")
            assert again.withdrawal_id == w.withdrawal_id and len(withdraw_posts(sim)) == 1
            done = await final(eng, "wd-done-1")
            assert done.status is WithdrawalStatus.COMPLETED and done.tx_id and done.fee == eth.fee

            sim.withdrawals.fail_to(FAILING)
            failed = await eng.withdraw("USDT", "20", FAILING, "ETH")
            out = await final(eng, failed.client_id)
            assert out.status is WithdrawalStatus.FAILED and out.reason
            assert sim.balance(KEY, "USDT", wallet)[0] == free0 - 10 - eth.fee         # the failed one refunded

            history = await eng.withdrawal_history("USDT")
            assert {h.client_id: h.status for h in history} == {
                "wd-done-1": WithdrawalStatus.COMPLETED, failed.client_id: WithdrawalStatus.FAILED}
            assert await eng.withdrawal_status(w.withdrawal_id) == done
            assert sim.withdrawals.count(KEY, wallet, "wd-done-1") == 1
            assert sim.totals() == sim.initial_totals
            assert eng.stats()["withdrawals"]["sent"] == 2

    run(main())
    said = caplog.text
    assert "0x7130...ad9c" in said and "wd-done-1" in said             # logged, the address shortened
    assert ETH_ADDR not in said and FAILING not in said and SECRET not in said


@pytest.mark.parametrize("venue", VENUES)
def test_each_check_refuses_with_nothing_sent(venue):
    async def main():
        config = {"withdraw_allowlist": ALLOW, "withdraw_daily_limits": {"ETH": "1"}}
        async with engine_on_sim(venue, sim_kwargs=sim_kwargs(), config=config) as (sim, eng):
            cases = [
                (engine.WithdrawalNotAllowed, "allowlist", ("USDT", "10", "0xdead", "ETH")),
                (engine.UnknownWithdrawNetwork, "network", ("USDT", "10", ETH_ADDR, "ERC20")),
                (engine.WithdrawNetworkDisabled, "network_disabled", ("USDT", "10", ETH_ADDR, "SOL")),
                (engine.WithdrawAmountError, "min_amount", ("USDT", LIMITS[venue][0], ETH_ADDR, "ETH")),
                (engine.WithdrawAmountError, "max_amount", ("USDT", LIMITS[venue][1], ETH_ADDR, "ETH")),
                (engine.WithdrawAmountError, "precision", ("USDT", "10.0000001", ETH_ADDR, "ETH")),
                *FORMAT_CHECKS[venue],
                (engine.AddressNotInAddressBook, "address_book", ("USDT", "10", NOT_IN_BOOK, "ETH")),
                (engine.WithdrawDailyLimit, "daily_limit", ("ETH", "1.5", ETH_ADDR, "ETH")),
                (engine.WithdrawBalanceTooLow, "balance", ("BTC", "9.9999", BTC_ADDR, "BTC")),
            ]
            for exc, rule, args in cases:
                with pytest.raises(exc) as info:
                    await eng.withdraw(*args)
                assert info.value.rule == rule, (rule, info.value)
            with pytest.raises(TypeError):
                await eng.withdraw("USDT", 10.0, ETH_ADDR, "ETH")
            with pytest.raises(ValueError):
                await eng.withdraw("USDT", "10", ETH_ADDR, "ETH", client_id="no spaces allowed")
            assert withdraw_posts(sim) == [] and sim.withdrawals.requests == []
            assert eng.stats()["withdrawals"]["refused"] == len(cases)

    run(main())


@pytest.mark.parametrize("process", ["first", "later"])
@pytest.mark.parametrize("venue", VENUES)
def test_a_lost_answer_resolves_to_exactly_one_withdrawal(venue, process):
    target = APPLY[venue]
    delay = ",delay_ms=600" if process == "later" else ""

    async def main():
        faults = [f"{target}:unknown:process={process}{delay},nth=1"]
        async with engine_on_sim(venue, faults=faults, sim_kwargs=sim_kwargs(),
                                 config={"withdraw_allowlist": ALLOW}) as (sim, eng):
            w = await eng.withdraw("USDT", "12", ETH_ADDR, "ETH", client_id=f"wd-lost-{process}")
            assert w.status is WithdrawalStatus.UNKNOWN and w.withdrawal_id is None
            assert len(withdraw_posts(sim)) == 1
            same = await eng.withdraw("USDT", "12", ETH_ADDR, "ETH", client_id=f"wd-lost-{process}")
            assert same.status is WithdrawalStatus.UNKNOWN and len(withdraw_posts(sim)) == 1    # never re-sent
            await sim.settle_later()
            await until(lambda: eng.withdrawals.counts["resolved"] == 1, timeout=8, what="resolved")
            done = await final(eng, w.client_id)
            assert done.status is WithdrawalStatus.COMPLETED and done.withdrawal_id
            assert sim.withdrawals.count(KEY, venue, w.client_id) == 1
            assert len(withdraw_posts(sim)) == 1
            assert sim.totals() == sim.initial_totals

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_a_request_the_venue_never_took_ends_failed_and_frees_its_client_id(venue):
    """No answer and no withdrawal: once the request can no longer be accepted (timestamp + recvWindow), two
    answers apart, the engine says FAILED "never reached the venue"; nothing was sent again."""
    async def main():
        faults = [f"{APPLY[venue]}:unknown:process=never,nth=1"]
        async with engine_on_sim(venue, faults=faults, sim_kwargs=sim_kwargs(),
                                 config={"withdraw_allowlist": ALLOW, "recv_window_ms": 500 if venue != "mexc" else 1000}
                                 ) as (sim, eng):
            w = await eng.withdraw("USDT", "12", ETH_ADDR, "ETH", client_id="wd-never")
            assert w.status is WithdrawalStatus.UNKNOWN
            await until(lambda: eng.withdrawals.counts["not_placed"] == 1, timeout=8, what="concluded")
            gone = await eng.withdrawal_status("wd-never")
            assert gone.status is WithdrawalStatus.FAILED and "never reached" in gone.reason
            assert len(withdraw_posts(sim)) == 1 and sim.withdrawals.count(KEY, venue, "wd-never") == 0
            again = await eng.withdraw("USDT", "12", ETH_ADDR, "ETH", client_id="wd-never")   # the id is free
            assert again.withdrawal_id and len(withdraw_posts(sim)) == 2
            assert sim.withdrawals.count(KEY, venue, "wd-never") == 1

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_where_the_venue_offers_it(venue):
    async def main():
        async with engine_on_sim(venue, sim_kwargs=sim_kwargs(withdraw_seconds=30),
                                 config={"withdraw_allowlist": ALLOW}) as (sim, eng):
            free0 = sim.balance(KEY, "USDT", venue)[0]
            w = await eng.withdraw("USDT", "10", ETH_ADDR, "ETH")
            if not eng.adapter.withdrawal_cancel:
                with pytest.raises(engine.EngineError):
                    await eng.cancel_withdrawal(w.client_id)
                return
            out = await eng.cancel_withdrawal(w.client_id)
            assert out.status is WithdrawalStatus.CANCELLED and out.client_id == w.client_id
            assert sim.balance(KEY, "USDT", venue)[0] == free0
            assert (await eng.withdrawal_status(w.client_id)).status is WithdrawalStatus.CANCELLED
            with pytest.raises(engine.VenueError):           # no longer cancellable
                await eng.cancel_withdrawal(w.client_id)
            assert sim.totals() == sim.initial_totals

    run(main())
