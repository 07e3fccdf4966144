"""The look shared by the console's Plotly figures: colours, the base layout, an axis.

Plain values only; the figure builders (``trainingjobs.charts``,
``trainingjobs.dashboard_charts``) start every layout from ``base_layout``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from trainingjobs.chart_data import tick_step

BEST_COLOUR = "#cf222e"
COLOURS = (
    "#1f6feb",
    "#1a7f37",
    "#9a6700",
    "#8250df",
    "#0598bc",
    "#bf3989",
    "#57606a",
    "#d4a72c",
    "#2da44e",
    "#6e7781",
)

# Better is darker, whichever way the goal points (the best trial is red).
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c")

# The live dashboard: a trial's status, ended trials, the selected ones, an early stop.
STATUS_COLOURS = {
    "queued": "#8c959f",
    "running": "#1f6feb",
    "completed": "#1a7f37",
    "failed": "#cf222e",
    "early_stopped": "#bc4c00",
    "canceled": "#6e7781",
    "lost": "#8250df",
}
FINISHED_COLOUR = "#8aa0bd"
SELECTED_COLOUR = "#8250df"
STOP_COLOUR = "#bc4c00"


def base_layout(**extra: Any) -> dict[str, Any]:
    """The layout every figure starts from, with ``extra`` keys set over it."""
    layout: dict[str, Any] = {
        "margin": {"l": 56, "r": 20, "t": 16, "b": 44},
        "height": 340,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"family": "-apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 12},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def axis_style(title: str) -> dict[str, Any]:
    """A plain axis titled ``title``: light grid, no zero line."""
    return {"title": {"text": title}, "gridcolor": "#edf0f4", "zeroline": False}


# At most about this many ticks on an axis that counts (trials, reports).
COUNT_TICKS_MAX = 10


def count_ticks(largest: float) -> dict[str, Any]:
    """The ticks of an axis that counts (trial numbers, report numbers), from 0 up to
    ``largest``: whole numbers only (Plotly's own ticks of 1 to 3 fall on 0.5, 1.5 ...),
    every 1, 2, 5, 10 ... so that at most about ``COUNT_TICKS_MAX`` show. The live pages
    widen the step as the count grows (``SweepFormat.countTicks``, the same rule).

    >>> count_ticks(3)
    {'tickmode': 'linear', 'tick0': 0, 'dtick': 1, 'tickformat': 'd'}
    >>> count_ticks(22)["dtick"], count_ticks(400)["dtick"]
    (5, 50)
    """
    return {
        "tickmode": "linear",
        "tick0": 0,
        "dtick": tick_step(largest, COUNT_TICKS_MAX),
        "tickformat": "d",
    }


def count_axis(title: str, largest: float) -> dict[str, Any]:
    """``axis_style`` for an axis of trial or report numbers up to ``largest``."""
    return {**axis_style(title), **count_ticks(largest)}


def value_range(values: Iterable[float | None], margin: float = 0.08) -> list[float] | None:
    """A y range that fits ``values`` (None and non-finite ones skipped) with ``margin`` of
    their spread above and below, or None when there is none. A flat series gets 2% of
    its magnitude each side, so a constant 0.97 reads 0.95 to 0.99, not Plotly's 0 to 1.5.

    >>> value_range([0.9, 0.95, 0.97])
    [0.8944, 0.9756]
    >>> value_range([0.9722, 0.9722]), value_range([0.0]), value_range([None])
    ([0.952756, 0.991644], [-1.0, 1.0], None)
    """
    seen = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not seen:
        return None
    low, high = min(seen), max(seen)
    pad = (high - low) * margin if high > low else (abs(high) * 0.02 or 1.0)
    return [_round(low - pad), _round(high + pad)]


def _round(value: float) -> float:
    """Six significant digits: a range the page need not carry to 17."""
    return float(f"{value:.6g}")


def log_ticks(values: Iterable[float | None]) -> dict[str, Any]:
    """Tick values and labels for a log axis over ``values``: the decades (0.001, 0.01,
    0.1 ...) when the values span two or more of them, else 1, 2 and 5 of each decade,
    every label in full. Plotly's own log ticks label 2 and 5 between the decades with a
    bare digit, cramped in a small panel. Empty when no value is above zero.

    >>> log_ticks([0.0002, 0.08])["ticktext"]
    ['0.0001', '0.001', '0.01', '0.1']
    >>> log_ticks([0.02, 0.06])["ticktext"]
    ['0.01', '0.02', '0.05', '0.1']
    >>> log_ticks([3e-6, 5e-3])["ticktext"]
    ['1e-6', '1e-5', '0.0001', '0.001', '0.01']
    """
    positive = [float(v) for v in values if v is not None and math.isfinite(v) and v > 0]
    if not positive:
        return {}
    first = math.floor(math.log10(min(positive)) + 1e-9)
    last = math.ceil(math.log10(max(positive)) - 1e-9)
    decades = range(first, max(last, first + 1) + 1)
    inside = [k for k in decades if min(positive) <= 10.0**k <= max(positive)]
    steps = (1,) if len(inside) >= 2 else (1, 2, 5)
    ticks = [(m, k) for k in decades for m in steps if not (k == decades[-1] and m > 1)]
    return {
        "tickmode": "array",
        "tickvals": [_round(m * 10.0**k) for m, k in ticks],
        "ticktext": [_tick_text(m, k) for m, k in ticks],
    }


def _tick_text(mantissa: int, exponent: int) -> str:
    """``mantissa`` x 10^``exponent`` as a label: plain from 0.0001 to 100000, else 2e-6."""
    if -4 <= exponent <= 5:
        return f"{mantissa * 10.0**exponent:.{max(0, -exponent)}f}"
    return f"{mantissa}e{exponent}"
