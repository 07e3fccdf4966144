"""The live job page's HTTP side: snapshot, missed events, figures, curves, log tail and
the exports (streamed, spreadsheet-safe), for the owner, staff, and not for others."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.staticfiles import PLOTLY_DIR
from trainingjobs import dashboard_metric, events
from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog

from .engine_helpers import T0, make_job

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The metric chart caches ended trials' curves by job and trial id; a rolled-back
    # test's ids come again in the next one.
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_trial(
    job: TrainingJob, number: int, status: str, curve: list[float | None], **extra: Any
) -> Trial:
    values = [v for v in curve if v is not None]
    trial = Trial.objects.create(
        job=job,
        number=number,
        status=status,
        algorithm=extra.pop("algorithm", "random"),
        params=extra.pop("params", {"x": number / 10}),
        value=extra.pop("value", values[-1] if values else None),
        started_at=T0 + timedelta(seconds=10 * number),
        finished_at=None if status == "running" else T0 + timedelta(seconds=10 * number + 8),
        **extra,
    )
    MetricPoint.objects.bulk_create(
        MetricPoint(trial=trial, step=i, value=v, created_at=T0) for i, v in enumerate(curve, 1)
    )
    return trial


@pytest.fixture
def job(alice: Any) -> TrainingJob:
    job = make_job(alice, status="running", started_at=T0, max_trials=5)
    best = add_trial(job, 1, "completed", [0.1, None, 0.8])
    add_trial(job, 2, "early_stopped", [0.1, 0.2])
    add_trial(job, 3, "running", [0.3])
    job.best_trial = best
    job.save()
    return job


def get_json(client: Any, name: str, job: TrainingJob, **query: Any) -> Any:
    response = client.get(reverse(f"trainingjobs:{name}", args=[job.pk]), query)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def test_snapshot_holds_the_trials_and_the_last_event_number_but_no_curves(
    alice_client: Any, job: TrainingJob, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(job.pk, "job.status", {"status": "running"})
    data = get_json(alice_client, "live_snapshot", job)
    assert data["seq"] == 1
    assert [(t["number"], t["status"]) for t in data["trials"]] == [
        (1, "completed"),
        (2, "early_stopped"),
        (3, "running"),
    ]
    assert data["job"]["best_number"] == 1 and data["job"]["searched"] == ["x"]
    assert [row["algorithm"] for row in data["leaderboard"]] == ["random"]
    # The charts have requests of their own, after the page's first paint.
    assert "metric" not in data and data["figures"] == {}
    assert all("curve" not in t for t in data["trials"])


def test_metric_chart_holds_every_curve_the_best_in_red_and_the_reports(
    alice_client: Any, job: TrainingJob, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(job.pk, "job.status", {"status": "running"})
    data = get_json(alice_client, "live_metric", job)
    assert data["seq"] == 1 and data["best_number"] == 1
    assert data["reports"] == {"1": 3, "2": 2, "3": 1}
    figure = data["figure"]
    meta = figure["layout"]["meta"]
    assert figure["data"][meta["best"]]["y"] == [0.1, None, 0.8]  # NaN is a gap
    assert figure["data"][meta["ended"]]["y"] == [0.1, 0.2, None]
    assert figure["data"][meta["stopped"]]["x"] == [2]
    assert figure["data"][meta["running"]["3"]]["y"] == [0.3]


def test_metric_chart_thins_long_ended_curves_and_keeps_the_best_and_running_whole(
    alice_client: Any, alice: Any
) -> None:
    job = make_job(alice, status="running", started_at=T0, max_trials=5)
    long = [0.5 + i / 1000 for i in range(1000)]
    best = add_trial(job, 1, "completed", long)
    add_trial(job, 2, "completed", [*long[:500], None, *long[501:]])
    add_trial(job, 3, "running", long)
    job.best_trial = best
    job.save()
    data = get_json(alice_client, "live_metric", job)
    figure, meta = data["figure"], data["figure"]["layout"]["meta"]
    assert len(figure["data"][meta["best"]]["y"]) == 1000
    assert len(figure["data"][meta["running"]["3"]]["y"]) == 1000
    ended = figure["data"][meta["ended"]]
    assert len(ended["x"]) <= dashboard_metric.MAX_POINTS + 4
    assert ended["x"][0] == 1 and ended["x"][-2] == 1000  # first and last report kept
    assert 501 in ended["x"] and ended["y"][ended["x"].index(501)] is None  # the gap
    assert data["reports"] == {"1": 1000, "2": 1000, "3": 1000}


def test_ended_curves_are_read_once_then_only_those_that_ended_since(
    alice_client: Any, job: TrainingJob
) -> None:
    url = reverse("trainingjobs:live_metric", args=[job.pk])
    alice_client.get(url)
    with CaptureQueriesContext(connection) as warm:
        first = json.loads(alice_client.get(url).content)
    running = Trial.objects.get(job=job, number=3)
    MetricPoint.objects.create(trial=running, step=2, value=0.4, created_at=T0)
    running.status, running.finished_at = "completed", T0 + timedelta(seconds=40)
    running.save()
    add_trial(job, 4, "completed", [0.2, 0.9])
    with CaptureQueriesContext(connection) as after:
        data = json.loads(alice_client.get(url).content)
    meta = data["figure"]["layout"]["meta"]
    assert meta["running"] == {}
    assert data["figure"]["data"][meta["ended"]]["y"] == [
        0.1,
        0.2,
        None,
        0.3,
        0.4,
        None,
        0.2,
        0.9,
        None,
    ]
    assert data["reports"] == {**first["reports"], "3": 2, "4": 2}
    points = [q["sql"] for q in warm.captured_queries if "metricpoint" in q["sql"]]
    assert len(points) == 1  # the best and running trials only: the ended ones are cached
    assert len(after) == len(warm) + 1  # and the points of the trials that ended since


def test_snapshot_and_metric_read_a_fixed_number_of_queries_however_many_trials(
    alice_client: Any, job: TrainingJob
) -> None:
    urls = [
        reverse(f"trainingjobs:{name}", args=[job.pk]) for name in ("live_snapshot", "live_metric")
    ]
    few = []
    for url in urls:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            alice_client.get(url)
        few.append(len(queries))
    for n in range(4, 30):
        add_trial(job, n, "completed", [0.1, 0.2, 0.3])
    for url, expected in zip(urls, few, strict=True):
        cache.clear()
        with CaptureQueriesContext(connection) as many:
            alice_client.get(url)
        assert len(many) == expected


def test_chart_requests_are_compressed_for_browsers_that_ask(
    alice_client: Any, job: TrainingJob
) -> None:
    url = reverse("trainingjobs:live_metric", args=[job.pk])
    response = alice_client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["best_number"] == 1


def test_the_job_page_loads_plotlys_basic_bundle_of_the_installed_version(
    alice_client: Any, job: TrainingJob
) -> None:
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert "vendor/plotly-basic.min.js" in page and "vendor/plotly.min.js" not in page
    assert reverse("trainingjobs:live_metric", args=[job.pk]) in page  # preloaded
    full = (PLOTLY_DIR / "plotly.min.js").read_text()[:200]
    basic = (ROOT / "static/vendor/plotly-basic.min.js").read_text()[:200]
    version = re.search(r"v(\d+\.\d+\.\d+)", full)
    assert version and f"(basic - minified) v{version.group(1)}" in basic


def test_another_users_job_is_not_found_anywhere(client: Any, bob: Any, job: TrainingJob) -> None:
    client.force_login(bob)
    names = ("live_snapshot", "live_metric", "live_figures", "live_importance", "live_events")
    for name in (*names, "live_curves"):
        assert client.get(reverse(f"trainingjobs:{name}", args=[job.pk])).status_code == 404
    url = reverse("trainingjobs:export", args=[job.pk, "trials", "csv"])
    assert client.get(url).status_code == 404
    url = reverse("trainingjobs:live_log", args=[job.pk, 1])
    assert client.get(url).status_code == 404


def test_staff_read_any_snapshot(client: Any, staff: Any, job: TrainingJob) -> None:
    client.force_login(staff)
    assert get_json(client, "live_snapshot", job)["job"]["id"] == job.pk


def test_missed_events_come_in_order_and_bad_numbers_are_refused(
    alice_client: Any, job: TrainingJob, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            events.publish(job.pk, "trial.reported", {"trial": 1, "points": [[n + 1, n]]})
    data = get_json(alice_client, "live_events", job, since=2)
    assert [e["seq"] for e in data["events"]] == [3, 4] and data["complete"]
    url = reverse("trainingjobs:live_events", args=[job.pk])
    for bad in ("-1", "abc", "1.5", str(10**30), ""):
        assert alice_client.get(url, {"since": bad}).status_code == 400


def test_curves_of_chosen_trials(alice_client: Any, job: TrainingJob) -> None:
    data = get_json(alice_client, "live_curves", job, trials="2,1")
    assert data["curves"] == {"1": [0.1, None, 0.8], "2": [0.1, 0.2]}
    url = reverse("trainingjobs:live_curves", args=[job.pk])
    assert alice_client.get(url, {"trials": "1,x"}).status_code == 400
    assert alice_client.get(url, {"trials": ",".join(map(str, range(60)))}).status_code == 400


def test_curves_with_times_say_when_each_report_was_stored(
    alice_client: Any, job: TrainingJob
) -> None:
    data = get_json(alice_client, "live_curves", job, trials="3,2", times="1")
    assert data["curves"] == {"2": [0.1, 0.2], "3": [0.3]}
    assert data["times"] == {"2": [T0.isoformat()] * 2, "3": [T0.isoformat()]}
    assert "times" not in get_json(alice_client, "live_curves", job, trials="3")


def test_log_from_an_offset_with_metric_lines_marked(alice_client: Any, job: TrainingJob) -> None:
    trial = Trial.objects.get(job=job, number=3)
    TrialLog.objects.create(trial=trial, text="start\naccuracy=0.3\nmore\n", size=23)
    url = reverse("trainingjobs:live_log", args=[job.pk, 3])
    data = json.loads(alice_client.get(url, {"offset": 6}).content)
    assert data == {
        "offset": 6,
        "text": "accuracy=0.3\nmore\n",
        "size": 24,
        "marks": [0],
        "finished": False,
    }
    assert alice_client.get(url, {"offset": "-3"}).status_code == 400


def test_trials_csv_is_streamed_and_safe_for_spreadsheets(alice_client: Any, alice: Any) -> None:
    job = make_job(alice, search_space={'=cmd|"/c calc"!A1': {"type": "choice", "values": ["a"]}})
    name = '=cmd|"/c calc"!A1'
    add_trial(job, 1, "completed", [0.5], params={name: '=1+1, "quoted"\nnext'})
    add_trial(job, 2, "failed", [], params={name: "-2"}, value=None)
    response = alice_client.get(reverse("trainingjobs:export", args=[job.pk, "trials", "csv"]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="job{job.pk}-trials.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-1] == f"param:{name}"
    assert [r[:4] for r in rows[1:]] == [
        ["1", "completed", "random", "0.5"],
        ["2", "failed", "random", ""],
    ]
    assert rows[1][-1] == '\'=1+1, "quoted"\nnext'
    assert rows[2][-1] == "'-2"
    assert rows[1][6] == "8.0"  # duration in seconds


def test_points_json_matches_the_stored_points(alice_client: Any, job: TrainingJob) -> None:
    response = alice_client.get(reverse("trainingjobs:export", args=[job.pk, "points", "json"]))
    data = json.loads(b"".join(response.streaming_content))
    assert [(p["trial"], p["step"], p["value"]) for p in data][:3] == [
        (1, 1, 0.1),
        (1, 2, None),
        (1, 3, 0.8),
    ]
    assert len(data) == MetricPoint.objects.filter(trial__job=job).count()


def test_the_api_exports_the_same_file_to_a_token_client(alice_api: Any, job: TrainingJob) -> None:
    response = alice_api.get(f"/api/v1/training-jobs/{job.pk}/export/trials.json")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    listed = alice_api.get(f"/api/v1/training-jobs/{job.pk}/trials/").json()
    api_rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(t["number"], t["status"], t["value"]) for t in data] == [
        (t["number"], t["status"], t["value"]) for t in api_rows
    ]
    assert alice_api.get(f"/api/v1/training-jobs/{job.pk}/export/trials.xml").status_code == 404
    assert alice_api.get(f"/api/v1/training-jobs/{job.pk}/export/secrets.csv").status_code == 404


def test_metric_chart_of_a_job_without_reports_is_empty_not_an_error(
    alice_client: Any, alice: Any
) -> None:
    job = make_job(alice, status="running", started_at=T0, max_trials=5)
    assert get_json(alice_client, "live_metric", job)["reports"] == {}
    add_trial(job, 1, "running", [])
    add_trial(job, 2, "failed", [], value=None)
    add_trial(job, 3, "completed", [None, None])
    data = get_json(alice_client, "live_metric", job)
    meta = data["figure"]["layout"]["meta"]
    assert data["best_number"] is None and meta["running"] == {}
    assert data["reports"] == {"3": 2}
    assert data["figure"]["data"][meta["ended"]]["y"] == [None, None, None]
