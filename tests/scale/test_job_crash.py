"""A worker host dies mid-trial (SIGKILL, no chance to clean up) on PostgreSQL + Redis.

Its trial's process group dies with it, the lost-trial reaper of the surviving worker
marks the trial lost once its heartbeat is stale (limits shortened for the test), and
the job goes on to its limit on the other worker.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster
from tests.support.jobs import PROBE_SPEC, point_counts, probe_cluster, probe_job, probe_runs


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    # One thread per worker process: each runs one of the two concurrent trials.
    console = probe_cluster(tmp_path, layout="processes", workers=2, threads=1)
    console.start()
    console.create_user("alice", "alice-pass-123")
    yield console
    console.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_killed_mid_trial_loses_that_trial_and_the_job_completes(
    cluster: Cluster,
) -> None:
    folder = Path(cluster.env["ALGORITHM_SERVER_ROOTS"]) / "probe"
    algorithm = cluster.create_algorithm(owner="alice", spec=PROBE_SPEC, folder=folder)
    job_id = cluster.create_job(owner="alice", data=probe_job(algorithm, trials=6, seconds=6))
    victim = f":{cluster.pid('worker0')}"

    def reporting_on_victim() -> int | None:
        points = point_counts(cluster, job_id)
        for t in cluster.trials(job_id):
            if t["status"] == "running" and t["worker"].endswith(victim) and points[t["number"]]:
                return int(t["id"])
        return None

    trial_id = cluster.wait("a trial on worker0 mid-way", reporting_on_victim, 120, every=0.2)
    pid = dict(probe_runs(cluster))[trial_id]
    cluster.stop_process("worker0", signal.SIGKILL)

    # The trial's process does not outlive its worker (parent-death signal).
    cluster.wait("the trial's process to die", lambda: not _alive(pid), timeout=10, every=0.1)
    job = cluster.wait_for_job_end(job_id, timeout=240)

    trials = {t["id"]: t for t in cluster.trials(job_id)}
    lost = trials[trial_id]
    assert job["status"] == "completed", job
    assert lost["status"] == "lost"
    assert "gave no sign of life" in lost["status_reason"]
    assert point_counts(cluster, job_id)[lost["number"]] >= 1  # its points are kept
    others = [t for pk, t in trials.items() if pk != trial_id]
    assert [t["status"] for t in others] == ["completed"] * 6
    assert [pk for pk, _ in probe_runs(cluster)].count(trial_id) == 1  # never run again
