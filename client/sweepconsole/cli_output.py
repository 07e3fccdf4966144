"""What the ``sweep`` commands print for people (``--json`` aside): the list tables and
the detail views of algorithms, datasets, jobs and trials, built from the REST API's JSON.

Every cell is plain text (a regex such as ``[eE]`` is never read as rich markup), and
every value goes through ``sweepconsole.formatting.format_value`` (booleans ``true`` /
``false``, floats to six significant digits).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text

from sweepconsole.console import Console
from sweepconsole.datasets import Dataset
from sweepconsole.formatting import format_size, format_time, format_value
from sweepconsole.resources import Algorithm, Job
from sweepconsole.trials import Trial, ended_of

__all__ = [
    "algorithm_lines",
    "algorithms_table",
    "best_trial_lines",
    "dataset_files_table",
    "dataset_lines",
    "datasets_table",
    "detail_lines",
    "hyperparameter_table",
    "jobs_table",
    "shows_owners",
    "trial_lines",
    "trial_table",
]


def add_row(table: Table, *cells: str) -> None:
    # As plain text: a value such as "[eE]" must not be read as rich markup.
    table.add_row(*(Text(cell) for cell in cells))


def shows_owners(console: Console, items: Iterable[Algorithm | Dataset | Job]) -> bool:
    """Whether a list needs an owner column: staff see every user's objects, whose names
    may repeat."""
    return len({item.owner for item in items}) > 1 or console.caller().is_staff


def algorithms_table(items: Iterable[Algorithm], *, owners: bool) -> Table:
    """``sweep algorithms list``: one row per algorithm (an owner column for staff)."""
    table = Table(
        "id",
        "name",
        *(["owner"] if owners else []),
        "status",
        "metric",
        "search algorithms",
        "created",
    )
    for a in items:
        metric = a.data.get("metric") or {}
        add_row(
            table,
            str(a.id),
            a.name,
            *([a.owner] if owners else []),
            a.status,
            f"{metric.get('name', '')} ({metric.get('goal', '')})" if metric.get("name") else "",
            ", ".join(s.get("name", "") for s in a.data.get("search_algorithms") or []),
            format_time(a.data.get("created_at")),
        )
    return table


def detail_lines(header: str, *fields: str | None) -> list[str]:
    """A detail view: ``header``, then each field line indented under it; a field given
    as ``None`` does not apply and is left out.

    >>> detail_lines("mlp (id 3) ready", "owner: alice", None, "boot file: main.py")
    ['mlp (id 3) ready', '  owner: alice', '  boot file: main.py']
    """
    return [header, *(f"  {field}" for field in fields if field is not None)]


def _when(value: Any, line: str) -> str | None:
    """``line`` where ``value`` is set, else ``None`` (a field left out)."""
    return line if value else None


def _settled_lines(resource: Algorithm | Dataset, *fields: str | None) -> list[str]:
    """The detail view of an object the console checks after saving it: name, id and
    status, its owner and the reason for its status where there are, then ``fields``."""
    reason = resource.data.get("status_reason")
    return detail_lines(
        f"{resource.name} (id {resource.id}) {resource.status}",
        _when(resource.owner, f"owner: {resource.owner}"),
        _when(reason, f"reason: {reason}"),
        *fields,
    )


def algorithm_lines(algorithm: Algorithm) -> list[str]:
    """``sweep algorithms show``: the lines above its hyperparameter table."""
    data = algorithm.data
    metric = data.get("metric") or {}
    return _settled_lines(
        algorithm,
        f"boot file: {data.get('boot_file')}",
        _when(
            metric.get("name"),
            f"metric: {metric.get('name')} ({metric.get('goal')}), regex {metric.get('regex')}",
        ),
    )


def hyperparameter_table(rows: Iterable[dict[str, Any]]) -> Table:
    """An algorithm's hyperparameter table, one row per hyperparameter."""
    table = Table("hyperparameter", "type", "default", "min", "max", "choices", "required")
    for row in rows:
        add_row(
            table,
            str(row.get("name")),
            str(row.get("type")),
            format_value(row.get("default")),
            format_value(row.get("min")),
            format_value(row.get("max")),
            format_value(row.get("choices") or []),
            format_value(bool(row.get("required"))),
        )
    return table


