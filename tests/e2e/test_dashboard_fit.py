"""The job page fits and counts right, in Chromium against a real console.

Trials lost on the way are counted apart from the trials ended, as the trial budget
counts them, on the job page (live too) and the job list; the trial table's Stop
buttons stay inside their card at laptop widths; the best-so-far chart's y range hugs
its values and its first value is a point, not an empty chart; Plotly's mode bar covers
none of a chart's controls, labels or points; the objective-by-parameter chart labels a
log axis by decades.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import job_data, login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole

RUNNING_ROW = "[data-testid=trial-row][data-status=running]"

REASON = (
    "Stopped by the median_stopping policy at report 3 (value 0.4806): below the running "
    "median of the other trials' reports at the same step, which was 0.9312 over 14 trials"
)

LONG_REASONS = """\
from trainingjobs.models import Trial
print("UPDATED", Trial.objects.filter(job_id={job}).update(status_reason={reason!r}))
"""

MARK_LOST = """\
from trainingjobs.models import Trial
from trainingjobs.reaper import trials_mark_lost_now
ids = list(Trial.objects.filter(job_id={job}, status="running").values_list("pk", flat=True))
print("LOST", trials_mark_lost_now(trial_ids=ids[:1], reason="Lost: its worker stopped."))
"""


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The live dashboard's slow reporting script, under a name of this module's own."""
    return slow_algorithm(live_console, tmp_path_factory.mktemp("fit-code"), "fitting-dashboard")


def test_lost_trials_are_counted_apart_on_the_job_page_and_the_list_live(
    page: Any,
    live_console: LiveConsole,
    algorithm: int,
    api: ApiClient,
    jobs: list[int],
    problems: list[str],
) -> None:
    job = start_job(api, algorithm, "loses a trial", trials=3, reports=200)
    jobs.append(job)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    expect(page.locator(RUNNING_ROW).first).to_be_visible(timeout=30_000)
    listing = page.context.new_page()
    listing.goto("/training-jobs/")
    row = listing.locator(f'[data-testid=job-row][data-job="{job}"]')
    expect(row).to_be_visible()

    # Its worker "dies": the trial is lost, and the search runs another in its place.
    out = live_console.manage("shell", "-c", MARK_LOST.format(job=job))
    assert re.search(r"LOST \[\d+\]", out), out

    expect(page.locator("[data-testid=trial-row][data-status=lost]")).to_have_count(
        1, timeout=20_000
    )
    expect(page.get_by_test_id("progress-text")).to_have_text(
        "0 / 3 trials ended (1 lost: not counted)"
    )
    expect(page.get_by_test_id("trials-done")).to_have_text("0 / 3")
    expect(page.get_by_test_id("trials-apart")).to_have_text("1 lost: not counted")
    expect(page.get_by_test_id("progress-lost")).to_have_text("1 lost (not counted)")
    # The lost trial's place in the budget went to a new trial: 3 still to end.
    expect(page.locator("[data-testid=trial-row]")).to_have_count(3, timeout=20_000)
    expect(page.locator(RUNNING_ROW)).to_have_count(2, timeout=20_000)

    # The job list, live, counts the same way.
    expect(row.get_by_test_id("trials-apart")).to_have_text("1 lost: not counted", timeout=15_000)
    expect(row.get_by_test_id("trials-done")).to_contain_text("0 / 3")

    # A reload draws the same counts on the server.
    page.reload()
    expect(page.get_by_test_id("progress-text")).to_have_text(
        "0 / 3 trials ended (1 lost: not counted)"
    )
    listing.reload()
    expect(row.get_by_test_id("trials-apart")).to_have_text("1 lost: not counted")
    screenshot(page, "dashboard-lost-trials")
    listing.close()


STOP_BOX = """() => {
  const stop = document.querySelector('[data-testid=stop-trial]');
  const card = stop.closest('.card').getBoundingClientRect();
  const wrap = stop.closest('.table-wrap');
  const box = stop.getBoundingClientRect();
  const reason = document.querySelector('[data-testid=trial-row] td.reason-cell');
  return { stop: [box.left, box.right], card: [card.left, card.right],
           view: [wrap.getBoundingClientRect().left, wrap.getBoundingClientRect().right],
           scroll: wrap.scrollWidth - wrap.clientWidth,
           reason: reason ? [reason.scrollWidth, reason.clientWidth] : null };
}"""


