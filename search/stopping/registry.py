"""Policy names, aliases and construction, on the library's one ``Registry``."""

from __future__ import annotations

from typing import Any

from search.registry import Registry
from search.stopping.base import Policy

POLICIES: Registry[type[Policy]] = Registry("early-termination policy")
register = POLICIES.register


def policy_class(name: str) -> type[Policy]:
    """The class registered under ``name`` or one of its aliases (case-insensitive).

    >>> from search.stopping import policy_class
    >>> policy_class("Median").name
    'median_stopping'
    """
    return POLICIES.get(name)


def make_policy(name: str, **params: Any) -> Policy:
    """Build a policy by name, validating its parameters.

    >>> from search.stopping import make_policy
    >>> policy = make_policy("median_stopping", evaluation_interval=1, delay_evaluation=5)
    >>> policy.should_stop([0.1] * 5, [[0.9] * 5, [0.8] * 5, [0.7] * 5])
    True
    """
    return policy_class(name)(**params)


def list_policies() -> list[dict[str, Any]]:
    """Every registered policy with its parameters, for building forms.

    >>> from search.stopping import list_policies
    >>> [entry["name"] for entry in list_policies()][:2]
    ['asha', 'bandit']
    """
    return POLICIES.describe()
