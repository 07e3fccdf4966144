"""The create page's seed: typed, left blank, refused beside its input, and shown on the
job page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.trainingjobs.test_views import create_post, make_algorithm
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def seed_cell(page: str) -> str:
    """The limits grid's seed cell: its input, help and messages."""
    found = re.search(r'<div class="limit[^"]*"[^>]*>\s*<label for="id_seed".*?</div>\s*</div>',
                      page, re.S)
    assert found is not None, "no seed input on the page"
    return found.group(0)


def messages(cell: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", cell)]


def test_a_typed_seed_is_saved_with_the_job(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, seed=" 42 ")
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 302
    assert TrainingJob.objects.get().seed == 42


def test_a_blank_seed_gives_the_apis_default(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    response = alice_client.post(reverse("trainingjobs:create"), create_post(algorithm, seed=""))
    assert response.status_code == 302
    assert TrainingJob.objects.get().seed == 0


def test_the_largest_seed_is_accepted(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, seed="2147483647")
    assert alice_client.post(reverse("trainingjobs:create"), post).status_code == 302
    assert TrainingJob.objects.get().seed == 2**31 - 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Seed must be between 0 and 2147483647, got -1."),
        ("2147483648", "Seed must be between 0 and 2147483647, got 2147483648."),
        ("seven", "Seed must be a whole number, got 'seven'."),
        ("1.5", "Seed must be a whole number, got 1.5."),
    ],
)
def test_a_bad_seed_is_refused_beside_its_input_and_kept_as_typed(
    alice_client: Client, alice: Any, typed: str, message: str
) -> None:
    algorithm = make_algorithm(alice)
    response = alice_client.post(reverse("trainingjobs:create"), create_post(algorithm, seed=typed))
    page = response.content.decode()
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    cell = seed_cell(page)
    assert 'class="limit has-error"' in cell
    assert f'value="{html.escape(typed)}"' in cell
    assert messages(cell) == [message]
    # Said once, by its input, not again in the banner.
    assert page.count(html.escape(message)) == 1


def test_a_single_run_reads_no_seed(alice_client: Client, alice: Any) -> None:
    """Without a range there is no search algorithm to seed; the seed input is hidden then,
    so what it holds is neither saved nor refused."""
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, seed="seven", **{"hp-0-search": ""})
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 302
    job = TrainingJob.objects.get()
    assert (job.search_space, job.seed) == ({}, 0)


def test_the_create_page_opens_with_a_blank_seed(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    page = alice_client.get(reverse("trainingjobs:create"), {"algorithm": algorithm.pk})
    cell = seed_cell(page.content.decode())
    assert 'name="seed" value=""' in cell and 'placeholder="0"' in cell


def test_the_job_page_shows_a_searchs_seed(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    alice_client.post(reverse("trainingjobs:create"), create_post(algorithm, seed="1234"))
    job = TrainingJob.objects.get()
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert '<dt>Seed</dt><dd data-testid="config-seed">1234</dd>' in page
