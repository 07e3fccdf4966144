"""``sweep jobs list`` counts trials ended as the pages do, and ``sweep jobs watch`` shows
the job's own running time, not the watcher's clock."""

from __future__ import annotations

import io
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console as RichConsole
from sweepconsole.cli import cli
from sweepconsole.progress import watch
from sweepconsole.resources import Job

from tests.client.fakes import FakeConsole


def _job(job_id: int, status: str, counts: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "name": f"job {job_id}",
        "status": status,
        "owner": "alice",
        "algorithm": 3,
        "algorithm_name": "sgd",
        "max_trials": 6,
        "trial_counts": {**counts, "total": sum(counts.values())},
        "best_trial": None,
        "created_at": "2026-12-01T00:44:07Z",
        **extra,
    }


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


def test_jobs_list_counts_ended_trials_without_running_canceled_or_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routes = {
        ("GET", "/api/v1/training-jobs/"): {
            "next": None,
            "results": [
                _job(1, "running", {"running": 2}),
                _job(2, "canceled", {"completed": 1, "canceled": 2}),
                _job(3, "completed", {"completed": 3, "failed": 1, "early_stopped": 1, "lost": 1}),
            ],
        },
        ("GET", "/api/v1/auth/me/"): {"username": "alice", "is_staff": False},
    }
    fake = FakeConsole(routes)
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["jobs", "list"])
    assert result.exit_code == 0, result.output
    lines = [_cells(line) for line in result.stdout.splitlines()]
    header = next(cells for cells in lines if cells[0] == "id")
    column = header.index("ended")
    rows = {cells[0]: cells[column] for cells in lines if len(cells) == len(header)}
    assert (rows["1"], rows["2"], rows["3"]) == ("0/6", "1/6", "5/6")


def _watched(data: dict[str, Any]) -> str:
    fake = FakeConsole({("GET", "/api/v1/training-jobs/5/"): data})
    screen = io.StringIO()
    watch(Job(fake.console(), {"id": 5}), poll=0, out=RichConsole(file=screen, width=200))
    return screen.getvalue()


def test_watch_shows_the_jobs_running_time_and_trials_ended() -> None:
    counts = {"completed": 2, "canceled": 3}
    shown = _watched(_job(5, "canceled", counts, run_seconds=3725.4))
    bar = shown.splitlines()[0]
    assert "1:02:05" in bar
    assert "0:00:00" not in bar
    assert "2/2" in bar
