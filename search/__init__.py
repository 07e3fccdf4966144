"""Sweep Console's optimisation library: search spaces, samplers, early-termination
policies and hyperparameter importance. Pure: standard library, numpy, scipy and
scikit-learn only, so the console, a worker and a benchmark all compute the same answer.

>>> from search import SearchSpace, make_sampler
>>> space = SearchSpace.from_json({"lr": {"type": "loguniform", "low": -11.5, "high": -2.3},
...                                "batch": {"type": "choice", "values": [16, 32, 64]}})
>>> points = make_sampler("tpe", space, goal="maximize", seed=7).suggest([], n=2)
>>> len(points), all(space.contains(p) for p in points)
(2, True)
"""

from search.errors import SamplerParamError, SearchError, SpaceError, SpaceExhausted
from search.importance import importance
from search.samplers import Sampler, list_samplers, make_sampler
from search.space import SearchSpace
from search.stopping import Policy, list_policies, make_policy

__all__ = [
    "Policy",
    "SamplerParamError",
    "Sampler",
    "SearchError",
    "SearchSpace",
    "SpaceError",
    "SpaceExhausted",
    "importance",
    "list_policies",
    "list_samplers",
    "make_policy",
    "make_sampler",
]
