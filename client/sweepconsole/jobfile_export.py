"""Writing a job of the console as a job file: submitting the file runs the same search
(``sweep jobs show ID --as-yaml``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from sweepconsole.defaults import policy_without_defaults, range_without_defaults
from sweepconsole.distribution_reading import from_json
from sweepconsole.errors import SpecError
from sweepconsole.jobfile_check import LIMITS

if TYPE_CHECKING:
    from sweepconsole.resources import Job

__all__ = ["dump_document", "job_to_document"]

_HYPERDRIVE_KINDS = frozenset({"choice", "randint", "uniform", "loguniform", "normal", "lognormal"})


def job_to_document(
    job: Job,
    *,
    algorithm: int | str | None = None,
    dataset: int | str | None = None,
    search_algorithms: Sequence[Mapping[str, Any]] | None = None,
    policy: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A job of the console as a job file's content: submitting it runs the same search,
    on the same dataset, with the same environment variables.

    ``algorithm`` is how to name its algorithm (``Console.algorithm_reference``: the name,
    or the id when the name would mean another algorithm); by default, its name.
    ``dataset`` is how to name its dataset (``Console.dataset_reference``); by default,
    its id. ``search_algorithms`` is its search algorithms with the parameters that go
    without saying left out (``Job.search_algorithms_without_defaults()``); by default,
    as stored, every parameter. ``policy`` is its policy with the parameters that go
    without saying left out (``Job.policy_without_defaults()``: the console's defaults
    too); by default, those at this client's policy defaults (``sweepconsole.defaults``).
    """
    data = job.data
    doc: dict[str, Any] = {"name": data.get("name", "")}
    if data.get("description"):
        doc["description"] = data["description"]
    if algorithm is None:
        algorithm = data.get("algorithm_name") or data.get("algorithm")
    doc["algorithm"] = algorithm
    if data.get("dataset") is not None:
        doc["dataset"] = data["dataset"] if dataset is None else dataset
    if data.get("hyperparameters"):
        doc["fixed"] = dict(data["hyperparameters"])
    if data.get("omit"):
        doc["omit"] = list(data["omit"])
    space = data.get("search_space") or {}
    if space:
        doc["search_space"] = {name: _range_entry(spec) for name, spec in space.items()}
        if search_algorithms is None:
            search_algorithms = data.get("search_algorithms") or []
        doc["sampling"] = [
            {"name": item["name"], "params": dict(item.get("params") or {})}
            if item.get("params")
            else {"name": item["name"]}
            for item in search_algorithms
        ]
        if policy is None:
            policy = policy_without_defaults(data.get("policy"))
        if policy:
            doc["policy"] = dict(policy)
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
    if data.get("environment"):
        doc["environment"] = {str(k): str(v) for k, v in data["environment"].items()}
    return doc


def _range_entry(spec: Mapping[str, Any]) -> Any:
    try:
        dist = from_json(spec)
    except SpecError:
        return dict(spec)
    if dist.type in _HYPERDRIVE_KINDS:
        return dist.expression()
    # The fields at their kind's default go without saying (no "step: null" in every range).
    return range_without_defaults(dist.to_json())


def dump_document(doc: Mapping[str, Any]) -> str:
    """A job file's content as YAML text, its fields in the order given."""
    return yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=100)
