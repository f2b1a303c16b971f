"""The pure-Python reference both parser test files check the compiled parsers against.

Builds the record a message should give from ``json.loads`` output, field by field, with the
parsers' rules written independently: decimals exact (half-even past 8 places, flagged),
integers in int64, text capped (truncated and flagged where allowed), enums by table
(unknown words flagged), and anything else rejected with :class:`Bad`.
"""

import re
from decimal import ROUND_HALF_EVEN, Decimal

from engine._parse_common import RecordFlag

DECIMAL_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
INT_RE = re.compile(r"-?[0-9]+\Z")


class Bad(Exception):
    """The reference rejects the message or record (the parser must raise ParseError)."""


class FloatLit(str):
    """A JSON number literal with a fraction or exponent, kept as written."""


def utf8(field, v):
    try:
        return v.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogate from a \\uD8xx escape
        raise Bad(field) from exc


class RecordRef:
    """Fields of one expected record in ``d``, RecordFlag bits in ``flags``."""

    def __init__(self):
        self.d = {}
        self.flags = 0

    def decimal(self, field, v):
        if v is None or v == "":
            return
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise Bad(field)
        text = str(v)
        if not DECIMAL_RE.match(text):
            raise Bad(field)
        q = Decimal(text).scaleb(8)
        raw = int(q.to_integral_value(rounding=ROUND_HALF_EVEN))
        if raw != q:
            self.flags |= RecordFlag.ROUNDED
        if not -(2**63) <= raw < 2**63:
            raise Bad(field)
        self.d[field] = raw

    def integer(self, field, v):
        """The int64 value (also stored under ``field`` when it is given)."""
        if v is None or v == "":
            return None
        if isinstance(v, (bool, FloatLit)) or not isinstance(v, (str, int)):
            raise Bad(field)
        if isinstance(v, str) and not INT_RE.match(v):
            raise Bad(field)
        n = int(v)
        if not -(2**63) <= n < 2**63:
            raise Bad(field)
        if field:
            self.d[field] = n
        return n

    def text(self, field, v, cap, truncate=False):
        if v is None:
            return
        if type(v) is not str:
            raise Bad(field)
        b = utf8(field, v)
        if len(b) > cap:
            if not truncate:
                raise Bad(field)
            b = b[:cap]
            self.flags |= RecordFlag.TRUNCATED
        self.d[field] = b.decode("utf-8", "replace")

    def boolean(self, field, v):
        if v is None:
            return
        if not isinstance(v, bool):
            raise Bad(field)
        self.d[field] = v

    def enum(self, field, v, table, unknown=0):
        if v is None:
            return
        if type(v) is not str:
            raise Bad(field)
        utf8(field, v)
        if v not in table:
            self.flags |= RecordFlag.UNKNOWN_ENUM
        self.d[field] = table.get(v, unknown)
