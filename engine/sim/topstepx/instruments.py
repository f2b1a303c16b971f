"""What the TopstepX personality lists: CME equity-index futures, micro and E-mini, as the
Gateway describes contracts (``Contract/search``: id, name, description, tickSize, tickValue,
activeContract, symbolId), with one expired contract ``Contract/searchById`` still resolves and the
next MNQ contract, listed but not active until :meth:`TopstepxState.roll
<engine.sim.topstepx.state.TopstepxState.roll>` rolls MNQ to it.

The venue-neutral core counts a linear position in units whose price difference is money
(its PnL is price x amount).  A future's PnL is price x contracts x point value (tick value /
tick size), so the core's quantity of a TopstepX order is ``contracts x point value``
(:func:`units` / :func:`contracts`): realised PnL, unrealised PnL and margin in the core are
then in dollars, with the multiplier.  Fees are per contract and side (the Gateway's
``fees``), charged by the personality, so the core's fee rates are zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.sim.decimals import D
from engine.sim.instruments import Instrument

__all__ = ["Contract", "CONTRACTS", "EXPIRED", "MARKET", "WALLET", "ASSET", "PRICES", "instruments", "units",
           "contracts", "contract"]

MARKET = "tsx"
WALLET = "topstepx"
ASSET = "USD"


@dataclass(frozen=True)
class Contract:
    id: str
    name: str
    description: str
    tick_size: Decimal
    tick_value: Decimal
    symbol_id: str
    series: str                 # the fair-price series it follows (micro and E-mini of one index share it)
    fee: Decimal                # per contract and side, in USD
    active: bool = True

    @property
    def point_value(self) -> Decimal:
        return self.tick_value / self.tick_size

    def row(self, active: bool | None = None) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "tickSize": float(self.tick_size), "tickValue": float(self.tick_value),
                "activeContract": self.active if active is None else active, "symbolId": self.symbol_id}


CONTRACTS = {c.id: c for c in (
    Contract("CON.F.US.MNQ.Z26", "MNQZ6", "Micro E-mini Nasdaq-100: December 2026", D("0.25"), D("0.5"),
             "F.US.MNQ", "NQ", D("0.37")),
    Contract("CON.F.US.ENQ.Z26", "NQZ6", "E-mini NASDAQ-100: December 2026", D("0.25"), D("5"), "F.US.ENQ",
             "NQ", D("1.40")),
    Contract("CON.F.US.MES.Z26", "MESZ6", "Micro E-mini S&P 500: December 2026", D("0.25"), D("1.25"),
             "F.US.MES", "ES", D("0.37")),
    Contract("CON.F.US.EP.Z26", "ESZ6", "E-mini S&P 500: December 2026", D("0.25"), D("12.5"), "F.US.EP", "ES",
             D("1.40")),
    # the next MNQ contract: listed and quoted, not yet the active one (TopstepxState.roll makes it so)
    Contract("CON.F.US.MNQ.H27", "MNQH7", "Micro E-mini Nasdaq-100: March 2027", D("0.25"), D("0.5"), "F.US.MNQ",
             "NQ", D("0.37"), active=False),
)}
# listed by Contract/searchById only (activeContract false): no book, no orders (ContractNotActive)
EXPIRED = {c.id: c for c in (
    Contract("CON.F.US.MNQ.U26", "MNQU6", "Micro E-mini Nasdaq-100: September 2026", D("0.25"), D("0.5"),
             "F.US.MNQ", "NQ", D("0.37"), active=False),
)}
PRICES = {"NQ": D("21000"), "ES": D("6000")}


def contract(contract_id: str) -> Contract | None:
    return CONTRACTS.get(contract_id) or EXPIRED.get(contract_id)


def units(c: Contract, size) -> Decimal:
    """The core's quantity of ``size`` contracts."""
    return D(str(size)) * c.point_value


def contracts(c: Contract, amount: Decimal) -> int:
    """Whole contracts of a core quantity (module docstring)."""
    return int(amount / c.point_value)


def instruments() -> list[Instrument]:
    out = []
    for c in CONTRACTS.values():
        pv = c.point_value
        out.append(Instrument(market=MARKET, symbol=c.id, base=c.name, quote=ASSET, kind="linear", tick=c.tick_size,
                              step=pv, min_qty=pv, max_qty=pv * 1000, market_max_qty=pv * 1000, min_notional=D("0"),
                              min_price=c.tick_size, max_price=D("1000000"), maker_fee=D("0"), taker_fee=D("0"),
                              max_leverage=20, series=c.series))
    return out
