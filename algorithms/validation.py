"""One validator for an algorithm's spec, shared by the HTML form and the REST API.

Both callers hand over the JSON shape of the API (the form first turns its fields into
it), so a bad input gets the same message wherever it is typed. Nothing here touches the
ORM: uniqueness of the name per owner, the engine and the code package are checked by
``algorithms.services``, which merges its messages into the same ``AlgorithmErrors``.

Choices made here (the form and the API behave the same):

* Form values arrive as strings, API values typed; both are accepted and typed here
  (``"0.1"`` -> ``0.1`` for a float default, ``"true"`` -> ``True`` for a bool).
* ``choices`` may be a list or one comma-separated string. An absent or ``[]`` enumeration
  means "no enumeration"; a given one whose items are all blank is "empty" and refused.
* With auto search off, the metric and search algorithms are not validated and are
  cleaned to empty values: they only mean something to a search.
* With auto search on, a float/int row with neither a default nor a range nor an
  enumeration cannot be searched or fixed, so it gets "min and max are required to search
  this hyperparameter" (likewise a str row needs an enumeration). A row with a default
  may leave its range empty: a job then uses the default as a fixed value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from algorithms import metric_regex
from search import list_samplers, make_sampler
from search.errors import SamplerParamError

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Usable as `--name=value` on a command line and by argparse: no spaces, '=' or quotes.
HP_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
HP_TYPES = ("float", "int", "str", "bool")
GOALS = ("maximize", "minimize")
MAX_HP_NAME = 64
MAX_HYPERPARAMETERS = 200
MAX_DESCRIPTION = 2000
MAX_HP_DESCRIPTION = 500
MAX_BOOT_FILE = 255
MAX_CHOICES = 1000
# A finite one-dimensional space: enough for every sampler's own checks of its parameters;
# whether an algorithm suits a job's real ranges is checked when the job is created.
_PROBE_SPACE = {"x": {"type": "choice", "values": [0, 1]}}
_TRUE = {"true"}
_FALSE = {"false"}


@dataclass
class AlgorithmErrors:
    """Messages keyed by where the form shows them.

    ``fields``: top-level keys (``name``, ``boot_file``, ``metric.regex``, ``code``...);
    ``rows``: hyperparameter row index -> column -> messages;
    ``search_algorithm_params``: index in ``search_algorithms`` -> parameter -> messages
    (``"__all__"`` for a message about the algorithm as a whole).
    """

    fields: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    search_algorithm_params: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def add_row(self, index: int, column: str, message: str) -> None:
        self.rows.setdefault(index, {}).setdefault(column, []).append(message)

    def add_param(self, index: int, param: str, message: str) -> None:
        self.search_algorithm_params.setdefault(index, {}).setdefault(param, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.rows or self.search_algorithm_params)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form of every message, for API error bodies."""
        return {
            "fields": {k: list(v) for k, v in self.fields.items()},
            "hyperparameters": {
                str(i): {c: list(m) for c, m in cols.items()} for i, cols in self.rows.items()
            },
            "search_algorithms": {
                str(i): {p: list(m) for p, m in params.items()}
                for i, params in self.search_algorithm_params.items()
            },
        }

    def messages(self) -> list[str]:
        """Every message prefixed with its place, e.g. ``hyperparameters[2].default: ...``."""
        out = [f"{k}: {m}" for k, msgs in self.fields.items() for m in msgs]
        for i, cols in sorted(self.rows.items()):
            out += [f"hyperparameters[{i}].{c}: {m}" for c, msgs in cols.items() for m in msgs]
        for i, params in sorted(self.search_algorithm_params.items()):
            out += [
                f"search_algorithms[{i}].params.{p}: {m}"
                for p, msgs in params.items()
                for m in msgs
            ]
        return out


