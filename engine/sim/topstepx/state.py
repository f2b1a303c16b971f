"""What the TopstepX personality keeps per simulator (``sim.state["topstepx"]``, :func:`state_of`).

* tokens: HS256 JWTs the simulator signs with a key of its own, ``sub`` the login (the
  account's API user name) and ``exp`` ``token_lifetime`` seconds on (24 h by default, as
  on the venue; tests set seconds).  A re-login does not invalidate earlier tokens.
* per account: the customTags ever sent (a tag is burnt by any order, rejected ones too),
  the Auto OCO brackets mode, the daily loss limit and the balance the day started with,
  its Trade/search rows, and the orders made here but not in the core (rejected places,
  Suspended bracket children) by id.
* the switchable wire forms the sheet marks unconfirmed: which user events go out in the
  ``{action, data}`` wrapper (``wrapped``: a set of event names, none by default); whether
  ``Auth/logout`` ends its token (``logout_revokes``, on: later requests with it are HTTP 401,
  a second logout errorCode 1 InvalidSession); whether a new login of a user ends that user's
  hub sessions with a ``GatewayLogout`` event and a close (``logout_on_conflict``, off: peer
  code only); ``Order/v2/query``'s page size and largest page (``v2_page_size``, ``v2_page_max``);
  tick bars (``tick_bars``), StopLimit orders (``stop_limit``), quotes as deltas (``quote_deltas``)
  and market trades and depth in arrays (``market_arrays``).
* per account, the sheet's refusals a test can switch on: a login error code
  (``login_error``: 7 AgreementsNotSigned, 9 ApiSubscriptionNotFound, 10 ApiKeyAuthenticationDisabled,
  ...), a follower or live account (``follower``, ``simulated``: cancel errorCode 6,
  partialCloseContract errorCode 9).
* the hubs (:mod:`.hub`), the rate limiter and the fault answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from decimal import Decimal

from engine.sim.decimals import D
from engine.sim.topstepx.brackets import Brackets
from engine.sim.topstepx.events import Events
from engine.sim.topstepx.fault_answers import TopstepxAnswers
from engine.sim.topstepx.hubs import Hubs
from engine.sim.topstepx.instruments import ASSET, CONTRACTS, WALLET
from engine.sim.topstepx.limits import TopstepxLimiter

__all__ = ["TopstepxState", "AccountState", "state_of", "DAY_LOSS_LIMIT"]

DAY_LOSS_LIMIT = D("3000")      # a 150K account's daily loss limit


def state_of(sim) -> "TopstepxState":
    return sim.state["topstepx"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class AccountState:
    """One account's venue-side settings and records."""

    def __init__(self, account) -> None:
        self.account = account
        self.id = account.uid
        self.name = f"150KTC-V2-{account.uid}"
        self.tags: set[str] = set()
        self.auto_oco = True
        self.can_trade = True
        self.day_loss_limit = DAY_LOSS_LIMIT
        self.day_start = account.wallets[WALLET][ASSET].total
        self.trades: list[dict] = []
        self.login_error: int | None = None
        self.follower = False
        self.simulated = True
        self.extra_orders: dict[int, dict] = {}        # id -> Order row of orders the core does not hold

    def balance(self) -> Decimal:
        return self.account.wallets[WALLET][ASSET].total


class TopstepxState:
    def __init__(self, sim) -> None:
        self.sim = sim
        self.token_lifetime = 24 * 3600.0
        self._key = os.urandom(32)
        self.wrapped: set[str] = set()
        self.logout_revokes = True
        self.logout_on_conflict = False
        self.v2_page_size = 100
        self.tick_bars = False              # History/retrieveBars unit 7 (Tick): UnitInvalid unless on
        self.stop_limit = True              # Order/place type 3 (StopLimit) taken
        self.quote_deltas = True            # GatewayQuote with the changed fields only (peer code), else whole
        self.market_arrays = True           # GatewayTrade / GatewayDepth items in arrays (peer code), else one each
        self.v2_page_max = 1000
        self.revoked: set[str] = set()
        self.accounts: dict[str, AccountState] = {}
        self.by_id: dict[int, AccountState] = {}
        for key, acct in sim.core.ledger.accounts.items():
            if not acct.is_market_maker:
                st = AccountState(acct)
                self.accounts[key] = st
                self.by_id[st.id] = st
        self.active = {cid: c.active for cid, c in CONTRACTS.items()}    # contract id -> the traded one
        self.limiter = TopstepxLimiter(sim.limits)
        self.answers = TopstepxAnswers()
        self.tokens_issued = 0
        self.brackets = Brackets(sim)
        self.events = Events(sim, self)
        self.hubs = Hubs(sim, self)
        sim.core.watchers.append(self.events.watch)

    # -- tokens ---------------------------------------------------------------------------------------
    def issue(self, login: str) -> str:
        self.tokens_issued += 1
        head = _b64(b'{"alg":"HS256","typ":"JWT"}')
        now = time.time()
        claims = {"sub": login, "iat": int(now), "exp": round(now + self.token_lifetime, 3),
                  "jti": _b64(os.urandom(9))}
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        sig = _b64(hmac.new(self._key, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return f"{head}.{body}.{sig}"

    def login_of(self, token: str | None) -> str | None:
        """The login a token stands for, or None (forged, malformed or expired)."""
        if not token or token in self.revoked:
            return None
        parts = token.split(".")
        if len(parts) != 3:
            return None
        want = _b64(hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(want, parts[2]):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
            if float(claims["exp"]) <= time.time():
                return None
            return str(claims["sub"])
        except (ValueError, KeyError, TypeError):
            return None

    def account_of_token(self, token: str | None) -> AccountState | None:
        login = self.login_of(token)
        return None if login is None else self.accounts.get(login)

    # -- contracts ----------------------------------------------------------------------------------------
    def is_active(self, contract_id: str) -> bool:
        return self.active.get(contract_id, False)

    def roll(self, old: str, new: str) -> None:
        """The root's active contract becomes ``new``; ``old`` takes no more orders (ContractNotActive)."""
        self.active[old], self.active[new] = False, True

    # -- lifecycle ----------------------------------------------------------------------------------------
    def reset_rate_limits(self) -> None:
        self.limiter.reset()

    async def stop(self) -> None:
        if self.hubs is not None:
            await self.hubs.stop()
