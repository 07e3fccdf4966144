"""The create-job page: POST fields <-> the API's create shape, and the state to re-render.

The page never validates on its own: it turns what was posted into the shape the REST
API takes (``trainingjobs.specs.validate_job_spec``'s ``data``), typing each value by its
hyperparameter's type when the text reads as one (anything else goes through as typed, so
the one validator names the bad value), and maps the validator's messages back beside
their inputs. A refused submission re-renders every value and every toggle as posted.

Field names: ``algorithm``, ``name``, ``description``; one row per hyperparameter of the
algorithm as ``hp-<i>-<field>`` with a hidden ``hp-<i>-name`` (fields: ``value``,
``include`` (optional rows only), ``search`` (the range toggle), ``dist`` (``range`` or a
HyperDrive distribution), ``low``/``high``/``scale``/``step`` (a range of a number),
``values`` (multi-select of a str enumeration), ``typed`` (a typed list), and the
advanced ones ``dlow``/``dhigh``/``mu``/``sigma``/``q``/``upper``/``dvalues``);
``metric_name``, ``metric_goal``, ``metric_regex``; ``sa`` (checked search algorithms)
with ``sa-<algorithm>-<param>``; ``objective``; ``policy`` with
``policy-<policy>-<param>``; the limits by their API names; the environment table's rows
as ``env-<i>-name`` and ``env-<i>-value``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from algorithms.models import Algorithm, Hyperparameter
from algorithms.spec_display import display_value, format_constraint, stored_number
from search import list_policies, list_samplers

# Every HyperDrive distribution the advanced choice offers, with the fields it reads
# (as ``search.SearchSpace`` reads them) and what they mean.
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "choice": (("values",), "one of the listed values"),
    "uniform": (("low", "high"), "uniform between low and high"),
    "loguniform": (("low", "high"), "exp(uniform(low, high)): low and high are exponents"),
    "normal": (("mu", "sigma"), "normal with mean mu and deviation sigma"),
    "lognormal": (("mu", "sigma"), "exp(normal(mu, sigma))"),
    "quniform": (("low", "high", "q"), "round(uniform(low, high) / q) * q"),
    "qloguniform": (("low", "high", "q"), "round(exp(uniform(low, high)) / q) * q"),
    "qnormal": (("mu", "sigma", "q"), "round(normal(mu, sigma) / q) * q"),
    "qlognormal": (("mu", "sigma", "q"), "round(exp(normal(mu, sigma)) / q) * q"),
    "randint": (("upper",), "an integer in [0, upper)"),
}
# The form's input for each field of an advanced distribution (``low`` and ``high`` have
# their own inputs there, apart from the simple range's).
ADVANCED_INPUTS = {
    "low": "dlow",
    "high": "dhigh",
    "mu": "mu",
    "sigma": "sigma",
    "q": "q",
    "upper": "upper",
    "values": "dvalues",
}
ROW_FIELDS = (
    "value",
    "dist",
    "low",
    "high",
    "scale",
    "step",
    "typed",
    "dlow",
    "dhigh",
    "mu",
    "sigma",
    "q",
    "upper",
    "dvalues",
)
LIMITS = (
    "max_trials",
    "max_concurrent",
    "max_duration_minutes",
    "trial_timeout_minutes",
    "max_failed",
)
DEFAULT_LIMITS = {
    "max_trials": "10",
    "max_concurrent": "2",
    "max_duration_minutes": "",
    "trial_timeout_minutes": "",
    "max_failed": "",
}
PLACEHOLDERS = ("trial_dir", "output_dir", "trial_id", "job_id", "data_dir")
ENV_BLANK_ROWS = 2  # empty rows of the environment table (the page's script adds more)
_INT_RE = re.compile(r"^[-+]?\d+$")
_ON = ("on", "true", "1")


# --- text -> typed values ------------------------------------------------------------------


def typed_value(text: str, hp_type: str) -> Any:
    """A typed text as its hyperparameter's type when it reads as one, else the text.

    Text that does not read as the type goes through unchanged, so that the validator
    names the bad value ("expected a float, got 'abc'") instead of the page guessing.

    >>> typed_value("2", "int"), typed_value("0.1", "float"), typed_value("true", "bool")
    (2, 0.1, True)
    >>> typed_value("2.5", "int"), typed_value("abc", "float"), typed_value(" 3 ", "str")
    (2.5, 'abc', ' 3 ')
    """
    if hp_type == "str":
        return text
    stripped = text.strip()
    if hp_type == "bool":
        lowered = stripped.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        return stripped
    return number(stripped)


def number(text: str) -> Any:
    """An int for integer text, a float for decimal text, else the text as typed.

    >>> number("3"), number("1e-3"), number("x"), number("")
    (3, 0.001, 'x', '')
    """
    stripped = text.strip()
    if _INT_RE.match(stripped):
        return int(stripped)
    try:
        value = float(stripped)
    except ValueError:
        return stripped
    # "nan" and "inf" are text a person typed, not a bound: the validator says so.
    return value if math.isfinite(value) else stripped


def split_list(text: str) -> list[str]:
    """A comma-separated list typed in one input; blank items dropped.

    >>> split_list("adam, sgd,, rmsprop ")
    ['adam', 'sgd', 'rmsprop']
    """
    return [item.strip() for item in text.split(",") if item.strip()]


# --- the form --------------------------------------------------------------------------------


@dataclass
class JobForm:
    """What the page posted (``raw``), and the API create shape made of it (``data``)."""

    raw: dict[str, Any]
    algorithm: Algorithm | None
    hyperparameters: list[Hyperparameter] = field(default_factory=list)

    @classmethod
    def initial(cls, algorithm: Algorithm | None) -> JobForm:
        rows = list(algorithm.hyperparameters.all()) if algorithm else []
        raw: dict[str, Any] = {
            "algorithm": str(algorithm.pk) if algorithm else "",
            "dataset": "",
            "name": "",
            "description": "",
            "rows": {hp.name: _initial_row(hp) for hp in rows},
            "metric": {
                "name": algorithm.metric_name if algorithm else "",
                "goal": algorithm.metric_goal if algorithm else Algorithm.Goal.MAXIMIZE,
                "regex": algorithm.metric_regex if algorithm else "",
            },
            "selected": _supported(algorithm)[:1],
            "params": _supported_params(algorithm),
            "objective": "last",
            "policy": "",
            "policy_params": {},
            "limits": dict(DEFAULT_LIMITS),
            "lost_counts_as_failed": False,
            "environment": [],
        }
        return cls(raw=raw, algorithm=algorithm, hyperparameters=rows)

    @classmethod
    def from_post(cls, post: QueryDict, algorithm: Algorithm | None) -> JobForm:
        rows = list(algorithm.hyperparameters.all()) if algorithm else []
        posted = _posted_rows(post)
        raw: dict[str, Any] = {
            "algorithm": post.get("algorithm", ""),
            "dataset": post.get("dataset", ""),
            "name": post.get("name", ""),
            "description": post.get("description", ""),
            "rows": {hp.name: _row_from_post(hp, posted.get(hp.name)) for hp in rows},
            "metric": {
                "name": post.get("metric_name", ""),
                "goal": post.get("metric_goal", ""),
                "regex": post.get("metric_regex", ""),
            },
            "selected": post.getlist("sa"),
            "params": _prefixed(post, "sa-"),
            "objective": post.get("objective", "last"),
            "policy": post.get("policy", ""),
            "policy_params": _prefixed(post, "policy-"),
            "limits": {name: post.get(name, "") for name in LIMITS},
            "lost_counts_as_failed": post.get("lost_counts_as_failed", "") in _ON,
            "environment": posted_environment(post),
        }
        return cls(raw=raw, algorithm=algorithm, hyperparameters=rows)

    # --- raw -> the API's create shape ------------------------------------------------------

    @property
    def is_search(self) -> bool:
        return any(row["search"] and row["include"] for row in self.raw["rows"].values()) and bool(
            self.algorithm and self.algorithm.auto_search
        )

    def data(self) -> dict[str, Any]:
        raw = self.raw
        fixed: dict[str, Any] = {}
        omit: list[str] = []
        space: dict[str, Any] = {}
        search_on = bool(self.algorithm and self.algorithm.auto_search)
        for hp in self.hyperparameters:
            row = raw["rows"][hp.name]
            if not row["include"]:
                omit.append(hp.name)
            elif search_on and row["search"]:
                space[hp.name] = range_spec(hp.type, row)
            elif row["value"].strip():
                fixed[hp.name] = typed_value(row["value"], hp.type)
            # A blank value is "not given": the row's default (its placeholder) runs, and a
            # row without one is left out, or named as missing if it is required.
        data: dict[str, Any] = {
            "name": raw["name"].strip(),
            "description": raw["description"],
            "algorithm": number(raw["algorithm"]) if raw["algorithm"] else None,
            "dataset": raw.get("dataset") or None,
            "hyperparameters": fixed,
            "search_space": space,
            "omit": omit,
            "objective": raw["objective"],
            "lost_counts_as_failed": raw["lost_counts_as_failed"],
            # Rows, not a mapping: a name typed twice, or a value without a name, is named
            # by the validator beside its own row.
            "environment": [
                {"name": row["name"].strip(), "value": row["value"]}
                for row in raw.get("environment", [])
            ],
        }
        metric = raw["metric"]
        if any(str(v).strip() for v in metric.values()):
            data["metric"] = {key: str(value).strip() for key, value in metric.items()}
        for name in LIMITS:
            text = raw["limits"][name].strip()
            data[name] = number(text) if text else None
        if space:
            data["search_algorithms"] = [
                {
                    "name": name,
                    "params": _typed_params(raw["params"].get(name, {}), _sampler_entry(name)),
                }
                for name in raw["selected"]
            ]
            data["policy"] = self._policy_data()
        else:
            # A plain single training run: one trial, no sampler, nothing to stop early.
            data.update(search_algorithms=[], policy=None, max_trials=1, max_concurrent=1)
        return data

    def _policy_data(self) -> dict[str, Any] | None:
        name = self.raw["policy"]
        if not name:
            return None
        params = _typed_params(self.raw["policy_params"].get(name, {}), _policy_entry(name))
        return {"name": name, **params}

    # --- the page ---------------------------------------------------------------------------

    def context(self, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
        tree = ErrorTree(errors or {})
        raw = self.raw
        data = self.data()
        rows = [
            _row_context(i, hp, raw["rows"][hp.name], tree)
            for i, hp in enumerate(self.hyperparameters)
        ]
        samplers = _samplers_context(self.algorithm, raw, data, tree)
        policies = _policies_context(raw, tree)
        # Taken after the rows and the cards: what they did not claim shows by its section.
        messages: dict[str, list[str]] = {
            "algorithm": tree.take("algorithm"),
            "dataset": tree.take("dataset"),
            "name": tree.take("name"),
            "description": tree.take("description"),
            "metric_name": tree.take("metric", "name") + tree.take("metric_name"),
            "metric_goal": tree.take("metric", "goal") + tree.take("metric_goal"),
            "metric_regex": tree.take("metric", "regex") + tree.take("metric_regex"),
            "metric": tree.take("metric"),
            "search_algorithms": tree.take("search_algorithms"),
            "objective": tree.take("objective"),
            "policy": tree.take("policy"),
            "lost_counts_as_failed": tree.take("lost_counts_as_failed"),
            **{name: tree.take(name) for name in LIMITS},
        }
        environment = environment_rows(raw.get("environment", []), tree)
        messages["environment"] = tree.take("environment")
        # Whatever no input claimed (``__all__``, a key this page does not know) still shows.
        messages["other"] = tree.rest()
        return {
            "raw": raw,
            "algorithm": self.algorithm,
            "search_enabled": bool(self.algorithm and self.algorithm.auto_search),
            "is_search": self.is_search,
            "rows": rows,
            "distributions": [
                {"name": name, "fields": fields, "meaning": meaning}
                for name, (fields, meaning) in DISTRIBUTIONS.items()
            ],
            "samplers": samplers,
            "policies": policies,
            "placeholders": PLACEHOLDERS,
            "environment": environment,
            "errors": messages,
            "has_errors": bool(errors),
        }


def range_spec(hp_type: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """One row's search range as a ``search.SearchSpace`` JSON spec.

    >>> range_spec("float", {"dist": "range", "low": "0.001", "high": "0.1", "scale": "log",
    ...                      "step": ""})
    {'type': 'float', 'low': 0.001, 'high': 0.1, 'log': True}
    >>> range_spec("str", {"dist": "range", "values": ["adam"], "typed": "sgd, adam"})
    {'type': 'choice', 'values': ['adam', 'sgd']}
    >>> range_spec("float", {"dist": "qnormal", "mu": "0", "sigma": "1", "q": "0.5"})
    {'type': 'qnormal', 'mu': 0, 'sigma': 1, 'q': 0.5}
    """
    dist = row.get("dist") or "range"
    if dist in DISTRIBUTIONS:
        spec: dict[str, Any] = {"type": dist}
        for name in DISTRIBUTIONS[dist][0]:
            text = str(row.get(ADVANCED_INPUTS[name], ""))
            if name == "values":
                spec[name] = [typed_value(item, hp_type) for item in split_list(text)]
            else:
                spec[name] = number(text) if text.strip() else None
        return spec
    if hp_type == "bool":
        return {"type": "bool"}
    if hp_type == "str":
        values = list(row.get("values") or [])
        values += [item for item in split_list(str(row.get("typed", ""))) if item not in values]
        return {"type": "choice", "values": values}
    spec = {
        "type": hp_type,
        "low": _bound(row.get("low", "")),
        "high": _bound(row.get("high", "")),
        "log": row.get("scale") == "log",
    }
    step = str(row.get("step", "")).strip()
    if step:
        spec["step"] = number(step)
    return spec


def _bound(text: Any) -> Any:
    text = str(text)
    return number(text) if text.strip() else None


# --- rows --------------------------------------------------------------------------------


def _initial_row(hp: Hyperparameter) -> dict[str, Any]:
    choices = [display_value(c) for c in hp.choices or []]
    return {
        "value": display_value(hp.default),
        # An optional row without a default has nothing to pass until a value is typed.
        "include": hp.required or hp.default is not None,
        "search": False,
        "dist": "range",
        "low": display_value(stored_number(hp.min, hp.type)),
        "high": display_value(stored_number(hp.max, hp.type)),
        "scale": "linear",
        "step": "",
        "values": choices,
        "typed": "",
        "dlow": "",
        "dhigh": "",
        "mu": "",
        "sigma": "",
        "q": "",
        "upper": "",
        "dvalues": ", ".join(choices),
    }


def _posted_rows(post: QueryDict) -> dict[str, dict[str, Any]]:
    """The posted rows by hyperparameter name (the hidden ``hp-<i>-name``)."""
    found: dict[str, dict[str, Any]] = {}
    for key in post:
        match = re.match(r"^hp-(\d{1,4})-name$", key)
        if not match:
            continue
        prefix = f"hp-{match.group(1)}-"
        row: dict[str, Any] = {name: post.get(prefix + name, "") for name in ROW_FIELDS}
        row["values"] = post.getlist(prefix + "values")
        row["include"] = post.get(prefix + "include", "") in _ON
        row["search"] = post.get(prefix + "search", "") in _ON
        row["scale"] = row["scale"] or "linear"
        row["dist"] = row["dist"] or "range"
        found[post.get(key, "")] = row
    return found


def _row_from_post(hp: Hyperparameter, posted: dict[str, Any] | None) -> dict[str, Any]:
    if posted is None:
        # The algorithm gained this row since the page was drawn: its defaults, as shown.
        return _initial_row(hp)
    row = dict(posted)
    if hp.required:
        row["include"] = True  # no checkbox is drawn: a required row cannot be left out
    return row


def _row_context(
    index: int, hp: Hyperparameter, row: dict[str, Any], tree: ErrorTree
) -> dict[str, Any]:
    name = hp.name
    dist = row["dist"] if row["dist"] in DISTRIBUTIONS else "range"
    search_errors: dict[str, list[str]] = {}
    if dist == "range" and hp.type == "str":
        by_input = {"values": "values"}
    elif dist == "range" and hp.type == "bool":
        by_input = {}
    elif dist == "range":
        by_input = {"low": "low", "high": "high", "log": "scale", "step": "step"}
    else:
        by_input = {field_: ADVANCED_INPUTS[field_] for field_ in DISTRIBUTIONS[dist][0]}
    for field_, input_name in by_input.items():
        search_errors.setdefault(input_name, []).extend(tree.take("search_space", name, field_))
    value_errors = tree.take("hyperparameters", name)
    errors = {
        "value": value_errors,
        "include": tree.take("omit", name),
        **search_errors,
    }
    # The rest about this row's range (its type, ``__all__``, a bare list) shows by the toggle.
    errors["search"] = tree.take("search_space", name)
    return {
        "index": index,
        "hp": hp,
        "raw": row,
        "dist": dist,
        # A str or bool row takes its values from a list; numbers take any distribution.
        "distributions": [d for d in DISTRIBUTIONS if hp.type in ("float", "int") or d == "choice"],
        "dist_fields": DISTRIBUTIONS[dist][0] if dist in DISTRIBUTIONS else (),
        "constraint": format_constraint(hp.type, hp.min, hp.max, hp.choices),
        "choices": [display_value(c) for c in hp.choices or []],
        "default_shown": display_value(hp.default),
        "errors": errors,
        "has_errors": any(errors.values()),
    }


# --- search algorithms and policies ---------------------------------------------------------


def _sampler_entry(name: str) -> dict[str, Any] | None:
    lowered = name.lower()
    for entry in list_samplers():
        if lowered in {n.lower() for n in (entry["name"], *entry["aliases"])}:
            return entry
    return None


def _policy_entry(name: str) -> dict[str, Any] | None:
    lowered = name.lower()
    for entry in list_policies():
        if lowered in {n.lower() for n in (entry["name"], *entry["aliases"])}:
            return entry
    return None


def _supported(algorithm: Algorithm | None) -> list[str]:
    if algorithm is None:
        return []
    return [str(item.get("name", "")) for item in algorithm.search_algorithms or []]


def _supported_params(algorithm: Algorithm | None) -> dict[str, dict[str, str]]:
    """Each supported sampler's parameters as the algorithm saved them, else its defaults."""
    params: dict[str, dict[str, str]] = {}
    for item in (algorithm.search_algorithms if algorithm else None) or []:
        entry = _sampler_entry(str(item.get("name", "")))
        saved = item.get("params") or {}
        params[str(item.get("name", ""))] = {
            p["name"]: display_value(saved.get(p["name"], p["default"]))
            for p in (entry["params"] if entry else [])
        }
    return params