def validate_algorithm_spec(spec: dict[str, Any]) -> tuple[dict[str, Any], AlgorithmErrors]:
    """Clean and check a spec; the cleaned spec is meaningful only when there are no errors.

    >>> cleaned, errors = validate_algorithm_spec({"name": "mnist", "boot_file": "train.py"})
    >>> bool(errors), cleaned["name"], cleaned["hyperparameters"]
    (False, 'mnist', [])
    """
    errors = AlgorithmErrors()
    if not isinstance(spec, dict):
        errors.add("non_field", "The algorithm must be a JSON object.")
        spec = {}
    auto_search = _as_bool(spec.get("auto_search", False))
    cleaned: dict[str, Any] = {
        "name": _clean_name(spec.get("name"), errors),
        "description": _clean_text(spec.get("description"), "description", MAX_DESCRIPTION, errors),
        "boot_file": _clean_boot_file(spec.get("boot_file"), errors),
        "engine": _clean_engine(spec.get("engine")),
        "hyperparameters": _clean_hyperparameters(spec.get("hyperparameters"), auto_search, errors),
        "auto_search": auto_search,
        "metric": {"name": "", "goal": "maximize", "regex": ""},
        "search_algorithms": [],
    }
    if auto_search:
        cleaned["metric"] = _clean_metric(spec.get("metric"), errors)
        cleaned["search_algorithms"] = _clean_search_algorithms(
            spec.get("search_algorithms"), errors
        )
    return cleaned, errors


# --- basic fields ---------------------------------------------------------------------------


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "on", "yes"}
    return bool(value)


def _as_text(value: Any) -> str | None:
    """Strip a string; None for a non-string that is not None (the caller reports it)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return None


def _clean_name(value: Any, errors: AlgorithmErrors) -> str:
    name = _as_text(value)
    if name is None:
        errors.add("name", "Name must be a string.")
        return ""
    if not name:
        errors.add("name", "Name is required.")
    elif not NAME_RE.match(name):
        errors.add(
            "name",
            f"Name must be 1-64 letters, digits, '_' or '-' (got {len(name)} characters: "
            f"{name[:80]!r}).",
        )
    return name


def _clean_text(value: Any, key: str, limit: int, errors: AlgorithmErrors) -> str:
    text = _as_text(value)
    if text is None:
        errors.add(key, f"{key.capitalize()} must be a string.")
        return ""
    if len(text) > limit:
        errors.add(key, f"{key.capitalize()} must be at most {limit} characters.")
    return text


def _clean_boot_file(value: Any, errors: AlgorithmErrors) -> str:
    boot = _as_text(value)
    if boot is None:
        errors.add("boot_file", "Boot file must be a string.")
        return ""
    boot = boot.replace("\\", "/")
    if not boot:
        errors.add("boot_file", "Boot file is required, e.g. train.py.")
    elif len(boot) > MAX_BOOT_FILE:
        errors.add("boot_file", f"Boot file must be at most {MAX_BOOT_FILE} characters.")
    elif boot.startswith("/") or re.match(r"^[A-Za-z]:", boot):
        errors.add("boot_file", "Boot file must be a path relative to the code package.")
    elif ".." in boot.split("/"):
        errors.add("boot_file", "Boot file must not contain '..'.")
    elif not boot.endswith(".py"):
        errors.add("boot_file", "Boot file must be a Python file ending in .py.")
    return boot


def _clean_engine(value: Any) -> str | int | None:
    # Resolved against the Engine table by the service (name or id); blank means the default.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    return str(value).strip()


# --- hyperparameters ------------------------------------------------------------------------


def _clean_hyperparameters(
    value: Any, auto_search: bool, errors: AlgorithmErrors
) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        errors.add("hyperparameters", "Hyperparameters must be a list of rows.")
        return []
    if len(value) > MAX_HYPERPARAMETERS:
        errors.add("hyperparameters", f"At most {MAX_HYPERPARAMETERS} hyperparameters.")
        return []
    rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for index, raw in enumerate(value):
        if not isinstance(raw, dict):
            errors.add_row(index, "name", f"Row {index + 1} must be an object.")
            rows.append(_empty_row())
            continue
        row = _clean_row(index, raw, auto_search, errors)
        name = row["name"]
        if name and name in first_row:
            errors.add_row(
                index, "name", f"Duplicate name '{name}' (also in row {first_row[name] + 1})."
            )
        elif name:
            first_row[name] = index
        rows.append(row)
    return rows


def _empty_row() -> dict[str, Any]:
    return {
        "name": "", "type": "float", "default": None, "min": None, "max": None,
        "choices": [], "required": False, "description": "",
    }


def _clean_row(
    i: int, raw: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> dict[str, Any]:
    row = _empty_row()
    name = _as_text(raw.get("name"))
    if name is None:
        errors.add_row(i, "name", "Name must be a string.")
    elif not name:
        errors.add_row(i, "name", "Name is required.")
    elif len(name) > MAX_HP_NAME:
        errors.add_row(i, "name", f"Name must be at most {MAX_HP_NAME} characters.")
    elif not HP_NAME_RE.match(name):
        errors.add_row(
            i,
            "name",
            f"'{name[:80]}' cannot be passed as --{name[:80]}=value: use letters, digits, "
            "'_', '-' or '.', starting with a letter or '_'.",
        )
    row["name"] = name or ""
    hp_type = _as_text(raw.get("type")) or "float"
    if hp_type not in HP_TYPES:
        errors.add_row(i, "type", f"Type must be one of float, int, str, bool (got {hp_type!r}).")
        return row
    row["type"] = hp_type
    row["required"] = _as_bool(raw.get("required", False))
    row["description"] = _clean_row_description(i, raw.get("description"), errors)
    checker = _NUMERIC_ROW if hp_type in ("float", "int") else _OTHER_ROW
    checker(i, raw, row, auto_search, errors)
    return row


def _clean_row_description(i: int, value: Any, errors: AlgorithmErrors) -> str:
    text = _as_text(value)
    if text is None:
        errors.add_row(i, "description", "Description must be a string.")
        return ""
    if len(text) > MAX_HP_DESCRIPTION:
        errors.add_row(i, "description", f"At most {MAX_HP_DESCRIPTION} characters.")
    return text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_number(value: Any, hp_type: str) -> int | float:
    """Parse a float or int value; ValueError with a message naming the problem."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {value!r}")
    if hp_type == "int":
        if not number.is_integer():
            raise ValueError(f"must be a whole number for an int hyperparameter, got {value!r}")
        return int(number)
    return number


