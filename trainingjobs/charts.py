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

# Plotly imports its figure and trace classes lazily, at first use. Two requests drawing
# figures in two threads at once (the job page and its live figures) deadlocked in that
# import under serve; load them once, here, under this module's import lock.
_EAGER = (go.Figure, go.Scatter)

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
    return {
        "data": traces,
        "layout": _layout(
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
    }


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


# --- the live dashboard ----------------------------------------------------------------------
#
# Rows are the dashboard's trial dicts: ``number``, ``status``, ``algorithm``, ``params``,
# ``value`` (objective, None when not finite), ``started``/``finished`` (seconds since the
# job started, None when not yet) and, for the metric chart, ``curve`` (values by report,
# None for NaN). The page extends these figures in place as events arrive; their
# ``layout.meta`` tells it which trace is which.

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


def compact(value: float | None) -> float | None:
    """A finite value to 6 significant digits (smaller pages), else None.

    >>> compact(0.123456789), compact(float("nan")), compact(None)
    (0.123457, None, None)
    """
    value = finite(value)
    return None if value is None else float(f"{value:.6g}")


def _chart_value(value: float | None) -> float | None:
    """A value as the metric chart draws it: 4 significant digits (a pixel is coarser)."""
    value = finite(value)
    return None if value is None else float(f"{value:.4g}")


def thin(values: Sequence[float | None], keep: int) -> tuple[list[int], list[float | None]]:
    """A curve cut to about ``keep`` points that still looks the same: ``(reports, values)``.

    ``values[i]`` is report ``i + 1`` (None: NaN, a gap). A curve of at most ``keep``
    values comes back whole. A longer one keeps, in each run of finite values, a share of
    ``keep`` picked by largest-triangle-three-buckets (``_lttb``: the point of each
    bucket that bends the line most, so knees and spikes survive where an average or a
    stride would flatten them), the first and last report of the run, and the first NaN
    after it (the gap stays a gap).

    >>> thin([0.1, 0.2, 0.3], 8)
    ([1, 2, 3], [0.1, 0.2, 0.3])
    >>> thin([0.0, 0.1, 0.2, 0.9, 0.2, 0.1, 0.0, 0.1, 0.2], 5)
    ([1, 3, 4, 6, 9], [0.0, 0.2, 0.9, 0.1, 0.2])
    >>> thin([1.0, 2.0, 3.0, None, 5.0, 6.0, 7.0, 8.0], 4)
    ([1, 3, 4, 5, 8], [1.0, 3.0, None, 5.0, 8.0])
    """
    n = len(values)
    if n <= keep:
        return list(range(1, n + 1)), list(values)
    runs: list[tuple[int, int]] = []  # [start, end) of each run of finite values
    i = 0
    while i < n:
        if values[i] is None:
            i += 1
            continue
        j = i
        while j < n and values[j] is not None:
            j += 1
        runs.append((i, j))
        i = j
    finite_count = sum(end - start for start, end in runs) or 1
    picked: list[int] = []
    for start, end in runs:
        share = max(2, round(keep * (end - start) / finite_count))
        picked += _lttb(values, start, end, share)
        if end < n:
            picked.append(end)  # the NaN that ends the run: a gap in the line
    return [i + 1 for i in picked], [values[i] for i in picked]


def _lttb(values: Sequence[float | None], start: int, end: int, keep: int) -> list[int]:
    """Indexes of ``keep`` points of ``values[start:end]`` (all finite), first and last
    included: largest-triangle-three-buckets (Steinarsson 2013), x being the index."""
    count = end - start
    if count <= keep or keep < 3:
        return list(range(start, end)) if count <= keep else [start, end - 1]
    y: list[float] = [float(v) for v in values[start:end]]  # type: ignore[arg-type]
    width = (count - 2) / (keep - 2)
    out = [0]
    a = 0
    for b in range(keep - 2):
        low, high = int(b * width) + 1, int((b + 1) * width) + 1
        nxt_low, nxt_high = high, min(int((b + 2) * width) + 1, count)
        if b == keep - 3:
            nxt_low, nxt_high = count - 1, count
        avg_x = (nxt_low + nxt_high - 1) / 2
        avg_y = sum(y[nxt_low:nxt_high]) / (nxt_high - nxt_low)
        best, best_area = low, -1.0
        for k in range(low, high):
            area = abs((a - avg_x) * (y[k] - y[a]) - (a - k) * (avg_y - y[a]))
            if area > best_area:
                best, best_area = k, area
        out.append(best)
        a = best
    out.append(count - 1)
    return [start + k for k in out]


def metric_live_figure(
    rows: Sequence[Mapping[str, Any]], *, metric_name: str, best_number: int | None
) -> dict[str, Any]:
    """The metric against the report index for every trial, built to be extended.

    Traces, in order: every ended trial but the best in one muted line (trials split by
    a gap, so a thousand trials are one path), the best trial in red, a mark where each
    early-stopped trial stopped, an empty trace the page fills with the selected trials,
    then one trace per running trial (``layout.meta.running``: {number: trace index}),
    which the page extends as points arrive. NaN reports are gaps in their line.

    A row's ``curve`` is its values by report (1, 2, 3 ...); a row may instead carry
    ``steps`` beside ``curve``, the report of each value, when its curve was thinned
    (``thin``) and its ``reports``, how many it made.
    """
    ended_x: list[int | None] = []
    ended_y: list[float | None] = []
    best_x: list[int] = []
    best_y: list[float | None] = []
    stop_x: list[int] = []
    stop_y: list[float | None] = []
    stop_text: list[str] = []
    running: list[Mapping[str, Any]] = []
    for row in rows:
        curve = [_chart_value(v) for v in row.get("curve") or []]
        if not curve:
            continue
        steps = list(row.get("steps") or range(1, len(curve) + 1))
        if row["status"] == "running":
            running.append(row)
        elif row["number"] == best_number:
            best_x, best_y = steps, curve
        else:
            ended_x += [*steps, None]
            ended_y += [*curve, None]
        if row["status"] == "early_stopped":
            last = max((i for i, v in enumerate(curve) if v is not None), default=None)
            if last is not None:
                stop_x.append(steps[last])
                stop_y.append(curve[last])
                stop_text.append(f"trial {row['number']} stopped early")
    hover = f"report %{{x}}<br>{metric_name or 'value'} %{{y}}"
    data: list[dict[str, Any]] = [
        _line("ended trials", ended_x, ended_y, FINISHED_COLOUR, 1.2, hover, opacity=0.6),
        _line(
            f"best: trial {best_number}" if best_number else "best",
            best_x,
            best_y,
            BEST_COLOUR,
            3,
            f"best trial {best_number}<br>{hover}",
        ),
        {
            "type": "scatter",
            "name": "stopped early",
            "x": stop_x,
            "y": stop_y,
            "text": stop_text,
            "mode": "markers",
            "marker": {
                "symbol": "x-thin",
                "size": 11,
                "line": {"width": 2.5, "color": STOP_COLOUR},
            },
            "hovertemplate": "%{text}<br>at report %{x}<extra></extra>",
        },
        _line("selected", [], [], SELECTED_COLOUR, 2.5, "selected<br>" + hover),
    ]
    meta_running: dict[str, int] = {}
    for i, row in enumerate(running):
        curve = [compact(v) for v in row["curve"]]
        meta_running[str(row["number"])] = len(data)
        data.append(running_trace(row["number"], i, list(range(1, len(curve) + 1)), curve))
    layout = _layout(
        xaxis=_axis("report"),
        yaxis=_axis(metric_name or "metric"),
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.12, "font": {"size": 11}},
        margin={"l": 56, "r": 16, "t": 30, "b": 44},
        meta={"ended": 0, "best": 1, "stopped": 2, "selected": 3, "running": meta_running},
        uirevision="metric",
    )
    return {"data": data, "layout": layout}


