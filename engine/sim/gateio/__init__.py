"""The Gate.io APIv4 spot personality: REST on ``/api/v4/``, WebSocket v4 channels and order API
on ``/ws/v4/``, on a loopback port of its own.

Wire facts from ../shared/venues/gateio-spot.md (cited by section in each module):
signatures (§2, §3, §7, §8), orders, lookups, lists, amend, cancel and the batch forms (§4),
labels and statuses (§5), rate limits and their headers (§6), channels and their field types
(§7), the order API's ack and result frames (§8).

Switchable, because the sheet marks them unconfirmed (``sim.state["gateio"]``):

* ``poc_error`` / ``fok_error``: a post-only order that would take, an FOK order that cannot
  fill, refused with ``POC_FILL_IMMEDIATELY`` / ``FOK_NOT_FILL`` instead of the default 201
  ``cancelled`` with ``finish_as`` ``poc`` / ``fok``;
* ``limiter.cancel_per_s``: the spot cancel limit (200 r/s; a 100 r/s figure is unconfirmed);
* ``refusals``: (label, HTTP status) pairs the next order creates are refused with, unprocessed, one
  each (every label of the sheet on demand);
* ``pongs``: False leaves ``spot.ping`` unanswered (a venue gone silent);
* the login signature is accepted over ``req_param`` "" (the docs) or "{}" (the SDKs):
  :data:`engine.sim.gateio.auth.LOGIN_REQ_PARAMS`.

Also unconfirmed and chosen here: ``REQUEST_EXPIRED`` for a request past ``X-Gate-Exptime``;
HTTP 401 for ``REQUEST_EXPIRED``; ``INVALID_KEY`` for an order API request before login;
``FORBIDDEN`` (403) as the answer of an ``http418`` fault (Gate has no IP-ban answer).
"""
