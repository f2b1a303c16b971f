"""The rate-limit options of ``python -m engine sim``: each personality's, as it declares them
(:class:`~engine.sim.ratelimit.LimitOption`, in its ``limits`` module), raising (or lowering) what the
simulator enforces, and the :class:`~engine.sim.ratelimit.Limits` they make."""

from __future__ import annotations

from engine.sim.ratelimit import Limits, limit_options

__all__ = ["add_limit_options", "limits_from"]


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def add_limit_options(p, positive_int) -> None:
    for option in limit_options():
        p.add_argument(option.flag, type=positive_int, default=None, metavar="N", help=option.help)


def limits_from(args) -> Limits:
    limits = Limits()
    for option in limit_options():
        value = getattr(args, _dest(option.flag))
        if value:
            option.apply(limits, value)
    return limits