def running_trace(
    number: int, index: int, steps: list[int], values: list[float | None]
) -> dict[str, Any]:
    """A running trial's own line (the page adds one when a new trial reports)."""
    trace = _line(
        f"trial {number} (running)",
        steps,
        values,
        COLOURS[index % len(COLOURS)],
        2,
        f"trial {number}<br>report %{{x}}<br>%{{y}}",
    )
    trace["mode"] = "lines+markers"
    trace["marker"] = {"size": 4}
    return trace


def _line(
    name: str,
    x: Sequence[int | None],
    y: Sequence[float | None],
    colour: str,
    width: float,
    hover: str,
    *,
    opacity: float = 1.0,
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": name,
        "x": list(x),
        "y": list(y),
        "mode": "lines",
        "line": {"color": colour, "width": width},
        "opacity": opacity,
        "connectgaps": False,
        "hovertemplate": hover + "<extra></extra>",
    }


def _better(goal: str) -> Any:
    return (lambda a, b: a < b) if goal == "minimize" else (lambda a, b: a > b)


def best_so_far(
    rows: Sequence[Mapping[str, Any]], *, goal: str, by: str = "number"
) -> dict[str, dict[str, list[Any]]]:
    """The best value reached so far, per search algorithm and overall ("" key).

    Ended trials with a value, in trial-number order (``by="number"``) or in the order
    they ended (``by="finished"``, x in minutes since the job started).

    >>> rows = [{"number": 1, "algorithm": "tpe", "value": 0.5, "finished": 60},
    ...         {"number": 2, "algorithm": "random", "value": 0.7, "finished": 30},
    ...         {"number": 3, "algorithm": "tpe", "value": 0.6, "finished": 90}]
    >>> best_so_far(rows, goal="maximize")[""]
    {'x': [1, 2, 3], 'y': [0.5, 0.7, 0.7], 'number': [1, 2, 2]}
    >>> best_so_far(rows, goal="maximize", by="finished")["tpe"]
    {'x': [1.0, 1.5], 'y': [0.5, 0.6], 'number': [1, 3]}
    """
    better = _better(goal)
    scored = [r for r in rows if finite(r.get("value")) is not None]
    if by == "finished":
        scored = [r for r in scored if r.get("finished") is not None]
        scored.sort(key=lambda r: (r["finished"], r["number"]))
    else:
        scored.sort(key=lambda r: r["number"])
    series: dict[str, dict[str, list[Any]]] = {}
    best: dict[str, tuple[float, int]] = {}
    for row in scored:
        x = row["number"] if by == "number" else round(row["finished"] / 60, 3)
        for key in ("", row.get("algorithm") or ""):
            value = float(row["value"])
            if key not in best or better(value, best[key][0]):
                best[key] = (value, row["number"])
            line = series.setdefault(key, {"x": [], "y": [], "number": []})
            line["x"].append(x)
            line["y"].append(compact(best[key][0]))
            line["number"].append(best[key][1])
    return series


