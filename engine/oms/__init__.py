"""Order management: the parts the engine composes (pre-trade risk, circuit breaker, metrics)."""

from engine._histogram import LatencyHistogram
from engine.oms.breaker import BreakerState, CircuitBreaker, CircuitOpen, is_breaker_failure
from engine.oms.metrics import EngineMetrics
from engine.oms.risk import RiskEngine, RiskLimits, RiskRejected

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpen",
    "EngineMetrics",
    "LatencyHistogram",
    "RiskEngine",
    "RiskLimits",
    "RiskRejected",
    "is_breaker_failure",
]
