"""Accounts: API credentials, the wallets the personalities registered, futures positions, and the fee pool.

Invariants (checked by :meth:`Ledger.totals` in the conservation tests):

1. A balance is ``free + locked``; both are Decimals and never negative.
2. Every transfer moves an exact amount from one holder to another (accounts or the
   fee pool); nothing is created or destroyed after start-up.
3. A futures position holds a signed amount and a signed cost basis; realised PnL
   moves between wallets exactly, so wallets + unrealised PnL (at any common mark)
   + fees is constant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from engine.sim.decimals import ZERO

__all__ = ["Balance", "Position", "Account", "Ledger", "InsufficientBalance"]


class InsufficientBalance(Exception):
    """An operation would take a balance below zero."""


@dataclass
class Balance:
    free: Decimal = ZERO
    locked: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass
class Position:
    amount: Decimal = ZERO      # signed: > 0 long, < 0 short
    cost: Decimal = ZERO        # signed cost basis: entry * amount
    realized: Decimal = ZERO    # accumulated realised PnL (before fees)
    update_ms: int = 0

    @property
    def entry(self) -> Decimal:
        return ZERO if self.amount == 0 else self.cost / self.amount

    def unrealized(self, mark: Decimal) -> Decimal:
        return mark * self.amount - self.cost


@dataclass
class Account:
    """One API key and what it owns.

    ``secret`` is the HMAC secret; an Ed25519 key has none and carries its public key in
    ``ed25519`` instead (a ``cryptography`` ``Ed25519PublicKey``): its requests are
    verified with it, and only such a key may ``session.logon`` on the WebSocket API.
    """

    key: str
    secret: str | None
    uid: int
    wallets: dict = field(default_factory=dict)     # wallet name -> asset -> Balance
    positions: dict = field(default_factory=dict)   # (wallet, symbol) -> Position
    leverage: dict = field(default_factory=dict)    # (wallet, symbol) -> int
    is_market_maker: bool = False
    ed25519: object | None = None

    def balance(self, wallet: str, asset: str) -> Balance:
        return self.wallets[wallet][asset]

    def position(self, wallet: str, symbol: str) -> Position:
        pos = self.positions.get((wallet, symbol))
        if pos is None:
            pos = self.positions[(wallet, symbol)] = Position()
        return pos

    def lev(self, wallet: str, symbol: str) -> int:
        return self.leverage.get((wallet, symbol), 20)


class Ledger:
    """Holds every account and the fee pool; all balance movements go through here."""

    def __init__(self, wallets: dict) -> None:
        self.wallets = wallets          # wallet name -> WalletSpec (engine.sim.registry)
        self.accounts: dict[str, Account] = {}
        self.fees: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)  # (wallet, asset)
        self._uid = 100000000

    def add(self, key: str, secret: str | None, balances: dict[str, Decimal], *, market_maker: bool = False,
            ed25519=None) -> Account:
        if (secret is None) == (ed25519 is None):
            raise ValueError(f"API key {key!r} needs exactly one of an HMAC secret and an Ed25519 public key")
        self._uid += 1
        acct = Account(key, secret, self._uid, is_market_maker=market_maker, ed25519=ed25519,
                       wallets={w: defaultdict(Balance) for w in self.wallets})
        for wallet, spec in self.wallets.items():
            for asset, amount in spec.starting(balances).items():
                acct.wallets[wallet][asset].free = Decimal(amount)
        self.accounts[key] = acct
        return acct

    # -- spot-style movements -------------------------------------------------
    @staticmethod
    def lock(acct: Account, wallet: str, asset: str, amount: Decimal) -> None:
        bal = acct.wallets[wallet][asset]
        if amount < 0 or bal.free < amount:
            raise InsufficientBalance(asset)
        bal.free -= amount
        bal.locked += amount

    @staticmethod
    def unlock(acct: Account, wallet: str, asset: str, amount: Decimal) -> None:
        bal = acct.wallets[wallet][asset]
        amount = min(amount, bal.locked)
        bal.locked -= amount
        bal.free += amount

    @staticmethod
    def debit(acct: Account, wallet: str, asset: str, amount: Decimal, *, from_locked: bool = False) -> None:
        bal = acct.wallets[wallet][asset]
        if from_locked:
            if bal.locked < amount:
                raise InsufficientBalance(asset)
            bal.locked -= amount
        else:
            if bal.free < amount:
                raise InsufficientBalance(asset)
            bal.free -= amount

    @staticmethod
    def credit(acct: Account, wallet: str, asset: str, amount: Decimal) -> None:
        acct.wallets[wallet][asset].free += amount

    def charge_fee(self, acct: Account, wallet: str, asset: str, amount: Decimal) -> None:
        """Move a commission from the account's free balance into the fee pool."""
        if amount <= 0:
            return
        bal = acct.wallets[wallet][asset]
        bal.free -= amount   # may go transiently negative only for futures wallets (margin)
        self.fees[(wallet, asset)] += amount

    # -- audit -----------------------------------------------------------------
    def totals(self, marks: dict[str, Decimal] | None = None,
               settle: dict[tuple[str, str], str] | None = None) -> dict[tuple[str, str], Decimal]:
        """Per (wallet, asset): every account's balance + fees (+ unrealised PnL at ``marks``, in the
        asset ``settle[(wallet, symbol)]`` each position settles in)."""
        out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for acct in self.accounts.values():
            for wallet, assets in acct.wallets.items():
                for asset, bal in assets.items():
                    out[(wallet, asset)] += bal.total
            if marks is not None and settle is not None:
                for (wallet, symbol), pos in acct.positions.items():
                    out[(wallet, settle[(wallet, symbol)])] += pos.unrealized(marks[symbol])
        for k, v in self.fees.items():
            out[k] += v
        return dict(out)
