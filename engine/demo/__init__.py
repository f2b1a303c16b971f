"""``python -m engine demo``: a scripted trading session against the embedded simulator.

:func:`run_demo` runs the session (:mod:`engine.demo.session`) and returns a
:class:`~engine.demo.summary.DemoSummary`; :mod:`engine.demo.render` turns it into the
console text, the Markdown report, JSON and the latency plot; :mod:`engine.demo.cli`
is the command line.
"""

from engine.demo.session import ENTRIES, VENUES, DemoError, DemoOptions, run_demo
from engine.demo.summary import DemoSummary

__all__ = ["run_demo", "DemoOptions", "DemoError", "DemoSummary", "VENUES", "ENTRIES"]
