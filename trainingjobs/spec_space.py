"""A job spec's hyperparameter values and search ranges: every row of the algorithm's
table ends fixed (typed and inside its constraint), searched (a range inside it, through
``algorithms.spaces``) or omitted; placeholders are checked by the runner's own rule.
Part of ``trainingjobs.specs.validate_job_spec``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from algorithms.models import Algorithm, Hyperparameter
from algorithms.spaces import RangeErrors, show, space_from_rows
from algorithms.spec_values import sentence
from search import SearchSpace
from trainingjobs.command import PlaceholderError, check_placeholders
from trainingjobs.spec_errors import SpecErrors
from trainingjobs.spec_values import (
    TOO_LARGE,
    as_bool,
    as_number,
    bound_text,
    label,
    same_value,
    too_large,
)

MAX_STR_VALUE = 4096


class HyperparameterValues:
    """Sorts every row into fixed, searched or omitted, checking each against its row."""

    def __init__(
        self, algorithm: Algorithm, rows: list[Hyperparameter], errors: SpecErrors
    ) -> None:
        self.algorithm = algorithm
        self.rows = rows
        self.by_name = {row.name: row for row in rows}
        self.errors = errors

    def clean(
        self, data: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[str], SearchSpace | None]:
        given = self._mapping(data.get("hyperparameters"), "hyperparameters")
        ranges = self._mapping(data.get("search_space"), "search_space")
        omit = self._omit(data.get("omit"))
        self._unknown_names(given, "hyperparameters", "value")
        self._overlaps(given, ranges, omit)
        space = self._space(ranges)
        fixed: dict[str, Any] = {}
        omitted: list[str] = []
        for row in self.rows:
            name = row.name
            if name in ranges:
                continue
            if name in omit:
                if not row.required:
                    omitted.append(name)
                continue
            if name in given:
                value = self._fixed_value(row, given[name], "value")
                if value is not None:
                    fixed[name] = value
            elif row.default is not None:
                value = self._fixed_value(row, row.default, "default")
                if value is not None:
                    fixed[name] = value
            elif row.required:
                self.errors.add(
                    "hyperparameters",
                    name,
                    "value",
                    message=f"{name} is required: give it a value"
                    + (" or a range." if self.algorithm.auto_search else "."),
                )
            else:
                omitted.append(name)  # optional and without a default: nothing to pass
        return fixed, omitted, space

    def _mapping(self, value: Any, key: str) -> dict[str, Any]:
        if value is None or value == "":
            return {}
        if not isinstance(value, Mapping):
            self.errors.add(
                key, "__all__", message=f"{label(key)} must be an object of name: value."
            )
            return {}
        return {str(k): v for k, v in value.items()}

    def _omit(self, value: Any) -> set[str]:
        if value is None or value == "":
            return set()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.add(
                "omit", message=f"Omit must be a list of hyperparameter names, got {show(value)}."
            )
            return set()
        names = set(value)
        for name in value:
            row = self.by_name.get(name)
            if row is None:
                self.errors.add("omit", message=self._unknown_message(name))
            elif row.required:
                self.errors.add("omit", message=f"{name} is required and cannot be left out.")
        return names

    def _unknown_names(self, mapping: Mapping[str, Any], key: str, leaf: str) -> None:
        for name in mapping:
            if name not in self.by_name:
                self.errors.add(key, name, leaf, message=self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        known = ", ".join(self.by_name) or "none"
        return f"Unknown hyperparameter {show(name[:100])} (the algorithm takes: {known})."

    def _overlaps(
        self, given: Mapping[str, Any], ranges: Mapping[str, Any], omit: set[str]
    ) -> None:
        for name in self.by_name:
            if name in given and name in ranges:
                self.errors.add(
                    "hyperparameters",
                    name,
                    "value",
                    message=f"{name} is both fixed (hyperparameters) and searched "
                    "(search_space): keep one.",
                )
            if name in omit and (name in given or name in ranges):
                self.errors.add(
                    "omit",
                    message=f"{name} is left out (omit) and also given a "
                    f"{'value' if name in given else 'range'}: keep one.",
                )

    def _space(self, ranges: Mapping[str, Any]) -> SearchSpace | None:
        if not ranges:
            return None
        if not self.algorithm.auto_search:
            self.errors.add(
                "search_space",
                "__all__",
                message=f"Algorithm {show(self.algorithm.name)} has auto search off: its "
                "hyperparameters take fixed values, not ranges.",
            )
            return None
        try:
            space = space_from_rows(self.rows, ranges)
        except RangeErrors as exc:
            for name, by_field in exc.errors.items():
                for field_name, messages in by_field.items():
                    for message in messages:
                        self.errors.add(
                            "search_space", name, field_name, message=without_kind(name, message)
                        )
            return None
        placeholders_ok = True
        for name, dist in space.dists.items():
            for choice in dist.choices or ():
                if isinstance(choice, str):
                    try:
                        check_text_placeholders(choice)
                    except ValueError as exc:
                        self.errors.add("search_space", name, "values", message=f"{name}: {exc}")
                        placeholders_ok = False
        return space if placeholders_ok else None

    def _fixed_value(self, row: Hyperparameter, value: Any, source: str) -> Any:
        """The typed value, or None after reporting why it does not fit the row."""
        where = "" if source == "value" else "its default "
        try:
            typed = typed_value(row, value)
            check_constraint(row, typed)
            if isinstance(typed, str):
                check_text_placeholders(typed)
        except ValueError as exc:
            self.errors.add(
                "hyperparameters", row.name, "value", message=f"{row.name}: {where}{exc}"
            )
            return None
        return typed


# The search library names the distribution it builds ("float: low must be ..."): noise
# beside the field's own name in a job's message, which already says which range it is.
_KIND_PREFIX = re.compile(
    r"(?:float|int|uniform|loguniform|quniform|qloguniform|normal|lognormal|qnormal"
    r"|qlognormal|choice|categorical): "
)


def without_kind(name: str, message: str) -> str:
    """``message`` without the search library's kind after the hyperparameter's name.

    >>> without_kind("alpha", "alpha: float: low must be a finite number, got low='abc'.")
    "alpha: low must be a finite number, got low='abc'."
    """
    head = f"{name}: "
    if not message.startswith(head):
        return message
    rest = message[len(head) :]
    match = _KIND_PREFIX.match(rest)
    return head + rest[match.end() :] if match else message


def typed_value(row: Hyperparameter, value: Any) -> Any:
    if row.type == "bool":
        parsed = as_bool(value)
        if parsed is None:
            raise ValueError(f"must be true or false, got {show(value)}.")
        return parsed
    if row.type == "str":
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {show(value)}.")
        if len(value) > MAX_STR_VALUE:
            raise ValueError(f"must be at most {MAX_STR_VALUE} characters, got {len(value)}.")
        if "\x00" in value:
            raise ValueError("must not contain NUL characters.")
        return value
    number = as_number(value)
    if number is None and too_large(value):
        # A float is already inf: the digits as written are gone, so none is echoed.
        raise ValueError(
            f"{'the number' if isinstance(value, float) else show(value)} {TOO_LARGE}."
        )
    if number is None:
        raise ValueError(f"must be a number, got {show(value)}.")
    if row.type == "int":
        if not float(number).is_integer():
            raise ValueError(
                f"must be a whole number for an int hyperparameter, got {show(value)}."
            )
        return int(number)
    return float(number)


def check_constraint(row: Hyperparameter, value: Any) -> None:
    choices = list(row.choices or [])
    if choices and row.type != "bool":
        if not any(same_value(value, choice) for choice in choices):
            allowed = ", ".join(repr(c) for c in choices)
            raise ValueError(f"{show(value)} is not in its enumeration ({allowed}).")
        return
    if row.type in ("float", "int") and row.min is not None and row.max is not None:
        if not row.min <= value <= row.max:
            raise ValueError(
                f"{show(value)} is outside its range "
                f"[{bound_text(row, row.min)}, {bound_text(row, row.max)}]."
            )


def check_text_placeholders(text: str) -> None:
    """Unknown ``{name}`` placeholders or lone braces, by the runner's own rule."""
    try:
        check_placeholders(text)
    except PlaceholderError as exc:
        raise ValueError(sentence(str(exc))) from None
