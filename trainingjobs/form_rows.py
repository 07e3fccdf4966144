"""The create-job page's hyperparameter rows: a row's posted fields (``hp-<i>-<field>``)
<-> its fixed value or its search range in the API's create shape, and the state a row
re-renders with. Values are typed by the row's type when the text reads as one; the one
validator (``trainingjobs.specs``) names anything else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from algorithms.models import Hyperparameter
from algorithms.spec_display import display_value, format_constraint, stored_number
from trainingjobs.form_errors import ErrorTree

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


_INT_RE = re.compile(r"^[-+]?\d+$")


# The "Values to try" list shows every value up to this many rows, then scrolls.
MAX_LIST_ROWS = 10


CHECKED = ("on", "true", "1")


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


def range_spec(hp_type: str, row: Mapping[str, Any], *, discrete: bool = False) -> dict[str, Any]:
    """One row's search range as a ``search.SearchSpace`` JSON spec.

    A ``discrete`` row (a number with an enumeration) takes the values picked from its list,
    as a str row does, rather than a min/max range.

    >>> range_spec("float", {"dist": "range", "low": "0.001", "high": "0.1", "scale": "log",
    ...                      "step": ""})
    {'type': 'float', 'low': 0.001, 'high': 0.1, 'log': True}
    >>> range_spec("str", {"dist": "range", "values": ["adam"], "typed": "sgd, adam"})
    {'type': 'choice', 'values': ['adam', 'sgd']}
    >>> range_spec("float", {"dist": "qnormal", "mu": "0", "sigma": "1", "q": "0.5"})
    {'type': 'qnormal', 'mu': 0, 'sigma': 1, 'q': 0.5}
    >>> range_spec("int", {"dist": "range", "values": ["16", "64"]}, discrete=True)
    {'type': 'choice', 'values': [16, 64]}
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
    if discrete:
        return {"type": "choice", "values": [number(str(v)) for v in row.get("values") or []]}
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


def is_discrete(hp: Hyperparameter) -> bool:
    """A number row limited to an enumeration: searched over values picked from a list."""
    return hp.type in ("float", "int") and bool(hp.choices)


def picks_from_list(hp: Hyperparameter) -> bool:
    """A row whose values to try are picked from its enumeration, and only from it: the
    validator refuses any other value (``algorithms.spaces``), so the page offers no box to
    type more into."""
    return hp.type != "bool" and bool(hp.choices)


def value_options(
    value: str, choices: list[str], blank_label: str
) -> list[tuple[str, str, bool]]:
    """The fixed value's select of a row with an enumeration, as ``(value, label,
    selected)``: a blank one (``blank_label``: the default runs), then each choice.

    A value that is none of them (posted by hand) is kept as one more option, selected, so
    a refused page shows what was sent beside its message.

    >>> value_options("sgd", ["adam", "sgd"], "default (adam)")
    [('', 'default (adam)', False), ('adam', 'adam', False), ('sgd', 'sgd', True)]
    >>> value_options("lion", ["adam"], "(none)")[-1]
    ('lion', 'lion', True)
    """
    options = [("", blank_label, value == "")]
    options += [(choice, choice, value == choice) for choice in choices]
    if value != "" and value not in choices:
        options.append((value, value, True))
    return options


def row_distributions(hp: Hyperparameter) -> list[str]:
    """The advanced (HyperDrive) distributions a row offers besides its plain range.

    Numbers take any; a str or bool row a ``choice`` of typed values; a row with an
    enumeration none, since its list of values to try is already every value it may take.

    >>> from types import SimpleNamespace as Row
    >>> row_distributions(Row(type="str", choices=[]))
    ['choice']
    >>> row_distributions(Row(type="int", choices=[16, 32])), len(row_distributions(Row(
    ...     type="float", choices=None)))
    ([], 10)
    """
    if picks_from_list(hp):
        return []
    return [d for d in DISTRIBUTIONS if hp.type in ("float", "int") or d == "choice"]


def initial_row(hp: Hyperparameter) -> dict[str, Any]:
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


def posted_rows(post: QueryDict) -> dict[str, dict[str, Any]]:
    """The posted rows by hyperparameter name (the hidden ``hp-<i>-name``)."""
    found: dict[str, dict[str, Any]] = {}
    for key in post:
        match = re.match(r"^hp-(\d{1,4})-name$", key)
        if not match:
            continue
        prefix = f"hp-{match.group(1)}-"
        row: dict[str, Any] = {name: post.get(prefix + name, "") for name in ROW_FIELDS}
        row["values"] = post.getlist(prefix + "values")
        row["include"] = post.get(prefix + "include", "") in CHECKED
        row["search"] = post.get(prefix + "search", "") in CHECKED
        row["scale"] = row["scale"] or "linear"
        row["dist"] = row["dist"] or "range"
        found[post.get(key, "")] = row
    return found


def row_from_post(hp: Hyperparameter, posted: dict[str, Any] | None) -> dict[str, Any]:
    if posted is None:
        # The algorithm gained this row since the page was drawn: its defaults, as shown.
        return initial_row(hp)
    row = dict(posted)
    if hp.required:
        row["include"] = True  # no checkbox is drawn: a required row cannot be left out
    return row


def row_context(
    index: int, hp: Hyperparameter, row: dict[str, Any], tree: ErrorTree
) -> dict[str, Any]:
    name = hp.name
    choices = [display_value(c) for c in hp.choices or []]
    from_list = picks_from_list(hp)
    distributions = row_distributions(hp)
    # A distribution this row does not offer (posted by hand) shows as its plain range.
    dist = row["dist"] if row["dist"] in distributions else "range"
    search_errors: dict[str, list[str]] = {}
    if dist == "range" and (hp.type == "str" or from_list):
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
        # Always a key: the template's ``e.values`` would otherwise find dict.values().
        "values": [],
        **search_errors,
    }
    # The rest about this row's range (its type, ``__all__``, a bare list) shows by the toggle.
    errors["search"] = tree.take("search_space", name)
    default_shown = display_value(hp.default)
    blank_label = f"default ({default_shown})" if default_shown else "(none)"
    return {
        "index": index,
        "hp": hp,
        "raw": row,
        "dist": dist,
        "from_list": from_list,
        "distributions": distributions,
        "dist_fields": DISTRIBUTIONS[dist][0] if dist in DISTRIBUTIONS else (),
        "constraint": format_constraint(hp.type, hp.min, hp.max, hp.choices),
        "choices": choices,
        # Every value in sight without scrolling, up to MAX_LIST_ROWS.
        "list_rows": max(1, min(len(choices), MAX_LIST_ROWS)),
        "default_shown": default_shown,
        # A select's blank choice (a bool, an enumeration): the row's default runs (as an
        # empty text box's would), if any.
        "bool_blank": blank_label,
        "value_options": value_options(row["value"], choices, blank_label) if from_list else [],
        "errors": errors,
        "has_errors": any(errors.values()),
    }
