"""A stored job's search-algorithm and policy parameters that go without saying: one rule
for the Python objects a job reads back as and for the job file it writes back as. The
defaults are the search library's own, as the console lists them (its two catalogues);
tests/client/test_live_jobfile_data.py submits a written file again on a live console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sweepconsole import BanditPolicy, MedianStoppingPolicy, TPESampling, float_range
from sweepconsole.defaults import (
    catalogue_defaults,
    left_out_gives,
    policy_without_defaults,
    search_algorithms_without_defaults,
    without_defaults,
)
from sweepconsole.jobfile import dump_document, job_to_document, load_job_file
from sweepconsole.resources import Job

from search import list_policies, list_samplers, make_policy
from tests.client.fakes import FakeConsole

TPE_DEFAULTS = {
    "seed": None,
    "gamma": 0.25,
    "n_initial_points": 10,
    "n_ei_candidates": 24,
    "prior_weight": 1.0,
    "multivariate": True,
    "bandwidth": "neighbour",
    "consider_endpoints": False,
}
CATALOGUE = {"next": None, "results": list_samplers()}
POLICY_CATALOGUE = {"next": None, "results": list_policies()}
POLICY_DEFAULTS = catalogue_defaults(list_policies())


def _stored_job(
    tpe: dict[str, Any], policy: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A job as the console answers it: every TPE parameter and policy option stored (by
    default a median policy with a delay of 2)."""
    policy = policy or {"name": "median_stopping", "delay_evaluation": 2}
    options = make_policy(**policy).options
    return {
        "id": 5,
        "name": "tpe search",
        "algorithm": 3,
        "algorithm_name": "digits",
        "search_space": {"lr": {"type": "float", "low": 0.001, "high": 0.1, "log": False}},
        "search_algorithms": [{"name": "tpe", "params": {**TPE_DEFAULTS, **tpe}}],
        "policy": {"name": policy["name"], **options},
        "max_trials": 8,
        "max_concurrent": 2,
        **fields,
    }


def _console_with(algorithm_tpe: dict[str, Any]) -> FakeConsole:
    """The search-algorithm list of the search library, and algorithm 3 configuring TPE
    with these parameters (an algorithm stores them all, as a job does)."""
    algorithm = {
        "id": 3,
        "name": "digits",
        "owner": "alice",
        "status": "ready",
        "search_algorithms": [{"name": "tpe", "params": {**TPE_DEFAULTS, **algorithm_tpe}}],
    }
    return FakeConsole(
        {
            ("GET", "/api/v1/search-algorithms/"): CATALOGUE,
            ("GET", "/api/v1/early-termination-policies/"): POLICY_CATALOGUE,
            ("GET", "/api/v1/algorithms/3/"): algorithm,
        }
    )


def test_the_test_knows_the_search_librarys_eight_tpe_defaults() -> None:
    tpe = next(item for item in list_samplers() if item["name"] == "tpe")
    assert {p["name"]: p["default"] for p in tpe["params"]} == TPE_DEFAULTS


def test_a_parameter_at_its_default_is_left_out_and_true_is_not_one() -> None:
    assert without_defaults({"seed": 5, "gamma": 0.25, "other": 1}, TPE_DEFAULTS) == {
        "seed": 5,
        "other": 1,
    }
    # 1 == True in Python; a file must still say 1 where the default is true.
    assert without_defaults({"multivariate": 1}, TPE_DEFAULTS) == {"multivariate": 1}
    assert search_algorithms_without_defaults(
        [{"name": "tpe", "params": {**TPE_DEFAULTS, "gamma": 0.2}}], {"tpe": TPE_DEFAULTS}
    ) == [{"name": "tpe", "params": {"gamma": 0.2}}]


def test_what_leaving_out_gives_is_the_catalogue_default_unless_something_sends_another() -> None:
    median = POLICY_DEFAULTS["median_stopping"]
    assert median == {"evaluation_interval": 1, "delay_evaluation": 0, "min_comparators": 3}
    assert POLICY_DEFAULTS["median"] is median  # aliases read the same entry
    # This client's MedianStoppingPolicy sends HyperDrive's delay of 5 when given none.
    assert left_out_gives(median, sent={"delay_evaluation": 5}) == {
        "evaluation_interval": 1,
        "delay_evaluation": 5,
        "min_comparators": 3,
    }
    assert left_out_gives(median, unsettled=["min_comparators"]) == {
        "evaluation_interval": 1,
        "delay_evaluation": 0,
    }


def test_a_policy_keeps_only_what_leaving_out_would_change() -> None:
    stored = {"name": "median_stopping", **make_policy("median_stopping").options}
    # min_comparators at the console's default goes; the console's median delay is 0 but
    # a file without it sends this client's 5, so 0 is written.
    assert policy_without_defaults(stored, POLICY_DEFAULTS) == {
        "name": "median_stopping",
        "delay_evaluation": 0,
    }
    hyperdrive = {**stored, "delay_evaluation": 5, "min_comparators": 4}
    assert policy_without_defaults(hyperdrive, POLICY_DEFAULTS) == {
        "name": "median_stopping",
        "min_comparators": 4,
    }
    # A console older than its policy list: only this client's defaults are known.
    assert policy_without_defaults(stored) == {
        "name": "median_stopping",
        "delay_evaluation": 0,
        "min_comparators": 3,
    }
    assert policy_without_defaults({}, POLICY_DEFAULTS) is None
    assert policy_without_defaults({"name": "hyperband", "eta": 3, "x": None}) == {
        "name": "hyperband",
        "eta": 3,
    }


