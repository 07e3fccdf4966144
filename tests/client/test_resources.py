"""Jobs, trials and job-file submission over a mocked HTTP exchange (httpx's MockTransport):
the requests the client sends and what it makes of the answers."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sweepconsole import (
    BanditPolicy,
    ConsoleError,
    HyperDriveConfig,
    RandomParameterSampling,
    choice,
)
from sweepconsole.cli import cli
from sweepconsole.jobfile import JobFileError, load_job_file

from tests.client.fakes import FakeConsole

ALGORITHM = {"id": 3, "name": "sgd-diabetes", "status": "ready"}


def _accepting_jobs() -> FakeConsole:
    """A console holding ALGORITHM that accepts any job (as job 9)."""
    return FakeConsole(
        {
            ("GET", "/api/v1/algorithms/3/"): ALGORITHM,
            ("POST", "/api/v1/training-jobs/"): {"id": 9, "name": "hd", "status": "running"},
        }
    )


def test_hyperdrive_config_is_submitted_as_the_create_shape() -> None:
    fake = _accepting_jobs()
    config = HyperDriveConfig(
        hyperparameter_sampling=RandomParameterSampling({"penalty": choice("l1", "l2")}),
        policy=BanditPolicy(slack_amount=2.0),
        primary_metric_name="val_rmse",
        primary_metric_goal="minimize",
        max_total_runs=4,
        max_concurrent_runs=2,
        run_config=object(),  # HyperDrive's; the console runs the algorithm's own script
    )
    job = fake.console().submit(config, algorithm=3, name="hd")
    assert (job.id, job.status) == (9, "running")
    method, path, body = fake.sent[-1]
    assert (method, path) == ("POST", "/api/v1/training-jobs/")
    assert body == {
        "name": "hd",
        "algorithm": 3,
        "search_space": {"penalty": {"type": "choice", "values": ["l1", "l2"]}},
        "search_algorithms": [{"name": "random", "params": {}}],
        "policy": {
            "name": "bandit",
            "evaluation_interval": 1,
            "slack_amount": 2.0,
            "delay_evaluation": 0,
        },
        "metric": {"name": "val_rmse", "goal": "minimize"},
        "max_trials": 4,
        "max_concurrent": 2,
    }


def test_submit_keywords_win_over_the_config_and_every_field_reaches_the_body() -> None:
    fake = _accepting_jobs()
    config = HyperDriveConfig(
        hyperparameter_sampling=RandomParameterSampling({"penalty": choice("l1", "l2")}),
        primary_metric_name="val_rmse",
        max_total_runs=4,
    )
    fake.console().submit(
        config,
        algorithm=3,
        max_total_runs=6,
        fixed={"alpha": 0.5},
        omit=["standardize"],
        name="hd",
        description="more runs",
        objective="best",
        metric_regex=r"rmse=([0-9.]+)",
        trial_timeout_minutes=3,
        max_failed=2,
        seed=5,
        environment={"MODE": "fast"},
    )
    body = fake.sent[-1][2]
    assert body == {
        "name": "hd",
        "algorithm": 3,
        "description": "more runs",
        "hyperparameters": {"alpha": 0.5},
        "omit": ["standardize"],
        "search_space": {"penalty": {"type": "choice", "values": ["l1", "l2"]}},
        "search_algorithms": [{"name": "random", "params": {}}],
        "metric": {"name": "val_rmse", "regex": r"rmse=([0-9.]+)"},
        "objective": "best",
        "max_trials": 6,
        "trial_timeout_minutes": 3,
        "max_failed": 2,
        "seed": 5,
        "environment": {"MODE": "fast"},
    }


def test_best_run_is_the_jobs_best_trial() -> None:
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/9/"): {
                "id": 9,
                "status": "completed",
                "metric": {"name": "loss", "goal": "minimize"},
                "best_trial": {"id": 41, "number": 2, "params": {"x": 1}, "value": 0.1},
            },
            ("GET", "/api/v1/trials/41/"): {
                "id": 41,
                "number": 2,
                "params": {"x": 1},
                "value": 0.1,
                "status": "completed",
                "curve": [0.5, 0.1],
                "log_tail": "loss=0.5\nloss=0.1",
            },
        }
    )
    best = fake.console().get_job(9).get_best_run_by_primary_metric()
    assert best is not None
    assert (best.id, best.params, best.value) == (41, {"x": 1}, 0.1)
    assert best.metrics() == [0.5, 0.1]
    assert best.log() == "loss=0.5\nloss=0.1"


def test_without_a_best_trial_the_best_value_wins_among_completed_and_stopped() -> None:
    trials = [
        {"id": 1, "status": "completed", "value": 0.3, "params": {}},
        {"id": 2, "status": "early_stopped", "value": 0.2, "params": {}},
        {"id": 3, "status": "completed", "value": None, "params": {}},  # NaN is stored as null
        {"id": 4, "status": "failed", "value": None, "params": {}},
    ]
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/9/"): {
                "id": 9,
                "status": "completed",
                "metric": {"name": "loss", "goal": "minimize"},
                "best_trial": None,
            },
            ("GET", "/api/v1/training-jobs/9/trials/"): {"next": None, "results": trials},
            ("GET", "/api/v1/trials/2/"): trials[1],
        }
    )
    best = fake.console().get_job(9).get_best_run_by_primary_metric()
    assert best is not None and best.id == 2


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_outputs_download_unpacks_the_zip(tmp_path: Path) -> None:
    archive = _zip({"model.pkl": b"weights", "logs/metrics.json": b"{}"})
    fake = FakeConsole(
        {
            ("GET", "/api/v1/trials/5/"): {"id": 5, "status": "completed"},
            ("GET", "/api/v1/trials/5/outputs.zip"): httpx.Response(200, content=archive),
        }
    )
    files = fake.console().get_trial(5).download_outputs(tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == [
        "logs/metrics.json",
        "model.pkl",
    ]
    assert (tmp_path / "out" / "model.pkl").read_bytes() == b"weights"


def test_outputs_download_refuses_paths_leaving_the_folder(tmp_path: Path) -> None:
    fake = FakeConsole(
        {
            ("GET", "/api/v1/trials/5/"): {"id": 5, "status": "completed"},
            ("GET", "/api/v1/trials/5/outputs.zip"): httpx.Response(
                200, content=_zip({"../escape.txt": b"x"})
            ),
        }
    )
    with pytest.raises(ConsoleError, match="unsafe path"):
        fake.console().get_trial(5).download_outputs(tmp_path / "out")
    assert not (tmp_path / "escape.txt").exists()


def test_job_file_uploads_its_algorithm_or_reuses_a_ready_one(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print('loss=0.1')\n")
    job_file = tmp_path / "job.yaml"
    job_file.write_text(
        "name: upload\nalgorithm:\n  path: train.py\n  name: tiny\n"
        "  metric: {name: loss, goal: minimize, regex: 'loss=([0-9.]+)'}\n"
    )
    created = {"id": 7, "name": "tiny", "status": "ready"}
    fake = FakeConsole(
        {
            ("GET", "/api/v1/algorithms/"): {"next": None, "results": []},
            ("POST", "/api/v1/algorithms/"): httpx.Response(201, json=created),
            ("POST", "/api/v1/training-jobs/"): {"id": 1, "name": "upload", "status": "running"},
        }
    )
    load_job_file(job_file).submit(fake.console())
    assert [(m, p) for m, p, _ in fake.sent] == [
        ("GET", "/api/v1/algorithms/"),
        ("POST", "/api/v1/algorithms/"),
        ("POST", "/api/v1/training-jobs/"),
    ]
    assert fake.sent[-1][2] == {"name": "upload", "algorithm": 7}

    # Once it exists and is ready, the same file reuses it instead of uploading again.
    fake.routes[("GET", "/api/v1/algorithms/")] = {"next": None, "results": [created]}
    fake.sent.clear()
    load_job_file(job_file).submit(fake.console())
    assert ("POST", "/api/v1/algorithms/") not in [(m, p) for m, p, _ in fake.sent]


def test_refused_upload_names_the_algorithm_fields_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("x = 1\n")
    job_file = tmp_path / "job.yaml"
    job_file.write_text("name: upload\nalgorithm:\n  path: train.py\n  name: 'bad name!'\n")
    refusal = {"name": ["Use letters, digits, - and _ only."]}
    fake = FakeConsole(
        {
            ("GET", "/api/v1/algorithms/"): {"next": None, "results": []},
            ("POST", "/api/v1/algorithms/"): httpx.Response(400, json=refusal),
        }
    )
    with pytest.raises(JobFileError) as caught:
        load_job_file(job_file).submit(fake.console())
    assert [(p.field, p.line) for p in caught.value.problems] == [("algorithm.name", 4)]
    assert ("POST", "/api/v1/training-jobs/") not in [(m, p) for m, p, _ in fake.sent]


def test_dry_run_prints_the_request_and_sends_nothing(tmp_path: Path) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text(
        "name: dry\nalgorithm: sgd-diabetes\nsearch_space:\n  eta0: uniform(0.001, 0.1)\n"
    )
    result = CliRunner().invoke(
        cli, ["--url", "http://127.0.0.1:9", "jobs", "submit", str(job_file), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "name": "dry",
        "search_space": {"eta0": {"type": "uniform", "low": 0.001, "high": 0.1}},
        "algorithm": "sgd-diabetes",
    }
    assert "nothing submitted" in result.stderr


def test_trials_to_pandas_one_row_per_trial_or_says_to_install_pandas() -> None:
    trials = [
        {"id": 1, "number": 1, "status": "completed", "value": 0.3, "params": {"x": 1}},
        {"id": 2, "number": 2, "status": "failed", "value": None, "params": {"x": 2}},
    ]
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/9/"): {"id": 9, "status": "completed"},
            ("GET", "/api/v1/training-jobs/9/trials/"): {"next": None, "results": trials},
        }
    )
    listed = fake.console().get_job(9).trials()
    assert [t.id for t in listed] == [1, 2]
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            listed.to_pandas()
        return
    frame = listed.to_pandas()
    assert list(frame["id"]) == [1, 2] and list(frame["param_x"]) == [1, 2]


def test_children_sorted_by_primary_metric_as_hyperdrive_gives_them() -> None:
    trials = [
        {"id": 1, "status": "completed", "value": 0.3, "params": {"x": 1}},
        {"id": 2, "status": "failed", "value": None, "params": {"x": 2}},
        {"id": 3, "status": "early_stopped", "value": 0.1, "params": {"x": 3}},
    ]
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/9/"): {
                "id": 9,
                "status": "completed",
                "metric": {"name": "loss", "goal": "minimize"},
            },
            ("GET", "/api/v1/training-jobs/9/trials/"): {"next": None, "results": trials},
        }
    )
    job = fake.console().get_job(9)
    rows = job.get_children_sorted_by_primary_metric()
    assert [row["run_id"] for row in rows] == [3, 1, 2]
    assert rows[0] == {
        "run_id": 3,
        "hyperparameters": {"x": 3},
        "best_primary_metric": 0.1,
        "status": "early_stopped",
    }
    assert [row["run_id"] for row in job.get_children_sorted_by_primary_metric(top=1)] == [3]


def test_cli_tables_print_values_as_text_never_as_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    regex = r"loss=([0-9.]+(?:[eE][-+]?\d+)?)"
    algorithm = {
        **ALGORITHM,
        "boot_file": "train.py",
        "metric": {"name": "loss", "goal": "minimize", "regex": regex},
        "hyperparameters": [{"name": "opt", "type": "str", "choices": ["[bold]x", "y"]}],
    }
    fake = FakeConsole({("GET", "/api/v1/algorithms/3/"): algorithm})
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["algorithms", "show", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert regex in result.stdout
    assert "[bold]x, y" in result.stdout
