"""Early-termination policies: decide from learning curves whether a trial should stop.

>>> from search.stopping import make_policy
>>> make_policy("bandit", slack_factor=0.2).should_stop([0.6], [[0.8]])
True
"""

from search.stopping import (  # noqa: F401  (registration)
    asha,
    bandit,
    curve_fit,
    median,
    none,
    truncation,
)
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
