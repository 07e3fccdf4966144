"""Which of a stored job's search-algorithm and policy parameters are defaults.

The console stores every parameter of a job's search algorithms and policy, defaults
included (eight for TPE). Written back, as Python objects (``Job.hyperparameter_sampling``)
or as a job file (``sweep jobs show --as-yaml``), a parameter is left out when leaving it
out gives the same value again, so what reads back is what was asked for:

- a search algorithm's parameter, when it equals the search algorithm's default
  (``GET /api/v1/search-algorithms/``) and the value the job's algorithm configures for it
  (the console lays a job's parameters over the algorithm's: ``Console.search_algorithm_defaults``
  narrows the defaults to those);
- a policy's parameter, when it equals the default this client's policy class fills in
  (``MedianStoppingPolicy``'s ``delay_evaluation=5``, HyperDrive's, not the console's 0),
  since that is what a job file or a policy object without it sends; a parameter the client
  names no default for (``min_comparators``) is always written.

This module is that one rule; it does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sweepconsole.errors import SpecError
from sweepconsole.sampling import policy_class, policy_defaults

__all__ = ["policy_without_defaults", "search_algorithms_without_defaults", "without_defaults"]


def _same(value: Any, default: Any) -> bool:
    # True == 1 in Python, but a job file must keep a 1 where the default is true.
    return isinstance(value, bool) == isinstance(default, bool) and value == default


def without_defaults(params: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` without those equal to their default (a parameter without a default in
    ``defaults`` is kept), in their order.

    >>> without_defaults({"seed": 5, "gamma": 0.25, "x": 1}, {"seed": 0, "gamma": 0.25})
    {'seed': 5, 'x': 1}
    """
    return {
        str(key): value
        for key, value in params.items()
        if key not in defaults or not _same(value, defaults[key])
    }


def search_algorithms_without_defaults(
    items: Sequence[Mapping[str, Any]], defaults: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A job's ``search_algorithms`` (``[{"name", "params"}]``) with each one's default
    parameters left out; ``defaults`` is ``{search algorithm: {parameter: default}}``.

    >>> search_algorithms_without_defaults(
    ...     [{"name": "tpe", "params": {"seed": 0, "gamma": 0.2}}],
    ...     {"tpe": {"seed": 0, "gamma": 0.25}})
    [{'name': 'tpe', 'params': {'gamma': 0.2}}]
    """
    return [
        {
            "name": item.get("name"),
            "params": without_defaults(
                item.get("params") or {}, defaults.get(str(item.get("name")), {})
            ),
        }
        for item in items
    ]


def policy_without_defaults(spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A job's ``policy`` with the parameters that are unset (``None``) or at the client
    policy's default left out; ``None`` for no policy. A policy this client does not know
    keeps every set parameter.

    >>> policy_without_defaults({"name": "bandit", "slack_factor": 0.1, "slack_amount": None,
    ...                          "evaluation_interval": 1, "delay_evaluation": 5})
    {'name': 'bandit', 'slack_factor': 0.1, 'delay_evaluation': 5}
    """
    if not spec:
        return None
    params = {str(k): v for k, v in spec.items() if k != "name" and v is not None}
    try:
        defaults = policy_defaults(policy_class(spec.get("name")))
    except SpecError:
        defaults = {}
    return {"name": spec.get("name"), **without_defaults(params, defaults)}
