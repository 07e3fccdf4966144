"""Checking a job file's content before anything is sent: every problem at once, each
with its field and line, and the REST API's create body for what is right.

``Checker(located, folder).check()`` gives the body (without ``algorithm``, which the
console resolves) and fills ``problems``; ``folder`` is where relative upload paths are
read from. Only what can be known without the console is checked here (types, the
vocabulary's own rules, limits); the console's refusals are mapped back by
``JobFile.api_problems``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sweepconsole.distribution_kinds import Choice, Distribution
from sweepconsole.distribution_reading import from_json, parse_expression
from sweepconsole.environment_names import reserved_name_error
from sweepconsole.errors import SpecError
from sweepconsole.policies import policy_class, policy_from_json, policy_params
from sweepconsole.sampling import sampling_class
from sweepconsole.upload import ALGORITHM_FIELDS as UPLOAD_FIELDS
from sweepconsole.yamlfile import Located

__all__ = ["ALGORITHM_FIELDS", "FIELDS", "LIMITS", "Checker", "Problem", "dotted", "read_range"]

FIELDS = (
    "name",
    "description",
    "algorithm",
    "dataset",
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
    "environment",
)
# An algorithm to upload: its path and the REST API fields a folder's algorithm.json may give.
ALGORITHM_FIELDS = ("path", *UPLOAD_FIELDS)
LIMITS = {
    # job-file key: (REST API key, minimum, maximum)
    "max_total_runs": ("max_trials", 1, 1000),
    "max_concurrent_runs": ("max_concurrent", 1, 100),
    "max_duration_minutes": ("max_duration_minutes", 1, 525_600),
    "trial_timeout_minutes": ("trial_timeout_minutes", 1, 525_600),
    "max_failed": ("max_failed", 1, 1000),
    "seed": ("seed", 0, 2**31 - 1),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a job file: the dotted ``field`` (``search_space.eta0``, ``""``
    for the whole file), the ``message`` and the 1-based ``line`` it is on, if known."""

    field: str
    message: str
    line: int | None = None

    def format(self, filename: str) -> str:
        """``job.yaml:7: search_space.eta0: message``."""
        where = f"{filename}:{self.line}" if self.line else filename
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def dotted(path: tuple[str | int, ...]) -> str:
    """A field path as written in messages: ``("sampling", 0, "name")`` -> ``sampling[0].name``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Checker:
    """Checks one job file's parsed content; see the module docstring."""

    def __init__(self, located: Located, folder: Path) -> None:
        self.located = located
        self.folder = folder
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(dotted(path), message, self.located.line_of(path)))

    def check(self) -> dict[str, Any]:
        """The create body of what is right; ``problems`` lists the rest."""
        doc = self.located.value
        if not isinstance(doc, dict):
            self.add((), "a job file is a YAML mapping of fields (name: ..., algorithm: ...)")
            return {}
        for key in doc:
            if key not in FIELDS:
                self.add((key,), f"unknown field{suggest(str(key), FIELDS)}")
        body: dict[str, Any] = {}
        self._name(doc, body)
        self._algorithm(doc.get("algorithm"))
        self._dataset(doc.get("dataset"))
        self._fixed(doc, body)
        self._omit(doc, body)
        self._search_space(doc, body)
        self._sampling(doc, body)
        self._policy(doc, body)
        self._metric(doc, body)
        self._limits(doc, body)
        self._environment(doc, body)
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
                        ("algorithm", key), f"unknown field{suggest(str(key), ALGORITHM_FIELDS)}"
                    )
            source = ref.get("path")
            if not isinstance(source, str) or not source:
                self.add(("algorithm",), "give path: a script, an archive or a folder to upload")
            elif not (self.folder / source).exists():
                self.add(("algorithm", "path"), f"no such file or folder: {source}")
        elif isinstance(ref, bool) or not isinstance(ref, (str, int)):
            self.add(("algorithm",), f"must be a name, an id or {{path: ...}}, got {ref!r}")

    def _dataset(self, ref: Any) -> None:
        # Resolved to an id at submit (``JobFile.resolve_dataset``), as the algorithm is.
        if ref is None:
            return
        if isinstance(ref, bool) or not isinstance(ref, (str, int)) or ref == "":
            self.add(
                ("dataset",),
                f"must be the name or id of a ready dataset of yours (or null), got {ref!r}",
            )

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

    def _environment(self, doc: dict[str, Any], body: dict[str, Any]) -> None:
        # The shape and the reserved names are checked here; the console judges the rest
        # (POSIX form, sizes), and its refusal comes back lined as this file's field.
        env = doc.get("environment")
        if env is None:
            return
        if not isinstance(env, Mapping):
            self.add(("environment",), f"must be a mapping of NAME: text, got {env!r}")
            return
        out: dict[str, str] = {}
        for name, value in env.items():
            if not isinstance(name, str):
                self.add(("environment", name), f"a variable's name must be text, got {name!r}")
            elif reserved := reserved_name_error(name):
                self.add(("environment", name), reserved)
            elif isinstance(value, str):
                out[name] = value
            elif isinstance(value, int) and not isinstance(value, bool):
                out[name] = str(value)  # OMP_NUM_THREADS: 2 means "2"
            elif isinstance(value, (bool, float)) or value is None:
                # YAML reads 1.0e-3, true or null as values the variable would not hold
                # as written: quoting keeps the text exactly.
                self.add(
                    ("environment", name),
                    f"a value is text: quote it ({name}: '...'), got {_yaml_text(value)}",
                )
            else:
                self.add(("environment", name), f"a value must be one text, got {value!r}")
        body["environment"] = out


def _yaml_text(value: bool | float | None) -> str:
    """A value as YAML read it: ``true``, ``null``, ``0.001``."""
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else repr(value)


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


def suggest(key: str, known: tuple[str, ...]) -> str:
    """`` 'nmae'; did you mean 'name'?`` (or the known keys): the tail of an unknown-field
    message."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
    return f" {key!r}{hint}"