def test_the_stop_buttons_stay_inside_the_trial_card_at_laptop_widths(
    page: Any,
    live_console: LiveConsole,
    algorithm: int,
    api: ApiClient,
    jobs: list[int],
    problems: list[str],
) -> None:
    job = start_job(api, algorithm, "a table with long reasons", trials=4, reports=120)
    jobs.append(job)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.locator(RUNNING_ROW).first).to_be_visible(timeout=30_000)
    # Reasons as long as a stopping policy's, on every row (running ones too).
    out = live_console.manage("shell", "-c", LONG_REASONS.format(job=job, reason=REASON))
    assert "UPDATED" in out
    for width in (1280, 1440, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        stop = page.locator(f"{RUNNING_ROW} [data-testid=stop-trial]").first
        expect(stop).to_be_visible(timeout=20_000)
        stop.scroll_into_view_if_needed()
        box = page.evaluate(STOP_BOX)
        # The whole button inside the card and its table's view, with no sideways scroll.
        assert box["card"][0] <= box["stop"][0] and box["stop"][1] <= box["card"][1], box
        assert box["view"][0] <= box["stop"][0] and box["stop"][1] <= box["view"][1], box
        assert box["scroll"] <= 1, box
        # The reason gave way: cut with an ellipsis, whole in its title.
        assert box["reason"] and box["reason"][0] > box["reason"][1], box
        reason = page.locator(f"{RUNNING_ROW} td.reason-cell").first
        expect(reason).to_have_attribute("title", REASON)
        page.locator("[data-testid=trial-table]").screenshot(
            path=str(_artifact(f"trial-table-{width}.png"))
        )


def _artifact(name: str) -> Any:
    from tests.support.browser import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


# Plotly's mode bar on a chart and what it might cover: legends, buttons inside the
# chart, annotations (the parallel axes' labels) and the plot area.
MODEBAR = """selector => {
  const node = document.querySelector(selector);
  const bar = node.querySelector('.modebar');
  const box = n => { const r = n.getBoundingClientRect();
                     return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
  const covered = [];
  if (bar && bar.getBoundingClientRect().width) {
    const b = box(bar);
    node.querySelectorAll('.legend, .updatemenu-container, .annotation-text-g, .nsewdrag')
      .forEach(n => { const r = box(n);
        if (r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom)
          covered.push(n.getAttribute('class')); });
  }
  return { bar: !!bar, covered: covered };
}"""


def test_charts_read_from_their_data_and_the_mode_bar_covers_nothing(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    job = start_job(api, algorithm, "charts clear of the mode bar", trials=5, reports=6)
    jobs.append(job)
    login(page, "alice")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/training-jobs/{job}/")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=trial-row][data-status=completed]')"
        ".length >= 4",
        timeout=90_000,
    )
    for name in ("best", "parallel", "slice", "importance", "timeline", "metric"):
        chart = page.locator(f"[data-live-chart={name}]")
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "name => { const n = document.querySelector('[data-live-chart=' + name + ']');"
            " return n && n.dataset.drawn && !n.hidden; }",
            arg=name,
            timeout=30_000,
        )
        chart.hover()
        page.wait_for_timeout(300)
        seen = page.evaluate(MODEBAR, f"[data-live-chart={name}]")
        assert seen["bar"] and seen["covered"] == [], (name, seen)

    # Best so far: the switch is in the card's head, outside the chart; its y range fits
    # the values (accuracy here is between 0.5 and 1), and "by time" keeps it.
    best = page.locator("[data-live-chart=best]")
    switch = page.locator("[data-best-axis-switch]")
    expect(switch).to_be_visible()
    chart_box, switch_box = best.bounding_box(), switch.bounding_box()
    assert switch_box["y"] + switch_box["height"] <= chart_box["y"], (switch_box, chart_box)
    values = best.evaluate("n => n.data[0].y")
    low, high = best.evaluate("n => n.layout.yaxis.range")
    assert low <= min(values) and max(values) <= high, (low, high, values)
    spread = max(max(values) - min(values), 0.04 * abs(max(values)))
    assert high - low <= 1.3 * spread, (low, high, values)
    page.get_by_test_id("best-by-time").click()
    expect(best.locator(".g-xtitle")).to_have_text("seconds since the job started")
    expect(page.get_by_test_id("best-by-time")).to_have_attribute("aria-pressed", "true")
    assert best.evaluate("n => n.layout.yaxis.range") == [low, high]
    page.get_by_test_id("best-by-trial").click()
    expect(best.locator(".g-xtitle")).to_have_text("trial")
    # Trial and report numbers are whole: no tick at 1.5 on either axis.
    for name in ("best", "metric"):
        ticks = page.locator(f"[data-live-chart={name}] .xtick text").all_text_contents()
        assert ticks and all(t.isdigit() for t in ticks), (name, ticks)

    # Objective by parameter: lr is searched on a log scale; its axis labels decades in
    # full, no bare "2" or "5" between them.
    ticks = page.locator("[data-live-chart=slice] .xtick text").all_text_contents()
    assert ticks and not any(t in ("2", "5") for t in ticks), ticks
    lr = page.locator("[data-live-chart=slice]").evaluate("n => n.layout.xaxis.ticktext")
    assert set(lr) <= {"0.0001", "0.001", "0.01", "0.1", "1"} or all(
        re.fullmatch(r"0\.0*[125]|[125]", t) for t in lr
    ), lr
    screenshot(page, "dashboard-charts-fit")

    # The compare panel's chart and the trial page's: the same.
    for number in (1, 2):
        page.locator(f'[data-testid=trial-row][data-number="{number}"]').get_by_test_id(
            "select-trial"
        ).check()
    page.get_by_test_id("compare-button").click()
    compared = page.get_by_test_id("compare-chart")
    compared.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-testid=compare-chart]');"
        " return n && n.querySelector('.modebar'); }"
    )
    compared.hover()
    page.wait_for_timeout(300)
    seen = page.evaluate(MODEBAR, "[data-testid=compare-chart]")
    assert seen["bar"] and seen["covered"] == [], ("compare", seen)
    page.goto(f"/training-jobs/{job}/trials/1/")
    trial_chart = page.get_by_test_id("trial-chart")
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-testid=trial-chart]');"
        " return n && n.querySelector('.modebar'); }"
    )
    trial_chart.hover()
    page.wait_for_timeout(300)
    seen = page.evaluate(MODEBAR, "[data-testid=trial-chart]")
    assert seen["bar"] and seen["covered"] == [], ("trial page", seen)


