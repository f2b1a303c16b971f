"""The simulator's withdrawals, the same for every personality: the venue-side address list, the
withdrawals themselves with statuses that move over time, and a log of every withdraw request.

A personality checks a request against its own coin configuration and answers in its own words;
then :meth:`WithdrawalLedger.create` makes the withdrawal.  The rules:

1. The funds leave the account's free balance at request time (amount + fee) and are held here;
   nothing is created or destroyed: :meth:`WithdrawalLedger.totals` counts what is held and what
   has left the exchange, so ``SimExchange.totals()`` stays equal to its starting totals.
2. A withdrawal is ``pending``, then ``processing`` after half of ``seconds``, then final after
   ``seconds`` (2 s by default): ``completed`` (the fee to the fee pool, the amount gone out), or
   ``failed`` when its address is in :attr:`WithdrawalLedger.failing` (amount and fee given back).
   ``cancel`` gives a ``pending`` one back (``cancelled``) where the personality offers it.
3. Only addresses on the venue-side list (``SimExchange(withdraw_addresses=...)``, ``python -m
   engine sim --withdraw-address``) may receive: the list is the account's address book on every
   venue that keeps one, and an empty list lets nothing out.
4. :attr:`WithdrawalLedger.requests` logs every withdraw request a personality handled, refused
   or not, and :attr:`WithdrawalLedger.arrived` every request that reached a personality's wallet
   endpoints at all (before its signature was checked), so a test can prove that nothing was sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from engine.sim.accounts import InsufficientBalance
from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, exact

__all__ = ["SimNetwork", "SimWithdrawal", "WithdrawRequestLog", "WithdrawalLedger", "STATES", "refusal"]

log = logging.getLogger("engine.sim.withdrawals")

STATES = ("pending", "processing", "completed", "failed", "cancelled")
FINAL = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True)
class SimNetwork:
    """One network an asset can be withdrawn on, as a personality's coin configuration lists it
    (``name``: the venue's name for it; ``max_amount``/``step`` None: no limit, no step)."""

    asset: str
    name: str
    fee: Decimal
    min_amount: Decimal
    max_amount: Decimal | None
    step: Decimal | None
    address_regex: str
    memo_regex: str | None = None
    memo_required: bool = False
    enabled: bool = True
    default: bool = False
    title: str = ""


def refusal(net: SimNetwork | None, amount: Decimal, address: str, memo: str | None, allowed: bool) -> str | None:
    """Why the venue refuses this withdrawal before creating it, as a neutral word the personality
    answers in its own terms, or None: ``network`` (none such), ``disabled``, ``min_amount``,
    ``max_amount``, ``step``, ``address``, ``memo_not_supported``, ``memo_required``, ``memo``,
    ``not_allowed`` (not on the venue-side list).  The balance is :meth:`WithdrawalLedger.create`'s."""
    if net is None:
        return "network"
    if not net.enabled:
        return "disabled"
    if amount < net.min_amount:
        return "min_amount"
    if net.max_amount is not None and amount > net.max_amount:
        return "max_amount"
    if net.step is not None and amount % net.step != 0:
        return "step"
    if not re.fullmatch(net.address_regex, address):
        return "address"
    if memo:
        if net.memo_regex is None:
            return "memo_not_supported"
        if not re.fullmatch(net.memo_regex, memo):
            return "memo"
    elif net.memo_required:
        return "memo_required"
    if not allowed:
        return "not_allowed"
    return None


@dataclass
class SimWithdrawal:
    """One withdrawal.  ``seq`` is the ledger's number for it; ``wid`` the id the venue shows."""

    seq: int
    wid: str
    key: str                    # the account's API key
    wallet: str                 # the engine venue name of the wallet it left
    asset: str
    network: str
    address: str
    memo: str
    amount: Decimal
    fee: Decimal
    client_id: str
    created_ms: int
    fails: bool
    status: str = "pending"
    updated_ms: int = 0
    tx_id: str = ""
    reason: str = ""

    @property
    def final(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class WithdrawRequestLog:
    """One withdraw request as a personality received it: ``outcome`` is the withdrawal's id, or the
    venue's error code/label when it refused."""

    wallet: str
    key: str
    client_id: str
    address: str
    outcome: str
    ts_ms: int


class WithdrawalLedger:
    """Every withdrawal of one simulator (module docstring)."""

    def __init__(self, sim, addresses=(), seconds: float = 2.0) -> None:
        if not seconds > 0:
            raise ValueError("withdrawals take a positive number of seconds")
        self.sim = sim
        self.addresses: list[str] = []
        for a in addresses:
            self.allow(a)
        self.seconds = float(seconds)
        self.failing: set[str] = set()
        self.records: dict[str, SimWithdrawal] = {}             # wid -> withdrawal, oldest first
        self.requests: list[WithdrawRequestLog] = []
        self.arrived: list[tuple[str, str, str]] = []            # (wallet, method, path) of every request
        self.held: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)     # (wallet, asset): in flight
        self.sent: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)     # (wallet, asset): gone out
        self._seq = count(1)
        self._task: asyncio.Task | None = None

    # -- the venue-side address list ------------------------------------------------------------
    def allow(self, address: str) -> None:
        if not isinstance(address, str) or not address or any(c.isspace() for c in address):
            raise ValueError(f"withdraw address {address!r}: a non-empty string without blanks")
        if address not in self.addresses:
            self.addresses.append(address)

    def allowed(self, address: str) -> bool:
        return address in self.addresses

    def fail_to(self, address: str) -> None:
        """Withdrawals to ``address`` made from now on fail (after being processed) and are refunded."""
        self.failing.add(address)

    # -- requests and withdrawals -----------------------------------------------------------------
    def heard(self, wallet: str, method: str, path: str) -> None:
        self.arrived.append((wallet, method, path))

    def log_request(self, wallet: str, key: str, client_id: str, address: str, outcome) -> None:
        self.requests.append(WithdrawRequestLog(wallet, key, client_id or "", address or "", str(outcome), now_ms()))

    def requests_of(self, wallet: str, key: str | None = None) -> list[WithdrawRequestLog]:
        return [r for r in self.requests if r.wallet == wallet and (key is None or r.key == key)]

    @exact
    def create(self, acct, wallet: str, asset: str, network: str, address: str, memo: str, amount: Decimal,
               fee: Decimal, client_id: str, id_of=str) -> SimWithdrawal:
        """Debit ``amount + fee`` from the account's free balance and start the withdrawal; raises
        :class:`~engine.sim.accounts.InsufficientBalance` (nothing moved) when it is not free."""
        self.advance()
        bal = acct.wallets[wallet][asset]
        total = amount + fee
        if total <= 0 or bal.free < total:
            raise InsufficientBalance(asset)
        bal.free -= total
        self.held[(wallet, asset)] += total
        seq = next(self._seq)
        now = now_ms()
        w = SimWithdrawal(seq, id_of(seq), acct.key, wallet, asset, network, address, memo or "", amount, fee,
                          client_id or "", now, address in self.failing, updated_ms=now)
        self.records[w.wid] = w
        log.info("withdrawal %s: %s %s on %s from %s", w.wid, amount, asset, network, wallet)
        return w

    @exact
    def advance(self, now: int | None = None) -> None:
        """Move every withdrawal on to where its age puts it."""
        now = now_ms() if now is None else now
        full = int(self.seconds * 1000)
        for w in self.records.values():
            if w.final:
                continue
            age = now - w.created_ms
            if age >= full:
                self._finish(w, "failed" if w.fails else "completed", now)
            elif age >= full // 2 and w.status == "pending":
                w.status, w.updated_ms = "processing", now

    def _finish(self, w: SimWithdrawal, status: str, now: int) -> None:
        key = (w.wallet, w.asset)
        self.held[key] -= w.amount + w.fee
        if status == "completed":
            self.sim.core.ledger.fees[key] += w.fee
            self.sent[key] += w.amount
            w.tx_id = f"0x{w.seq:064x}"
        else:
            acct = self.sim.core.ledger.accounts[w.key]
            acct.wallets[w.wallet][w.asset].free += w.amount + w.fee
            w.reason = "withdrawal failed" if status == "failed" else "cancelled by the user"
        w.status, w.updated_ms = status, now

    @exact
    def cancel(self, wid: str) -> SimWithdrawal | None:
        """Cancel a ``pending`` withdrawal (funds given back); None when there is none to cancel."""
        self.advance()
        w = self.records.get(wid)
        if w is None or w.status != "pending":
            return None
        self._finish(w, "cancelled", now_ms())
        return w

    def of(self, key: str, wallet: str) -> list[SimWithdrawal]:
        """The account's withdrawals from ``wallet``, oldest first, moved on to now."""
        self.advance()
        return [w for w in self.records.values() if w.key == key and w.wallet == wallet]

    def count(self, key: str, wallet: str, client_id: str) -> int:
        """How many withdrawals the account has under ``client_id`` (exactly-once tests assert 1)."""
        return sum(1 for w in self.records.values() if w.key == key and w.wallet == wallet
                   and w.client_id == client_id)

    def totals(self) -> dict[tuple[str, str], Decimal]:
        """Per (wallet, asset): what is held for withdrawals in flight plus what has gone out."""
        out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for k, v in self.held.items():
            out[k] += v
        for k, v in self.sent.items():
            out[k] += v
        return dict(out)

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            try:
                self.advance()
            except Exception:  # pragma: no cover - a bug here must not stop the server
                log.exception("withdrawal step failed")
