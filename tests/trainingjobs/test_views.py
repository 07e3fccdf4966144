"""Training-job pages: access, the create form round trip, list, detail, trial, buttons."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from algorithms.models import Algorithm, Hyperparameter
from trainingjobs.forms import JobForm
from trainingjobs.models import MetricPoint, TrainingJob, Trial, TrialLog

pytestmark = pytest.mark.django_db

REGEX = r"accuracy=([0-9.]+)"


def make_algorithm(owner: Any, name: str = "mnist", **fields: Any) -> Algorithm:
    """A ready algorithm with four rows: lr (float), epochs (int, required), opt (str), shuffle."""
    values: dict[str, Any] = {
        "boot_file": "train.py",
        "status": Algorithm.Status.READY,
        "auto_search": True,
        "metric_name": "accuracy",
        "metric_goal": "maximize",
        "metric_regex": REGEX,
        "search_algorithms": [
            {"name": "tpe", "params": {"gamma": 0.3}},
            {"name": "random"},
            {"name": "grid"},
        ],
    }
    values.update(fields)
    algorithm = Algorithm.objects.create(owner=owner, name=name, **values)
    rows = [
        {"name": "lr", "type": "float", "default": 0.01, "min": 0.0001, "max": 1.0},
        {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50, "required": True},
        {"name": "opt", "type": "str", "default": "adam", "choices": ["adam", "sgd", "rmsprop"]},
        {"name": "shuffle", "type": "bool", "default": True},
    ]
    for position, row in enumerate(rows):
        Hyperparameter.objects.create(algorithm=algorithm, position=position, **row)
    return algorithm


def make_job(owner: Any, algorithm: Algorithm | None = None, **fields: Any) -> TrainingJob:
    values: dict[str, Any] = {
        "name": "search-1",
        "status": TrainingJob.Status.RUNNING,
        "fixed": {"epochs": 5, "opt": "adam", "shuffle": True},
        "search_space": {"lr": {"type": "float", "low": 0.001, "high": 0.1, "log": True}},
        "search_algorithms": [{"name": "tpe", "params": {}}],
        "policy": {"name": "bandit", "slack_factor": 0.1},
        "metric_name": "accuracy",
        "metric_regex": REGEX,
        "max_trials": 4,
        "max_concurrent": 2,
        "started_at": timezone.now() - timedelta(minutes=3),
    }
    values.update(fields)
    return TrainingJob.objects.create(
        owner=owner, algorithm=algorithm or make_algorithm(owner), **values
    )


def add_trial(
    job: TrainingJob,
    number: int,
    value: float | None,
    *,
    status: str = "completed",
    curve: list[float | None] | None = None,
    **fields: Any,
) -> Trial:
    values: dict[str, Any] = {
        "algorithm": "tpe",
        "params": {"lr": 0.001 * number},
        "command": ["python", "train.py", f"--lr={0.001 * number}"],
        "started_at": timezone.now() - timedelta(seconds=30),
        "finished_at": timezone.now(),
    }
    values.update(fields)
    trial = Trial.objects.create(job=job, number=number, status=status, value=value, **values)
    for step, point in enumerate(curve or [], start=1):
        MetricPoint.objects.create(trial=trial, step=step, value=point, created_at=timezone.now())
    return trial


def create_post(algorithm: Algorithm, **overrides: Any) -> dict[str, Any]:
    """The create page's POST as a browser sends it: lr searched on a log range, opt left out."""
    data: dict[str, Any] = {
        "algorithm": str(algorithm.pk),
        "name": "lr-search",
        "description": "first try",
        "hp-0-name": "lr",
        "hp-0-value": "0.01",
        "hp-0-include": "on",
        "hp-0-search": "on",
        "hp-0-dist": "range",
        "hp-0-low": "0.001",
        "hp-0-high": "0.1",
        "hp-0-scale": "log",
        "hp-0-step": "",
        "hp-1-name": "epochs",
        "hp-1-value": "7",
        "hp-1-dist": "range",
        "hp-2-name": "opt",
        "hp-2-value": "adam",
        "hp-2-dist": "range",
        "hp-3-name": "shuffle",
        "hp-3-value": "false",
        "hp-3-include": "on",
        "hp-3-dist": "range",
        "metric_name": "accuracy",
        "metric_goal": "maximize",
        "metric_regex": REGEX,
        "sa": ["tpe"],
        "sa-tpe-gamma": "0.3",
        "sa-tpe-seed": "7",
        "objective": "last",
        "policy": "bandit",
        "policy-bandit-slack_factor": "0.1",
        "policy-bandit-evaluation_interval": "1",
        "policy-bandit-delay_evaluation": "2",
        "max_trials": "6",
        "max_concurrent": "2",
        "max_duration_minutes": "",
        "trial_timeout_minutes": "10",
        "max_failed": "",
        "seed": "",
    }
    data.update(overrides)
    return data


# --- access -------------------------------------------------------------------------------------


