"""Settings helpers fail loudly, naming the variable, on a bad value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from console.env import env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_reads_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


def test_env_bool_refuses_unknown_value_naming_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG.*'maybe'"):
        env_bool("DEBUG")


def test_env_int_refuses_text_and_values_below_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_UPLOAD_MB", "lots")
    with pytest.raises(ImproperlyConfigured, match="MAX_UPLOAD_MB must be an integer"):
        env_int("MAX_UPLOAD_MB", 1)
    monkeypatch.setenv("MAX_UPLOAD_MB", "0")
    with pytest.raises(ImproperlyConfigured, match="MAX_UPLOAD_MB must be >= 1"):
        env_int("MAX_UPLOAD_MB", 1, minimum=1)


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.com, b.example.com ,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example.com", "b.example.com"]


def test_env_url_refuses_wrong_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(
        ImproperlyConfigured, match="REDIS_URL must be a URL starting with redis://"
    ):
        env_url("REDIS_URL", schemes=("redis", "rediss"))


def _check_with(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_fails_naming_the_bad_variable(tmp_path: Path) -> None:
    result = _check_with({"DEBUG": "sometimes"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_scale_mode_requires_secret_key(tmp_path: Path) -> None:
    result = _check_with({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_embedded_mode_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    assert _check_with({}, tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _check_with({}, tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
