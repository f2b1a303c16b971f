"""The checks a withdrawal passes before anything is sent, each refusing with its own typed exception.

In the order :class:`~engine.oms.withdrawals.Withdrawals` runs them:

1. the input: the amount a positive ``str``/``Decimal``/``int`` (never a float), the client id
   within every venue's rules (1-32 of ``0-9 A-Z a-z _ . -``);
2. the engine's own allow-list (:mod:`engine.withdraw_allowlist`): empty refuses every
   withdrawal (:class:`WithdrawalNotAllowed`);
3. the network: one of the asset's networks in the venue's coin configuration, and open
   for withdrawals (:class:`UnknownWithdrawNetwork`, :class:`WithdrawNetworkDisabled`);
4. the amount: at least the network's minimum, at most its maximum, a whole multiple of its
   step (:class:`WithdrawAmountError`);
5. the address and memo against the network's regexes, a memo where the network needs one
   and none where it takes none (:class:`InvalidWithdrawAddress`);
6. the venue's own address book, where the venue keeps one (:class:`AddressNotInAddressBook`);
7. the user's daily limit for the asset (:class:`WithdrawDailyLimit`);
8. the free balance, asked of the venue: amount + fee at most what is free
   (:class:`WithdrawBalanceTooLow`).

Every refusal is a :class:`WithdrawalRefused` (an :class:`~engine.errors.EngineError`)
whose ``rule`` names the check; nothing was sent when one is raised.  Messages name
addresses shortened, never in full.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from engine.errors import EngineError
from engine.venues.wallet import WithdrawNetwork
from engine.withdraw_allowlist import find_allowed, shorten

__all__ = ["WithdrawalRefused", "WithdrawalNotAllowed", "UnknownWithdrawNetwork", "WithdrawNetworkDisabled",
           "WithdrawAmountError", "InvalidWithdrawAddress", "AddressNotInAddressBook", "WithdrawDailyLimit",
           "WithdrawBalanceTooLow", "WithdrawalNotFound", "parse_amount", "check_client_id", "check_allowlist",
           "pick_network", "check_amount", "check_address", "check_address_book", "check_daily_limit",
           "check_balance"]

CLIENT_ID = re.compile(r"[0-9A-Za-z_.-]{1,32}")


class WithdrawalRefused(EngineError):
    """A withdrawal refused by a check before anything was sent; ``rule`` names the check."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(message)


class WithdrawalNotAllowed(WithdrawalRefused):
    """The destination is not on the engine's allow-list (``rule``: ``allowlist``), or the list is empty
    (``allowlist_empty``: withdrawals are off)."""


class UnknownWithdrawNetwork(WithdrawalRefused):
    """The venue's coin configuration has no such network for the asset (``rule``: ``network``)."""


class WithdrawNetworkDisabled(WithdrawalRefused):
    """The network is closed for withdrawals at the venue now (``rule``: ``network_disabled``)."""


class WithdrawAmountError(WithdrawalRefused):
    """Below the network's minimum, above its maximum, or not a multiple of its step
    (``rule``: ``min_amount``, ``max_amount``, ``precision``)."""


class InvalidWithdrawAddress(WithdrawalRefused):
    """Address or memo refused by the network's rules (``rule``: ``address_format``, ``memo_required``,
    ``memo_format``, ``memo_not_supported``, ``regex_unusable``)."""


class AddressNotInAddressBook(WithdrawalRefused):
    """The venue keeps an address book and the destination is not in it (``rule``: ``address_book``)."""


class WithdrawDailyLimit(WithdrawalRefused):
    """The user's daily limit for the asset would be passed (``rule``: ``daily_limit``)."""


class WithdrawBalanceTooLow(WithdrawalRefused):
    """Amount + fee above the free balance the venue reports (``rule``: ``balance``)."""


class WithdrawalNotFound(EngineError, KeyError):
    """Neither the engine nor the venue knows a withdrawal by that id."""


