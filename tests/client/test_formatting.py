"""One rule for every value the CLI prints for people: booleans true/false, floats to six
significant digits, no value as "-", the same in tables, detail views and summaries.
tests/client/test_live_jobfile_data.py checks the same against a live console."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sweepconsole.cli import cli
from sweepconsole.formatting import format_size, format_value

from tests.client.fakes import FakeConsole


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (1234567890, "1234567890"),  # integers are never rounded
        (0.1 + 0.2, "0.3"),
        (2.0, "2"),
        (1 / 3, "0.333333"),
        (123456.789, "123457"),
        (1234567.0, "1.23457e+06"),
        (1e-6, "1e-06"),
        (-0.000123456789, "-0.000123457"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (float("nan"), "nan"),
        ("-inf", "-inf"),  # how the REST API sends an infinity
        ("l2", "l2"),
        ([16, 32.0, True, None], "16, 32, true, -"),
        ({"lr": 0.0123456789, "relu": False}, "lr=0.0123457, relu=false"),
    ],
)
def test_format_value_writes_each_kind_by_one_rule(value: Any, text: str) -> None:
    assert format_value(value) == text


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


def _run(monkeypatch: pytest.MonkeyPatch, routes: dict[tuple[str, str], Any], *args: str) -> str:
    fake = FakeConsole(routes)
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


ALGORITHM = {
    "id": 3,
    "name": "mlp",
    "status": "ready",
    "owner": "alice",
    "boot_file": "train.py",
    "metric": {"name": "loss", "goal": "minimize", "regex": "loss=([0-9.]+)"},
    "hyperparameters": [
        {"name": "lr", "type": "float", "default": 0.1 + 0.2, "min": 1e-6, "max": 1.0},
        {"name": "shuffle", "type": "bool", "default": False, "required": True},
        {"name": "width", "type": "choice", "choices": [0.5, 1.0, True], "required": False},
    ],
}


def test_algorithm_table_writes_booleans_and_floats_by_the_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _run(
        monkeypatch, {("GET", "/api/v1/algorithms/3/"): ALGORITHM}, "algorithms", "show", "3"
    )
    rows = {cells[0]: cells for cells in map(_cells, out.splitlines()) if len(cells) == 7}
    assert rows["lr"] == ["lr", "float", "0.3", "1e-06", "1", "", "false"]
    assert rows["shuffle"] == ["shuffle", "bool", "false", "-", "-", "", "true"]
    assert rows["width"] == ["width", "choice", "-", "-", "-", "0.5, 1, true", "false"]


TRIAL = {
    "id": 41,
    "number": 2,
    "job": 9,
    "status": "completed",
    "value": 0.123456789,
    "params": {"lr": 0.000123456789, "shuffle": True, "layers": 3},
    "curve": [0.5, None, "inf", 0.123456789],
    "command": ["python", "train.py", "--lr=0.000123456789"],
}


def test_trial_details_and_the_job_table_agree_with_the_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _run(monkeypatch, {("GET", "/api/v1/trials/41/"): TRIAL}, "trials", "show", "41")
    assert out.splitlines()[1:5] == [
        "  value: 0.123457",
        "  lr = 0.000123457",
        "  shuffle = true",
        "  layers = 3",
    ]
    assert "  curve (4 reports): 0.5, -, inf, 0.123457" in out
    assert "--lr=0.000123456789" in out  # a command line is shown as it ran

    job = {
        "id": 9,
        "name": "search",
        "status": "completed",
        "owner": "alice",
        "algorithm": 3,
        "algorithm_name": "mlp",
        "max_trials": 4,
        "trial_counts": {"completed": 4, "total": 4, "running": 0},
        "best_trial": {"id": 41, "value": 0.123456789},
    }
    routes = {
        ("GET", "/api/v1/training-jobs/"): {"next": None, "results": [job]},
        ("GET", "/api/v1/auth/me/"): {"username": "alice", "is_staff": False},
    }
    rows = [_cells(line) for line in _run(monkeypatch, routes, "jobs", "list").splitlines()]
    assert ["9", "search", "mlp", "completed", "4/4", "0", "0.123457"] in [r[:7] for r in rows]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, "-"),
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (5 * 1024**2, "5 MB"),
        (int(1.26 * 1024**3), "1.3 GB"),
    ],
)
def test_a_size_is_written_as_the_pages_write_it(size: Any, text: str) -> None:
    assert format_size(size) == text


def test_times_read_as_the_pages_write_them() -> None:
    from sweepconsole.formatting import format_time

    assert format_time("2026-12-01T02:00:56.123456Z") == "2026-12-01 02:00:56"
    assert format_time("2026-12-01T02:00:56+00:00") == "2026-12-01 02:00:56"
    assert format_time(None) == ""
