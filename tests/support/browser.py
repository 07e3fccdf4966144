"""Small actions a person does in the browser, shared by the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.live import USERS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", USERS[username])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
