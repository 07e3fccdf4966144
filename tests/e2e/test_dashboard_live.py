"""The job page as a live dashboard, in Chromium against a real console (``serve``).

One search job of a script that reports every 0.3 s: its points appear on the open page
without a reload, the parallel coordinates carry every searched parameter, a trial
stopped from the table changes status live, two trials are compared, the CSV matches
the API, and a trial's log tails live and its metric chart grows.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import SPEC, login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    return slow_algorithm(live_console, tmp_path_factory.mktemp("dashboard-code"), SPEC["name"])


def metric_points(page: Any) -> int:
    """Points the metric chart holds now (Plotly's own data on the node)."""
    return int(
        page.evaluate(
            """() => {
              const node = document.querySelector('[data-live-chart=metric]');
              if (!node || !node.data) return 0;
              return node.data.reduce((n, t) => n + (t.y || []).filter(v => v !== null).length, 0);
            }"""
        )
    )


def test_a_running_job_updates_live_and_its_trials_can_be_stopped_compared_and_exported(
    page: Any, algorithm: int, api: ApiClient, problems: list[str], tmp_path: Path
) -> None:
    job = start_job(api, algorithm, "live dashboard", trials=4, reports=60)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)

    # Points appear without a reload: the chart's data grows.
    # The first trial's first report, on a console that may be busy starting it.
    page.wait_for_function(
        "() => document.querySelector('[data-live-chart=metric]').data", timeout=60_000
    )
    page.wait_for_function(
        "() => document.querySelectorAll("
        "'[data-testid=trial-row][data-status=running]').length > 0",
        timeout=20_000,
    )
    first = metric_points(page)
    page.wait_for_timeout(1500)
    assert metric_points(page) > first
    expect(page.get_by_test_id("progress-running")).to_be_visible()
    screenshot(page, "dashboard-running")

    # Stop a running trial from its row: its status changes on the open page.
    row = page.locator("[data-testid=trial-row][data-status=running]").first
    number = row.get_attribute("data-number")
    row.get_by_test_id("stop-trial").click()
    stopped = page.locator(f'[data-testid=trial-row][data-number="{number}"]')
    expect(stopped.get_by_test_id("trial-status")).to_have_text("Early stopped", timeout=20_000)
    # Asked by the page's script: the next page drawn carries no "being stopped" message.
    assert "is being stopped" not in page.request.get(page.url).text()
    expect(page.locator("[data-live-chart=metric] .scatterlayer .point").first).to_be_attached()

    # The parallel coordinates carry every searched parameter and the objective.
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-live-chart=parallel]');"
        " return n && n.layout && n.layout.xaxis.ticktext.length === 4; }",
        timeout=30_000,
    )
    ticks = page.evaluate(
        "() => document.querySelector('[data-live-chart=parallel]').layout.xaxis.ticktext"
    )
    assert [t.split(" ")[0] for t in ticks] == ["lr", "layers", "optimizer", "accuracy"]
    assert ticks[0] == "lr (log)"

    # Compare two trials side by side.
    page.wait_for_function(
        "() => document.querySelectorAll("
        "'[data-testid=trial-row]:not([data-status=queued])').length >= 2",
        timeout=30_000,
    )
    boxes = page.locator(
        "[data-testid=trial-row]:not([data-status=queued]) [data-testid=select-trial]"
    )
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_test_id("compare-button").click()
    panel = page.get_by_test_id("compare-panel")
    expect(panel.get_by_test_id("compare-table")).to_be_visible()
    expect(panel.locator("thead th.compare-col")).to_have_count(2)
    expect(panel.get_by_test_id("compare-param")).to_have_count(3)
    expect(panel.locator("[data-testid=compare-chart] .main-svg").first).to_be_visible()
    screenshot(page, "dashboard-compare")

    # The CSV the page offers holds the rows the API lists.
    with page.expect_download() as download:
        page.get_by_test_id("export-trials-csv").click()
    path = tmp_path / "trials.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    status, listed = api.request("GET", f"/api/v1/training-jobs/{job}/trials/?page_size=100")
    assert status == 200
    api_rows = listed["results"] if isinstance(listed, dict) else listed
    by_number = {int(r["number"]): r for r in rows}
    for trial in api_rows:
        row_csv = by_number[trial["number"]]
        # The CSV was read a moment after the API: a trial may have moved on since.
        assert row_csv["param:optimizer"] == trial["params"]["optimizer"]
        assert float(row_csv["param:lr"]) == pytest.approx(trial["params"]["lr"])
    assert {int(r["number"]) for r in rows} >= {t["number"] for t in api_rows} - {5}
    # The job's end reaches the open page too (or it has ended already).
    status, _ = api.request("POST", f"/api/v1/training-jobs/{job}/cancel/")
    ended = "Canceled" if status == 200 else "Completed"
    expect(page.get_by_test_id("job-status")).to_have_text(ended, timeout=20_000)
    # The live marker says so, as an ended trial's page does, and a reload draws the same.
    expect(page.get_by_test_id("live-state")).to_have_text("Ended")
    screenshot(page, "dashboard-ended")
    page.reload()
    expect(page.get_by_test_id("job-status")).to_have_text(ended)
    page.wait_for_timeout(1000)  # the socket connects: the marker stays "Ended"
    expect(page.get_by_test_id("live-state")).to_have_text("Ended")


