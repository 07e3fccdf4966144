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

    ``rows``: ``{"params": {...}, "value": float | None, "label": str, "best": bool}``;
    only trials with a finite value are drawn, darker the better, the best one in red.
    Each axis runs from its lowest to its highest value seen (a parameter searched on a
    log scale, ``log_names``, on a log axis); text and booleans get one tick per value.
    None when nothing to draw.

    Drawn with SVG lines, not Plotly's ``parcoords``: that trace needs WebGL code built
    at run time, which the console's Content-Security-Policy (no eval) refuses.
    """
    scored = [r for r in rows if finite(r.get("value")) is not None]
    if not scored or not names:
        return None
    axes = [
        _axis_of(name, [r["params"].get(name) for r in scored], log=name in log_names)
        for name in names
    ]
    values = [float(r["value"]) for r in scored]
    axes.append(_axis_of(metric_name or "objective", values, log=False))
    shade = _shades(values, goal)
    traces = []
    groups: dict[int, list[int]] = {}
    for i, row in enumerate(scored):
        groups.setdefault(-1 if row.get("best") else shade[i], []).append(i)
    # One trace per shade (lines split by None), the best last so that it is drawn on top.
    for key in sorted(groups, key=lambda k: (k == -1, k)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        texts: list[str | None] = []
        for i in groups[key]:
            label = str(scored[i].get("label") or f"#{i + 1}")
            for n, axis in enumerate(axes):
                xs.append(n)
                ys.append(axis.positions[i])
                texts.append(f"{label}<br>{axis.label} = {axis.shown[i]}")
            xs.append(None)
            ys.append(None)
            texts.append(None)
        best = key == -1
        traces.append(
            go.Scatter(
                x=xs,
                y=ys,
                text=texts,
                mode="lines",
                hoverinfo="text",
                connectgaps=False,
                showlegend=False,
                line={"color": BEST_COLOUR if best else SHADES[key], "width": 3 if best else 1.5},
                opacity=1.0 if best else 0.85,
            )
        )
    annotations = [
        {
            "x": n,
            "y": position,
            "text": text,
            "showarrow": False,
            "xanchor": "left",
            "xshift": 4,
            "font": {"size": 10, "color": "#687385"},
        }
        for n, axis in enumerate(axes)
        for position, text in axis.ticks
    ]
    shapes = [
        {
            "type": "line",
            "x0": n,
            "x1": n,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#9aa4b2", "width": 1},
        }
        for n in range(len(axes))
    ]
    figure = go.Figure(
        data=traces,
        layout=_layout(
            margin={"l": 24, "r": 24, "t": 16, "b": 44},
            height=360,
            hovermode="closest",
            xaxis={
                "tickvals": list(range(len(axes))),
                "ticktext": [axis.label for axis in axes],
                "range": [-0.25, len(axes) - 0.45],
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
            yaxis={"visible": False, "range": [-0.06, 1.06], "fixedrange": True},
            annotations=annotations,
            shapes=shapes,
        ),
    )
    return _plain(figure)


# Better is darker, whichever way the goal points (the best trial is red).
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c")


def _shades(values: Sequence[float], goal: str) -> list[int]:
    """Each value's shade index, 0 (worst) to len(SHADES) - 1 (best).

    >>> _shades([1.0, 2.0, 3.0], "maximize"), _shades([1.0, 2.0, 3.0], "minimize")
    ([0, 3, 5], [5, 3, 0])
    """
    low, high = min(values), max(values)
    out = []
    for value in values:
        t = 0.5 if high == low else (value - low) / (high - low)
        if goal == "minimize":
            t = 1.0 - t
        out.append(min(int(t * len(SHADES)), len(SHADES) - 1))
    return out


@dataclass(frozen=True)
class _Axis:
    """One vertical axis: where each trial crosses it (0 bottom, 1 top) and its labels."""

    label: str
    positions: list[float]
    shown: list[str]
    ticks: list[tuple[float, str]]


def _axis_of(name: str, values: list[Any], *, log: bool) -> _Axis:
    numeric = all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )
    if numeric:
        log = log and all(v > 0 for v in values)
        scaled = [math.log10(v) if log else float(v) for v in values]
        low, high = min(scaled), max(scaled)
        positions = [0.5 if high == low else (v - low) / (high - low) for v in scaled]
        shown = [_number(v) for v in values]
        lowest, highest = min(values), max(values)
        ticks = (
            [(0.5, _number(lowest))]
            if high == low
            else [(0.0, _number(lowest)), (1.0, _number(highest))]
        )
        return _Axis(name + (" (log)" if log else ""), positions, shown, ticks)
    labels = sorted({_label(v) for v in values})
    spots = {
        label: 0.5 if len(labels) == 1 else i / (len(labels) - 1) for i, label in enumerate(labels)
    }
    shown = [_label(v) for v in values]
    return _Axis(name, [spots[s] for s in shown], shown, [(spots[t], t) for t in labels])


def _number(value: float) -> str:
    return f"{value:.4g}"


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
