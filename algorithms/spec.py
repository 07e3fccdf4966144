"""The cleaned spec of an algorithm: what validation hands to the services, typed and frozen.

``validate_algorithm_spec`` turns a request's loose JSON (or the form's strings) into an
:class:`AlgorithmSpec`; the services read its attributes, never string keys, and cannot
change it on the way to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HyperparameterSpec:
    name: str = ""
    type: str = "float"
    default: Any = None  # a float, an int, a string or a bool, as ``type`` says
    min: int | float | None = None
    max: int | float | None = None
    choices: tuple[Any, ...] = ()
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class MetricSpec:
    name: str = ""
    goal: str = "maximize"
    regex: str = ""


@dataclass(frozen=True)
class AlgorithmSpec:
    name: str = ""
    description: str = ""
    boot_file: str = ""
    engine: str | int | None = None  # a name or an id; None: the default engine
    code_source: str = ""  # "upload" | "server_path" as the page chose; "" from the API
    argument_style: str = "equals"
    bool_style: str = "true_false"
    accepts_data_urls: bool = False
    hyperparameters: tuple[HyperparameterSpec, ...] = ()
    auto_search: bool = False
    metric: MetricSpec = field(default_factory=MetricSpec)
    # [{"name": "tpe", "params": {...}}]: stored as JSON as it is.
    search_algorithms: tuple[dict[str, Any], ...] = ()
    sample_log: str = ""
    confirm_no_match: bool = False

    @classmethod
    def from_cleaned(cls, cleaned: dict[str, Any]) -> AlgorithmSpec:
        """Freeze the dict the validators filled in."""
        rows = tuple(
            HyperparameterSpec(**{**row, "choices": tuple(row["choices"])})
            for row in cleaned["hyperparameters"]
        )
        return cls(
            **{
                **cleaned,
                "hyperparameters": rows,
                "metric": MetricSpec(**cleaned["metric"]),
                "search_algorithms": tuple(cleaned["search_algorithms"]),
            }
        )
