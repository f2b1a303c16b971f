"""An amendment by cancel-replace (a venue with ``Capability.CANCEL_REPLACE``): the old order cancelled and its
replacement placed in one request, and what each outcome makes of the two orders.

``Engine.amend`` judges the amendment first (:meth:`Admission.amendment`, or the compiled gate's
``amend_pass``); the replacement is then admitted like any order (it replaces one, so the open-order
counts do not grow) and gets its own client id.  The compiled order entry writes the request at once
where it can (``OrderWriter.write_replace``); :meth:`CancelReplace.send` writes it through the adapter,
waiting its turn.  Both hand every outcome to the methods here, so the rules have one owner:

- both legs answered: each leg's answer applied (:meth:`OrderEntry.replaced`), the replacement returned;
- nothing sent (a write refused before the bytes left): the replacement REJECTED locally, the error raised,
  the old order as it was;
- a documented refusal of the whole request: the replacement REJECTED, the error raised (STOP_ON_FAILURE:
  the old order stands unless its cancel leg says otherwise);
- a partial failure whose new leg is a documented refusal: the cancel leg's answer applied, the old order
  asked for, the replacement REJECTED and its refusal raised;
- anything else (a lost or unreadable answer, any other partial failure, a cancelled wait): each leg's own
  answer that came is applied, the replacement is UNKNOWN (resolved by its client id, never re-sent)
  and the old order is asked for.
"""

from __future__ import annotations

import asyncio

from engine._parse_common import ParseError
from engine.oms.tracker import TERMINAL_STATES
from engine.transport.errors import TransportError
from engine.venues.base import OrderSpec
from engine.venues.errors import is_definite_rejection

__all__ = ["CancelReplace"]


class CancelReplace:
    """One engine's amendments by cancel-replace (module docstring)."""

    def __init__(self, engine) -> None:
        self.eng = engine

    async def send(self, slot: int, spec: OrderSpec, new: OrderSpec):
        """Replace the order in ``slot`` (``spec``) by the admitted ``new`` through the adapter (in its turn:
        the rate budget awaited); the replacement's view, or the error raised."""
        eng = self.eng
        eng.metrics.placed += 1
        try:
            cancel_answer, new_answer = await eng.adapter.cancel_replace(spec, new)
        except asyncio.CancelledError:
            self.cancelled(slot, spec, new)
            raise
        except Exception as exc:
            return self.failed(slot, spec, new, exc)
        return eng._entry.replaced(spec, new, cancel_answer, new_answer)

    def cancelled(self, slot: int, spec: OrderSpec, new: OrderSpec) -> None:
        """The wait for the answer was cancelled: the replacement UNKNOWN, the old order asked for."""
        self.eng.placement.unknown(new, "cancel-replace cancelled with the answer outstanding", resend=False)
        self._settle(slot, spec)

    def failed(self, slot: int, spec: OrderSpec, new: OrderSpec, exc: Exception, *, at_write: bool = False):
        """The request raised ``exc`` (``at_write``: the write itself raised, so nothing left unless a
        TransportError says the bytes may have): the replacement's view when its outcome is unknown, else
        ``exc`` raised (module docstring)."""
        eng = self.eng
        placement = eng.placement
        sent = exc.sent if isinstance(exc, TransportError) else not at_write
        if not sent:
            placement.rejected_locally(new.slot, f"{type(exc).__name__}: {exc}")
            raise exc
        if is_definite_rejection(exc):
            placement.rejected_by_venue(new.slot, exc)     # raises
        eng.metrics.count_error(getattr(exc, "code", None) or type(exc).__name__)
        stream = eng.stream
        for part in getattr(exc, "answers", ()):             # partly failed: each leg's own answer
            try:
                stream.parser.parse(part)
            except ParseError:
                continue
            stream.apply_answer(stream.parser)
        refused = getattr(exc, "new_order_error", None)        # the new leg's own answer: a documented refusal
        if refused is not None and is_definite_rejection(refused):
            self._settle(slot, spec)
            placement.rejected_by_venue(new.slot, refused)     # raises
        view = placement.unknown(new, f"cancel-replace: {type(exc).__name__}: {exc}", resend=False)
        self._settle(slot, spec)
        if eng.tracker.state(new.slot) in TERMINAL_STATES:
            raise exc
        return view

    def _settle(self, slot: int, spec: OrderSpec) -> None:
        eng = self.eng
        eng.spawn(eng.reconciler.settle(slot), f"settle:{spec.client_id}")