def datasets_table(items: Iterable[Dataset], *, owners: bool) -> Table:
    """``sweep datasets list``: one row per dataset (an owner column for staff)."""
    table = Table(
        "id", "name", *(["owner"] if owners else []), "status", "files", "size", "created"
    )
    for d in items:
        ready = d.status == "ready"
        add_row(
            table,
            str(d.id),
            d.name,
            *([d.owner] if owners else []),
            d.status,
            # Counted by the worker that reads it: nothing to show before.
            format_value(d.data.get("file_count") if ready else None),
            format_size(d.data.get("size") if ready else None),
            format_time(d.data.get("created_at")),
        )
    return table


def dataset_lines(dataset: Dataset) -> list[str]:
    """``sweep datasets show``: the lines above its file table."""
    data = dataset.data
    if data.get("source") == "server_path":
        origin = f"from the server folder {data.get('server_path')}"
    else:
        origin = f"uploaded as {data.get('original_name')}"
    return _settled_lines(
        dataset,
        _when(data.get("description"), f"description: {data.get('description')}"),
        origin,
        _when(
            dataset.status == "ready",
            f"{format_value(data.get('file_count'))} file(s), "
            f"{format_size(data.get('size'))}, sha256 {data.get('content_hash')}",
        ),
        f"created: {format_time(data.get('created_at'))}",
    )


def dataset_files_table(files: Iterable[dict[str, Any]]) -> Table:
    """A dataset's files, one row each: path and size."""
    table = Table("file", "size")
    for item in files:
        add_row(table, str(item.get("path")), format_size(item.get("size")))
    return table


def jobs_table(items: Iterable[Job], *, owners: bool) -> Table:
    """``sweep jobs list``: one row per job (for staff, an owner column and each
    algorithm's id next to its name)."""
    table = Table(
        "id",
        "name",
        *(["owner"] if owners else []),
        "algorithm",
        "status",
        "ended",
        "running",
        "best",
        "created",
    )
    for job in items:
        counts = job.data.get("trial_counts") or {}
        best = job.data.get("best_trial") or {}
        algorithm = str(job.data.get("algorithm_name") or job.data.get("algorithm"))
        if owners and job.data.get("algorithm_name"):
            # Users' algorithms may share a name: the id says which one.
            algorithm = f"{algorithm} (id {job.data.get('algorithm')})"
        add_row(
            table,
            str(job.id),
            job.name,
            *([job.owner] if owners else []),
            algorithm,
            job.status,
            f"{ended_of(counts)}/{job.data.get('max_trials', '')}",
            str(counts.get("running", 0)),
            format_value(best.get("value")),
            format_time(job.data.get("created_at")),
        )
    return table


def trial_table(trials: Iterable[Trial], best_id: int | None) -> Table:
    """A job's trials, one column per searched hyperparameter; the best one's number
    marked ``*``."""
    trials = list(trials)
    names: list[str] = []
    for trial in trials:
        names.extend(n for n in trial.params if n not in names)
    table = Table("#", "id", "status", "value", *names, "algorithm")
    for trial in trials:
        mark = "*" if trial.id == best_id else ""
        add_row(
            table,
            f"{trial.number}{mark}",
            str(trial.id),
            trial.status,
            format_value(trial.value),
            *(format_value(trial.params.get(n)) for n in names),
            str(trial.data.get("algorithm") or ""),
        )
    return table


def _values(params: dict[str, Any]) -> list[str]:
    """A trial's searched values, one ``name = value`` field each."""
    return [f"{name} = {format_value(value)}" for name, value in params.items()]


def best_trial_lines(job: Job, best: Trial) -> list[str]:
    """``sweep jobs best``: the best trial, its objective and its values."""
    return detail_lines(
        f"Best trial #{best.number} (id {best.id}) of job {job.id}: {best.status}",
        f"{job.metric_name or 'value'} = {format_value(best.value)}",
        *_values(best.params),
    )


def trial_lines(trial: Trial) -> list[str]:
    """``sweep trials show``: status, reason, objective, values, command line, curve."""
    data = trial.data
    curve = data.get("curve") or []
    return detail_lines(
        f"Trial #{trial.number} (id {trial.id}) of job {data.get('job')}: {trial.status}",
        _when(data.get("status_reason"), f"reason: {data.get('status_reason')}"),
        f"value: {format_value(trial.value)}",
        *_values(trial.params),
        _when(data.get("command"), f"command: {' '.join(map(str, data.get('command') or []))}"),
        _when(curve, f"curve ({len(curve)} reports): {format_value(curve)}"),
    )
