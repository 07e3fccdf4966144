"""Demo jobs: each bundled example searches once, on first start, for the admin."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from algorithms import examples as algorithm_examples
from algorithms.models import Algorithm
from trainingjobs import demo
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def _examples(owner: Any, capture: Any) -> list[Algorithm]:
    # Registered as bootstrap does: creating, their validation queued on commit (not run).
    with capture(execute=False):
        return algorithm_examples.register_examples(owner=owner)


def test_every_bundled_example_gets_one_small_demo_that_is_submitted(
    staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    examples = _examples(staff, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = demo.demo_jobs_create(owner=staff)

    assert outcome.skipped == []
    jobs = TrainingJob.objects.filter(owner=staff)
    assert sorted(j.algorithm.name for j in jobs) == sorted(a.name for a in examples)
    assert set(demo.DEMOS) == {a.name for a in examples}
    for job in jobs:
        assert job.algorithm.status == Algorithm.Status.READY  # validated on the spot
        assert 12 <= job.max_trials <= 20
        assert job.max_concurrent == 2
        assert job.is_search and job.status == TrainingJob.Status.CREATED
    assert jobs.exclude(policy={}).exists()
    assert jobs.get(algorithm__name="digits-sgd").policy["name"] == "truncation_selection"
    assert len(callbacks) >= len(examples)  # each job's first scheduling step, on commit


def test_demo_jobs_are_created_once(staff: Any, django_capture_on_commit_callbacks: Any) -> None:
    _examples(staff, django_capture_on_commit_callbacks)
    first = demo.demo_jobs_create(owner=staff)

    again = demo.demo_jobs_create(owner=staff)

    assert again.created == [] and again.skipped == []
    assert TrainingJob.objects.filter(owner=staff).count() == len(first.created)


def test_an_example_already_used_by_a_job_gets_no_demo(
    staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _examples(staff, django_capture_on_commit_callbacks)
    demo.demo_jobs_create(owner=staff)
    TrainingJob.objects.filter(algorithm__name="sgd-diabetes").update(name="mine")
    TrainingJob.objects.exclude(algorithm__name="sgd-diabetes").delete()
    # The digits-mlp job is gone: a restart gives that example its demo again, but the
    # user's own job on sgd-diabetes keeps the demo away from it.
    outcome = demo.demo_jobs_create(owner=staff)

    assert "sgd-diabetes" not in {j.algorithm.name for j in outcome.created}
    assert TrainingJob.objects.filter(algorithm__name="sgd-diabetes").count() == 1


def test_a_failed_example_and_a_refused_demo_are_skipped_with_the_reason(
    staff: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _examples(staff, django_capture_on_commit_callbacks)
    Algorithm.objects.filter(name="gbdt-breast-cancer").update(status=Algorithm.Status.FAILED)
    bad = {**demo.DEMOS["sgd-diabetes"], "max_concurrent": 50}
    monkeypatch.setitem(demo.DEMOS, "sgd-diabetes", bad)

    outcome = demo.demo_jobs_create(owner=staff)

    assert "gbdt-breast-cancer: the algorithm is failed." in outcome.skipped
    refused = [line for line in outcome.skipped if line.startswith("sgd-diabetes")]
    assert refused and "Max concurrent" in refused[0]
    assert not TrainingJob.objects.filter(
        algorithm__name__in=["sgd-diabetes", "gbdt-breast-cancer"]
    )
    assert TrainingJob.objects.filter(algorithm__name="digits-sgd").exists()


def test_another_users_namesake_upload_gets_no_demo(
    alice: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _examples(alice, django_capture_on_commit_callbacks)

    outcome = demo.demo_jobs_create(owner=staff)

    assert outcome.created == [] and not TrainingJob.objects.exists()


def _bootstrap(monkeypatch: pytest.MonkeyPatch, capture: Any, **env: str) -> str:
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    monkeypatch.setenv("ADMIN_PASSWORD", "admin-pass-from-env")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = StringIO()
    with capture(execute=False):
        call_command("bootstrap", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_bootstrap_starts_the_demo_jobs_for_the_admin(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.delenv("DEMO_JOBS", raising=False)

    output = _bootstrap(monkeypatch, django_capture_on_commit_callbacks)

    admin = get_user_model().objects.get(username="admin")
    assert TrainingJob.objects.filter(owner=admin).count() == len(demo.DEMOS)
    assert "Demo training jobs started for 'admin'" in output
    _bootstrap(monkeypatch, django_capture_on_commit_callbacks)
    assert TrainingJob.objects.count() == len(demo.DEMOS)


def test_demo_jobs_off_creates_none(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    output = _bootstrap(monkeypatch, django_capture_on_commit_callbacks, DEMO_JOBS="0")

    assert not TrainingJob.objects.exists()
    assert Algorithm.objects.count() == len(demo.DEMOS)  # the examples are still there
    assert "Demo" not in output
