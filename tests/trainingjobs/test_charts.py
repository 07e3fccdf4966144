"""The job and trial figures: plain Plotly JSON, no browser, no database; and the examples
in the page modules' docstrings."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest

from trainingjobs import (
    chart_data,
    chart_style,
    charts,
    dashboard_charts,
    dashboard_metric,
    form_errors,
    form_rows,
    pages,
)


def test_curves_are_grouped_by_trial_and_ordered_by_step() -> None:
    points = [(7, 3, 0.3), (5, 1, 0.9), (7, 1, 0.1), (7, 2, None)]
    assert chart_data.curves_by_trial(points) == {7: ([1, 2, 3], [0.1, None, 0.3]), 5: ([1], [0.9])}


def test_metric_figure_draws_one_line_per_trial_with_the_best_last_and_red() -> None:
    curves = [
        chart_data.Curve("trial 1", [1, 2], [0.5, 0.9], best=True),
        chart_data.Curve("trial 2", [1, 2, 3], [0.4, float("nan"), float("inf")]),
    ]
    figure = charts.metric_figure(curves, metric_name="accuracy")
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["trial 2", "trial 1 (best)"]
    assert figure["data"][1]["line"]["color"] == chart_style.BEST_COLOUR
    # JSON carries no NaN or Infinity: those reports are gaps.
    assert list(figure["data"][0]["y"]) == [0.4, None, None]
    text = json.dumps(figure, allow_nan=False)
    assert "accuracy" in text
    assert "template" not in figure["layout"]


def test_metric_figure_drops_the_legend_when_there_are_many_trials() -> None:
    curves = [chart_data.Curve(f"trial {i}", [1], [0.1]) for i in range(charts.LEGEND_MAX + 1)]
    assert charts.metric_figure(curves, metric_name="loss")["layout"]["showlegend"] is False
    assert charts.metric_figure(curves[:3], metric_name="loss")["layout"]["showlegend"] is True


def test_parallel_figure_draws_a_line_per_scored_trial_across_every_axis() -> None:
    rows = [
        {"params": {"lr": 0.01, "opt": "adam", "shuffle": True}, "value": 0.8, "label": "t1"},
        {"params": {"lr": 0.1, "opt": "sgd", "shuffle": False}, "value": 0.6, "label": "t2"},
        {"params": {"lr": 0.5, "opt": "sgd", "shuffle": True}, "value": float("nan")},
        {"params": {"lr": 0.2, "opt": "adam", "shuffle": True}, "value": None},
    ]
    figure = charts.parallel_figure(
        rows, names=["lr", "opt", "shuffle"], metric_name="accuracy", goal="maximize"
    )
    assert figure is not None
    assert list(figure["layout"]["xaxis"]["ticktext"]) == ["lr", "opt", "shuffle", "accuracy"]
    # Two scored trials, each crossing the four axes, lines split by None.
    ys = [y for trace in figure["data"] for y in trace["y"]]
    assert len([y for y in ys if y is not None]) == 8
    by_trial = {
        text.split("<br>")[0]
        for trace in figure["data"]
        for text in trace["text"]
        if text is not None
    }
    assert by_trial == {"t1", "t2"}
    ticks = {a["text"] for a in figure["layout"]["annotations"]}
    assert {"adam", "sgd", "true", "false", "0.01", "0.1", "0.6", "0.8"} <= ticks
    assert all(t["type"] == "scatter" for t in figure["data"])  # SVG: no WebGL under the CSP
    json.dumps(figure, allow_nan=False)


def test_parallel_figure_shades_better_darker_for_either_goal_and_the_best_red() -> None:
    rows = [
        {"params": {"x": 1}, "value": 1.0},
        {"params": {"x": 2}, "value": 2.0},
        {"params": {"x": 3}, "value": 3.0, "best": True},
    ]
    up = charts.parallel_figure(rows[:2], names=["x"], metric_name="acc", goal="maximize")
    down = charts.parallel_figure(rows[:2], names=["x"], metric_name="loss", goal="minimize")
    assert up is not None and down is not None
    colour = {tuple(t["y"][:2]): t["line"]["color"] for t in up["data"]}
    assert (
        colour[(0.0, 0.0)] == chart_style.SHADES[0] and colour[(1.0, 1.0)] == chart_style.SHADES[-1]
    )
    colour = {tuple(t["y"][:2]): t["line"]["color"] for t in down["data"]}
    assert colour[(0.0, 0.0)] == chart_style.SHADES[-1]
    with_best = charts.parallel_figure(rows, names=["x"], metric_name="acc", goal="maximize")
    assert with_best is not None
    assert with_best["data"][-1]["line"]["color"] == chart_style.BEST_COLOUR


def test_nothing_to_draw_gives_no_figure() -> None:
    assert charts.parallel_figure([], names=["x"], metric_name="m", goal="maximize") is None
    single = [{"params": {}, "value": 0.5}]
    assert charts.parallel_figure(single, names=[], metric_name="m", goal="maximize") is None
    assert charts.trial_figure([], [], metric_name="m") is None


def test_trial_figure_is_one_line_without_a_legend() -> None:
    figure = charts.trial_figure([1, 2, 3], [0.2, 0.4, None], metric_name="val_accuracy")
    assert figure is not None
    assert len(figure["data"]) == 1 and figure["layout"]["showlegend"] is False
    assert list(figure["data"][0]["x"]) == [1, 2, 3]
    # Report numbers are whole: no tick at 1.5.
    axis = figure["layout"]["xaxis"]
    assert (axis["tickmode"], axis["dtick"], axis["tickformat"]) == ("linear", 1, "d")
    long = charts.trial_figure(list(range(1, 23)), [0.5] * 22, metric_name="acc")
    assert long is not None and long["layout"]["xaxis"]["dtick"] == 5


def test_parallel_figure_puts_a_log_scaled_parameter_on_a_log_axis() -> None:
    rows = [
        {"params": {"lr": 0.001}, "value": 0.5},
        {"params": {"lr": 0.01}, "value": 0.6},
        {"params": {"lr": 0.1}, "value": 0.7},
    ]
    figure = charts.parallel_figure(
        rows, names=["lr"], metric_name="acc", goal="maximize", log_names=frozenset({"lr"})
    )
    assert figure is not None
    assert figure["layout"]["xaxis"]["ticktext"][0] == "lr (log)"
    positions = sorted(t["y"][0] for t in figure["data"])
    assert [round(p, 6) for p in positions] == [0.0, 0.5, 1.0]


def test_parallel_labels_sit_beyond_the_lines_or_on_a_white_backing() -> None:
    rows = [
        {"params": {"lr": 0.01, "opt": "adam"}, "value": 0.8},
        {"params": {"lr": 0.1, "opt": "rmsprop"}, "value": 0.6},
        {"params": {"lr": 0.05, "opt": "sgd"}, "value": 0.7},
    ]
    figure = charts.parallel_figure(rows, names=["lr", "opt"], metric_name="acc", goal="maximize")
    assert figure is not None
    labels = {(a["x"], a["text"]): a for a in figure["layout"]["annotations"]}
    # Every line ends on an axis between 0 and 1: the end labels are outside that span.
    top, bottom = labels[(0, "0.1")], labels[(0, "0.01")]
    assert (top["y"], top["yanchor"], top["yshift"]) == (1.0, "bottom", 2)
    assert (bottom["y"], bottom["yanchor"], bottom["yshift"]) == (0.0, "top", -2)
    assert (labels[(2, "0.8")]["yanchor"], labels[(2, "0.6")]["yanchor"]) == ("bottom", "top")
    # A category in the middle of its axis is crossed by lines: it has a backing.
    middle = labels[(1, "rmsprop")]
    assert (middle["y"], middle["yanchor"]) == (0.5, "middle")
    assert all(a["bgcolor"] == "rgba(255, 255, 255, 0.85)" for a in labels.values())
    # The axis range leaves room for the end labels above and below the lines.
    low, high = figure["layout"]["yaxis"]["range"]
    assert low < -0.06 and high > 1.06


# The create form's examples live in its section modules since it was split.
@pytest.mark.parametrize(
    "module",
    [
        charts,
        chart_data,
        chart_style,
        dashboard_charts,
        pages,
        dashboard_metric,
        form_rows,
        form_errors,
    ],
)
def test_docstring_examples_of_the_page_modules_run(module: Any) -> None:
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0 and result.failed == 0
