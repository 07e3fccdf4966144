"""Answers the REST API can give, as the client surfaces them: one exception type with the
field messages, never a bare HTTP error. The HTTP exchange is httpx's own MockTransport;
the live tests cover the same paths against a real console."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sweepconsole import AuthenticationError, Console, ConsoleError, NotFound, Unreachable
from sweepconsole import config as client_config


def console_answering(
    handler: Callable[[httpx.Request], httpx.Response], token: str | None = "tok"
) -> Console:
    return Console("http://console.test", token, transport=httpx.MockTransport(handler))


def test_validation_errors_carry_the_field_messages() -> None:
    errors = {"max_concurrent": ["Too many."], "search_space": {"lr": {"low": ["Bad low."]}}}
    console = console_answering(lambda request: httpx.Response(400, json=errors))
    with pytest.raises(ConsoleError) as caught:
        console.submit_json({"name": "x", "algorithm": 1})
    assert caught.value.status == 400
    assert caught.value.fields == errors
    assert caught.value.field_messages() == [
        ("max_concurrent", "Too many."),
        ("search_space.lr.low", "Bad low."),
    ]
    assert "search_space.lr.low: Bad low." in str(caught.value)


def test_another_users_job_is_not_found() -> None:
    console = console_answering(lambda request: httpx.Response(404, json={"detail": "No."}))
    with pytest.raises(NotFound, match=r"Job 12 was not found \(it does not exist, or it"):
        console.get_job(12)


def test_refused_token_says_to_log_in_again() -> None:
    console = console_answering(
        lambda request: httpx.Response(401, json={"detail": "Invalid token."})
    )
    with pytest.raises(AuthenticationError, match="expired or been revoked; log in again"):
        console.jobs()


def test_no_token_says_to_log_in() -> None:
    answer = {"detail": "Authentication credentials were not provided."}
    console = console_answering(lambda request: httpx.Response(401, json=answer), token=None)
    with pytest.raises(AuthenticationError, match="Not logged in to http://console.test"):
        console.jobs()


def test_token_header_is_sent() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        return httpx.Response(200, json={"count": 0, "next": None, "results": []})

    assert console_answering(handler, token="abc").jobs() == []
    assert seen == ["Token abc"]


def test_pages_are_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json={"next": None, "results": [{"id": 2}]})
        following = "http://console.test/api/v1/training-jobs/?page=2"
        return httpx.Response(200, json={"next": following, "results": [{"id": 1}]})

    assert [job.id for job in console_answering(handler).jobs()] == [1, 2]


def test_unreachable_console_is_a_console_error_naming_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with pytest.raises(Unreachable, match=r"Cannot reach the console at http://console.test"):
        console_answering(handler).jobs()


def test_conflict_and_server_errors_are_console_errors() -> None:
    console = console_answering(
        lambda request: httpx.Response(409, json={"detail": "Job 3 is completed: cannot pause."})
    )
    with pytest.raises(ConsoleError, match="Refused: Job 3 is completed: cannot pause."):
        console.submit_json({})
    console = console_answering(lambda request: httpx.Response(500, text="<html>...</html>"))
    with pytest.raises(ConsoleError, match=r"HTTP 500: a server error \(its log says more\)$"):
        console.jobs()


def test_a_page_that_is_not_the_api_is_explained() -> None:
    console = console_answering(lambda request: httpx.Response(200, text="<html>hello</html>"))
    with pytest.raises(ConsoleError, match="not JSON; is this the console's URL"):
        console.jobs()


def test_algorithm_upload_sends_the_api_fields_as_multipart(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("print('loss=0.1')\n")
    sent: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        sent["type"] = request.headers["Content-Type"]
        sent["body"] = request.read()
        return httpx.Response(201, json={"id": 3, "name": "tiny", "status": "ready"})

    algorithm = console_answering(handler).create_algorithm(
        script,
        name="tiny",
        hyperparameters=[{"name": "lr", "type": "float", "default": 0.1}],
        metric={"name": "loss", "goal": "minimize", "regex": "loss=([0-9.]+)"},
    )
    assert algorithm.id == 3 and algorithm.status == "ready"
    assert sent["type"].startswith("multipart/form-data")
    body = sent["body"].decode()
    assert 'name="boot_file"\r\n\r\ntrain.py' in body
    assert 'name="auto_search"\r\n\r\ntrue' in body
    assert json.dumps([{"name": "lr", "type": "float", "default": 0.1}]) in body
    assert 'filename="train.py"' in body and "print('loss=0.1')" in body


def test_failed_algorithm_raises_with_its_reason(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("x = 1\n")
    answer = {"id": 3, "name": "t", "status": "failed", "status_reason": "boot file missing"}
    console = console_answering(lambda request: httpx.Response(201, json=answer))
    with pytest.raises(ConsoleError, match="Algorithm 't' .* is failed: boot file missing"):
        console.create_algorithm(script, name="t")


def test_wrong_password_says_so() -> None:
    answer = {"non_field_errors": ["Unable to log in with provided credentials."]}
    transport = httpx.MockTransport(lambda request: httpx.Response(400, json=answer))
    with pytest.raises(AuthenticationError, match="Wrong user name or password"):
        Console.get_token("http://console.test", "alice", "nope", transport=transport)


def test_login_file_is_written_with_mode_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cfg" / "config.json"
    monkeypatch.setenv("SWEEP_CONFIG", str(path))
    path.parent.mkdir()
    path.write_text("{}")
    os.chmod(path, 0o644)  # an older, too open file is replaced, not reused
    client_config.write_config({"url": "http://c", "token": "secret"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == "secret"


def test_url_and_token_come_from_env_then_the_login_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEP_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.delenv("SWEEP_URL", raising=False)
    monkeypatch.delenv("SWEEP_TOKEN", raising=False)
    client_config.write_config({"url": "http://saved:8000", "token": "saved-token"})
    creds = client_config.resolve()
    assert (creds.url, creds.token, creds.token_source) == (
        "http://saved:8000",
        "saved-token",
        "login",
    )
    monkeypatch.setenv("SWEEP_TOKEN", "env-token")
    assert client_config.resolve().token == "env-token"
    # The saved token belongs to the saved URL only.
    monkeypatch.delenv("SWEEP_TOKEN")
    assert client_config.resolve("http://other:8000").token is None


def test_cli_says_when_the_console_cannot_be_reached() -> None:
    from click.testing import CliRunner
    from sweepconsole.cli import cli

    # Port 9 (discard): nothing listens there on a test machine.
    result = CliRunner().invoke(
        cli, ["--url", "http://127.0.0.1:9", "--token", "t", "jobs", "list"]
    )
    assert result.exit_code == 1
    assert "Error: Cannot reach the console at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output
