"""The detail views the CLI prints for people (``sweep algorithms show``, ``datasets
show``, ``trials show``, ``jobs best``): a header line, then one indented line per field
that applies, in a fixed order."""

from __future__ import annotations

from typing import Any

import httpx
from sweepconsole import Algorithm, Console, Dataset, Job, Trial
from sweepconsole.cli_output import (
    algorithm_lines,
    best_trial_lines,
    dataset_lines,
    trial_lines,
)


def _never_asked(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the printers read only the JSON they are given: {request.url}")


OFFLINE = Console("http://console.test", "tok", transport=httpx.MockTransport(_never_asked))


def _algorithm(**data: Any) -> Algorithm:
    return Algorithm(OFFLINE, {"id": 3, "name": "mlp", "status": "ready", **data})


def _dataset(**data: Any) -> Dataset:
    return Dataset(OFFLINE, {"id": 5, "name": "digits", "status": "ready", **data})


def _trial(**data: Any) -> Trial:
    return Trial(OFFLINE, {"id": 41, "number": 2, "job": 9, "status": "completed", **data})


def test_an_algorithm_shows_owner_reason_boot_file_and_metric() -> None:
    algorithm = _algorithm(
        status="failed",
        owner="alice",
        status_reason="No main.py in the package.",
        boot_file="main.py",
        metric={"name": "val_loss", "goal": "minimize", "regex": r"loss=([0-9.]+)"},
    )
    assert algorithm_lines(algorithm) == [
        "mlp (id 3) failed",
        "  owner: alice",
        "  reason: No main.py in the package.",
        "  boot file: main.py",
        r"  metric: val_loss (minimize), regex loss=([0-9.]+)",
    ]


def test_an_algorithm_without_owner_reason_or_metric_shows_its_boot_file_only() -> None:
    assert algorithm_lines(_algorithm()) == ["mlp (id 3) ready", "  boot file: None"]


def test_a_ready_uploaded_dataset_shows_its_files_size_and_hash() -> None:
    dataset = _dataset(
        owner="bob",
        description="8x8 digits",
        source="upload",
        original_name="digits.csv",
        file_count=1,
        size=1536,
        content_hash="ab12",
        created_at="2025-01-02T03:04:05.678Z",
    )
    assert dataset_lines(dataset) == [
        "digits (id 5) ready",
        "  owner: bob",
        "  description: 8x8 digits",
        "  uploaded as digits.csv",
        "  1 file(s), 1.5 KB, sha256 ab12",
        "  created: 2025-01-02 03:04:05",
    ]


def test_a_failed_server_folder_dataset_shows_its_reason_and_folder() -> None:
    dataset = _dataset(
        status="failed",
        status_reason="The folder is empty.",
        source="server_path",
        server_path="/data/digits",
    )
    assert dataset_lines(dataset) == [
        "digits (id 5) failed",
        "  reason: The folder is empty.",
        "  from the server folder /data/digits",
        "  created: ",
    ]


def test_a_trial_shows_reason_value_values_command_and_curve() -> None:
    trial = _trial(
        status="early_stopped",
        status_reason="Bandit: below the slack.",
        value=0.25,
        params={"lr": 0.01, "shuffle": False},
        command=["python", "train.py", "--lr=0.01"],
        curve=[0.5, 0.25],
    )
    assert trial_lines(trial) == [
        "Trial #2 (id 41) of job 9: early_stopped",
        "  reason: Bandit: below the slack.",
        "  value: 0.25",
        "  lr = 0.01",
        "  shuffle = false",
        "  command: python train.py --lr=0.01",
        "  curve (2 reports): 0.5, 0.25",
    ]


def test_a_trial_without_a_value_or_curve_says_no_value() -> None:
    assert trial_lines(_trial(status="running")) == [
        "Trial #2 (id 41) of job 9: running",
        "  value: -",
    ]


def test_the_best_trial_shows_the_jobs_metric_and_its_values() -> None:
    job = Job(OFFLINE, {"id": 9, "metric": {"name": "val_loss"}})
    best = _trial(value=0.125, params={"lr": 0.01})
    assert best_trial_lines(job, best) == [
        "Best trial #2 (id 41) of job 9: completed",
        "  val_loss = 0.125",
        "  lr = 0.01",
    ]
    unnamed = Job(OFFLINE, {"id": 9})
    assert best_trial_lines(unnamed, _trial(value=None))[1] == "  value = -"
