"""The one validation path for a training job: the create page and the REST API both call
``validate_job_spec`` with the API's create shape and show the same messages.

``data`` (every key optional except ``name`` and ``algorithm``)::

    {"name", "description", "algorithm": id, "dataset": id | None,
     "hyperparameters": {name: fixed value},          # typed; numeric strings and
                                                     # "true"/"false" are read too
     "search_space": {name: search.SearchSpace JSON},  # ranges: a search when not empty
     "omit": [names],                                # optional rows left out
     "search_algorithms": [{"name", "params"}],      # default: the algorithm's first
     "metric": {"name", "goal", "regex"},            # each overrides the algorithm's
     "objective": "last" | "best",
     "policy": {"name", ...params} | None,
     "max_trials", "max_concurrent", "max_duration_minutes", "trial_timeout_minutes",
     "max_failed", "lost_counts_as_failed", "seed",
     "environment": {NAME: value} | [{"name", "value"}]}   # see spec_environment

Every row of the algorithm's table ends in exactly one of ``fixed`` (a value given, or its
default), ``search_space`` (a range) or ``omitted`` (left out, or optional without a
default). A job without ranges is a single training run: one trial, no search algorithm,
no policy. Every field given is checked whether or not the job is a search; a single run
then leaves the search-only fields (``max_trials``, ``max_concurrent``,
``search_algorithms``, ``policy``) unused when they are valid, and refuses them like a
search does when they are not.

The checks live by subject, each module a part of this one path: ``spec_fields`` (name,
algorithm, dataset, limits), ``spec_space`` (values and search ranges against each row),
``spec_search`` (metric, search algorithms, policy), ``spec_environment`` (environment
variables), ``spec_plan`` (grid size, trials that will run), ``spec_errors`` (the error
tree) and ``spec_values`` (reading loose input values).

Errors (``JobSpecError.errors``) are keyed as the API answers them; a message about a
whole entry sits under ``"__all__"``::

    {"name": ["..."],
     "hyperparameters": {"<hp>": {"value": ["..."]}},
     "search_space": {"<hp>": {"low": ["..."]}, "__all__": ["..."]},
     "omit": ["..."],
     "search_algorithms": {"0": {"name": ["..."], "params": {"gamma": ["..."]}}},
     "policy": {"name": ["..."], "slack_factor": ["..."]},
     "metric": {"regex": ["..."]},
     "environment": {"<NAME>": ["..."]},            # or {"<row>": {"name": [...]}}
     "max_concurrent": ["..."],
     "__all__": ["..."]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from algorithms.models import Algorithm
from algorithms.spaces import show
from algorithms.spec_values import unknown_fields
from datasets.models import Dataset
from trainingjobs import interface
from trainingjobs.spec_environment import clean_environment
from trainingjobs.spec_errors import JobSpecError, SpecErrors
from trainingjobs.spec_fields import (
    MAX_SEED,
    clean_algorithm,
    clean_bool,
    clean_choice,
    clean_dataset,
    clean_description,
    clean_int,
    clean_limits,
    clean_name,
)
from trainingjobs.spec_search import clean_job_search_algorithms, clean_metric, clean_policy
from trainingjobs.spec_space import HyperparameterValues

__all__ = ["JobSpec", "JobSpecError", "validate_job_spec"]


OBJECTIVES = ("last", "best")


# The fields of the create shape; anything else is most likely a typo that would
# otherwise be silently ignored (``search_spaces`` would run a single trial).
KNOWN_FIELDS = frozenset(
    {
        "name",
        "description",
        "algorithm",
        "dataset",
        "hyperparameters",
        "search_space",
        "omit",
        "search_algorithms",
        "metric",
        "objective",
        "policy",
        "max_trials",
        "max_concurrent",
        "max_duration_minutes",
        "trial_timeout_minutes",
        "max_failed",
        "lost_counts_as_failed",
        "seed",
        "environment",
    }
)


@dataclass(frozen=True)
class JobSpec:
    """A checked job, with the ``TrainingJob`` field names (``model_fields()`` for a create)."""

    name: str
    description: str
    algorithm: Algorithm
    fixed: dict[str, Any]
    omitted: list[str]
    search_space: dict[str, dict[str, Any]]
    search_algorithms: list[dict[str, Any]]
    policy: dict[str, Any]
    metric_name: str
    metric_goal: str
    metric_regex: str
    objective: str
    seed: int
    max_trials: int
    max_concurrent: int
    max_duration_minutes: int | None
    trial_timeout_minutes: int | None
    max_failed: int | None
    lost_counts_as_failed: bool
    dataset: Dataset | None = None
    environment: dict[str, str] = field(default_factory=dict)
    # How its trials pass values (trainingjobs.interface), as the algorithm has it now.
    interface: dict[str, Any] = field(default_factory=dict)

    @property
    def is_search(self) -> bool:
        return bool(self.search_space)

    def model_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``TrainingJob(owner=..., **spec.model_fields())``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def validate_job_spec(*, owner: Any, data: Mapping[str, Any]) -> JobSpec:
    """Clean and check a job in the API's create shape; raise ``JobSpecError`` on any problem.

    Only a ready algorithm the owner may see is accepted (a staff user sees all); another
    user's or an unready one gets the same message as a missing one.
    """
    errors = SpecErrors()
    if not isinstance(data, Mapping):
        raise JobSpecError(
            {"__all__": [f"A training job must be a JSON object, got {show(data)}."]}
        )
    unknown = unknown_fields(data, sorted(KNOWN_FIELDS))
    if unknown:
        errors.add("__all__", message=unknown)
    name = clean_name(data.get("name"), errors)
    description = clean_description(data.get("description"), errors)
    algorithm = clean_algorithm(owner, data.get("algorithm"), errors)
    dataset = clean_dataset(owner, data.get("dataset"), errors)
    # Any range given makes it a search, so a bad range still gets the search fields checked.
    is_search = bool(data.get("search_space"))
    objective = clean_choice(data.get("objective"), "objective", OBJECTIVES, errors)
    limits = clean_limits(data, is_search, errors)
    seed = clean_int(data.get("seed"), "seed", 0, MAX_SEED, errors, default=0)
    lost = clean_bool(data.get("lost_counts_as_failed"), "lost_counts_as_failed", errors)
    environment = clean_environment(data.get("environment"), errors.add)
    if algorithm is None:
        raise JobSpecError(errors.tree)

    rows = list(algorithm.hyperparameters.all())
    values = HyperparameterValues(algorithm, rows, errors)
    fixed, omitted, space = values.clean(data)
    metric = clean_metric(algorithm, data.get("metric"), is_search, errors)
    search_algorithms: list[dict[str, Any]] = []
    policy: dict[str, Any] = {}
    if is_search:
        search_algorithms = clean_job_search_algorithms(
            algorithm, data.get("search_algorithms"), space, metric[1], errors
        )
        policy = clean_policy(data.get("policy"), errors)
    else:
        # A single run uses neither, but what it is given is checked all the same (a
        # nonsense policy is refused, not dropped); valid ones are then left unused.
        if data.get("search_algorithms") not in (None, []):
            clean_job_search_algorithms(
                algorithm, data.get("search_algorithms"), None, metric[1], errors
            )
        clean_policy(data.get("policy"), errors)
    if errors:
        raise JobSpecError(errors.tree)
    return JobSpec(
        name=name,
        description=description,
        algorithm=algorithm,
        fixed=fixed,
        omitted=omitted,
        search_space=space.to_json() if space is not None else {},
        search_algorithms=search_algorithms,
        policy=policy,
        metric_name=metric[0],
        metric_goal=metric[1],
        metric_regex=metric[2],
        objective=objective or "last",
        seed=seed if seed is not None else 0,
        lost_counts_as_failed=lost,
        dataset=dataset,
        environment=environment,
        interface=interface.of_algorithm(algorithm, rows).to_json(),
        **limits,
    )
