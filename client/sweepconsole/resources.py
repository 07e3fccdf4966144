"""What the console holds, as objects: an algorithm, a training job, a trial.

Each wraps the JSON the REST API answered (``.data``, also readable as ``obj["field"]``)
and talks back to the console through the ``Console`` that made it.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sweepconsole.defaults import policy_without_defaults, search_algorithms_without_defaults
from sweepconsole.errors import ConsoleError
from sweepconsole.sampling import (
    EarlyTerminationPolicy,
    ParameterSampling,
    PrimaryMetricGoal,
    policy_from_json,
    sampling_from_json,
)
from sweepconsole.waiting import wait_while_busy

if TYPE_CHECKING:
    from sweepconsole.console import Console

__all__ = ["Algorithm", "Job", "Trial", "TrialList"]

JOB_FINISHED = frozenset({"completed", "failed", "canceled", "timed_out"})
TRIAL_FINISHED = frozenset({"completed", "failed", "early_stopped", "canceled", "lost"})


class Resource:
    """An object of the console: its JSON (``data``) and the ``Console`` that read it."""

    def __init__(self, console: Console, data: dict[str, Any]) -> None:
        self.console = console
        self.data = data

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def owner(self) -> str:
        """The owner's user name ("" where the console does not say)."""
        return str(self.data.get("owner") or "")

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __repr__(self) -> str:
        name = self.data.get("name")
        label = f" {name!r}" if name else ""
        return f"<{type(self).__name__} {self.data.get('id')}{label} {self.data.get('status')}>"


# --------------------------------------------------------------------------- algorithm


class Algorithm(Resource):
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


class Trial(Resource):
    @property
    def number(self) -> int:
        return int(self.data.get("number") or 0)

    @property
    def status(self) -> str:
        return str(self.data.get("status", ""))

    @property
    def params(self) -> dict[str, Any]:
        """The searched values this trial ran with."""
        return dict(self.data.get("params") or {})

    @property
    def value(self) -> float | None:
        """Its objective (the last or best reported metric, as the job says)."""
        value = self.data.get("value")
        return None if value is None else float(value)

    def refresh(self) -> Trial:
        self.data = self.console.session.request(
            "GET", f"/api/v1/trials/{self.id}/", what=f"Trial {self.id}"
        )
        return self

    def metrics(self) -> list[float | None]:
        """The metric at each report, in order (the learning curve; ``None`` for NaN)."""
        if "curve" not in self.data or self.status not in TRIAL_FINISHED:
            self.refresh()
        return list(self.data.get("curve") or [])

    def get_metrics(self) -> dict[str, list[float | None]]:
        """HyperDrive's spelling: ``{metric name: curve}``."""
        job = self.console.get_job(int(self.data["job"])) if "job" in self.data else None
        name = (job.metric_name if job else None) or "metric"
        return {name: self.metrics()}

    def log(self) -> str:
        """The end of the trial's log (its last lines, as a terminal showed them)."""
        self.refresh()
        return str(self.data.get("log_tail") or "")

    def stop(self) -> Trial:
        """Stop this trial early (its process is ended within a second or two)."""
        self.data = (
            self.console.session.request(
                "POST", f"/api/v1/trials/{self.id}/stop/", what=f"Trial {self.id}"
            )
            or self.data
        )
        return self

    def outputs(self) -> list[dict[str, Any]]:
        """The files the trial wrote to its output folder: ``[{"path", "size", ...}]``."""
        body = self.console.session.request(
            "GET", f"/api/v1/trials/{self.id}/outputs/", what=f"Outputs of trial {self.id}"
        )
        if isinstance(body, dict):
            body = body.get("results", body.get("files", []))
        return list(body or [])

    def download_outputs(self, path: str | Path) -> list[Path]:
        """Download the trial's outputs as one zip and unpack it into ``path``; the files."""
        target = Path(path)
        buffer = io.BytesIO()
        session = self.console.session
        with session.stream("GET", f"/api/v1/trials/{self.id}/outputs.zip") as response:
            if response.status_code >= 400:
                response.read()
                session.raise_for(response, f"Outputs of trial {self.id}")
            for chunk in response.iter_bytes():
                buffer.write(chunk)
        return _safe_unzip(buffer, target)

    download_files = download_outputs  # HyperDrive's Run.download_files


def _safe_unzip(buffer: io.BytesIO, target: Path) -> list[Path]:
    """Unpack without letting a member escape ``target`` (no absolute paths, no ``..``)."""
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    written: list[Path] = []
    try:
        archive = zipfile.ZipFile(buffer)
    except zipfile.BadZipFile as exc:
        raise ConsoleError(f"The outputs download is not a zip archive: {exc}") from exc
    with archive:
        for member in archive.infolist():
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            if member.filename.startswith("/") or ".." in parts:
                raise ConsoleError(f"Refusing an unsafe path in the outputs: {member.filename!r}")
            destination = (root / Path(*parts)).resolve() if parts else root
            if root not in destination.parents and destination != root:
                raise ConsoleError(f"Refusing an unsafe path in the outputs: {member.filename!r}")
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(destination, "wb") as sink:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)
            written.append(destination)
    return written


class TrialList(list[Trial]):
    """A job's trials; ``to_pandas()`` gives one row per trial when pandas is installed."""

    def to_pandas(self) -> Any:
        try:
            import pandas as pd  # type: ignore[import-untyped, unused-ignore]
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas") from exc
        rows = []
        for trial in self:
            row = {
                "id": trial.id,
                "number": trial.number,
                "status": trial.status,
                "value": trial.value,
                "algorithm": trial.data.get("algorithm"),
            }
            row.update({f"param_{k}": v for k, v in trial.params.items()})
            rows.append(row)
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------- job


class Job(Resource):
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
    ) -> Job:
        """Wait until the job ends; with ``show_output`` a live bar shows trials done,
        running and the best value so far, and ``show_log`` prints the best trial's log
        tail at the end. Raises ``ConsoleError`` on ``timeout`` (seconds)."""
        from sweepconsole.progress import watch

        return watch(self, show_output=show_output, show_log=show_log, poll=poll, timeout=timeout)


def best_trial(trials: Iterable[Trial], goal: PrimaryMetricGoal | str) -> Trial | None:
    """The completed or early-stopped trial with the best finite objective (as the console
    picks it), or ``None``."""
    sign = -1.0 if str(goal) == PrimaryMetricGoal.MINIMIZE.value else 1.0
    scored = [
        t
        for t in trials
        if t.value is not None
        and math.isfinite(t.value)
        and t.status in ("completed", "early_stopped")
    ]
    if not scored:
        return None
    return max(scored, key=lambda t: sign * (t.value or 0.0))