def test_best_so_far_shows_the_first_value_as_a_point(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    # One ended trial: a line of one point draws nothing, so the chart looked empty.
    job = start_job(api, algorithm, "one value so far", trials=1, reports=3)
    jobs.append(job)
    login(page, "alice")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/training-jobs/{job}/")
    best = page.locator("[data-live-chart=best]")
    best.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-live-chart=best]');"
        " return n && n.dataset.drawn && !n.hidden; }",
        timeout=60_000,
    )
    assert best.evaluate("n => n.data.map(t => t.y.length)") == [1]
    point = best.locator(".scatterlayer .point")
    expect(point).to_have_count(1)
    box = point.bounding_box()
    assert box is not None and box["width"] >= 5 and box["height"] >= 5, box
    best.screenshot(path=str(_artifact("best-so-far-one-point.png")))


MARK_EARLY_STOPPED = """\
from trainingjobs.models import Trial
print("MARKED", Trial.objects.filter(job_id={job}).update(status="early_stopped"))
"""

BADGES = """() => Array.from(document.querySelectorAll('[data-testid=trial-row] .badge'))
  .map(b => ({ text: b.textContent, lines: Math.round(
    b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight)) }))"""


def test_status_badges_keep_to_one_line_beside_the_algorithm_column(
    page: Any,
    live_console: LiveConsole,
    tmp_path: Path,
    api: ApiClient,
    jobs: list[int],
    problems: list[str],
) -> None:
    # Two search algorithms take turns: the table gains its Algorithm column.
    samplers = [{"name": "random", "params": {}}, {"name": "tpe", "params": {}}]
    pk = slow_algorithm(live_console, tmp_path, "two-samplers", search_algorithms=samplers)
    data = {
        **job_data(pk, "badges on one line", trials=2, reports=2),
        "search_algorithms": samplers,
    }
    status, body = api.request("POST", "/api/v1/training-jobs/", data)
    assert status == 201, body
    jobs.append(int(body["id"]))
    api.wait_for(f"/api/v1/training-jobs/{body['id']}/", lambda j: j["status"] == "completed")
    out = live_console.manage("shell", "-c", MARK_EARLY_STOPPED.format(job=body["id"]))
    assert "MARKED 2" in out
    login(page, "alice")
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/training-jobs/{body['id']}/")
        expect(page.locator("[data-testid=trial-row] .badge-early_stopped")).to_have_count(2)
        badges = page.evaluate(BADGES)
        assert [b["text"] for b in badges] == ["Early stopped", "Early stopped"], badges
        assert all(b["lines"] == 1 for b in badges), (width, badges)
        assert page.evaluate(STOP_BOX_SCROLL) <= 1, width
        page.locator("[data-testid=trial-table]").screenshot(
            path=str(_artifact(f"trial-table-badges-{width}.png"))
        )


STOP_BOX_SCROLL = """() => { const w = document.querySelector('[data-testid=trial-table]')
  .closest('.table-wrap') || document.querySelector('[data-testid=trial-table]');
  return w.scrollWidth - w.clientWidth; }"""
