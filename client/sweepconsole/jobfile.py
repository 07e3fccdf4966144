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

Every problem is reported with the field and the line it is on, all at once, before
anything is sent. ``job_to_document`` writes any job of the console back in this format.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sweepconsole.distributions import Choice, Distribution, from_json, parse_expression
from sweepconsole.errors import (
    AmbiguousName,
    ConsoleError,
    NotFound,
    SpecError,
    flatten_messages,
)
from sweepconsole.sampling import policy_class, policy_from_json, policy_params, sampling_class
from sweepconsole.yamlfile import Located, YamlError, load_located

if TYPE_CHECKING:
    from sweepconsole.console import Console
    from sweepconsole.resources import Algorithm, Job

__all__ = ["JobFile", "JobFileError", "Problem", "job_to_document", "load_job_file"]

FIELDS = (
    "name",
    "description",
    "algorithm",
    "fixed",
    "omit",
    "search_space",
    "sampling",
    "policy",
    "metric",
    "objective",
    "max_total_runs",
    "max_concurrent_runs",
    "max_duration_minutes",
    "trial_timeout_minutes",
    "max_failed",
    "lost_counts_as_failed",
    "seed",
)
ALGORITHM_FIELDS = (
    "path",
    "name",
    "description",
    "boot_file",
    "engine",
    "hyperparameters",
    "auto_search",
    "metric",
    "search_algorithms",
)
LIMITS = {
    # job-file key: (REST API key, minimum, maximum)
    "max_total_runs": ("max_trials", 1, 1000),
    "max_concurrent_runs": ("max_concurrent", 1, 100),
    "max_duration_minutes": ("max_duration_minutes", 1, 525_600),
    "trial_timeout_minutes": ("trial_timeout_minutes", 1, 525_600),
    "max_failed": ("max_failed", 1, 1000),
    "seed": ("seed", 0, 2**31 - 1),
}
# REST API error keys -> job-file keys.
_API_TO_FILE = {
    "hyperparameters": "fixed",
    "search_algorithms": "sampling",
    "max_trials": "max_total_runs",
    "max_concurrent": "max_concurrent_runs",
}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    line: int | None = None

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class JobFileError(ValueError):
    """A job file that cannot be submitted; ``problems`` names each field and line."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(p.format(filename) for p in problems))


@dataclass
class JobFile:
    path: Path
    located: Located
    # The REST API body without "algorithm" (resolved by ``resolve_algorithm``).
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
        return Problem(_dotted(field_path), message, self.located.line_of(field_path))

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
            names = ", ".join(_own_names(console)) or "none"
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

    # --- submitting ---------------------------------------------------------------------

    def submit(self, console: Console) -> Job:
        """Resolve the algorithm and create the job; a refusal names the file's fields."""
        algorithm = self.resolve_algorithm(console)
        try:
            return console.submit_json({**self.body, "algorithm": algorithm.id})
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


def _own_names(console: Console) -> list[str]:
    """The names of the caller's algorithms (staff see everyone's: those are not listed)."""
    me = console.caller().username
    return [a.name for a in console.algorithms() if me is None or a.owner in (me, "")]


def _split(key: str) -> tuple[str | int, ...]:
    return tuple(part for part in key.split(".") if part)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
    checker = _Checker(job)
    job.body = checker.check()
    if checker.problems:
        raise JobFileError(str(path), checker.problems)
    return job


