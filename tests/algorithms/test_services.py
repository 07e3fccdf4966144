"""Algorithm write workflows: what is saved, what is refused, and with which message."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from algorithms import examples, package_validation, services
from algorithms.models import Algorithm, Engine
from tests.algorithms.helpers import py_upload, valid_spec, zip_upload

pytestmark = pytest.mark.django_db


def _create(owner: Any, capture: Any, **kwargs: Any) -> Algorithm:
    kwargs.setdefault("spec", valid_spec())
    if "server_path" not in kwargs:
        kwargs.setdefault("code", py_upload())
    with capture(execute=True):
        algorithm = services.algorithm_create(owner=owner, **kwargs)
    algorithm.refresh_from_db()
    return algorithm


def _refused(call: Any, **kwargs: Any) -> Any:
    with pytest.raises(services.AlgorithmValidationError) as info:
        call(**kwargs)
    return info.value.errors


def test_create_saves_rows_in_order_and_validates_the_package(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    assert algorithm.owner == alice
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    assert algorithm.manifest == [{"path": "train.py", "size": len(py_upload().read())}]
    assert [hp.name for hp in algorithm.hyperparameters.all()] == [
        "lr", "epochs", "optimizer", "shuffle"
    ]
    epochs = algorithm.hyperparameters.get(name="epochs")
    assert (epochs.type, epochs.default, epochs.min, epochs.max) == ("int", 5, 1.0, 50.0)
    assert algorithm.metric_name == "accuracy" and algorithm.metric_goal == "maximize"
    assert [a["name"] for a in algorithm.search_algorithms] == ["tpe_search", "random"]
    assert algorithm.search_algorithms[0]["params"]["gamma"] == 0.25
    # No engine is marked default yet: None (the default at run time), and none is created.
    assert algorithm.engine is None
    assert not Engine.objects.exists()
    assert default_storage.exists(algorithm.code_file.name)


def test_invalid_spec_saves_nothing(alice: Any) -> None:
    spec = valid_spec(hyperparameters=[{"name": "lr", "type": "float", "min": 3, "max": 1}])
    errors = _refused(services.algorithm_create, owner=alice, spec=spec, code=py_upload())
    assert errors.rows[0]["min"] == ["min must be less than max, got min=3, max=1."]
    assert not Algorithm.objects.exists()
    assert not default_storage.exists("algorithms")


def test_code_is_required_on_create(alice: Any) -> None:
    errors = _refused(services.algorithm_create, owner=alice, spec=valid_spec())
    assert errors.fields["code"] == ["Upload a code package or give a server path."]
    assert not Algorithm.objects.exists()


def test_wrong_upload_type_is_refused(alice: Any) -> None:
    code = SimpleUploadedFile("train.exe", b"MZ")
    errors = _refused(services.algorithm_create, owner=alice, spec=valid_spec(), code=code)
    assert errors.fields["code"] == ["Upload a .py file or a .zip, .tar.gz or .tgz archive."]


def test_upload_bigger_than_the_limit_is_refused(alice: Any, settings: Any) -> None:
    settings.MAX_UPLOAD_MB = 1
    code = SimpleUploadedFile("big.zip", b"0" * (1024 * 1024 + 10))
    errors = _refused(services.algorithm_create, owner=alice, spec=valid_spec(), code=code)
    assert errors.fields["code"] == ["The file is 1.0 MB; the limit is 1 MB."]
    assert not Algorithm.objects.exists()


def test_server_path_outside_allowed_roots_is_refused(
    alice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path / "allowed"]
    (tmp_path / "other").mkdir()
    errors = _refused(
        services.algorithm_create, owner=alice, spec=valid_spec(),
        server_path=str(tmp_path / "other"),
    )
    assert "inside a folder the administrator allows" in errors.fields["server_path"][0]
    errors = _refused(
        services.algorithm_create, owner=alice, spec=valid_spec(), server_path="relative/dir"
    )
    assert "must be absolute" in errors.fields["server_path"][0]


def test_server_path_inside_an_allowed_root_becomes_ready(
    alice: Any, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    root = tmp_path / "allowed"
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "train.py").write_text("print('accuracy=1')\n")
    settings.ALGORITHM_SERVER_ROOTS = [root]
    algorithm = _create(
        alice, django_capture_on_commit_callbacks, server_path=str(root / "proj")
    )
    assert algorithm.code_source == Algorithm.CodeSource.SERVER_PATH
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    assert algorithm.manifest == [{"path": "train.py", "size": 20}]


def test_same_name_twice_for_one_owner_is_refused(
    alice: Any, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _create(alice, django_capture_on_commit_callbacks)
    errors = _refused(services.algorithm_create, owner=alice, spec=valid_spec(), code=py_upload())
    assert errors.fields["name"] == ["You already have an algorithm named 'mnist-mlp'."]
    _create(bob, django_capture_on_commit_callbacks)  # another owner may use the name
    assert Algorithm.objects.count() == 2


def test_unknown_engine_is_refused(alice: Any) -> None:
    spec = valid_spec(engine="python9")
    errors = _refused(services.algorithm_create, owner=alice, spec=spec, code=py_upload())
    assert errors.fields["engine"] == ["Unknown engine 'python9'."]


def test_zip_escaping_the_package_fails_with_the_reason(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = zip_upload({"train.py": b"print(1)\n", "../evil.py": b"print('x')\n"})
    algorithm = _create(alice, django_capture_on_commit_callbacks, code=code)
    assert algorithm.status == Algorithm.Status.FAILED
    assert "escapes the package folder" in algorithm.status_reason
    assert algorithm.manifest == []


def test_missing_boot_file_fails_with_the_reason(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = zip_upload({"src/main.py": b"print(1)\n"})
    algorithm = _create(alice, django_capture_on_commit_callbacks, code=code)
    assert algorithm.status == Algorithm.Status.FAILED
    assert "Boot file 'train.py' was not found" in algorithm.status_reason
    assert "src/main.py" in algorithm.status_reason


def test_single_py_upload_must_be_its_own_boot_file(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    errors = _refused(
        services.algorithm_create,
        owner=alice,
        spec=valid_spec(boot_file="src/train.py"),
        code=py_upload("train_v2.py"),
    )
    assert errors.fields["boot_file"] == [
        "The package is the single file train_v2.py: its boot file is train_v2.py, "
        "not src/train.py."
    ]
    assert not Algorithm.objects.exists()
    # "./name" is the same file; an archive is not checked here (its members are unknown).
    algorithm = _create(
        alice,
        django_capture_on_commit_callbacks,
        spec=valid_spec(boot_file="./train_v2.py"),
        code=py_upload("train_v2.py"),
    )
    assert algorithm.status == Algorithm.Status.READY
    errors = _refused(
        services.algorithm_update,
        algorithm=algorithm,
        spec=valid_spec(boot_file="train_v2.py"),
        code=py_upload("train_v3.py"),
    )
    assert "its boot file is train_v3.py" in errors.fields["boot_file"][0]


def test_update_keeps_the_package_and_order_when_no_code_is_given(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    package = algorithm.code_file.name
    rows = valid_spec()["hyperparameters"]
    spec = valid_spec(description="v2", hyperparameters=[rows[3], rows[0], rows[2]])
    with django_capture_on_commit_callbacks(execute=True):
        services.algorithm_update(algorithm=algorithm, spec=spec)
    algorithm.refresh_from_db()
    assert algorithm.description == "v2"
    assert algorithm.code_file.name == package
    assert algorithm.status == Algorithm.Status.READY
    assert [hp.name for hp in algorithm.hyperparameters.all()] == ["shuffle", "lr", "optimizer"]


def test_refused_new_package_never_replaces_the_working_one(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    old = algorithm.code_file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.algorithm_update(
            algorithm=algorithm, spec=valid_spec(), code=zip_upload({"other.py": b""})
        )
    algorithm.refresh_from_db()
    # Until the new package is checked, the working one stays in use.
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.code_file.name == old and algorithm.has_pending_package
    pending = algorithm.pending_code_file.name
    with django_capture_on_commit_callbacks(execute=True):  # the check, on a worker
        for callback in callbacks:
            callback()
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.code_file.name == old and default_storage.exists(old)
    assert "Boot file 'train.py' was not found" in algorithm.package_refused_reason
    assert not algorithm.has_pending_package and not default_storage.exists(pending)


def test_checked_new_package_replaces_the_working_one(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    old = algorithm.code_file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.algorithm_update(
            algorithm=algorithm,
            spec=valid_spec(boot_file="src/run.py"),
            code=zip_upload({"src/run.py": b"print('accuracy=1')"}),
        )
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.boot_file == "src/run.py"
    assert algorithm.code_file.name.endswith("code.zip") and not algorithm.has_pending_package
    assert [f["path"] for f in algorithm.manifest] == ["src/run.py"]
    assert algorithm.package_refused_reason == ""
    assert not default_storage.exists(old)


def test_new_package_of_a_failed_algorithm_replaces_it_at_once(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    Algorithm.objects.filter(pk=algorithm.pk).update(status=Algorithm.Status.FAILED)
    algorithm.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        services.algorithm_update(algorithm=algorithm, spec=valid_spec(), code=py_upload())
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.CREATING and not algorithm.has_pending_package


def test_invalid_update_changes_nothing(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    errors = _refused(
        services.algorithm_update, algorithm=algorithm, spec=valid_spec(name="bad name")
    )
    assert errors.fields["name"]
    algorithm.refresh_from_db()
    assert algorithm.name == "mnist-mlp"
    assert algorithm.hyperparameters.count() == 4


def test_delete_removes_the_rows_and_the_package(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    package = algorithm.code_file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.algorithm_delete(algorithm=algorithm)
    assert not Algorithm.objects.exists()
    assert not default_storage.exists(package)


def test_delete_is_refused_while_a_job_uses_it(
    alice: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    algorithm = _create(alice, django_capture_on_commit_callbacks)
    monkeypatch.setattr(services, "_jobs_using", lambda algorithm: 2)
    with pytest.raises(services.AlgorithmInUse, match="used by 2 training jobs"):
        services.algorithm_delete(algorithm=algorithm)
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()


def test_register_examples_is_idempotent(
    alice: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BASE_DIR = tmp_path
    for name in ("first-example", "second-example"):
        folder = tmp_path / "examples" / name
        folder.mkdir(parents=True)
        (folder / "train.py").write_text("print('accuracy=0.5')\n")
        (folder / "algorithm.json").write_text(json.dumps(valid_spec(name=name)))
    with django_capture_on_commit_callbacks(execute=True):
        created = examples.register_examples(owner=alice)
    assert [a.name for a in created] == ["first-example", "second-example"]
    assert all(a.code_source == Algorithm.CodeSource.SERVER_PATH for a in created)
    for algorithm in created:
        algorithm.refresh_from_db()
        assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    with django_capture_on_commit_callbacks(execute=True):
        assert examples.register_examples(owner=alice) == []
    assert Algorithm.objects.filter(owner=alice).count() == len(created)



def test_stale_creating_algorithm_is_queued_again_and_becomes_ready(
    alice: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = Algorithm.objects.create(
        owner=alice,
        name="stale",
        code_source=Algorithm.CodeSource.SERVER_PATH,
        server_path=str(Path(settings.BASE_DIR) / "examples" / "digits_mlp"),
        boot_file="train.py",
    )
    # As if its validation task died with a worker an hour ago.
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Algorithm.objects.filter(pk=algorithm.pk).update(updated_at=an_hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        requeued = package_validation.algorithm_requeue_stale_validations(
            older_than=timedelta(minutes=2)
        )
    assert requeued == [algorithm.pk]
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY


def test_recently_created_algorithm_is_not_queued_twice(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    Algorithm.objects.create(owner=alice, name="fresh", boot_file="train.py")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        requeued = package_validation.algorithm_requeue_stale_validations(
            older_than=timedelta(minutes=2)
        )
    assert requeued == []
    assert callbacks == []


def test_server_path_outside_the_roots_gets_one_message_whether_it_exists_or_not(
    alice: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path / "allowed"]
    (tmp_path / "allowed").mkdir()
    (tmp_path / "other").mkdir()
    messages = [
        _refused(
            services.algorithm_create, owner=alice, spec=valid_spec(), server_path=path
        ).fields["server_path"]
        for path in (str(tmp_path / "other"), str(tmp_path / "missing"), "/etc/passwd")
    ]
    assert messages[0] == messages[1] == messages[2]
    assert "inside a folder the administrator allows" in messages[0][0]
    # Inside a root, a missing folder may be named as missing.
    errors = _refused(
        services.algorithm_create, owner=alice, spec=valid_spec(),
        server_path=str(tmp_path / "allowed" / "missing"),
    )
    assert "does not exist" in errors.fields["server_path"][0]


def test_server_path_symlink_leaving_a_root_is_refused(
    alice: Any, settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "allowed").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "allowed" / "link").symlink_to(tmp_path / "other", target_is_directory=True)
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path / "allowed"]
    errors = _refused(
        services.algorithm_create, owner=alice, spec=valid_spec(),
        server_path=str(tmp_path / "allowed" / "link"),
    )
    assert "inside a folder the administrator allows" in errors.fields["server_path"][0]


def test_default_engine_is_read_not_created(alice: Any) -> None:
    engine = Engine.objects.create(name="py", python_path="/usr/bin/python3", is_default=True)
    algorithm = services.algorithm_create(owner=alice, spec=valid_spec(), code=py_upload())
    assert algorithm.engine == engine
    assert list(Engine.objects.all()) == [engine]


class _ConcurrentCreate:
    """Another writer saving the same name between the pre-check and our save."""

    def __init__(self, owner: Any, name: str) -> None:
        self.owner, self.name, self.done = owner, name, False

    def __call__(self, sender: Any, instance: Algorithm, **kwargs: Any) -> None:
        if self.done or instance.name != self.name or instance.owner_id != self.owner.pk:
            return
        self.done = True
        Algorithm.objects.create(owner=self.owner, name=self.name, boot_file="train.py")


def test_name_taken_after_the_pre_check_is_a_name_error_on_create(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db.models.signals import pre_save

    racer = _ConcurrentCreate(alice, "mnist-mlp")
    pre_save.connect(racer, sender=Algorithm)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            errors = _refused(
                services.algorithm_create, owner=alice, spec=valid_spec(), code=py_upload()
            )
    finally:
        pre_save.disconnect(racer, sender=Algorithm)
    assert racer.done
    assert errors.fields["name"] == ["You already have an algorithm named 'mnist-mlp'."]
    assert callbacks == []  # nothing enqueued for the refused write


def test_name_taken_after_the_pre_check_is_a_name_error_on_update(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db.models.signals import pre_save

    algorithm = _create(alice, django_capture_on_commit_callbacks)
    racer = _ConcurrentCreate(alice, "renamed")
    pre_save.connect(racer, sender=Algorithm)
    try:
        errors = _refused(
            services.algorithm_update, algorithm=algorithm, spec=valid_spec(name="renamed")
        )
    finally:
        pre_save.disconnect(racer, sender=Algorithm)
    assert errors.fields["name"] == ["You already have an algorithm named 'renamed'."]
    algorithm.refresh_from_db()
    assert algorithm.name == "mnist-mlp"
