"""The live dashboard's figures and tables, from plain rows: no browser, no database."""

from __future__ import annotations

import json
from typing import Any

from trainingjobs import chart_data, chart_style, charts, dashboard_charts


def row(number: int, status: str, value: float | None, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "status": status,
        "value": value,
        "algorithm": extra.pop("algorithm", "tpe"),
        "params": extra.pop("params", {"lr": 0.01 * number, "opt": "adam"}),
        "started": extra.pop("started", 10.0 * number),
        "finished": extra.pop("finished", 10.0 * number + 8),
        "curve": extra.pop("curve", []),
        **extra,
    }


def test_metric_figure_puts_ended_trials_in_one_line_and_running_ones_in_their_own() -> None:
    rows = [
        row(1, "completed", 0.9, curve=[0.5, float("nan"), 0.9]),
        row(2, "early_stopped", 0.4, curve=[0.3, 0.4]),
        row(3, "completed", 0.6, curve=[0.6]),
        row(4, "running", None, curve=[0.2], finished=None),
    ]
    figure = dashboard_charts.metric_live_figure(rows, metric_name="acc", best_number=1)
    meta = figure["layout"]["meta"]
    ended, best, stopped = (figure["data"][meta[k]] for k in ("ended", "best", "stopped"))
    assert ended["x"] == [1, 2, None, 1, None] and ended["y"] == [0.3, 0.4, None, 0.6, None]
    assert best["y"] == [0.5, None, 0.9] and best["line"]["color"] == chart_style.BEST_COLOUR
    assert (stopped["x"], stopped["y"]) == ([2], [0.4])
    assert figure["data"][meta["running"]["4"]]["y"] == [0.2]
    json.dumps(figure, allow_nan=False)


def test_best_so_far_has_a_line_per_algorithm_when_several_took_turns() -> None:
    rows = [
        row(1, "completed", 0.5, algorithm="tpe"),
        row(2, "completed", 0.7, algorithm="random"),
        row(3, "failed", None, algorithm="tpe"),
        row(4, "completed", 0.6, algorithm="tpe"),
    ]
    figure = dashboard_charts.best_so_far_figure(rows, goal="maximize", metric_name="acc")
    assert figure is not None
    lines = {t["name"]: (t["x"], t["y"]) for t in figure["data"]}
    assert lines["all algorithms"] == ([1, 2, 4], [0.5, 0.7, 0.7])
    assert lines["tpe"] == ([1, 4], [0.5, 0.6]) and lines["random"] == ([2], [0.7])
    # Ended 18 to 48 s after the job started: "by time" counts seconds, not 0.3 minutes.
    # The switch is the page's, in the card's head: no button inside the chart, where
    # Plotly's mode bar covered them.
    assert "updatemenus" not in figure["layout"]
    axes = figure["layout"]["meta"]["axes"]
    assert axes["number"][1] == {
        "xaxis.title.text": "trial",
        "xaxis.tickmode": "linear",
        "xaxis.tick0": 0,
        "xaxis.dtick": 1,
        "xaxis.tickformat": "d",
    }
    assert axes["number"][0]["x"][0] == [1, 2, 4]
    by_time, axis = axes["time"]
    assert by_time["x"][0] == [18.0, 28.0, 48.0]
    assert axis == {
        "xaxis.title.text": "seconds since the job started",
        "xaxis.tickmode": "linear",
        "xaxis.dtick": 10,
        "xaxis.tick0": 0,
        "xaxis.tickformat": "",
    }
    assert (
        dashboard_charts.best_so_far_figure(
            [row(1, "failed", None)], goal="maximize", metric_name=""
        )
        is None
    )


def test_trial_and_report_axes_tick_whole_numbers_at_most_about_ten() -> None:
    few = [row(1, "completed", 0.5), row(2, "completed", 0.7)]
    best = dashboard_charts.best_so_far_figure(few, goal="maximize", metric_name="acc")
    assert best is not None
    axis = best["layout"]["xaxis"]
    # Two trials: ticks at 1 and 2, not Plotly's own 1, 1.5, 2.
    assert (axis["tickmode"], axis["tick0"], axis["dtick"], axis["tickformat"]) == (
        "linear",
        0,
        1,
        "d",
    )
    many = [row(n, "completed", 0.01 * n) for n in range(1, 46)]
    best = dashboard_charts.best_so_far_figure(many, goal="maximize", metric_name="acc")
    assert best is not None and best["layout"]["xaxis"]["dtick"] == 5  # 0, 5 ... 45
    running = [row(1, "running", None, curve=[0.1] * 3, finished=None)]
    metric = dashboard_charts.metric_live_figure(running, metric_name="acc", best_number=None)
    assert metric["layout"]["xaxis"]["dtick"] == 1
    assert metric["layout"]["xaxis"]["tickformat"] == "d"
    long = [row(1, "completed", 0.5, curve=[0.1] * 230)]
    metric = dashboard_charts.metric_live_figure(long, metric_name="acc", best_number=1)
    assert metric["layout"]["xaxis"]["dtick"] == 50  # 230 reports: 0, 50 ... 200
    assert [chart_style.count_ticks(n)["dtick"] for n in (0, 3, 10, 11, 22, 100, 101)] == [
        1,
        1,
        1,
        2,
        5,
        10,
        20,
    ]