def _clean_choices_list(
    i: int, raw: Any, hp_type: str, errors: AlgorithmErrors
) -> list[Any] | None:
    """Typed enumeration, [] when none was given, None when it was refused."""
    if _is_blank(raw) or raw == []:
        return []
    if isinstance(raw, str):
        items: list[Any] = [part.strip() for part in raw.split(",")]
    elif isinstance(raw, list):
        items = [item.strip() if isinstance(item, str) else item for item in raw]
    else:
        errors.add_row(i, "choices", "The enumeration must be a list or comma-separated values.")
        return None
    if all(_is_blank(item) for item in items):
        errors.add_row(i, "choices", "The enumeration is empty: give at least one value.")
        return None
    if any(_is_blank(item) for item in items):
        errors.add_row(i, "choices", "The enumeration has an empty value.")
        return None
    if len(items) > MAX_CHOICES:
        errors.add_row(i, "choices", f"At most {MAX_CHOICES} values.")
        return None
    typed: list[Any] = []
    for item in items:
        if hp_type == "str":
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                errors.add_row(i, "choices", f"Enumeration values must be strings, got {item!r}.")
                return None
            typed.append(str(item))
            continue
        try:
            typed.append(_parse_number(item, hp_type))
        except ValueError as exc:
            errors.add_row(i, "choices", f"Enumeration value {exc}.")
            return None
    duplicates = sorted({str(v) for v in typed if typed.count(v) > 1})
    if duplicates:
        errors.add_row(i, "choices", f"The enumeration repeats {', '.join(duplicates)}.")
        return None
    return typed


