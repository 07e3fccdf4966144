"""A job file's dataset and environment against a live console: a job file names a dataset
and environment variables, its trial reads that data and sees those variables, the job
writes back (``sweep jobs show --as-yaml``) as a file that submits the same job again, and
every refusal names the file's field and line. The CLI's tables and details follow one
formatting rule here too (tests/client/test_formatting.py has the rule itself)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from sweepconsole import Console, Dataset
from sweepconsole.cli import cli

from tests.client.conftest import ALGORITHM, stop
from tests.support.live import USERS, LiveConsole

TIMEOUT = 180
ROWS = 40

# Reads the job's dataset (DATA_URL: the file itself, for a one-file dataset) and one of
# its environment variables; its value is the rows it read, scaled.
DATA_SCRIPT = """\
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=float, default=1.0)
scale = parser.parse_args().scale
rows = open(os.environ["DATA_URL"]).read().splitlines()
print(f"label={os.environ.get('RUN_LABEL')}")
print(f"rows={len(rows) * scale}")
"""


def _csv() -> str:
    return "".join(f"{i},{2 * i + 1}\n" for i in range(ROWS))


def sweep(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={**env, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def alice(live: LiveConsole, alice_token: str) -> Iterator[Console]:
    with Console(live.url, alice_token) as console:
        yield console


@pytest.fixture(scope="module")
def dataset(alice: Console, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = tmp_path_factory.mktemp("data") / "rows.csv"
    path.write_text(_csv())
    return alice.create_dataset(path, name="rows-csv", description="40 rows")


@pytest.fixture(scope="module")
def data_algorithm(alice: Console, tmp_path_factory: pytest.TempPathFactory) -> int:
    script = tmp_path_factory.mktemp("code") / "read_data.py"
    script.write_text(DATA_SCRIPT)
    algorithm = alice.create_algorithm(
        script,
        name="read-data",
        hyperparameters=[{"name": "scale", "type": "float", "default": 1.0, "min": 0, "max": 2}],
        metric={"name": "rows", "goal": "maximize", "regex": r"rows=([0-9.]+)"},
        search_algorithms=[{"name": "random", "params": {}}],
    )
    return algorithm.id


def _env(live: LiveConsole, token: str) -> dict[str, str]:
    return {"SWEEP_URL": live.url, "SWEEP_TOKEN": token}


JOB_FILE = """\
name: read the rows
algorithm: read-data
dataset: rows-csv
fixed:
  scale: 0.5
environment:
  RUN_LABEL: "from the file"
  OMP_NUM_THREADS: 1
