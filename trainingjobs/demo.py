"""Demo training jobs: on first start, each bundled example algorithm searches once.

``bootstrap`` calls ``demo_jobs_create(owner=admin)`` after registering the examples, so a
new user logs in to searches that are running or finished. Each demo is small (12-20
trials, two at a time); the two long-curve examples stop bad trials early.

When: the examples are registered in the same ``bootstrap`` run, as ``creating``, and a
job needs a ready algorithm. Rather than wait for a worker (none runs yet when
``bootstrap`` runs before ``serve``, and a queued or periodic task would need the worker
that ``serve`` only starts later), the examples' packages are inspected right here, with
the same service the worker runs: they are folders of this checkout, read in
milliseconds. The jobs then exist before the server answers, and their first scheduling
step waits in the queue for the first worker. The validation task queued on commit
finds them ready and does nothing.

Once: a demo is created only for an example algorithm that has never had a job, checked
under the algorithm's row lock; a restart creates nothing new, and neither does an
example the user has already run jobs on. ``DEMO_JOBS=0`` (read by ``bootstrap``) turns
demos off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from algorithms.examples import bundled_example_specs
from algorithms.models import Algorithm
from algorithms.package_validation import algorithm_validate_package
from trainingjobs import services
from trainingjobs.models import TrainingJob
from trainingjobs.specs import JobSpecError, validate_job_spec

logger = logging.getLogger(__name__)

LOG = {"type": "float", "log": True}
# Per bundled example (its algorithm name): the job, in the API's create shape.
DEMOS: dict[str, dict[str, Any]] = {
    "digits-sgd": {
        "name": "Demo: digits-sgd, TPE with truncation early termination",
        "description": "Searches the learning rate, regularisation and schedule of SGD on "
        "the bundled digits; from the fifth epoch on, truncation selection stops a trial "
        "whose validation loss is in the worst 20 % of the trials at the same epoch.",
        "search_space": {
            "eta0": {**LOG, "low": 0.0001, "high": 1.0},
            "alpha": {**LOG, "low": 1e-06, "high": 0.01},
            "schedule": {"type": "choice", "values": ["constant", "invscaling", "optimal"]},
        },
        "search_algorithms": [{"name": "tpe", "params": {}}],
        # Early losses differ by factors between learning rates, where a bandit slack stops
        # nearly everything (docs/benchmarks.md, early stopping); truncation does not.
        "policy": {
            "name": "truncation_selection",
            "truncation_percentage": 20,
            "evaluation_interval": 1,
            "delay_evaluation": 5,
        },
        "max_trials": 20,
        "max_concurrent": 2,
    },
    "digits-mlp": {
        "name": "Demo: digits-mlp, TPE with median stopping",
        "description": "Searches the learning rate and width of a small perceptron on the "
        "bundled digits, 10 epochs each; median stopping ends trials below the running "
        "median after three epochs.",
        "hyperparameters": {"epochs": 10},
        "search_space": {
            "learning_rate": {**LOG, "low": 0.0001, "high": 0.1},
            "hidden_units": {"type": "int", "low": 16, "high": 128},
        },
        "search_algorithms": [{"name": "tpe", "params": {}}],
        "policy": {"name": "median_stopping", "evaluation_interval": 1, "delay_evaluation": 3},
        "max_trials": 16,
        "max_concurrent": 2,
    },
    "gbdt-breast-cancer": {
        "name": "Demo: gbdt-breast-cancer, random search",
        "description": "Searches the shrinkage and depth of 50 boosted trees on the bundled "
        "breast-cancer data.",
        "hyperparameters": {"n_estimators": 50},
        "search_space": {
            "learning_rate": {**LOG, "low": 0.01, "high": 0.5},
            "max_depth": {"type": "int", "low": 1, "high": 5},
        },
        "search_algorithms": [{"name": "random", "params": {}}],
        "max_trials": 12,
        "max_concurrent": 2,
    },
    "sgd-diabetes": {
        "name": "Demo: sgd-diabetes, TPE",
        "description": "Searches the learning rate, regularisation and penalty of linear "
        "regression by SGD on the bundled diabetes data.",
        "search_space": {
            "eta0": {**LOG, "low": 0.0001, "high": 0.1},
            "alpha": {**LOG, "low": 1e-06, "high": 0.01},
            "penalty": {"type": "choice", "values": ["l2", "l1", "elasticnet"]},
        },
        "search_algorithms": [{"name": "tpe", "params": {}}],
        "max_trials": 12,
        "max_concurrent": 2,
    },
}


@dataclass
class DemoOutcome:
    created: list[TrainingJob] = field(default_factory=list)
    # One line per bundled example that got no demo this time, and why.
    skipped: list[str] = field(default_factory=list)


def demo_jobs_create(*, owner: Any) -> DemoOutcome:
    """Create and submit the demo job of every bundled example ``owner`` has registered.

    Idempotent: an example algorithm that already has a job (a demo or any other) gets
    none. A demo that no longer fits its example (a changed hyperparameter table) is
    skipped with the validation message, never raised: it must not stop a start.
    """
    outcome = DemoOutcome()
    for folder, spec in bundled_example_specs(skip_unreadable=True):
        name = str(spec.get("name", ""))
        demo = DEMOS.get(name)
        algorithm = _example_algorithm(owner, name, folder)
        if demo is None or algorithm is None:
            continue
        if algorithm.status == Algorithm.Status.CREATING:
            algorithm_validate_package(algorithm_id=algorithm.pk)
            algorithm.refresh_from_db()
        if not algorithm.is_ready:
            outcome.skipped.append(f"{name}: the algorithm is {algorithm.status}.")
            continue
        try:
            job = _create_once(owner, algorithm, demo)
        except JobSpecError as exc:
            logger.warning("demo job for %s refused: %s", name, exc)
            outcome.skipped.append(f"{name}: the demo job was refused: {exc}")
            continue
        if job is not None:
            outcome.created.append(job)
    return outcome


def _example_algorithm(owner: Any, name: str, folder: Path) -> Algorithm | None:
    """The owner's algorithm registered from this example folder (not a namesake upload)."""
    return (
        Algorithm.objects.filter(
            owner=owner,
            name=name,
            code_source=Algorithm.CodeSource.SERVER_PATH,
            server_path=str(folder.resolve()),
        )
        .order_by("pk")
        .first()
    )


def _create_once(owner: Any, algorithm: Algorithm, demo: dict[str, Any]) -> TrainingJob | None:
    with transaction.atomic():
        # Two starts at once (two web hosts running bootstrap) see one another's job.
        locked = Algorithm.objects.select_for_update().get(pk=algorithm.pk)
        if locked.training_jobs.exists():
            return None
        spec = validate_job_spec(owner=owner, data={**demo, "algorithm": algorithm.pk})
        return services.job_create(owner=owner, spec=spec)
