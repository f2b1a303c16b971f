"""The encoders' error type and the messages for their C status codes (cold path)."""

from engine.errors import EngineError

from engine._codec_wire cimport CODEC_E_CALLBACK
from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_NOTHING
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_POSITION
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_QUOTE_QTY
from engine._codec_wire cimport CODEC_E_RECV_WINDOW
from engine._codec_wire cimport CODEC_E_SIDE
from engine._codec_wire cimport CODEC_E_STOP
from engine._codec_wire cimport CODEC_E_STOP_FORBIDDEN
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TIF
from engine._codec_wire cimport CODEC_E_TIMESTAMP
from engine._codec_wire cimport CODEC_E_TYPE


class EncodeError(EngineError, ValueError):
    """An order the encoder refuses to produce; nothing was written.

    Attributes
    ----------
    code : int
        The C status code (negative), one per kind of mistake.
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


_MESSAGES = {
    CODEC_E_SIDE: "side must be Side.BUY or Side.SELL",
    CODEC_E_TYPE: "order type not supported by this venue",
    CODEC_E_TIF: "time in force not valid for this order type on this venue",
    CODEC_E_QTY: "quantity must be > 0",
    CODEC_E_PRICE: "price must be > 0 for this order type",
    CODEC_E_PRICE_FORBIDDEN: "price must be 0 (absent) for this order type",
    CODEC_E_STOP: "stop/trigger price must be > 0 for this order type",
    CODEC_E_STOP_FORBIDDEN: "stop/trigger price must be 0 (absent) for this order type",
    CODEC_E_CLIENT_ID: "client order id too long or has characters the venue does not accept",
    CODEC_E_SYMBOL: "symbol empty, too long or has illegal characters",
    CODEC_E_OVERFLOW: "request does not fit the encoder's buffer",
    CODEC_E_ORDER_REF: "give exactly one of the exchange order id and the client order id",
    CODEC_E_POSITION: "position side / reduce-only not valid for this venue or combination",
    CODEC_E_TIMESTAMP: "timestamp must be > 0",
    CODEC_E_RECV_WINDOW: "recv window outside the venue's range",
    CODEC_E_CALLBACK: "trailing callback rate required for trailing stops and forbidden otherwise",
    CODEC_E_QUOTE_QTY: "quote quantity required for market buys and forbidden otherwise",
    CODEC_E_NOTHING: "amend must change the quantity or the price",
}


def encode_error(int code, str venue, str detail=""):
    """The :class:`EncodeError` for a negative status code of a ``*_c`` encoder entry point.

    Parameters
    ----------
    code : int
    venue : str
    detail : str, optional
        The offending values, already formatted (never a secret).

    Returns
    -------
    EncodeError
    """
    message = f"{venue}: {_MESSAGES.get(code, f'encoder status {code}')}"
    if detail:
        message += f" ({detail})"
    return EncodeError(message, code)
