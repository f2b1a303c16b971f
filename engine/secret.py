"""A value that must never be shown: API secrets, private keys, tokens."""

from __future__ import annotations

import hmac

__all__ = ["Secret"]

_MASK = "********"


class Secret:
    """Holds a secret; ``repr``, ``str``, formatting and pickling never reveal it.

    Call :meth:`reveal` at the single point that needs the value (building a signer).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, (str, bytes)):
            raise TypeError("a secret must be str or bytes")
        if not value:
            raise ValueError("a secret must not be empty")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str | bytes:
        """The secret itself. Keep the result out of logs, exceptions and reprs."""
        return self._value

    def reveal_bytes(self) -> bytes:
        v = self._value
        return v.encode() if isinstance(v, str) else v

    def __repr__(self) -> str:
        return f"Secret({_MASK!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __setattr__(self, name, value):
        raise AttributeError("Secret is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self.reveal_bytes(), other.reveal_bytes())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self):
        raise TypeError("a Secret cannot be pickled")

    def __bool__(self) -> bool:
        return True
