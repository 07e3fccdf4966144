"""Browser: upload a dataset, preview it, run a search on it, download the best model."""

from __future__ import annotations

import io
import pickle
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import expect

from tests.datasets.test_job_on_dataset import digits_csv
from tests.support.browser import login, screenshot, wait_for_status
from tests.support.live import LiveConsole

EXAMPLE = "digits-sgd"
REGISTER = (
    "from django.contrib.auth import get_user_model\n"
    "from algorithms import examples\n"
    "from algorithms.models import Algorithm\n"
    "owner = get_user_model().objects.get(username='alice')\n"
    "examples.register_examples(owner=owner)\n"
    "Algorithm.objects.filter(owner=owner, name='digits-sgd').update(accepts_data_urls=True)\n"
)
CREATE_PRIVATE = (
    "from django.contrib.auth import get_user_model\n"
    "from django.core.files.base import ContentFile\n"
    "from datasets.services import dataset_create\n"
    "owner = get_user_model().objects.get(username='alice')\n"
    "upload = ContentFile(b'1,2\\n', name='d.csv')\n"
    "print(dataset_create(owner=owner, name='private-data', upload=upload).pk)\n"
)


def test_upload_preview_search_and_download_the_best_model(
    page: Any, live_console: LiveConsole, tmp_path: Path
) -> None:
    csv_path = tmp_path / "digits.csv"
    csv_path.write_bytes(digits_csv())
    login(page, "alice")
    page.get_by_test_id("nav-datasets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Datasets")
    page.get_by_test_id("create-dataset").click()

    # Nothing given: the name is required, and the messages look as on every other form
    # (the shared red error list; the file input outlined in red like the other inputs).
    page.get_by_test_id("submit").click()
    name_errors = page.get_by_test_id("error-name").locator(".errorlist")
    expect(name_errors).to_have_text("Name is required.")
    expect(name_errors).to_have_css("color", "rgb(207, 34, 46)")
    expect(page.get_by_test_id("name")).to_have_css("border-color", "rgb(207, 34, 46)")
    expect(page.get_by_test_id("error-file").locator(".errorlist")).to_contain_text(
        "Upload a file or an archive"
    )
    expect(page.get_by_test_id("file")).to_have_css("outline-color", "rgb(207, 34, 46)")
    screenshot(page, "dataset-create-empty")

    # An unsafe archive is refused with the reason; the name typed is kept.
    unsafe = tmp_path / "unsafe.zip"
    with zipfile.ZipFile(unsafe, "w") as zf:
        zf.writestr("../escape.csv", "1,2\n")
    page.get_by_test_id("name").fill("digits-csv")
    page.get_by_test_id("file").set_input_files(str(unsafe))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-file")).to_contain_text("escapes the package folder")
    expect(page.get_by_test_id("name")).to_have_value("digits-csv")
    screenshot(page, "dataset-create-refused")

    page.get_by_test_id("file").set_input_files(str(csv_path))
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+/$"))
    dataset_id = re.findall(r"/datasets/(\d+)/$", page.url)[0]
    # A worker reads it; the page refreshes itself until it is ready.
    expect(page.get_by_test_id("dataset-status")).to_have_text("Ready", timeout=60_000)
    expect(page.get_by_test_id("dataset-size")).to_contain_text("in 1 file")
    expect(page.get_by_test_id("dataset-files")).to_contain_text("digits.csv")
    preview = page.get_by_test_id("preview-table")
    expect(preview.locator("tr")).to_have_count(20)
    expect(preview.locator("tr").first.locator("td")).to_have_count(50)  # 65 columns, 50 shown
    screenshot(page, "dataset-detail")

    live_console.manage("shell", "-c", REGISTER)
    wait_for_status(page, EXAMPLE, "Ready", timeout=120)
    page.locator(f'[data-testid=algorithm-row][data-name="{EXAMPLE}"] a').first.click()
    page.get_by_test_id("create-job").click()
    page.get_by_test_id("name").fill("digits-on-csv")
    page.get_by_test_id("dataset").select_option(value=dataset_id)
    expect(page.get_by_test_id("dataset")).to_contain_text("digits-csv (")
    row = page.locator('[data-testid=job-hp-row][data-name="eta0"]')
    row.get_by_test_id("range-toggle").click()
    row.get_by_test_id("low").fill("0.001")
    row.get_by_test_id("high").fill("0.1")
    row.get_by_test_id("scale").select_option("log")
    page.locator('[data-testid=job-hp-row][data-name="epochs"]').get_by_test_id("value").fill("20")
    page.get_by_test_id("max-trials").fill("2")
    page.get_by_test_id("max-concurrent").fill("1")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))

    download_link = page.get_by_test_id("download-best-model")
    for _ in range(150):
        page.reload()
        if download_link.count() and page.get_by_test_id("job-status").inner_text() == "Completed":
            break
        page.wait_for_timeout(2000)
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    screenshot(page, "job-with-dataset-completed")
    with page.expect_download() as caught:
        download_link.click()
    archive = zipfile.ZipFile(caught.value.path())
    saved = pickle.loads(archive.read("model.pkl"))
    table = np.loadtxt(io.BytesIO(digits_csv()), delimiter=",")
    predicted = saved["model"].predict(saved["scaler"].transform(table[:, :-1]))
    assert (predicted == table[:, -1]).mean() > 0.8

    page.get_by_test_id("best-trial-link").click()
    outputs = page.get_by_test_id("outputs-table")
    expect(outputs).to_contain_text("model.pkl")
    expect(outputs).to_contain_text("metrics.json")
    expect(page.get_by_test_id("command-line")).to_contain_text("--data_url=")
    screenshot(page, "trial-outputs")


def test_another_user_gets_404_on_alices_dataset(page: Any, live_console: LiveConsole) -> None:
    pk = live_console.manage("shell", "-c", CREATE_PRIVATE).strip().splitlines()[-1]
    login(page, "bob")
    for url in (f"/datasets/{pk}/", f"/datasets/{pk}/delete/"):
        answer = page.goto(url)
        assert answer is not None and answer.status == 404, url
    page.goto("/datasets/")
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_an_archive_refused_on_the_worker_shows_failed_with_the_reason(
    page: Any, live_console: LiveConsole, tmp_path: Path
) -> None:
    # A tar's members are only read on the worker: the upload is accepted, then refused.
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        for name, data in (("ok.csv", b"1,2\n"), ("../escape.csv", b"3,4\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    login(page, "alice")
    page.goto("/datasets/create/")
    page.get_by_test_id("name").fill("bad-tar")
    page.get_by_test_id("file").set_input_files(str(archive))
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+/$"))
    expect(page.get_by_test_id("dataset-status")).to_have_text("Failed", timeout=60_000)
    expect(page.get_by_test_id("status-reason")).to_contain_text("escapes the package folder")
    screenshot(page, "dataset-failed")
    page.goto("/datasets/")
    row = page.locator('[data-testid=dataset-row][data-name="bad-tar"]')
    expect(row.get_by_test_id("dataset-status")).to_have_text("Failed")
