"""Job files: every bad input named by its field and YAML line, all at once, nothing sent;
a good file becomes the REST API's create body; a job exports back to a file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sweepconsole import environment_names
from sweepconsole.cli import cli
from sweepconsole.jobfile import (
    JobFile,
    JobFileError,
    dump_document,
    job_to_document,
    load_job_file,
)
from sweepconsole.resources import Job

GOOD = """\
name: diabetes search
algorithm: sgd-diabetes
fixed:
  iterations: 5
omit: [standardize]
search_space:
  eta0: loguniform(-6.9, -2.3)
  penalty: [l2, l1]
  alpha: {type: float, low: 1.0e-6, high: 1.0e-2, log: true}
sampling:
  name: random
  params: {seed: 3}
policy:
  name: bandit
  slack_factor: 0.2
  evaluation_interval: 1
  delay_evaluation: 2
metric: {name: val_rmse, goal: minimize}
objective: last
max_total_runs: 6
max_concurrent_runs: 2
max_duration_minutes: 10
"""


def load(text: str, tmp_path: Path) -> JobFile:
    path = tmp_path / "job.yaml"
    path.write_text(textwrap.dedent(text))
    return load_job_file(path)


def problems(text: str, tmp_path: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(JobFileError) as caught:
        load(text, tmp_path)
    return [(p.field, p.line, p.message) for p in caught.value.problems]


def test_good_job_file_becomes_the_create_body(tmp_path: Path) -> None:
    job = load(GOOD, tmp_path)
    assert job.body == {
        "name": "diabetes search",
        "hyperparameters": {"iterations": 5},
        "omit": ["standardize"],
        "search_space": {
            "eta0": {"type": "loguniform", "low": -6.9, "high": -2.3},
            "penalty": {"type": "choice", "values": ["l2", "l1"]},
            "alpha": {"type": "float", "low": 1e-6, "high": 1e-2, "log": True, "step": None},
        },
        "search_algorithms": [{"name": "random", "params": {"seed": 3}}],
        "policy": {
            "name": "bandit",
            "evaluation_interval": 1,
            "slack_factor": 0.2,
            "delay_evaluation": 2,
        },
        "metric": {"name": "val_rmse", "goal": "minimize"},
        "objective": "last",
        "max_trials": 6,
        "max_concurrent": 2,
        "max_duration_minutes": 10,
    }


def test_unknown_distribution_names_field_and_line(tmp_path: Path) -> None:
    found = problems(GOOD.replace("loguniform(-6.9, -2.3)", "logunifrom(-6.9, -2.3)"), tmp_path)
    assert found == [
        (
            "search_space.eta0",
            7,
            "unknown distribution 'logunifrom' (known: choice, randint, uniform, quniform, "
            "loguniform, qloguniform, normal, qnormal, lognormal, qlognormal, float_range, "
            "int_range)",
        )
    ]


def test_loguniform_with_high_below_low_names_field_line_and_values(tmp_path: Path) -> None:
    found = problems(GOOD.replace("loguniform(-6.9, -2.3)", "loguniform(-2.3, -6.9)"), tmp_path)
    assert found == [
        ("search_space.eta0", 7, "loguniform: low must be < high, got low=-2.3, high=-6.9")
    ]


def test_unknown_policy_names_field_and_line(tmp_path: Path) -> None:
    found = problems(GOOD.replace("name: bandit", "name: hyperband"), tmp_path)
    assert len(found) == 1
    field, line, message = found[0]
    assert (field, line) == ("policy.name", 14)
    assert "unknown early-termination policy 'hyperband'" in message and "bandit" in message


def test_slack_factor_and_slack_amount_together_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("slack_factor: 0.2", "slack_factor: 0.2\n  slack_amount: 0.5")
    found = problems(text, tmp_path)
    assert len(found) == 1
    field, line, message = found[0]
    assert (field, line) == ("policy", 13)
    assert "give exactly one of slack_factor and slack_amount" in message


def test_policy_parameter_typo_is_pointed_at(tmp_path: Path) -> None:
    found = problems(GOOD.replace("slack_factor: 0.2", "slack: 0.2"), tmp_path)
    assert len(found) == 1
    field, line, message = found[0]
    assert (field, line) == ("policy", 13)
    assert "give exactly one of slack_factor and slack_amount" in message
    assert message.endswith("(not known here: slack)")


def test_policy_parameters_of_the_console_pass_through(tmp_path: Path) -> None:
    job = load(
        GOOD.replace("slack_factor: 0.2", "slack_factor: 0.2\n  min_comparators: 2"), tmp_path
    )
    assert job.body["policy"]["min_comparators"] == 2


def test_max_concurrent_runs_above_max_total_runs_names_field_and_line(tmp_path: Path) -> None:
    found = problems(GOOD.replace("max_concurrent_runs: 2", "max_concurrent_runs: 9"), tmp_path)
    assert found == [
        ("max_concurrent_runs", 21, "9 concurrent runs cannot be more than max_total_runs (6)")
    ]


def test_tab_indent_names_the_line(tmp_path: Path) -> None:
    found = problems(GOOD.replace("  iterations: 5", "\titerations: 5"), tmp_path)
    assert found == [("", 4, "a tab in the indentation: YAML indents with spaces only")]


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    found = problems(GOOD + "max_total_runs: 8\n", tmp_path)
    assert found == [("", 23, "duplicate key 'max_total_runs' (first on line 20): keep only one")]


def test_duplicate_key_inside_a_mapping_is_found_too(tmp_path: Path) -> None:
    text = GOOD.replace("  penalty: [l2, l1]", "  penalty: [l2, l1]\n  eta0: uniform(0, 1)")
    found = problems(text, tmp_path)
    assert found == [("", 9, "duplicate key 'eta0' (first on line 7): keep only one")]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    found = problems("name: x\nalgorithm: [unclosed\nmax_total_runs: 3\n", tmp_path)
    assert len(found) == 1 and found[0][1] is not None
    assert found[0][2].startswith("not valid YAML")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        GOOD.replace("sgd-diabetes", "{}")
        .replace("name: random", "name: simulated_annealing")
        .replace("max_total_runs: 6", "max_total_runs: 0")
        .replace("objective: last", "objective: median")
        + "sampling_algorithm: tpe\n"
    )
    fields = [(field, line) for field, line, _ in problems(text, tmp_path)]
    assert fields == [
        ("algorithm", 2),
        ("sampling.name", 11),
        ("objective", 19),
        ("max_total_runs", 20),
        ("sampling_algorithm", 23),
    ]


def test_a_duplicate_key_is_reported_with_the_other_errors_in_line_order(
    tmp_path: Path,
) -> None:
    text = (
        GOOD.replace("max_total_runs: 6", "max_total_runs: 0")
        .replace("  penalty: [l2, l1]", "  penalty: [l2, l1]\n  eta0: uniform(0, 1)")
        .replace("objective: last", "objective: median")
    )
    found = problems(text, tmp_path)
    assert [(field, line) for field, line, _ in found] == [
        ("", 9),
        ("objective", 20),
        ("max_total_runs", 21),
    ]
    assert found[0][2] == "duplicate key 'eta0' (first on line 7): keep only one"


def test_cli_prints_a_files_errors_in_line_order(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        GOOD.replace("sgd-diabetes", "{}").replace("max_total_runs: 6", "max_total_runs: 0")
        + "sampling_algorithm: tpe\nmax_concurrent_runs: 3\n"
    )
    result = CliRunner().invoke(
        cli, ["--url", "http://127.0.0.1:9", "--token", "t", "jobs", "submit", str(path)]
    )
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert [int(line.split(":")[1]) for line in lines] == [2, 20, 23, 24]
    assert "duplicate key 'max_concurrent_runs' (first on line 21)" in lines[-1]


def test_unknown_field_suggests_the_close_one(tmp_path: Path) -> None:
    found = problems(GOOD.replace("max_total_runs: 6", "max_total_run: 6"), tmp_path)
    assert found == [
        ("max_total_run", 20, "unknown field 'max_total_run'; did you mean 'max_total_runs'?")
    ]


def test_upload_path_must_exist(tmp_path: Path) -> None:
    text = GOOD.replace("algorithm: sgd-diabetes", "algorithm:\n  path: ./missing.py")
    found = problems(text, tmp_path)
    assert found == [("algorithm.path", 3, "no such file or folder: ./missing.py")]


def test_console_refusal_is_keyed_and_lined_as_the_file(tmp_path: Path) -> None:
    job = load(GOOD, tmp_path)
    error = job.api_problems(
        {
            "hyperparameters": {"iterations": {"value": ["iterations: 500 is outside [5, 100]."]}},
            "search_space": {"alpha": {"high": ["alpha: above the maximum."]}},
            "search_algorithms": {"0": {"name": ["Algorithm does not support 'smac'."]}},
            "max_concurrent": ["Too many."],
            "non_field_errors": ["Something about the whole job."],
        }
    )
    assert [(p.field, p.line, p.message) for p in error.problems] == [
        ("fixed.iterations", 4, "iterations: 500 is outside [5, 100]."),
        ("search_space.alpha", 9, "alpha: above the maximum."),
        ("sampling.name", 11, "Algorithm does not support 'smac'."),
        ("max_concurrent_runs", 21, "Too many."),
        ("", None, "Something about the whole job."),
    ]


def test_cli_refuses_a_bad_file_without_contacting_the_console(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(GOOD.replace("loguniform(-6.9, -2.3)", "loguniform(-2.3, -6.9)"))
    # An address where nothing listens: any request would fail with "Cannot reach".
    result = subprocess.run(
        [sys.executable, "-m", "sweepconsole", "--url", "http://127.0.0.1:9", "--token", "t"]
        + ["jobs", "submit", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{path}:7: search_space.eta0: loguniform: low must be < high" in result.stderr
    assert "Nothing was submitted." in result.stderr
    assert "Cannot reach" not in result.stderr


def test_job_exports_to_a_file_that_submits_the_same_job(tmp_path: Path) -> None:
    stored = {
        "id": 4,
        "name": "diabetes search",
        "algorithm": 2,
        "algorithm_name": "sgd-diabetes",
        "hyperparameters": {"iterations": 5, "alpha": 0.0001},
        "omit": ["standardize"],
        # As the console stores them (SearchSpace.to_json()).
        "search_space": {
            "eta0": {"type": "loguniform", "low": -6.9, "high": -2.3},
            "penalty": {"type": "choice", "values": ["l2", "l1"]},
            "epochs": {"type": "int", "low": 0, "high": 4, "log": False, "step": 1},
            "scale": {"type": "float", "low": 0.5, "high": 2.0, "log": False, "step": None},
        },
        "search_algorithms": [{"name": "tpe", "params": {"gamma": 0.2}}],
        "policy": {
            "name": "bandit",
            "evaluation_interval": 1,
            "delay_evaluation": 0,
            "slack_factor": 0.1,
            "slack_amount": None,
        },
        "metric": {"name": "val_rmse", "goal": "minimize", "regex": r"val_rmse:\s*([0-9.]+)"},
        "objective": "best",
        "seed": 0,
        "max_trials": 6,
        "max_concurrent": 2,
        "max_duration_minutes": None,
        "trial_timeout_minutes": 5,
        "max_failed": None,
        "lost_counts_as_failed": False,
    }
    text = dump_document(job_to_document(Job(None, stored)))  # type: ignore[arg-type]
    assert "eta0: loguniform(-6.9, -2.3)" in text
    assert "epochs: randint(5)" in text
    again = load(text, tmp_path)
    assert again.doc["algorithm"] == "sgd-diabetes"
    body = again.body
    assert body["hyperparameters"] == stored["hyperparameters"]
    assert body["omit"] == stored["omit"]
    assert body["search_algorithms"] == stored["search_algorithms"]
    assert body["metric"] == stored["metric"]
    assert body["policy"] == {k: v for k, v in stored["policy"].items() if v is not None}
    for key in ("objective", "max_trials", "max_concurrent", "trial_timeout_minutes", "seed"):
        assert body[key] == stored[key]
    from search import SearchSpace

    assert SearchSpace.from_json(body["search_space"]) == SearchSpace.from_json(
        stored["search_space"]
    )
    assert yaml.safe_load(text)["search_space"]["penalty"] == "choice('l2', 'l1')"


def test_exported_ranges_leave_out_fields_at_their_kinds_default(tmp_path: Path) -> None:
    stored_space = {
        "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True, "step": None},
        "batch": {"type": "int", "low": 16, "high": 128, "log": False, "step": 16},
        "drop": {"type": "float", "low": 0.0, "high": 0.5, "log": False, "step": 0.1},
        "width": {"type": "int", "low": 1, "high": 64, "log": True, "step": 1},
    }
    stored = {"id": 8, "name": "ranges", "algorithm": 2, "algorithm_name": "mlp"}
    stored.update(search_space=stored_space, search_algorithms=[{"name": "random"}])
    text = dump_document(job_to_document(Job(None, stored)))  # type: ignore[arg-type]
    assert "step: null" not in text and "log: false" not in text and "step: 1\n" not in text
    assert yaml.safe_load(text)["search_space"] == {
        "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True},
        "batch": {"type": "int", "low": 16, "high": 128, "step": 16},
        "drop": {"type": "float", "low": 0.0, "high": 0.5, "step": 0.1},
        "width": {"type": "int", "low": 1, "high": 64, "log": True},
    }
    # Read back, the file sends the very ranges the job holds.
    assert load(text, tmp_path).body["search_space"] == stored_space


DATA = (
    GOOD
    + """\
