"""engine: a Cython-accelerated, low-latency order-execution engine for Python trading bots.

Compiled modules are private (``engine._<name>``, built from ``ext/<name>.pyx``);
this package re-exports the public API.  Library code logs under the ``engine``
logger and never prints.
"""

import logging as _logging

from engine._fixedpoint import FixedPointError, PrecisionError, Rounding
from engine.config import CREDENTIAL_ENV, VENUES, Endpoints, VenueConfig
from engine.errors import ConfigError, EngineError, NotBuiltError
from engine.secret import Secret

__version__ = "0.1.0"

__all__ = [
    "CREDENTIAL_ENV",
    "ConfigError",
    "Endpoints",
    "EngineError",
    "FixedPointError",
    "NotBuiltError",
    "PrecisionError",
    "Rounding",
    "Secret",
    "VENUES",
    "VenueConfig",
    "__version__",
]

_logging.getLogger("engine").addHandler(_logging.NullHandler())
