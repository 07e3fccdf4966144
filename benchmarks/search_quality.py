"""Search quality: median final regret per function and method, one and four at a time.

    .venv/bin/python -m benchmarks.search_quality            # 100 trials x 10 seeds
    .venv/bin/python -m benchmarks.search_quality --quick    # 30 trials x 2 seeds
    .venv/bin/python -m benchmarks.search_quality --out /tmp/q.jsonl   # resumable
    .venv/bin/python -m benchmarks.search_quality --report /tmp/q.jsonl

Final regret of a run = best value found in its trials - the problem's optimum (or the best
value any run of any method found on that problem, when the optimum is unknown), floored
at the problem's tolerance (0.002 = one digit of 500 for the SVC, 1e-9 elsewhere).
Per function the table gives each method's median over seeds, its ratio to random
search's median, the geometric mean of those ratios over functions, and the mean rank
(of the median regrets per function, ties shared).  Medians are over each method's own
finished seeds; the "seeds" column says how many (the least over functions).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from collections import defaultdict
from typing import Any

import numpy as np
from scipy.stats import rankdata

from benchmarks.adapters import OBJECTIVE_SECONDS, methods, run_method
from benchmarks.common import fmt, geomean, imap_jobs, machine_line, markdown_table, versions
from benchmarks.problems import HALVES, PROBLEMS, get_problems

BASELINES = ("ours-random", "optuna-random")
# The targets: each of ours at or below its counterpart, on the geometric mean of
# the per-problem ratios of median regrets and on at least three quarters of the problems.
PAIRS = (
    ("ours-tpe", "optuna-tpe"),
    ("ours-anneal", "hyperopt-anneal"),
    ("ours-bayesian", "optuna-gp"),
    ("ours-smac", "smac3-hpo"),
)


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """One (function, method, seed, batch) run; errors are recorded, not raised."""
    problem = PROBLEMS[task["function"]]
    start = time.perf_counter()
    in_objective = OBJECTIVE_SECONDS[0]
    record = dict(task)
    try:
        values = run_method(task["method"], problem, task["trials"], task["seed"], task["batch"])
        record["best"] = float(np.min(values))
        record["n"] = len(values)
    except Exception as exc:  # a misbehaving method must not stop the whole benchmark
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["trace"] = traceback.format_exc(limit=4)
    record["seconds"] = time.perf_counter() - start
    # Optimiser overhead: the run's time less the objective's (the SVC cache makes the
    # objective cost depend on which method ran first).
    record["overhead"] = record["seconds"] - (OBJECTIVE_SECONDS[0] - in_objective)
    return record


def _key(rec: dict[str, Any]) -> tuple[Any, ...]:
    return (rec["function"], rec["method"], rec["seed"], rec["batch"], rec["trials"])


def load(path: str) -> list[dict[str, Any]]:
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def report(records: list[dict[str, Any]], method_order: list[str] | None = None) -> str:
    """Markdown tables for every batch size found in ``records``."""
    ok = [rec for rec in records if "best" in rec]
    errors = [rec for rec in records if "error" in rec]
    method_order = method_order or list(dict.fromkeys(rec["method"] for rec in records))
    functions = [name for name in PROBLEMS if any(rec["function"] == name for rec in records)]
    # Unknown optimum: regret against the best value anyone found on that function.
    best_seen = {
        name: min((rec["best"] for rec in ok if rec["function"] == name), default=math.nan)
        for name in functions
    }
    optimum = {
        name: PROBLEMS[name].optimum if PROBLEMS[name].optimum is not None else best_seen[name]
        for name in functions
    }
    out: list[str] = []
    for batch in sorted({rec["batch"] for rec in records}):
        out.append(_batch_report(ok, errors, batch, functions, method_order, optimum))
    return "\n\n".join(out)


def _batch_report(
    ok: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    batch: int,
    functions: list[str],
    order: list[str],
    optimum: dict[str, float],
) -> str:
    regret: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    seconds: dict[str, list[float]] = defaultdict(list)
    for rec in ok:
        if rec["batch"] == batch:
            value = max(rec["best"] - optimum[rec["function"]], PROBLEMS[rec["function"]].tolerance)
            regret[(rec["function"], rec["method"])][rec["seed"]] = value
            seconds[rec["method"]].append(rec.get("overhead", rec["seconds"]))
    present = [m for m in order if any((f, m) in regret for f in functions)]
    failed = sorted({rec["method"] for rec in errors if rec["batch"] == batch})
    present += [m for m in failed if m not in present]
    # Medians over each method's own finished seeds; ranks only where all methods finished.
    med = {
        (f, m): float(np.median(list(regret[(f, m)].values()))) if regret.get((f, m)) else math.nan
        for f in functions
        for m in present
    }
    n_seeds = {m: min((len(regret.get((f, m), {})) for f in functions), default=0) for m in present}
    common: dict[str, list[int]] = {}
    for f in functions:
        seed_sets = [set(regret.get((f, m), {})) for m in present]
        common[f] = sorted(set.intersection(*seed_sets)) if seed_sets else []
    base = next((b for b in BASELINES if b in present), None)
    # Rank of each method's median regret per function (ties shared), averaged: robust to
    # methods that finished different numbers of seeds.
    ranks: dict[str, list[float]] = defaultdict(list)
    for f in functions:
        ranked = [m for m in present if not math.isnan(med[(f, m)])]
        if len(ranked) == len(present):
            for m, r in zip(ranked, rankdata([med[(f, m)] for m in ranked]), strict=True):
                ranks[m].append(float(r))

    def ratio(f: str, m: str) -> float:
        if base is None or math.isnan(med[(f, base)]):
            return math.nan
        denom = med[(f, base)]
        if denom == 0:
            return 1.0 if med[(f, m)] == 0 else math.inf
        return med[(f, m)] / denom

    seeds_line = ", ".join(f"{f} {len(common[f])}" for f in functions)
    plural = "s" if batch > 1 else ""
    head = (
        f"### {batch} suggestion{plural} at a time\n\n"
        f"seeds finished by every method: {seeds_line}; mean rank = rank of the median "
        "regret per function, averaged over the functions every method finished"
    )
    regret_rows = [[m, *[med[(f, m)] for f in functions], n_seeds[m]] for m in present]
    t1 = markdown_table(["median final regret", *functions, "seeds"], regret_rows)
    known = {f: PROBLEMS[f].optimum is not None for f in functions}
    ratio_rows = []
    for m in present:
        ratios = [ratio(f, m) for f in functions]
        worse = sum(1 for r in ratios if r > 1.0)
        times = seconds.get(m, [])
        ratio_rows.append(
            [
                m,
                *ratios,
                geomean(ratios),
                geomean([r for f, r in zip(functions, ratios, strict=True) if known[f]]),
                float(np.mean(ranks[m])) if ranks[m] else math.nan,
                worse,
                float(np.median(times)) if times else math.nan,
            ]
        )
    ratio_rows.sort(key=lambda row: (math.isnan(row[-6]), row[-6]))
    t2 = markdown_table(
        [
            f"ratio to {base}",
            *functions,
            "geomean",
            "geomean (known optimum)",
            "mean rank",
            "# worse than random",
            "optimiser s per run",
        ],
        ratio_rows,
    )
    parts = [head, t1, t2, _pair_table(med, functions, present)]
    errs = [rec for rec in errors if rec["batch"] == batch]
    if errs:
        lines = [f"- {r['method']} on {r['function']} seed {r['seed']}: {r['error']}" for r in errs]
        parts.append("errors:\n" + "\n".join(lines[:20]))
    return "\n\n".join(parts)


def _pair_table(med: dict[tuple[str, str], float], functions: list[str], present: list[str]) -> str:
    """Ours against its counterpart: ratio of median regrets per problem, their geometric
    mean, and on how many problems ours is at or below."""
    rows = []
    for ours, theirs in PAIRS:
        if ours not in present or theirs not in present:
            continue
        ratios = [
            med[(f, ours)] / med[(f, theirs)] if med[(f, theirs)] > 0 else math.nan
            for f in functions
        ]
        at_or_below = sum(1 for f in functions if med[(f, ours)] <= med[(f, theirs)])
        verdict = geomean(ratios) <= 1.0 and at_or_below >= math.ceil(0.75 * len(functions))
        rows.append(
            [
                f"{ours} / {theirs}",
                *ratios,
                geomean(ratios),
                f"{at_or_below}/{len(functions)}",
                "met" if verdict else "missed",
            ]
        )
    header = ["median regret ratio", *functions, "geomean", "ours <= theirs", "target"]
    return markdown_table(header, rows) if rows else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 trials x 2 seeds")
    parser.add_argument("--trials", type=int, default=None, help="trials per run (100)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (10)")
    parser.add_argument("--functions", default="", help=f"comma list of {list(PROBLEMS)}")
    parser.add_argument(
        "--half", choices=HALVES, default="", help="only the tuning or the held-out problems"
    )
    parser.add_argument("--methods", default="", help="comma list (default: all available)")
    parser.add_argument("--batches", default="1,4", help="suggestions at a time, e.g. 1,4")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (max 2)")
    parser.add_argument("--out", default="", help="append results to this JSON-lines file")
    parser.add_argument("--report", default="", help="only print tables from these files (a,b)")
    args = parser.parse_args(argv)

    available = list(methods())
    chosen = [m for m in args.methods.split(",") if m] or available
    batches = [int(b) for b in args.batches.split(",") if b]
    if args.report:
        # Several files may be given (runs split by method); the first copy of a run wins;
        # --trials, --batches and --methods select what is tabled.
        unique: dict[tuple[Any, ...], dict[str, Any]] = {}
        for path in args.report.split(","):
            for rec in load(path):
                unique.setdefault(_key(rec), rec)
        records = [
            rec
            for rec in unique.values()
            if (not args.half or PROBLEMS[rec["function"]].half == args.half)
            and (not args.trials or rec["trials"] == args.trials)
            and rec["batch"] in batches
            and (not args.methods or rec["method"] in chosen)
        ]
        order = [*chosen, *(rec["method"] for rec in records)]
        print(report(records, list(dict.fromkeys(order))))
        return
    trials = args.trials or (30 if args.quick else 100)
    n_seeds = args.seeds or (2 if args.quick else 10)
    problems = get_problems([f for f in args.functions.split(",") if f], args.half)
    unknown = [m for m in chosen if m.split("@")[0] not in available]
    if unknown:
        raise SystemExit(f"unknown or unavailable method(s) {unknown}; available: {available}")

    done = load(args.out) if args.out else []
    done_keys = {_key(rec) for rec in done}
    # Seed-major order: a run cut short still holds whole seeds for every method.
    tasks = [
        {"function": p.name, "method": m, "seed": s, "batch": b, "trials": trials}
        for s in range(n_seeds)
        for b in batches
        for p in problems
        for m in chosen
    ]
    todo = [t for t in tasks if _key(t) not in done_keys]
    print(f"# search quality: {trials} trials x {n_seeds} seeds, batches {batches}")
    print(f"{machine_line()}; {versions()}; jobs {args.jobs}")
    print(f"{len(todo)} runs to do ({len(tasks) - len(todo)} already in {args.out or '-'})\n")
    sys.stdout.flush()
    wanted = {_key(t) for t in tasks}
    records = [rec for rec in done if _key(rec) in wanted]
    sink = open(args.out, "a") if args.out else None  # noqa: SIM115  (kept open for the run)
    start = time.perf_counter()
    try:
        for rec in imap_jobs(run_task, todo, args.jobs):
            records.append(rec)
            if sink:
                sink.write(json.dumps(rec) + "\n")
                sink.flush()
            status = rec.get("error") or f"best {fmt(rec['best'])}"
            print(
                f"  {rec['function']:<12} {rec['method']:<16} seed {rec['seed']} "
                f"batch {rec['batch']}: {status} ({rec['seconds']:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    finally:
        if sink:
            sink.close()
    print(report(records, chosen))
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
