"""PNG charts for the reports, drawn on matplotlib's Agg canvas.

The figures are built with :class:`matplotlib.figure.Figure` and
``FigureCanvasAgg`` directly, so nothing here selects or changes the process-wide
backend of an application that embeds the engine.  matplotlib comes with the
``report`` extra; without it :class:`PlotUnavailable` says how to get it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["PlotUnavailable", "latency_cdf_png", "bench_chart_png", "bench_chart_figure"]

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
    """One panel per benchmark stage: each client's median as a bar, its p99 as a whisker (PNG).

    Parameters
    ----------
    stages : sequence of mappings
        Each with ``"title"`` (str), ``"unit"`` (str, axis label) and ``"rows"``: a sequence
        of ``(label, median_us, p99_us, kind)``; kind ``engine``, ``baseline``, ``peer`` or
        ``reference`` (a floor no client can beat) picks the bar's style.
    path, title
        As for :func:`latency_cdf_png`.
    """
    return _save(bench_chart_figure(stages, title), path)


def bench_chart_figure(stages: Sequence[Mapping], title: str):
    """The figure :func:`bench_chart_png` writes.

    Every bar is labelled with its median and p99, written past the end of its whisker; a
    panel whose values span more than 20x uses a log axis and says so in its axis label; one
    legend names the bar styles and the whisker; the floor reference is a hatched white bar.
    """
    n = max(1, len(stages))
    heights = [0.9 + 0.32 * max(1, len(s["rows"])) for s in stages] or [1.0]
    fig = _figure(9.0, sum(heights) + 1.1)
    grid = fig.add_gridspec(n, 1, height_ratios=heights)
    kinds: list[str] = []
    panels = []
    for i, stage in enumerate(stages):
        ax = fig.add_subplot(grid[i, 0])
        rows = list(stage["rows"])
        ys = list(range(len(rows)))
        med = [max(r[1], 1e-3) for r in rows]
        p99 = [max(r[2] or r[1], r[1], 1e-3) for r in rows]
        for y, r, m in zip(ys, rows, med):
            kind = r[3] if len(r) > 3 and r[3] in _BARS else "peer"
            kinds.append(kind)
            ax.barh(y, m, height=0.7, **_BARS[kind][1])
        ax.errorbar(med, ys, xerr=[[0.0] * len(rows), [h - m for h, m in zip(p99, med)]], fmt="none",
                    ecolor=_WHISKER, elinewidth=0.8, capsize=2.5)
        ax.set_yticks(ys, [r[0] for r in rows], fontsize=7)
        ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
        log = bool(med) and max(med) / min(med) > 20   # bars that differ this much: a log axis, said so
        unit = stage.get("unit", "µs")
        if log:
            ax.set_xscale("log")
            unit = f"{unit}, log scale"
        else:
            ax.set_xlim(0, max(p99, default=1.0) * 1.02)
        ax.set_title(stage["title"], fontsize=9, loc="left")
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", which="major", alpha=0.3)
        labels = [ax.annotate(f"{_short(m)}  (p99 {_short(h)})", (h, y), xytext=(4, 0), textcoords="offset points",
                              va="center", fontsize=6.5) for y, m, h in zip(ys, med, p99)]
        panels.append((ax, labels))
    handles = [_patch(**_BARS[k][1], label=_BARS[k][0]) for k in _BARS if k in kinds]
    handles.append(_line([], [], color=_WHISKER, linewidth=0.8, marker="|", markersize=6, label="whisker: p99"))
    top = 1 - 0.3 / fig.get_figheight()
    fig.suptitle(title, fontsize=10, y=top + 0.25 / fig.get_figheight())
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, top), ncol=len(handles), fontsize=7,
               frameon=False, handlelength=1.6, columnspacing=1.2)
    fig.tight_layout(rect=(0, 0, 1, top - 0.2 / fig.get_figheight()))
    _fit_labels(fig, panels)
    return fig


# kind -> (legend entry, bar style)
_BARS = {
    "engine": ("engine", {"facecolor": "tab:blue"}),
    "baseline": ("pure-Python baseline", {"facecolor": "tab:gray"}),
    "peer": ("peer library", {"facecolor": "tab:orange"}),
    "reference": ("floor reference (not a client)",
                  {"facecolor": "white", "edgecolor": "0.25", "hatch": "////", "linestyle": "--", "linewidth": 0.8}),
}
_WHISKER = "0.15"


def _patch(**kw):
    from matplotlib.patches import Patch

    return Patch(**kw)


def _line(*args, **kw):
    from matplotlib.lines import Line2D

    return Line2D(*args, **kw)


def _fit_labels(fig, panels) -> None:
    """Widen each panel's x axis until the value labels past the whiskers fit inside it."""
    renderer = fig.canvas.get_renderer()
    for ax, labels in panels:
        if not labels:
            continue
        box = ax.get_window_extent(renderer)
        width = box.width
        scale = ax.xaxis.get_transform()          # identity (linear) or log10: the axis' own coordinates
        lo, hi = (float(v) for v in scale.transform(list(ax.get_xlim())))
        need = hi
        for text in labels:
            anchor = ax.transData.transform((text.xy[0], 0))[0]
            extra = text.get_window_extent(renderer).x1 - anchor + 4   # label width past its anchor, px
            room = width - extra
            if room <= width * 0.2:
                room = width * 0.2                    # an absurdly long label: give it most of the panel
            at = float(scale.transform([text.xy[0]])[0])
            need = max(need, lo + (at - lo) * width / room)
        if need > hi:
            ax.set_xlim(ax.get_xlim()[0], float(scale.inverted().transform([need])[0]))


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
