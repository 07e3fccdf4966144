"""What the console holds, as objects: an algorithm and a training job (a trial is in
``sweepconsole.trials``, a dataset in ``sweepconsole.datasets``; ``Trial``, ``TrialList``
and ``TRIAL_FINISHED`` are still importable from here).

Each wraps the JSON the REST API answered (``.data``, also readable as ``obj["field"]``)
and talks back to the console through the ``Console`` that made it.
"""

from __future__ import annotations

import math
from typing import Any

from sweepconsole.defaults import policy_without_defaults, search_algorithms_without_defaults
from sweepconsole.errors import JobFailed
from sweepconsole.policies import EarlyTerminationPolicy, policy_from_json
from sweepconsole.resource_base import Resource
from sweepconsole.sampling import ParameterSampling, PrimaryMetricGoal, sampling_from_json

# Trials live in sweepconsole.trials; these names stay importable from here as before.
from sweepconsole.trials import TRIAL_FINISHED as TRIAL_FINISHED
from sweepconsole.trials import Trial, TrialList, best_trial
from sweepconsole.waiting import wait_while_busy

__all__ = ["Algorithm", "Job"]

JOB_FINISHED = frozenset({"completed", "failed", "canceled", "timed_out"})


# --------------------------------------------------------------------------- algorithm


class Algorithm(Resource):
    """An algorithm: a training script with its hyperparameter table and metric."""

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def status(self) -> str:
        return str(self.data.get("status", ""))

    def refresh(self) -> Algorithm:
        self.data = self.console.session.request(
            "GET", f"/api/v1/algorithms/{self.id}/", what=f"Algorithm {self.id}"
        )
        return self

    def wait_until_ready(self, timeout: float = 300, poll: float = 0.5) -> Algorithm:
        """Wait while the console checks the package; raise with its reason if it failed."""
        return wait_while_busy(self, "creating", "still being checked", timeout, poll)


# --------------------------------------------------------------------------- trial

# --------------------------------------------------------------------------- job


