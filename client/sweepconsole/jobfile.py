"""Job files: a search described in YAML, checked locally, then submitted.

The format (every key but ``name`` and ``algorithm`` optional)::

    name: digits random search
    description: eta0 and alpha, bandit stopping
    algorithm: digits-sgd            # a name or id of a ready algorithm (a name several
                                     # users' algorithms share means yours), or
                                     # {path: ./train.py, name: ..., boot_file: ...,
                                     #  hyperparameters: [...], metric: {...},
                                     #  search_algorithms: [...]} to upload one
    fixed:                           # values every trial gets
      epochs: 20
    omit: [average]                  # optional hyperparameters left out
    search_space:                    # HyperDrive expressions, lists, or the console's JSON
      eta0: loguniform(-9.2, -2.3)
      penalty: [l2, l1]
      alpha: {type: float, low: 1.0e-6, high: 1.0e-2, log: true}
    sampling: random                 # or {name: tpe, params: {gamma: 0.2}}, or a list
    policy: {name: bandit, slack_factor: 0.1, evaluation_interval: 1}
    metric: {name: val_loss, goal: minimize}   # overrides the algorithm's, field by field
    objective: last                  # or best
    max_total_runs: 8
    max_concurrent_runs: 2
    max_duration_minutes: 30
    trial_timeout_minutes: 5
    max_failed: 3
    seed: 0
    dataset: diabetes-csv            # a ready dataset of yours, by name or id: every trial
                                     # gets it as --data_url and DATA_URL
    environment:                     # variables every trial gets, NAME: text
      OMP_NUM_THREADS: "2"

Every problem is reported with the field and the line it is on, all at once, before
anything is sent. ``job_to_document`` writes any job of the console back in this format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sweepconsole.errors import (
    AmbiguousName,
    ConsoleError,
    NotFound,
    flatten_messages,
)
from sweepconsole.jobfile_check import Checker, Problem, dotted
from sweepconsole.jobfile_export import dump_document, job_to_document
from sweepconsole.yamlfile import Located, YamlError, load_located

if TYPE_CHECKING:
    from sweepconsole.console import Console
    from sweepconsole.datasets import Dataset
    from sweepconsole.resources import Algorithm, Job

__all__ = [
    "JobFile",
    "JobFileError",
    "Problem",
    "dump_document",
    "job_to_document",
    "load_job_file",
]

# REST API error keys -> job-file keys.
_API_TO_FILE = {
    "hyperparameters": "fixed",
    "search_algorithms": "sampling",
    "max_trials": "max_total_runs",
    "max_concurrent": "max_concurrent_runs",
}


class JobFileError(ValueError):
    """A job file that cannot be submitted; ``problems`` names each field and line, in the
    file's line order (those with no line, about the whole file or job, last)."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        super().__init__("\n".join(p.format(filename) for p in self.problems))