def test_exported_job_file_writes_only_the_non_default_tpe_parameter(tmp_path: Path) -> None:
    fake = _console_with({})
    job = Job(fake.console(), _stored_job({"gamma": 0.2}))
    document = job_to_document(
        job,
        search_algorithms=job.search_algorithms_without_defaults(),
        policy=job.policy_without_defaults(),
    )
    assert document["sampling"] == [{"name": "tpe", "params": {"gamma": 0.2}}]
    # min_comparators is at the console's default (its policy list says 3): left out.
    assert document["policy"] == {"name": "median_stopping", "delay_evaluation": 2}

    # Read again, it is the same search algorithm and policy as stored.
    text = dump_document(document)
    assert "n_ei_candidates" not in text and "evaluation_interval" not in text
    assert "min_comparators" not in text
    again = load_job_file(tmp_path / "job.yaml", text)
    assert again.body["search_algorithms"] == [{"name": "tpe", "params": {"gamma": 0.2}}]
    sent = make_policy("median_stopping", **_params(again.body["policy"])).options
    assert sent == _params(job.data["policy"])

    # The Python objects follow the same rule.
    space = {"lr": float_range(0.001, 0.1)}
    assert job.hyperparameter_sampling == [TPESampling(space, gamma=0.2)]
    assert job.policy == MedianStoppingPolicy(delay_evaluation=2)
    assert job.policy is not None and job.policy.extra == {}


# Each policy as a job file may give it, and what the written file keeps of it.
POLICY_CASES = [
    ({"name": "median_stopping", "delay_evaluation": 2}, {"delay_evaluation": 2}),
    # The console's median delay is 0, this client's 5: a file without it would send 5.
    ({"name": "median_stopping", "delay_evaluation": 0}, {"delay_evaluation": 0}),
    ({"name": "median_stopping"}, {}),
    (
        {"name": "bandit", "slack_factor": 0.1, "min_comparators": 4},
        {"slack_factor": 0.1, "min_comparators": 4},
    ),
    (
        {"name": "bandit", "slack_amount": 0.5, "evaluation_interval": 2},
        {"slack_amount": 0.5, "evaluation_interval": 2},
    ),
    ({"name": "truncation_selection", "exclude_finished": True}, {"exclude_finished": True}),
    (
        {"name": "asha", "min_resource": 3, "reduction_factor": 4, "max_resource": 27},
        {"reduction_factor": 4, "max_resource": 27},
    ),
    ({"name": "curve_fitting", "threshold": 0.01, "min_comparators": 2}, {"min_comparators": 2}),
    ({"name": "none"}, {}),
]


def _read_policy(path: Path, policy: dict[str, Any]) -> dict[str, Any]:
    """The policy a job file giving ``policy`` sends (``sweep jobs submit``)."""
    text = dump_document({"name": "p", "algorithm": 3, "policy": policy})
    sent: dict[str, Any] = load_job_file(path, text).body["policy"]
    return sent


@pytest.mark.parametrize(("given", "kept"), POLICY_CASES)
def test_every_policy_writes_back_its_non_defaults_and_submits_the_same_options(
    given: dict[str, Any], kept: dict[str, Any], tmp_path: Path
) -> None:
    sent = _read_policy(tmp_path / "job.yaml", given)
    job = Job(_console_with({}).console(), _stored_job({}, policy=sent))
    stored = job.data["policy"]

    written = job_to_document(job, policy=job.policy_without_defaults())["policy"]
    assert written == {"name": given["name"], **kept}
    # Read again, the written file sends a policy the console stores the same.
    again = _read_policy(tmp_path / "again.yaml", written)
    assert {"name": given["name"], **make_policy(**again).options} == stored
    if given["name"] == "bandit":
        assert isinstance(job.policy, BanditPolicy)
        assert job.policy.extra == ({"min_comparators": 4} if "min_comparators" in kept else {})


def test_the_policy_list_is_read_once_and_an_older_console_without_it_still_works() -> None:
    fake = _console_with({})
    console = fake.console()
    for _ in range(2):
        job = Job(console, _stored_job({}))
        assert job.policy_without_defaults() == {"name": "median_stopping", "delay_evaluation": 2}
    assert [p for _, p, _ in fake.sent].count("/api/v1/early-termination-policies/") == 1

    del fake.routes[("GET", "/api/v1/early-termination-policies/")]
    job = Job(fake.console(), _stored_job({}))
    assert job.policy_without_defaults() == {
        "name": "median_stopping",
        "delay_evaluation": 2,
        "min_comparators": 3,
    }


def test_a_default_the_algorithm_sets_otherwise_is_written(tmp_path: Path) -> None:
    # The algorithm configures gamma 0.3: a job of it at the library's 0.25 must say so,
    # or submitting the file again would run with 0.3.
    fake = _console_with({"gamma": 0.3, "seed": 4})
    job = Job(fake.console(), _stored_job({"gamma": 0.25, "seed": 4}))
    assert job.search_algorithms_without_defaults() == [
        {"name": "tpe", "params": {"seed": 4, "gamma": 0.25}}
    ]
    assert ("GET", "/api/v1/algorithms/3/", None) in fake.sent


def test_an_algorithm_the_caller_cannot_read_leaves_the_librarys_defaults() -> None:
    fake = _console_with({})
    del fake.routes[("GET", "/api/v1/algorithms/3/")]
    job = Job(fake.console(), _stored_job({"n_initial_points": 4}))
    assert job.search_algorithms_without_defaults() == [
        {"name": "tpe", "params": {"n_initial_points": 4}}
    ]


def test_a_job_without_a_search_asks_nothing() -> None:
    fake = _console_with({})
    job = Job(fake.console(), _stored_job({}, search_space={}, search_algorithms=[]))
    assert job.search_algorithms_without_defaults() == []
    assert yaml.safe_load(dump_document(job_to_document(job))).get("sampling") is None
    assert fake.sent == []


def _params(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in policy.items() if k != "name"}
