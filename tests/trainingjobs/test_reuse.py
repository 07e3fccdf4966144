"""A new job from a trial's values: the create form opens prefilled, fixed or narrowed,
with every setting of the job it comes from."""

from __future__ import annotations

import doctest
import html
import math
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from algorithms.models import Algorithm, Hyperparameter
from search import SearchSpace
from tests.datasets.helpers import create_dataset, csv_upload
from trainingjobs import reuse, services, specs
from trainingjobs.form_rows import initial_row, is_discrete, range_spec
from trainingjobs.forms import LIMITS
from trainingjobs.models import TrainingJob, Trial

from .engine_helpers import REGEX, make_algorithm, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_docstring_examples_of_reuse_run() -> None:
    result = doctest.testmod(reuse, verbose=False)
    assert result.attempted > 0 and result.failed == 0


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


def test_the_narrowed_form_says_which_ranges_it_narrowed_and_from_what_to_what(
    alice_client: Any, alice: Any
) -> None:
    space = {
        "x": {"type": "float", "low": 0.0, "high": 1.0},
        "eta0": {"type": "float", "low": 0.001, "high": 1.0, "log": True},
        "opt": {"type": "choice", "values": ["adam", "sgd"]},
    }
    job = make_job(alice, search_space=space)
    Hyperparameter.objects.create(
        algorithm=job.algorithm, position=2, name="eta0", type="float", default=0.01,
        min=0.0001, max=1,
    )
    Hyperparameter.objects.create(
        algorithm=job.algorithm, position=3, name="opt", type="str", default="adam",
        choices=["adam", "sgd"],
    )
    Trial.objects.create(
        job=job, number=1, params={"x": 0.9, "eta0": 0.1, "opt": "sgd"}, status="completed"
    )
    narrow = reuse.form_from_trial(job, job.trials.get(), mode="narrow")
    # As the fields show them; a choice keeps its values: nothing to say of it.
    assert sorted(narrow.raw["narrowed"]) == [
        "eta0: 0.001–1 → 0.0177828–0.562341 (log scale)",
        "x: 0–1 → 0.65–1",
    ]
    url = reverse("trainingjobs:create")
    page = alice_client.get(url, {"from_job": job.pk, "trial": 1, "mode": "narrow"})
    html = page.content.decode()
    note = html.split('data-testid="reuse-narrowed"')[1].split("</div>")[0]
    assert "Ranges narrowed around the trial's values:" in note
    assert "<li>x: 0–1 → 0.65–1</li>" in note
    assert "<li>eta0: 0.001–1 → 0.0177828–0.562341 (log scale)</li>" in note
    fixed = alice_client.get(url, {"from_job": job.pk, "trial": 1, "mode": "fixed"})
    assert 'data-testid="reuse-narrowed"' not in fixed.content.decode()


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


# --- everything the job had, carried to the new job -------------------------------------------

SEARCHED = {
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "epochs": {"type": "int", "low": 1, "high": 49, "step": 4},
    "opt": {"type": "choice", "values": ["adam", "sgd"]},
    "shuffle": {"type": "bool"},
    "dropout": {"type": "float", "low": 0.0, "high": 0.5, "step": 0.05},
    "momentum": {"type": "normal", "mu": 0.5, "sigma": 0.2},
    "tag": {"type": "choice", "values": ["a", "b"]},
    "decay": {"type": "loguniform", "low": -8, "high": 0},
}
BEST = {"lr": 0.01, "epochs": 25, "opt": "sgd", "shuffle": False, "dropout": 0.3,
        "momentum": 0.9, "tag": "b", "decay": math.exp(-4)}
# The ranges narrowed around BEST: a quarter of the old width each side (in log space for
# lr, in exponent space for decay), on the old step's lattice; momentum centred with half
# its sigma; the choices as they were.
NARROWED = {
    "lr": {"type": "float", "low": 0.001, "high": 0.1, "log": True, "step": None},
    "epochs": {"type": "int", "low": 13, "high": 37, "log": False, "step": 4},
    "opt": {"type": "choice", "values": ["adam", "sgd"]},
    "shuffle": {"type": "choice", "values": [False, True]},
    "dropout": {"type": "float", "low": 0.15, "high": 0.45, "log": False, "step": 0.05},
    "momentum": {"type": "normal", "mu": 0.9, "sigma": 0.1},
    "tag": {"type": "choice", "values": ["a", "b"]},
    "decay": {"type": "loguniform", "low": -6.0, "high": -2.0},
}