def parse_amount(amount) -> Decimal:
    """``amount`` as a positive finite Decimal (TypeError for a float or another type, ValueError else)."""
    if isinstance(amount, (float, bool)) or not isinstance(amount, (str, Decimal, int)):
        raise TypeError(f"a withdrawal amount is a str, Decimal or int, never {type(amount).__name__} ({amount!r})")
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation:
        raise ValueError(f"withdrawal amount {amount!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"a withdrawal amount must be a finite amount above 0, not {amount!r}")
    return value


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ValueError(f"withdrawal client id {client_id!r}: 1 to 32 of 0-9 A-Z a-z _ . - (the rule every "
                         "venue accepts)")
    return client_id


def check_allowlist(entries, address: str, network: str, asset: str, memo: str | None) -> None:
    if not entries:
        raise WithdrawalNotAllowed("allowlist_empty", "withdrawals are off: the engine's withdraw allow-list is "
                                   "empty (VenueConfig(withdraw_allowlist=[...]) or withdraw_allowlist_file=)")
    if find_allowed(entries, address, network, asset, memo) is None:
        raise WithdrawalNotAllowed("allowlist", f"{shorten(address)} on {network} for {asset}"
                                   f"{' with this memo' if memo else ''} is not on the engine's withdraw allow-list")


def pick_network(networks: list[WithdrawNetwork], asset: str, network: str) -> WithdrawNetwork:
    for net in networks:
        if net.network == network:
            if not net.withdraw_enabled:
                raise WithdrawNetworkDisabled("network_disabled", f"{asset} withdrawals on {network} are "
                                              "closed at the venue now")
            return net
    names = [n.network for n in networks]
    hint = next((f"; did you mean {n!r}?" for n in names if n.upper() == network.upper()), "")
    raise UnknownWithdrawNetwork("network", f"{asset} has no network {network!r} at the venue"
                                 f"{hint} (its networks: {', '.join(names) or 'none'})")


def check_amount(net: WithdrawNetwork, amount: Decimal) -> None:
    if amount < net.min_amount:
        raise WithdrawAmountError("min_amount", f"{amount} {net.asset} is below the {net.network} minimum "
                                  f"{net.min_amount}")
    if net.max_amount is not None and amount > net.max_amount:
        raise WithdrawAmountError("max_amount", f"{amount} {net.asset} is above the {net.network} maximum "
                                  f"{net.max_amount}")
    if net.multiple is not None and net.multiple > 0 and amount % net.multiple != 0:
        raise WithdrawAmountError("precision", f"{amount} {net.asset} is not a multiple of {net.multiple}, the "
                                  f"{net.network} step")


def _matches(pattern: str, text: str, what: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        # a rule the engine cannot read is not a rule it can check: refuse rather than guess
        raise InvalidWithdrawAddress("regex_unusable", f"the venue's {what} rule cannot be read here, so the "
                                     "destination cannot be checked; nothing was sent") from None


def check_address(net: WithdrawNetwork, address: str, memo: str | None) -> None:
    if net.address_regex and not _matches(net.address_regex, address, "address"):
        raise InvalidWithdrawAddress("address_format", f"{shorten(address)} is not a {net.network} address "
                                     f"(the venue's rule: {net.address_regex})")
    if memo:
        if not net.memo_allowed:
            raise InvalidWithdrawAddress("memo_not_supported", f"{net.network} takes no memo (tag)")
        if net.memo_regex and not _matches(net.memo_regex, memo, "memo"):
            raise InvalidWithdrawAddress("memo_format", f"the memo does not match the {net.network} rule "
                                         f"{net.memo_regex}")
    elif net.memo_required:
        raise InvalidWithdrawAddress("memo_required", f"{net.network} needs a memo (tag) with every withdrawal")


def check_address_book(book, address: str, network: str, asset: str, memo: str | None) -> None:
    """``book``: the venue's entries, or None where it keeps no address book."""
    if book is None:
        return
    for e in book:
        if (e.address == address and (not e.network or e.network.upper() == network.upper())
                and (not e.asset or e.asset.upper() == asset.upper()) and (not e.memo or e.memo == (memo or ""))):
            return
    raise AddressNotInAddressBook("address_book", f"{shorten(address)} on {network} for {asset} is not in the "
                                  "venue's withdrawal address book; add it there first")


def check_daily_limit(asset: str, limit: Decimal | None, used: Decimal, amount: Decimal) -> None:
    if limit is not None and used + amount > limit:
        raise WithdrawDailyLimit("daily_limit", f"{amount} {asset} would bring the last 24 hours' withdrawals to "
                                 f"{used + amount}, above your daily limit of {limit}")


def check_balance(asset: str, free: Decimal, amount: Decimal, fee: Decimal) -> None:
    if amount + fee > free:
        raise WithdrawBalanceTooLow("balance", f"{amount} {asset} + fee {fee} is more than the {free} free at the "
                                    "venue")
