"""A new job from a trial's values: the create form opens prefilled, fixed or narrowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from trainingjobs import reuse
from trainingjobs.models import Trial

from .engine_helpers import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_narrowed_ranges_centre_on_the_value_inside_the_old_bounds() -> None:
    assert reuse.narrowed({"type": "float", "low": 0.0, "high": 1.0}, 0.1) == (0.0, 0.35, False)
    low, high, log = reuse.narrowed({"type": "float", "low": 1e-5, "high": 1e-1, "log": True}, 1e-3)
    assert (round(low, 8), round(high, 6), log) == (1e-4, 1e-2, True)
    assert reuse.narrowed({"type": "uniform", "low": 0, "high": 1}, "x") is None


def test_the_create_form_opens_with_the_trials_values_fixed_or_narrowed(
    alice_client: Any, alice: Any
) -> None:
    job = make_job(alice, search_space={"x": {"type": "float", "low": 0.0, "high": 1.0}})
    Trial.objects.create(job=job, number=1, params={"x": 0.9}, status="completed", value=0.9)
    url = reverse("trainingjobs:create")

    fixed = alice_client.get(url, {"from_job": job.pk, "trial": 1, "mode": "fixed"})
    assert fixed.status_code == 200
    form = reuse.form_from_trial(job, job.trials.get(), mode="fixed")
    assert form.raw["rows"]["x"]["search"] is False and form.raw["rows"]["x"]["value"] == "0.9"
    assert f"{job.name} from trial 1" in fixed.content.decode()

    narrow = reuse.form_from_trial(job, job.trials.get(), mode="narrow")
    row = narrow.raw["rows"]["x"]
    assert (row["search"], row["low"], row["high"], row["scale"]) == (True, "0.65", "1", "linear")
    assert narrow.raw["rows"]["epochs"]["value"] == "3"  # the job's fixed value
    page = alice_client.get(url, {"from_job": job.pk, "trial": 1, "mode": "narrow"})
    assert 'value="0.65"' in page.content.decode()


def test_another_users_trial_cannot_seed_a_form(client: Any, alice: Any, bob: Any) -> None:
    job = make_job(alice)
    Trial.objects.create(job=job, number=1, params={"x": 0.5})
    client.force_login(bob)
    response = client.get(reverse("trainingjobs:create"), {"from_job": job.pk, "trial": 1})
    assert response.status_code == 404


def test_a_new_job_from_a_trial_keeps_the_jobs_environment_variables(alice: Any) -> None:
    job = make_job(alice, environment={"WANDB_MODE": "offline"})
    trial = Trial.objects.create(job=job, number=1, params={"x": 0.5}, status="completed")
    form = reuse.form_from_trial(job, trial, mode="fixed")
    assert form.raw["environment"] == [{"name": "WANDB_MODE", "value": "offline"}]
    assert form.data()["environment"] == [{"name": "WANDB_MODE", "value": "offline"}]