def _algorithm(owner: Any) -> Algorithm:
    algorithm = Algorithm.objects.create(
        owner=owner, name="wide", boot_file="train.py", status=Algorithm.Status.READY,
        auto_search=True, accepts_data_urls=True, metric_name="accuracy", metric_regex=REGEX,
        search_algorithms=[{"name": "tpe", "params": {}}, {"name": "random"}],
    )
    rows = [
        {"name": "lr", "type": "float", "default": 0.1, "min": 1e-5, "max": 1.0},
        {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50},
        {"name": "opt", "type": "str", "default": "adam", "choices": ["adam", "sgd", "lion"]},
        {"name": "shuffle", "type": "bool", "default": True},
        {"name": "dropout", "type": "float", "default": 0.1, "min": 0.0, "max": 0.5},
        {"name": "momentum", "type": "float", "default": 0.5},
        {"name": "tag", "type": "str", "default": "a"},
        {"name": "decay", "type": "float", "default": 0.001},
    ]
    for position, row in enumerate(rows):
        Hyperparameter.objects.create(algorithm=algorithm, position=position, **row)
    return algorithm


def _source_job(owner: Any) -> TrainingJob:
    """A finished search made through the validator, with every setting away from its
    default, and its best trial."""
    algorithm = _algorithm(owner)
    dataset = create_dataset(owner, "digits", upload=csv_upload())
    data = {
        "name": "source", "description": "the first search", "algorithm": algorithm.pk,
        "dataset": dataset.pk, "search_space": SEARCHED,
        "search_algorithms": [{"name": "tpe", "params": {"gamma": 0.3}}, {"name": "random"}],
        "policy": {"name": "bandit", "slack_factor": 0.2, "evaluation_interval": 2,
                   "delay_evaluation": 3},
        "metric": {"name": "loss", "goal": "minimize", "regex": r"loss=(\S+)"},
        "objective": "best", "max_trials": 8, "max_concurrent": 3, "max_duration_minutes": 30,
        "trial_timeout_minutes": 5, "max_failed": 2, "lost_counts_as_failed": True,
        "environment": [{"name": "WANDB_MODE", "value": "offline"}], "seed": 11,
    }
    job = services.job_create(owner=owner, spec=specs.validate_job_spec(owner=owner, data=data))
    Trial.objects.create(job=job, number=3, params=BEST, status="completed", value=0.1)
    return job


def _carried(job: TrainingJob) -> dict[str, Any]:
    return {
        "dataset": job.dataset_id, "algorithm": job.algorithm_id, "policy": job.policy,
        "search_algorithms": job.search_algorithms, "environment": job.environment,
        "metric": (job.metric_name, job.metric_goal, job.metric_regex),
        "objective": job.objective, "lost_counts_as_failed": job.lost_counts_as_failed,
        "seed": job.seed, **{name: getattr(job, name) for name in LIMITS},
    }


def test_narrowed_job_carries_the_policy_limits_dataset_and_every_search_setting(
    alice: Any,
) -> None:
    job = _source_job(alice)
    form = reuse.form_from_trial(job, job.trials.get(), mode="narrow")
    spec = specs.validate_job_spec(owner=alice, data=form.data())
    new = services.job_create(owner=alice, spec=spec)
    assert _carried(new) == _carried(job)
    assert new.policy == {"name": "bandit", "slack_factor": 0.2, "slack_amount": None,
                          "evaluation_interval": 2, "delay_evaluation": 3,
                          "min_comparators": 1}
    assert new.search_space == NARROWED
    assert new.name == "source from trial 3 (narrowed)" and new.description == "the first search"
    assert new.seed == 11
    assert form.raw["notes"] == []


def test_fixed_values_job_keeps_the_settings_for_a_later_search(alice: Any) -> None:
    job = _source_job(alice)
    form = reuse.form_from_trial(job, job.trials.get(), mode="fixed")
    data = form.data()
    assert data["hyperparameters"] == BEST and data["search_space"] == {}
    # A single run has no policy; the page still holds the job's, should a row be searched.
    assert (form.raw["policy"], form.raw["policy_params"]["bandit"]["slack_factor"]) == (
        "bandit", "0.2",
    )  # fmt: skip
    assert form.raw["lost_counts_as_failed"] is True
    # A single run has no search algorithm to seed: the page holds the seed, sends none.
    assert form.raw["seed"] == "11" and "seed" not in data
    assert data["dataset"] == str(job.dataset_id) and data["max_duration_minutes"] == 30


