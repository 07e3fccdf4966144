"""One ask/tell runner per optimisation library, all driven the same way.

A run asks for ``batch`` points, evaluates them all, tells the results, and repeats
until ``n_trials`` points were evaluated.  While a batch is outstanding its points are
pending, in whatever way the library models that:

- ours: one ``sampler.suggest(history, n=batch)`` call; after it the history holds the
  batch as ``"running"`` trials until they complete;
- Optuna: ``study.ask()`` ``batch`` times (the later asks see the earlier ones running);
- hyperopt: one ``suggest`` call per point on a ``Trials`` object that holds the
  outstanding points as new jobs (TPE treats them as infinitely bad, like hyperopt's
  own asynchronous workers);
- SMAC3: ``smac.ask()`` ``batch`` times, then ``smac.tell``.

Every runner returns the objective values in evaluation order.
"""

from __future__ import annotations

import math
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.problems import Problem

Runner = Callable[[Problem, int, int, int], list[float]]

OURS_SAMPLERS = ("random", "tpe", "anneal", "bayesian", "smac")


OBJECTIVE_SECONDS = [0.0]  # time spent inside objectives by this process, to report overhead


def _evaluate(problem: Problem, params: dict[str, Any]) -> float:
    start = time.perf_counter()
    value = float(problem.objective(params))
    OBJECTIVE_SECONDS[0] += time.perf_counter() - start
    return value if math.isfinite(value) else float("inf")


# --- ours ----------------------------------------------------------------------------


def run_ours(
    sampler_name: str, problem: Problem, n_trials: int, seed: int, batch: int, **options: Any
) -> list[float]:
    from search import make_sampler

    sampler = make_sampler(sampler_name, problem.space, goal="minimize", seed=seed, **options)
    history: list[dict[str, Any]] = []
    values: list[float] = []
    while len(history) < n_trials:
        points = sampler.suggest(history, n=min(batch, n_trials - len(history)))
        if not points:
            break
        entries = [{"params": p, "value": None, "status": "running", "curve": []} for p in points]
        history.extend(entries)
        for entry in entries:
            value = _evaluate(problem, entry["params"])
            entry["value"], entry["status"] = value, "completed"
            values.append(value)
    return values


# --- Optuna --------------------------------------------------------------------------