def test_best_so_far_draws_a_line_of_one_trial_as_a_marker() -> None:
    # The first trial with a value: a "lines" trace of one point would draw nothing.
    first = dashboard_charts.best_so_far_figure(
        [row(1, "completed", 0.64), row(2, "running", None)], goal="maximize", metric_name="acc"
    )
    assert first is not None
    [line] = first["data"]
    assert (line["x"], line["y"], line["mode"]) == ([1], [0.64], "lines+markers")
    rows = [
        row(1, "completed", 0.5, algorithm="tpe"),
        row(2, "completed", 0.7, algorithm="random"),
        row(3, "completed", 0.6, algorithm="tpe"),
    ]
    figure = dashboard_charts.best_so_far_figure(rows, goal="maximize", metric_name="acc")
    assert figure is not None
    modes = {t["name"]: (len(t["x"]), t["mode"]) for t in figure["data"]}
    assert modes == {
        "all algorithms": (3, "lines"),
        "random": (1, "lines+markers"),
        "tpe": (2, "lines"),
    }


def test_best_so_far_reads_its_y_range_from_the_values() -> None:
    # A maximised accuracy between 0.9 and 0.97: the range hugs the values (Plotly's own
    # went 0 to 1.5 with the line at the top).
    rows = [row(n, "completed", v) for n, v in enumerate([0.9, 0.93, 0.91, 0.97], start=1)]
    figure = dashboard_charts.best_so_far_figure(rows, goal="maximize", metric_name="acc")
    assert figure is not None
    low, high = figure["layout"]["yaxis"]["range"]
    assert 0.88 < low < 0.9 and 0.97 < high < 0.99, (low, high)
    # One value all along: a narrow band around it, not 0 to 1.5.
    flat = dashboard_charts.best_so_far_figure(
        [row(1, "completed", 0.9722), row(2, "completed", 0.5)], goal="maximize", metric_name=""
    )
    assert flat is not None
    low, high = flat["layout"]["yaxis"]["range"]
    assert 0.95 < low < 0.9722 < high < 0.995, (low, high)


def test_leaderboard_orders_by_best_for_the_goal_and_counts_failures() -> None:
    rows = [
        row(1, "completed", 0.5, algorithm="tpe"),
        row(2, "lost", None, algorithm="random"),
        row(3, "completed", 0.2, algorithm="random"),
    ]
    board = chart_data.leaderboard(rows, goal="minimize", best_number=3)
    assert [(e["algorithm"], e["best"], e["failures"], e["found_best"]) for e in board] == [
        ("random", 0.2, 1, True),
        ("tpe", 0.5, 0, False),
    ]


def test_slice_figure_gives_log_and_category_axes() -> None:
    rows = [row(1, "completed", 0.5), row(2, "completed", 0.7, params={"lr": 0.1, "opt": "sgd"})]
    figure = dashboard_charts.slice_figure(
        rows, names=["lr", "opt"], metric_name="acc", log_names=frozenset({"lr"})
    )
    assert figure is not None
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert figure["layout"]["xaxis2"]["type"] == "category"
    assert "tickvals" not in figure["layout"]["xaxis2"]
    assert figure["data"][1]["x"] == ["adam", "sgd"] and figure["data"][0]["customdata"] == [1, 2]


def test_slice_figure_draws_an_early_stopped_trial_as_a_ring() -> None:
    rows = [row(1, "completed", 0.5), row(2, "early_stopped", 0.2), row(3, "failed", None)]
    figure = dashboard_charts.slice_figure(rows, names=["lr"], metric_name="acc")
    assert figure is not None
    trace = figure["data"][0]
    assert trace["customdata"] == [1, 2]
    assert trace["marker"]["symbol"] == ["circle", "circle-open"]
    assert trace["text"] == ["", " (early stopped)"]


def test_slice_log_axes_label_the_decades_in_full() -> None:
    rows = [
        row(n, "completed", 0.5, params={"lr": lr})
        for n, lr in enumerate([0.0002, 0.003, 0.04, 0.08], start=1)
    ]
    figure = dashboard_charts.slice_figure(
        rows, names=["lr"], metric_name="acc", log_names=frozenset({"lr"})
    )
    assert figure is not None
    axis = figure["layout"]["xaxis"]
    assert axis["tickmode"] == "array"
    assert axis["tickvals"] == [0.0001, 0.001, 0.01, 0.1]
    assert axis["ticktext"] == ["0.0001", "0.001", "0.01", "0.1"]
    # The objective's range from its values: all 0.5 here, so a narrow band around it.
    assert figure["layout"]["yaxis"]["range"] == [0.49, 0.51]


