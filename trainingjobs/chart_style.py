"""The look shared by the console's Plotly figures: colours, the base layout, an axis.

Plain values only; the figure builders (``trainingjobs.charts``,
``trainingjobs.dashboard_charts``) start every layout from ``base_layout``.
"""

from __future__ import annotations

from typing import Any

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
