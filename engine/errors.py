"""Exception types shared across the engine (venue and order errors live with their code)."""

__all__ = ["EngineError", "ConfigError", "NotBuiltError"]


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class ConfigError(EngineError, ValueError):
    """A configuration that must not be used: names the problem, never a secret."""


class NotBuiltError(EngineError):
    """A part of the engine that does not exist yet."""
