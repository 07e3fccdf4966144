"""Logging in and out, as a person does it in the browser."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import login, screenshot
from tests.support.live import USERS


def test_anonymous_visit_lands_on_login_page(page: Any) -> None:
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    screenshot(page, "login")


def test_wrong_password_shows_error_and_keeps_username(page: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("alice")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot(page, "login-wrong-password")


def test_login_shows_user_menu_and_logout_returns_to_login(page: Any) -> None:
    page.goto("/algorithms/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(USERS["alice"])
    page.get_by_role("button", name="Log in").click()

    # The login page sends the user back where they were going.
    expect(page).to_have_url(re.compile(r"/algorithms/$"))
    menu = page.get_by_test_id("user-menu")
    expect(menu).to_contain_text("alice")

    page.goto("/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    menu.click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    screenshot(page, "home-user-menu")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_logged_in_user_visiting_login_goes_home(page: Any) -> None:
    login(page, "bob")
    page.goto("/accounts/login/")

    expect(page.get_by_test_id("user-menu")).to_contain_text("bob")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