"""


def test_job_file_dataset_and_environment_reach_the_trial_and_write_back(
    live: LiveConsole,
    alice: Console,
    alice_token: str,
    dataset: Dataset,
    data_algorithm: int,
    tmp_path: Path,
) -> None:
    assert (dataset.status, dataset.data["file_count"]) == ("ready", 1)
    env = _env(live, alice_token)
    job_file = tmp_path / "job.yaml"
    job_file.write_text(JOB_FILE)
    submitted = sweep(env, "jobs", "submit", str(job_file), "--json")
    assert submitted.exit_code == 0, submitted.output
    created = json.loads(submitted.stdout)
    assert (created["algorithm"], created["dataset"]) == (data_algorithm, dataset.id)
    assert created["environment"] == {"RUN_LABEL": "from the file", "OMP_NUM_THREADS": "1"}

    job = alice.get_job(created["id"])
    job.wait_for_completion(show_output=False, timeout=TIMEOUT, poll=0.3)
    assert job.status == "completed", job.data
    trial = job.get_best_run_by_primary_metric()
    assert trial is not None
    # The script read the dataset's 40 rows and saw the variable.
    assert trial.value == ROWS * 0.5
    assert "label=from the file" in trial.log()

    exported = sweep(env, "jobs", "show", str(job.id), "--as-yaml")
    assert exported.exit_code == 0, exported.output
    written = yaml.safe_load(exported.stdout)
    assert written["dataset"] == "rows-csv"  # by name: it means this dataset for alice
    assert written["environment"] == {"RUN_LABEL": "from the file", "OMP_NUM_THREADS": "1"}

    again = tmp_path / "again.yaml"
    again.write_text(exported.stdout)
    resubmitted = sweep(env, "jobs", "submit", str(again), "--json")
    assert resubmitted.exit_code == 0, resubmitted.output
    second = json.loads(resubmitted.stdout)
    for key in ("algorithm", "dataset", "environment", "hyperparameters"):
        assert second[key] == created[key], key
    stop(alice.get_job(second["id"]))


def test_python_submit_takes_a_dataset_by_name_and_an_environment(
    alice: Console, dataset: Dataset, data_algorithm: int
) -> None:
    job = alice.submit(
        algorithm="read-data",
        dataset="rows-csv",
        environment={"RUN_LABEL": "python"},
        fixed={"scale": 1.0},
        name="python with data",
    )
    assert (job.data["dataset"], job.data["environment"]) == (dataset.id, {"RUN_LABEL": "python"})
    stop(job)


def _refused(env: dict[str, str], job_file: Path, text: str) -> str:
    job_file.write_text(textwrap.dedent(text))
    result = sweep(env, "jobs", "submit", str(job_file))
    assert result.exit_code == 1, result.output
    assert "Nothing was submitted." in result.stderr
    return result.stderr


def test_a_missing_or_foreign_dataset_is_named_on_its_line_and_nothing_is_sent(
    live: LiveConsole,
    alice: Console,
    alice_token: str,
    dataset: Dataset,
    data_algorithm: int,
    tmp_path: Path,
) -> None:
    before = len(alice.jobs())
    job_file = tmp_path / "job.yaml"
    stderr = _refused(
        _env(live, alice_token), job_file, JOB_FILE.replace("rows-csv", "no-such-data")
    )
    assert f"{job_file}:3: dataset: no dataset 'no-such-data' was found (yours: rows-csv)" in (
        stderr
    )

    # Bob cannot use alice's dataset, even by its id: it reads as unknown to him.
    bob_token = Console.get_token(live.url, "bob", USERS["bob"])
    stderr = _refused(
        _env(live, bob_token),
        job_file,
        f"name: borrowed\nalgorithm: {ALGORITHM}\ndataset: {dataset.id}\n",
    )
    assert f"{job_file}:3: dataset: no dataset {dataset.id} was found (yours: none)" in stderr
    assert len(alice.jobs()) == before


def test_an_environment_variable_the_console_refuses_is_named_on_its_line(
    live: LiveConsole, alice: Console, alice_token: str, data_algorithm: int, tmp_path: Path
) -> None:
    before = len(alice.jobs())
    job_file = tmp_path / "job.yaml"
    # Not a POSIX name: the console judges that (a reserved name is refused before sending).
    text = JOB_FILE.replace("dataset: rows-csv\n", "").replace("OMP_NUM_THREADS", "OMP-THREADS")
    stderr = _refused(_env(live, alice_token), job_file, text)
    assert f"{job_file}:7: environment.OMP-THREADS: A name is letters, digits" in stderr
    assert len(alice.jobs()) == before


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


def test_cli_tables_format_booleans_and_floats_by_one_rule(
    live: LiveConsole, alice_token: str, algorithm_id: int
) -> None:
    shown = sweep(_env(live, alice_token), "algorithms", "show", ALGORITHM)
    assert shown.exit_code == 0, shown.output
    rows = {c[0]: c for c in map(_cells, shown.stdout.splitlines()) if len(c) == 7}
    # examples/sgd_diabetes/algorithm.json: a bool row and floats down to 1e-06.
    assert rows["standardize"] == ["standardize", "bool", "true", "-", "-", "", "false"]
    assert rows["alpha"] == ["alpha", "float", "0.0001", "1e-06", "1", "", "false"]
    assert rows["penalty"][5] == "l2, l1, elasticnet"


TPE_JOB_FILE = f"""\
name: tpe written back
algorithm: {ALGORITHM}
fixed:
  iterations: 5
search_space:
  eta0: loguniform(-6.9, -3.0)
sampling:
  name: tpe
  params: {{gamma: 0.2}}
policy: POLICY
max_total_runs: 2
max_concurrent_runs: 1
"""


@pytest.mark.parametrize(
    ("policy", "kept"),
    [
        # HyperDrive's median delay is 5 (this client's), so 2 is written; min_comparators
        # is at the console's default (its policy list says so): left out.
        ("{name: median_stopping, delay_evaluation: 2}", {"delay_evaluation": 2}),
        # A non-default parameter this client has no keyword for is kept.
        (
            "{name: bandit, slack_factor: 0.1, min_comparators: 2}",
            {"slack_factor": 0.1, "min_comparators": 2},
        ),
    ],
)
def test_a_written_job_file_keeps_only_non_default_parameters_and_submits_the_same_job(
    live: LiveConsole,
    alice: Console,
    alice_token: str,
    algorithm_id: int,
    tmp_path: Path,
    policy: str,
    kept: dict[str, object],
) -> None:
    env = _env(live, alice_token)
    job_file = tmp_path / "job.yaml"
    job_file.write_text(TPE_JOB_FILE.replace("POLICY", policy))
    submitted = sweep(env, "jobs", "submit", str(job_file), "--json")
    assert submitted.exit_code == 0, submitted.output
    created = json.loads(submitted.stdout)
    stop(alice.get_job(created["id"]))
    # The console stores all eight TPE parameters and every option of the policy.
    assert len(created["search_algorithms"][0]["params"]) == 8
    assert created["policy"]["evaluation_interval"] == 1
    assert "min_comparators" in created["policy"]

    exported = sweep(env, "jobs", "show", str(created["id"]), "--as-yaml")
    assert exported.exit_code == 0, exported.output
    written = yaml.safe_load(exported.stdout)
    assert written["sampling"] == [{"name": "tpe", "params": {"gamma": 0.2}}]
    assert written["policy"] == {"name": created["policy"]["name"], **kept}

    again = tmp_path / "again.yaml"
    again.write_text(exported.stdout)
    resubmitted = sweep(env, "jobs", "submit", str(again), "--json")
    assert resubmitted.exit_code == 0, resubmitted.output
    second = json.loads(resubmitted.stdout)
    stop(alice.get_job(second["id"]))
    for key in ("algorithm", "search_space", "search_algorithms", "policy", "hyperparameters"):
        assert second[key] == created[key], key