@pytest.mark.parametrize("name", list(SEARCHED))
def test_a_row_shows_the_range_it_searches(alice: Any, name: str) -> None:
    algorithm = _algorithm(alice)
    hp = algorithm.hyperparameters.get(name=name)
    spec = SearchSpace.from_json({name: SEARCHED[name]}).to_json()[name]
    row = {**initial_row(hp), **reuse.row_for_spec(hp, spec)}
    assert row["search"] and row["include"]
    back = range_spec(hp.type, row, discrete=is_discrete(hp))
    assert SearchSpace.from_json({name: back}).to_json()[name] == spec


def test_what_the_algorithm_no_longer_has_is_named_on_the_page(
    alice_client: Any, alice: Any
) -> None:
    job = _source_job(alice)
    Hyperparameter.objects.filter(algorithm=job.algorithm, name="tag").delete()
    Algorithm.objects.filter(pk=job.algorithm_id).update(search_algorithms=[{"name": "tpe"}])
    job.refresh_from_db()
    page = alice_client.get(
        reverse("trainingjobs:create"), {"from_job": job.pk, "trial": 3, "mode": "narrow"}
    ).content.decode()
    notes = re.search(r'data-testid="reuse-notes">(.*?)</div>', page, re.S)
    assert notes is not None
    items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", notes.group(1))]
    assert items == [
        "Search algorithm random is left out: wide no longer supports it.",
        "tag: no longer a hyperparameter of wide, left out.",
    ]


def test_the_prefilled_page_posted_as_it_is_creates_the_narrowed_job(
    alice_client: Any, alice: Any
) -> None:
    job = _source_job(alice)
    url = reverse("trainingjobs:create")
    page = alice_client.get(url, {"from_job": job.pk, "trial": 3, "mode": "narrow"})
    fields = form_fields(page.content.decode())
    assert fields["policy"] == "bandit" and fields["policy-bandit-slack_factor"] == "0.2"
    assert fields["lost_counts_as_failed"] == "on" and fields["max_failed"] == "2"
    assert fields["seed"] == "11"
    response = alice_client.post(url, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = TrainingJob.objects.exclude(pk=job.pk).get()
    assert _carried(new) == _carried(job)
    assert new.seed == 11
    assert new.search_space == NARROWED


class _FormReader(HTMLParser):
    """The fields a browser posts from a page's form, as the server drew them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") != "submit":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.fields.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.fields.setdefault(name, []).extend(chosen)
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][0] += data


def form_fields(page: str) -> dict[str, Any]:
    """The job form's fields, one value as a string and several as a list."""
    reader = _FormReader()
    reader.feed(page)
    return {k: v[0] if len(v) == 1 else v for k, v in reader.fields.items()}


def test_a_policy_and_search_algorithm_saved_under_an_alias_are_selected_by_their_names(
    alice: Any,
) -> None:
    algorithm = make_algorithm(alice, search_algorithms=[{"name": "tpe", "params": {}}])
    job = make_job(
        alice, algorithm=algorithm,
        search_algorithms=[{"name": "tpe_search", "params": {"gamma": 0.4}}],
        policy={"name": "median", "evaluation_interval": 2},
    )
    trial = Trial.objects.create(job=job, number=1, params={"x": 0.5}, status="completed")
    raw = reuse.form_from_trial(job, trial, mode="narrow").raw
    assert raw["selected"] == ["tpe"] and raw["params"]["tpe"]["gamma"] == "0.4"
    assert raw["policy"] == "median_stopping"
    assert raw["policy_params"] == {"median_stopping": {"evaluation_interval": "2"}}
    unknown = make_job(
        alice, algorithm=algorithm, search_algorithms=[{"name": "tpe"}], policy={"name": "psychic"}
    )
    trial = Trial.objects.create(job=unknown, number=1, params={"x": 0.5}, status="completed")
    raw = reuse.form_from_trial(unknown, trial, mode="narrow").raw
    assert raw["policy"] == "" and raw["notes"][0] == (
        "Early-termination policy psychic is left out: the console does not know it."
    )
