"""Another user's algorithm does not exist for you: 404 on its pages, absent from your list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import create_algorithm, login, screenshot, write_script


def test_other_users_algorithm_is_not_found(page: Any, tmp_path: Path) -> None:
    login(page, "alice")
    pk = create_algorithm(page, "alice-private", write_script(tmp_path))
    expect(page.get_by_role("heading", name="alice-private")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    login(page, "bob")

    for url in (f"/algorithms/{pk}/", f"/algorithms/{pk}/edit/", f"/algorithms/{pk}/delete/"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_text("alice-private")).to_have_count(0)
    screenshot(page, "not-found")

    page.goto("/algorithms/")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No algorithms yet")
    expect(page.get_by_test_id("algorithm-row")).to_have_count(0)
    page.get_by_test_id("algorithm-search").fill("alice")
    page.get_by_test_id("algorithm-search").press("Enter")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No algorithm matches")

    page.goto("/")
    expect(page.get_by_test_id("algorithm-count")).to_have_text("0")