def _fmt(number: float | None) -> str:
    """A number as a user typed it: 5 not 5.0, 1e-06 not 0.000001."""
    return "" if number is None else f"{number:g}" if isinstance(number, float) else str(number)


def _check_numeric_row(
    i: int, raw: dict[str, Any], row: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> None:
    hp_type = row["type"]
    bounds: dict[str, int | float | None] = {"min": None, "max": None}
    for key in ("min", "max"):
        if _is_blank(raw.get(key)):
            continue
        try:
            bounds[key] = _parse_number(raw.get(key), hp_type)
        except ValueError as exc:
            errors.add_row(i, key, f"{key} {exc}.")
    low, high = bounds["min"], bounds["max"]
    range_ok = True
    given = [k for k in ("min", "max") if not _is_blank(raw.get(k))]
    if len(given) == 1:
        missing = "max" if given == ["min"] else "min"
        errors.add_row(i, missing, f"Give both min and max, or neither ({missing} is empty).")
        range_ok = False
    elif low is not None and high is not None and low >= high:
        errors.add_row(
            i, "min", f"min must be less than max, got min={_fmt(low)}, max={_fmt(high)}."
        )
        range_ok = False
    row["min"], row["max"] = (low, high) if range_ok else (None, None)
    choices = _clean_choices_list(i, raw.get("choices"), hp_type, errors)
    row["choices"] = choices or []
    if choices and given:
        errors.add_row(i, "choices", "Give either a min/max range or an enumeration, not both.")
    default_raw = raw.get("default")
    if _is_blank(default_raw):
        if auto_search and not given and choices == []:
            errors.add_row(i, "min", "min and max are required to search this hyperparameter.")
        return
    try:
        default = _parse_number(default_raw, hp_type)
    except ValueError as exc:
        errors.add_row(i, "default", f"Default {exc}.")
        return
    row["default"] = default
    if range_ok and low is not None and high is not None and not low <= default <= high:
        errors.add_row(
            i,
            "default",
            f"Default {_fmt(default)} is outside the range [{_fmt(low)}, {_fmt(high)}].",
        )
    if choices and default not in choices:
        errors.add_row(i, "default", f"Default {_fmt(default)} is not in the enumeration.")


def _check_other_row(
    i: int, raw: dict[str, Any], row: dict[str, Any], auto_search: bool, errors: AlgorithmErrors
) -> None:
    hp_type = row["type"]
    for key in ("min", "max"):
        if not _is_blank(raw.get(key)):
            errors.add_row(i, key, f"A {hp_type} hyperparameter takes no {key}: use float or int.")
    default_raw = raw.get("default")
    if hp_type == "bool":
        if not _is_blank(raw.get("choices")) and raw.get("choices") != []:
            errors.add_row(i, "choices", "A bool hyperparameter takes no enumeration.")
        if _is_blank(default_raw):
            return
        if isinstance(default_raw, bool):
            row["default"] = default_raw
        elif isinstance(default_raw, str) and default_raw.strip().lower() in _TRUE | _FALSE:
            row["default"] = default_raw.strip().lower() in _TRUE
        else:
            errors.add_row(i, "default", f"Default must be true or false, got {default_raw!r}.")
        return
    choices = _clean_choices_list(i, raw.get("choices"), "str", errors)
    row["choices"] = choices or []
    if _is_blank(default_raw):
        if auto_search and choices == []:
            errors.add_row(
                i, "choices", "An enumeration is required to search this hyperparameter."
            )
        return
    if not isinstance(default_raw, (str, int, float)) or isinstance(default_raw, bool):
        errors.add_row(i, "default", f"Default must be a string, got {default_raw!r}.")
        return
    default = str(default_raw).strip()
    row["default"] = default
    if choices and default not in choices:
        errors.add_row(i, "default", f"Default '{default}' is not in the enumeration.")


_NUMERIC_ROW = _check_numeric_row
_OTHER_ROW = _check_other_row


# --- metric and search algorithms -----------------------------------------------------------


def _clean_metric(value: Any, errors: AlgorithmErrors) -> dict[str, str]:
    metric = value if isinstance(value, dict) else {}
    if value is not None and not isinstance(value, dict):
        errors.add("metric", "Metric must be an object with name, goal and regex.")
    name = _as_text(metric.get("name")) or ""
    try:
        name = metric_regex.validate_metric_name(name)
    except metric_regex.MetricRegexError as exc:
        errors.add("metric.name", str(exc))
    goal = (_as_text(metric.get("goal")) or "maximize").lower()
    if goal not in GOALS:
        errors.add("metric.goal", f"Goal must be maximize or minimize (got {goal!r}).")
    regex = metric.get("regex")
    regex = regex if isinstance(regex, str) else ""
    if not regex.strip():
        errors.add("metric.regex", "Metric regex is required: use Smart generate or write one.")
    else:
        try:
            metric_regex.compile_metric_regex(regex)
        except metric_regex.MetricRegexError as exc:
            errors.add("metric.regex", str(exc))
    return {"name": name, "goal": goal, "regex": regex}


def sampler_catalogue() -> dict[str, dict[str, Any]]:
    """list_samplers() keyed by every lower-cased name and alias."""
    out: dict[str, dict[str, Any]] = {}
    for entry in list_samplers():
        for key in (entry["name"], *entry["aliases"]):
            out[key.lower()] = entry
    return out


def _clean_search_algorithms(value: Any, errors: AlgorithmErrors) -> list[dict[str, Any]]:
    if value is None or value == []:
        errors.add("search_algorithms", "Select at least one search algorithm.")
        return []
    if not isinstance(value, list):
        errors.add("search_algorithms", "Search algorithms must be a list.")
        return []
    catalogue = sampler_catalogue()
    known = ", ".join(sorted(catalogue))
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, dict):
            errors.add("search_algorithms", f"Item {index + 1} must be an object with a name.")
            continue
        name = _as_text(item.get("name")) or ""
        entry = catalogue.get(name.lower())
        if entry is None:
            errors.add(
                "search_algorithms", f"Unknown search algorithm {name!r} (known: {known})."
            )
            continue
        if name.lower() in seen:
            errors.add("search_algorithms", f"{name} is selected more than once.")
            continue
        seen.add(name.lower())
        params = _clean_params(index, name, entry, item.get("params"), errors)
        cleaned.append({"name": name, "params": params})
    return cleaned


