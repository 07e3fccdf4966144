"""The overview page and the console's own error pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from algorithms.models import Algorithm
from tests.trainingjobs.engine_helpers import make_algorithm, make_job
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def test_missing_algorithm_shows_the_consoles_404_page(alice_client: Client) -> None:
    response = alice_client.get(reverse("algorithms:detail", args=[999_999]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'data-testid="error-page"' in page and "Page not found" in page
    assert 'class="sidenav"' in page  # inside the console layout
    assert f'href="{reverse("home")}"' in page  # a way back
    assert "No Algorithm matches" not in page  # no internal exception text


def test_unknown_url_shows_the_404_page(alice_client: Client) -> None:
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "/no-such-page/" in response.content.decode()


def test_403_page_is_in_the_console_layout(alice: Any, rf: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = alice
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access denied" in page and 'class="sidenav"' in page


def test_500_page_renders_without_any_context() -> None:
    page = get_template("500.html").render()
    assert "Something went wrong" in page and 'href="/"' in page


def test_home_counts_by_status_and_points_to_examples_and_api(
    alice: Any, bob: Any, alice_client: Client
) -> None:
    for name, status in [("a", "ready"), ("b", "ready"), ("c", "creating"), ("d", "failed")]:
        Algorithm.objects.create(owner=alice, name=name, boot_file="t.py", status=status)
    Algorithm.objects.create(owner=bob, name="bobs", boot_file="t.py", status="failed")
    response = alice_client.get(reverse("home"))
    ctx = response.context
    assert (
        ctx["algorithm_count"],
        ctx["ready_count"],
        ctx["creating_count"],
        ctx["failed_count"],
    ) == (4, 2, 1, 1)
    assert [a.name for a in ctx["recent_algorithms"]] == ["d", "c", "b", "a"]
    page = response.content.decode()
    assert reverse("api-docs") in page
    assert f"{reverse('algorithms:list')}?status=failed" in page
    assert {e["folder"] for e in ctx["examples"]} >= {"examples/digits_mlp"}
    assert "examples/digits_mlp" in page


def test_home_lists_running_jobs_then_the_newest_ended_in_one_query(
    alice: Any, bob: Any, alice_client: Client, django_assert_num_queries: Any
) -> None:
    algorithm = make_algorithm(alice)
    base = timezone.now() - timedelta(hours=1)
    made = [
        ("ended-oldest", "completed", 0),
        ("running-old", "running", 1),
        ("ended-newest", "failed", 2),
        ("paused-new", "paused", 3),
        ("ended-middle", "canceled", 1.5),
        ("ended-older", "timed_out", 0.5),
        ("created-newest", "created", 4),
    ]
    for name, status, minutes in made:
        job = make_job(alice, algorithm, name=name, status=status)
        TrainingJob.objects.filter(pk=job.pk).update(created_at=base + timedelta(minutes=minutes))
    make_job(bob, name="bobs-running", status="running")
    with django_assert_num_queries(6) as captured:
        response = alice_client.get(reverse("home"))
    jobs = [sql for sql in (q["sql"] for q in captured.captured_queries) if '"trainingjobs_' in sql]
    assert len(jobs) == 1  # the jobs card's one query, its trial counts in it
    assert [job.name for job in response.context["home_jobs"]] == [
        "created-newest",
        "paused-new",
        "running-old",
        "ended-newest",
        "ended-middle",
    ]


def test_pages_write_times_one_sortable_way(alice: Any, alice_client: Client) -> None:
    """Job, algorithm and dataset pages write 2026-12-01 00:44:07 (the console's time
    zone), as the trial page's live updates do, not the English locale's 'Dec. 1, 2026,
    12:44 a.m.'."""
    from datetime import UTC, datetime

    from datasets.models import Dataset

    when = datetime(2026, 12, 1, 0, 44, 7, tzinfo=UTC)
    job = make_job(alice)
    TrainingJob.objects.filter(pk=job.pk).update(created_at=when, finished_at=when)
    Algorithm.objects.filter(pk=job.algorithm_id).update(created_at=when)
    dataset = Dataset.objects.create(owner=alice, name="d", status="ready")
    Dataset.objects.filter(pk=dataset.pk).update(created_at=when)
    pages = [
        reverse("trainingjobs:detail", args=[job.pk]),
        reverse("algorithms:detail", args=[job.algorithm_id]),
        reverse("datasets:detail", args=[dataset.pk]),
    ]
    for url in pages:
        page = alice_client.get(url).content.decode()
        assert "2026-12-01 00:44:07" in page, url
        assert "a.m." not in page and "Dec. 1, 2026" not in page, url


def test_the_importance_card_says_which_trials_it_counts(alice: Any, alice_client: Client) -> None:
    """Importance is fitted to trials that ran to the end (as Optuna's): the empty card
    says so, and why early-stopped ones are left out."""
    job = make_job(alice)
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert "four trials have run to the end" in page
    assert "early-stopped trials are left out" in page


def test_an_actions_address_opened_as_a_page_says_so_with_a_link(
    alice_client: Any, alice: Any
) -> None:

    job = make_job(alice)
    for path in (
        f"/training-jobs/{job.pk}/extend/",
        f"/training-jobs/{job.pk}/pause/",
        f"/training-jobs/{job.pk}/trials/1/stop/",
    ):
        response = alice_client.get(path)
        assert response.status_code == 405 and response["Allow"] == "POST", path
        shown = response.content.decode()
        assert "This address is a button's, not a page." in shown, path
        parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
        assert f'href="{parent}" data-testid="error-page-link"' in shown
    # The API's 405 stays its own JSON.
    api = alice_client.delete("/api/v1/search-algorithms/")
    assert api.status_code == 405 and api.json()["detail"].startswith("Method")
