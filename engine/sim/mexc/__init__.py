"""The MEXC spot V3 personality (engine venue ``mexc``), on a loopback port of its own.

Wire facts followed: shared/venues/mexc-spot.md (REST §2, §4-6; the listen-key stream and its
protobuf pushes §7, built with the official schema's field numbers by :mod:`.proto`).

Switchable, because the sheet marks them unconfirmed or seen only in peer code (:mod:`.state`):
the cancel answer's status (the pre-cancel status by default), the -2013 answer to a query right
after a create, duplicate client order ids, the keepalive spacing that answers 730708, the stream's
30 s / 60 s disconnects, the listen keys' life.  Unconfirmed and fixed: the error codes for a price
off the tick and a quantity off the step (33333), what a post-only order that would take does
(recorded and cancelled), the answers to a 61st listen key and a sixth connection on a key.

Modules: ``personality`` (registration), ``app`` (the port's routes), ``rest`` (the request frame:
parameters, key, signature, window, limits), ``auth``, ``errors``, ``limits``, ``fault_answers``,
``state``, ``instruments``, ``orders``, ``shapes``, ``market_data``, ``account``, ``wallet``
(withdrawals), ``listen_keys``, ``user_stream``, ``events`` (core events as pushes), ``proto`` (the
protobuf writer).
"""
