"""Withdrawals: checked before anything is sent, sent once, never retried blindly.

Composed into :class:`~engine.oms.engine.Engine` (``eng.withdraw``, ``withdrawal_status``,
``withdrawal_history``, ``withdrawal_networks``, ``cancel_withdrawal``).  The rules:

1. Every check of :mod:`engine.oms.withdraw_checks` passes before the request is written;
   one withdrawal is checked and sent at a time, so two cannot both pass a balance or
   daily-limit check that only one of them fits.
2. One client id, one withdrawal.  A second ``withdraw`` with the client id of one the
   engine knows returns that one (sending nothing); a client id given by the caller is
   also looked up in the venue's history first, so a restart does not forget it.
3. The request is never retried by the transport.  A documented refusal raises the
   venue's typed error (nothing exists; the client id is free again).  Any other outcome
   (no answer, a 5xx, an undocumented code, an unreadable answer, the caller's task
   cancelled after the write) leaves the withdrawal UNKNOWN, returned as such, and
   resolved through the venue's history by its client id: found, it takes the venue's
   status; not found once the venue can no longer accept the request (its timestamp +
   recvWindow, plus a margin and the round trip, confirmed by two answers ``confirm_s``
   apart), it is FAILED with the reason "never reached the venue" and its client id is free.
   Nothing is ever sent again on the caller's behalf.
4. Networks (the venue's coin configuration) are cached per asset for ``networks_ttl_s``
   (``refresh=True`` asks again); balances, the address book, the history and the daily
   limit are asked of the venue at each withdrawal.
5. Logged at INFO: asset, amount, network, client id and the address shortened; never a
   secret, never a whole address.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from engine._fixedpoint import to_decimal
from engine.errors import EngineError
from engine.oms import withdraw_checks as checks
from engine.oms.live import since_ms
from engine.oms.views import Withdrawal
from engine.transport.errors import TransportError
from engine.venues.base import Capability
from engine.venues.errors import VenueError, is_definite_rejection
from engine.venues.wallet import (FINAL_WITHDRAWAL_STATES, VenueWithdrawal, WithdrawalStatus, WithdrawNetwork,
                                  WithdrawRequest)
from engine.withdraw_allowlist import read_allowlist_file, shorten

__all__ = ["Withdrawals"]

log = logging.getLogger("engine.oms.withdrawals")

DAY_MS = 86_400_000
HISTORY_LIMIT = 1000
_NOT_COUNTED = (WithdrawalStatus.FAILED, WithdrawalStatus.CANCELLED)


@dataclass(slots=True)
class _Tracked:
    """A withdrawal this engine sent (or found at the venue under a client id it was asked for)."""

    request: WithdrawRequest
    status: WithdrawalStatus
    withdrawal_id: str | None = None
    fee: Decimal | None = None
    tx_id: str = ""
    time_ms: int = 0
    reason: str = ""

    def view(self) -> Withdrawal:
        r = self.request
        return Withdrawal(self.withdrawal_id, r.client_id, self.status, r.asset, r.amount, self.fee, r.network,
                          shorten(r.address), self.tx_id, self.time_ms, self.reason)

    def take(self, vw: VenueWithdrawal) -> None:
        self.withdrawal_id = vw.withdrawal_id or self.withdrawal_id
        self.status = vw.status
        self.fee = vw.fee if vw.fee is not None else self.fee
        self.tx_id = vw.tx_id or self.tx_id
        self.time_ms = vw.time_ms or self.time_ms
        self.reason = vw.reason or self.reason


class Withdrawals:
    """The withdrawals of one engine (module docstring)."""

    def __init__(self, engine, *, networks_ttl_s: float = 300.0, margin_ms: int = 500, confirm_s: float = 0.3,
                 max_poll_s: float = 10.0, give_up_s: float = 600.0) -> None:
        self.eng = engine
        self.networks_ttl_s = networks_ttl_s
        self.margin_ms = margin_ms
        self.confirm_s = confirm_s
        self.max_poll_s = max_poll_s
        self.give_up_s = give_up_s
        self._networks: dict[str, tuple[float, list[WithdrawNetwork]]] = {}
        self._tracked: dict[str, _Tracked] = {}          # client id -> withdrawal
        self._never_placed: dict[str, _Tracked] = {}     # client id -> a lost one the venue never had (id free)
        self._lock = asyncio.Lock()
        self.counts = {"sent": 0, "refused": 0, "rejected": 0, "unknown": 0, "resolved": 0, "not_placed": 0}

    # -- reads -----------------------------------------------------------------------------------------
    def _adapter(self):
        adapter = self.eng.adapter
        if Capability.WITHDRAWALS not in adapter.capabilities:
            raise EngineError(f"{self.eng.venue} has no withdrawals")
        return adapter

    async def networks(self, asset: str, *, refresh: bool = False) -> list[WithdrawNetwork]:
        asset = _asset(asset)
        adapter = self._adapter()
        cached = self._networks.get(asset)
        now = time.monotonic()
        if refresh or cached is None or now - cached[0] > self.networks_ttl_s:
            cached = (now, list(await adapter.withdrawal_networks(asset)))
            self._networks[asset] = cached
        return list(cached[1])

    async def history(self, asset: str | None = None, since=None, limit: int = HISTORY_LIMIT) -> list[Withdrawal]:
        adapter = self._adapter()
        rows = await adapter.withdrawal_history(_asset(asset) if asset is not None else None, since_ms(since), limit)
        return [self._view(vw) for vw in rows]

    async def status(self, id_or_client_id: str) -> Withdrawal:
        """The venue's word on one withdrawal (by our client id or the venue's id); an UNKNOWN one the venue
        does not list (yet) comes back UNKNOWN."""
        if not isinstance(id_or_client_id, str) or not id_or_client_id:
            raise TypeError(f"a withdrawal id or client id (str), not {id_or_client_id!r}")
        adapter = self._adapter()
        t = self._tracked.get(id_or_client_id) or next(
            (t for t in self._tracked.values() if t.withdrawal_id == id_or_client_id), None)
        if t is None and id_or_client_id in self._never_placed:
            return self._never_placed[id_or_client_id].view()
        if t is not None:
            found = await self._lookup(t)
            if found is not None:
                t.take(found)
            return t.view()
        rows = await adapter.withdrawal_history(None, None, HISTORY_LIMIT, client_id=id_or_client_id)
        rows = [r for r in rows if r.client_id == id_or_client_id] or [
            r for r in await adapter.withdrawal_history(None, None, HISTORY_LIMIT, withdrawal_id=id_or_client_id)
            if r.withdrawal_id == id_or_client_id]
        if not rows:
            raise checks.WithdrawalNotFound(f"{self.eng.venue} has no withdrawal {id_or_client_id!r} (by client id "
                                            "or withdrawal id)")
        return self._view(rows[-1])

    async def cancel(self, withdrawal_id: str) -> Withdrawal:
        adapter = self._adapter()
        if not adapter.withdrawal_cancel:
            raise EngineError(f"{self.eng.venue} offers no withdrawal cancel")
        t = self._tracked.get(withdrawal_id)
        vid = t.withdrawal_id if t is not None else withdrawal_id
        if not vid:
            raise EngineError(f"withdrawal {withdrawal_id} has no venue id yet (its answer was lost): ask "
                              "withdrawal_status() first")
        vw = await adapter.cancel_withdrawal(vid)
        log.info("%s: withdrawal %s cancel asked; the venue says %s", self.eng.venue, vid, vw.status.value)
        return self._view(vw)

    def _view(self, vw: VenueWithdrawal) -> Withdrawal:
        t = self._tracked.get(vw.client_id) if vw.client_id else None
        if t is not None:
            t.take(vw)
            return t.view()
        return Withdrawal(vw.withdrawal_id, vw.client_id, vw.status, vw.asset, vw.amount, vw.fee, vw.network,
                          shorten(vw.address), vw.tx_id, vw.time_ms, vw.reason)

    async def _lookup(self, t: _Tracked) -> VenueWithdrawal | None:
        """The venue's record of ``t`` (by its venue id when known, else its client id), None when absent."""
        adapter = self.eng.adapter
        r = t.request
        if t.withdrawal_id:
            rows = await adapter.withdrawal_history(r.asset, None, HISTORY_LIMIT, withdrawal_id=t.withdrawal_id)
            rows = [x for x in rows if x.withdrawal_id == t.withdrawal_id]
        else:
            rows = await adapter.withdrawal_history(r.asset, None, HISTORY_LIMIT, client_id=r.client_id)
            rows = [x for x in rows if x.client_id == r.client_id]
        return rows[-1] if rows else None

    # -- withdraw ------------------------------------------------------------------------------------
    async def withdraw(self, asset, amount, address, network, memo=None, client_id=None) -> Withdrawal:
        asset = _asset(asset)
        value = checks.parse_amount(amount)
        for name, v in (("address", address), ("network", network)):
            if not isinstance(v, str) or not v or v != v.strip():
                raise ValueError(f"withdrawal {name} must be a non-empty str without surrounding blanks, not {v!r}")
        if memo is not None and (not isinstance(memo, str) or memo != memo.strip()):
            raise ValueError(f"a memo is a str without surrounding blanks, or None, not {memo!r}")
        memo = memo or None
        given = client_id is not None
        client_id = checks.check_client_id(client_id) if given else _new_client_id()
        adapter = self._adapter()
        async with self._lock:
            known = self._tracked.get(client_id)
            if known is not None:
                log.info("%s: withdrawal %s was already made: returning it, sending nothing", self.eng.venue,
                         client_id)
                return known.view()
            try:
                net, fee = await self._check(adapter, asset, value, address, network, memo)
            except checks.WithdrawalRefused as exc:
                self.counts["refused"] += 1
                log.info("%s: withdrawal of %s %s on %s to %s refused before sending (%s)", self.eng.venue, value,
                         asset, network, shorten(address), exc.rule)
                raise
            request = WithdrawRequest(asset, value, address, net.network, memo, client_id)
            t = _Tracked(request, WithdrawalStatus.UNKNOWN, fee=fee)
            if given:
                found = await adapter.withdrawal_history(asset, None, HISTORY_LIMIT, client_id=client_id)
                found = [x for x in found if x.client_id == client_id]
                if found:
                    t.take(found[-1])
                    self._tracked[client_id] = t
                    log.info("%s: withdrawal %s is already at the venue: returning it, sending nothing",
                             self.eng.venue, client_id)
                    return t.view()
            return await self._send(adapter, t)

    async def _check(self, adapter, asset: str, amount: Decimal, address: str, network: str, memo):
        cfg = self.eng.config
        entries = cfg.withdraw_allowlist
        if cfg.withdraw_allowlist_file is not None:
            entries = entries + read_allowlist_file(cfg.withdraw_allowlist_file)
        checks.check_allowlist(entries, address, network, asset, memo)
        try:
            net = checks.pick_network(await self.networks(asset), asset, network)
        except checks.WithdrawalRefused:
            net = checks.pick_network(await self.networks(asset, refresh=True), asset, network)
        checks.check_amount(net, amount)
        checks.check_address(net, address, memo)
        checks.check_address_book(await adapter.withdraw_address_book(asset), address, net.network, asset, memo)
        limit = cfg.withdraw_daily_limits.get(asset)
        if limit is not None:
            checks.check_daily_limit(asset, limit, await self._used_today(adapter, asset), amount)
        free = (await adapter.balances()).get(asset, (0, 0))[0]
        checks.check_balance(asset, to_decimal(free), amount, net.fee)
        return net, net.fee

    async def _used_today(self, adapter, asset: str) -> Decimal:
        """What left (or is leaving) the account in ``asset`` over the last 24 hours, by the venue's history
        plus what this engine sent that the history does not show (yet)."""
        since = adapter.clock.now_ms() - DAY_MS
        rows = await adapter.withdrawal_history(asset, since, HISTORY_LIMIT)
        used = sum((r.amount for r in rows if r.status not in _NOT_COUNTED), Decimal(0))
        listed = {r.client_id for r in rows if r.client_id}
        for t in self._tracked.values():
            r = t.request
            if (r.asset == asset and r.client_id not in listed and t.status not in _NOT_COUNTED
                    and r.sent_ms >= since):
                used += r.amount
        return used

    async def _send(self, adapter, t: _Tracked) -> Withdrawal:
        r = t.request
        venue = self.eng.venue
        self._tracked[r.client_id] = t
        self._never_placed.pop(r.client_id, None)
        log.info("%s: withdrawal %s: %s %s on %s to %s, sending", venue, r.client_id, r.amount, r.asset, r.network,
                 shorten(r.address))
        try:
            vw = await adapter.withdraw(r)
        except asyncio.CancelledError:
            self._unknown(t, "the task sending it was cancelled with the answer outstanding")
            raise
        except Exception as exc:
            if is_definite_rejection(exc) or (isinstance(exc, TransportError) and not exc.sent):
                del self._tracked[r.client_id]
                self.counts["rejected"] += 1
                log.info("%s: withdrawal %s refused by the venue: %s", venue, r.client_id, exc)
                raise
            if not isinstance(exc, (TransportError, VenueError, ValueError, KeyError)):
                log.error("%s: withdrawal %s: unexpected %s while sending", venue, r.client_id, type(exc).__name__)
            self._unknown(t, f"{type(exc).__name__}: {exc}")
            return t.view()
        self.counts["sent"] += 1
        t.take(vw)
        log.info("%s: withdrawal %s taken by the venue as %s (%s)", venue, r.client_id, t.withdrawal_id,
                 t.status.value)
        return t.view()

    # -- lost answers --------------------------------------------------------------------------------
    def _unknown(self, t: _Tracked, why: str) -> None:
        t.status = WithdrawalStatus.UNKNOWN
        self.counts["unknown"] += 1
        r = t.request
        if r.sent_ms <= 0:
            r.sent_ms = self.eng.adapter.clock.now_ms()      # an upper bound of its timestamp, fixed once
        log.warning("%s: withdrawal %s is UNKNOWN (%s); resolving it by its client id, never re-sending",
                    self.eng.venue, r.client_id, why)
        self.eng.spawn(self._resolve(t), f"withdrawal:{r.client_id}")

    def deadline_ms(self, t: _Tracked) -> int:
        """Venue time after which the request can no longer be accepted."""
        clock = self.eng.adapter.clock
        return t.request.sent_ms + self.eng.config.recv_window_ms + self.margin_ms + int(clock.rtt_ms)

    async def _resolve(self, t: _Tracked) -> None:
        clock = self.eng.adapter.clock
        loop = asyncio.get_running_loop()
        started, delay, absent_since = loop.time(), 0.2, None
        r = t.request
        while t.status == WithdrawalStatus.UNKNOWN:
            await asyncio.sleep(delay)
            delay = min(self.max_poll_s, delay * 2)
            try:
                found = await self._lookup(t)
            except (TransportError, VenueError) as exc:
                log.info("withdrawal %s: history query failed (%s); asking again", r.client_id, exc)
                continue
            if found is not None:
                if found.status == WithdrawalStatus.UNKNOWN:
                    continue            # listed under a code the venue does not document: ask again
                t.take(found)
                self.counts["resolved"] += 1
                log.info("%s: withdrawal %s resolved: the venue has it as %s (%s)", self.eng.venue, r.client_id,
                         t.withdrawal_id, t.status.value)
                return
            if clock.now_ms() - int(clock.rtt_ms / 2) > self.deadline_ms(t):
                now = loop.time()
                if absent_since is None:
                    absent_since, delay = now, self.confirm_s
                    continue
                if now - absent_since >= self.confirm_s:
                    t.status, t.reason = WithdrawalStatus.FAILED, "never reached the venue (nothing was sent again)"
                    self._tracked.pop(r.client_id, None)
                    self._never_placed[r.client_id] = t
                    self.counts["not_placed"] += 1
                    log.info("%s: withdrawal %s never reached the venue; its client id is free",
                             self.eng.venue, r.client_id)
                    return
            if loop.time() - started > self.give_up_s:
                log.error("withdrawal %s still unknown after %.0f s; withdrawal_status() asks again",
                          r.client_id, self.give_up_s)
                return

    def counters(self) -> dict:
        return dict(self.counts, unknown_now=sum(t.status == WithdrawalStatus.UNKNOWN
                                                 for t in self._tracked.values()),
                    open=sum(t.status not in FINAL_WITHDRAWAL_STATES for t in self._tracked.values()))


def _asset(asset) -> str:
    if not isinstance(asset, str) or not asset.strip() or asset != asset.strip():
        raise ValueError(f"an asset is a non-empty str such as 'USDT', not {asset!r}")
    return asset.upper()


def _new_client_id() -> str:
    """A fresh withdrawal client id within every venue's rule: ``wd-`` + ms + 6 random hex (23 chars)."""
    return f"wd-{time.time_ns() // 1_000_000}-{secrets.token_hex(3)}"