dataset: diabetes-csv
environment:
  OMP_NUM_THREADS: 2
  RUN_LABEL: "nightly run"
"""
)


def test_dataset_and_environment_are_read_with_the_rest(tmp_path: Path) -> None:
    job = load(DATA, tmp_path)
    # The dataset is a reference resolved at submit, as the algorithm is.
    assert job.doc["dataset"] == "diabetes-csv" and "dataset" not in job.body
    assert job.body["environment"] == {"OMP_NUM_THREADS": "2", "RUN_LABEL": "nightly run"}


@pytest.mark.parametrize(
    ("replace", "field", "line", "message"),
    [
        (
            ("dataset: diabetes-csv", "dataset: [a, b]"),
            "dataset",
            23,
            "must be the name or id of a ready dataset of yours (or null), got ['a', 'b']",
        ),
        (
            ("dataset: diabetes-csv", "dataset: true"),
            "dataset",
            23,
            "must be the name or id of a ready dataset of yours (or null), got True",
        ),
        (
            ("OMP_NUM_THREADS: 2", "OMP_NUM_THREADS: 2.5"),
            "environment.OMP_NUM_THREADS",
            25,
            "a value is text: quote it (OMP_NUM_THREADS: '...'), got 2.5",
        ),
        (
            ('RUN_LABEL: "nightly run"', "RUN_LABEL: yes"),
            "environment.RUN_LABEL",
            26,
            "a value is text: quote it (RUN_LABEL: '...'), got true",
        ),
        (
            ('RUN_LABEL: "nightly run"', "RUN_LABEL: [a]"),
            "environment.RUN_LABEL",
            26,
            "a value must be one text, got ['a']",
        ),
        (
            ("environment:\n  OMP_NUM_THREADS: 2\n", "environment: [OMP_NUM_THREADS=2]\n"),
            "environment",
            24,
            "must be a mapping of NAME: text, got ['OMP_NUM_THREADS=2']",
        ),
    ],
)
def test_bad_dataset_or_environment_names_field_and_line(
    tmp_path: Path, replace: tuple[str, str], field: str, line: int, message: str
) -> None:
    text = DATA.replace(*replace)
    if "environment: [" in text:
        text = text.replace('  RUN_LABEL: "nightly run"\n', "")
    assert problems(text, tmp_path) == [(field, line, message)]


def test_console_refusal_of_an_environment_variable_names_its_line(tmp_path: Path) -> None:
    # A name only the console judges (its POSIX form): its refusal comes back on the line.
    job = load(DATA.replace("RUN_LABEL", "RUN-LABEL"), tmp_path)
    message = "A name is letters, digits and underscores, not starting with a digit."
    error = job.api_problems({"environment": {"RUN-LABEL": [message]}})
    assert [p.format("job.yaml") for p in error.problems] == [
        f"job.yaml:26: environment.RUN-LABEL: {message}"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("TRIAL_ID", "TRIAL_ID is set by the console for every trial and cannot be overridden."),
        ("DATA_URL", "DATA_URL is set by the console for every trial and cannot be overridden."),
        ("SECRET_KEY", "SECRET_KEY is reserved for the console's own configuration."),
        ("STORAGE_S3_BUCKET", "STORAGE_S3_BUCKET is reserved for the console's own configuration."),
    ],
)
def test_reserved_environment_name_is_refused_on_its_line(
    tmp_path: Path, name: str, message: str
) -> None:
    assert problems(DATA.replace("RUN_LABEL", name), tmp_path) == [
        (f"environment.{name}", 26, message)
    ]


def test_dry_run_refuses_reserved_environment_names(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(GOOD + 'environment:\n  TRIAL_ID: "x"\n  DATA_URL: /data\n  RUN: "1"\n')
    result = CliRunner().invoke(cli, ["jobs", "submit", "--dry-run", str(path)])
    assert result.exit_code == 1
    assert f"{path}:24: environment.TRIAL_ID: TRIAL_ID is set by the console" in result.output
    assert f"{path}:25: environment.DATA_URL: DATA_URL is set by the console" in result.output
    assert "environment.RUN" not in result.output and "valid" not in result.output


def test_reserved_environment_names_are_the_consoles() -> None:
    from trainingjobs import command

    assert environment_names.CONSOLE_VARS == command.CONSOLE_VARS
    assert environment_names.CONSOLE_SECRETS == command.CONSOLE_SECRETS
    assert environment_names.CONSOLE_SECRET_PREFIXES == command.CONSOLE_SECRET_PREFIXES
    # And the console refuses them in the same words.
    from trainingjobs.spec_environment import name_error

    for name in (*command.CONSOLE_VARS, *command.CONSOLE_SECRETS, "STORAGE_S3_KEY"):
        assert environment_names.reserved_name_error(name) == name_error(name)
    assert name_error("RUN_LABEL") is None


def test_job_exports_its_dataset_and_environment(tmp_path: Path) -> None:
    stored = {
        "name": "with data",
        "algorithm": 2,
        "algorithm_name": "sgd-diabetes",
        "dataset": 7,
        "environment": {"OMP_NUM_THREADS": "2", "FLAG": "true"},
    }
    by_id = dump_document(job_to_document(Job(None, stored)))  # type: ignore[arg-type]
    assert yaml.safe_load(by_id)["dataset"] == 7
    text = dump_document(
        job_to_document(Job(None, stored), dataset="diabetes-csv")  # type: ignore[arg-type]
    )
    again = load(text, tmp_path)
    assert again.doc["dataset"] == "diabetes-csv"
    # Written quoted, so "2" and "true" read back as the text they are.
    assert again.body["environment"] == stored["environment"]
    without = dump_document(
        job_to_document(Job(None, {**stored, "dataset": None, "environment": {}}))  # type: ignore[arg-type]
    )
    assert "dataset" not in yaml.safe_load(without) and "environment" not in without


def test_environment_names_docstring_examples() -> None:
    import doctest

    assert doctest.testmod(environment_names).failed == 0
