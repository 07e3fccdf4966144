"""Every page renders without browser errors and loads nothing from outside the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import create_algorithm, login, screenshot, write_script
from tests.support.live import LiveConsole


class BrowserProblems:
    """Console errors, uncaught exceptions and requests leaving the console, as they happen."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = origin
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", self._on_request)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def _on_request(self, request: Any) -> None:
        url = request.url
        if not (url.startswith(self.origin + "/") or url.startswith(("data:", "blob:"))):
            self.foreign.append(url)

    def assert_none(self, where: str) -> None:
        assert self.errors == [], f"{where}: {self.errors}"
        assert self.foreign == [], f"{where} requested non-local URLs: {self.foreign}"


@pytest.fixture
def problems(page: Any, live_console: LiveConsole) -> Iterator[BrowserProblems]:
    watcher = BrowserProblems(page, live_console.url)
    yield watcher
    watcher.assert_none("after the test")


def visit(page: Any, problems: BrowserProblems, url: str, heading: str, shot: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state("networkidle")
    screenshot(page, shot)
    problems.assert_none(url)


def test_pages_render_cleanly(page: Any, problems: BrowserProblems, tmp_path: Path) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    problems.assert_none("login")

    login(page, "bob")
    visit(page, problems, "/", "Overview", "render-home-empty")
    visit(page, problems, "/algorithms/", "Algorithms", "render-list-empty")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No algorithms yet")

    page.context.clear_cookies()
    login(page, "alice")
    visit(page, problems, "/algorithms/create/", "Create algorithm", "render-create")
    pk = create_algorithm(page, "render-check", write_script(tmp_path))
    visit(page, problems, "/", "Overview", "render-home")
    visit(page, problems, "/algorithms/", "Algorithms", "render-list")
    expect(page.locator('[data-testid=algorithm-row][data-name="render-check"]')).to_be_visible()
    visit(page, problems, f"/algorithms/{pk}/", "render-check", "render-detail")
    visit(page, problems, f"/algorithms/{pk}/edit/", "Edit algorithm", "render-edit")
    visit(page, problems, f"/algorithms/{pk}/delete/", "Delete algorithm", "render-delete")


def test_admin_renders_under_the_content_security_policy(
    page: Any, problems: BrowserProblems, live_console: LiveConsole
) -> None:
    live_console.manage("createuser", "root", "--password", "root-pass-123", "--staff")
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-pass-123")
    page.click("input[type=submit]")
    for url in ("/admin/", "/admin/algorithms/algorithm/", "/admin/auth/user/add/"):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        problems.assert_none(url)


def test_api_docs_render_from_local_assets(page: Any, problems: BrowserProblems) -> None:
    login(page, "alice")
    response = page.goto("/api/docs/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/v1/algorithms/").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "render-api-docs")
    problems.assert_none("/api/docs/")
