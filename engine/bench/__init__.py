"""``python -m engine bench``: the end-to-end benchmark harness.

Five stages, each done by this engine, by a pure-Python baseline (stdlib ``hmac`` +
``json`` + aiohttp) in the same run, and by the peers that are installed:

1. sign a Binance query (:mod:`engine.bench.micro`, :mod:`engine.bench.peers`);
2. encode and sign a LIMIT order;
3. parse an execution report and apply it to its order;
4. place an order and get it acknowledged, on loopback against the simulator running in
   its own process (:mod:`engine.bench.roundtrip`; each venue's rows and peers in
   ``engine/bench/roundtrip_<venue>.py``, collected by :mod:`engine.bench.runner`);
5. cancel it.

:func:`run_bench` returns a :class:`~engine.bench.results.BenchReport`;
:mod:`engine.bench.results` renders it as Markdown, JSON and a chart.  The
pytest-benchmark micro benchmarks stay in ``bench/``.
"""

from engine.bench.results import BenchReport
from engine.bench.runner import BenchError, BenchOptions, run_bench

__all__ = ["run_bench", "BenchOptions", "BenchError", "BenchReport"]
