"""Gate.io refusals: a non-2xx status with ``{"label","message"}`` (gateio-spot.md §5); on the
WebSocket order API the same label in ``data.errs`` with the status as a string (§8).

HTTP statuses: 400 for request and spot labels, 401 for authentication (REQUEST_EXPIRED's
401 is the sheet's guess, unconfirmed), 403 FORBIDDEN/READ_ONLY, 404 for orders not found,
429 TOO_MANY_REQUESTS, 500 for the server group.
"""

from __future__ import annotations

__all__ = ["GateError", "STATUS", "body_of"]

STATUS = {
    "INVALID_KEY": 401, "INVALID_SIGNATURE": 401, "MISSING_REQUIRED_HEADER": 401, "REQUEST_EXPIRED": 401,
    "INVALID_CREDENTIALS": 401, "FORBIDDEN": 403, "READ_ONLY": 403, "IP_FORBIDDEN": 403,
    "ORDER_NOT_FOUND": 404, "CLIENT_ID_NOT_FOUND": 404, "NOT_FOUND": 404,
    "TOO_MANY_REQUESTS": 429, "INTERNAL": 500, "SERVER_ERROR": 500, "TOO_BUSY": 503,
}


class GateError(Exception):
    """One refusal: ``label`` (what clients read), ``message`` (for people), ``status`` (HTTP)."""

    def __init__(self, label: str, message: str, status: int | None = None) -> None:
        super().__init__(label, message)
        self.label = label
        self.message = message
        self.status = status or STATUS.get(label, 400)

    def body(self) -> dict:
        return body_of(self.label, self.message)


def body_of(label: str, message: str) -> dict:
    return {"label": label, "message": message}