def best_so_far_figure(
    rows: Sequence[Mapping[str, Any]], *, goal: str, metric_name: str
) -> dict[str, Any] | None:
    """Best-so-far against trial number, one line per algorithm when several took turns,
    and buttons that switch the x axis to wall time (minutes since the job started)."""
    by_number = best_so_far(rows, goal=goal)
    if not by_number:
        return None
    by_time = best_so_far(rows, goal=goal, by="finished")
    keys = [""] + sorted(k for k in by_number if k) if len(by_number) > 2 else [""]
    data = []
    for i, key in enumerate(keys):
        line = by_number[key]
        name = key or ("all algorithms" if len(keys) > 1 else "best so far")
        data.append(
            {
                "type": "scatter",
                "name": name,
                "x": line["x"],
                "y": line["y"],
                "customdata": line["number"],
                "mode": "lines",
                "line": {
                    "shape": "hv",
                    "color": BEST_COLOUR if key == "" else COLOURS[i % len(COLOURS)],
                    "width": 3 if key == "" else 1.8,
                },
                "hovertemplate": f"{name}<br>%{{y}} (trial %{{customdata}})<extra></extra>",
            }
        )

    def axis_args(by: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
        return {
            "x": [by.get(k, {}).get("x", []) for k in keys],
            "y": [by.get(k, {}).get("y", []) for k in keys],
            "customdata": [by.get(k, {}).get("number", []) for k in keys],
        }

    layout = _layout(
        height=300,
        xaxis=_axis("trial"),
        yaxis=_axis(f"best {metric_name or 'value'}"),
        showlegend=len(keys) > 1,
        # Below the plot: above it, a legend of several algorithms ran into the buttons.
        legend={"orientation": "h", "x": 0, "y": -0.32, "yanchor": "top", "font": {"size": 11}},
        margin={"l": 56, "r": 16, "t": 36, "b": 84 if len(keys) > 1 else 44},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 1,
                "xanchor": "right",
                "y": 1.2,
                "showactive": True,
                "font": {"size": 11},
                "buttons": [
                    {
                        "label": "by trial",
                        "method": "update",
                        "args": [axis_args(by_number), {"xaxis.title.text": "trial"}],
                    },
                    {
                        "label": "by time",
                        "method": "update",
                        "args": [axis_args(by_time), {"xaxis.title.text": "minutes"}],
                    },
                ],
            }
        ],
    )
    return {"data": data, "layout": layout}


