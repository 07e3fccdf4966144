"""Management commands: createuser and the first-start bootstrap."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from algorithms.models import Algorithm, Engine

pytestmark = pytest.mark.django_db
User = get_user_model()


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- createuser -------------------------------------------------------------------------------


def test_createuser_creates_an_ordinary_user() -> None:
    output = _run("createuser", "carol", "--password", "carol-pass-123", "--email", "c@example.org")
    carol = User.objects.get(username="carol")
    assert carol.check_password("carol-pass-123")
    assert carol.email == "c@example.org"
    assert not carol.is_staff and not carol.is_superuser
    assert "Created user 'carol'" in output


def test_createuser_staff_flag_makes_an_administrator() -> None:
    output = _run("createuser", "dora", "--password", "dora-pass-123", "--staff")
    dora = User.objects.get(username="dora")
    assert dora.is_staff and dora.is_superuser
    assert "Created staff 'dora'" in output


def test_createuser_updates_the_password_of_an_existing_user(alice: Any) -> None:
    output = _run("createuser", "alice", "--password", "a-brand-new-pass-9")
    alice.refresh_from_db()
    assert alice.check_password("a-brand-new-pass-9")
    assert User.objects.filter(username="alice").count() == 1
    assert "Updated the password of user 'alice'" in output


def test_createuser_without_staff_flag_keeps_an_admin_an_admin(staff: Any) -> None:
    _run("createuser", "staff", "--password", "another-pass-456")
    staff.refresh_from_db()
    assert staff.is_staff and staff.check_password("another-pass-456")


@pytest.mark.parametrize("password", ["", "   "])
def test_createuser_refuses_an_empty_password(password: str) -> None:
    with pytest.raises(CommandError, match="must not be empty"):
        _run("createuser", "erin", "--password", password)
    assert not User.objects.filter(username="erin").exists()


def test_createuser_refuses_a_weak_password_and_keeps_the_old_one(alice: Any) -> None:
    with pytest.raises(CommandError, match="Password refused"):
        _run("createuser", "alice", "--password", "short")
    alice.refresh_from_db()
    assert alice.check_password("alice-pass-123")


# --- bootstrap --------------------------------------------------------------------------------


@pytest.fixture
def no_admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)


def _generated_password(output: str) -> str:
    line = next(line for line in output.splitlines() if "password:" in line)
    return line.split("password:", 1)[1].strip(" |")


def test_bootstrap_creates_engine_admin_and_prints_the_password_once(no_admin_env: None) -> None:
    first = _run("bootstrap")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(_generated_password(first))
    assert Engine.objects.filter(is_default=True).count() == 1

    second = _run("bootstrap")
    assert "password:" not in second
    assert User.objects.filter(is_superuser=True).count() == 1
    assert Engine.objects.count() == 1


def test_bootstrap_takes_the_admin_account_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USERNAME", "root")
    monkeypatch.setenv("ADMIN_PASSWORD", "root-pass-from-env")
    output = _run("bootstrap")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.check_password("root-pass-from-env")
    assert "root-pass-from-env" not in output
    assert not User.objects.filter(username="admin").exists()


def test_bootstrap_refuses_a_weak_admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="ADMIN_PASSWORD refused"):
        _run("bootstrap")
    assert not User.objects.filter(is_superuser=True).exists()


def test_bootstrap_leaves_an_existing_superuser_alone(staff: Any, no_admin_env: None) -> None:
    output = _run("bootstrap")
    staff.refresh_from_db()
    assert staff.check_password("staff-pass-123")
    assert not User.objects.filter(username="admin").exists()
    assert "password:" not in output


def test_bootstrap_registers_the_examples_once(no_admin_env: None) -> None:
    _run("bootstrap")
    admin = User.objects.get(username="admin")
    names = set(Algorithm.objects.filter(owner=admin).values_list("name", flat=True))
    assert len(names) >= 2
    _run("bootstrap")
    assert Algorithm.objects.filter(owner=admin).count() == len(names)