class Job(Resource):
    """A training job: a search (or a single run) of an algorithm, and its trials."""

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def status(self) -> str:
        return str(self.data.get("status", ""))

    @property
    def is_finished(self) -> bool:
        return self.status in JOB_FINISHED

    @property
    def metric_name(self) -> str:
        return str((self.data.get("metric") or {}).get("name") or "")

    @property
    def goal(self) -> PrimaryMetricGoal:
        goal = (self.data.get("metric") or {}).get("goal") or "maximize"
        return PrimaryMetricGoal(goal)

    @property
    def hyperparameter_sampling(self) -> list[ParameterSampling]:
        """The search space and search algorithm(s), as the vocabulary's objects.

        The console stores every parameter of a search algorithm, defaults included; those
        leaving out gives again are left out (``sweepconsole.defaults``), so a job reads
        back as the objects that were submitted (``RandomParameterSampling(space, seed=5)``,
        not ``..., seed=5, rule='random'``).
        """
        return sampling_from_json(
            self.data.get("search_space") or {}, self.search_algorithms_without_defaults()
        )

    def search_algorithms_without_defaults(self) -> list[dict[str, Any]]:
        """The job's ``search_algorithms`` (``[{"name", "params"}]``) with the parameters
        that go without saying left out: those at the search algorithm's default that the
        job's algorithm does not set otherwise (one request for the defaults per
        ``Console``, one for the algorithm)."""
        items = self.data.get("search_algorithms") or []
        if not items:
            return []
        algorithm = self.data.get("algorithm")
        defaults = self.console.search_algorithm_defaults(
            None if algorithm is None else int(algorithm)
        )
        return search_algorithms_without_defaults(items, defaults)

    def policy_without_defaults(self) -> dict[str, Any] | None:
        """The job's ``policy`` (``None`` without one) with the parameters that go without
        saying left out (``sweepconsole.defaults``; one request per ``Console``)."""
        spec = self.data.get("policy")
        if not spec:
            return None
        return policy_without_defaults(spec, self.console.policy_defaults())

    @property
    def policy(self) -> EarlyTerminationPolicy | None:
        """The policy as the vocabulary's object, by the same rule (no ``extra`` holding
        a ``min_comparators`` at the console's default)."""
        return policy_from_json(self.policy_without_defaults())

    def refresh(self) -> Job:
        self.data = self.console.session.request(
            "GET", f"/api/v1/training-jobs/{self.id}/", what=f"Job {self.id}"
        )
        return self

    def trials(self) -> TrialList:
        return TrialList(
            Trial(self.console, item)
            for item in self.console.session.paged(
                f"/api/v1/training-jobs/{self.id}/trials/", what=f"Job {self.id}"
            )
        )

    def get_children(self) -> TrialList:
        """HyperDrive's spelling of ``trials()``."""
        return self.trials()

    def get_children_sorted_by_primary_metric(self, top: int = 0) -> list[dict[str, Any]]:
        """As HyperDrive: ``[{"run_id", "hyperparameters", "best_primary_metric", "status"}]``,
        best first, trials without a value last; ``top`` > 0 keeps that many."""
        sign = -1.0 if self.goal == PrimaryMetricGoal.MINIMIZE else 1.0

        def key(trial: Trial) -> tuple[bool, float]:
            value = trial.value
            missing = value is None or not math.isfinite(value)
            return (missing, 0.0 if missing else -sign * float(value or 0.0))

        rows = [
            {
                "run_id": trial.id,
                "hyperparameters": trial.params,
                "best_primary_metric": trial.value,
                "status": trial.status,
            }
            for trial in sorted(self.trials(), key=key)
        ]
        return rows[:top] if top > 0 else rows

    def _action(self, action: str, body: dict[str, Any] | None = None) -> Job:
        answer = self.console.session.request(
            "POST", f"/api/v1/training-jobs/{self.id}/{action}/", json=body, what=f"Job {self.id}"
        )
        if isinstance(answer, dict) and "id" in answer:
            self.data = answer
        else:
            self.refresh()
        return self

    def cancel(self) -> Job:
        return self._action("cancel")

    def pause(self) -> Job:
        return self._action("pause")

    def resume(self) -> Job:
        return self._action("resume")

    def extend(
        self, *, max_trials: int | None = None, max_duration_minutes: int | None = None
    ) -> Job:
        """Give the job more trials or more time (new totals); it continues the same search."""
        body = {"max_trials": max_trials, "max_duration_minutes": max_duration_minutes}
        return self._action("extend", {k: v for k, v in body.items() if v is not None})

    def get_best_run_by_primary_metric(self) -> Trial | None:
        """The trial with the best objective (the console's pick; NaN is never best)."""
        self.refresh()
        best = self.data.get("best_trial")
        if isinstance(best, dict) and best.get("id") is not None:
            return self.console.get_trial(int(best["id"]))
        trial = best_trial(self.trials(), self.goal)
        return trial.refresh() if trial is not None else None

    def wait_for_completion(
        self,
        show_output: bool = True,
        *,
        show_log: bool = False,
        poll: float = 2.0,
        timeout: float | None = None,
        raise_on_error: bool = True,
    ) -> Job:
        """Wait until the job ends; with ``show_output`` a live bar shows trials done,
        running and the best value so far, and ``show_log`` prints the best trial's log
        tail at the end. Raises ``ConsoleError`` on ``timeout`` (seconds), and
        ``JobFailed`` when the job ended ``failed`` unless ``raise_on_error`` is false (as
        HyperDrive's ``wait_for_completion``; a canceled or timed-out job returns)."""
        from sweepconsole.progress import watch

        job = watch(self, show_output=show_output, show_log=show_log, poll=poll, timeout=timeout)
        if raise_on_error and job.status == "failed":
            raise JobFailed(job)
        return job