def _clean_params(
    index: int, name: str, entry: dict[str, Any], raw: Any, errors: AlgorithmErrors
) -> dict[str, Any]:
    defaults = {p["name"]: p["default"] for p in entry["params"]}
    if raw is None or raw == "":
        raw = {}
    if not isinstance(raw, dict):
        errors.add_param(index, "__all__", "Parameters must be an object of name: value.")
        return defaults
    given = {k: v for k, v in raw.items() if not _is_blank(v)}
    ok = True
    for param, value in given.items():
        if param not in defaults:
            errors.add_param(
                index, param,
                f"{name} has no parameter {param!r} (it takes: {', '.join(defaults)}).",
            )
            ok = False
            continue
        try:
            # The search library's own checks, one parameter at a time so that each
            # message lands beside its input.
            make_sampler(name, _PROBE_SPACE, **{param: value})
        except SamplerParamError as exc:
            errors.add_param(index, param, _sentence(str(exc)))
            ok = False
    if not ok:
        return {**defaults, **given}
    try:
        sampler = make_sampler(name, _PROBE_SPACE, **given)
    except SamplerParamError as exc:  # a rule across parameters
        errors.add_param(index, "__all__", _sentence(str(exc)))
        return {**defaults, **given}
    return {"seed": sampler.seed, **sampler.options} if "seed" in defaults else dict(
        sampler.options
    )


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
