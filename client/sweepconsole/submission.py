"""The REST API's create body from HyperDrive's arguments (``Console.submit``), and
HyperDrive's ``HyperDriveConfig`` for notebooks that build one."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sweepconsole.errors import SpecError
from sweepconsole.policies import EarlyTerminationPolicy
from sweepconsole.sampling import ParameterSampling, PrimaryMetricGoal

__all__ = ["HyperDriveConfig", "JobRequest", "build_job_body"]


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


@dataclass(frozen=True, kw_only=True)
class JobRequest:
    """What a job is asked to do, in HyperDrive's words: every keyword of
    ``Console.submit`` but the references it resolves first (``algorithm``, ``dataset``)
    and the ``name`` it makes up when none is given. ``build_job_body`` turns it into the
    REST API's create body."""

    hyperparameter_sampling: ParameterSampling | Sequence[ParameterSampling] | None = None
    policy: EarlyTerminationPolicy | None = None
    primary_metric_name: str | None = None
    primary_metric_goal: PrimaryMetricGoal | str | None = None
    max_total_runs: int | None = None
    max_concurrent_runs: int | None = None
    max_duration_minutes: int | None = None
    fixed: Mapping[str, Any] | None = None
    omit: Sequence[str] | None = None
    description: str | None = None
    objective: str | None = None
    metric_regex: str | None = None
    trial_timeout_minutes: int | None = None
    max_failed: int | None = None
    seed: int | None = None
    environment: Mapping[str, str] | None = None

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, Any]) -> JobRequest:
        """The request of a call's arguments (``locals()`` of ``Console.submit``): its
        fields by name, anything else left out."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls) if f.name in arguments})

    def with_config(self, config: HyperDriveConfig | None) -> JobRequest:
        """This request with the fields it leaves unset taken from ``config`` (the keyword
        arguments win over the config's, as in HyperDrive)."""
        if config is None:
            return self
        given = config.submit_arguments()
        return replace(self, **{k: v for k, v in given.items() if getattr(self, k) is None})


def build_job_body(
    request: JobRequest, *, algorithm_id: int, name: str, dataset_id: int | None = None
) -> dict[str, Any]:
    """The REST API's create body for ``request`` (checked locally for what can be
    checked without the console)."""
    samplings = _samplings(request.hyperparameter_sampling)
    if request.policy is not None and not isinstance(request.policy, EarlyTerminationPolicy):
        raise SpecError(
            f"policy must be a policy such as BanditPolicy(...), got {request.policy!r}"
        )
    if (
        request.max_total_runs is not None
        and request.max_concurrent_runs is not None
        and request.max_concurrent_runs > request.max_total_runs
    ):
        raise SpecError(
            f"max_concurrent_runs ({request.max_concurrent_runs}) cannot be more than "
            f"max_total_runs ({request.max_total_runs})"
        )
    body: dict[str, Any] = {"name": name, "algorithm": algorithm_id}
    if dataset_id is not None:
        body["dataset"] = dataset_id
    if request.description:
        body["description"] = request.description
    if request.fixed:
        body["hyperparameters"] = dict(request.fixed)
    if request.omit:
        body["omit"] = list(request.omit)
    if samplings:
        body["search_space"] = samplings[0].search_space_json()
        body["search_algorithms"] = [s.to_json() for s in samplings]
    if request.policy is not None:
        body["policy"] = request.policy.to_json()
    metric: dict[str, Any] = {}
    if request.primary_metric_name:
        metric["name"] = request.primary_metric_name
    if request.primary_metric_goal:
        goal = str(
            getattr(request.primary_metric_goal, "value", request.primary_metric_goal)
        ).lower()
        if goal not in ("maximize", "minimize"):
            raise SpecError(f"primary_metric_goal must be maximize or minimize, got {goal!r}")
        metric["goal"] = goal
    if request.metric_regex:
        metric["regex"] = request.metric_regex
    if metric:
        body["metric"] = metric
    limits = {
        "objective": request.objective,
        "max_trials": request.max_total_runs,
        "max_concurrent": request.max_concurrent_runs,
        "max_duration_minutes": request.max_duration_minutes,
        "trial_timeout_minutes": request.trial_timeout_minutes,
        "max_failed": request.max_failed,
        "seed": request.seed,
    }
    body.update({k: v for k, v in limits.items() if v is not None})
    if request.environment:
        body["environment"] = dict(request.environment)
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
