"""Early stopping: epochs saved against the quality of what is still found.

    .venv/bin/python -m benchmarks.early_stopping
    .venv/bin/python -m benchmarks.early_stopping --quick
    .venv/bin/python -m benchmarks.early_stopping --trials 200 --epochs 50 --seeds 5

A family of synthetic learning curves (a loss, minimised) whose value after the last epoch
depends on the hyperparameters through a known function.  Small learning rates converge
slowly but end best, so the curves cross: a policy that judges too early kills the
eventual winner.  Random search proposes the configurations; they run in order with 4
"concurrent" trials (each tick every running trial reports one more epoch; a freed slot
takes the next configuration at once), and a policy sees every other trial's curve so far.

Per policy, averaged over seeds: epochs saved against running everything (``none``), the
best final loss among trials that ran to the end (gap to ``none``'s best, in %), and in how
many seeds the trial with the best final loss of all was stopped.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Callable
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
}
OPTUNA = (
    "optuna MedianPruner (startup 5, warmup 5)",
    "optuna HyperbandPruner (min 1, factor 3)",
    "optuna SuccessiveHalvingPruner (min 3, factor 3)",
)
TARGETS = {
    "median_stopping (interval 1, delay 5)": (40.0, 1.0),
    "asha (min 3, factor 3)": (60.0, 2.0),
}


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
    policy_name: str, options: dict[str, Any], data: np.ndarray, concurrency: int
) -> Simulation:
    from search import make_policy

    policy = make_policy(policy_name, **options)
    sim = Simulation(data, concurrency)

    def decide(i: int, n: int) -> bool:
        if not policy.is_evaluation_point(n):
            return False  # skip building the other curves when the policy cannot act
        others, finished = sim.others(i)
        return policy.should_stop(data[i, :n], others, goal="minimize", finished=finished)

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


def run_optuna(label: str, data: np.ndarray, concurrency: int) -> Simulation:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    epochs = data.shape[1]
    study = optuna.create_study(
        direction="minimize",
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


def evaluate(sim: Simulation, data: np.ndarray) -> dict[str, float]:
    final = data[:, -1]
    completed = ~sim.stopped
    winner = int(np.argmin(final))
    return {
        "epochs": float(sim.revealed.sum()),
        "best": float(final[completed].min()) if completed.any() else math.inf,
        "winner_killed": float(sim.stopped[winner]),
    }


def run_one(task: tuple[str, int, int, int, int]) -> tuple[str, int, dict[str, float], float]:
    label, seed, n_trials, epochs, concurrency = task
    data = curves(n_trials, epochs, seed)
    start = time.perf_counter()
    if label in OURS:
        name, options = OURS[label]
        sim = run_ours(name, options, data, concurrency)
    else:
        sim = run_optuna(label, data, concurrency)
    return label, seed, evaluate(sim, data), time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 trials x 2 seeds")
    parser.add_argument("--trials", type=int, default=None, help="trials per job (200)")
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
        (lab, s, n_trials, args.epochs, args.concurrency) for s in range(n_seeds) for lab in labels
    ]
    print(
        f"# early stopping: {n_trials} trials x {args.epochs} epochs, {args.concurrency} "
        f"concurrent, {n_seeds} seeds"
    )
    print(f"{machine_line()}; {versions()}\n")
    sys.stdout.flush()
    results: dict[tuple[str, int], dict[str, float]] = {}
    seconds: dict[str, float] = {}
    for label, seed, metrics, took in imap_jobs(run_one, tasks, args.jobs):
        results[(label, seed)] = metrics
        seconds[label] = seconds.get(label, 0.0) + took
        print(f"  {label} seed {seed}: {metrics} ({took:.1f} s)", file=sys.stderr, flush=True)
    rows = []
    for label in labels:
        saved, gap = [], []
        killed = 0
        for s in range(n_seeds):
            base, res = results[("none", s)], results[(label, s)]
            saved.append(100.0 * (1.0 - res["epochs"] / base["epochs"]))
            gap.append(100.0 * (res["best"] - base["best"]) / abs(base["best"]))
            killed += int(res["winner_killed"])
        target = TARGETS.get(label)
        verdict = ""
        if target:
            ok = np.mean(saved) >= target[0] and np.mean(gap) <= target[1]
            verdict = f"{'met' if ok else 'missed'} (>= {target[0]:g}% within {target[1]:g}%)"
        rows.append(
            [
                label,
                float(np.mean(saved)),
                float(np.mean(gap)),
                float(np.max(gap)),
                f"{killed}/{n_seeds}",
                seconds[label],
                verdict,
            ]
        )
    print(
        markdown_table(
            [
                "policy",
                "epochs saved %",
                "best final gap % (mean)",
                "gap % (worst seed)",
                "winner stopped",
                "policy s total",
                "target",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
