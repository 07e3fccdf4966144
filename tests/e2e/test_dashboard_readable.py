"""The job and trial pages read well while a job runs, in Chromium against a real console.

The trial table is patched in place as reports arrive (the same rows, checkboxes and Stop
buttons, in the chosen order); the parallel coordinates' labels are clear of the lines;
the timeline counts whole seconds; the importance card is as tall as its bars; the trial
page's log header counts the lines as they arrive and every point has its time.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import ARTIFACTS, login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The live dashboard's slow reporting script, under a name of this module's own (the
    browser tests share one console)."""
    folder = tmp_path_factory.mktemp("readable-code")
    return slow_algorithm(live_console, folder, "readable-dashboard")


RUNNING_ROW = "[data-testid=trial-row][data-status=running]"

# The running row's elements, kept on the window to compare with those of a later render.
KEEP_ROW = """selector => {
  const tr = document.querySelector(selector);
  window.probe = { tbody: tr.parentNode, tr: tr,
    box: tr.querySelector('[data-testid=select-trial]'),
    stop: tr.querySelector('[data-testid=stop-trial]'),
    reports: tr.cells[tr.cells.length - 4].textContent };
  return tr.dataset.number;
}"""

SAME_ROW = """() => {
  const p = window.probe, tr = p.tr;
  return { connected: tr.isConnected && document.contains(p.box) && document.contains(p.stop),
    tbody: tr.parentNode === p.tbody, box: tr.querySelector('[data-testid=select-trial]') === p.box,
    checked: p.box.checked, stop: tr.querySelector('[data-testid=stop-trial]') === p.stop,
    reports: tr.cells[tr.cells.length - 4].textContent, before: p.reports };
}"""

NUMBERS = """() => Array.from(document.querySelectorAll('[data-testid=trial-row]'))
  .map(tr => Number(tr.dataset.number))"""


def test_the_trial_table_is_patched_in_place_and_the_charts_read_clearly(
    page: Any,
    algorithm: int,
    api: ApiClient,
    problems: list[str],
) -> None:
    job = start_job(api, algorithm, "readable dashboard", trials=6, reports=25)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    expect(page.locator(RUNNING_ROW).first).to_be_visible(timeout=30_000)

    # Select a running trial; its row, checkbox and Stop button outlive the reports that
    # follow, which change its Reports cell.
    number = page.evaluate(KEEP_ROW, RUNNING_ROW)
    page.locator(f'[data-testid=trial-row][data-number="{number}"]').get_by_test_id(
        "select-trial"
    ).check()
    page.wait_for_timeout(2000)
    same = page.evaluate(SAME_ROW)
    assert same["connected"] and same["tbody"] and same["box"] and same["stop"], same
    assert same["checked"]
    assert int(same["reports"]) > int(same["before"] or 0), same

    # Sorted by number, lowest first: the order holds as rows are patched.
    page.locator("th[data-col=number]").click()  # newest first until now
    expect(page.locator("th[data-col=number]")).to_have_attribute("data-sorted", "asc")
    page.wait_for_timeout(1500)
    numbers = page.evaluate(NUMBERS)
    assert numbers == sorted(numbers) and len(numbers) >= 2
    still = page.evaluate(SAME_ROW)
    assert still["connected"] and still["checked"], still

    # Four trials completed: the summary figures and importance are drawn.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=trial-row][data-status=completed]')"
        ".length >= 4",
        timeout=90_000,
    )
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-live-chart=importance]');"
        " return n && n.dataset.drawn && !n.hidden; }",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-live-chart=parallel]');"
        " return n && n.layout && n.layout.annotations.length >= 8; }",
        timeout=30_000,
    )
    parallel = page.locator("[data-live-chart=parallel]")
    parallel.scroll_into_view_if_needed()
    page.wait_for_timeout(500)

    # Each axis's end labels lie beyond the ends of its line (above the top, below the
    # bottom), where no trial's line runs, each on a white backing.
    labels = parallel.evaluate(
        """node => {
          const axes = Array.from(node.querySelectorAll('.shapelayer path'))
            .map(p => p.getBoundingClientRect());
          return Array.from(node.querySelectorAll('.annotation')).map(g => {
            const a = node.layout.annotations[Number(g.dataset.index)];
            const box = g.querySelector('.annotation-text-g').getBoundingClientRect();
            const axis = axes[a.x];
            return { text: a.text, y: a.y, top: box.top, bottom: box.bottom,
                     axisTop: axis.top, axisBottom: axis.bottom,
                     fill: g.querySelector('rect.bg').style.fill };
          });
        }"""
    )
    assert labels
    for label in labels:
        assert label["fill"] == "rgb(255, 255, 255)", label
        if label["y"] >= 1:
            assert label["bottom"] <= label["axisTop"] + 1, label
        elif label["y"] <= 0:
            assert label["top"] >= label["axisBottom"] - 1, label

    # The timeline counts whole seconds (the job is a minute or two old).
    timeline = page.locator("[data-live-chart=timeline]")
    timeline.scroll_into_view_if_needed()
    expect(timeline.locator(".g-xtitle")).to_have_text("seconds since the job started")
    ticks = timeline.locator(".xtick text").all_text_contents()
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks

    # The importance card is as tall as its chart, not stretched to the row's height.
    card, chart, row = page.evaluate(
        """() => { const n = document.querySelector('[data-live-chart=importance]');
          const card = n.closest('.card');
          return [card.getBoundingClientRect().height, n.getBoundingClientRect().height,
                  card.parentNode.getBoundingClientRect().height]; }"""
    )
    assert card - chart < 110, (card, chart)
    assert card < row - 40, (card, row)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    parallel.screenshot(path=str(ARTIFACTS / "dashboard-parallel-labels.png"))
    screenshot(page, "dashboard-readable")
    api.request("POST", f"/api/v1/training-jobs/{job}/cancel/")


