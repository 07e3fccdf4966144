"""The package-validation task: runs through huey, idempotent, ignores a stale package."""

from __future__ import annotations

from typing import Any

import pytest

from algorithms import package_validation, services
from algorithms.models import Algorithm
from algorithms.tasks import validate_algorithm_package
from tests.algorithms.helpers import py_upload, valid_spec, zip_upload

pytestmark = pytest.mark.django_db


def _creating(owner: Any, capture: Any, code: Any = None) -> Algorithm:
    # Commit callbacks are captured and dropped: the task is run by hand below.
    with capture(execute=False):
        return services.algorithm_create(owner=owner, spec=valid_spec(), code=code or py_upload())


def test_task_moves_a_good_package_to_ready(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _creating(alice, django_capture_on_commit_callbacks)
    assert algorithm.status == Algorithm.Status.CREATING
    validate_algorithm_package(algorithm.pk)  # huey immediate mode runs it now
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.manifest[0]["path"] == "train.py"


def test_task_records_the_reason_of_a_bad_package(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = zip_upload({"/etc/evil.py": b"", "train.py": b""})
    algorithm = _creating(alice, django_capture_on_commit_callbacks, code)
    validate_algorithm_package(algorithm.pk)
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.FAILED
    assert "is an absolute path" in algorithm.status_reason


def test_task_too_many_files_fails(
    alice: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.PACKAGE_MAX_FILES = 3
    code = zip_upload({f"f{i}.py": b"" for i in range(5)} | {"train.py": b""})
    algorithm = _creating(alice, django_capture_on_commit_callbacks, code)
    validate_algorithm_package(algorithm.pk)
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.FAILED
    assert "more than 3 files" in algorithm.status_reason


def test_task_is_idempotent(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    algorithm = _creating(alice, django_capture_on_commit_callbacks)
    validate_algorithm_package(algorithm.pk)
    Algorithm.objects.filter(pk=algorithm.pk).update(manifest=[{"path": "x", "size": 1}])
    validate_algorithm_package(algorithm.pk)  # ready already: nothing to do
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.manifest == [{"path": "x", "size": 1}]
    validate_algorithm_package(987654)  # a deleted algorithm is not an error


def test_result_for_a_replaced_package_is_dropped(
    alice: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    algorithm = _creating(alice, django_capture_on_commit_callbacks)
    real_extract = package_validation._extract

    def inspect_then_replace(ref: Any, dest: Any) -> Any:
        manifest = real_extract(ref, dest)
        # Another save lands while the package is being inspected.
        Algorithm.objects.filter(pk=algorithm.pk).update(boot_file="other.py")
        return manifest

    monkeypatch.setattr(package_validation, "_extract", inspect_then_replace)
    package_validation.algorithm_validate_package(algorithm_id=algorithm.pk)
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.CREATING


def test_task_returns_when_another_copy_holds_the_lock(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    algorithm = _creating(alice, django_capture_on_commit_callbacks)
    lock = HUEY.lock_task(f"validate-algorithm-{algorithm.pk}")
    with lock:
        validate_algorithm_package(algorithm.pk)  # a duplicate: returns without error
        algorithm.refresh_from_db()
        assert algorithm.status == Algorithm.Status.CREATING
    assert not lock.is_locked()
    validate_algorithm_package(algorithm.pk)  # once released, the next copy runs
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
