"""Venue adapters: one folder per venue, every folder the same shape, joined to the engine by one registry line.

The order manager (:mod:`engine.oms`) talks to a venue only through its adapter, whose
contract is :mod:`engine.venues.base`; :mod:`engine.venues.registry` names each venue's
adapter class.  A venue folder holds one module per role; a role the venue does not
have is listed as absent in the folder's ``__init__`` docstring, with the reason:

==============  ===================================================================================
``adapter``     the contract's class: composes the modules below, declares its capabilities
``rest``        signed REST: queries, account, metadata (the general, cold path)
``order_path``  orders on the lean HTTP path (:mod:`engine.transport.lean_path`) with the compiled
                encoder and parser
``user_stream`` the user-data stream (orders, fills, balances), feeding the engine raw messages
``ws_orders``   WebSocket order entry (requests correlated by :mod:`engine.transport.inflight`)
``brackets``    native brackets (order lists, or exits attached to an entry), and which are not
``decode``      the venue's JSON into the neutral records (queries, foreign orders, account messages)
``instruments`` instrument rules from the venue's metadata into the registry
``limits``      the venue's rate limits as a :class:`~engine.transport.ratelimit.RateLimiter`
``errors``      the venue's answers as typed errors (:mod:`engine.venues.errors`)
``endpoints``   where it lives (:class:`~engine.venues.site.VenueSite`: hosts per network, credential
                variables, the domains that trade real funds, its paths on the simulator's port)
``traits``      its example instruments and pace for demos and tests written once for every venue
                (:class:`~engine.venues.traits.VenueTraits`)
==============  ===================================================================================

Adding a venue: its folder, its simulator personality (``engine/sim/<venue>/``, one line in
``engine/sim/personalities.py``), its bench rows (``engine/bench/roundtrip_<folder>.py``), its compiled
encoder and parser (``ext/*<venue>*``), its tests (``tests/venues/<venue>/``) and one line in the
registry; nothing else changes.  The shared code collects the rest over the registry: configuration
reads ``endpoints``, the demo and the test kit ``traits``, the bench runner the rows module
(``tests/venues/test_venue_folder_rule.py`` keeps venue names out of the shared modules).
"""
