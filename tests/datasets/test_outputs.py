"""A trial's outputs: collected from its folder, capped, listed, downloaded, pruned."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from datasets import outputs
from datasets.models import OutputFile, OutputSet
from tests.datasets.helpers import make_trial

pytestmark = pytest.mark.django_db


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_collect_keeps_every_file_with_size_and_time(alice: Any, folder: Path) -> None:
    trial = make_trial(alice)
    output_set = outputs.collect_outputs(trial.pk, folder)
    files = {f.path: f for f in OutputFile.objects.filter(output_set=output_set)}
    assert sorted(files) == ["ckpt/epoch-1.bin", "model.pkl"]
    assert files["model.pkl"].size == 11
    assert (output_set.file_count, output_set.size, output_set.notice) == (2, 111, "")
    with default_storage.open(files["model.pkl"].storage_name) as fh:
        assert fh.read() == b"model-bytes"


def test_links_are_not_followed_and_nothing_outside_is_read(
    alice: Any, folder: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "outside").symlink_to(tmp_path)
    output_set = outputs.collect_outputs(make_trial(alice).pk, folder)
    paths = set(OutputFile.objects.values_list("path", flat=True))
    assert paths == {"ckpt/epoch-1.bin", "model.pkl"}
    assert "2 symbolic links not followed" in output_set.notice


def test_files_over_the_cap_are_left_out_with_a_notice(
    alice: Any, folder: Path, settings: Any
) -> None:
    settings.TRIAL_OUTPUT_MAX_MB = 1
    (folder / "huge.bin").write_bytes(b"\x00" * (2 * 1024 * 1024))
    output_set = outputs.collect_outputs(make_trial(alice).pk, folder)
    assert set(OutputFile.objects.values_list("path", flat=True)) == {
        "ckpt/epoch-1.bin",
        "model.pkl",
    }
    assert "1 file (2 MB) not kept: over the outputs cap of 1 MB" in output_set.notice
    assert "'huge.bin'" in output_set.notice


def test_storage_failure_lists_nothing_and_removes_what_was_stored(
    alice: Any, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved: list[str] = []
    real_save = default_storage.save

    def failing_save(name: str, content: Any, **kw: Any) -> str:
        if saved:
            raise ConnectionError("storage unreachable")
        saved.append(real_save(name, content, **kw))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", failing_save)
    with pytest.raises(outputs.OutputsError, match="could not be uploaded.*unreachable"):
        outputs.collect_outputs(make_trial(alice).pk, folder)
    assert not OutputSet.objects.exists()
    assert not default_storage.exists(saved[0])


def test_missing_folder_gives_an_empty_set(alice: Any, tmp_path: Path) -> None:
    output_set = outputs.collect_outputs(make_trial(alice).pk, tmp_path / "none")
    assert (output_set.file_count, output_set.notice) == (0, "")


# --- API and pages ---------------------------------------------------------------------------


def test_api_lists_outputs(alice: Any, alice_api: Any, folder: Path) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/")
    assert answer.status_code == 200
    rows = answer.json()
    assert [(r["path"], r["size"]) for r in rows] == [("ckpt/epoch-1.bin", 100), ("model.pkl", 11)]
    assert all(r["modified"] for r in rows)


def test_api_lists_nothing_before_the_trial_ends(alice: Any, alice_api: Any) -> None:
    trial = make_trial(alice, status="running", finished_at=None)
    assert alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/").json() == []


def test_api_downloads_one_file(alice: Any, alice_api: Any, folder: Path) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/ckpt/epoch-1.bin")
    assert answer.status_code == 200
    assert answer["Content-Length"] == "100"
    assert 'filename="epoch-1.bin"' in answer["Content-Disposition"]
    assert _body(answer) == b"\x00" * 100


def test_zip_holds_every_output(alice: Any, alice_api: Any, folder: Path) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs.zip")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(_body(answer))) as zf:
        assert sorted(zf.namelist()) == ["ckpt/epoch-1.bin", "model.pkl"]
        assert zf.read("model.pkl") == b"model-bytes"


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "a/../../etc/passwd", "./model.pkl", "a//b", "x%00y"]
)
def test_odd_output_paths_are_refused(alice: Any, alice_api: Any, folder: Path, path: str) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/{path}")
    assert answer.status_code in (400, 404)
    assert b"root:" not in answer.content


def test_dot_dot_is_a_clear_400(alice: Any, alice_api: Any, folder: Path) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/../../etc/passwd")
    assert answer.status_code == 400
    assert "'..'" in answer.json()["path"][0]


def test_another_user_gets_404_everywhere(alice: Any, bob: Any, folder: Path) -> None:
    from rest_framework.test import APIClient

    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    api = APIClient()
    api.force_authenticate(bob)
    for url in (
        f"/api/v1/trials/{trial.pk}/outputs/",
        f"/api/v1/trials/{trial.pk}/outputs/model.pkl",
        f"/api/v1/trials/{trial.pk}/outputs/../../etc/passwd",
        f"/api/v1/trials/{trial.pk}/outputs.zip",
    ):
        assert api.get(url).status_code == 404, url


def test_staff_sees_every_trial(alice: Any, staff: Any, folder: Path) -> None:
    from rest_framework.test import APIClient

    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    api = APIClient()
    api.force_authenticate(staff)
    assert len(api.get(f"/api/v1/trials/{trial.pk}/outputs/").json()) == 2


def test_anonymous_gets_401(alice: Any, client: Any) -> None:
    trial = make_trial(alice)
    assert client.get(f"/api/v1/trials/{trial.pk}/outputs/").status_code == 401
    assert client.get(f"/api/v1/trials/{trial.pk}/outputs.zip").status_code == 401


def test_pages_download_a_file_and_the_zip(
    alice: Any, alice_client: Any, bob: Any, client: Any, folder: Path
) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_client.get(f"/datasets/trial-outputs/{trial.pk}/model.pkl")
    assert _body(answer) == b"model-bytes"
    zipped = alice_client.get(f"/datasets/trial-outputs/{trial.pk}.zip")
    assert zipfile.ZipFile(io.BytesIO(_body(zipped))).read("model.pkl") == b"model-bytes"
    refused = alice_client.get(f"/datasets/trial-outputs/{trial.pk}/../x")
    assert refused.status_code == 400
    client.force_login(bob)
    assert client.get(f"/datasets/trial-outputs/{trial.pk}/model.pkl").status_code == 404
    assert client.get(f"/datasets/trial-outputs/{trial.pk}.zip").status_code == 404


def test_storage_down_on_download_is_503_not_500(
    alice: Any, alice_client: Any, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)

    def down(name: str, mode: str = "rb") -> Any:
        raise ConnectionRefusedError("storage down")

    monkeypatch.setattr(default_storage, "open", down)
    answer = alice_client.get(f"/datasets/trial-outputs/{trial.pk}/model.pkl")
    assert answer.status_code == 503
    assert b"storage cannot be reached" in answer.content


# --- template hooks ------------------------------------------------------------------------


def test_trial_outputs_tag_lists_files_and_notice(alice: Any, folder: Path, rf: Any) -> None:
    from django.template import Context, Template

    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    OutputSet.objects.update(notice="1 file (2 MB) not kept")
    html = Template("{% load datasets_tags %}{% trial_outputs trial %}").render(
        Context({"trial": trial})
    )
    assert "model.pkl" in html and "ckpt/epoch-1.bin" in html
    assert f"/datasets/trial-outputs/{trial.pk}.zip" in html
    assert "1 file (2 MB) not kept" in html


def test_best_model_link_points_at_the_best_trials_zip(alice: Any, folder: Path) -> None:
    from django.template import Context, Template

    trial = make_trial(alice)
    job = trial.job
    template = Template("{% load datasets_tags %}{% best_model_link job %}")
    assert "Download" not in template.render(Context({"job": job}))
    outputs.collect_outputs(trial.pk, folder)
    job.best_trial = trial
    job.save()
    html = template.render(Context({"job": job}))
    assert f"/datasets/trial-outputs/{trial.pk}.zip" in html and "best model" in html


# --- retention -------------------------------------------------------------------------------


def _job_with_outputs(alice: Any, folder: Path, values: list[float | None], status: str) -> Any:
    first = make_trial(alice, value=values[0])
    job = first.job
    job.status = status
    job.save()
    trials = [first] + [
        make_trial(alice, job=job, number=i + 2, value=v) for i, v in enumerate(values[1:])
    ]
    for trial in trials:
        outputs.collect_outputs(trial.pk, folder)
    return job, trials


def test_retention_keeps_the_best_k_of_a_finished_job(
    alice: Any, folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job, trials = _job_with_outputs(alice, folder, [0.5, 0.9, None, 0.7], "completed")
    doomed = list(
        OutputFile.objects.filter(output_set__trial__in=[trials[0], trials[2]]).values_list(
            "storage_name", flat=True
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outputs.outputs_apply_retention(keep=2) == 2
    kept = set(OutputSet.objects.values_list("trial_id", flat=True))
    assert kept == {trials[1].pk, trials[3].pk}
    assert doomed and not any(default_storage.exists(n) for n in doomed)


def test_retention_waits_for_the_job_to_end(alice: Any, folder: Path) -> None:
    _job_with_outputs(alice, folder, [0.5, 0.9, 0.1], "running")
    assert outputs.outputs_apply_retention(keep=1) == 0
    assert OutputSet.objects.count() == 3


def test_retention_is_off_by_default(alice: Any, folder: Path) -> None:
    _job_with_outputs(alice, folder, [0.5, 0.9], "completed")
    assert outputs.outputs_apply_retention() == 0


def test_retention_minimize_keeps_the_lowest(alice: Any, folder: Path) -> None:
    job, trials = _job_with_outputs(alice, folder, [0.5, 0.1, 0.9], "completed")
    job.metric_goal = "minimize"
    job.save()
    outputs.outputs_apply_retention(keep=1)
    assert list(OutputSet.objects.values_list("trial_id", flat=True)) == [trials[1].pk]


def test_file_names_with_control_characters_are_skipped(alice: Any, folder: Path) -> None:
    (folder / "bad\nname.txt").write_text("x")
    output_set = outputs.collect_outputs(make_trial(alice).pk, folder)
    assert "bad\\nname.txt" in output_set.notice
    assert not OutputFile.objects.filter(path__contains="\n").exists()
    assert os.path.exists(folder / "bad\nname.txt")


def test_retention_always_keeps_the_jobs_best_trial(alice: Any, folder: Path) -> None:
    # The job's best trial may not have the best value (its objective is its best report).
    job, trials = _job_with_outputs(alice, folder, [0.5, 0.9, 0.7], "completed")
    job.best_trial = trials[2]
    job.save()
    outputs.outputs_apply_retention(keep=1)
    assert list(OutputSet.objects.values_list("trial_id", flat=True)) == [trials[2].pk]


# --- a zip that meets a storage failure ----------------------------------------------------


def test_zip_with_a_member_missing_from_the_storage_is_refused_with_its_name(
    alice: Any, alice_api: Any, alice_client: Any, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    default_storage.delete(OutputFile.objects.get(path="model.pkl").storage_name)
    page = alice_client.get(f"/datasets/trial-outputs/{trial.pk}.zip")
    assert page.status_code == 409 and not page.streaming
    assert "1 output file of this trial cannot be read from the storage" in page.content.decode()
    assert "'model.pkl'" in page.content.decode()
    api = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs.zip")
    assert api.status_code == 409 and "'model.pkl'" in api.json()["detail"]
    assert "unreadable in the storage" in caplog.text
    one = alice_client.get(f"/datasets/trial-outputs/{trial.pk}/model.pkl")
    assert one.status_code == 409 and b"cannot be read from the storage" in one.content


def test_zip_with_a_truncated_member_is_refused(
    alice: Any, alice_client: Any, folder: Path
) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    name = OutputFile.objects.get(path="ckpt/epoch-1.bin").storage_name
    Path(default_storage.path(name)).write_bytes(b"\x00" * 10)
    answer = alice_client.get(f"/datasets/trial-outputs/{trial.pk}.zip")
    assert answer.status_code == 409 and b"'ckpt/epoch-1.bin'" in answer.content


def test_zip_cut_mid_way_ends_as_an_error_and_is_logged(
    alice: Any,
    alice_client: Any,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, folder)
    answer = alice_client.get(f"/datasets/trial-outputs/{trial.pk}.zip")
    assert answer.status_code == 200  # every member was there when it started
    # The storage loses the second member after the check: the first streams, then the cut.
    default_storage.delete(OutputFile.objects.get(path="model.pkl").storage_name)
    with pytest.raises(outputs.ZipCut, match="cut at 'model.pkl'"):
        b"".join(answer.streaming_content)
    assert "cut at 'model.pkl'" in caplog.text
