"""The README's run command on a fresh data folder: bootstrap, then `serve`; the admin
logs in to demo searches that are already running or finished."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cluster import Cluster

DEMO_JOBS = (
    "SELECT j.id, j.status, u.username FROM trainingjobs_trainingjob j "
    "JOIN auth_user u ON u.id = j.owner_id WHERE j.name LIKE %s ORDER BY j.id"
)
DEMO = ("Demo:%",)


@pytest.fixture
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = Cluster(
        tmp_path_factory.mktemp("demo"),
        layout="embedded",
        workers=2,
        env_overrides={"DEMO_JOBS": "1", "ADMIN_PASSWORD": "admin-pass-for-demo"},
    )
    cluster.start(before_serve=[("bootstrap",)])
    yield cluster
    cluster.stop()


def test_first_start_runs_one_demo_search_per_example(console: Cluster) -> None:
    jobs = console.rows(DEMO_JOBS, DEMO)
    examples = console.rows("SELECT COUNT(*) FROM algorithms_algorithm")[0][0]
    assert len(jobs) == examples >= 4
    assert {username for _, _, username in jobs} == {"admin"}

    def every_demo_has_a_result() -> bool:
        done = console.rows(
            "SELECT COUNT(DISTINCT job_id) FROM trainingjobs_trial WHERE status = %s",
            ("completed",),
        )[0][0]
        return int(done) == len(jobs)

    console.wait("a completed trial in every demo job", every_demo_has_a_result, timeout=300)
    assert {status for _, status, _ in console.rows(DEMO_JOBS, DEMO)} <= {"running", "completed"}

    console.manage("bootstrap")  # a restart creates no second demo
    assert len(console.rows(DEMO_JOBS, DEMO)) == len(jobs)
