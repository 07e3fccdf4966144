"""Training jobs on a real huey consumer (not immediate mode): the web server and two
``run_huey`` worker processes sharing only the database, the queue and the disk.

SQLite (a file database and huey's SQLite queue) in the embedded pass; PostgreSQL and
Redis when DATABASE_URL and REDIS_URL are set.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cluster import Cluster
from tests.support.jobs import (
    PROBE_SPEC,
    max_overlap,
    point_counts,
    probe_cluster,
    probe_job,
    probe_runs,
)
from tests.support.processes import ROOT

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    # One thread per worker process: two trials at once need both processes.
    console = probe_cluster(
        tmp_path_factory.mktemp("jobs"), layout="processes", workers=2, threads=1
    )
    console.start()
    console.create_user("alice", "alice-pass-123")
    yield console
    console.stop()


def example_spec(folder: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / folder / "algorithm.json").read_text()))


def test_tpe_job_of_twenty_trials_runs_to_completion_on_two_worker_processes(
    cluster: Cluster,
) -> None:
    algorithm = cluster.create_algorithm(
        owner="alice", spec=example_spec("sgd_diabetes"), folder=EXAMPLES / "sgd_diabetes"
    )
    job_id = cluster.create_job(
        owner="alice",
        data={
            "name": "tpe twenty",
            "algorithm": algorithm,
            "hyperparameters": {"iterations": 5},
            "search_space": {
                "eta0": {"type": "float", "low": 0.0001, "high": 0.1, "log": True},
                "alpha": {"type": "float", "low": 1e-6, "high": 0.01, "log": True},
            },
            "search_algorithms": [{"name": "tpe", "params": {}}],
            "max_trials": 20,
            "max_concurrent": 2,
        },
    )

    job = cluster.wait_for_job_end(job_id, timeout=300)

    trials = cluster.trials(job_id)
    assert job["status"] == "completed", job
    assert [t["number"] for t in trials] == list(range(1, 21))
    assert {t["status"] for t in trials} == {"completed"}, [t["status_reason"] for t in trials]
    assert point_counts(cluster, job_id) == dict.fromkeys(range(1, 21), 5)  # one per pass
    assert max_overlap(trials) <= 2
    workers = {t["worker"].rsplit(":", 1)[1] for t in trials}
    assert workers <= {str(cluster.pid("worker0")), str(cluster.pid("worker1"))}
    assert len(workers) == 2, "both worker processes ran trials"
    best = cluster.select("trainingjobs_trainingjob", ("best_trial_id",), "id = %s", (job_id,))
    assert best[0]["best_trial_id"] == min(trials, key=lambda t: t["value"])["id"]
    sampled = cluster.select("trainingjobs_trial", ("algorithm",), "job_id = %s", (job_id,))
    assert {row["algorithm"] for row in sampled} == {"tpe"}


def test_job_resumes_after_consumer_and_web_restart_and_runs_no_trial_twice(
    cluster: Cluster,
) -> None:
    folder = Path(cluster.env["ALGORITHM_SERVER_ROOTS"]) / "probe"
    algorithm = cluster.create_algorithm(owner="alice", spec=PROBE_SPEC, folder=folder)
    job_id = cluster.create_job(owner="alice", data=probe_job(algorithm, trials=8))

    def mid_job() -> bool:
        statuses = [t["status"] for t in cluster.trials(job_id)]
        return statuses.count("completed") >= 2 and "running" in statuses

    cluster.wait("two trials done and one running", mid_job, timeout=120, every=0.2)
    # Everything stops at once, as on a host reboot: SIGTERM ends huey's consumer without
    # waiting for its tasks, and a trial's process group dies with its worker.
    for name in ("worker0", "worker1", "web"):
        cluster.stop_process(name, signal.SIGTERM)
    at_stop = {t["number"]: t["status"] for t in cluster.trials(job_id)}
    time.sleep(1)
    cluster.start_web()
    cluster.start_worker("worker0")
    cluster.start_worker("worker1")
    cluster.wait_until_up()

    job = cluster.wait_for_job_end(job_id, timeout=180)

    trials = cluster.trials(job_id)
    by_status = {s: [t for t in trials if t["status"] == s] for s in {t["status"] for t in trials}}
    assert job["status"] == "completed", job
    assert len(by_status["completed"]) == 8  # a lost trial does not use the budget
    assert set(by_status) <= {"completed", "lost"}
    # Trials running at the stop died with their workers and are lost, not run again.
    lost = {t["number"] for t in by_status.get("lost", [])}
    assert lost == {n for n, s in at_stop.items() if s == "running"}
    assert all("Lost" in t["status_reason"] for t in by_status.get("lost", []))
    ids = {t["id"] for t in trials}
    started = [pk for pk, _ in probe_runs(cluster) if pk in ids]
    assert sorted(started) == sorted(ids)  # each trial's process started exactly once
    assert set(point_counts(cluster, job_id).values()) >= {3}