def test_the_trial_page_counts_log_lines_and_times_every_point_live(
    page: Any,
    algorithm: int,
    api: ApiClient,
    problems: list[str],
) -> None:
    job = start_job(api, algorithm, "live trial page", trials=1, reports=40)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    running = page.locator(f"{RUNNING_ROW} a").first
    expect(running).to_be_visible(timeout=20_000)
    running.click()
    expect(page).to_have_url(re.compile(r"/trials/1/$"))
    page.wait_for_function(
        "() => Number(document.querySelector('[data-points-count]').textContent) >= 3",
        timeout=20_000,
    )
    read = """() => ({
      count: document.querySelector('[data-testid=log-lines]').textContent,
      lines: (document.querySelector('[data-testid=trial-log]').textContent.match(/\\n/g)
              || []).length,
      steps: Array.from(document.querySelectorAll('[data-points-body] tr'))
               .map(tr => Number(tr.cells[0].textContent)),
      times: Array.from(document.querySelectorAll('[data-points-body] tr'))
               .map(tr => tr.cells[2].textContent),
      heading: Number(document.querySelector('[data-points-count]').textContent) })"""
    first = page.evaluate(read)
    page.wait_for_timeout(2000)
    later = page.evaluate(read)
    for seen in (first, later):
        # The header counts the lines the log holds, as they arrive.
        assert seen["count"] == f"{seen['lines']} lines", seen
        # Every point has its time, the table in report order, its heading its rows.
        assert all(re.fullmatch(r"\d\d:\d\d:\d\d", t) for t in seen["times"]), seen["times"]
        assert seen["steps"] == list(range(1, len(seen["steps"]) + 1))
        assert seen["heading"] == len(seen["steps"])
    assert later["lines"] > first["lines"] and later["heading"] > first["heading"]
    screenshot(page, "trial-page-live-counts")

    # The plain-text log names no icon: the browser's /favicon.ico finds the logo.
    icon = page.request.get("/favicon.ico")
    assert icon.ok and icon.url.endswith("/static/console/img/logo.svg")
    assert "svg" in icon.headers["content-type"]
    page.get_by_test_id("full-log").click()
    expect(page.locator("body")).to_contain_text("accuracy=")
    assert missing == []
    api.request("POST", f"/api/v1/training-jobs/{job}/cancel/")
