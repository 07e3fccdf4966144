"""CLI tables printed to a pipe or a file (stdout not a terminal, as under click's
CliRunner) come out whole: no cell cut to fit 80 columns, none wrapped onto a second line."""

from __future__ import annotations

import io
from typing import Any

import pytest
from click.testing import CliRunner
from sweepconsole.cli import cli
from sweepconsole.cli_common import PIPED_WIDTH, ResultConsole
from sweepconsole.cli_output import jobs_table

from tests.client.fakes import FakeConsole

LONG_NAME = "carol-sgd-diabetes-search-with-a-rather-long-name-nightly"
CREATED = "2026-12-01T00:44:07.123456Z"


def _job(job_id: int, name: str, owner: str) -> dict[str, Any]:
    return {
        "id": job_id,
        "name": name,
        "status": "running",
        "owner": owner,
        "algorithm": 3,
        "algorithm_name": "sgd-diabetes-with-outputs",
        "max_trials": 100,
        "trial_counts": {"completed": 8, "running": 4, "total": 12},
        "best_trial": {"id": 41, "value": 52.123456789},
        "created_at": CREATED,
    }


def _jobs_list(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> str:
    routes = {
        ("GET", "/api/v1/training-jobs/"): {
            "next": None,
            "results": [_job(7, LONG_NAME, "carol"), _job(8, "short", "dave")],
        },
        ("GET", "/api/v1/auth/me/"): {"username": "staff", "is_staff": True},
    }
    fake = FakeConsole(routes)
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["jobs", "list"], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


@pytest.mark.parametrize("env", [{}, {"COLUMNS": "80"}, {"COLUMNS": "40"}])
def test_piped_jobs_list_prints_long_names_and_times_whole(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    out = _jobs_list(monkeypatch, env)
    assert "…" not in out
    rows = {cells[0]: cells for cells in map(_cells, out.splitlines()) if len(cells) == 9}
    assert rows["7"] == [
        "7",
        LONG_NAME,
        "carol",
        "sgd-diabetes-with-outputs (id 3)",
        "running",
        "8/100",
        "4",
        "52.1235",
        "2026-12-01 00:44:07",
    ]
    assert rows["8"][:3] == ["8", "short", "dave"]
    # One line per row: the header, two jobs and the box's rules, nothing wrapped.
    assert len(out.splitlines()) == 6
    assert len(out.splitlines()[0]) > 80


def test_a_terminal_keeps_its_width() -> None:
    terminal = ResultConsole(file=io.StringIO(), force_terminal=True, width=60)
    terminal.print(jobs_table([], owners=False))
    assert terminal.width == 60
    piped = ResultConsole(file=io.StringIO())
    assert piped.width == PIPED_WIDTH
