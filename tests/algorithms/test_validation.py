"""validate_algorithm_spec: every bad input gets its message in its place; good input is typed."""

from __future__ import annotations

from typing import Any

import pytest

from algorithms.serializers import errors_to_api
from algorithms.spec import MetricSpec
from algorithms.validation import validate_algorithm_spec
from search import list_samplers
from tests.algorithms.helpers import valid_spec


def _rows(*rows: dict[str, Any], auto_search: bool = False) -> dict[str, Any]:
    return valid_spec(hyperparameters=list(rows), auto_search=auto_search)


def test_valid_spec_is_cleaned_and_typed() -> None:
    spec = valid_spec(
        hyperparameters=[
            {"name": "lr", "type": "float", "default": "0.1", "min": "0", "max": "1"},
            {"name": "layers", "type": "int", "default": "3", "min": "1", "max": "8"},
            {"name": "opt", "type": "str", "default": "sgd", "choices": "adam, sgd"},
            {"name": "flag", "type": "bool", "default": "false", "required": "on"},
        ]
    )
    cleaned, errors = validate_algorithm_spec(spec)
    assert not errors, errors.messages()
    lr, layers, opt, flag = cleaned.hyperparameters
    assert (lr.default, lr.min, lr.max) == (0.1, 0.0, 1.0)
    assert (layers.default, layers.min, layers.max) == (3, 1, 8)
    assert isinstance(layers.default, int)
    assert opt.choices == ("adam", "sgd")
    assert flag.default is False and flag.required is True


def test_search_algorithm_params_are_filled_with_defaults() -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe_search", "params": {"gamma": "0.3"}}])
    cleaned, errors = validate_algorithm_spec(spec)
    assert not errors, errors.messages()
    (item,) = cleaned.search_algorithms
    assert item["name"] == "tpe_search"
    assert item["params"]["gamma"] == 0.3
    tpe = next(entry for entry in list_samplers() if entry["name"] == "tpe")
    default = next(p["default"] for p in tpe["params"] if p["name"] == "n_initial_points")
    assert item["params"]["n_initial_points"] == default
    assert item["params"]["seed"] is None  # blank: a job seeds it from its own seed


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Name is required."),
        ("has space", "Name must be 1-64 ASCII letters"),
        ("x" * 65, "Name must be 1-64 ASCII letters"),
        ("naïve", "Name must be 1-64 ASCII letters"),
    ],
)
def test_bad_algorithm_name(name: str, message: str) -> None:
    _, errors = validate_algorithm_spec(valid_spec(name=name))
    assert message in errors.fields["name"][0]


def test_name_of_64_allowed_characters_is_fine() -> None:
    _, errors = validate_algorithm_spec(valid_spec(name="a-b_" + "9" * 60))
    assert "name" not in errors.fields


@pytest.mark.parametrize(
    ("boot", "message"),
    [
        ("", "Boot file is required"),
        ("/abs/train.py", "relative"),
        ("../train.py", "must not contain '..'"),
        ("train.sh", "ending in .py"),
    ],
)
def test_bad_boot_file(boot: str, message: str) -> None:
    _, errors = validate_algorithm_spec(valid_spec(boot_file=boot))
    assert message in errors.fields["boot_file"][0]


def test_duplicate_hyperparameter_name_is_reported_on_the_later_row() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "lr", "type": "float"}, {"name": "x", "type": "int"},
              {"name": "lr", "type": "int"})
    )
    assert errors.rows == {2: {"name": ["Duplicate name 'lr' (also in row 1)."]}}


@pytest.mark.parametrize("name", ["9lives", "learning rate", "a=b", "--lr", "x'y", ""])
def test_hyperparameter_name_unusable_as_flag(name: str) -> None:
    _, errors = validate_algorithm_spec(_rows({"name": name, "type": "float"}))
    assert errors.rows[0]["name"]


@pytest.mark.parametrize("name", ["lr", "_private", "model.depth", "drop-out", "L2"])
def test_hyperparameter_name_usable_as_flag(name: str) -> None:
    _, errors = validate_algorithm_spec(_rows({"name": name, "type": "float"}))
    assert not errors


def test_default_outside_range() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "lr", "type": "float", "default": "5", "min": "0", "max": "1"})
    )
    assert errors.rows[0] == {"default": ["Default 5 is outside the range [0, 1]."]}


@pytest.mark.parametrize(("low", "high"), [("3", "1"), ("2", "2")])
def test_min_not_below_max(low: str, high: str) -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "n", "type": "int", "min": low, "max": high})
    )
    assert errors.rows[0]["min"] == [f"min must be less than max, got min={low}, max={high}."]