def test_the_trial_page_tails_its_log_live(
    page: Any, algorithm: int, api: ApiClient, problems: list[str]
) -> None:
    job = start_job(api, algorithm, "live log", trials=1, reports=40)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    running = page.locator("[data-testid=trial-row][data-status=running] a").first
    expect(running).to_be_visible(timeout=20_000)
    running.click()
    expect(page).to_have_url(re.compile(r"/trials/1/$"))
    log = page.get_by_test_id("trial-log")
    expect(log.locator(".metric-line").first).to_be_attached(timeout=15_000)
    before = len(log.inner_text())
    chart = page.get_by_test_id("trial-chart")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=trial-chart]').dataset.points) > 0",
        timeout=15_000,
    )
    points = int(chart.get_attribute("data-points") or 0)
    page.wait_for_timeout(1500)
    assert len(log.inner_text()) > before
    # The metric chart grows without a reload: Plotly's own data holds the new points.
    assert int(chart.get_attribute("data-points") or 0) > points
    drawn = page.evaluate(
        "() => document.querySelector('[data-testid=trial-chart]').data[0].x.length"
    )
    assert drawn == int(chart.get_attribute("data-points") or 0) or drawn > points
    # The points table beside it grows too, its heading counting its rows.
    rows, counted = page.evaluate(
        "() => [document.querySelectorAll('[data-testid=metric-points] tbody tr').length,"
        " Number(document.querySelector('[data-points-count]').textContent)]"
    )
    assert rows == counted and rows >= points
    expect(log).to_contain_text("checkpoint 10", timeout=15_000)
    # The Run card: the latest report, growing live, and a duration that ticks.
    value = page.get_by_test_id("trial-value")
    expect(value).to_contain_text(re.compile(r"\(latest, report \d+\)"))
    report = int(re.findall(r"report (\d+)", value.inner_text())[0])
    duration = page.get_by_test_id("trial-duration")
    ticked = duration.inner_text()
    page.wait_for_timeout(1200)
    assert duration.inner_text() != ticked
    newest = int(re.findall(r"report (\d+)", value.inner_text())[0])
    assert newest > report
    # The value is the points table's row of that report.
    row = page.locator(f'[data-testid=metric-points] tbody tr[data-step="{newest}"]')
    assert row.locator("td").nth(1).inner_text() == value.locator("strong").inner_text()
    # Whole report numbers on the chart's axis, widening as the reports grow.
    axis = page.evaluate(
        "() => { const a = document.querySelector('[data-testid=trial-chart]')._fullLayout.xaxis;"
        " return [a.tickformat, a.dtick, a._vals.map(t => t.x)]; }"
    )
    assert axis[0] == "d" and axis[1] >= 1
    assert all(float(x) == int(x) for x in axis[2])
    screenshot(page, "dashboard-trial-log")
    api.request("POST", f"/api/v1/training-jobs/{job}/cancel/")
    # Ended: the final duration stays, the value is no longer "latest".
    run = page.get_by_test_id("trial-run")
    expect(run.locator(".badge").first).not_to_have_text("Running", timeout=20_000)
    expect(value).not_to_contain_text("latest")
    final = duration.inner_text()
    page.wait_for_timeout(1500)
    assert duration.inner_text() == final
    screenshot(page, "dashboard-trial-ended")
