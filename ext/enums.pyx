"""Order vocabulary (sides, types, time in force, states): see enums.pxd."""

TERMINAL_STATES = frozenset({OrderState.FILLED, OrderState.CANCELLED, OrderState.REJECTED, OrderState.EXPIRED,
                             OrderState.NOT_PLACED})
