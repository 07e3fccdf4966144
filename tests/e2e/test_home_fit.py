"""The home page's Training jobs table fits its card at laptop and desktop widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole

NAMES = [
    "mnist lr and batch search from trial 12 narrowed",
    "cifar10 resnet tpe search with median stopping",
]


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    return slow_algorithm(
        live_console, tmp_path_factory.mktemp("home-fit-code"), "a-long-algorithm-name-for-home"
    )


FIT = """() => {
  const card = document.querySelector('[data-testid=running-jobs]');
  const wrap = card.querySelector('.table-wrap');
  const table = wrap.querySelector('table');
  const cardBox = card.getBoundingClientRect();
  const names = [...table.querySelectorAll('tbody td:first-child a')];
  const heads = [...table.querySelectorAll('thead th')];
  return {
    overflow: wrap.scrollWidth - wrap.clientWidth,
    tableRight: table.getBoundingClientRect().right,
    cardRight: cardBox.right,
    headsInside: heads.every(th => th.getBoundingClientRect().right <= cardBox.right),
    nameLines: names.map(a => a.getClientRects().length),
  };
}"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_home_jobs_table_fits_its_card(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str],
    width: int,
) -> None:
    for name in NAMES:
        jobs.append(start_job(api, algorithm, name, trials=2, reports=200))
    page.set_viewport_size({"width": width, "height": 800})
    login(page, "alice")
    page.goto("/")
    expect(page.get_by_test_id("running-job").first).to_be_visible()
    fit = page.evaluate(FIT)
    screenshot(page, f"home-jobs-{width}")
    assert fit["overflow"] <= 0, fit
    assert fit["tableRight"] <= fit["cardRight"], fit
    assert fit["headsInside"], fit
    # Each job's name on one line: the name column is wide enough to read.
    assert fit["nameLines"] and all(n == 1 for n in fit["nameLines"]), fit
