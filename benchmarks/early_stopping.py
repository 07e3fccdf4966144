"""Early stopping: epochs saved against the quality of what is still found.

    .venv/bin/python -m benchmarks.early_stopping [--family synthetic|accuracy|log_loss]
    .venv/bin/python -m benchmarks.early_stopping --quick
    .venv/bin/python -m benchmarks.early_stopping --trials 200 --epochs 50 --seeds 5

Two families of learning curves:

* ``synthetic``: a loss, minimised, whose value after the last epoch depends on the
  hyperparameters through a known function. Small learning rates converge slowly but end
  best, so the curves cross: a policy that judges too early kills the eventual winner.
  Random search proposes the configurations (``--trials`` per job, one job per seed).
* ``accuracy`` and ``log_loss``: curves recorded from real training
  (``benchmarks/record_curves.py``: MLPs trained epoch by epoch on scikit-learn's digits,
  breast-cancer and wine data, 100 configurations each); validation accuracy (maximised)
  or validation log loss (minimised). One job per dataset and seed: the dataset's 100
  configurations in an order drawn from the seed.

Trials run in order with 4 "concurrent" trials (each tick every running trial reports one
more epoch; a freed slot takes the next configuration at once), and a policy sees every
other trial's curve so far, with flags saying which trials have ended.

Per policy and job: epochs saved against running everything (``none``), the best final
value among trials that ran to the end (gap to ``none``'s best, in % of it, worse
direction positive), and whether the trial with the best final value of all was stopped.
The table gives the mean over jobs and the worst job.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import imap_jobs, machine_line, markdown_table, versions

SPACE = {
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "dropout": {"type": "float", "low": 0.0, "high": 0.6, "log": False},
    "width": {"type": "int", "low": 16, "high": 512, "log": True},
}
START_LOSS = 2.3
NOISE = 0.01

# name -> (make_policy arguments) for ours; Optuna pruners are built in _optuna_pruner
OURS: dict[str, tuple[str, dict[str, Any]]] = {
    "none": ("none", {}),
    "median_stopping (interval 1, delay 5)": (
        "median_stopping",
        {"evaluation_interval": 1, "delay_evaluation": 5},
    ),
    "bandit (slack 0.1, delay 5)": (
        "bandit",
        {"slack_factor": 0.1, "evaluation_interval": 1, "delay_evaluation": 5},
    ),
    "bandit (slack 0.2, delay 5)": (
        "bandit",
        {"slack_factor": 0.2, "evaluation_interval": 1, "delay_evaluation": 5},
    ),
    "truncation_selection (20%, delay 5)": (
        "truncation_selection",
        {"truncation_percentage": 20, "evaluation_interval": 1, "delay_evaluation": 5},
    ),
    "asha (min 3, factor 3)": ("asha", {"min_resource": 3, "reduction_factor": 3}),
    # A longer grace period: the first rung after most of the curves have crossed.
    "asha (min 9, factor 3)": ("asha", {"min_resource": 9, "reduction_factor": 3}),
    "curve_fitting (threshold 0.05)": ("curve_fitting", {"threshold": 0.05}),
    "curve_fitting (threshold 0.01)": ("curve_fitting", {"threshold": 0.01}),
}
OPTUNA = (
    "optuna MedianPruner (startup 5, warmup 5)",
    "optuna HyperbandPruner (min 1, factor 3)",
    "optuna SuccessiveHalvingPruner (min 3, factor 3)",
)
# label -> (least % of epochs saved, largest best-final gap % allowed) in every job:
# median stopping as Azure documents its conservative setting (25-35 % saved, no loss);
# for the savings target any policy of ours may meet it (checked after the table).
TARGETS = {"median_stopping (interval 1, delay 5)": (25.0, 0.0)}
ANY_POLICY_TARGET = (60.0, 1.0)
FAMILIES = ("synthetic", "accuracy", "log_loss")
RECORDED = Path(__file__).resolve().parent / "data" / "learning_curves.npz"


def final_loss(params: dict[str, Any]) -> float:
    """The loss a configuration approaches: best near lr = 10^-2.4, dropout 0.2, width 128."""
    u = (math.log10(params["lr"]) + 4.0) / 4.0
    return (
        0.10
        + 0.8 * (u - 0.4) ** 2
        + 0.25 * (params["dropout"] - 0.2) ** 2
        + 0.02 * (math.log2(params["width"]) - 7.0) ** 2
    )


def time_constant(params: dict[str, Any]) -> float:
    """Epochs to close 63% of the gap: small learning rates and high dropout are slow."""
    u = (math.log10(params["lr"]) + 4.0) / 4.0
    return 1.0 + 6.0 * (1.0 - u) ** 2 + 3.0 * params["dropout"]


def curves(n_trials: int, epochs: int, seed: int) -> np.ndarray:
    """(n_trials, epochs) losses: configurations from our random sampler, seeded noise."""
    from search import make_sampler

    configs = make_sampler("random", SPACE, goal="minimize", seed=seed).suggest([], n=n_trials)
    rng = np.random.default_rng([seed, 1])
    t = np.arange(1, epochs + 1)
    out = np.empty((n_trials, epochs))
    for i, params in enumerate(configs):
        final, tau = final_loss(params), time_constant(params)
        out[i] = final + (START_LOSS - final) * np.exp(-t / tau)
    return out + rng.normal(0.0, NOISE, out.shape)


def recorded_jobs(family: str, seed: int, epochs: int) -> list[tuple[str, np.ndarray]]:
    """One job per dataset of the recorded family: (name, (n, epochs) curves, shuffled)."""
    stored = np.load(RECORDED)
    names = ("digits", "breast_cancer", "wine")
    values = stored["log_loss"] if family == "log_loss" else 1.0 - stored["error"]
    jobs = []
    for d, name in enumerate(names):
        rows = np.flatnonzero(stored["dataset"] == d)
        order = np.random.default_rng([seed, d]).permutation(rows)
        jobs.append((name, values[order, :epochs].astype(float)))
    return jobs


def family_jobs(family: str, seed: int, n_trials: int, epochs: int) -> list[tuple[str, np.ndarray]]:
    """The jobs of one seed: ``(job name, (n_trials, epochs) curves)``."""
    if family == "synthetic":
        return [("synthetic", curves(n_trials, epochs, seed))]
    return recorded_jobs(family, seed, epochs)


def family_goal(family: str) -> str:
    return "maximize" if family == "accuracy" else "minimize"


# Decide(trial index, epochs revealed) -> stop?; it reads the shared simulation state.
Decide = Callable[[int, int], bool]


class Simulation:
    """Trials run in order, ``concurrency`` at a time, revealing one epoch per tick."""

    def __init__(self, data: np.ndarray, concurrency: int) -> None:
        self.data = data
        self.concurrency = concurrency
        self.revealed = np.zeros(len(data), dtype=int)
        self.finished = np.zeros(len(data), dtype=bool)
        self.stopped = np.zeros(len(data), dtype=bool)

    def run(
        self,
        decide: Decide,
        on_start: Callable[[int], None] | None = None,
        on_complete: Callable[[int], None] | None = None,
    ) -> None:
        n_trials, epochs = self.data.shape
        running: list[int] = []
        next_trial = 0
        while next_trial < n_trials or running:
            while len(running) < self.concurrency and next_trial < n_trials:
                if on_start:
                    on_start(next_trial)
                running.append(next_trial)
                next_trial += 1
            for i in list(running):
                self.revealed[i] += 1
                n = int(self.revealed[i])
                if n == epochs:
                    self.finished[i] = True
                    running.remove(i)
                    if on_complete:
                        on_complete(i)
                elif decide(i, n):
                    self.finished[i] = self.stopped[i] = True
                    running.remove(i)

    def others(self, i: int) -> tuple[list[np.ndarray], list[bool]]:
        idx = [j for j in np.flatnonzero(self.revealed) if j != i]
        curves_so_far = [self.data[j, : self.revealed[j]] for j in idx]
        return curves_so_far, [bool(self.finished[j]) for j in idx]


def run_ours(
    policy_name: str, options: dict[str, Any], data: np.ndarray, concurrency: int, goal: str
) -> Simulation:
    from search import make_policy

    policy = make_policy(policy_name, **options)
    sim = Simulation(data, concurrency)

    def decide(i: int, n: int) -> bool:
        if not policy.is_evaluation_point(n):
            return False  # skip building the other curves when the policy cannot act
        others, finished = sim.others(i)
        return policy.should_stop(data[i, :n], others, goal=goal, finished=finished)

    sim.run(decide)
    return sim


def _optuna_pruner(label: str, epochs: int) -> Any:
    import optuna

    if label.startswith("optuna MedianPruner"):
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=5)
    if label.startswith("optuna HyperbandPruner"):
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=epochs, reduction_factor=3
        )
    return optuna.pruners.SuccessiveHalvingPruner(min_resource=3, reduction_factor=3)


def run_optuna(label: str, data: np.ndarray, concurrency: int, goal: str) -> Simulation:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    epochs = data.shape[1]
    study = optuna.create_study(
        direction=goal,
        sampler=optuna.samplers.RandomSampler(seed=0),  # unused: the curves are given
        pruner=_optuna_pruner(label, epochs),
    )
    sim = Simulation(data, concurrency)
    trials: dict[int, Any] = {}

    def start(i: int) -> None:
        trials[i] = study.ask()

    def decide(i: int, n: int) -> bool:
        trials[i].report(float(data[i, n - 1]), step=n)
        if trials[i].should_prune():
            study.tell(trials[i], state=optuna.trial.TrialState.PRUNED)
            return True
        return False

    def complete(i: int) -> None:
        trials[i].report(float(data[i, -1]), step=epochs)
        study.tell(trials[i], float(data[i, -1]))

    sim.run(decide, on_start=start, on_complete=complete)
    return sim


def evaluate(sim: Simulation, data: np.ndarray, goal: str) -> dict[str, float]:
    # Oriented as a loss (lower is better), so gaps read the same for both goals.
    final = data[:, -1] if goal == "minimize" else -data[:, -1]
    completed = ~sim.stopped
    winner = int(np.argmin(final))
    return {
        "epochs": float(sim.revealed.sum()),
        "best": float(final[completed].min()) if completed.any() else math.inf,
        "winner_killed": float(sim.stopped[winner]),
    }


Task = tuple[str, str, int, int, int, int]


def run_one(task: Task) -> list[tuple[str, str, dict[str, float], float]]:
    """Every job of one (policy, family, seed): ``(label, job key, metrics, seconds)``."""
    label, family, seed, n_trials, epochs, concurrency = task
    goal = family_goal(family)
    out = []
    for job, data in family_jobs(family, seed, n_trials, epochs):
        start = time.perf_counter()
        if label in OURS:
            name, options = OURS[label]
            sim = run_ours(name, options, data, concurrency, goal)
        else:
            sim = run_optuna(label, data, concurrency, goal)
        metrics = evaluate(sim, data, goal)
        out.append((label, f"{job}/{seed}", metrics, time.perf_counter() - start))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 trials x 2 seeds")
    parser.add_argument("--family", choices=FAMILIES, default="synthetic")
    parser.add_argument("--trials", type=int, default=None, help="trials per synthetic job (200)")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (5)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--methods", default="", help="comma list of label prefixes, e.g. asha,optuna"
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (max 2)")
    args = parser.parse_args(argv)
    n_trials = args.trials or (100 if args.quick else 200)
    n_seeds = args.seeds or (2 if args.quick else 5)
    labels = [*OURS, *OPTUNA]
    if args.methods:
        wanted = [w.strip() for w in args.methods.split(",") if w.strip()]
        labels = [lab for lab in labels if lab == "none" or any(lab.startswith(w) for w in wanted)]
    tasks = [
        (lab, args.family, s, n_trials, args.epochs, args.concurrency)
        for s in range(n_seeds)
        for lab in labels
    ]
    print(
        f"# early stopping, {args.family} family: {args.epochs} epochs, {args.concurrency} "
        f"concurrent, {n_seeds} seeds"
        + (f", {n_trials} trials per job" if args.family == "synthetic" else "")
    )
    print(f"{machine_line()}; {versions()}\n")
    sys.stdout.flush()
    results: dict[tuple[str, str], dict[str, float]] = {}
    seconds: dict[str, float] = {}
    for batch in imap_jobs(run_one, tasks, args.jobs):
        for label, job, metrics, took in batch:
            results[(label, job)] = metrics
            seconds[label] = seconds.get(label, 0.0) + took
            print(f"  {label} {job}: {metrics} ({took:.1f} s)", file=sys.stderr, flush=True)
    jobs = sorted({job for _, job in results})
    print(markdown_table(*summary(labels, jobs, results, seconds)))


def summary(
    labels: list[str],
    jobs: list[str],
    results: dict[tuple[str, str], dict[str, float]],
    seconds: dict[str, float],
) -> tuple[list[str], list[list[Any]]]:
    """The table: per policy, savings and gaps over jobs, and the verdict on its target."""
    rows = []
    for label in labels:
        saved, gap = [], []
        killed = 0
        for job in jobs:
            base, res = results[("none", job)], results[(label, job)]
            saved.append(100.0 * (1.0 - res["epochs"] / base["epochs"]))
            gap.append(100.0 * (res["best"] - base["best"]) / abs(base["best"]))
            killed += int(res["winner_killed"])
        worst_saved, worst_gap = float(np.min(saved)), float(np.max(gap))
        verdict = []
        target = TARGETS.get(label)
        if target:
            ok = worst_saved >= target[0] and worst_gap <= target[1]
            verdict.append(
                f"{'met' if ok else 'missed'} (>= {target[0]:g}%, gap <= {target[1]:g}%)"
            )
        low, high = ANY_POLICY_TARGET
        if label != "none" and not label.startswith("optuna"):
            if worst_saved >= low and worst_gap <= high:
                verdict.append(f"meets >= {low:g}% within {high:g}% in every job")
        rows.append(
            [
                label,
                float(np.mean(saved)),
                worst_saved,
                float(np.mean(gap)),
                worst_gap,
                f"{killed}/{len(jobs)}",
                seconds[label],
                "; ".join(verdict),
            ]
        )
    header = [
        "policy",
        "epochs saved % (mean)",
        "saved % (worst job)",
        "best final gap % (mean)",
        "gap % (worst job)",
        "winner stopped",
        "policy s total",
        "target",
    ]
    return header, rows


if __name__ == "__main__":
    main()
