"""Plotly figures of the live dashboard, built from plain values (no ORM, no I/O).

Rows are the dashboard's trial dicts: ``number``, ``status``, ``algorithm``, ``params``,
``value`` (objective, None when not finite), ``started``/``finished`` (seconds since the
job started, None when not yet) and, for the metric chart, ``curve`` (values by report,
None for NaN). The page extends these figures in place as events arrive; their
``layout.meta`` tells it which trace is which. Values are shaped by
``trainingjobs.chart_data`` and styled by ``trainingjobs.chart_style``.

Here the figures that summarise the job (best so far, slices, importance, timeline),
drawn again after a trial ends; the metric chart, extended point by point, is built in
``trainingjobs.dashboard_metric_figure`` and named here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trainingjobs.chart_data import (
    TimeUnit,
    best_so_far,
    compact,
    finite,
    lanes,
    tick_step,
    time_unit,
    value_text,
)
from trainingjobs.chart_style import (
    BEST_COLOUR,
    COLOURS,
    STATUS_COLOURS,
    axis_style,
    base_layout,
    count_ticks,
    log_ticks,
    value_range,
)
from trainingjobs.dashboard_metric_figure import metric_live_figure, running_trace

__all__ = [
    "best_so_far_figure",
    "importance_figure",
    "metric_live_figure",
    "running_trace",
    "slice_figure",
    "timeline_figure",
]


def best_so_far_figure(
    rows: Sequence[Mapping[str, Any]], *, goal: str, metric_name: str
) -> dict[str, Any] | None:
    """Best-so-far against trial number, one line per algorithm when several took turns;
    ``layout.meta.axes`` holds the update that switches the x axis to wall time since the
    job started (in seconds, minutes or hours, by the span: ``chart_data.time_unit``) and
    the one that switches it back, for the page's buttons. The y range fits the values."""
    by_number = best_so_far(rows, goal=goal)
    if not by_number:
        return None
    by_time = best_so_far(rows, goal=goal, by="finished")
    span = max((x for line in by_time.values() for x in line["x"]), default=0.0)
    unit = time_unit(span)
    for line in by_time.values():
        line["x"] = [unit.of(x) for x in line["x"]]
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
                # A line of one point draws nothing: its point is a marker until a second.
                "mode": "lines" if len(line["x"]) > 1 else "lines+markers",
                "marker": {"size": 7},
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

    numbers = count_ticks(max((x for line in by_number.values() for x in line["x"]), default=0))
    layout = base_layout(
        height=300,
        xaxis={**axis_style("trial"), **numbers},
        # From the data, as the metric chart's autorange reads it: Plotly's own range of
        # a flat or nearly flat line spans 0 to 1.5 with the line at the top.
        yaxis={
            **axis_style(f"best {metric_name or 'value'}"),
            "range": value_range(y for line in by_number.values() for y in line["y"]),
        },
        showlegend=len(keys) > 1,
        legend={"orientation": "h", "x": 0, "y": -0.32, "yanchor": "top", "font": {"size": 11}},
        # Room above the plot for Plotly's mode bar, which covers nothing there.
        margin={"l": 56, "r": 16, "t": 32, "b": 84 if len(keys) > 1 else 44},
        # The x axis's two readings, for the page's "by trial" / "by time" buttons, which
        # sit in the card's head, out of the mode bar's way: the [restyle, relayout]
        # arguments of a Plotly.update for each.
        meta={
            "axes": {
                "number": [
                    axis_args(by_number),
                    # Whole trial numbers again.
                    {"xaxis.title.text": "trial", **{f"xaxis.{k}": v for k, v in numbers.items()}},
                ],
                "time": [
                    axis_args(by_time),
                    {
                        "xaxis.title.text": f"{unit.name} since the job started",
                        "xaxis.tickmode": "linear",
                        "xaxis.dtick": tick_step(span / unit.seconds),
                        "xaxis.tick0": 0,
                        "xaxis.tickformat": "",  # a time may fall between whole units
                    },
                ],
            }
        },
    )
    return {"data": data, "layout": layout}


