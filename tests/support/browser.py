"""Small actions a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from tests.support.api import ApiClient
from tests.support.live import USERS, LiveConsole

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", USERS[username])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # From the top: a full-page shot of a scrolled page draws the sticky top bar mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


TINY_SCRIPT = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--optimizer", default="adam")
args = parser.parse_args()
for epoch in range(1, 4):
    accuracy = 1 - args.lr / epoch
    print(f"epoch {epoch} loss={1 - accuracy:.4f} accuracy={accuracy:.4f}", flush=True)
"""


def write_script(folder: Path, name: str = "train.py") -> Path:
    """A real, tiny training script that takes --name=value and prints its metric."""
    path = folder / name
    path.write_text(TINY_SCRIPT)
    return path


def fill_hyperparameter(page: Any, row: int, **values: str) -> None:
    """Type into row `row` (0-based) of the hyperparameter editor; a select (the type, a
    bool's default) is picked from."""
    cells = page.get_by_test_id("hp-row").nth(row)
    for column, value in values.items():
        field = cells.locator(f"[data-col={column}]")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def add_hyperparameter(page: Any, **values: str) -> None:
    """Click "+ Add hyperparameter" and fill the new last row."""
    page.get_by_test_id("hp-add").click()
    fill_hyperparameter(page, page.get_by_test_id("hp-row").count() - 1, **values)


def create_algorithm(page: Any, name: str, script: Path) -> int:
    """Create a plain algorithm (no auto search) from the create page; returns its id."""
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill(name)
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill(script.name)
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    add_hyperparameter(page, name="layers", type="int", default="2", min="1", max="8")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def wait_for_status(page: Any, name: str, status: str, timeout: float = 60) -> None:
    """Reload the algorithm list (as a person would, every second) until `name` shows `status`."""
    deadline = time.monotonic() + timeout
    badge = page.locator(f'[data-testid=algorithm-row][data-name="{name}"] [data-testid=status]')
    while True:
        page.goto("/algorithms/")
        shown = badge.inner_text().strip()
        if shown == status:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{name!r} still shows {shown!r} after {timeout}s, not {status!r}")
        page.wait_for_timeout(1000)


# --- a live search job: a script that reports every 0.3 s, and jobs of it ---------------

SLOW = """\
import argparse, sys, time
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--layers", type=int, required=True)
parser.add_argument("--optimizer", required=True)
parser.add_argument("--reports", type=int, default=60)
args = parser.parse_args()
print("loading data", flush=True)
for step in range(1, args.reports + 1):
    time.sleep(0.3)
    accuracy = 1 - 0.5 / (step * args.lr * 10 + args.layers)
    print(f"epoch {step} accuracy={accuracy:.5f}", flush=True)
    if step % 10 == 0:
        print(f"checkpoint {step}", file=sys.stderr, flush=True)
"""

SPEC: dict[str, Any] = {
    "name": "live-dashboard",
    "boot_file": "train.py",
    "auto_search": True,
    "hyperparameters": [
        {"name": "lr", "type": "float", "default": 0.1, "min": 0.001, "max": 1.0},
        {"name": "layers", "type": "int", "default": 2, "min": 1, "max": 8},
        {"name": "optimizer", "type": "str", "default": "adam", "choices": ["adam", "sgd"]},
        {"name": "reports", "type": "int", "default": 60, "min": 1, "max": 1000},
    ],
    "metric": {"name": "accuracy", "goal": "maximize", "regex": r"accuracy=([0-9.]+)"},
    "search_algorithms": [{"name": "random", "params": {}}],
}

CREATE_ALGORITHM = """\
import json, time
from django.contrib.auth import get_user_model
from django.core.files import File
from algorithms.models import Algorithm
from algorithms.services import algorithm_create
owner = get_user_model().objects.get(username="alice")
spec = json.loads({spec!r})
with open({path!r}, "rb") as fh:
    algorithm = algorithm_create(owner=owner, spec=spec, code=File(fh, name="train.py"))
for _ in range(240):
    algorithm.refresh_from_db()
    if algorithm.status != "creating":
        break
    time.sleep(0.25)
print("ALGORITHM", algorithm.pk, algorithm.status, algorithm.status_reason)
"""


def slow_algorithm(console: LiveConsole, folder: Path, name: str, **fields: Any) -> int:
    """Alice's algorithm of the ``SLOW`` script, named ``name`` (each test module its own:
    the browser tests share one console), ``SPEC``'s other fields but for ``fields``, its
    script written in ``folder``; its id once the console has checked it ready."""
    script = folder / "train.py"
    script.write_text(SLOW)
    spec = {**SPEC, **fields, "name": name}
    out = console.manage(
        "shell", "-c", CREATE_ALGORITHM.format(spec=json.dumps(spec), path=str(script))
    )
    _, pk, status, *reason = out.strip().splitlines()[-1].split(" ", 3)
    assert status == "ready", reason
    return int(pk)


def job_data(
    algorithm: int, name: str, *, trials: int, reports: int, concurrent: int | None = None
) -> dict[str, Any]:
    """A random search of ``trials`` trials of ``reports`` reports each, two at a time
    unless ``concurrent`` says otherwise."""
    return {
        "name": name,
        "algorithm": algorithm,
        "hyperparameters": {"reports": reports},
        "search_space": {
            "lr": {"type": "float", "low": 0.001, "high": 1.0, "log": True},
            "layers": {"type": "int", "low": 1, "high": 8},
            "optimizer": {"type": "choice", "values": ["adam", "sgd"]},
        },
        "search_algorithms": [{"name": "random", "params": {}}],
        "max_trials": trials,
        "max_concurrent": concurrent or min(trials, 2),
    }


def start_job(
    api: ApiClient,
    algorithm: int,
    name: str,
    *,
    trials: int,
    reports: int,
    concurrent: int | None = None,
) -> int:
    """Submit ``job_data``'s job through the API; its id."""
    data = job_data(algorithm, name, trials=trials, reports=reports, concurrent=concurrent)
    status, body = api.request("POST", "/api/v1/training-jobs/", data)
    assert status == 201, body
    return int(body["id"])
