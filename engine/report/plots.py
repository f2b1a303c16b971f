"""PNG charts for the reports, drawn on matplotlib's Agg canvas.

The figures are built with :class:`matplotlib.figure.Figure` and
``FigureCanvasAgg`` directly, so nothing here selects or changes the process-wide
backend of an application that embeds the engine.  matplotlib comes with the
``report`` extra; without it :class:`PlotUnavailable` says how to get it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["PlotUnavailable", "latency_cdf_png", "bench_chart_png"]

_COLORS = {"engine": "tab:blue", "baseline": "tab:gray", "peer": "tab:orange"}
_INSTALL_HINT = "matplotlib is not installed; install the report extra: pip install 'engine[report]'"


class PlotUnavailable(RuntimeError):
    """The chart cannot be drawn here (matplotlib missing)."""


def _figure(width: float, height: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(_INSTALL_HINT) from None
    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def latency_cdf_png(buckets: Mapping[str, Sequence[tuple[int, int, int]]], path: str | Path, title: str) -> Path:
    """Cumulative distribution of latency per stage, log time axis, written as PNG.

    Parameters
    ----------
    buckets : mapping
        Stage name -> ``LatencyHistogram.buckets()`` (``(low_ns, high_ns, count)`` rows);
        stages with no samples are listed in the legend as empty.
    path : str or Path
        Where to write the PNG.
    title : str
        The chart's title.

    Raises
    ------
    PlotUnavailable
        matplotlib is not installed.
    """
    fig = _figure(8.0, 4.8)
    ax = fig.add_subplot(1, 1, 1)
    for stage, rows in buckets.items():
        rows = sorted(rows)
        total = sum(c for _, _, c in rows)
        if not total:
            ax.plot([], [], label=f"{stage} (no samples)")
            continue
        xs, ys, seen = [rows[0][0] / 1000.0], [0.0], 0
        for _lo, hi, count in rows:
            seen += count
            xs.append(max(hi, 1) / 1000.0)
            ys.append(seen / total)
        ax.step(xs, ys, where="post", label=f"{stage} (n={total})")
    for q in (0.5, 0.9, 0.99):
        ax.axhline(q, color="0.8", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("latency (µs, log scale)")
    ax.set_ylabel("fraction of samples ≤ x")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def bench_chart_png(stages: Sequence[Mapping], path: str | Path, title: str) -> Path:
    """One panel per benchmark stage: each client's median as a bar, its p99 as a whisker.

    Parameters
    ----------
    stages : sequence of mappings
        Each with ``"title"`` (str), ``"unit"`` (str, axis label) and ``"rows"``: a sequence
        of ``(label, median_us, p99_us, kind)``; kind ``engine``, ``baseline`` or ``peer``
        picks the bar's colour.
    path, title
        As for :func:`latency_cdf_png`.
    """
    n = max(1, len(stages))
    heights = [0.9 + 0.32 * max(1, len(s["rows"])) for s in stages] or [1.0]
    fig = _figure(9.0, sum(heights) + 0.8)
    grid = fig.add_gridspec(n, 1, height_ratios=heights)
    for i, stage in enumerate(stages):
        ax = fig.add_subplot(grid[i, 0])
        rows = list(stage["rows"])
        labels = [r[0] for r in rows]
        med = [max(r[1], 1e-3) for r in rows]
        err_hi = [max((r[2] or r[1]) - r[1], 0.0) for r in rows]
        ys = list(range(len(rows)))
        colors = [_COLORS.get(r[3] if len(r) > 3 else "", "tab:orange") for r in rows]
        ax.barh(ys, med, color=colors, xerr=[[0.0] * len(rows), err_hi], error_kw={"elinewidth": 0.8})
        ax.set_yticks(ys, labels, fontsize=7)
        ax.invert_yaxis()
        if med and max(med) / min(med) > 20:
            ax.set_xscale("log")
        ax.set_title(stage["title"], fontsize=9, loc="left")
        ax.set_xlabel(stage.get("unit", "µs"), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", alpha=0.3)
        for y, m in zip(ys, med):
            ax.annotate(_short(m), (m, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=6)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))
    return _save(fig, path)


def _short(us: float) -> str:
    if us >= 100:
        return f"{us:,.0f}"
    if us >= 1:
        return f"{us:.1f}"
    return f"{us:.3f}".rstrip("0")


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path