def optuna_space(space: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Our JSON spec (float/int/categorical forms) as Optuna distributions."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out: dict[str, Any] = {}
    for name, spec in space.items():
        kind = spec["type"]
        if kind == "float":
            out[name] = FloatDistribution(spec["low"], spec["high"], log=spec.get("log", False))
        elif kind == "int":
            out[name] = IntDistribution(spec["low"], spec["high"], log=spec.get("log", False))
        else:
            out[name] = CategoricalDistribution(list(spec["values"]))
    return out


def make_optuna_sampler(kind: str, seed: int) -> Any:
    import optuna

    if kind == "tpe":
        # Optuna 5 defaults to multivariate TPE (with constant liar) for one objective.
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "tpe-indep":
        return optuna.samplers.TPESampler(seed=seed, multivariate=False)
    if kind == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown Optuna sampler {kind!r}")


def run_optuna(kind: str, problem: Problem, n_trials: int, seed: int, batch: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    dists = optuna_space(problem.space)
    study = optuna.create_study(direction="minimize", sampler=make_optuna_sampler(kind, seed))
    values: list[float] = []
    while len(values) < n_trials:
        trials = [study.ask(dists) for _ in range(min(batch, n_trials - len(values)))]
        for trial in trials:
            value = _evaluate(problem, dict(trial.params))
            study.tell(trial, value)
            values.append(value)
    return values


# --- hyperopt ------------------------------------------------------------------------


def hyperopt_space(space: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Our JSON spec as a hyperopt space (ints via ``uniformint``, choices via ``choice``)."""
    from hyperopt import hp

    out: dict[str, Any] = {}
    for name, spec in space.items():
        kind = spec["type"]
        if kind == "float" and spec.get("log"):
            out[name] = hp.loguniform(name, math.log(spec["low"]), math.log(spec["high"]))
        elif kind == "float":
            out[name] = hp.uniform(name, spec["low"], spec["high"])
        elif kind == "int":
            out[name] = hp.uniformint(name, spec["low"], spec["high"])
        else:
            out[name] = hp.choice(name, list(spec["values"]))
    return out


class HyperoptAskTell:
    """Ask/tell over a hyperopt ``Trials`` object, the way its asynchronous workers use it."""

    def __init__(self, space: dict[str, dict[str, Any]], algo: Callable[..., Any], seed: int):
        from hyperopt import Domain, Trials

        self.hp_space = hyperopt_space(space)
        self.int_names = [name for name, spec in space.items() if spec["type"] == "int"]
        self.domain = Domain(lambda _: 0.0, self.hp_space)
        self.trials = Trials()
        self.algo = algo
        self.rng = np.random.default_rng(seed)

    def ask(self) -> tuple[dict[str, Any], dict[str, Any]]:
        new_ids = self.trials.new_trial_ids(1)
        self.trials.refresh()
        docs = self.algo(new_ids, self.domain, self.trials, int(self.rng.integers(2**31 - 1)))
        self.trials.insert_trial_docs(docs)
        self.trials.refresh()
        doc = self.trials.trials[-1]
        return doc, self.params_of(doc)

    def params_of(self, doc: dict[str, Any]) -> dict[str, Any]:
        from hyperopt import space_eval

        raw = {key: vals[0] for key, vals in doc["misc"]["vals"].items() if vals}
        params = dict(space_eval(self.hp_space, raw))
        for name in self.int_names:
            params[name] = int(round(params[name]))
        return params

    def tell(self, doc: dict[str, Any], value: float) -> None:
        from hyperopt import JOB_STATE_DONE, STATUS_OK

        doc["state"] = JOB_STATE_DONE
        doc["result"] = {"loss": value, "status": STATUS_OK}
        self.trials.refresh()


def _hyperopt_algo(kind: str) -> Callable[..., Any]:
    from hyperopt import anneal, rand, tpe

    return {"tpe": tpe.suggest, "anneal": anneal.suggest, "random": rand.suggest}[kind]


def run_hyperopt(kind: str, problem: Problem, n_trials: int, seed: int, batch: int) -> list[float]:
    opt = HyperoptAskTell(problem.space, _hyperopt_algo(kind), seed)
    values: list[float] = []
    while len(values) < n_trials:
        asked = [opt.ask() for _ in range(min(batch, n_trials - len(values)))]
        for doc, params in asked:
            value = _evaluate(problem, params)
            opt.tell(doc, value)
            values.append(value)
    return values


# --- SMAC3 ---------------------------------------------------------------------------


def smac_available() -> bool:
    try:
        import smac  # noqa: F401
    except ImportError:
        return False
    return True


def configspace(space: dict[str, dict[str, Any]], seed: int) -> Any:
    from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

    cs = ConfigurationSpace(seed=seed)
    for name, spec in space.items():
        kind = spec["type"]
        if kind == "float":
            cs.add(Float(name, (spec["low"], spec["high"]), log=spec.get("log", False)))
        elif kind == "int":
            cs.add(Integer(name, (spec["low"], spec["high"]), log=spec.get("log", False)))
        else:
            cs.add(Categorical(name, list(spec["values"])))
    return cs


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def run_smac3(kind: str, problem: Problem, n_trials: int, seed: int, batch: int) -> list[float]:
    import logging

    from smac import BlackBoxFacade, HyperparameterOptimizationFacade, Scenario
    from smac.runhistory.dataclasses import TrialValue

    logging.getLogger("smac").setLevel(logging.ERROR)
    facade = {"hpo": HyperparameterOptimizationFacade, "bb": BlackBoxFacade}[kind]
    values: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        scenario = Scenario(
            configspace(problem.space, seed),
            deterministic=True,
            n_trials=n_trials,
            seed=seed,
            output_directory=out,
        )
        opt = facade(scenario, lambda config, seed=0: 0.0, overwrite=True, logging_level=40)
        while len(values) < n_trials:
            infos = [opt.ask() for _ in range(min(batch, n_trials - len(values)))]
            for info in infos:
                params = {key: _plain(val) for key, val in dict(info.config).items()}
                value = _evaluate(problem, params)
                opt.tell(info, TrialValue(cost=value))
                values.append(value)
    return values


# --- the method table ----------------------------------------------------------------


def _bind(fn: Callable[..., list[float]], kind: str) -> Runner:
    def run(problem: Problem, n_trials: int, seed: int, batch: int) -> list[float]:
        return fn(kind, problem, n_trials, seed, batch)

    return run


def methods() -> dict[str, Runner]:
    """Every method the benchmarks know, by the name used in tables and flags."""
    table: dict[str, Runner] = {f"ours-{name}": _bind(run_ours, name) for name in OURS_SAMPLERS}
    table.update(
        {
            "optuna-tpe": _bind(run_optuna, "tpe"),
            "optuna-tpe-indep": _bind(run_optuna, "tpe-indep"),
            "optuna-gp": _bind(run_optuna, "gp"),
            "optuna-random": _bind(run_optuna, "random"),
            "hyperopt-tpe": _bind(run_hyperopt, "tpe"),
            "hyperopt-anneal": _bind(run_hyperopt, "anneal"),
        }
    )
    if smac_available():
        table["smac3-hpo"] = _bind(run_smac3, "hpo")
    return table


def variant_options(name: str) -> tuple[str, dict[str, str]]:
    """Split a variant name ``ours-tpe@gamma=0.1@bandwidth=scott`` into the base method and
    the sampler options it sets (for choosing defaults on the tuning half).

    >>> variant_options("ours-tpe@gamma=0.1@bandwidth=scott")
    ('ours-tpe', {'gamma': '0.1', 'bandwidth': 'scott'})
    """
    base, *pairs = name.split("@")
    return base, dict(pair.split("=", 1) for pair in pairs)


def run_method(name: str, problem: Problem, n_trials: int, seed: int, batch: int) -> list[float]:
    """Run one method by name; see :func:`methods` for the names. One of ours may carry
    options after ``@`` (see :func:`variant_options`)."""
    base, options = variant_options(name)
    if options and base.startswith("ours-"):
        return run_ours(base.removeprefix("ours-"), problem, n_trials, seed, batch, **options)
    table = methods()
    if name not in table:
        raise SystemExit(f"unknown method {name!r}; known: {list(table)}")
    return table[name](problem, n_trials, seed, batch)
