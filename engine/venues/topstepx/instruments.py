"""TopstepX contracts: names a bot uses resolved to contract ids and tick specs, and loaded into the registry.

A contract (shared/venues/topstepx-projectx.md §4, Contract/available, Contract/search,
Contract/searchById) is ``{id "CON.F.US.ENQ.H25", name "NQH5", description, tickSize,
tickValue, activeContract, symbolId "F.US.ENQ"}``.  The engine's symbol of a contract is its
product root, the ``name`` without its month letter and year ("NQH5" -> "NQ", "MNQZ6" ->
"MNQ"): the root a trader names, stable across rolls.  The id's own root is not the
trader's (ES trades as ``CON.F.US.EP``), so it is never used for that.

Rules:

1. One active contract per root is the one traded (``activeContract: true``); a bot may
   also name the contract's id or its full name (:meth:`ContractBook.resolve`).
2. Tick size and tick value are safe to cache: the registry gets the tick as price step,
   whole contracts as quantity step and the point value (tick value / tick size) as the
   multiplier the position book values PnL with.
3. A roll (the active contract of a root changing) is picked up by
   :meth:`ContractBook.refresh`: the root then names the new contract id.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from engine._instruments import ContractType, Instruments

__all__ = ["Contract", "ContractBook", "root_of", "load_contracts", "MARGIN_ASSET"]

log = logging.getLogger("engine.venues.topstepx.instruments")

MARGIN_ASSET = "USD"
_NAME = re.compile(r"^([A-Z0-9]+?)[FGHJKMNQUVXZ]\d{1,2}$")


def root_of(name: str) -> str:
    """The product root of a contract name ("MNQZ5" -> "MNQ"); the name itself when it is not month-coded."""
    m = _NAME.match(name or "")
    return m.group(1) if m else name


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    name: str
    root: str
    tick_size: Decimal
    tick_value: Decimal
    active: bool
    description: str = ""
    symbol_id: str = ""

    @property
    def point_value(self) -> Decimal:
        """USD per 1.0 of price per contract (tick value / tick size)."""
        return self.tick_value / self.tick_size

    def ticks(self, price_distance: Decimal) -> int:
        """A price distance in whole ticks (raises ValueError when it is not a multiple of the tick)."""
        q = price_distance / self.tick_size
        if q != q.to_integral_value():
            raise ValueError(f"{price_distance} is not a whole number of {self.root} ticks ({self.tick_size})")
        return int(q)

    @classmethod
    def from_wire(cls, d: dict) -> "Contract":
        name = str(d.get("name") or d["id"])
        return cls(str(d["id"]), name, root_of(name), Decimal(str(d["tickSize"])), Decimal(str(d["tickValue"])),
                   bool(d.get("activeContract", True)), str(d.get("description") or ""), str(d.get("symbolId") or ""))


class ContractBook:
    """The contracts of the account's gateway, by root, id and name (rule 1)."""

    def __init__(self) -> None:
        self.by_root: dict[str, Contract] = {}
        self.by_id: dict[str, Contract] = {}
        self.by_name: dict[str, Contract] = {}
        self.rolls = 0

    def __len__(self) -> int:
        return len(self.by_root)

    def refresh(self, rows: list[dict]) -> list[str]:
        """Take the venue's contract list; returns the roots whose active contract changed (rolls)."""
        rolled = []
        for d in rows:
            try:
                c = Contract.from_wire(d)
            except (KeyError, ArithmeticError, ValueError, TypeError) as exc:
                log.warning("topstepx: contract row not understood (%s); skipped", type(exc).__name__)
                continue
            self.by_id[c.id] = c
            self.by_name[c.name] = c
            if not c.active:
                continue
            old = self.by_root.get(c.root)
            if old is not None and old.id != c.id:
                rolled.append(c.root)
                self.rolls += 1
                log.warning("topstepx: %s rolled from %s to %s", c.root, old.id, c.id)
            self.by_root[c.root] = c
        return rolled

    def add(self, d: dict) -> Contract:
        c = Contract.from_wire(d)
        self.by_id[c.id] = c
        self.by_name[c.name] = c
        if c.active and c.root not in self.by_root:
            self.by_root[c.root] = c
        return c

    def resolve(self, name: str) -> Contract:
        """The contract a bot means by ``name``: a root ("MNQ"), a contract name ("MNQZ6") or an id."""
        c = self.by_root.get(name) or self.by_id.get(name) or self.by_name.get(name)
        if c is None:
            raise KeyError(f"{name!r} is not a TopstepX contract root, name or id known to this account")
        return c

    def symbol_of(self, contract_id: str) -> str | None:
        """The engine symbol (root) of a contract id, when it is the root's traded contract."""
        c = self.by_id.get(contract_id)
        if c is None:
            return None
        active = self.by_root.get(c.root)
        return c.root if active is not None and active.id == c.id else None


def load_contracts(reg: Instruments, book: ContractBook) -> list[int]:
    """Register every root's active contract (rule 2); returns the instrument ids."""
    ids = []
    for root, c in sorted(book.by_root.items()):
        ids.append(reg.add(root, root, MARGIN_ASSET, ContractType.LINEAR_FUTURE, c.active,
                           tick=format(c.tick_size, "f"), price_from_min=False, step="1", min_qty="1", qty_from_min=False,
                           multiplier=format(c.point_value, "f")))
    return ids
