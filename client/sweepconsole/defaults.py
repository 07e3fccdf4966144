"""Which of a stored job's search-algorithm and policy parameters, and of its ranges'
fields, go without saying.

The console stores every parameter of a job's search algorithms and policy, defaults
included (eight for TPE, five for a bandit policy). Written back, as Python objects
(``Job.hyperparameter_sampling``, ``Job.policy``) or as a job file (``sweep jobs show
--as-yaml``), a parameter is left out when leaving it out gives the same value again, so
what reads back is what was asked for. One rule for search algorithms and policies:

    a parameter is left out  <=>  its stored value == what leaving it out gives

What leaving it out gives (``left_out_gives``) is the console's default, as its catalogue
lists it (``GET /api/v1/search-algorithms/``, ``GET /api/v1/early-termination-policies/``),
except where something between the file and the stored job puts a value in its place:

- a value this client sends for a parameter it is not given (``sent``): a policy class's
  own default (``MedianStoppingPolicy``'s ``delay_evaluation=5``, HyperDrive's, where the
  console's is 0), so that one is what goes without saying;
- a value the job's algorithm configures otherwise (``unsettled``): the console lays a
  job's search-algorithm parameters over its algorithm's, and the algorithm may change,
  so such a parameter is always written.

A parameter no catalogue names a default for is always written. This module does no I/O:
``Console.search_algorithm_defaults`` and ``Console.policy_defaults`` read the catalogues.

A range of the search space follows the same rule (``range_without_defaults``): a field
is left out when reading the range back without it gives the same value, i.e. it is at
its kind's default (``log: false`` and ``step: null`` for a float range, ``log: false``
and ``step: 1`` for an int range), as the kind's own class declares it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any

from sweepconsole.distribution_kinds import FloatRange, IntRange
from sweepconsole.errors import SpecError
from sweepconsole.policies import policy_class, policy_defaults

__all__ = [
    "catalogue_defaults",
    "left_out_gives",
    "policy_without_defaults",
    "range_without_defaults",
    "search_algorithm_defaults",
    "search_algorithms_without_defaults",
    "without_defaults",
]

Defaults = Mapping[str, Mapping[str, Any]]  # {search algorithm or policy: {parameter: default}}

# {range kind: {field: default}}: what reading a range without the field gives, taken from
# the kind's own dataclass so the two cannot drift apart.
_RANGE_DEFAULTS: dict[str, dict[str, Any]] = {
    kind.type: {f.name: f.default for f in fields(kind) if f.default is not MISSING}
    for kind in (FloatRange, IntRange)
}


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


def left_out_gives(
    defaults: Mapping[str, Any],
    *,
    sent: Mapping[str, Any] | None = None,
    unsettled: Iterable[str] = (),
) -> dict[str, Any]:
    """``{parameter: value}`` a parameter left out ends up stored as: the catalogue's
    ``defaults``, overridden by what the client ``sent`` in its place, without the
    ``unsettled`` ones (whose value depends on more than the file says: always written).

    >>> left_out_gives({"delay_evaluation": 0, "min_comparators": 3},
    ...                sent={"delay_evaluation": 5}, unsettled=["min_comparators"])
    {'delay_evaluation': 5}
    """
    implied = {**defaults, **(sent or {})}
    for key in unsettled:
        implied.pop(key, None)
    return implied


def catalogue_defaults(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{name: {parameter: default}}`` of a catalogue's entries (``[{"name", "aliases",
    "params": [{"name", "default", ...}]}]``), each entry under its name and its aliases.

    >>> catalogue_defaults([{"name": "median_stopping", "aliases": ["median"],
    ...                      "params": [{"name": "delay_evaluation", "default": 0}]}])
    {'median_stopping': {'delay_evaluation': 0}, 'median': {'delay_evaluation': 0}}
    """
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        params = {str(p["name"]): p.get("default") for p in entry.get("params") or []}
        for name in (entry.get("name"), *(entry.get("aliases") or [])):
            if name:
                found.setdefault(str(name), params)
    return found


def search_algorithm_defaults(
    catalogue: Defaults, configured: Sequence[Mapping[str, Any]] = ()
) -> dict[str, dict[str, Any]]:
    """What leaving out each search algorithm's parameters gives, for a job of an algorithm
    configuring its search algorithms as ``configured`` (``[{"name", "params"}]``): the
    catalogue's default, but none where the algorithm sets another value.

    >>> search_algorithm_defaults({"tpe": {"seed": 0, "gamma": 0.25}},
    ...                           [{"name": "tpe", "params": {"seed": 0, "gamma": 0.3}}])
    {'tpe': {'seed': 0}}
    """
    implied = {str(name): dict(params) for name, params in catalogue.items()}
    for item in configured:
        name = str(item.get("name"))
        if name in implied:
            unsettled = without_defaults(item.get("params") or {}, implied[name])
            implied[name] = left_out_gives(implied[name], unsettled=unsettled)
    return implied


def search_algorithms_without_defaults(
    items: Sequence[Mapping[str, Any]], defaults: Defaults
) -> list[dict[str, Any]]:
    """A job's ``search_algorithms`` (``[{"name", "params"}]``) with each one's parameters
    that go without saying left out; ``defaults`` is what leaving them out gives
    (``search_algorithm_defaults``).

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


def policy_without_defaults(
    spec: Mapping[str, Any] | None, catalogue: Defaults | None = None
) -> dict[str, Any] | None:
    """A job's ``policy`` with the parameters that go without saying left out, and those
    unset (``None``); ``None`` for no policy. ``catalogue`` is the console's policy
    defaults (``catalogue_defaults`` of ``GET /api/v1/early-termination-policies/``);
    without it only the client policy's own defaults are known.

    >>> policy_without_defaults(
    ...     {"name": "median_stopping", "evaluation_interval": 1, "delay_evaluation": 0,
    ...      "min_comparators": 3},
    ...     {"median_stopping": {"evaluation_interval": 1, "delay_evaluation": 0,
    ...                          "min_comparators": 3}})
    {'name': 'median_stopping', 'delay_evaluation': 0}
    """
    if not spec:
        return None
    name = spec.get("name")
    params = {str(k): v for k, v in spec.items() if k != "name" and v is not None}
    try:
        sent = policy_defaults(policy_class(name))
    except SpecError:
        sent = {}  # a policy this client does not know: nothing is filled in for it
    listed = (catalogue or {}).get(str(name), {})
    return {"name": name, **without_defaults(params, left_out_gives(listed, sent=sent))}


def range_without_defaults(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A search-space range's JSON (``{"type", ...}``, as ``Distribution.to_json()``
    writes it) without the fields at their kind's default, in their order; a kind with no
    such fields comes back whole. Reading the result back gives the same range.

    >>> range_without_defaults({"type": "float", "low": 0.1, "high": 1, "log": True,
    ...                         "step": None})
    {'type': 'float', 'low': 0.1, 'high': 1, 'log': True}
    >>> range_without_defaults({"type": "int", "low": 0, "high": 64, "log": False, "step": 8})
    {'type': 'int', 'low': 0, 'high': 64, 'step': 8}
    """
    return without_defaults(spec, _RANGE_DEFAULTS.get(str(spec.get("type")), {}))
