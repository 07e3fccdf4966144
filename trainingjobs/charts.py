"""Plotly figures of a job and a trial, built from plain values (no ORM, no I/O).

Each builder returns the figure as a JSON-ready dict (``data`` and ``layout``) that the
page hands to ``Plotly.newPlot`` once; the live dashboard later extends these traces.
JSON has no NaN or Infinity, so a value that is not finite is drawn as a gap (None) and
the tables beside the charts say what it was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

# Past this many trials the legend is more noise than help.
LEGEND_MAX = 12
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


@dataclass(frozen=True)
class Curve:
    """One trial's reports: ``values[i]`` was reported at ``steps[i]`` (None: not finite)."""

    label: str
    steps: list[int]
    values: list[float | None]
    best: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def finite(value: float | None) -> float | None:
    """The value, or None when it is missing, NaN or infinite (JSON cannot carry those).

    >>> finite(0.5), finite(float("nan")), finite(float("inf")), finite(None)
    (0.5, None, None, None)
    """
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def curves_by_trial(
    points: Iterable[tuple[int, int, float | None]],
) -> dict[int, tuple[list[int], list[float | None]]]:
    """``(trial_id, step, value)`` rows, any order, as ``{trial_id: (steps, values)}`` by step.

    >>> curves_by_trial([(2, 2, 0.5), (1, 1, 0.1), (2, 1, 0.4)])
    {2: ([1, 2], [0.4, 0.5]), 1: ([1], [0.1])}
    """
    grouped: dict[int, list[tuple[int, float | None]]] = {}
    for trial_id, step, value in points:
        grouped.setdefault(trial_id, []).append((step, value))
    return {
        trial_id: ([s for s, _ in sorted(rows)], [v for _, v in sorted(rows)])
        for trial_id, rows in grouped.items()
    }


def _layout(**extra: Any) -> dict[str, Any]:
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


def _axis(title: str) -> dict[str, Any]:
    return {"title": {"text": title}, "gridcolor": "#edf0f4", "zeroline": False}


def metric_figure(curves: Sequence[Curve], *, metric_name: str) -> dict[str, Any]:
    """The metric against the report index, one line per trial, the best one in red."""
    traces = []
    for i, curve in enumerate(curves):
        colour = BEST_COLOUR if curve.best else COLOURS[i % len(COLOURS)]
        traces.append(
            go.Scatter(
                x=list(curve.steps),
                y=[finite(v) for v in curve.values],
                mode="lines+markers" if len(curve.steps) < 40 else "lines",
                name=curve.label + (" (best)" if curve.best else ""),
                line={"color": colour, "width": 3 if curve.best else 1.5},
                marker={"size": 5},
                opacity=1.0 if curve.best else 0.75,
                connectgaps=False,
                hovertemplate=f"{curve.label}<br>report %{{x}}<br>{metric_name} %{{y}}"
                "<extra></extra>",
            )
        )
    # The best trial last, so that it is drawn over the others.
    traces.sort(key=lambda t: bool(t.name and t.name.endswith("(best)")))
    figure = go.Figure(
        data=traces,
        layout=_layout(
            xaxis=_axis("report"),
            yaxis=_axis(metric_name or "metric"),
            showlegend=0 < len(curves) <= LEGEND_MAX,
            legend={"orientation": "v", "x": 1.02, "y": 1},
        ),
    )
    return _plain(figure)


def parallel_figure(
    rows: Sequence[Mapping[str, Any]],
    *,
    names: Sequence[str],
    metric_name: str,
    goal: str,
    log_names: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """One line per scored trial across its searched values and its objective.

    ``rows``: ``{"params": {...}, "value": float | None}``; only trials with a finite value
    are drawn. Text and booleans get one tick per value seen; a parameter searched on a log
    scale (``log_names``) is drawn as its log10, since a parallel axis is always linear.
    None when nothing to draw.
    """
    scored = [r for r in rows if finite(r.get("value")) is not None]
    if not scored or not names:
        return None
    dimensions = [
        _dimension(name, [r["params"].get(name) for r in scored], log=name in log_names)
        for name in names
    ]
    values = [float(r["value"]) for r in scored]
    dimensions.append({"label": metric_name or "objective", "values": values})
    # Darker is better, whichever way the goal points.
    scale = "Blues" if goal != "minimize" else "Blues_r"
    figure = go.Figure(
        data=[
            go.Parcoords(
                # No colour bar: the last axis is the objective, with its own scale.
                line={"color": values, "colorscale": scale, "showscale": False},
                dimensions=dimensions,
            )
        ],
        layout=_layout(margin={"l": 60, "r": 60, "t": 48, "b": 24}, height=360),
    )
    return _plain(figure)


def _dimension(name: str, values: list[Any], *, log: bool = False) -> dict[str, Any]:
    numeric = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )
    if numeric and log and all(v > 0 for v in values):
        return {"label": f"log10({name})", "values": [math.log10(v) for v in values]}
    if numeric:
        return {"label": name, "values": [float(v) for v in values]}
    labels = sorted({_label(v) for v in values})
    index = {label: i for i, label in enumerate(labels)}
    return {
        "label": name,
        "values": [index[_label(v)] for v in values],
        "tickvals": list(range(len(labels))),
        "ticktext": labels,
        "range": [-0.5, len(labels) - 0.5] if len(labels) == 1 else [0, len(labels) - 1],
    }


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else str(value)


def trial_figure(
    steps: Sequence[int], values: Sequence[float | None], *, metric_name: str
) -> dict[str, Any] | None:
    """One trial's reports; None before its first report."""
    if not steps:
        return None
    curve = Curve(label="this trial", steps=list(steps), values=list(values), best=False)
    figure = metric_figure([curve], metric_name=metric_name)
    figure["layout"]["showlegend"] = False
    figure["layout"]["height"] = 300
    return figure


def _plain(figure: go.Figure) -> dict[str, Any]:
    plain: dict[str, Any] = figure.to_plotly_json()
    # The page's stylesheet and Plotly's defaults make the look; no 10 kB template per chart.
    plain["layout"].pop("template", None)
    return plain
