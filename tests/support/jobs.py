"""Pieces shared by the live training-job tests: a probe script and checks on trial rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.cluster import Cluster

# A lost trial is noticed within seconds instead of minutes (the reaper still runs on
# huey's one-minute periodic tick; a restarted worker reaps its host's dead trials at once).
FAST_REAPER = {"TRIAL_HEARTBEAT_SECONDS": "2", "TRIAL_LOST_AFTER_SECONDS": "8"}

# Appends "<trial id> <pid>" to $RUNS_FILE when it starts, then reports three times over
# --seconds.
PROBE = """\
import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--seconds", type=float, default=1.5)
args = parser.parse_args()
with open(os.environ["RUNS_FILE"], "a") as fh:
    fh.write(f"{os.environ['TRIAL_ID']} {os.getpid()}\\n")
for step in range(1, 4):
    time.sleep(args.seconds / 3)
    print(f"step {step}: loss={args.x + 1 / step:.4f}", flush=True)
"""
PROBE_SPEC: dict[str, Any] = {
    "name": "probe",
    "boot_file": "train.py",
    "auto_search": True,
    "hyperparameters": [
        {"name": "x", "type": "float", "default": 0.5, "min": 0.0, "max": 1.0},
        {"name": "seconds", "type": "float", "default": 1.5, "min": 0.1, "max": 30.0},
    ],
    "metric": {"name": "loss", "goal": "minimize", "regex": r"loss=([0-9.]+)"},
    "search_algorithms": [{"name": "random", "params": {}}],
}


def probe_cluster(root: Path, **options: Any) -> Cluster:
    """A cluster (not started) that may run the probe from ``root/scripts/probe``."""
    folder = root / "scripts" / "probe"
    folder.mkdir(parents=True)
    (folder / "train.py").write_text(PROBE)
    env = {
        **FAST_REAPER,
        "ALGORITHM_SERVER_ROOTS": str(root / "scripts"),
        "RUNS_FILE": str(root / "runs.txt"),
    }
    return Cluster(root / "console", env_overrides=env, **options)


def probe_job(algorithm: int, *, trials: int, seconds: float = 1.5) -> dict[str, Any]:
    return {
        "name": f"probe {trials}",
        "algorithm": algorithm,
        "hyperparameters": {"seconds": seconds},
        "search_space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "search_algorithms": [{"name": "random", "params": {}}],
        "max_trials": trials,
        "max_concurrent": 2,
    }


def probe_runs(cluster: Cluster) -> list[tuple[int, int]]:
    """(trial id, pid) of every probe process started so far, in start order."""
    path = Path(cluster.env["RUNS_FILE"])
    if not path.exists():
        return []
    return [(int(a), int(b)) for a, b in (line.split() for line in path.read_text().splitlines())]


def max_overlap(trials: list[dict[str, Any]]) -> int:
    """Most trials running at one instant, from their recorded start and end times."""
    events = []
    for t in trials:
        if t["started_at"] is not None:
            events += [(t["started_at"], 1), (t["finished_at"], -1)]
    running = peak = 0
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):  # an end before a start
        running += delta
        peak = max(peak, running)
    return peak


def point_counts(cluster: Cluster, job_id: int) -> dict[int, int]:
    """{trial number: metric points stored}."""
    rows = cluster.rows(
        "SELECT t.number, COUNT(p.id) FROM trainingjobs_trial t "
        "LEFT JOIN trainingjobs_metricpoint p ON p.trial_id = t.id "
        "WHERE t.job_id = %s GROUP BY t.number",
        (job_id,),
    )
    return {int(number): int(n) for number, n in rows}