def _typed_params(typed: Mapping[str, str], entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """A sampler's or policy's typed parameters; blank ones are left to their defaults."""
    kinds = {p["name"]: p["type"] for p in (entry or {}).get("params", [])}
    out: dict[str, Any] = {}
    for name, text in typed.items():
        if not str(text).strip():
            continue
        kind = kinds.get(name, "str")
        out[name] = typed_value(text, kind) if kind in ("int", "float", "bool") else text.strip()
    return out


def _prefixed(post: QueryDict, prefix: str) -> dict[str, dict[str, str]]:
    """``<prefix><owner>-<param>`` inputs as ``{owner: {param: text}}``."""
    found: dict[str, dict[str, str]] = {}
    for key in post:
        if key.startswith(prefix) and key.count("-") >= 2:
            _, owner, param = key.split("-", 2)
            found.setdefault(owner, {})[param] = post.get(key, "")
    return found


def _samplers_context(
    algorithm: Algorithm | None, raw: dict[str, Any], data: dict[str, Any], tree: ErrorTree
) -> list[dict[str, Any]]:
    posted_index = {
        item["name"]: str(i) for i, item in enumerate(data.get("search_algorithms", []))
    }
    cards = []
    for name in _supported(algorithm):
        entry = _sampler_entry(name)
        index = posted_index.get(name)
        typed = raw["params"].get(name, {})
        params = []
        for spec in entry["params"] if entry else []:
            messages = (
                tree.take("search_algorithms", index, "params", spec["name"]) if index else []
            )
            params.append(
                {
                    **spec,
                    "value": typed.get(spec["name"], display_value(spec["default"])),
                    "default_shown": display_value(spec["default"]),
                    "range": _range_text(spec),
                    "errors": messages,
                }
            )
        cards.append(
            {
                "name": name,
                "description": entry["description"] if entry else "",
                "checked": name in raw["selected"],
                "params": params,
                "errors": tree.take("search_algorithms", index) if index else [],
            }
        )
    return cards


def _policies_context(raw: dict[str, Any], tree: ErrorTree) -> list[dict[str, Any]]:
    chosen = raw["policy"]
    options = []
    for entry in list_policies():
        if entry["name"] == "none":
            continue  # "No early termination" is the empty choice
        typed = raw["policy_params"].get(entry["name"], {})
        selected = chosen == entry["name"]
        options.append(
            {
                "name": entry["name"],
                "description": entry["description"],
                "selected": selected,
                "params": [
                    {
                        **spec,
                        "value": typed.get(spec["name"], display_value(spec["default"])),
                        "default_shown": display_value(spec["default"]),
                        "range": _range_text(spec),
                        "errors": tree.take("policy", spec["name"]) if selected else [],
                    }
                    for spec in entry["params"]
                ],
            }
        )
    return options


def _range_text(param: Mapping[str, Any]) -> str:
    low, high = param.get("min"), param.get("max")
    if low is not None and high is not None:
        return f"{display_value(low)} … {display_value(high)}"
    if low is not None:
        return f"≥ {display_value(low)}"
    if high is not None:
        return f"≤ {display_value(high)}"
    return ""


# --- messages -> beside their inputs -----------------------------------------------------------


def posted_environment(post: QueryDict) -> list[dict[str, str]]:
    """The environment table's rows as posted (``env-<i>-name``, ``env-<i>-value``), in
    row order; a row left blank is dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in post.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == "env" and parts[1].isdigit() and len(parts[1]) < 4:
            if parts[2] in ("name", "value"):
                rows.setdefault(int(parts[1]), {"name": "", "value": ""})[parts[2]] = value
    return [row for _, row in sorted(rows.items()) if row["name"].strip() or row["value"]]


def environment_rows(
    rows: list[dict[str, str]], tree: ErrorTree, blank: int = ENV_BLANK_ROWS
) -> list[dict[str, Any]]:
    """The table to draw: the rows as typed with their messages, then ``blank`` empty rows."""
    drawn = [
        {
            "index": i,
            "name": row["name"],
            "value": row["value"],
            "name_errors": tree.take("environment", i, "name"),
            "value_errors": tree.take("environment", i, "value") + tree.take("environment", i),
        }
        for i, row in enumerate(rows)
    ]
    drawn += [
        {"index": i, "name": "", "value": "", "name_errors": [], "value_errors": []}
        for i in range(len(rows), len(rows) + blank)
    ]
    return drawn


class ErrorTree:
    """The validator's nested messages; each input takes the ones at its path, once.

    >>> tree = ErrorTree({"name": ["Required."], "search_space": {"lr": {"low": ["Bad."]}}})
    >>> tree.take("search_space", "lr", "low"), tree.take("name"), tree.rest()
    (['Bad.'], ['Required.'], [])
    """

    def __init__(self, errors: Mapping[str, Any]) -> None:
        self._items: list[tuple[tuple[str, ...], str]] = list(_flatten(errors, ()))
        self._taken: set[int] = set()

    def take(self, *path: Any) -> list[str]:
        prefix = tuple(str(p) for p in path)
        found = []
        for i, (where, message) in enumerate(self._items):
            if i not in self._taken and where[: len(prefix)] == prefix:
                self._taken.add(i)
                found.append(message)
        return found

    def rest(self) -> list[str]:
        """Messages no input took, each prefixed with where it points (``__all__`` bare)."""
        out = []
        for i, (where, message) in enumerate(self._items):
            if i in self._taken:
                continue
            place = [w for w in where if w not in ("__all__", "non_field_errors")]
            out.append(f"{' › '.join(place)}: {message}" if place else message)
        self._taken.update(range(len(self._items)))
        return out


def _flatten(node: Any, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(node, (list, tuple)):
        for item in node:
            if isinstance(item, (Mapping, list, tuple)):
                yield from _flatten(item, path)
            else:
                yield path, str(item)
    elif node is not None:
        yield path, str(node)