class _Checker:
    def __init__(self, job: JobFile) -> None:
        self.job = job
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(self.job._problem(path, message))

    def check(self) -> dict[str, Any]:
        doc = self.job.located.value
        if not isinstance(doc, dict):
            self.add((), "a job file is a YAML mapping of fields (name: ..., algorithm: ...)")
            return {}
        for key in doc:
            if key not in FIELDS:
                self.add((key,), f"unknown field{_suggest(str(key), FIELDS)}")
        body: dict[str, Any] = {}
        self._name(doc, body)
        self._algorithm(doc.get("algorithm"))
        self._fixed(doc, body)
        self._omit(doc, body)
        self._search_space(doc, body)
        self._sampling(doc, body)
        self._policy(doc, body)
        self._metric(doc, body)
        self._limits(doc, body)
        return body

    def _name(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        name = doc.get("name")
        if not isinstance(name, str) or not name.strip():
            self.add(("name",), f"give the job a name (a non-empty string), got {name!r}")
        else:
            body["name"] = name.strip()
        description = doc.get("description")
        if description is not None:
            if not isinstance(description, str):
                self.add(("description",), f"must be a string, got {description!r}")
            else:
                body["description"] = description

    def _algorithm(self, ref: Any) -> None:
        if ref is None:
            self.add(("algorithm",), "name the algorithm (its name or id), or give {path: ...}")
        elif isinstance(ref, Mapping):
            for key in ref:
                if key not in ALGORITHM_FIELDS:
                    self.add(
                        ("algorithm", key), f"unknown field{_suggest(str(key), ALGORITHM_FIELDS)}"
                    )
            source = ref.get("path")
            if not isinstance(source, str) or not source:
                self.add(("algorithm",), "give path: a script, an archive or a folder to upload")
            elif not (self.job.path.parent / source).exists():
                self.add(("algorithm", "path"), f"no such file or folder: {source}")
        elif isinstance(ref, bool) or not isinstance(ref, (str, int)):
            self.add(("algorithm",), f"must be a name, an id or {{path: ...}}, got {ref!r}")

    def _fixed(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        fixed = doc.get("fixed")
        if fixed is None:
            return
        if not isinstance(fixed, Mapping):
            self.add(("fixed",), f"must be a mapping of hyperparameter: value, got {fixed!r}")
            return
        for name, value in fixed.items():
            if value is not None and not isinstance(value, (str, int, float, bool)):
                self.add(("fixed", name), f"a fixed value must be a single value, got {value!r}")
        body["hyperparameters"] = dict(fixed)

    def _omit(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        omit = doc.get("omit")
        if omit is None:
            return
        if not isinstance(omit, list) or not all(isinstance(n, str) for n in omit):
            self.add(("omit",), f"must be a list of hyperparameter names, got {omit!r}")
            return
        body["omit"] = list(omit)

    def _search_space(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        space = doc.get("search_space")
        if space is None:
            return
        if not isinstance(space, Mapping):
            self.add(
                ("search_space",), f"must be a mapping of hyperparameter: range, got {space!r}"
            )
            return
        out: dict[str, Any] = {}
        for name, entry in space.items():
            try:
                out[str(name)] = read_range(entry).to_json()
            except SpecError as exc:
                self.add(("search_space", name), str(exc))
        fixed = doc.get("fixed")
        if isinstance(fixed, Mapping):
            for name in set(fixed) & set(space):
                self.add(("search_space", name), f"{name} is in fixed too: keep one")
        body["search_space"] = out

    def _sampling(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        value = doc.get("sampling")
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        out = []
        for index, item in enumerate(items):
            where: tuple[str | int, ...] = (
                ("sampling", index) if isinstance(value, list) else ("sampling",)
            )
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, Mapping):
                self.add(where, f"give a search algorithm's name or {{name, params}}, got {item!r}")
                continue
            unknown = [k for k in item if k not in ("name", "params")]
            for key in unknown:
                self.add((*where, key), "unknown field (a sampling has name and params)")
            try:
                cls = sampling_class(item.get("name"))
            except SpecError as exc:
                self.add((*where, "name") if "name" in item else where, str(exc))
                continue
            params = item.get("params") or {}
            if not isinstance(params, Mapping):
                self.add((*where, "params"), f"must be a mapping, got {params!r}")
                continue
            out.append({"name": cls.name, "params": dict(params)})
        if not doc.get("search_space"):
            self.add(("sampling",), "a sampling needs a search_space to search")
        body["search_algorithms"] = out

    def _policy(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        value = doc.get("policy")
        if value is None:
            return
        if isinstance(value, str):
            value = {"name": value}
        if not isinstance(value, Mapping):
            self.add(("policy",), f"give a policy's name or {{name, ...parameters}}, got {value!r}")
            return
        try:
            cls = policy_class(value.get("name"))
        except SpecError as exc:
            self.add(("policy", "name") if "name" in value else ("policy",), str(exc))
            return
        known = set(policy_params(cls)) | set(cls.renamed)
        # Parameters this client does not name go to the console, which knows its own
        # (a job exported from a newer console keeps working); it refuses a typo itself.
        unknown = [str(k) for k in value if k != "name" and k not in known]
        try:
            policy = policy_from_json({**value, "name": cls.name})
        except SpecError as exc:
            hint = f" (not known here: {', '.join(unknown)})" if unknown else ""
            self.add(("policy",), f"{exc}{hint}")
            return
        if policy is not None:
            body["policy"] = policy.to_json()

    def _metric(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        metric = doc.get("metric")
        if metric is None:
            return
        if not isinstance(metric, Mapping):
            self.add(("metric",), f"must be a mapping with name, goal or regex, got {metric!r}")
            return
        for key, value in metric.items():
            if key not in ("name", "goal", "regex"):
                self.add(("metric", key), "unknown field (a metric has name, goal and regex)")
            elif not isinstance(value, str):
                self.add(("metric", key), f"must be a string, got {value!r}")
        goal = metric.get("goal")
        if isinstance(goal, str) and goal.strip().lower() not in ("maximize", "minimize"):
            self.add(("metric", "goal"), f"must be maximize or minimize, got {goal!r}")
        body["metric"] = dict(metric)

    def _limits(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        objective = doc.get("objective")
        if objective is not None:
            if objective not in ("last", "best"):
                self.add(("objective",), f"must be last or best, got {objective!r}")
            else:
                body["objective"] = objective
        for key, (api_key, low, high) in LIMITS.items():
            value = doc.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.add((key,), f"must be a whole number from {low} to {high}, got {value!r}")
            else:
                body[api_key] = value
        total, concurrent = body.get("max_trials"), body.get("max_concurrent")
        if total is not None and concurrent is not None and concurrent > total:
            self.add(
                ("max_concurrent_runs",),
                f"{concurrent} concurrent runs cannot be more than max_total_runs ({total})",
            )
        lost = doc.get("lost_counts_as_failed")
        if lost is not None:
            if not isinstance(lost, bool):
                self.add(("lost_counts_as_failed",), f"must be true or false, got {lost!r}")
            else:
                body["lost_counts_as_failed"] = lost


def read_range(entry: Any) -> Distribution:
    """One ``search_space`` entry of a job file: an expression, a list or the console's JSON."""
    if isinstance(entry, str):
        return parse_expression(entry)
    if isinstance(entry, list):
        return Choice(tuple(entry))
    if isinstance(entry, Mapping):
        return from_json(entry)
    raise SpecError(
        "give a range as loguniform(-9.2, -2.3), a list of choices, or "
        f"{{type: float, low: ..., high: ...}}, got {entry!r}"
    )


def _suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
    return f" {key!r}{hint}"


# --------------------------------------------------------------------------- exporting


_HYPERDRIVE_KINDS = frozenset({"choice", "randint", "uniform", "loguniform", "normal", "lognormal"})


def job_to_document(job: Job, *, algorithm: int | str | None = None) -> dict[str, Any]:
    """A job of the console as a job file's content: submitting it runs the same search.

    ``algorithm`` is how to name its algorithm (``Console.algorithm_reference``: the name,
    or the id when the name would mean another algorithm); by default, its name.
    """
    data = job.data
    doc: dict[str, Any] = {"name": data.get("name", "")}
    if data.get("description"):
        doc["description"] = data["description"]
    if algorithm is None:
        algorithm = data.get("algorithm_name") or data.get("algorithm")
    doc["algorithm"] = algorithm
    if data.get("hyperparameters"):
        doc["fixed"] = dict(data["hyperparameters"])
    if data.get("omit"):
        doc["omit"] = list(data["omit"])
    space = data.get("search_space") or {}
    if space:
        doc["search_space"] = {name: _range_entry(spec) for name, spec in space.items()}
        doc["sampling"] = [
            {"name": item["name"], "params": dict(item.get("params") or {})}
            if item.get("params")
            else {"name": item["name"]}
            for item in data.get("search_algorithms") or []
        ]
        if data.get("policy"):
            doc["policy"] = {k: v for k, v in data["policy"].items() if v is not None}
    metric = data.get("metric") or {}
    if metric:
        doc["metric"] = {k: metric[k] for k in ("name", "goal", "regex") if metric.get(k)}
    if data.get("objective"):
        doc["objective"] = data["objective"]
    for key, (api_key, _, _) in LIMITS.items():
        if data.get(api_key) is not None:
            doc[key] = data[api_key]
    if data.get("lost_counts_as_failed"):
        doc["lost_counts_as_failed"] = True
    return doc


def _range_entry(spec: Mapping[str, Any]) -> Any:
    try:
        dist = from_json(spec)
    except SpecError:
        return dict(spec)
    if dist.type in _HYPERDRIVE_KINDS:
        return dist.expression()
    return dist.to_json()


def dump_document(doc: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=100)
