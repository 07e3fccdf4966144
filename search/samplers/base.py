"""The sampler role: a pure function of (space, history, seed, n) to n new points.

A subclass declares its name, aliases, description and algorithm parameters, and
implements ``_suggest(obs, n, rng)``. The base class owns everything samplers share:
validating parameters and the goal, turning the history into ``Observations``,
deriving the random generator from the inputs alone, and the batch contract (points
in the space, distinct from each other and from pending trials, unseen while the space
has unseen points), topping a short batch up with prior draws.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from search.errors import SamplerParamError, SearchError
from search.history import Observations, ParamsKey, check_goal, observe
from search.params import Configurable, ParamSpec
from search.space import SearchSpace

# Prior draws tried per missing point before falling back to enumerating a finite space.
_DRAWS_PER_POINT = 64
# A finite space up to this size is enumerated when prior draws keep hitting seen points.
_MAX_ENUMERATED = 200_000


# Blank (None) by default: a training job seeds each of its samplers from the job's own seed
# (a second sampler of one job gets the next one), so one seed makes the whole job
# repeatable; a value set here pins this sampler alone. Built directly, None is seed 0.
SEED = ParamSpec(
    "seed",
    "int",
    None,
    "Seed: the same history and seed give the same points (blank: from the job's seed).",
    min=0,
)


class Sampler(Configurable, ABC):
    """Base of every sampler; see the module docstring for the contract.

    >>> from search.samplers.random import RandomSampler
    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> len(RandomSampler(space, seed=1).suggest([], n=3))
    3
    """

    #: Whether a short batch may be completed with prior draws. A sampler whose points
    #: must come from a fixed set (the grid) turns this off.
    top_up_with_prior: ClassVar[bool] = True

    def __init__(
        self,
        space: SearchSpace | Mapping[str, Any],
        *,
        goal: str = "maximize",
        seed: Any = 0,
        **params: Any,
    ) -> None:
        self.space = SearchSpace.from_json(space)
        self.goal = check_goal(goal)
        options = self.check_options(seed=seed, **params)
        self.seed: int = options.pop("seed") or 0
        self.options: dict[str, Any] = options
        self._check_space()

    @classmethod
    def all_params(cls) -> tuple[ParamSpec, ...]:
        return (SEED, *cls.params)

    def _check_space(self) -> None:  # noqa: B027  (an optional hook, not an abstract step)
        """Hook for checks of the options against the space; raise ``SearchError``s."""

    def __repr__(self) -> str:
        options = self.options
        return f"{type(self).__name__}(goal={self.goal!r}, seed={self.seed}, options={options})"

    # ------------------------------------------------------------------ the template

    def suggest(self, history: Sequence[Mapping[str, Any]], n: int = 1) -> list[dict[str, Any]]:
        """Return up to ``n`` new points (fewer only when the space has no more).

        Points lie in the space, differ from each other and from queued or running
        trials, and avoid every point already tried while unseen points remain.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise SamplerParamError(f"n must be an integer >= 0, got n={n!r}")
        history = list(history)
        if n == 0:
            return []
        obs = observe(history, self.space, self.goal)
        rng = self._rng(history, n)
        proposals = self._suggest(obs, n, rng)
        return self._complete_batch(proposals, obs, n, rng)

    def _rng(self, history: Sequence[Mapping[str, Any]], n: int) -> np.random.Generator:
        """A generator that depends only on the seed and the call's inputs."""
        return np.random.default_rng([self.seed, len(history), n])

    @abstractmethod
    def _suggest(self, obs: Observations, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        """Propose up to ``n`` points; repeats or seen points are replaced by the base class."""

    # ------------------------------------------------------------------ the batch contract

    def _complete_batch(
        self,
        proposals: Iterable[Mapping[str, Any]],
        obs: Observations,
        n: int,
        rng: np.random.Generator,
    ) -> list[dict[str, Any]]:
        pending = {self.space.key(p) for p in obs.pending_params}
        batch: list[dict[str, Any]] = []
        taken: set[ParamsKey] = set(pending)
        for proposal in proposals:
            if not self.space.contains(proposal):
                raise SearchError(f"{self.name} proposed a point outside the space: {proposal!r}")
            key = self.space.key(proposal)
            if key in taken or key in obs.seen:
                continue
            batch.append(dict(proposal))
            taken.add(key)
            if len(batch) == n:
                return batch
        if self.top_up_with_prior:
            batch += fill_distinct(
                self.space, n - len(batch), rng, avoid=obs.seen | taken, never=taken
            )
        return batch


def fill_distinct(
    space: SearchSpace,
    n: int,
    rng: np.random.Generator,
    *,
    avoid: set[ParamsKey],
    never: set[ParamsKey] | None = None,
) -> list[dict[str, Any]]:
    """Up to ``n`` distinct prior draws, none in ``avoid``.

    When a finite space runs out of points outside ``avoid``, points of ``avoid`` that
    are not in ``never`` (finished trials, worth re-evaluating on a noisy objective) are
    used; fewer than ``n`` points come back only when even those run out.

    >>> space = SearchSpace.from_json({"b": {"type": "bool"}})
    >>> fill_distinct(space, 3, np.random.default_rng(0), avoid={space.key({"b": True})})
    [{'b': False}, {'b': True}]
    """
    never = set() if never is None else never
    out: list[dict[str, Any]] = []
    taken = set(avoid)
    for _ in range(_DRAWS_PER_POINT * n):
        if len(out) == n:
            return out
        point = space.sample(rng)
        key = space.key(point)
        if key not in taken:
            out.append(point)
            taken.add(key)
    size = space.cardinality
    if len(out) == n or size is None or size > _MAX_ENUMERATED:
        # A continuous or huge space: n * 64 draws all landing on seen points means the
        # prior is concentrated; returning fewer points beats looping forever.
        return out
    chosen = {space.key(p) for p in out}
    points = space.grid()
    order = rng.permutation(len(points))
    fresh = [points[i] for i in order if space.key(points[i]) not in taken]
    repeats = [
        points[i]
        for i in order
        if space.key(points[i]) not in never
        and space.key(points[i]) not in chosen
        and space.key(points[i]) in avoid
    ]
    return out + (fresh + repeats)[: n - len(out)]
