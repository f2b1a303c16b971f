"""Helpers shared by the tests and the benchmarks (``from tests.support.<module> import ...``).

- ``alloc``: counting Python allocations (the hot path allocates nothing);
- ``engine_fixtures``: an engine connected to a fresh simulator over loopback;
- ``sim_fixtures``, ``sim_entries``: plain clients (aiohttp + hmac) driving the simulator;
- ``chaos_bot``: the chaos run of tests/oms/test_engine_chaos.py and bench/chaos_long.py;
- ``fuzzing``, ``parse_reference``: message mutators and the parsers' pure-Python reference.
"""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent      # the repository
DATA = ROOT / "tests" / "data"                                    # recorded venue messages