def test_only_one_bound_given() -> None:
    _, errors = validate_algorithm_spec(_rows({"name": "n", "type": "float", "min": "1"}))
    assert "Give both min and max" in errors.rows[0]["max"][0]


def test_int_bounds_and_default_must_be_whole() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "n", "type": "int", "default": "2.5", "min": "0.5", "max": "9"})
    )
    assert "whole number" in errors.rows[0]["min"][0]
    assert "whole number" in errors.rows[0]["default"][0]


HUGE = 99999999999999999999999


@pytest.mark.parametrize("high", [HUGE, str(HUGE), float(HUGE)])
def test_int_bound_the_search_would_refuse_is_refused_on_its_cell(high: Any) -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "epochs", "type": "int", "default": 30, "min": 5, "max": high})
    )
    shown = HUGE if not isinstance(high, float) else int(high)  # 1e23 is 99999999999999991611392
    assert errors.rows[0] == {
        "max": [f"max must be within +-2**53, got max={shown}: no job could search it."]
    }


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"type": "int", "default": 2**53 + 1}, "default",
         "default must be within +-2**53, got default=9007199254740993: no job could search it."),
        ({"type": "int", "choices": f"1, {-(2**60)}"}, "choices",
         "enumeration value must be within +-2**53, got enumeration value=-1152921504606846976:"
         " no job could search it."),
        ({"type": "int", "min": -(2**54), "max": 0}, "min",
         "min must be within +-2**53, got min=-18014398509481984: no job could search it."),
        ({"type": "float", "min": "-1e308", "max": "1e308"}, "min",
         "max - min overflows: no job could search it."),
    ],
)
def test_every_numeric_value_the_search_refuses_is_a_message_on_its_cell(
    row: dict[str, Any], column: str, message: str
) -> None:
    _, errors = validate_algorithm_spec(_rows({"name": "n", **row}))
    assert errors.rows[0] == {column: [message]}


def test_int_values_up_to_2_to_the_53_are_kept_exactly() -> None:
    cleaned, errors = validate_algorithm_spec(
        _rows({"name": "n", "type": "int", "default": 2**53, "min": -(2**53), "max": 2**53,
               "description": "the widest int range a search holds"})
    )
    assert not errors
    row = cleaned.hyperparameters[0]
    assert (row.min, row.max, row.default) == (-(2**53), 2**53, 2**53)


def test_not_a_number() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "lr", "type": "float", "default": "fast", "min": "nan", "max": "1"})
    )
    assert errors.rows[0]["default"] == ["Default must be a number, got 'fast'."]
    assert "finite" in errors.rows[0]["min"][0]


@pytest.mark.parametrize("choices", [" , ", [""], ",,"])
def test_empty_enumeration(choices: Any) -> None:
    _, errors = validate_algorithm_spec(_rows({"name": "opt", "type": "str", "choices": choices}))
    assert "empty" in errors.rows[0]["choices"][0]


def test_enumeration_with_duplicates_and_blank_value() -> None:
    _, errors = validate_algorithm_spec(
        _rows(
            {"name": "a", "type": "str", "choices": "adam, sgd, adam"},
            {"name": "b", "type": "str", "choices": "adam, , sgd"},
        )
    )
    assert errors.rows[0]["choices"] == ["The enumeration repeats adam."]
    assert errors.rows[1]["choices"] == ["The enumeration has an empty value."]


def test_str_default_outside_enumeration() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "opt", "type": "str", "default": "rmsprop", "choices": ["adam", "sgd"]})
    )
    assert errors.rows[0]["default"] == ["Default 'rmsprop' is not in the enumeration."]


def test_bool_default_must_be_true_or_false() -> None:
    _, errors = validate_algorithm_spec(_rows({"name": "f", "type": "bool", "default": "maybe"}))
    assert errors.rows[0]["default"] == ["Default must be true or false, got 'maybe'."]


def test_unknown_type_and_range_on_a_string() -> None:
    _, errors = validate_algorithm_spec(
        _rows({"name": "a", "type": "complex"}, {"name": "b", "type": "str", "min": "1"})
    )
    assert "Type must be one of" in errors.rows[0]["type"][0]
    assert errors.rows[1]["min"] == ["A str hyperparameter takes no min: use float or int."]


