"""Static assets come from this server, never from the internet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles import finders
from django.test import Client

from console.staticfiles import PLOTLY_DIR


def test_plotly_bundle_is_found_in_the_installed_package() -> None:
    found = finders.find("vendor/plotly.min.js")
    assert found == str(PLOTLY_DIR / "plotly.min.js")
    assert Path(plotly.__file__).resolve().parent in Path(found).parents


def test_plotly_bundle_is_served_as_a_static_file(client: Any) -> None:
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert b"plotly" in body[:2000].lower()
    assert len(body) > 1_000_000


def test_pages_load_no_script_or_style_from_other_hosts(alice_client: Any) -> None:
    external = re.compile(r'<(script|link)[^>]+(src|href)="(https?:)?//', re.IGNORECASE)
    for url in ["/", "/algorithms/", "/algorithms/create/", "/accounts/login/"]:
        html = alice_client.get(url).content.decode()
        assert external.search(html) is None, url


def test_favicon_ico_sends_to_the_logo_every_page_names(alice_client: Any) -> None:
    logo = "/static/console/img/logo.svg"
    # Browsers ask for it without a session too (the login page), and on plain-text pages.
    for who in (Client(), alice_client):
        response = who.get("/favicon.ico")
        assert response.status_code == 302
        assert response["Location"] == logo
        assert "max-age=86400" in response["Cache-Control"]
    icon = Client().get(logo)
    assert icon.status_code == 200
    assert b"<svg" in icon.getvalue()[:500]
    link = f'<link rel="icon" href="{logo}" type="image/svg+xml">'
    assert link in Client().get("/accounts/login/").content.decode()
    for url in ["/", "/training-jobs/", "/no-such-page/"]:
        assert link in alice_client.get(url).content.decode(), url