def slice_figure(
    rows: Sequence[Mapping[str, Any]],
    *,
    names: Sequence[str],
    metric_name: str,
    log_names: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The objective against each searched parameter, one small panel per parameter.

    Each ended trial with a value is a dot (hover: its number); an early-stopped one is a
    ring (its value is from fewer epochs, not a result like the others'). A log-scaled
    range gets a log axis, text and booleans a category axis.
    """
    scored = [r for r in rows if finite(r.get("value")) is not None]
    if not scored or not names:
        return None
    shown = list(names)[:8]
    gap = 0.04
    width = (1 - gap * (len(shown) - 1)) / len(shown)
    data = []
    layout = base_layout(
        height=280,
        showlegend=False,
        # Room above the panels for Plotly's mode bar, clear of the last panel's dots.
        margin={"l": 56, "r": 16, "t": 32, "b": 56},
        # From the values, as the best so far's: Plotly's own range of one or two nearly
        # equal values spans 0 to 1.5.
        yaxis={
            **axis_style(metric_name or "objective"),
            "range": value_range(r["value"] for r in scored),
        },
    )
    stopped = [r.get("status") == "early_stopped" for r in scored]
    symbols = ["circle-open" if s else "circle" for s in stopped]
    notes = [" (early stopped)" if s else "" for s in stopped]
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
                "x": values if numeric else [value_text(v) for v in values],
                "y": [compact(r["value"]) for r in scored],
                "customdata": [r["number"] for r in scored],
                "xaxis": axis,
                "yaxis": "y",
                "marker": {"size": 6, "color": COLOURS[0], "opacity": 0.7, "symbol": symbols},
                "text": notes,
                "hovertemplate": (
                    f"trial %{{customdata}}%{{text}}<br>{name} %{{x}}<br>%{{y}}<extra></extra>"
                ),
            }
        )
        key = "xaxis" if i == 0 else f"xaxis{i + 1}"
        log = numeric and name in log_names
        layout[key] = {
            **axis_style(name),
            "domain": [i * (width + gap), i * (width + gap) + width],
            "anchor": "y",
            "type": ("log" if log else "linear") if numeric else "category",
            # Decades (or 1-2-5) labelled in full, not Plotly's bare 2 and 5 between them.
            **(log_ticks(values) if log else {}),
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
    layout = base_layout(
        height=max(180, 62 + 34 * len(ranked)),
        xaxis={
            **axis_style("share of the objective's variation"),
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
        yaxis={"automargin": True},
        # The top margin is the mode bar's, clear of the longest bar.
        margin={"l": 16, "r": 16, "t": 32, "b": 44},
        showlegend=False,
    )
    return {"data": data, "layout": layout}


def timeline_figure(rows: Sequence[Mapping[str, Any]], *, now: float) -> dict[str, Any] | None:
    """Trials as bars per worker slot over time since the job started, coloured by
    status, so concurrency and idle gaps show; a running trial runs to ``now``. The axis
    counts seconds, minutes or hours, whichever reads best for the span drawn
    (``chart_data.time_unit``)."""
    started = [r for r in rows if r.get("started") is not None]
    if not started:
        return None
    spans = [
        (r["started"], r["finished"] if r.get("finished") is not None else now) for r in started
    ]
    span = max(end for _, end in spans)
    unit = time_unit(span)
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
                "base": [unit.of(spans[i][0]) for i in own],
                # At least half a second wide, so a trial that failed at once still shows.
                "x": [unit.of(max(spans[i][1] - spans[i][0], 0.5)) for i in own],
                "y": [f"slot {lane[i] + 1}" for i in own],
                "customdata": [started[i]["number"] for i in own],
                "hovertext": [_span_text(*spans[i], unit) for i in own],
                "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}},
                "hovertemplate": "trial %{customdata}<br>%{hovertext}<extra>"
                + status.replace("_", " ")
                + "</extra>",
            }
        )
    slots = max(lane) + 1
    layout = base_layout(
        height=min(420, 100 + 26 * slots),
        barmode="overlay",
        bargap=0.25,
        xaxis={
            **axis_style(f"{unit.name} since the job started"),
            "rangemode": "tozero",
            "tick0": 0,
            "dtick": tick_step(span / unit.seconds),
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": [f"slot {n}" for n in range(slots, 0, -1)],
            "automargin": True,
        },
        # In the top margin, above the bars: a legend inside the plot covered slot 1's.
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom", "font": {"size": 11}},
        margin={"l": 16, "r": 16, "t": 40, "b": 44},
    )
    return {"data": data, "layout": layout}


def _span_text(start: float, end: float, unit: TimeUnit) -> str:
    """A bar's hover: from and to in the axis's unit, to a tenth.

    >>> from trainingjobs.chart_data import MINUTES, SECONDS
    >>> _span_text(12.04, 47.25, SECONDS), _span_text(90, 600, MINUTES)
    ('12 to 47.2 s', '1.5 to 10 min')
    """
    return f"{round(start / unit.seconds, 1):g} to {round(end / unit.seconds, 1):g} {unit.short}"