def test_auto_search_needs_a_range_for_a_numeric_row_without_default() -> None:
    spec = _rows({"name": "lr", "type": "float"}, auto_search=True)
    _, errors = validate_algorithm_spec(spec)
    assert errors.rows[0]["min"] == ["min and max are required to search this hyperparameter."]
    # With a default the row can stay fixed; without auto search nothing is searched.
    assert not validate_algorithm_spec(
        _rows({"name": "lr", "type": "float", "default": 1}, auto_search=True)
    )[1].rows
    assert not validate_algorithm_spec(_rows({"name": "lr", "type": "float"}))[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter the metric name."), ("m" * 65, "at most 64 characters")],
)
def test_bad_metric_name(name: str, message: str) -> None:
    spec = valid_spec(metric={"name": name, "goal": "maximize", "regex": "acc=(\\d+)"})
    _, errors = validate_algorithm_spec(spec)
    assert message in errors.fields["metric.name"][0]


def test_metric_name_with_spaces_is_fine() -> None:
    spec = valid_spec(metric={"name": "valid ppl", "goal": "minimize", "regex": "ppl +(\\d+)"})
    cleaned, errors = validate_algorithm_spec(spec)
    assert not errors, errors.messages()
    assert cleaned.metric == MetricSpec("valid ppl", "minimize", "ppl +(\\d+)")


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        ("", "Metric regex is required"),
        ("accuracy=([0-9.]+", "does not compile"),
        ("accuracy=[0-9.]+", "no capture group"),
        ("(a+)+$", "exponential time"),
    ],
)
def test_bad_metric_regex(regex: str, message: str) -> None:
    spec = valid_spec(metric={"name": "accuracy", "goal": "maximize", "regex": regex})
    _, errors = validate_algorithm_spec(spec)
    assert message in errors.fields["metric.regex"][0]


def test_bad_goal() -> None:
    spec = valid_spec(metric={"name": "acc", "goal": "up", "regex": "acc=(\\d+)"})
    _, errors = validate_algorithm_spec(spec)
    assert errors.fields["metric.goal"] == ["Goal must be maximize or minimize (got 'up')."]


def test_auto_search_needs_a_search_algorithm() -> None:
    _, errors = validate_algorithm_spec(valid_spec(search_algorithms=[]))
    assert errors.fields["search_algorithms"] == ["Select at least one search algorithm."]


def test_unknown_search_algorithm() -> None:
    _, errors = validate_algorithm_spec(valid_spec(search_algorithms=[{"name": "hyperband"}]))
    assert "Unknown search algorithm 'hyperband'" in errors.fields["search_algorithms"][0]


def test_unknown_search_algorithm_parameter_is_named() -> None:
    spec = valid_spec(search_algorithms=[{"name": "random"}, {"name": "tpe", "params": {"foo": 1}}])
    _, errors = validate_algorithm_spec(spec)
    assert "foo" in errors.search_algorithm_params[1]["foo"][0]


def test_out_of_range_search_algorithm_parameter_is_named_as_written() -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe_search", "params": {"gamma": "2"}}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.search_algorithm_params[0]["gamma"] == ["gamma must be at most 1, got 2."]


def test_auto_search_off_ignores_and_clears_the_metric() -> None:
    spec = valid_spec(auto_search=False, metric={"name": "", "regex": "(a+)+$"},
                      search_algorithms=[{"name": "nope"}])
    cleaned, errors = validate_algorithm_spec(spec)
    assert not errors
    assert cleaned.metric.regex == "" and cleaned.search_algorithms == ()


def test_wrongly_shaped_json_gets_messages_not_exceptions() -> None:
    _, errors = validate_algorithm_spec(
        {"name": 3, "hyperparameters": {"lr": 1}, "auto_search": True, "metric": "acc",
         "search_algorithms": "tpe"}
    )
    assert errors.fields["name"] == ["Name must be a string, got 3."]
    assert errors.fields["hyperparameters"] == ["Hyperparameters must be a list of rows."]
    assert errors.fields["metric"]
    assert errors.fields["search_algorithms"] == ["Search algorithms must be a list."]


def test_errors_to_api() -> None:
    spec = valid_spec(name="", hyperparameters=[{"name": "a b"}])
    _, errors = validate_algorithm_spec(spec)
    body = errors_to_api(errors)
    assert body["name"] == ["Name is required."]
    assert list(body["hyperparameters"]) == ["0"]


def test_search_algorithm_given_twice_under_an_alias_is_reported_on_the_second() -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe"}, {"name": "tpe_search"}])
    cleaned, errors = validate_algorithm_spec(spec)
    assert errors.search_algorithm_params == {
        1: {"__all__": ["tpe_search is another name for tpe, which is already selected."]}
    }
    assert [a["name"] for a in cleaned.search_algorithms] == ["tpe"]


def test_search_algorithm_given_twice_by_the_same_name() -> None:
    spec = valid_spec(search_algorithms=[{"name": "random"}, {"name": "Random"}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.search_algorithm_params == {
        1: {"__all__": ["Random is selected more than once."]}
    }