def test_importance_figure_sorts_bars_and_carries_the_spread() -> None:
    figure = dashboard_charts.importance_figure(
        {"lr": {"mean": 0.8, "std": 0.1}, "opt": {"mean": 0.2, "std": 0.05}}
    )
    assert figure is not None
    bars = figure["data"][0]
    assert bars["y"] == ["opt", "lr"] and bars["error_x"]["array"] == [0.05, 0.1]
    assert dashboard_charts.importance_figure({"lr": {"mean": 0.0, "std": 0.0}}) is None


def test_timeline_puts_overlapping_trials_in_separate_slots() -> None:
    rows = [
        row(1, "completed", 0.5, started=0, finished=60),
        row(2, "failed", None, started=30, finished=90),
        row(3, "running", None, started=70, finished=None),
        row(4, "queued", None, started=None, finished=None),
    ]
    figure = dashboard_charts.timeline_figure(rows, now=120)
    assert figure is not None
    slots = {t["name"]: (t["y"], t["base"], t["x"]) for t in figure["data"]}
    # Two minutes drawn: the axis counts seconds, a tick every 20.
    axis = figure["layout"]["xaxis"]
    assert axis["title"]["text"] == "seconds since the job started"
    assert (axis["tick0"], axis["dtick"]) == (0, 20)
    assert slots["completed"] == (["slot 1"], [0.0], [60.0])
    assert slots["failed"] == (["slot 2"], [30.0], [60.0])
    assert slots["running"] == (["slot 1"], [70.0], [50.0])
    assert "queued" not in slots
    hover = {t["name"]: t["hovertext"] for t in figure["data"]}
    assert hover["failed"] == ["30 to 90 s"] and hover["running"] == ["70 to 120 s"]


def test_timeline_counts_minutes_or_hours_as_the_job_grows() -> None:
    minutes = dashboard_charts.timeline_figure(
        [row(1, "completed", 0.5, started=60, finished=1500)], now=1600
    )
    assert minutes is not None
    assert minutes["layout"]["xaxis"]["title"]["text"] == "minutes since the job started"
    assert minutes["layout"]["xaxis"]["dtick"] == 5  # 26.7 minutes drawn
    assert (minutes["data"][0]["base"], minutes["data"][0]["x"]) == ([1.0], [24.0])
    assert minutes["data"][0]["hovertext"] == ["1 to 25 min"]
    hours = dashboard_charts.timeline_figure(
        [row(1, "running", None, started=1800, finished=None)], now=8 * 3600
    )
    assert hours is not None
    assert hours["layout"]["xaxis"]["title"]["text"] == "hours since the job started"
    assert hours["layout"]["xaxis"]["dtick"] == 1
    assert (hours["data"][0]["base"], hours["data"][0]["x"]) == ([0.5], [7.5])
    assert hours["data"][0]["hovertext"] == ["0.5 to 8 h"]
    # Its legend sits in the top margin, above the bars, not over slot 1.
    legend = hours["layout"]["legend"]
    assert (legend["y"], legend["yanchor"]) == (1, "bottom")


def test_parallel_figure_carries_each_vertex_trial_number_for_brushing() -> None:
    rows = [
        {"params": {"lr": 0.1}, "value": 0.5, "number": 7},
        {"params": {"lr": 0.2}, "value": 0.6, "number": 9, "best": True},
    ]
    figure = charts.parallel_figure(rows, names=["lr"], metric_name="acc", goal="maximize")
    assert figure is not None
    numbers = [n for t in figure["data"] for n in t["customdata"] if n is not None]
    assert sorted(numbers) == [7, 7, 9, 9]


def test_only_scored_trials_count_in_best_so_far_and_the_leaderboard() -> None:
    # A lost, a canceled and a failed trial had reported better values before they ended:
    # the job's best ignores them (Trial.SCORED), so best so far and the leaderboard do too.
    rows = [
        row(1, "completed", 0.5, algorithm="tpe"),
        row(2, "lost", 0.99, algorithm="tpe"),
        row(3, "canceled", 0.98, algorithm="random"),
        row(4, "failed", 0.97, algorithm="random"),
        row(5, "early_stopped", 0.6, algorithm="random"),
    ]
    figure = dashboard_charts.best_so_far_figure(rows, goal="maximize", metric_name="acc")
    assert figure is not None
    lines = {t["name"]: (t["x"], t["y"]) for t in figure["data"]}
    assert lines["all algorithms"] == ([1, 5], [0.5, 0.6])
    board = chart_data.leaderboard(rows, goal="maximize", best_number=5)
    assert [(e["algorithm"], e["best"], e["best_number"], e["trials"]) for e in board] == [
        ("random", 0.6, 5, 3),
        ("tpe", 0.5, 1, 2),
    ]