def _job_urls(job: TrainingJob, trial: Trial) -> list[tuple[str, str]]:
    pk, n = job.pk, trial.number
    return [
        ("get", reverse("trainingjobs:detail", args=[pk])),
        ("get", reverse("trainingjobs:trial", args=[pk, n])),
        ("get", reverse("trainingjobs:trial_log", args=[pk, n])),
        ("post", reverse("trainingjobs:cancel", args=[pk])),
        ("post", reverse("trainingjobs:pause", args=[pk])),
        ("post", reverse("trainingjobs:resume", args=[pk])),
        ("post", reverse("trainingjobs:extend", args=[pk])),
        ("post", reverse("trainingjobs:trial_stop", args=[pk, n])),
    ]


def test_another_user_gets_404_on_every_job_page(client: Client, alice: Any, bob: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job, 1, 0.5, status="running")
    client.force_login(bob)
    for method, url in _job_urls(job, trial):
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    trial.refresh_from_db()
    assert job.status == "running" and trial.stop_requested == ""


def test_staff_sees_another_users_job(client: Client, alice: Any, staff: Any) -> None:
    job = make_job(alice)
    add_trial(job, 1, 0.5)
    client.force_login(staff)
    assert client.get(reverse("trainingjobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("trainingjobs:trial", args=[job.pk, 1])).status_code == 200
    assert "search-1" in client.get(reverse("trainingjobs:list")).content.decode()


def test_every_page_needs_a_login(client: Client, alice: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job, 1, 0.5)
    urls = [u for _, u in _job_urls(job, trial)] + [
        reverse("trainingjobs:list"),
        reverse("trainingjobs:create"),
        reverse("trainingjobs:plan"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_create_page_cannot_open_another_users_algorithm(
    client: Client, alice: Any, bob: Any
) -> None:
    theirs = make_algorithm(alice, "alices")
    mine = make_algorithm(bob, "bobs")
    client.force_login(bob)
    url = reverse("trainingjobs:create")
    # The create page itself says so on the algorithm field, naming nothing of alice's.
    response = client.get(url, {"algorithm": theirs.pk})
    assert response.status_code == 200
    shown = response.content.decode()
    assert f"No ready algorithm of yours with id {theirs.pk}." in shown
    assert re.search(r'class="field has-error"[^>]*>\s*<label[^>]*>Algorithm', shown)
    assert "alices" not in shown and "Nothing is at" not in shown
    page = client.get(url).content.decode()
    assert "bobs" in page and "alices" not in page
    assert f'value="{mine.pk}" selected' in page


def test_posting_another_users_algorithm_creates_nothing(
    client: Client, alice: Any, bob: Any
) -> None:
    theirs = make_algorithm(alice, "alices")
    client.force_login(bob)
    response = client.post(reverse("trainingjobs:create"), create_post(theirs))
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    # Its hyperparameters are not shown to bob either.
    assert "--lr" not in response.content.decode()


# --- the create form -----------------------------------------------------------------------------


def test_create_page_prefills_rows_metric_and_samplers(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    response = alice_client.get(reverse("trainingjobs:create"), {"algorithm": algorithm.pk})
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("lr", "epochs", "opt", "shuffle"):
        assert f'value="{name}"' in page
    assert 'name="hp-0-value" value="0.01"' in page
    assert 'name="hp-1-value" value="5"' in page
    assert 'name="hp-1-include"' not in page  # epochs is required: it cannot be left out
    assert 'name="hp-0-low" value="0.0001"' in page and 'name="hp-0-high" value="1"' in page
    assert f'value="{REGEX}"' in page
    assert 'name="sa-tpe-gamma" value="0.3"' in page  # the algorithm's own setting
    assert 'name="sa-random-seed" value=""' in page  # blank: seeded from the job
    assert "{trial_dir}/ckpt" in page


def test_create_turns_the_post_into_the_api_shape_and_saves_the_job(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    response = alice_client.post(reverse("trainingjobs:create"), create_post(algorithm))
    job = TrainingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("trainingjobs:detail", args=[job.pk])
    assert job.owner == alice and job.algorithm == algorithm
    lr = job.search_space["lr"]
    assert (lr["type"], lr["low"], lr["high"], lr["log"]) == ("float", 0.001, 0.1, True)
    assert list(job.search_space) == ["lr"]
    assert job.fixed["epochs"] == 7 and job.fixed["shuffle"] is False
    assert "opt" in job.omitted and "opt" not in job.fixed
    assert job.search_algorithms[0]["name"] == "tpe"
    assert job.search_algorithms[0]["params"]["gamma"] == 0.3
    assert job.policy["name"] == "bandit" and job.policy["slack_factor"] == 0.1
    assert (job.max_trials, job.max_concurrent, job.trial_timeout_minutes) == (6, 2, 10)


def test_form_data_types_values_by_row_and_keeps_bad_text_for_the_validator(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(
        algorithm,
        **{
            "hp-1-value": "seven",
            "hp-0-search": "",
            "hp-0-value": "1e-3",
            "hp-2-include": "on",
            "hp-2-search": "on",
            "hp-2-values": ["adam", "sgd"],
            "hp-2-typed": "lion",
        },
    )
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in post.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    data = JobForm.from_post(query, algorithm).data()
    assert data["hyperparameters"] == {"lr": 0.001, "epochs": "seven", "shuffle": False}
    assert data["search_space"] == {"opt": {"type": "choice", "values": ["adam", "sgd", "lion"]}}
    assert data["omit"] == []
    assert data["max_trials"] == 6 and data["max_duration_minutes"] is None


def test_without_ranges_the_job_is_a_single_run(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, **{"hp-0-search": "", "max_trials": "50"})
    alice_client.post(reverse("trainingjobs:create"), post)
    job = TrainingJob.objects.get()
    assert job.search_space == {} and job.fixed["lr"] == 0.01
    assert (job.max_trials, job.max_concurrent) == (1, 1)
    assert job.search_algorithms == [] and not job.policy


ADVANCED = {
    "hp-0-dist": "qloguniform",
    "hp-0-dlow": "-6",
    "hp-0-dhigh": "-2",
    "hp-0-q": "0.001",
}


def test_advanced_distribution_is_sent_with_hyperdrive_fields(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    alice_client.post(reverse("trainingjobs:create"), create_post(algorithm, **ADVANCED))
    job = TrainingJob.objects.get()
    assert job.search_space["lr"] == {"type": "qloguniform", "low": -6, "high": -2, "q": 0.001}


def test_refused_submit_keeps_everything_and_shows_each_message_by_its_field(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(
        algorithm,
        **{
            "name": "",
            "hp-0-low": "0.5",
            "hp-0-high": "0.1",
            "hp-1-value": "seven",
            "hp-2-include": "",
            "sa": ["tpe", "random"],
            "sa-tpe-gamma": "7",
            "sa-random-rule": "sobol",
            "max_trials": "3",
            "max_concurrent": "5",
            "objective": "best",
            "policy": "bandit",
            "policy-bandit-slack_factor": "0.25",
        },
    )
    response = alice_client.post(reverse("trainingjobs:create"), post)
    page = response.content.decode()
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    assert "The training job was not created" in page
    # Every value and toggle as typed ...
    assert 'name="hp-0-low" value="0.5"' in page and 'name="hp-0-high" value="0.1"' in page
    assert re.search(r'name="hp-0-search"[^>]*checked', page)
    assert re.search(r'<option value="log" selected>', page)
    assert 'name="hp-1-value" value="seven"' in page
    assert not re.search(r'name="hp-2-include"[^>]*checked', page)
    assert re.search(r'name="hp-3-include"[^>]*checked', page)
    assert 'name="sa-tpe-gamma" value="7"' in page
    assert re.search(r'value="random" checked', page)
    assert re.search(r'<option value="sobol" selected>', page)
    assert 'name="max_trials" value="3"' in page and 'name="max_concurrent" value="5"' in page
    assert re.search(r'value="best" checked', page)
    assert re.search(r'<option value="bandit" selected>', page)
    assert 'name="policy-bandit-slack_factor" value="0.25"' in page
    assert 'name="trial_timeout_minutes" value="10"' in page
    # ... and messages beside their inputs (the rows and the cards are marked).
    assert page.count('class="errorlist"') >= 4
    assert "row-error" in page


def test_create_page_saves_environment_variables_from_its_table(
    alice_client: Client, alice: Any
) -> None:
    post = create_post(
        make_algorithm(alice),
        **{
            "env-0-name": " WANDB_MODE ",
            "env-0-value": "offline",
            "env-1-name": "",
            "env-1-value": "",
        },
    )
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 302
    assert TrainingJob.objects.get().environment == {"WANDB_MODE": "offline"}


def test_a_refused_environment_keeps_every_row_as_typed_with_its_message(
    alice_client: Client, alice: Any
) -> None:
    post = create_post(
        make_algorithm(alice),
        **{
            "env-0-name": "MODE",
            "env-0-value": "a b",
            "env-1-name": "TRIAL_ID",
            "env-1-value": "9",
            "env-3-name": "MODE",
            "env-3-value": "c",
        },
    )
    response = alice_client.post(reverse("trainingjobs:create"), post)
    page = response.content.decode()
    assert response.status_code == 400 and not TrainingJob.objects.exists()
    assert 'name="env-0-name" value="MODE"' in page and 'name="env-0-value" value="a b"' in page
    assert 'name="env-1-name" value="TRIAL_ID"' in page
    assert 'name="env-2-name" value="MODE"' in page and 'name="env-2-value" value="c"' in page
    assert "TRIAL_ID is set by the console for every trial" in page
    assert "MODE is given twice." in page
    assert 'name="env-4-name" value=""' in page  # blank rows to type more


def test_plan_counts_grid_and_trials(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(
        algorithm,
        **{
            "hp-0-search": "",
            "hp-1-search": "on",
            "hp-1-low": "1",
            "hp-1-high": "4",
            "hp-1-step": "1",
            "hp-3-search": "on",
            "max_trials": "20",
            "sa": ["grid"],
            "policy": "",
        },
    )
    answer = alice_client.post(reverse("trainingjobs:plan"), post).json()
    assert answer["search"] is True
    assert answer["grid_size"] == 8
    assert answer["planned_trials"] == 8

    continuous = alice_client.post(reverse("trainingjobs:plan"), create_post(algorithm)).json()
    assert continuous["grid_size"] is None and continuous["planned_trials"] == 6

    single = create_post(algorithm, **{"hp-0-search": ""})
    assert alice_client.post(reverse("trainingjobs:plan"), single).json()["planned_trials"] == 1


def test_plan_of_a_half_typed_range_answers_without_an_error(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, **{"hp-0-high": "", "name": ""})
    response = alice_client.post(reverse("trainingjobs:plan"), post)
    assert response.status_code == 200
    assert response.json()["planned_trials"] is None
    assert response.json()["needs"] == "fill in the range of lr"


def test_plan_asks_for_the_empty_ranges_by_name(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    empty = {"hp-0-low": "", "hp-0-high": "", "hp-2-include": "on", "hp-2-search": "on"}
    post = create_post(algorithm, **empty)
    answer = alice_client.post(reverse("trainingjobs:plan"), post).json()
    assert answer["planned_trials"] is None and answer["grid_size"] is None
    assert answer["needs"] == "fill in the ranges of lr and opt"


def test_plan_names_the_range_to_fix_with_the_message(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, **{"hp-0-low": "0.5", "hp-0-high": "0.01"})
    answer = alice_client.post(reverse("trainingjobs:plan"), post).json()
    assert answer["planned_trials"] is None
    assert answer["needs"] == "fix the range of lr"
    assert "low must be less than high" in answer["problem"]


def test_plan_counts_trials_while_something_else_is_still_missing(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, name="", metric_regex="(unclosed")
    answer = alice_client.post(reverse("trainingjobs:plan"), post).json()
    assert (answer["planned_trials"], answer["needs"]) == (6, None)
    assert answer["complete"] is False


def test_a_refused_create_with_an_empty_range_says_to_fill_it_in(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, **{"hp-0-low": "", "hp-0-high": ""})
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Trials: fill in the range of lr to see how many" in page
    assert "fix the values marked" not in page


def test_create_page_lists_no_algorithm_that_is_not_ready(alice_client: Client, alice: Any) -> None:
    make_algorithm(alice, "checking", status=Algorithm.Status.CREATING)
    page = alice_client.get(reverse("trainingjobs:create")).content.decode()
    assert "No ready algorithm yet" in page


# --- list -----------------------------------------------------------------------------------


def test_list_shows_counts_best_value_and_filters(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice)
    running = make_job(alice, algorithm, name="running-one")
    add_trial(running, 1, 0.8)
    best = add_trial(running, 2, 0.91234567)
    add_trial(running, 3, None, status="running", finished_at=None)
    running.best_trial = best
    running.save()
    make_job(alice, algorithm, name="done-one", status="completed")

    page = alice_client.get(reverse("trainingjobs:list")).content.decode()
    assert "running-one" in page and "done-one" in page
    assert "0.912346" in page
    assert re.search(r'data-testid="trials-done">2 / 4', page)

    filtered = alice_client.get(reverse("trainingjobs:list"), {"status": "completed"})
    assert "done-one" in filtered.content.decode()
    assert "running-one" not in filtered.content.decode()
    searched = alice_client.get(reverse("trainingjobs:list"), {"q": "RUNNING"}).content.decode()
    assert "running-one" in searched and "done-one" not in searched


def test_list_queries_do_not_grow_with_jobs(
    alice_client: Client, alice: Any, django_assert_max_num_queries: Any
) -> None:
    algorithm = make_algorithm(alice)
    for i in range(25):
        job = make_job(alice, algorithm, name=f"job-{i}")
        job.best_trial = add_trial(job, 1, 0.5)
        job.save()
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("trainingjobs:list"))
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()
    with django_assert_max_num_queries(8):
        assert alice_client.get(reverse("home")).status_code == 200


# --- detail and buttons ------------------------------------------------------------------------


def test_detail_highlights_the_best_trial_and_carries_both_charts(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    add_trial(job, 1, 0.7, curve=[0.5, 0.7])
    best = add_trial(job, 2, 0.9, curve=[0.6, float("nan"), 0.9])
    add_trial(job, 3, None, status="failed", status_reason="exit code 1: Traceback ...")
    job.best_trial = best
    job.save()

    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert re.search(r'data-number="2" class="best-row"', page)
    # The charts come from requests of their own, the metric chart's preloaded.
    assert reverse("trainingjobs:live_metric", args=[job.pk]) in page
    assert "NaN" not in page.split('id="dashboard-snapshot"')[1].split("</script>")[0]
    assert "vendor/plotly-basic.min.js" in page
    assert "0.001 … 0.1, log scale" in page and "slack_factor=0.1" in page
    assert "exit code 1" in page


def test_an_ended_jobs_page_says_ended_not_live(alice_client: Client, alice: Any) -> None:
    ended = make_job(alice, status=TrainingJob.Status.COMPLETED, finished_at=timezone.now())
    page = alice_client.get(reverse("trainingjobs:detail", args=[ended.pk])).content.decode()
    marker = re.search(r'<span class="live-state"[^>]*>([^<]*)</span>', page)
    assert marker is not None and marker.group(1) == "Ended"
    assert 'data-state="ended"' in marker.group(0)
    # A running job's marker waits for its socket.
    running = make_job(alice, ended.algorithm)
    page = alice_client.get(reverse("trainingjobs:detail", args=[running.pk])).content.decode()
    marker = re.search(r'<span class="live-state"[^>]*>([^<]*)</span>', page)
    assert marker is not None and marker.group(1) == "Connecting…"


def test_detail_of_a_job_whose_every_trial_failed_shows_the_first_log(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice, status="failed", status_reason="3 trials failed")
    first = add_trial(job, 1, None, status="failed", status_reason="exit code 2")
    TrialLog.objects.create(trial=first, text="usage: train.py\nerror: unrecognized arguments\n")
    add_trial(job, 2, None, status="failed")
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert "Every trial failed" in page and "unrecognized arguments" in page


def test_detail_with_several_algorithms_says_which_found_the_best(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    add_trial(job, 1, 0.7)
    best = add_trial(job, 2, 0.9)
    Trial.objects.filter(pk=best.pk).update(algorithm="random")
    job.best_trial = best
    job.save()
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert "Per search algorithm" in page
    assert re.search(
        r'class="best-row"><td class="nowrap"><span class="tag">random</span> <strong[^>]*>★',
        page,
    )


def test_cancel_button_cancels_and_a_refused_action_shows_why(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    response = alice_client.post(reverse("trainingjobs:cancel", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "canceled"
    assert "Job canceled." in response.content.decode()

    again = alice_client.post(reverse("trainingjobs:pause", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == "canceled"
    assert 'class="alert alert-error"' in again.content.decode()


def _extend(client: Client, job: TrainingJob, **values: str) -> Any:
    return client.post(reverse("trainingjobs:extend", args=[job.pk]), values)


def test_extend_with_words_for_numbers_marks_each_field_and_keeps_them(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice, status="completed", max_trials=8, max_duration_minutes=60)
    response = _extend(alice_client, job, max_trials="abc", max_duration_minutes="1e999")

    assert response.status_code == 400
    job.refresh_from_db()
    assert (job.status, job.max_trials, job.max_duration_minutes) == ("completed", 8, 60)
    form = response.context["extend"]
    assert form.errors["max_trials"] == ["Max trials must be a whole number, got 'abc'."]
    assert form.errors["max_duration_minutes"] == [
        "Max duration (minutes) must be a whole number, got '1e999'."
    ]
    page = response.content.decode()
    assert 'name="max_trials" value="abc"' in page
    assert 'name="max_duration_minutes" value="1e999"' in page
    assert page.count('class="extend-field has-error"') == 2
    assert "The job was not extended." in page


def test_extend_to_fewer_trials_says_how_many_the_job_has(alice_client: Client, alice: Any) -> None:
    job = make_job(alice, status="completed", max_trials=8)
    response = _extend(alice_client, job, max_trials="3", max_duration_minutes="")

    assert response.status_code == 400
    job.refresh_from_db()
    assert job.max_trials == 8
    errors = response.context["extend"].errors
    assert errors["max_trials"] == ["Max trials must be more than the 8 already allowed, got 3."]
    assert errors["max_duration_minutes"] == [] and errors["other"] == []
    page = response.content.decode()
    assert 'name="max_trials" value="3"' in page
    assert "max_trials must" not in page


def test_extend_refused_by_the_jobs_state_keeps_what_was_typed(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice, status="completed", max_trials=2)
    add_trial(job, 1, 0.5)
    add_trial(job, 2, 0.6)
    response = _extend(alice_client, job, max_duration_minutes="30")

    assert response.status_code == 400
    errors = response.context["extend"].errors
    assert errors["max_duration_minutes"] == [
        "The job has no time limit, so there is none to extend."
    ]
    assert 'name="max_duration_minutes" value="30"' in response.content.decode()

    blank = _extend(alice_client, job, max_trials=" ", max_duration_minutes="")
    assert blank.status_code == 400
    assert blank.context["extend"].errors["other"] == ["Give more trials, more minutes, or both."]
    assert 'data-testid="extend-errors"' in blank.content.decode()


def test_extend_with_more_trials_runs_the_job_again(alice_client: Client, alice: Any) -> None:
    job = make_job(alice, status="completed", max_trials=2, finished_at=timezone.now())
    add_trial(job, 1, 0.5)
    add_trial(job, 2, 0.6)
    response = _extend(alice_client, job, max_trials="5")

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.max_trials) == ("running", 5)
    page = alice_client.get(response["Location"]).content.decode()
    assert "Job extended" in page and 'class="extend-field has-error"' not in page


def test_buttons_refuse_get(alice_client: Client, alice: Any) -> None:
    job = make_job(alice)
    assert alice_client.get(reverse("trainingjobs:cancel", args=[job.pk])).status_code == 405
    job.refresh_from_db()
    assert job.status == "running"


# --- trials -------------------------------------------------------------------------------------


def test_trial_page_shows_values_command_points_and_log_tail(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice, omitted=["opt"], fixed={"epochs": 5, "shuffle": True})
    trial = add_trial(
        job,
        1,
        0.9,
        curve=[0.5, 0.9],
        exit_code=0,
        command=["python", "train.py", "--lr=0.001", "--note=a b"],
    )
    TrialLog.objects.create(
        trial=trial, text="x" * 70_000 + "\nepoch 2 accuracy=0.9\n", size=70_022, lines=2
    )
    page = alice_client.get(reverse("trainingjobs:trial", args=[job.pk, 1])).content.decode()
    assert "python train.py --lr=0.001 &#x27;--note=a b&#x27;" in page
    assert "epoch 2 accuracy=0.9" in page
    assert "x" * 70_000 not in page  # only the end of a long log
    assert 'id="trial-figure"' in page
    assert re.search(r'data-name="opt">.*not passed', page)
    assert re.search(r'data-name="lr">.*0\.001.*searched', page)
    # The log header's count and the points' report numbers, which the live page extends.
    assert 'data-log-lines="2" data-testid="log-lines"><span data-log-count>2 lines</span>' in page
    assert re.findall(r'<tr data-step="(\d+)">', page) == ["1", "2"]
    # One "Status" on the card (the run's facts), not a card and a row of that name.
    run = page[page.index('data-testid="trial-run"') :]
    run = run[: run.index("</dl>")]
    assert page.count("<h2>Status</h2>") == 0 and "<h2>Run</h2>" in page
    assert run.count("<dt>Status</dt>") == 1 and "<dt>Finished</dt>" in run

    log = alice_client.get(reverse("trainingjobs:trial_log", args=[job.pk, 1]))
    assert log["Content-Type"].startswith("text/plain")
    assert len(log.content) == 70_022


def test_stop_button_asks_the_running_trial_to_stop(alice_client: Client, alice: Any) -> None:
    job = make_job(alice)
    trial = add_trial(job, 1, None, status="running", finished_at=None)
    response = alice_client.post(reverse("trainingjobs:trial_stop", args=[job.pk, 1]))
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.stop_requested == "early_stopped" or trial.status == "early_stopped"


def test_a_stop_asked_by_the_pages_script_answers_json_and_leaves_no_message(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    trial = add_trial(job, 4, None, status="running", finished_at=None)
    url = reverse("trainingjobs:trial_stop", args=[job.pk, 4])
    response = alice_client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"stopping": True, "number": 4}
    trial.refresh_from_db()
    assert trial.stop_requested == "early_stopped" or trial.status == "early_stopped"
    # The next page drawn (after Pause, say) carries no "being stopped" message.
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert "is being stopped" not in page
    # A refused stop says why, as JSON, and leaves no message either.
    ended = add_trial(job, 5, 0.5)
    refused = alice_client.post(
        reverse("trainingjobs:trial_stop", args=[job.pk, 5]), HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 409 and refused.json()["stopping"] is False
    assert refused.json()["error"]
    ended.refresh_from_db()
    assert ended.status == "completed"
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert 'class="alert' not in page


def test_a_stop_from_a_plain_form_redirects_with_its_message(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    add_trial(job, 4, None, status="running", finished_at=None)
    response = alice_client.post(
        reverse("trainingjobs:trial_stop", args=[job.pk, 4]),
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
        follow=True,
    )
    assert response.redirect_chain == [(reverse("trainingjobs:trial", args=[job.pk, 4]), 302)]
    assert "Trial 4 is being stopped." in response.content.decode()


def test_trial_page_of_a_queued_trial_renders(alice_client: Client, alice: Any) -> None:
    job = make_job(alice)
    Trial.objects.create(job=job, number=1, params={"lr": 0.01})
    response = alice_client.get(reverse("trainingjobs:trial", args=[job.pk, 1]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Written when the trial starts" in page
    # The log's help speaks of the queue, not of a running trial.
    assert "The trial is queued: once a worker starts it" in page
    assert "The trial is running" not in page
    # A line count that waits, hidden, for the first lines to arrive.
    assert 'hidden data-log-lines="0" data-testid="log-lines"' in page


def test_trial_page_of_a_running_trial_shows_its_latest_report_and_a_live_duration(
    alice_client: Client, alice: Any
) -> None:
    job = make_job(alice)
    add_trial(job, 1, None, status="running", finished_at=None, curve=[0.1 * k for k in range(22)])
    page = alice_client.get(reverse("trainingjobs:trial", args=[job.pk, 1])).content.decode()
    value = re.search(r'data-testid="trial-value"[^>]*>(.*?)</dd>', page)
    assert value is not None
    assert re.search(r"<strong data-run-number>2\.1</strong>", value.group(1))
    assert "(latest, report 22)" in value.group(1)
    # The page's script ticks the duration from the start it carries (30 s ago when the
    # trial was stored; a busy machine may take half a second more to render the page).
    assert re.search(r'data-testid="trial-duration" data-run-started="[0-9T:.+-]+">3[01] s<', page)
    ended = add_trial(job, 2, 0.7, curve=[0.5, 0.7])
    page = alice_client.get(reverse("trainingjobs:trial", args=[job.pk, 2])).content.decode()
    assert "<strong>0.7</strong>" in page and "latest" not in page
    assert ended.finished_at and "data-run-started" not in page


def test_job_lists_count_trials_ended_as_the_job_page_does(
    alice_client: Client, alice: Any
) -> None:
    make_job(alice, make_algorithm(alice), name="counted")
    for name in ("trainingjobs:list", "home"):
        page = alice_client.get(reverse(name)).content.decode()
        assert "<th>Trials ended / total</th>" in page and "Trials done" not in page


def test_home_shows_running_jobs_then_the_latest_ended_ones(
    alice_client: Client, alice: Any, bob: Any
) -> None:
    algorithm = make_algorithm(alice)
    make_job(alice, algorithm, name="finished-run", status="completed")
    make_job(alice, algorithm, name="visible-run")
    make_job(bob, name="bobs-run")
    page = alice_client.get(reverse("home")).content.decode()
    row = r'<tr data-testid="(running-job|recent-job)"><td><a href="[^"]+">([^<]+)<'
    rows = re.findall(row, page)
    assert rows == [("running-job", "visible-run"), ("recent-job", "finished-run")]
    assert "bobs-run" not in page and "No training job yet" not in page


def test_home_lists_ended_jobs_when_none_runs_and_five_at_most(
    alice_client: Client, alice: Any
) -> None:
    page = alice_client.get(reverse("home")).content.decode()
    assert "No training job yet." in page
    algorithm = make_algorithm(alice)
    for n in range(7):
        make_job(alice, algorithm, name=f"ended-{n}", status="completed")
    page = alice_client.get(reverse("home")).content.decode()
    names = re.findall(r'<tr data-testid="recent-job"><td><a href="[^"]+">([^<]+)<', page)
    assert names == ["ended-6", "ended-5", "ended-4", "ended-3", "ended-2"]


# --- no request answers 500 -------------------------------------------------------------------

GARBAGE = ["", " ", "abc", "-1", "1e999", "nan", "0", "{trial_x}", "[]", "9" * 40, "\x00"]


@pytest.mark.parametrize("junk", GARBAGE)
def test_create_and_plan_answer_junk_in_every_field_without_a_server_error(
    alice_client: Client, alice: Any, junk: str
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, **{"sa": ["tpe", "random", junk]})
    for key in list(post):
        if key not in ("sa", "algorithm") and not key.endswith("-name"):
            post[key] = junk
    post["hp-0-dist"] = "quniform" if junk == "" else junk
    for url in (reverse("trainingjobs:create"), reverse("trainingjobs:plan")):
        response = alice_client.post(url, post)
        assert response.status_code in (200, 302, 400), (url, junk)
    assert alice_client.post(reverse("trainingjobs:create"), {"algorithm": junk}).status_code == 400


@pytest.mark.parametrize("query", ["?algorithm=abc", "?page=abc&status=nope", "?q=%00"])
def test_pages_answer_odd_queries(alice_client: Client, alice: Any, query: str) -> None:
    make_algorithm(alice)
    for name in ("trainingjobs:list", "trainingjobs:create"):
        assert alice_client.get(reverse(name) + query).status_code == 200
    missing = alice_client.get(reverse("trainingjobs:create") + "?algorithm=999999")
    assert missing.status_code == 200
    assert "No ready algorithm of yours with id 999999." in missing.content.decode()
    # A link's wrong id is the field's note; nothing was submitted, so nothing "not created".
    assert "was not created" not in missing.content.decode()


def test_a_search_with_its_required_limits_blank_is_refused_on_those_fields(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm, max_trials="", max_concurrent=" ")
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 400
    shown = response.content.decode()
    assert "Max trials is required." in shown and "Max concurrent is required." in shown
    assert 'name="description"' in shown and "first try" in shown  # what was typed is kept
    assert not TrainingJob.objects.exists()
    # Other faults are shown beside them in the same answer.
    post["hp-0-low"] = "abc"
    both = alice_client.post(reverse("trainingjobs:create"), post).content.decode()
    assert "Max trials is required." in both and "abc" in both


def test_a_job_left_without_a_name_gets_the_one_the_page_suggests(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    page = alice_client.get(reverse("trainingjobs:create")).content.decode()
    assert f'placeholder="{algorithm.name}-search"' in page
    response = alice_client.post(reverse("trainingjobs:create"), create_post(algorithm, name=" "))
    assert response.status_code == 302
    assert TrainingJob.objects.get().name == f"{algorithm.name}-search"


def test_a_row_searched_but_not_passed_is_refused_on_its_pass_box(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    post = create_post(algorithm)
    del post["hp-0-include"]  # lr's range stays on, its Pass box off
    response = alice_client.post(reverse("trainingjobs:create"), post)
    assert response.status_code == 400
    shown = response.content.decode()
    assert "lr has a search range but is not passed: tick Pass, or turn its range off." in shown
    assert 'value="0.001"' in shown  # the range typed is kept
    assert not TrainingJob.objects.exists()


def test_detail_and_trial_queries_do_not_grow_with_trials(
    alice_client: Client, alice: Any, django_assert_max_num_queries: Any
) -> None:
    job = make_job(alice, max_trials=30)
    for number in range(1, 31):
        add_trial(job, number, 0.5 + number / 100, curve=[0.1, 0.2, 0.3])
    with django_assert_max_num_queries(10):
        response = alice_client.get(reverse("trainingjobs:detail", args=[job.pk]))
    assert response.content.decode().count('data-testid="trial-row"') == 30
    with django_assert_max_num_queries(10):
        assert alice_client.get(reverse("trainingjobs:trial", args=[job.pk, 3])).status_code == 200


def test_algorithm_without_auto_search_runs_its_values_once(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice, auto_search=False, metric_regex="", metric_name="")
    page = alice_client.get(reverse("trainingjobs:create")).content.decode()
    assert 'name="hp-0-search"' not in page and "auto search off" in page
    # A forged range toggle is not a range: the job is a single run of the typed values.
    alice_client.post(reverse("trainingjobs:create"), create_post(algorithm))
    job = TrainingJob.objects.get()
    assert job.search_space == {} and job.fixed["lr"] == 0.01 and job.max_trials == 1


def test_an_algorithm_that_is_not_ready_is_named_as_such(alice_client: Client, alice: Any) -> None:
    algorithm = make_algorithm(alice, status=Algorithm.Status.CREATING)
    response = alice_client.get(reverse("trainingjobs:create"), {"algorithm": algorithm.pk})
    assert "is creating: only a ready algorithm can run" in response.content.decode()
    refused = alice_client.post(reverse("trainingjobs:create"), create_post(algorithm))
    assert refused.status_code == 400 and not TrainingJob.objects.exists()


def test_admin_lists_jobs_and_trials(client: Client, alice: Any, staff: Any) -> None:
    job = make_job(alice)
    add_trial(job, 1, 0.5)
    client.force_login(staff)
    for url in (
        reverse("admin:trainingjobs_trainingjob_changelist"),
        reverse("admin:trainingjobs_trainingjob_change", args=[job.pk]),
        reverse("admin:trainingjobs_trial_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_detail_shows_the_jobs_environment_variables(alice_client: Client, alice: Any) -> None:
    job = make_job(alice, environment={"WANDB_MODE": "offline"})
    page = alice_client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="config-environment"' in page and "WANDB_MODE=offline" in page


# "²".isdigit() is true and int("²") raises: every number read from a request on the job
# pages is ASCII digits or refused, never a 500.
SUPERSCRIPT_TWO = "²"


def test_non_ascii_digits_in_job_page_parameters_are_refused_not_500(
    alice_client: Client, alice: Any
) -> None:
    algorithm = make_algorithm(alice)
    job = make_job(alice, algorithm)
    create = reverse("trainingjobs:create")
    assert alice_client.get(create, {"algorithm": SUPERSCRIPT_TWO}).status_code == 200
    assert alice_client.get(create, {"from_job": SUPERSCRIPT_TWO, "trial": "1"}).status_code == 200
    post = create_post(algorithm, **{f"env-{SUPERSCRIPT_TWO}-name": "A"})
    assert alice_client.post(create, post).status_code in (200, 302)
    post = {**create_post(algorithm), "algorithm": SUPERSCRIPT_TWO}
    assert alice_client.post(reverse("trainingjobs:plan"), post).status_code == 200
    for name, params in (
        ("trainingjobs:live_events", {"since": SUPERSCRIPT_TWO}),
        ("trainingjobs:live_curves", {"trials": f"1,{SUPERSCRIPT_TWO}"}),
    ):
        response = alice_client.get(reverse(name, args=[job.pk]), params)
        assert response.status_code == 400, name
