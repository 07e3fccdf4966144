"""The REST API's create body from HyperDrive's arguments (``Console.submit``), and
HyperDrive's ``HyperDriveConfig`` for notebooks that build one."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sweepconsole.errors import SpecError
from sweepconsole.sampling import (
    EarlyTerminationPolicy,
    ParameterSampling,
    PrimaryMetricGoal,
)

__all__ = ["HyperDriveConfig", "build_job_body"]


@dataclass
class HyperDriveConfig:
    """HyperDrive's ``HyperDriveConfig``, for notebooks that build one: pass it to
    ``Console.submit(config)`` (``run_config`` and ``estimator`` are accepted and unused;
    the console runs the algorithm's own script)."""

    hyperparameter_sampling: ParameterSampling | Sequence[ParameterSampling]
    primary_metric_name: str | None = None
    primary_metric_goal: PrimaryMetricGoal | str | None = None
    max_total_runs: int | None = None
    max_concurrent_runs: int | None = None
    max_duration_minutes: int | None = None
    policy: EarlyTerminationPolicy | None = None
    run_config: Any = None
    estimator: Any = None

    def submit_arguments(self) -> dict[str, Any]:
        return {
            "hyperparameter_sampling": self.hyperparameter_sampling,
            "primary_metric_name": self.primary_metric_name,
            "primary_metric_goal": self.primary_metric_goal,
            "max_total_runs": self.max_total_runs,
            "max_concurrent_runs": self.max_concurrent_runs,
            "max_duration_minutes": self.max_duration_minutes,
            "policy": self.policy,
        }


def build_job_body(
    *,
    algorithm_id: int,
    name: str,
    hyperparameter_sampling: ParameterSampling | Sequence[ParameterSampling] | None = None,
    policy: EarlyTerminationPolicy | None = None,
    primary_metric_name: str | None = None,
    primary_metric_goal: PrimaryMetricGoal | str | None = None,
    max_total_runs: int | None = None,
    max_concurrent_runs: int | None = None,
    max_duration_minutes: int | None = None,
    fixed: Mapping[str, Any] | None = None,
    omit: Sequence[str] | None = None,
    description: str | None = None,
    objective: str | None = None,
    metric_regex: str | None = None,
    trial_timeout_minutes: int | None = None,
    max_failed: int | None = None,
    seed: int | None = None,
    dataset_id: int | None = None,
    environment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The REST API's create body for these HyperDrive-style arguments (checked locally
    for what can be checked without the console)."""
    samplings = _samplings(hyperparameter_sampling)
    if policy is not None and not isinstance(policy, EarlyTerminationPolicy):
        raise SpecError(f"policy must be a policy such as BanditPolicy(...), got {policy!r}")
    if (
        max_total_runs is not None
        and max_concurrent_runs is not None
        and max_concurrent_runs > max_total_runs
    ):
        raise SpecError(
            f"max_concurrent_runs ({max_concurrent_runs}) cannot be more than max_total_runs "
            f"({max_total_runs})"
        )
    body: dict[str, Any] = {"name": name, "algorithm": algorithm_id}
    if dataset_id is not None:
        body["dataset"] = dataset_id
    if description:
        body["description"] = description
    if fixed:
        body["hyperparameters"] = dict(fixed)
    if omit:
        body["omit"] = list(omit)
    if samplings:
        body["search_space"] = samplings[0].search_space_json()
        body["search_algorithms"] = [s.to_json() for s in samplings]
    if policy is not None:
        body["policy"] = policy.to_json()
    metric: dict[str, Any] = {}
    if primary_metric_name:
        metric["name"] = primary_metric_name
    if primary_metric_goal:
        goal = str(getattr(primary_metric_goal, "value", primary_metric_goal)).lower()
        if goal not in ("maximize", "minimize"):
            raise SpecError(f"primary_metric_goal must be maximize or minimize, got {goal!r}")
        metric["goal"] = goal
    if metric_regex:
        metric["regex"] = metric_regex
    if metric:
        body["metric"] = metric
    limits = {
        "objective": objective,
        "max_trials": max_total_runs,
        "max_concurrent": max_concurrent_runs,
        "max_duration_minutes": max_duration_minutes,
        "trial_timeout_minutes": trial_timeout_minutes,
        "max_failed": max_failed,
        "seed": seed,
    }
    body.update({k: v for k, v in limits.items() if v is not None})
    if environment:
        body["environment"] = dict(environment)
    return body


def _samplings(
    value: ParameterSampling | Sequence[ParameterSampling] | None,
) -> list[ParameterSampling]:
    if value is None:
        return []
    items = [value] if isinstance(value, ParameterSampling) else list(value)
    for item in items:
        if not isinstance(item, ParameterSampling):
            raise SpecError(
                "hyperparameter_sampling must be a sampling such as "
                f"RandomParameterSampling({{...}}), got {item!r}"
            )
    spaces = {json.dumps(s.search_space_json(), sort_keys=True) for s in items}
    if len(spaces) > 1:
        raise SpecError(
            "search algorithms of one job share one budget and one search space: give every "
            "sampling the same parameter space"
        )
    return items
