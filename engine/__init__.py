"""engine: a Cython-accelerated, low-latency order-execution engine for Python trading bots.

Compiled modules are private (``engine._<name>``, built from ``ext/<name>.pyx``);
this package re-exports the public API.  Library code logs under the ``engine``
logger and never prints.
"""

import logging as _logging

from engine._enums import OrderState, OrderType, PositionSide, Side, TimeInForce
from engine._fixedpoint import FixedPointError, PrecisionError, Rounding
from engine._codec_errors import EncodeError
from engine._instruments import InstrumentRuleError, UnknownInstrumentError
from engine._order_store import CapacityError, OrderStoreError
from engine._parse_common import ParseError
from engine._signer import RequestSigner
from engine.config import CREDENTIAL_ENV, VENUES, Endpoints, VenueConfig
from engine.errors import ConfigError, EngineError, NotBuiltError
from engine.secret import Secret
from engine.api import connect, run
from engine.transport.errors import ConnectFailed, ConnectionLost, ProtocolError, RequestTimeout, TransportError
from engine.oms.admission import EngineHalted
from engine.oms.bracket import Bracket
from engine.oms.killswitch import HaltReport
from engine.oms.native_bracket import NativeBracket, NativeBracketUnsupported
from engine.oms.breaker import BreakerState, CircuitBreaker, CircuitOpen
from engine.oms.engine import Engine, OrderNotFound
from engine.oms.events import Event, EventKind, EventsOverflow
from engine.oms.risk import RiskLimits, RiskRejected
from engine.oms.views import Balance, Order, Position, PositionSnapshot, Trade, Withdrawal
from engine.oms.withdraw_checks import (AddressNotInAddressBook, InvalidWithdrawAddress, UnknownWithdrawNetwork,
                                        WithdrawalNotAllowed, WithdrawalNotFound, WithdrawalRefused,
                                        WithdrawAmountError, WithdrawBalanceTooLow, WithdrawDailyLimit,
                                        WithdrawNetworkDisabled)
from engine.venues.wallet import WithdrawalStatus, WithdrawNetwork
from engine.withdraw_allowlist import AllowedAddress
from engine.venues.errors import (AuthenticationError, DuplicateClientOrderId, InsufficientFunds, InvalidRequest,
                                  IpBanned, OrderNotOpen, OrderRejected, OutcomeUnknown, PostOnlyWouldTake,
                                  RateLimited, TimestampError, UnknownOrder, VenueError, VenueUnavailable,
                                  WithdrawalRejected)

__version__ = "0.1.0"

__all__ = [
    "AllowedAddress",
    "AddressNotInAddressBook",
    "InvalidWithdrawAddress",
    "UnknownWithdrawNetwork",
    "Withdrawal",
    "WithdrawalNotAllowed",
    "WithdrawalNotFound",
    "WithdrawalRefused",
    "WithdrawalRejected",
    "WithdrawalStatus",
    "WithdrawAmountError",
    "WithdrawBalanceTooLow",
    "WithdrawDailyLimit",
    "WithdrawNetwork",
    "WithdrawNetworkDisabled",
    "Balance",
    "PositionSnapshot",
    "Trade",
    "EncodeError",
    "InstrumentRuleError",
    "UnknownInstrumentError",
    "CapacityError",
    "OrderStoreError",
    "ParseError",
    "ConnectFailed",
    "ConnectionLost",
    "ProtocolError",
    "RequestTimeout",
    "TransportError",
    "EngineHalted",
    "Bracket",
    "HaltReport",
    "NativeBracket",
    "NativeBracketUnsupported",
    "AuthenticationError",
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "Engine",
    "Event",
    "EventKind",
    "EventsOverflow",
    "Order",
    "OrderNotFound",
    "Position",
    "RiskLimits",
    "RiskRejected",
    "connect",
    "run",
    "CREDENTIAL_ENV",
    "ConfigError",
    "DuplicateClientOrderId",
    "Endpoints",
    "EngineError",
    "FixedPointError",
    "InsufficientFunds",
    "InvalidRequest",
    "IpBanned",
    "NotBuiltError",
    "OrderNotOpen",
    "OrderRejected",
    "OrderState",
    "OrderType",
    "OutcomeUnknown",
    "PositionSide",
    "PostOnlyWouldTake",
    "PrecisionError",
    "RateLimited",
    "RequestSigner",
    "Rounding",
    "Secret",
    "Side",
    "TimeInForce",
    "TimestampError",
    "UnknownOrder",
    "VENUES",
    "VenueConfig",
    "VenueError",
    "VenueUnavailable",
    "__version__",
]

_logging.getLogger("engine").addHandler(_logging.NullHandler())