def leaderboard(
    rows: Sequence[Mapping[str, Any]], *, goal: str, best_number: int | None
) -> list[dict[str, Any]]:
    """Per search algorithm: best value and trial, trials run, failures, overall best.

    >>> rows = [{"number": 1, "algorithm": "tpe", "status": "completed", "value": 0.5},
    ...         {"number": 2, "algorithm": "grid", "status": "failed", "value": None},
    ...         {"number": 3, "algorithm": "grid", "status": "completed", "value": 0.9}]
    >>> [(r["algorithm"], r["best"], r["trials"], r["failures"], r["found_best"])
    ...  for r in leaderboard(rows, goal="maximize", best_number=3)]
    [('grid', 0.9, 2, 1, True), ('tpe', 0.5, 1, 0, False)]
    """
    better = _better(goal)
    board: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row.get("algorithm") or ""
        entry = board.setdefault(
            name,
            {
                "algorithm": name,
                "best": None,
                "best_number": None,
                "trials": 0,
                "failures": 0,
                "found_best": False,
            },
        )
        entry["trials"] += 1
        entry["failures"] += row["status"] in ("failed", "lost")
        entry["found_best"] |= row["number"] == best_number
        value = finite(row.get("value"))
        if value is not None and (entry["best"] is None or better(value, entry["best"])):
            entry["best"], entry["best_number"] = compact(value), row["number"]
    sign = 1 if goal == "minimize" else -1
    return sorted(
        board.values(),
        key=lambda e: (e["best"] is None, sign * (e["best"] or 0.0), e["algorithm"]),
    )


