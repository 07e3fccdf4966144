"""Algorithm names several users share, against a live console: staff (who see every
user's algorithms) get their own for a name, a name shared by others only is refused
with the ids, and lists say whose each row is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sweepconsole import AmbiguousName, Console
from sweepconsole.cli import cli

from tests.support.live import USERS, LiveConsole

ADMIN_PASSWORD = "admin-pass-123"
NAME = "digits-mlp"

# Two scripts of one name with different hyperparameters: submitting the wrong one's
# values would be refused as unknown hyperparameters.
ADMIN_SCRIPT = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch_size", type=int, default=32)
args = parser.parse_args()
print(f"val_accuracy={0.5 + args.epochs / 100}")
"""
ALICE_SCRIPT = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=float, default=0.5)
print(f"val_accuracy={parser.parse_args().scale}")
"""
METRIC = {"name": "val_accuracy", "goal": "maximize", "regex": r"val_accuracy=([0-9.]+)"}
ADMIN_TABLE = [
    {"name": "epochs", "type": "int", "default": 3, "min": 1, "max": 50},
    {"name": "batch_size", "type": "int", "default": 32, "min": 16, "max": 256},
]
ALICE_TABLE = [{"name": "scale", "type": "float", "default": 0.5, "min": 0, "max": 1}]


def _create(console: Console, folder: Path, name: str, script: str, table: Any) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.py").write_text(script)
    algorithm = console.create_algorithm(
        folder / "train.py",
        name=name,
        hyperparameters=table,
        metric=METRIC,
        search_algorithms=[{"name": "random", "params": {}}],
    )
    assert algorithm.status == "ready", algorithm.data
    return algorithm.id


@pytest.fixture(scope="module")
def consoles(
    live: LiveConsole, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Console, dict[str, int]]]:
    """admin (staff), alice and bob, each with a console and the ids of their algorithms:
    admin and alice both own digits-mlp; alice and bob both own shared-tiny."""
    live.manage("createuser", "admin", "--password", ADMIN_PASSWORD, "--staff")
    folder = tmp_path_factory.mktemp("names")
    passwords = {"admin": ADMIN_PASSWORD, **USERS}
    owned: dict[str, tuple[Console, dict[str, int]]] = {}
    for user in ("alice", "admin", "bob"):
        console = Console(live.url, Console.get_token(live.url, user, passwords[user]))
        ids: dict[str, int] = {}
        if user == "admin":
            ids[NAME] = _create(console, folder / user / NAME, NAME, ADMIN_SCRIPT, ADMIN_TABLE)
        if user == "alice":
            ids[NAME] = _create(console, folder / user / NAME, NAME, ALICE_SCRIPT, ALICE_TABLE)
        if user in ("alice", "bob"):
            tiny = folder / user / "shared-tiny"
            ids["shared-tiny"] = _create(console, tiny, "shared-tiny", ALICE_SCRIPT, ALICE_TABLE)
        owned[user] = (console, ids)
    return owned


def _sweep(console: Console, *args: str) -> Result:
    env = {"SWEEP_URL": console.url, "SWEEP_TOKEN": console.session.token or ""}
    return CliRunner().invoke(cli, list(args), env={**env, "COLUMNS": "200"})


def test_staff_and_alice_each_get_their_own_algorithm_for_a_shared_name(
    consoles: dict[str, tuple[Console, dict[str, int]]],
) -> None:
    admin, admin_ids = consoles["admin"]
    alice, alice_ids = consoles["alice"]
    assert admin.get_algorithm(NAME).id == admin_ids[NAME]
    assert admin.get_algorithm(NAME).owner == "admin"
    assert alice.get_algorithm(NAME).id == alice_ids[NAME]

    shown = _sweep(admin, "algorithms", "show", NAME, "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["id"], data["owner"]) == (admin_ids[NAME], "admin")


def test_staff_job_file_naming_a_shared_algorithm_runs_their_own(
    consoles: dict[str, tuple[Console, dict[str, int]]], tmp_path: Path
) -> None:
    admin, admin_ids = consoles["admin"]
    job_file = tmp_path / "job.yaml"
    job_file.write_text(
        f"name: admin search\nalgorithm: {NAME}\nfixed: {{epochs: 5}}\n"
        "search_space:\n  batch_size: [16, 32]\nmax_total_runs: 2\nmax_concurrent_runs: 1\n"
    )
    submitted = _sweep(admin, "jobs", "submit", str(job_file), "--json")
    assert submitted.exit_code == 0, submitted.output
    job = json.loads(submitted.stdout)
    assert (job["algorithm"], job["owner"]) == (admin_ids[NAME], "admin")
    assert job["hyperparameters"] == {"epochs": 5}
    finished = admin.get_job(job["id"]).wait_for_completion(show_output=False, timeout=120)
    assert finished.status == "completed", finished.data
    assert finished.data["trial_counts"]["completed"] == 2


def test_a_name_shared_by_other_users_only_is_refused_with_ids_and_owners(
    consoles: dict[str, tuple[Console, dict[str, int]]],
) -> None:
    admin, _ = consoles["admin"]
    alice_id = consoles["alice"][1]["shared-tiny"]
    bob_id = consoles["bob"][1]["shared-tiny"]
    with pytest.raises(AmbiguousName) as caught:
        admin.get_algorithm("shared-tiny")
    assert sorted(caught.value.choices) == sorted([(alice_id, "alice"), (bob_id, "bob")])
    shown = _sweep(admin, "algorithms", "show", "shared-tiny")
    assert shown.exit_code == 1
    assert f"id {alice_id} (owner alice)" in shown.stderr
    assert f"id {bob_id} (owner bob)" in shown.stderr
    assert "Use the id instead of the name" in shown.stderr
    by_id = _sweep(admin, "algorithms", "show", str(bob_id), "--json")
    assert json.loads(by_id.stdout)["owner"] == "bob"


def test_staff_list_tells_rows_of_one_name_apart_by_owner(
    consoles: dict[str, tuple[Console, dict[str, int]]],
) -> None:
    admin, admin_ids = consoles["admin"]
    alice, alice_ids = consoles["alice"]
    rows = {
        cells[0]: cells
        for line in _sweep(admin, "algorithms", "list").stdout.splitlines()
        if NAME in line
        for cells in [[c.strip() for c in line.strip("│ ").split("│")]]
    }
    assert rows[str(admin_ids[NAME])][:3] == [str(admin_ids[NAME]), NAME, "admin"]
    assert rows[str(alice_ids[NAME])][:3] == [str(alice_ids[NAME]), NAME, "alice"]
    # alice sees only her own: no owner column.
    header = _sweep(alice, "algorithms", "list").stdout.splitlines()[1]
    assert "owner" not in header


def test_staff_export_of_alices_job_names_her_algorithm_by_id(
    consoles: dict[str, tuple[Console, dict[str, int]]], tmp_path: Path
) -> None:
    admin, _ = consoles["admin"]
    alice, alice_ids = consoles["alice"]
    job = alice.submit(algorithm=NAME, fixed={"scale": 0.25}, name="alice single run")
    assert job.data["algorithm"] == alice_ids[NAME]
    exported = _sweep(admin, "jobs", "show", str(job.id), "--as-yaml")
    assert exported.exit_code == 0, exported.output
    assert f"algorithm: {alice_ids[NAME]}" in exported.stdout.splitlines()
    # Submitted again by the admin, it runs alice's algorithm, with her values.
    job_file = tmp_path / "again.yaml"
    job_file.write_text(exported.stdout)
    again = _sweep(admin, "jobs", "submit", str(job_file), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["algorithm"] == alice_ids[NAME]
    # alice's own export keeps the name, which means the same algorithm for her.
    mine = _sweep(alice, "jobs", "show", str(job.id), "--as-yaml")
    assert f"algorithm: {NAME}" in mine.stdout.splitlines()


def test_jobs_commands_take_a_job_by_its_exact_name(
    consoles: dict[str, tuple[Console, dict[str, int]]],
) -> None:
    admin, _ = consoles["admin"]
    alice, _ = consoles["alice"]
    bob, _ = consoles["bob"]
    job = alice.submit(algorithm=NAME, fixed={"scale": 0.25}, name="named run")
    # ?search= also finds this one: the exact name tells them apart.
    longer = alice.submit(algorithm=NAME, fixed={"scale": 0.75}, name="named run 2")

    watched = _sweep(alice, "jobs", "watch", "named run 2", "--json")
    assert watched.exit_code == 0, watched.output
    assert (json.loads(watched.stdout)["id"], json.loads(watched.stdout)["status"]) == (
        longer.id,
        "completed",
    )
    job.wait_for_completion(show_output=False, timeout=120)
    shown = _sweep(alice, "jobs", "show", "named run", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["id"] == job.id
    best = _sweep(alice, "jobs", "best", "named run", "--json")
    assert (json.loads(best.stdout)["job"], json.loads(best.stdout)["value"]) == (job.id, 0.25)

    # bob's job of that name is not alice's to see; staff, who see both, must use an id.
    bobs = bob.submit(algorithm="shared-tiny", fixed={"scale": 0.5}, name="named run")
    assert json.loads(_sweep(alice, "jobs", "show", "named run", "--json").stdout)["id"] == job.id
    refused = _sweep(admin, "jobs", "show", "named run")
    assert refused.exit_code == 1
    assert f"id {job.id} (owner alice)" in refused.stderr
    assert f"id {bobs.id} (owner bob)" in refused.stderr
    assert "Use the id instead of the name to say which job you mean." in refused.stderr
    bobs.wait_for_completion(show_output=False, timeout=120)
