"""``sweep jobs pause``, ``resume`` and ``extend`` against a live console (real HTTP, a
real web server, real workers running a slow script), and a job with a log range and a
stepped range written as a job file that submits the same search again."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from sweepconsole import Console, RandomParameterSampling, float_range, int_range
from sweepconsole.cli import cli
from sweepconsole.resources import Job

from tests.client.conftest import stop
from tests.support.live import LiveConsole

TIMEOUT = 180

# Reports for a long while unless stopped: a job that is still running when it is paused.
SLOW_SCRIPT = """\
import argparse, time
parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=300)
parser.add_argument("--rate", type=float, default=0.01)
for step in range(parser.parse_args().steps):
    print(f"step {step} loss={1 / (step + 1):.4f}", flush=True)
    time.sleep(0.2)
"""

SPACE = {"rate": float_range(1e-4, 0.1, log=True), "steps": int_range(300, 400, step=50)}


@pytest.fixture(scope="module")
def alice(live: LiveConsole, alice_token: str) -> Iterator[Console]:
    with Console(live.url, alice_token) as console:
        yield console


@pytest.fixture(scope="module")
def slow_algorithm(alice: Console, tmp_path_factory: pytest.TempPathFactory) -> int:
    script = tmp_path_factory.mktemp("slow") / "slow.py"
    script.write_text(SLOW_SCRIPT)
    return alice.create_algorithm(
        script,
        name="slow-actions",
        hyperparameters=[
            {"name": "steps", "type": "int", "default": 300, "min": 1, "max": 1000},
            {"name": "rate", "type": "float", "default": 0.01, "min": 1e-5, "max": 1.0},
        ],
        metric={"name": "loss", "goal": "minimize", "regex": r"loss=([0-9.]+)"},
        search_algorithms=[{"name": "random", "params": {}}],
    ).id


def sweep(alice: Console, *args: str) -> Result:
    """Run the command line as alice in this process (real HTTP all the same)."""
    env = {"SWEEP_URL": alice.session.url, "SWEEP_TOKEN": alice.session.token or ""}
    return CliRunner().invoke(cli, list(args), env=env)


def slow_job(alice: Console, algorithm: int, name: str) -> Job:
    """A job of two slow trials, one at a time, with 20 minutes to run."""
    return alice.submit(
        algorithm=algorithm,
        hyperparameter_sampling=RandomParameterSampling(SPACE, properties={"seed": 3}),
        max_total_runs=2,
        max_concurrent_runs=1,
        max_duration_minutes=20,
        name=name,
    )


def wait_running(job: Job) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not any(t.status == "running" for t in job.trials()):
        assert time.monotonic() < deadline, job.data
        time.sleep(0.3)


def test_cli_pauses_a_running_job_and_resumes_it(alice: Console, slow_algorithm: int) -> None:
    job = slow_job(alice, slow_algorithm, "pause me")
    try:
        wait_running(job)
        paused = sweep(alice, "jobs", "pause", str(job.id))
        assert paused.exit_code == 0, paused.output
        assert paused.stdout == f"Job {job.id} 'pause me' is paused.\n"
        assert alice.get_job(job.id).status == "paused"

        again = sweep(alice, "jobs", "pause", str(job.id))
        assert again.exit_code == 1
        assert "Only a running job can be paused; this one is Paused." in again.stderr
        assert alice.get_job(job.id).status == "paused"

        resumed = sweep(alice, "jobs", "resume", str(job.id), "--json")
        assert resumed.exit_code == 0, resumed.output
        assert json.loads(resumed.stdout)["status"] == "running"
        assert alice.get_job(job.id).status == "running"

        refused = sweep(alice, "jobs", "resume", str(job.id))
        assert refused.exit_code == 1
        assert "Only a paused job can be resumed; this one is Running." in refused.stderr
    finally:
        stop(job)


def test_cli_extends_a_job_and_a_refused_extend_says_why_on_its_field(
    alice: Console, slow_algorithm: int
) -> None:
    job = slow_job(alice, slow_algorithm, "extend me")
    try:
        extended = sweep(alice, "jobs", "extend", str(job.id), "--max-trials", "4", "--json")
        assert extended.exit_code == 0, extended.output
        assert json.loads(extended.stdout)["max_trials"] == 4

        longer = sweep(alice, "jobs", "extend", str(job.id), "--max-duration-minutes", "30")
        assert longer.exit_code == 0, longer.output
        shown = f"Job {job.id} 'extend me' is running: up to 4 trials in 30 minutes.\n"
        assert longer.stdout == shown
        stored = alice.get_job(job.id).data
        assert (stored["max_trials"], stored["max_duration_minutes"]) == (4, 30)

        refused = sweep(alice, "jobs", "extend", str(job.id), "--max-trials", "4")
        assert refused.exit_code == 1
        assert refused.stderr == (
            "Error: The console refused the request:\n"
            "  max_trials: Max trials must be more than the 4 already allowed, got 4.\n"
        )
        assert alice.get_job(job.id).data["max_trials"] == 4

        nothing = sweep(alice, "jobs", "extend", str(job.id))
        assert nothing.exit_code == 2
        assert "Give --max-trials, --max-duration-minutes or both." in nothing.stderr
    finally:
        stop(job)


def test_job_with_log_and_stepped_ranges_writes_a_file_that_submits_the_same_search(
    alice: Console, slow_algorithm: int, tmp_path: Path
) -> None:
    job = slow_job(alice, slow_algorithm, "ranges")
    stop(job)
    exported = sweep(alice, "jobs", "show", str(job.id), "--as-yaml")
    assert exported.exit_code == 0, exported.output
    text = exported.stdout
    assert yaml.safe_load(text)["search_space"] == {
        "steps": {"type": "int", "low": 300, "high": 400, "step": 50},
        "rate": {"type": "float", "low": 0.0001, "high": 0.1, "log": True},
    }
    assert "step: null" not in text and "log: false" not in text

    job_file = tmp_path / "again.yaml"
    job_file.write_text(text)
    submitted = sweep(alice, "jobs", "submit", str(job_file), "--json")
    assert submitted.exit_code == 0, submitted.output
    again = alice.get_job(json.loads(submitted.stdout)["id"])
    stop(again)
    for key in ("search_space", "search_algorithms", "max_trials", "max_concurrent", "seed"):
        assert again.data[key] == job.data[key], key
