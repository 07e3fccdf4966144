"""REST API of training jobs and trials: the page's validation, ownership, states, no N+1."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from algorithms.models import Algorithm
from tests.trainingjobs.test_specs import job_data, make_algorithm
from trainingjobs import services
from trainingjobs.api_urls import urlpatterns
from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog
from trainingjobs.serializers import errors_to_api
from trainingjobs.specs import JobSpecError, validate_job_spec

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/training-jobs/"
Status = TrainingJob.Status
TrialStatus = Trial.Status


def api_for(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def make_job(owner: Any, algorithm: Algorithm | None = None, **fields: Any) -> TrainingJob:
    algorithm = algorithm or make_algorithm(owner, f"algo-{TrainingJob.objects.count()}")
    spec = validate_job_spec(owner=owner, data=job_data(algorithm))
    values = {**spec.model_fields(), "status": Status.RUNNING, **fields}
    return TrainingJob.objects.create(owner=owner, **values)


def add_trial(
    job: TrainingJob,
    status: str = TrialStatus.COMPLETED,
    curve: list[float] = (),  # type: ignore[assignment]
    log: str | None = None,
    **fields: Any,
) -> Trial:
    number = job.trials.count() + 1
    fields.setdefault("algorithm", "tpe")
    trial = Trial.objects.create(
        job=job,
        number=number,
        status=status,
        params={"lr": 0.01 * number, "optimizer": "adam"},
        value=curve[-1] if curve and math.isfinite(curve[-1]) else None,
        **fields,
    )
    now = timezone.now()
    MetricPoint.objects.bulk_create(
        MetricPoint(
            trial=trial,
            step=step,
            value=None if math.isnan(v) else v,
            created_at=now,
        )
        for step, v in enumerate(curve, start=1)
    )
    if log is not None:
        TrialLog.objects.create(trial=trial, text=log, lines=log.count("\n") + 1)
    return trial


# --- create -----------------------------------------------------------------------------------


def test_create_saves_the_validated_job_and_schedules_it(
    alice_api: APIClient, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = make_algorithm(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = alice_api.post(JOBS, job_data(algorithm), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    job = TrainingJob.objects.get(pk=body["id"])
    assert job.owner == alice and job.algorithm == algorithm
    assert job.status == Status.CREATED
    assert job.fixed == {"epochs": 3, "shuffle": True, "checkpoint": "{trial_dir}/ckpt"}
    assert job.omitted == ["momentum"]
    assert set(job.search_space) == {"lr", "optimizer"}
    assert [sa["name"] for sa in job.search_algorithms] == ["tpe"]
    assert job.policy["name"] == "bandit" and job.policy["slack_factor"] == 0.2
    assert (job.max_trials, job.max_concurrent) == (12, 2)
    assert callbacks, "the first scheduling step is enqueued on commit"

    # The job reads back in the create shape, plus its state.
    assert body["hyperparameters"] == job.fixed and body["omit"] == ["momentum"]
    assert body["search_space"] == job.search_space
    assert body["metric"] == {
        "name": "accuracy",
        "goal": "maximize",
        "regex": r"accuracy=([0-9.]+)",
    }
    assert body["status"] == "created" and body["best_trial"] is None
    assert body["trial_counts"] == {**dict.fromkeys(TrialStatus.values, 0), "total": 0}
    assert body["owner"] == "alice" and body["algorithm"] == algorithm.pk


def test_a_jobs_json_can_be_posted_again(alice_api: APIClient, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    first = alice_api.post(JOBS, job_data(algorithm), format="json").json()
    again = {key: first[key] for key in job_data(algorithm) if key in first}
    response = alice_api.post(JOBS, again, format="json")
    assert response.status_code == 201, response.json()
    copy = TrainingJob.objects.get(pk=response.json()["id"])
    original = TrainingJob.objects.get(pk=first["id"])
    assert (copy.fixed, copy.search_space, copy.policy) == (
        original.fixed,
        original.search_space,
        original.policy,
    )


def test_create_with_environment_variables_reads_them_back(
    alice_api: APIClient, alice: Any
) -> None:
    data = job_data(make_algorithm(alice), environment={"WANDB_MODE": "offline"})
    response = alice_api.post(JOBS, data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["environment"] == {"WANDB_MODE": "offline"}
    assert TrainingJob.objects.get().environment == {"WANDB_MODE": "offline"}
    refused = alice_api.post(
        JOBS, {**data, "environment": {"JOB_ID": "1", "OK": 2}}, format="json"
    ).json()
    assert "cannot be overridden" in refused["environment"]["JOB_ID"][0]
    assert refused["environment"]["OK"] == ["The value of OK must be text, got 2."]


def test_the_schema_documents_the_environment(alice_api: APIClient) -> None:
    schema = alice_api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    body = json.loads(schema.content)
    create = body["components"]["schemas"]["JobCreateInputRequest"]["properties"]
    assert create["environment"]["type"] == "object"


def test_create_without_ranges_is_a_single_run(alice_api: APIClient, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, search_space={}, hyperparameters={"lr": 0.1})
    response = alice_api.post(JOBS, data, format="json")
    assert response.status_code == 201, response.json()
    job = TrainingJob.objects.get()
    assert (job.max_trials, job.max_concurrent, job.search_algorithms, job.policy) == (
        1,
        1,
        [],
        {},
    )
    assert job.fixed["lr"] == 0.1 and not job.is_search


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ('"max_trials": "many"', ("max_trials",), "Max trials must be a whole number, got 'many'"),
        ('"max_trials": 1e400', ("max_trials",), "Max trials must be a whole number, got inf"),
        ('"max_concurrent": 0', ("max_concurrent",), "between 1 and 100, got 0"),
        ('"policy": {"name": "nonsense"}', ("policy", "name"), "nonsense"),
        (
            '"policy": {"name": "asha", "min_resource": 100, "max_resource": 2}',
            ("policy", "non_field_errors"),
            "max_resource must be > min_resource, got max_resource=2, min_resource=100",
        ),
        ('"policy": "bandit"', ("policy", "non_field_errors"), "Policy must be an object"),
        (
            '"search_algorithms": [{"name": "nonsense"}]',
            ("search_algorithms", "0", "name"),
            "Unknown search algorithm 'nonsense'",
        ),
    ],
)
def test_a_single_run_refuses_bad_search_fields_as_a_search_does(
    alice_api: APIClient, alice: Any, fields: str, where: tuple[str, ...], words: str
) -> None:
    algorithm = make_algorithm(alice)
    for space in ({}, job_data(algorithm)["search_space"]):
        # Raw JSON text, as a client sends it (1e400 is read as infinity).
        payload = f'{{"name": "x", "algorithm": {algorithm.pk}, '
        payload += f'"search_space": {json.dumps(space)}, {fields}}}'
        response = alice_api.post(JOBS, payload, content_type="application/json")
        assert response.status_code == 400, (space, response.json())
        node: Any = response.json()
        for key in where:
            node = node[key]
        assert any(words in message for message in node), node
    assert not TrainingJob.objects.exists()


def test_a_single_run_keeps_one_trial_when_given_valid_search_fields(
    alice_api: APIClient, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    body = {
        "name": "x",
        "algorithm": algorithm.pk,
        "max_trials": 5,
        "max_concurrent": 2,
        "policy": {"name": "asha", "min_resource": 1, "max_resource": 9},
    }
    response = alice_api.post(JOBS, body, format="json")
    assert response.status_code == 201, response.json()
    job = TrainingJob.objects.get()
    assert (job.max_trials, job.max_concurrent, job.policy, job.search_algorithms) == (1, 1, {}, [])


def test_create_errors_are_the_pages_messages_nested_like_the_input(
    alice_api: APIClient, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(
        algorithm,
        hyperparameters={"epochs": 2.5, "dropout": 0.1},
        search_space={"lr": {"type": "float", "low": 0.5, "high": 0.1}},
        search_algorithms=[{"name": "tpe", "params": {"gamma": 7}}],
        max_trials=2,
        max_concurrent=4,
        typo=1,
    )
    response = alice_api.post(JOBS, data, format="json")

    assert response.status_code == 400
    with pytest.raises(JobSpecError) as expected:
        validate_job_spec(owner=alice, data=data)
    body = response.json()
    assert body == errors_to_api(expected.value.errors)
    assert body["hyperparameters"]["epochs"]["value"] == [
        "epochs: must be a whole number for an int hyperparameter, got 2.5."
    ]
    assert "Unknown hyperparameter 'dropout'" in body["hyperparameters"]["dropout"]["value"][0]
    assert body["search_space"]["lr"]["low"] == [
        "lr: low must be less than high, got low=0.5, high=0.1."
    ]
    assert body["search_algorithms"]["0"]["params"]["gamma"]
    assert body["max_concurrent"] == [
        "Max concurrent trials (4) cannot be more than max trials (2)."
    ]
    assert body["non_field_errors"][0].startswith("Unknown field(s): typo (known: algorithm, ")
    assert not TrainingJob.objects.exists()


def test_another_users_algorithm_reads_as_missing(
    alice_api: APIClient, alice: Any, bob: Any
) -> None:
    bobs = make_algorithm(bob, "bobs")
    response = alice_api.post(JOBS, job_data(bobs), format="json")
    assert response.status_code == 400
    assert response.json() == {"algorithm": [f"No ready algorithm with id {bobs.pk} was found."]}
    assert not TrainingJob.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", '"job"', "null", "{bad json"])
def test_a_body_that_is_not_an_object_is_a_400(alice_api: APIClient, body: str) -> None:
    response = alice_api.post(JOBS, body, content_type="application/json")
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()


@pytest.mark.parametrize("depth", [40, 5000])
def test_deeply_nested_json_is_a_400(alice_api: APIClient, alice: Any, depth: int) -> None:
    algorithm = make_algorithm(alice)
    body = json.dumps(job_data(algorithm))[:-1] + ', "policy": ' + "[" * depth + "]" * depth + "}"
    response = alice_api.post(JOBS, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]
    assert not TrainingJob.objects.exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    ["name", "algorithm", "hyperparameters", "search_space", "omit", "search_algorithms",
     "metric", "objective", "policy", "max_trials", "max_concurrent", "max_duration_minutes",
     "trial_timeout_minutes", "max_failed", "lost_counts_as_failed", "description"]
)  # fmt: skip
RANGE_KEYS = st.sampled_from(["type", "low", "high", "log", "step", "values", "q", "mu", "upper"])


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(FIELDS, JSON, max_size=3),
    lr=st.dictionaries(RANGE_KEYS, JSON, max_size=4),
    epochs=JSON,
)
def test_no_input_answers_500(
    alice_api: APIClient, alice: Any, changes: dict, lr: dict, epochs: Any
) -> None:
    algorithm = Algorithm.objects.filter(owner=alice).first() or make_algorithm(alice)
    data = job_data(algorithm, **{"hyperparameters": {"epochs": epochs}, **changes})
    if isinstance(data.get("search_space"), dict):
        data["search_space"] = {**data["search_space"], "lr": lr}
    before = TrainingJob.objects.count()
    response = alice_api.post(
        JOBS, json.dumps(data, allow_nan=True), content_type="application/json"
    )
    assert response.status_code in (201, 400), response.content
    assert TrainingJob.objects.count() == before + (response.status_code == 201)
    if response.status_code == 400:
        assert response.json()


# --- list and retrieve ------------------------------------------------------------------------


def test_list_shows_own_jobs_with_counts_and_best_trial(
    alice_api: APIClient, alice: Any, bob: Any
) -> None:
    job = make_job(alice, name="resnet-sweep")
    add_trial(job, curve=[0.5, 0.7])
    best = add_trial(job, curve=[0.6, 0.9])
    add_trial(job, TrialStatus.RUNNING, curve=[0.4])
    add_trial(job, TrialStatus.QUEUED)
    job.best_trial = best
    job.save()
    make_job(bob, name="bobs-sweep")

    response = alice_api.get(JOBS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["name"] == "resnet-sweep"
    assert row["trial_counts"]["completed"] == 2
    assert row["trial_counts"]["running"] == 1 and row["trial_counts"]["queued"] == 1
    assert row["trial_counts"]["total"] == 4
    assert row["best_trial"] == {"id": best.pk, "number": 2, "params": best.params, "value": 0.9}


def test_list_filters_by_status_and_searches_names(alice_api: APIClient, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    make_job(alice, algorithm, name="mnist-a", status=Status.RUNNING)
    make_job(alice, algorithm, name="mnist-b", status=Status.COMPLETED)
    make_job(alice, algorithm, name="cifar", status=Status.PAUSED)

    def names(query: str) -> list[str]:
        response = alice_api.get(JOBS + query)
        assert response.status_code == 200, response.json()
        return sorted(job["name"] for job in response.json()["results"])

    assert names("?status=running") == ["mnist-a"]
    assert names("?status=running,paused") == ["cifar", "mnist-a"]
    assert names("?search=MNIST") == ["mnist-a", "mnist-b"]
    assert names("?search=mnist&status=completed") == ["mnist-b"]
    response = alice_api.get(JOBS + "?status=done")
    assert response.status_code == 400
    assert "Unknown status 'done'" in response.json()["status"][0]


def test_list_costs_the_same_queries_for_many_jobs(
    alice_api: APIClient, alice: Any, django_assert_max_num_queries: Any
) -> None:
    algorithm = make_algorithm(alice)
    for _ in range(6):
        job = make_job(alice, algorithm)
        job.best_trial = add_trial(job, curve=[0.5])
        job.save()
    with django_assert_max_num_queries(3):  # count + page (+ session-free auth)
        response = alice_api.get(JOBS)
    assert len(response.json()["results"]) == 6


def test_retrieve_is_404_for_another_user_and_200_for_staff(
    alice: Any, bob: Any, staff: Any
) -> None:
    job = make_job(alice)
    assert api_for(alice).get(f"{JOBS}{job.pk}/").json()["id"] == job.pk
    assert api_for(bob).get(f"{JOBS}{job.pk}/").status_code == 404
    assert api_for(staff).get(f"{JOBS}{job.pk}/").status_code == 200
    assert api_for(alice).get(f"{JOBS}999999/").status_code == 404


# --- state changes ----------------------------------------------------------------------------


def test_cancel_ends_the_job_and_stops_its_trials(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    queued = add_trial(job, TrialStatus.QUEUED)
    running = add_trial(job, TrialStatus.RUNNING)

    response = alice_api.post(f"{JOBS}{job.pk}/cancel/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "canceled"
    job.refresh_from_db()
    queued.refresh_from_db()
    running.refresh_from_db()
    assert job.status == Status.CANCELED and job.finished_at is not None
    assert queued.status == TrialStatus.CANCELED
    assert running.stop_requested == TrialStatus.CANCELED

    again = alice_api.post(f"{JOBS}{job.pk}/cancel/")
    assert again.status_code == 409
    assert again.json() == {"detail": "The job has already ended (Canceled)."}


def test_pause_and_resume(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    assert alice_api.post(f"{JOBS}{job.pk}/pause/").json()["status"] == "paused"
    job.refresh_from_db()
    assert job.status == Status.PAUSED

    again = alice_api.post(f"{JOBS}{job.pk}/pause/")
    assert again.status_code == 409 and "Only a running job can be paused" in again.json()["detail"]

    assert alice_api.post(f"{JOBS}{job.pk}/resume/").json()["status"] == "running"
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert alice_api.post(f"{JOBS}{job.pk}/resume/").status_code == 409


def test_extend_runs_a_finished_job_again_with_more_trials(
    alice_api: APIClient, alice: Any
) -> None:
    job = make_job(alice, status=Status.COMPLETED, max_trials=2, finished_at=timezone.now())
    add_trial(job, curve=[0.5])
    add_trial(job, curve=[0.6])

    response = alice_api.post(f"{JOBS}{job.pk}/extend/", {"max_trials": 5}, format="json")

    assert response.status_code == 200, response.json()
    job.refresh_from_db()
    assert (job.status, job.max_trials, job.finished_at) == (Status.RUNNING, 5, None)
    assert response.json()["max_trials"] == 5


def test_extend_refusals(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice, max_duration_minutes=60, deadline_at=timezone.now() + timedelta(hours=1))
    empty = alice_api.post(f"{JOBS}{job.pk}/extend/", {}, format="json")
    assert empty.status_code == 400
    assert empty.json() == {"non_field_errors": ["Give more trials, more minutes, or both."]}
    misspelt = alice_api.post(f"{JOBS}{job.pk}/extend/", {"max_trial": 9}, format="json")
    assert misspelt.json() == {
        "non_field_errors": [
            "Unknown field(s): max_trial (known: max_trials, max_duration_minutes)."
        ]
    }
    typed = alice_api.post(f"{JOBS}{job.pk}/extend/", {"max_trials": "many"}, format="json")
    assert typed.status_code == 400
    assert typed.json() == {"max_trials": ["Max trials must be a whole number, got 'many'."]}
    fewer = alice_api.post(
        f"{JOBS}{job.pk}/extend/", {"max_trials": 3, "max_duration_minutes": 30}, format="json"
    )
    # About the values sent, so a 400 on each field, in the words the job page uses.
    assert fewer.status_code == 400
    assert fewer.json() == {
        "max_trials": ["Max trials must be more than the 12 already allowed, got 3."],
        "max_duration_minutes": [
            "Max duration (minutes) must be more than the 60 already allowed, got 30."
        ],
    }
    listed = alice_api.post(f"{JOBS}{job.pk}/extend/", [5], format="json")
    assert listed.status_code == 400 and "non_field_errors" in listed.json()
    job.refresh_from_db()
    assert (job.max_trials, job.max_duration_minutes) == (12, 60)

    longer = alice_api.post(f"{JOBS}{job.pk}/extend/", {"max_duration_minutes": 90}, format="json")
    assert longer.status_code == 200, longer.json()
    job.refresh_from_db()
    assert (job.max_trials, job.max_duration_minutes) == (12, 90)


# --- trials -----------------------------------------------------------------------------------


def test_trial_list_has_params_status_and_curves(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    first = add_trial(job, curve=[0.5, math.nan, 0.8], started_at=timezone.now())
    add_trial(
        job, TrialStatus.FAILED, status_reason="Exit code 1: Traceback ...", algorithm="random"
    )

    response = alice_api.get(f"{JOBS}{job.pk}/trials/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [1, 2]
    assert set(rows[0]) == {
        "id",
        "number",
        "params",
        "status",
        "status_reason",
        "value",
        "curve",
        "algorithm",
        "started_at",
        "finished_at",
    }
    assert rows[0]["id"] == first.pk and rows[0]["params"] == first.params
    assert rows[0]["curve"] == [0.5, None, 0.8] and rows[0]["value"] == 0.8
    assert rows[1]["status"] == "failed" and rows[1]["algorithm"] == "random"
    assert rows[1]["status_reason"] == "Exit code 1: Traceback ..."
    assert alice_api.get(f"{JOBS}{job.pk}/trials/?status=failed").json()["count"] == 1


def test_infinite_metric_values_are_shown_not_a_500(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job, TrialStatus.FAILED, curve=[0.5, math.inf, -math.inf, math.nan])

    rows = alice_api.get(f"{JOBS}{job.pk}/trials/").json()["results"]
    assert rows[0]["curve"] == [0.5, "inf", "-inf", None] and rows[0]["value"] is None
    points = alice_api.get(f"/api/v1/trials/{trial.pk}/").json()["points"]
    assert [p["value"] for p in points] == [0.5, "inf", "-inf", None]


def test_trial_list_loads_points_in_one_query(
    alice_api: APIClient, alice: Any, django_assert_num_queries: Any
) -> None:
    job = make_job(alice)

    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert alice_api.get(f"{JOBS}{job.pk}/trials/").status_code == 200
        return len(captured)

    add_trial(job, curve=[0.1, 0.2])
    few = queries()
    for _ in range(8):
        add_trial(job, curve=[0.1, 0.2, 0.3])
    assert queries() == few


def test_trial_detail_has_points_command_and_log_tail(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    log = "\n".join(f"epoch {i} accuracy=0.{i}" for i in range(1, 301))
    trial = add_trial(
        job, curve=[0.1, 0.2], log=log, command=["python", "train.py", "--lr=0.01"], exit_code=0
    )

    body = alice_api.get(f"/api/v1/trials/{trial.pk}/").json()

    assert body["job"] == job.pk and body["command"] == ["python", "train.py", "--lr=0.01"]
    assert [p["step"] for p in body["points"]] == [1, 2]
    assert [p["value"] for p in body["points"]] == [0.1, 0.2]
    tail = body["log_tail"].split("\n")
    assert len(tail) == 200 and tail[-1] == "epoch 300 accuracy=0.300"
    assert body["log_lines"] == 300 and body["log_truncated"] is False


def test_trial_without_a_log_has_an_empty_tail(alice_api: APIClient, alice: Any) -> None:
    trial = add_trial(make_job(alice), TrialStatus.QUEUED)
    body = alice_api.get(f"/api/v1/trials/{trial.pk}/").json()
    assert (body["log_tail"], body["log_lines"], body["log_truncated"]) == ("", 0, False)


def test_stop_a_running_trial_and_a_queued_one(alice_api: APIClient, alice: Any) -> None:
    job = make_job(alice)
    running = add_trial(job, TrialStatus.RUNNING)
    queued = add_trial(job, TrialStatus.QUEUED)
    done = add_trial(job, curve=[0.5])

    assert alice_api.post(f"/api/v1/trials/{running.pk}/stop/").status_code == 200
    running.refresh_from_db()
    assert running.status == TrialStatus.RUNNING
    assert running.stop_requested == TrialStatus.EARLY_STOPPED

    body = alice_api.post(f"/api/v1/trials/{queued.pk}/stop/").json()
    queued.refresh_from_db()
    assert queued.status == TrialStatus.CANCELED and body["status"] == "canceled"

    again = alice_api.post(f"/api/v1/trials/{running.pk}/stop/")
    assert again.status_code == 409 and again.json() == {"detail": "Trial #1 is already stopping."}
    ended = alice_api.post(f"/api/v1/trials/{done.pk}/stop/")
    assert ended.status_code == 409 and "has already ended" in ended.json()["detail"]


# --- ownership and authentication -------------------------------------------------------------


def _urls(job: TrainingJob, trial: Trial) -> list[tuple[str, str]]:
    return [
        ("get", f"{JOBS}{job.pk}/"),
        ("post", f"{JOBS}{job.pk}/cancel/"),
        ("post", f"{JOBS}{job.pk}/pause/"),
        ("post", f"{JOBS}{job.pk}/resume/"),
        ("post", f"{JOBS}{job.pk}/extend/"),
        ("get", f"{JOBS}{job.pk}/trials/"),
        ("get", f"/api/v1/trials/{trial.pk}/"),
        ("post", f"/api/v1/trials/{trial.pk}/stop/"),
        ("get", f"{JOBS}{job.pk}/export/trials.csv"),
    ]


def test_every_url_of_another_users_job_is_a_404_and_changes_nothing(alice: Any, bob: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job, TrialStatus.RUNNING)
    bob_api = api_for(bob)
    urls = _urls(job, trial)
    assert len(urls) == len(urlpatterns) - 1  # every route with an id
    for method, url in urls:
        response = getattr(bob_api, method)(url, {"max_trials": 20}, format="json")
        assert response.status_code == 404, (method, url)
    job.refresh_from_db()
    trial.refresh_from_db()
    assert (job.status, job.max_trials) == (Status.RUNNING, 12)
    assert trial.stop_requested == ""
    assert bob_api.get(JOBS).json()["count"] == 0


def test_anonymous_clients_get_401(alice: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job)
    anonymous = APIClient()
    for method, url in [("get", JOBS), ("post", JOBS), *_urls(job, trial)]:
        assert getattr(anonymous, method)(url).status_code == 401, (method, url)


def test_schema_describes_the_training_jobs_api(alice_client: Any) -> None:
    schema = json.loads(alice_client.get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    for path in (
        "/api/v1/training-jobs/",
        "/api/v1/training-jobs/{id}/",
        "/api/v1/training-jobs/{id}/cancel/",
        "/api/v1/training-jobs/{id}/pause/",
        "/api/v1/training-jobs/{id}/resume/",
        "/api/v1/training-jobs/{id}/extend/",
        "/api/v1/training-jobs/{id}/trials/",
        "/api/v1/trials/{id}/",
        "/api/v1/trials/{id}/stop/",
    ):
        assert path in paths, path
    create = paths["/api/v1/training-jobs/"]["post"]
    assert create["operationId"] == "training_jobs_create"
    assert "application/json" in create["requestBody"]["content"]


# --- the dataset's name -----------------------------------------------------------------------


def test_a_job_reads_back_its_datasets_name_and_null_without_one(
    alice_api: APIClient, alice: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.datasets.helpers import create_dataset, csv_upload

    algorithm = make_algorithm(alice)
    dataset = create_dataset(alice, "rows-csv", upload=csv_upload())
    created = alice_api.post(JOBS, job_data(algorithm, dataset=dataset.pk), format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["dataset"], created.json()["dataset_name"]) == (dataset.pk, "rows-csv")
    job = TrainingJob.objects.get(pk=created.json()["id"])
    assert job.dataset == dataset
    plain = make_job(alice, algorithm)

    shown = alice_api.get(f"{JOBS}{job.pk}/").json()
    assert (shown["dataset"], shown["dataset_name"]) == (dataset.pk, "rows-csv")
    assert alice_api.get(f"{JOBS}{plain.pk}/").json()["dataset_name"] is None
    with django_assert_max_num_queries(3):  # the name comes with the page's one query
        listed = alice_api.get(JOBS).json()["results"]
    assert {j["id"]: j["dataset_name"] for j in listed} == {job.pk: "rows-csv", plain.pk: None}


def test_a_jobs_dataset_name_is_output_only_as_its_algorithm_name(
    alice_api: APIClient, alice: Any
) -> None:
    # The dataset is chosen by id; a create body naming it is refused, nothing saved.
    response = alice_api.post(
        JOBS, job_data(make_algorithm(alice), dataset_name="rows-csv"), format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    assert message.startswith("Unknown field(s): dataset_name (known: ") and "dataset," in message
    assert not TrainingJob.objects.exists()


def test_the_schema_documents_the_dataset_name_as_read_only_and_nullable(
    alice_api: APIClient,
) -> None:
    body = json.loads(alice_api.get("/api/schema/", {"format": "json"}).content)
    field = body["components"]["schemas"]["JobOutput"]["properties"]["dataset_name"]
    assert (field["type"], field["readOnly"], field["nullable"]) == ("string", True, True)
    assert "null when it has none" in field["description"]
    create = body["components"]["schemas"]["JobCreateInputRequest"]["properties"]
    assert "dataset_name" not in create


def test_the_schema_says_a_single_run_checks_search_fields(alice_api: APIClient) -> None:
    body = json.loads(alice_api.get("/api/schema/", {"format": "json"}).content)
    create = body["components"]["schemas"]["JobCreateInputRequest"]["properties"]
    assert "a single run refuses an invalid max_trials" in create["search_space"]["description"]
    assert create["max_trials"]["description"] == "A search's; a single run has 1."


def test_a_job_reads_back_its_running_time_without_its_pause(
    alice_api: APIClient, alice: Any
) -> None:
    job = make_job(alice)
    start = timezone.now() - timedelta(minutes=10)
    TrainingJob.objects.filter(pk=job.pk).update(
        started_at=start, running_since=start, status=Status.RUNNING
    )
    job.refresh_from_db()
    services.job_pause(job=job, now=start + timedelta(seconds=70))
    body = alice_api.get(f"{JOBS}{job.pk}/").json()
    assert (body["status"], body["run_seconds"]) == ("paused", 70.0)


def test_a_fixed_value_beyond_a_float_is_too_large_on_the_api(
    alice_api: APIClient, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    # Raw JSON text: 1e999 reaches the server as infinity, its digits gone.
    payload = (
        f'{{"name": "x", "algorithm": {algorithm.pk}, "hyperparameters": {{"epochs": 1e999}}}}'
    )
    response = alice_api.post(JOBS, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["hyperparameters"]["epochs"]["value"] == [
        "epochs: the number is too large: use a number between -1e308 and 1e308."
    ]
    assert not TrainingJob.objects.exists()