@dataclass
class JobFile:
    path: Path
    located: Located
    # The REST API body without "algorithm" and "dataset" (resolved by
    # ``resolve_algorithm`` and ``resolve_dataset`` when it is submitted).
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def doc(self) -> dict[str, Any]:
        value = self.located.value
        return value if isinstance(value, dict) else {}

    def line(self, *path: str | int) -> int | None:
        return self.located.line_of(tuple(path))

    def error(self, field_path: tuple[str | int, ...], message: str) -> JobFileError:
        return JobFileError(str(self.path), [self._problem(field_path, message)])

    def _problem(self, field_path: tuple[str | int, ...], message: str) -> Problem:
        return Problem(dotted(field_path), message, self.located.line_of(field_path))

    # --- the algorithm ------------------------------------------------------------------

    def resolve_algorithm(self, console: Console) -> Algorithm:
        """The algorithm the file names (looked up: a name several users' algorithms share
        means the caller's own) or describes (uploaded, or reused when one of that name of
        the caller's exists already)."""
        ref = self.doc.get("algorithm")
        if isinstance(ref, Mapping):
            return self._upload(console, ref)
        try:
            algorithm = console.get_algorithm(ref)  # type: ignore[arg-type]
        except NotFound:
            names = ", ".join(_own_names(console, console.algorithms())) or "none"
            raise self.error(
                ("algorithm",), f"no algorithm {ref!r} was found (yours: {names})"
            ) from None
        except AmbiguousName as exc:
            raise self.error(("algorithm",), exc.message) from None
        if algorithm.status != "ready":
            raise self.error(
                ("algorithm",),
                f"algorithm {algorithm.name!r} is {algorithm.status}, not ready"
                + (
                    f": {algorithm.data.get('status_reason')}"
                    if algorithm.status == "failed"
                    else ""
                ),
            )
        return algorithm

    def _upload(self, console: Console, spec: Mapping[str, Any]) -> Algorithm:
        source = (self.path.parent / str(spec["path"])).resolve()
        fields = {k: v for k, v in spec.items() if k != "path"}
        name = fields.get("name") or _folder_name(source)
        if name:
            try:
                existing = console.own_algorithm(str(name))
            except AmbiguousName as exc:
                raise self.error(("algorithm", "name"), exc.message) from None
            if existing is not None and existing.status == "ready":
                return existing
        try:
            return console.create_algorithm(source, **fields)
        except ConsoleError as exc:
            problems = [
                self._problem(("algorithm", *_split(key)), text)
                for key, text in exc.field_messages()
            ] or [self._problem(("algorithm",), exc.message)]
            raise JobFileError(str(self.path), problems) from None

    # --- the dataset --------------------------------------------------------------------

    def resolve_dataset(self, console: Console) -> int | None:
        """The id of the ready dataset the file names (by name, the caller's own first, or
        by id), or ``None`` without one; ``JobFileError`` on its line otherwise."""
        ref = self.doc.get("dataset")
        if ref is None:
            return None
        try:
            dataset = console.get_dataset(ref)
        except NotFound:
            names = ", ".join(_own_names(console, console.datasets())) or "none"
            raise self.error(
                ("dataset",), f"no dataset {ref!r} was found (yours: {names})"
            ) from None
        except AmbiguousName as exc:
            raise self.error(("dataset",), exc.message) from None
        if dataset.status != "ready":
            reason = dataset.data.get("status_reason") if dataset.status == "failed" else ""
            raise self.error(
                ("dataset",),
                f"dataset {dataset.name!r} is {dataset.status}, not ready"
                + (f": {reason}" if reason else ""),
            )
        return dataset.id

    # --- submitting ---------------------------------------------------------------------

    def submit(self, console: Console) -> Job:
        """Resolve the dataset and the algorithm (uploading it if the file says so), then
        create the job; a refusal names the file's fields and lines."""
        dataset = self.resolve_dataset(console)
        algorithm = self.resolve_algorithm(console)
        body = {**self.body, "algorithm": algorithm.id}
        if dataset is not None:
            body["dataset"] = dataset
        try:
            return console.submit_json(body)
        except ConsoleError as exc:
            if exc.status != 400:
                raise
            raise self.api_problems(exc.fields) from None

    def api_problems(self, fields: Mapping[str, Any]) -> JobFileError:
        """The console's 400 answer, keyed and lined as the file's fields."""
        problems = []
        for key, text in flatten_messages(fields):
            parts = _split(key)
            if parts and parts[0] in _API_TO_FILE:
                parts = (_API_TO_FILE[str(parts[0])], *parts[1:])
            if parts[:1] == ("sampling",) and len(parts) > 1 and str(parts[1]).isdecimal():
                if isinstance(self.doc.get("sampling"), list):
                    parts = ("sampling", int(parts[1]), *parts[2:])
                else:
                    parts = ("sampling", *parts[2:])
            if parts[:1] in (("fixed",), ("search_space",)) and len(parts) > 2:
                parts = parts[:2]  # "value" or "low" is said by the message itself
            problems.append(self._problem(parts, text))
        return JobFileError(str(self.path), problems)


def _own_names(console: Console, items: Iterable[Algorithm | Dataset]) -> list[str]:
    """The names of the caller's ``items`` (staff see everyone's: those are not listed)."""
    me = console.caller().username
    return [item.name for item in items if me is None or item.owner in (me, "")]


def _split(key: str) -> tuple[str | int, ...]:
    return tuple(part for part in key.split(".") if part)


def _folder_name(source: Path) -> str | None:
    spec = source / "algorithm.json" if source.is_dir() else None
    if spec is not None and spec.is_file():
        try:
            name = json.loads(spec.read_text(encoding="utf-8")).get("name")
        except (ValueError, AttributeError):
            return None
        return str(name) if name else None
    return None


# --------------------------------------------------------------------------- loading


def load_job_file(path: str | Path, text: str | None = None) -> JobFile:
    """Read and check a job file; raise ``JobFileError`` listing every problem."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise JobFileError(
                str(path), [Problem("", f"cannot read it: {exc.strerror}")]
            ) from None
    try:
        located = load_located(text)
    except YamlError as exc:
        raise JobFileError(str(path), [Problem("", exc.message, exc.line)]) from None
    job = JobFile(path, located)
    checker = Checker(located, path.parent)
    job.body = checker.check()
    duplicates = [Problem("", dup.message, dup.line) for dup in located.duplicates]
    if duplicates or checker.problems:
        raise JobFileError(str(path), [*duplicates, *checker.problems])
    return job
