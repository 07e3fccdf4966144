"""The trial page's changing parts (badge, best tag, reason, Run card, command line), served
alone for the page to swap in at the trial's start and end: drawn as the page draws them,
to the trial's owner and staff only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from datasets import outputs
from tests.trainingjobs.test_views import add_trial, make_job
from trainingjobs.models import Trial

pytestmark = pytest.mark.django_db


class _Parts(HTMLParser):
    """The text of each ``data-trial-part`` element (its pieces apart: a term and its
    value, ``<dt>Exit code</dt><dd>0</dd>``, read 'Exit code 0')."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, list[str]] = {}
        self.open: list[tuple[str, int]] = []  # (part, depth at which it opened)
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "input", "meta", "link", "img"):
            return
        self.depth += 1
        name = dict(attrs).get("data-trial-part")
        if name:
            self.open.append((name, self.depth))
            self.texts[name] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "input", "meta", "link", "img"):
            return
        if self.open and self.open[-1][1] == self.depth:
            self.open.pop()
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[self.open[-1][0]].append(data)


def parts(html: str) -> dict[str, str]:
    parser = _Parts()
    parser.feed(html)
    return {name: " ".join(" ".join(t).split()) for name, t in parser.texts.items()}


def state_url(trial: Trial) -> str:
    return reverse("trainingjobs:live_trial_state", args=[trial.job_id, trial.number])


def page_url(trial: Trial) -> str:
    return reverse("trainingjobs:trial", args=[trial.job_id, trial.number])


def test_an_ended_trials_parts_are_the_pages_own(alice_client: Client, alice: Any) -> None:
    job = make_job(alice)
    trial = add_trial(
        job,
        1,
        0.9,
        status="early_stopped",
        curve=[0.5, 0.9],
        exit_code=0,
        status_reason="Stopped early by the bandit policy at report 2.",
        worker="host-1",
    )
    job.best_trial = trial
    job.save(update_fields=["best_trial"])
    response = alice_client.get(state_url(trial))
    assert response.status_code == 200
    fragment = parts(response.content.decode())
    assert set(fragment) == {"head", "reason", "run", "command", "outputs"}
    assert fragment["head"] == "Early stopped best of the job"
    assert fragment["reason"] == "Stopped early by the bandit policy at report 2."
    finished = timezone.localtime(trial.finished_at).strftime("%Y-%m-%d %H:%M:%S")
    assert "Status Early stopped accuracy 0.9 (last reported value)" in fragment["run"]
    assert "Exit code 0 Started " in fragment["run"]
    assert f"Finished {finished} Duration 30 s Worker host-1" in fragment["run"]
    assert "python train.py --lr=0.001" in fragment["command"]
    # One template: the page draws each part with the same text.
    page = parts(alice_client.get(page_url(trial)).content.decode())
    assert page == fragment


def test_a_running_trials_parts_carry_its_latest_report_and_start(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    trial = add_trial(
        job, 1, None, status="running", finished_at=None, curve=[0.2, 0.4, 0.6], worker="host-2"
    )
    html = alice_client.get(state_url(trial)).content.decode()
    fragment = parts(html)
    assert fragment["head"] == "Running"
    assert fragment["reason"] == ""
    assert "accuracy 0.6 (latest, report 3)" in fragment["run"]
    assert "Exit code — Started" in fragment["run"] and "Finished" not in fragment["run"]
    assert 'data-run-report="3"' in html
    # The page's script ticks the duration from this start.
    assert re.search(r'data-testid="trial-duration" data-run-started="[0-9T:.+-]+"', html)
    assert "python train.py --lr=0.001" in fragment["command"]


def test_a_queued_trials_parts_wait_for_its_start(alice_client: Client, alice: Any) -> None:
    job = make_job(alice)
    trial = Trial.objects.create(job=job, number=1, params={"lr": 0.01})
    fragment = parts(alice_client.get(state_url(trial)).content.decode())
    assert fragment["head"] == "Queued"
    assert "Exit code — Started not yet Duration —" in fragment["run"]
    assert fragment["command"] == "Command line Written when the trial starts."
    assert fragment["outputs"] == (
        "Outputs Files the trial writes under train_url appear here when it ends."
    )


def test_an_ended_trials_parts_list_the_files_it_wrote(
    alice_client: Client, alice: Any, tmp_path: Path
) -> None:
    # The page followed live swaps this in at the end: no reload needed to see the files.
    trial = add_trial(make_job(alice), 1, 0.9, exit_code=0)
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "model.pkl").write_bytes(b"model-bytes")
    (tmp_path / "ckpt" / "epoch-1.bin").write_bytes(b"x" * 100)
    outputs.collect_outputs(trial.pk, tmp_path)
    html = alice_client.get(state_url(trial)).content.decode()
    fragment = parts(html)["outputs"]
    assert fragment.startswith("Outputs Download all (111")
    assert "ckpt/epoch-1.bin" in fragment and "model.pkl" in fragment
    assert reverse("datasets:trial-output-file", args=[trial.pk, "model.pkl"]) in html


def test_trial_parts_are_the_owners_and_staffs_only(
    client: Client, alice: Any, bob: Any, staff: Any
) -> None:
    trial = add_trial(make_job(alice), 1, 0.5, exit_code=0)
    url = state_url(trial)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.force_login(alice)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    missing = reverse("trainingjobs:live_trial_state", args=[trial.job_id, 99])
    assert client.get(missing).status_code == 404
