"""An algorithm folder's algorithm.json reaches a live console whole: the example's
``accepts_data_urls``, ``argument_style`` and ``bool_style`` are stored, and a job file's
``algorithm: {path: ...}`` uploads them too, so the trial gets --train_url (written in the
folder's argument style) and saves its outputs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sweepconsole import Console
from sweepconsole.jobfile import load_job_file

from tests.client.conftest import EXAMPLE
from tests.support.live import LiveConsole

TIMEOUT = 180


@pytest.fixture(scope="module")
def alice(live: LiveConsole, alice_token: str) -> Iterator[Console]:
    with Console(live.url, alice_token) as console:
        yield console


def test_example_folder_registers_data_urls_and_argument_styles(alice: Console) -> None:
    algorithm = alice.create_algorithm(EXAMPLE, name="diabetes-fields")
    stored = alice.get_algorithm(algorithm.id).data
    assert algorithm.status == "ready"
    assert stored["accepts_data_urls"] is True
    assert stored["argument_style"] == "equals"
    assert stored["bool_style"] == "true_false"


def test_job_file_upload_keeps_the_fields_and_the_trial_saves_its_outputs(
    alice: Console, tmp_path: Path
) -> None:
    # A copy whose algorithm.json asks for the non-default styles, so each one shows.
    folder = tmp_path / "sgd"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = json.loads((folder / "algorithm.json").read_text())
    spec.update(name="diabetes-spaced", argument_style="space", bool_style="one_zero")
    (folder / "algorithm.json").write_text(json.dumps(spec))
    (tmp_path / "job.yaml").write_text(
        "name: spaced single run\n"
        "algorithm: {path: sgd}\n"
        "fixed: {iterations: 5, standardize: true}\n"
    )
    job = load_job_file(tmp_path / "job.yaml").submit(alice)
    algorithm = alice.get_algorithm(job.data["algorithm"]).data
    assert algorithm["name"] == "diabetes-spaced"
    assert (algorithm["accepts_data_urls"], algorithm["argument_style"]) == (True, "space")
    assert algorithm["bool_style"] == "one_zero"

    job.wait_for_completion(show_output=False, timeout=TIMEOUT, poll=0.5)
    assert job.status == "completed", job.data
    trial = job.trials()[0]
    command = alice.get_trial(trial.id).data["command"]
    text = command if isinstance(command, str) else " ".join(command)
    assert "--standardize 1" in text and "--train_url " in text, text
    assert sorted(item["path"] for item in trial.outputs()) == ["metrics.json", "model.pkl"]
