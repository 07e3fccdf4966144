"""Plotly figures of the job page and the trial page, built from plain values (no ORM,
no I/O): the metric by report, the parallel coordinates of searched values, one trial's
reports.

Each builder returns the figure as a JSON-ready dict (``data`` and ``layout``) that the
page hands to ``Plotly.newPlot`` once. Values are shaped by ``trainingjobs.chart_data``
and styled by ``trainingjobs.chart_style``; the live dashboard's figures are
``trainingjobs.dashboard_charts``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from trainingjobs.chart_data import Curve, finite, value_text
from trainingjobs.chart_style import (
    BEST_COLOUR,
    COLOURS,
    SHADES,
    axis_style,
    base_layout,
    count_axis,
)

# Plotly imports its figure and trace classes lazily, at first use. Two requests drawing
# figures in two threads at once (the job page and its live figures) deadlocked in that
# import under serve; load them once, here, under this module's import lock.
_EAGER = (go.Figure, go.Scatter)

# Past this many trials the legend is more noise than help.
LEGEND_MAX = 12


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
        layout=base_layout(
            xaxis=count_axis("report", max((max(c.steps, default=0) for c in curves), default=0)),
            yaxis=axis_style(metric_name or "metric"),
            showlegend=0 < len(curves) <= LEGEND_MAX,
            legend={"orientation": "v", "x": 1.02, "y": 1},
            # The top margin is Plotly's mode bar's (top right, on hover), clear of the
            # plot and of the legend's first entry.
            margin={"l": 56, "r": 20, "t": 32, "b": 44},
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
        # Each vertex's trial number: the page's brushing selects trials by it.
        numbers: list[int | None] = []
        for i in groups[key]:
            label = str(scored[i].get("label") or f"#{i + 1}")
            for n, axis in enumerate(axes):
                xs.append(n)
                ys.append(axis.positions[i])
                texts.append(f"{label}<br>{axis.label} = {axis.shown[i]}")
                numbers.append(scored[i].get("number"))
            xs.append(None)
            ys.append(None)
            texts.append(None)
            numbers.append(None)
        best = key == -1
        # A plain dict, not go.Scatter: plotly's validation of thousands of vertices was
        # most of the job page's server time.
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": [None if y is None else round(y, 4) for y in ys],
                "text": texts,
                "customdata": numbers,
                "mode": "lines+markers",
                "marker": {"size": 3, "opacity": 0},
                "hoverinfo": "text",
                "connectgaps": False,
                "showlegend": False,
                "line": {
                    "color": BEST_COLOUR if best else SHADES[key],
                    "width": 3 if best else 1.5,
                },
                "opacity": 1.0 if best else 0.85,
            }
        )
    annotations = [
        tick_label(n, position, text)
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
    return {
        "data": traces,
        "layout": base_layout(
            # The top margin is Plotly's mode bar's, clear of the axes' top labels.
            margin={"l": 24, "r": 24, "t": 32, "b": 44},
            height=376,
            hovermode="closest",
            xaxis={
                "tickvals": list(range(len(axes))),
                "ticktext": [axis.label for axis in axes],
                "range": [-0.25, len(axes) - 0.45],
                "showgrid": False,
                "zeroline": False,
                "fixedrange": True,
            },
            # Room above and below the lines for the end labels (``tick_label``).
            yaxis={"visible": False, "range": [-0.09, 1.09], "fixedrange": True},
            annotations=annotations,
            shapes=shapes,
        ),
    }


def tick_label(axis: int, position: float, text: str) -> dict[str, Any]:
    """The annotation labelling a value on parallel axis ``axis`` (0, 1, ...) at
    ``position`` (0 bottom, 1 top).

    Lines end on the axes' top and bottom, so the labels of those ends sit beyond them
    (above the top, below the bottom), where no line runs; a label within the axis (a
    category in the middle, a constant value) gets a white backing so a line crossing it
    does not strike it through.

    >>> tick_label(0, 1.0, "0.1")["yanchor"], tick_label(0, 0.0, "0.001")["yanchor"]
    ('bottom', 'top')
    """
    anchor = "bottom" if position >= 1.0 else "top" if position <= 0.0 else "middle"
    return {
        "x": axis,
        "y": position,
        "text": text,
        "showarrow": False,
        "xanchor": "left" if anchor == "middle" else "center",
        "xshift": 4 if anchor == "middle" else 0,
        "yanchor": anchor,
        "yshift": {"bottom": 2, "top": -2, "middle": 0}[anchor],
        "bgcolor": "rgba(255, 255, 255, 0.85)",
        "borderpad": 1,
        "font": {"size": 10, "color": "#57606a"},
    }


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
    labels = sorted({value_text(v) for v in values})
    spots = {
        label: 0.5 if len(labels) == 1 else i / (len(labels) - 1) for i, label in enumerate(labels)
    }
    shown = [value_text(v) for v in values]
    return _Axis(name, [spots[s] for s in shown], shown, [(spots[t], t) for t in labels])


def _number(value: float) -> str:
    return f"{value:.4g}"


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
