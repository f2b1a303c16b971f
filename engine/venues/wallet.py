"""The wallet part of the venue contract: the neutral records of withdrawals (``Capability.WITHDRAWALS``).

Venues answer withdrawal calls with these records; the order manager reads nothing else.
Amounts are ``Decimal`` parsed exactly from the venue's strings: this is the cold path,
and a coin's withdrawal precision is the venue's (its coin configuration), which may be
finer than the engine's 8-decimal fixed point.

Each venue maps its own status codes onto :class:`WithdrawalStatus` (Binance 0-6, MEXC
1-10, Gate's DONE/REQUEST/PEND/...); a code the venue does not document maps to
``UNKNOWN``, never to a final state.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["WithdrawalStatus", "FINAL_WITHDRAWAL_STATES", "WithdrawNetwork", "WithdrawAddress", "WithdrawRequest",
           "VenueWithdrawal"]


class WithdrawalStatus(str, enum.Enum):
    """Where a withdrawal is, the same on every venue."""

    PENDING = "pending"             # accepted, waiting (confirmation e-mail, review, approval, queue)
    PROCESSING = "processing"       # being sent on chain (or waiting for its confirmations)
    COMPLETED = "completed"         # done: the funds left the account for good
    FAILED = "failed"               # refused or failed after acceptance (the venue gives the funds back)
    CANCELLED = "cancelled"         # cancelled by the user or the venue (funds given back)
    UNKNOWN = "unknown"             # the engine does not know yet (a lost answer, an undocumented code)


FINAL_WITHDRAWAL_STATES = frozenset({WithdrawalStatus.COMPLETED, WithdrawalStatus.FAILED,
                                     WithdrawalStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class WithdrawNetwork:
    """One network an asset can be withdrawn on, from the venue's coin configuration.

    ``multiple`` is the step every amount must be a whole multiple of (None: the venue
    states none).  ``max_amount`` None: no maximum stated.  ``address_regex`` /
    ``memo_regex`` None where the venue's configuration carries none (then no format check
    is possible on that venue).  ``memo_required``: the network needs a memo (tag) on every
    withdrawal; ``memo_allowed``: it takes one at all.
    """

    asset: str
    network: str                    # the name the venue's withdraw call takes (exact spelling and case)
    name: str                       # the venue's display name of the network
    withdraw_enabled: bool
    fee: Decimal
    min_amount: Decimal
    max_amount: Decimal | None
    multiple: Decimal | None
    address_regex: str | None
    memo_regex: str | None
    memo_required: bool
    memo_allowed: bool
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class WithdrawAddress:
    """One entry of the venue's own withdrawal address book (its allow-list)."""

    asset: str                      # "" when the entry serves every asset of its network
    network: str                    # "" when the venue does not say
    address: str
    memo: str = ""


@dataclass(slots=True)
class WithdrawRequest:
    """One withdrawal as the engine sends it (every check passed); ``sent_ms`` is set by the adapter to the
    timestamp the request was signed with (venue ms), for the resolution of a lost answer."""

    asset: str
    amount: Decimal
    address: str
    network: str
    memo: str | None
    client_id: str
    sent_ms: int = 0


@dataclass(frozen=True, slots=True)
class VenueWithdrawal:
    """A withdrawal as the venue reports it (its answer to a withdraw call, or a history row).

    ``venue_status`` keeps the venue's own code (as a string) beside the neutral ``status``;
    ``fee`` is None when the answer does not carry it; ``reason`` is the venue's words on a
    failure, when it gives them.
    """

    withdrawal_id: str
    client_id: str                  # "" when the venue's record carries none
    asset: str
    network: str
    address: str
    memo: str
    amount: Decimal
    fee: Decimal | None
    status: WithdrawalStatus
    venue_status: str
    tx_id: str = ""
    time_ms: int = 0                # when the venue took it (0 when it does not say)
    reason: str = ""
