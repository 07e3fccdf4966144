"""Early-termination policies: decide from learning curves whether a trial should stop.

>>> from search.stopping import make_policy
>>> make_policy("bandit", slack_factor=0.2).should_stop([0.6], [[0.8]])
True
"""

from search.stopping import asha, bandit, median, none, truncation  # noqa: F401  (registration)
from search.stopping.base import ParamSpec, Policy
from search.stopping.registry import (
    POLICIES,
    list_policies,
    make_policy,
    policy_class,
    register,
)

__all__ = [
    "POLICIES",
    "ParamSpec",
    "Policy",
    "list_policies",
    "make_policy",
    "policy_class",
    "register",
]
