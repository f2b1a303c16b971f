"""Report helpers shared by the demo and the benchmark harness (cold path only).

What the machine is (:mod:`engine.report.machine`), Markdown tables and number
formatting (:mod:`engine.report.markdown`), and PNG charts drawn with matplotlib's Agg
canvas without touching the process-wide backend (:mod:`engine.report.plots`).
"""

from engine.report.machine import machine_info, machine_lines
from engine.report.markdown import fmt_us, md_table
from engine.report.plots import PlotUnavailable, bench_chart_png, latency_cdf_png

__all__ = ["machine_info", "machine_lines", "md_table", "fmt_us", "PlotUnavailable", "latency_cdf_png",
           "bench_chart_png"]
