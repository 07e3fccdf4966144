"""Suggestion latency: median milliseconds for one suggestion given N completed trials.

    .venv/bin/python -m benchmarks.search_latency
    .venv/bin/python -m benchmarks.search_latency --quick
    .venv/bin/python -m benchmarks.search_latency --sizes 100,1000 --methods ours-tpe,optuna-tpe

The history is synthetic: N uniform points of the 6-d unit cube scored by Hartmann6.
Each (method, N) cell runs in a fresh process: the history is built untimed, one warm-up
suggestion on a small history pays imports and first-call costs, then ``--reps`` single
suggestions are timed.  A cell whose first timed suggestion does not return within
``--max-seconds-per-cell`` is killed and reported as skipped.

- ours: ``make_sampler(name, space, goal="minimize").suggest(history, n=1)``
- Optuna: a study filled with ``add_trials`` of completed ``FrozenTrial``s; one ``ask``
  with the search space given (so the sampling happens inside the timed call)
- hyperopt: a ``Trials`` object preloaded with finished docs; one ``tpe.suggest`` call
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.common import MAX_JOBS, machine_line, markdown_table, versions
from benchmarks.problems import PROBLEMS, hartmann6

SPACE = PROBLEMS["hartmann6"].space
NAMES = list(SPACE)
OURS = ("tpe", "anneal", "bayesian", "smac", "random")
METHODS = [*(f"ours-{n}" for n in OURS), "optuna-tpe", "optuna-gp", "hyperopt-tpe"]

Suggest = Callable[[], None]


def _points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(seed).random((n, len(NAMES)))
    y = np.array([hartmann6(dict(zip(NAMES, row, strict=True))) for row in X])
    return X, y


def _ours(name: str, n: int, seed: int) -> Suggest:
    from search import make_sampler

    X, y = _points(n, seed)
    history = [
        {
            "params": {k: float(v) for k, v in zip(NAMES, row, strict=True)},
            "value": float(val),
            "status": "completed",
            "curve": [],
        }
        for row, val in zip(X, y, strict=True)
    ]
    counter = iter(range(10**6))

    def suggest() -> None:
        # A new seed per call: the sampler is a pure function, nothing can be cached.
        make_sampler(name, SPACE, goal="minimize", seed=next(counter)).suggest(history, n=1)

    return suggest


def _optuna(kind: str, n: int, seed: int) -> Suggest:
    import optuna

    from benchmarks.adapters import make_optuna_sampler, optuna_space

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    dists = optuna_space(SPACE)
    study = optuna.create_study(direction="minimize", sampler=make_optuna_sampler(kind, seed))
    X, y = _points(n, seed)
    study.add_trials(
        [
            optuna.trial.create_trial(
                params={k: float(v) for k, v in zip(NAMES, row, strict=True)},
                distributions=dists,
                value=float(val),
            )
            for row, val in zip(X, y, strict=True)
        ]
    )

    def suggest() -> None:
        trial = study.ask(dists)
        # Told at once so the next timed ask sees no running trial.
        study.tell(trial, hartmann6(trial.params))

    return suggest


def _hyperopt(n: int, seed: int) -> Suggest:
    from hyperopt import JOB_STATE_DONE, STATUS_OK, Domain, Trials, rand, tpe

    from benchmarks.adapters import hyperopt_space

    domain = Domain(lambda _: 0.0, hyperopt_space(SPACE))
    trials = Trials()
    docs = rand.suggest(trials.new_trial_ids(n), domain, trials, seed)
    for doc in docs:
        params = {k: v[0] for k, v in doc["misc"]["vals"].items()}
        doc["state"] = JOB_STATE_DONE
        doc["result"] = {"loss": hartmann6(params), "status": STATUS_OK}
    trials.insert_trial_docs(docs)
    trials.refresh()
    rng = np.random.default_rng(seed)

    def suggest() -> None:
        # Not inserted: every timed call sees the same N finished trials.
        tpe.suggest(trials.new_trial_ids(1), domain, trials, int(rng.integers(2**31 - 1)))

    return suggest


def build(method: str, n: int, seed: int) -> Suggest:
    """A zero-argument callable making one suggestion with ``n`` completed trials."""
    if method.startswith("ours-"):
        return _ours(method.removeprefix("ours-"), n, seed)
    if method == "optuna-tpe":
        return _optuna("tpe", n, seed)
    if method == "optuna-gp":
        return _optuna("gp", n, seed)
    if method == "hyperopt-tpe":
        return _hyperopt(n, seed)
    raise SystemExit(f"unknown method {method!r}; known: {METHODS}")


def _cell(method: str, n: int, reps: int, budget: float, out: Any) -> None:
    """Child process: warm up, build, then send one timing (seconds) per suggestion."""
    try:
        build(method, 30, 1)()  # imports and first-call costs, untimed
        suggest = build(method, n, 0)
        out.put(("ready", 0.0))
        spent = 0.0
        for _ in range(reps):
            start = time.perf_counter()
            suggest()
            took = time.perf_counter() - start
            out.put(("time", took))
            spent += took
            if spent > budget:
                break
        out.put(("done", 0.0))
    except Exception as exc:  # reported in the table rather than crashing the run
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def measure(method: str, n: int, reps: int, budget: float, setup_timeout: float) -> str:
    """Median ms as text, or why there is none."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_cell, args=(method, n, reps, budget, out), daemon=True)
    proc.start()
    times: list[float] = []
    deadline = time.monotonic() + setup_timeout
    ready = False
    result = ""
    try:
        while True:
            try:
                kind, payload = out.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                if not ready:
                    result = f"setup > {setup_timeout:g} s (skipped)"
                elif not times:
                    result = f"> {budget:g} s (skipped)"
                break
            if kind == "ready":
                ready = True
                deadline = time.monotonic() + budget
            elif kind == "time":
                times.append(payload)
                deadline = time.monotonic() + budget
            elif kind == "error":
                result = f"error: {payload}"
                break
            else:
                break
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    if result:
        return result
    return f"{1000 * float(np.median(times)):.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 100,300 and 3 reps")
    parser.add_argument("--sizes", default="", help="completed trials (100,300,1000,3000)")
    parser.add_argument("--methods", default="", help=f"comma list of {METHODS}")
    parser.add_argument("--reps", type=int, default=None, help="timed suggestions per cell (5)")
    parser.add_argument("--max-seconds-per-cell", type=float, default=60.0)
    parser.add_argument("--setup-timeout", type=float, default=300.0)
    parser.add_argument("--jobs", type=int, default=1, help="ignored: cells run one at a time")
    args = parser.parse_args(argv)
    default_sizes = "100,300" if args.quick else "100,300,1000,3000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",")]
    chosen = [m for m in args.methods.split(",") if m] or METHODS
    reps = args.reps or (3 if args.quick else 5)
    if args.jobs > MAX_JOBS:
        print(f"--jobs capped at {MAX_JOBS}", file=sys.stderr)
    print("# suggestion latency (median ms for one suggestion, n=1; 6-d Hartmann history)")
    print(f"{machine_line()}; {versions()}; reps {reps}, cap {args.max_seconds_per_cell:g} s\n")
    sys.stdout.flush()
    rows = []
    for method in chosen:
        row: list[Any] = [method]
        skipped = False
        for n in sizes:
            # Latency grows with N: once a cell is skipped the larger ones are too.
            if skipped:
                cell = f"> {args.max_seconds_per_cell:g} s (skipped)"
            else:
                cell = measure(method, n, reps, args.max_seconds_per_cell, args.setup_timeout)
            skipped = skipped or "skipped" in cell
            row.append(cell)
            print(f"  {method} N={n}: {cell}", file=sys.stderr, flush=True)
        rows.append(row)
    print(markdown_table(["ms per suggestion", *(f"N={n}" for n in sizes)], rows))


if __name__ == "__main__":
    main()
