"""Algorithm parameters: what a form may send and what is refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from search.errors import SamplerParamError
from search.params import ParamSpec

COUNT = ParamSpec("n_initial_points", "int", 10, "random trials first", min=1, max=100)
FLAG = ParamSpec("shuffle", "bool", False, "seeded order")
OPTIONAL = ParamSpec("resolution", "int", None, "points per axis", min=1)


@pytest.mark.parametrize(("given", "expected"), [("12", 12), (12.0, 12), (np.int64(5), 5)])
def test_int_accepts_what_forms_and_json_send(given: Any, expected: int) -> None:
    assert COUNT.coerce(given) == expected


@pytest.mark.parametrize("given", ["1.5", 2.5, True, "ten", float("nan"), [3]])
def test_int_refuses_non_integers_and_booleans(given: Any) -> None:
    with pytest.raises(SamplerParamError, match="n_initial_points must be an int"):
        COUNT.coerce(given)


@pytest.mark.parametrize(("given", "message"), [(0, ">= 1"), (101, "<= 100")])
def test_int_range_is_checked_and_echoed(given: int, message: str) -> None:
    with pytest.raises(SamplerParamError, match=f"{message}, got n_initial_points={given}"):
        COUNT.coerce(given)


@pytest.mark.parametrize(("given", "expected"), [("true", True), (" Off ", False), (True, True)])
def test_bool_accepts_form_strings(given: Any, expected: bool) -> None:
    assert FLAG.coerce(given) is expected


def test_blank_leaves_an_optional_parameter_unset_but_not_a_required_one() -> None:
    assert OPTIONAL.coerce("  ") is None and OPTIONAL.coerce(None) is None
    with pytest.raises(SamplerParamError, match="must not be empty"):
        COUNT.coerce("")


def test_listing_entry_has_every_field_a_form_needs() -> None:
    assert COUNT.to_json() == {
        "name": "n_initial_points",
        "type": "int",
        "default": 10,
        "min": 1,
        "max": 100,
        "choices": None,
        "description": "random trials first",
    }


@pytest.mark.parametrize("given", [10**30, -(10**20), "1e30", 2**53])
def test_an_int_too_large_to_hold_exactly_is_refused_not_rounded(given: Any) -> None:
    with pytest.raises(SamplerParamError, match=r"resolution must be at most 9007199254740991"):
        OPTIONAL.coerce(given)
    assert OPTIONAL.coerce(2**53 - 1) == 2**53 - 1


def test_an_int_parameters_bounds_are_listed_as_whole_numbers() -> None:
    listed = ParamSpec("min_comparators", "int", 1, "", min=1.0, max=50.0).to_json()
    assert (listed["min"], listed["max"]) == (1, 50)
    assert (
        type(listed["min"]) is int and ParamSpec("g", "float", 0.5, "", min=0).to_json()["min"] == 0
    )
