"""A trial of a training job: its values, objective, curve, log and output files, and
``TrialList``, a job's trials (``to_pandas()``)."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from sweepconsole.errors import ConsoleError
from sweepconsole.resource_base import Resource
from sweepconsole.sampling import PrimaryMetricGoal

__all__ = ["TRIAL_ENDED_COUNTED", "TRIAL_FINISHED", "Trial", "TrialList", "best_trial", "ended_of"]

TRIAL_FINISHED = frozenset({"completed", "failed", "early_stopped", "canceled", "lost"})
# The console's rule for "trials ended / total": canceled and lost trials say nothing of
# their values and use none of max_trials, so they are counted apart, not as ended.
TRIAL_ENDED_COUNTED = ("completed", "failed", "early_stopped")


def ended_of(counts: dict[str, Any]) -> int:
    """Trials ended that used the budget, from a job's ``trial_counts`` (as the pages count).

    >>> ended_of({"completed": 1, "canceled": 2, "running": 2, "total": 5})
    1
    """
    return sum(int(counts.get(status) or 0) for status in TRIAL_ENDED_COUNTED)


class Trial(Resource):
    """One run of a job's script with one set of values."""

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