def slice_figure(
    rows: Sequence[Mapping[str, Any]],
    *,
    names: Sequence[str],
    metric_name: str,
    log_names: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The objective against each searched parameter, one small panel per parameter.

    Each ended trial with a value is a dot (hover: its number); a log-scaled range gets
    a log axis, text and booleans a category axis.
    """
    scored = [r for r in rows if finite(r.get("value")) is not None]
    if not scored or not names:
        return None
    shown = list(names)[:8]
    gap = 0.04
    width = (1 - gap * (len(shown) - 1)) / len(shown)
    data = []
    layout = _layout(
        height=280,
        showlegend=False,
        margin={"l": 56, "r": 16, "t": 16, "b": 56},
        yaxis=_axis(metric_name or "objective"),
    )
    for i, name in enumerate(shown):
        axis = "x" if i == 0 else f"x{i + 1}"
        values = [r["params"].get(name) for r in scored]
        numeric = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values if v is not None
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": values if numeric else [_label(v) for v in values],
                "y": [compact(r["value"]) for r in scored],
                "customdata": [r["number"] for r in scored],
                "xaxis": axis,
                "yaxis": "y",
                "marker": {"size": 6, "color": COLOURS[0], "opacity": 0.7},
                "hovertemplate": f"trial %{{customdata}}<br>{name} %{{x}}<br>%{{y}}<extra></extra>",
            }
        )
        key = "xaxis" if i == 0 else f"xaxis{i + 1}"
        layout[key] = {
            **_axis(name),
            "domain": [i * (width + gap), i * (width + gap) + width],
            "anchor": "y",
            "type": ("log" if name in log_names else "linear") if numeric else "category",
        }
    return {"data": data, "layout": layout}


def importance_figure(importance: Mapping[str, Mapping[str, float]]) -> dict[str, Any] | None:
    """Each parameter's share of the objective's variation, with its spread across
    bootstrap resamples (``search.importance``); None when nothing is explained yet."""
    ranked = sorted(importance.items(), key=lambda kv: kv[1]["mean"])
    if not ranked or all(v["mean"] == 0 for _, v in ranked):
        return None
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [name for name, _ in ranked],
            "x": [round(v["mean"], 4) for _, v in ranked],
            "error_x": {
                "type": "data",
                "array": [round(v["std"], 4) for _, v in ranked],
                "color": "#57606a",
                "thickness": 1.2,
            },
            "marker": {"color": COLOURS[0]},
            "hovertemplate": "%{y}: %{x:.0%} ± %{error_x.array:.0%}<extra></extra>",
        }
    ]
    layout = _layout(
        height=max(160, 40 + 34 * len(ranked)),
        xaxis={
            **_axis("share of the objective's variation"),
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
        yaxis={"automargin": True},
        margin={"l": 16, "r": 16, "t": 10, "b": 44},
        showlegend=False,
    )
    return {"data": data, "layout": layout}


def lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A lane for each (start, end) span so that spans in one lane never overlap: the
    worker slots as the schedule used them.

    >>> lanes([(0, 10), (1, 5), (6, 12), (11, 13)])
    [0, 1, 1, 0]
    """
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    free_at: list[float] = []
    lane = [0] * len(spans)
    for i in order:
        start, end = spans[i]
        for n, until in enumerate(free_at):
            if until <= start:
                lane[i], free_at[n] = n, end
                break
        else:
            lane[i] = len(free_at)
            free_at.append(end)
    return lane


def timeline_figure(rows: Sequence[Mapping[str, Any]], *, now: float) -> dict[str, Any] | None:
    """Trials as bars per worker slot over time (minutes since the job started), coloured
    by status, so concurrency and idle gaps show; a running trial runs to ``now``."""
    started = [r for r in rows if r.get("started") is not None]
    if not started:
        return None
    spans = [
        (r["started"], r["finished"] if r.get("finished") is not None else now) for r in started
    ]
    lane = lanes(spans)
    data = []
    for status, colour in STATUS_COLOURS.items():
        own = [i for i, r in enumerate(started) if r["status"] == status]
        if not own:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": status.replace("_", " "),
                "base": [round(spans[i][0] / 60, 3) for i in own],
                "x": [round(max(spans[i][1] - spans[i][0], 0.5) / 60, 3) for i in own],
                "y": [f"slot {lane[i] + 1}" for i in own],
                "customdata": [started[i]["number"] for i in own],
                "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}},
                "hovertemplate": "trial %{customdata}<br>%{base:.1f} to %{x:.1f} min<extra>"
                + status.replace("_", " ")
                + "</extra>",
            }
        )
    slots = max(lane) + 1
    layout = _layout(
        height=min(420, 90 + 26 * slots),
        barmode="overlay",
        bargap=0.25,
        xaxis=_axis("minutes since the job started"),
        yaxis={
            "categoryorder": "array",
            "categoryarray": [f"slot {n}" for n in range(slots, 0, -1)],
            "automargin": True,
        },
        legend={"orientation": "h", "x": 0, "y": 1.2, "font": {"size": 11}},
        margin={"l": 16, "r": 16, "t": 30, "b": 44},
    )
    return {"data": data, "layout": layout}
