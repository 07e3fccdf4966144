"""The job and trial figures: plain Plotly JSON, no browser, no database; and the examples
in the page modules' docstrings."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest

from trainingjobs import charts, forms, pages


def test_curves_are_grouped_by_trial_and_ordered_by_step() -> None:
    points = [(7, 3, 0.3), (5, 1, 0.9), (7, 1, 0.1), (7, 2, None)]
    assert charts.curves_by_trial(points) == {7: ([1, 2, 3], [0.1, None, 0.3]), 5: ([1], [0.9])}


def test_metric_figure_draws_one_line_per_trial_with_the_best_last_and_red() -> None:
    curves = [
        charts.Curve("trial 1", [1, 2], [0.5, 0.9], best=True),
        charts.Curve("trial 2", [1, 2, 3], [0.4, float("nan"), float("inf")]),
    ]
    figure = charts.metric_figure(curves, metric_name="accuracy")
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["trial 2", "trial 1 (best)"]
    assert figure["data"][1]["line"]["color"] == charts.BEST_COLOUR
    # JSON carries no NaN or Infinity: those reports are gaps.
    assert list(figure["data"][0]["y"]) == [0.4, None, None]
    text = json.dumps(figure, allow_nan=False)
    assert "accuracy" in text
    assert "template" not in figure["layout"]


def test_metric_figure_drops_the_legend_when_there_are_many_trials() -> None:
    curves = [charts.Curve(f"trial {i}", [1], [0.1]) for i in range(charts.LEGEND_MAX + 1)]
    assert charts.metric_figure(curves, metric_name="loss")["layout"]["showlegend"] is False
    assert charts.metric_figure(curves[:3], metric_name="loss")["layout"]["showlegend"] is True


def test_parallel_figure_has_a_dimension_per_searched_value_and_the_objective() -> None:
    rows = [
        {"params": {"lr": 0.01, "opt": "adam", "shuffle": True}, "value": 0.8},
        {"params": {"lr": 0.1, "opt": "sgd", "shuffle": False}, "value": 0.6},
        {"params": {"lr": 0.5, "opt": "sgd", "shuffle": True}, "value": float("nan")},
        {"params": {"lr": 0.2, "opt": "adam", "shuffle": True}, "value": None},
    ]
    figure = charts.parallel_figure(
        rows, names=["lr", "opt", "shuffle"], metric_name="accuracy", goal="maximize"
    )
    assert figure is not None
    dims = figure["data"][0]["dimensions"]
    assert [d["label"] for d in dims] == ["lr", "opt", "shuffle", "accuracy"]
    assert list(dims[0]["values"]) == [0.01, 0.1]  # only trials with a finite value
    assert list(dims[1]["ticktext"]) == ["adam", "sgd"] and list(dims[1]["values"]) == [0, 1]
    assert list(dims[2]["ticktext"]) == ["false", "true"]
    assert list(dims[3]["values"]) == [0.8, 0.6]
    json.dumps(figure, allow_nan=False)


def test_parallel_figure_colours_better_darker_for_either_goal() -> None:
    rows = [{"params": {"x": 1}, "value": 1.0}, {"params": {"x": 2}, "value": 2.0}]
    up = charts.parallel_figure(rows, names=["x"], metric_name="acc", goal="maximize")
    down = charts.parallel_figure(rows, names=["x"], metric_name="loss", goal="minimize")
    assert up is not None and down is not None
    assert up["data"][0]["line"]["colorscale"] != down["data"][0]["line"]["colorscale"]


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


def test_parallel_figure_draws_a_log_scaled_parameter_as_its_log10() -> None:
    rows = [{"params": {"lr": 0.001}, "value": 0.5}, {"params": {"lr": 0.1}, "value": 0.7}]
    figure = charts.parallel_figure(
        rows, names=["lr"], metric_name="acc", goal="maximize", log_names=frozenset({"lr"})
    )
    assert figure is not None
    lr = figure["data"][0]["dimensions"][0]
    assert lr["label"] == "log10(lr)"
    assert [round(v, 6) for v in lr["values"]] == [-3.0, -1.0]


@pytest.mark.parametrize("module", [charts, forms, pages])
def test_docstring_examples_of_the_page_modules_run(module: Any) -> None:
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0 and result.failed == 0
