"""The live job page's metric chart: every trial's line against its reports, built to be
extended in place (plain values, no ORM, no I/O).

Rows are the dashboard's trial dicts (see ``trainingjobs.dashboard_charts``), each with
its ``curve`` (values by report, None for NaN). The page extends the figure as points
arrive; its ``layout.meta`` tells it which trace is which. Values are shaped by
``trainingjobs.chart_data`` and styled by ``trainingjobs.chart_style``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trainingjobs.chart_data import chart_value, compact
from trainingjobs.chart_style import (
    BEST_COLOUR,
    COLOURS,
    FINISHED_COLOUR,
    SELECTED_COLOUR,
    STOP_COLOUR,
    axis_style,
    base_layout,
    count_axis,
)


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
        curve = [chart_value(v) for v in row.get("curve") or []]
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
    reports = max((x for trace in data for x in trace["x"] if x is not None), default=0)
    layout = base_layout(
        height=370,
        xaxis=count_axis("report", reports),
        yaxis=axis_style(metric_name or "metric"),
        showlegend=True,
        # Below the axis title: a legend above the plot grows with each running trial and
        # ran under Plotly's mode bar (top right, in the top margin).
        legend={"orientation": "h", "x": 0, "y": -0.27, "yanchor": "top", "font": {"size": 11}},
        margin={"l": 56, "r": 16, "t": 32, "b": 84},
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
