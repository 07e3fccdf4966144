"""Names shared by several users' objects (staff see them all): the caller's own wins, a
name shared by others only is refused with the ids and owners, lists say whose each row
is. Over httpx's MockTransport; tests/client/test_live_names.py runs the same against a
live console."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sweepconsole import AmbiguousName, Console, NotFound
from sweepconsole.cli import cli
from sweepconsole.jobfile import JobFileError, load_job_file
from sweepconsole.naming import Caller, own_by_name, pick_by_name

from tests.client.fakes import FakeConsole

ME = "/api/v1/auth/me/"
ALGORITHMS = "/api/v1/algorithms/"
ADMIN = {"id": 1, "username": "admin", "is_staff": True}
ALICE = {"id": 2, "username": "alice", "is_staff": False}


def _algorithm(pk: int, name: str, owner: str) -> dict[str, Any]:
    return {"id": pk, "name": name, "owner": owner, "status": "ready"}


ALICE_MLP = _algorithm(3, "digits-mlp", "alice")
ADMIN_MLP = _algorithm(7, "digits-mlp", "admin")
BOB_MLP = _algorithm(9, "digits-mlp", "bob")


def _page(*items: dict[str, Any]) -> dict[str, Any]:
    return {"next": None, "results": list(items)}


def _row(pk: int, name: str, owner: str) -> SimpleNamespace:
    return SimpleNamespace(id=pk, name=name, owner=owner)


def _never() -> Caller:
    raise AssertionError("the caller was asked although the name is not shared")


def test_a_name_only_one_object_has_is_that_object_whoever_owns_it() -> None:
    rows = [_row(3, "digits-mlp", "alice"), _row(4, "other", "admin")]
    assert pick_by_name("algorithm", "digits-mlp", rows, _never).id == 3


def test_a_shared_name_means_the_callers_own() -> None:
    rows = [_row(3, "digits-mlp", "alice"), _row(7, "digits-mlp", "admin")]
    assert pick_by_name("algorithm", "digits-mlp", rows, lambda: Caller("admin", True)).id == 7
    assert pick_by_name("algorithm", "digits-mlp", rows, lambda: Caller("alice")).id == 3


def test_a_name_shared_by_others_only_is_ambiguous_and_lists_ids_and_owners() -> None:
    rows = [_row(3, "digits-mlp", "alice"), _row(9, "digits-mlp", "bob")]
    with pytest.raises(AmbiguousName) as caught:
        pick_by_name("algorithm", "digits-mlp", rows, lambda: Caller("admin", True))
    assert caught.value.message == (
        "2 algorithms are named 'digits-mlp' (none of them yours): id 3 (owner alice), "
        "id 9 (owner bob). Use the id instead of the name to say which algorithm you mean."
    )
    assert caught.value.choices == [(3, "alice"), (9, "bob")]


def test_a_console_that_does_not_say_who_asks_leaves_a_shared_name_ambiguous() -> None:
    rows = [_row(3, "digits-mlp", "alice"), _row(7, "digits-mlp", "admin")]
    with pytest.raises(AmbiguousName, match="the console does not say which is yours"):
        pick_by_name("algorithm", "digits-mlp", rows, lambda: Caller(None))


def test_no_object_of_that_name_is_not_found() -> None:
    with pytest.raises(NotFound, match="No algorithm named 'mlp' was found"):
        pick_by_name("algorithm", "mlp", [_row(3, "digits-mlp", "alice")], _never)


def test_own_by_name_ignores_another_users_object_of_that_name() -> None:
    rows = [_row(3, "digits-mlp", "alice")]
    assert own_by_name("algorithm", "digits-mlp", rows, lambda: Caller("admin", True)) is None
    assert own_by_name("algorithm", "digits-mlp", rows, lambda: Caller("alice")).id == 3  # type: ignore[union-attr]


def test_staff_get_algorithm_by_name_is_their_own_not_the_first_listed() -> None:
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP, ADMIN_MLP), ("GET", ME): ADMIN})
    assert fake.console().get_algorithm("digits-mlp").id == 7


def test_a_plain_user_is_not_asked_who_they_are_for_an_unshared_name() -> None:
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP)})
    assert fake.console().get_algorithm("digits-mlp").id == 3
    assert ("GET", ME) not in [(m, p) for m, p, _ in fake.sent]


def test_cli_show_of_a_name_shared_by_others_says_to_use_the_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP, BOB_MLP), ("GET", ME): ADMIN})
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["algorithms", "show", "digits-mlp"])
    assert result.exit_code == 1
    assert "id 3 (owner alice), id 9 (owner bob)" in result.stderr
    assert "Use the id instead of the name" in result.stderr


def _listed(monkeypatch: pytest.MonkeyPatch, fake: FakeConsole, *args: str) -> list[str]:
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _cells(line: str) -> list[str]:
    """A rich table row's cells (rows between │, the header between ┃)."""
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


def test_staff_algorithm_list_has_an_owner_column(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP, ADMIN_MLP), ("GET", ME): ADMIN})
    lines = _listed(monkeypatch, fake, "algorithms", "list")
    assert _cells(lines[1])[:3] == ["id", "name", "owner"]
    rows = [_cells(line) for line in lines if "digits-mlp" in line]
    assert [row[:4] for row in rows] == [
        ["3", "digits-mlp", "alice", "ready"],
        ["7", "digits-mlp", "admin", "ready"],
    ]


def test_a_plain_users_algorithm_list_has_no_owner_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP), ("GET", ME): ALICE})
    lines = _listed(monkeypatch, fake, "algorithms", "list")
    assert _cells(lines[1])[:3] == ["id", "name", "status"]
    assert "alice" not in "".join(lines)


def test_staff_job_list_says_whose_job_and_which_algorithm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = {"id": 5, "name": "search", "owner": "alice", "algorithm": 3}
    job.update(algorithm_name="digits-mlp", status="completed", max_trials=4)
    fake = FakeConsole({("GET", "/api/v1/training-jobs/"): _page(job), ("GET", ME): ADMIN})
    lines = _listed(monkeypatch, fake, "jobs", "list")
    assert _cells(lines[1])[:4] == ["id", "name", "owner", "algorithm"]
    assert _cells(lines[3])[:4] == ["5", "search", "alice", "digits-mlp (id 3)"]


def test_job_file_naming_a_shared_algorithm_submits_with_the_callers_own(
    tmp_path: Path,
) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text("name: mine\nalgorithm: digits-mlp\nfixed: {epochs: 5}\n")
    fake = FakeConsole(
        {
            ("GET", ALGORITHMS): _page(ALICE_MLP, ADMIN_MLP),
            ("GET", ME): ADMIN,
            ("POST", "/api/v1/training-jobs/"): {"id": 1, "name": "mine", "status": "running"},
        }
    )
    load_job_file(job_file).submit(fake.console())
    assert fake.sent[-1][2] == {"name": "mine", "hyperparameters": {"epochs": 5}, "algorithm": 7}


def test_job_file_naming_an_algorithm_shared_by_others_names_its_line(tmp_path: Path) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text("name: mine\nalgorithm: digits-mlp\n")
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP, BOB_MLP), ("GET", ME): ADMIN})
    with pytest.raises(JobFileError) as caught:
        load_job_file(job_file).submit(fake.console())
    [problem] = caught.value.problems
    assert (problem.field, problem.line) == ("algorithm", 2)
    assert "id 3 (owner alice), id 9 (owner bob)" in problem.message
    assert ("POST", "/api/v1/training-jobs/") not in [(m, p) for m, p, _ in fake.sent]


def test_missing_algorithm_lists_only_the_callers_own_names(tmp_path: Path) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text("name: mine\nalgorithm: nope\n")
    fake = FakeConsole({("GET", ALGORITHMS): _page(ALICE_MLP, ADMIN_MLP), ("GET", ME): ADMIN})
    fake.routes[("GET", ALGORITHMS)] = _page(ALICE_MLP, _algorithm(8, "gbdt", "admin"))
    with pytest.raises(JobFileError, match=r"no algorithm 'nope' was found \(yours: gbdt\)"):
        load_job_file(job_file).submit(fake.console())


def test_staff_job_file_upload_does_not_reuse_another_users_algorithm(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print('loss=0.1')\n")
    job_file = tmp_path / "job.yaml"
    job_file.write_text("name: upload\nalgorithm: {path: train.py, name: digits-mlp}\n")
    created = _algorithm(11, "digits-mlp", "admin")
    fake = FakeConsole(
        {
            ("GET", ALGORITHMS): _page(ALICE_MLP),
            ("GET", ME): ADMIN,
            ("POST", ALGORITHMS): httpx.Response(201, json=created),
            ("POST", "/api/v1/training-jobs/"): {"id": 1, "name": "upload", "status": "running"},
        }
    )
    load_job_file(job_file).submit(fake.console())
    assert ("POST", ALGORITHMS) in [(m, p) for m, p, _ in fake.sent]
    assert fake.sent[-1][2] == {"name": "upload", "algorithm": 11}


def test_job_exported_by_staff_names_another_users_algorithm_by_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = {"id": 5, "name": "search", "owner": "alice", "algorithm": 3}
    job.update(algorithm_name="digits-mlp", status="completed")
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/5/"): job,
            ("GET", ALGORITHMS): _page(ALICE_MLP, ADMIN_MLP),
            ("GET", ME): ADMIN,
        }
    )
    lines = _listed(monkeypatch, fake, "jobs", "show", "5", "--as-yaml")
    assert "algorithm: 3" in lines

    # Where the name means that very algorithm, the file keeps the name.
    fake.routes[("GET", ME)] = ALICE
    fake.routes[("GET", ALGORITHMS)] = _page(ALICE_MLP)
    assert "algorithm: digits-mlp" in _listed(monkeypatch, fake, "jobs", "show", "5", "--as-yaml")


def test_exported_job_names_its_dataset_by_the_jobs_dataset_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = {"id": 5, "name": "search", "owner": "alice", "algorithm": 3, "status": "completed"}
    job.update(algorithm_name="digits-mlp", dataset=4, dataset_name="digits-csv")
    fake = FakeConsole(
        {
            ("GET", "/api/v1/training-jobs/5/"): job,
            ("GET", ALGORITHMS): _page(ALICE_MLP),
            ("GET", "/api/v1/datasets/"): _page(
                {"id": 4, "name": "digits-csv", "owner": "alice", "status": "ready"}
            ),
            ("GET", "/api/v1/datasets/4/"): {"id": 4, "name": "digits-csv", "owner": "alice"},
            ("GET", ME): ALICE,
        }
    )
    assert "dataset: digits-csv" in _listed(monkeypatch, fake, "jobs", "show", "5", "--as-yaml")
    # The job says its dataset's name: only the list is read, to check that the name
    # means that dataset for this caller.
    assert [p for m, p, _ in fake.sent if p.startswith("/api/v1/datasets/")] == [
        "/api/v1/datasets/"
    ]

    # A console older than dataset_name: the name is read from the dataset first.
    del job["dataset_name"]
    fake.sent.clear()
    assert "dataset: digits-csv" in _listed(monkeypatch, fake, "jobs", "show", "5", "--as-yaml")
    assert [p for m, p, _ in fake.sent if p.startswith("/api/v1/datasets/")] == [
        "/api/v1/datasets/4/",
        "/api/v1/datasets/",
    ]


def test_a_dataset_name_is_looked_up_with_the_lists_name_filter() -> None:
    # An older console ignores ?name= and answers every dataset: the exact name still
    # decides, so "rows" is never "rows-2" nor another user's "rows" when one is the caller's.
    every = _page(
        {"id": 4, "name": "rows-2", "owner": "alice", "status": "ready"},
        {"id": 5, "name": "rows", "owner": "bob", "status": "ready"},
        {"id": 6, "name": "rows", "owner": "alice", "status": "ready"},
    )
    asked: list[tuple[str, dict[str, str]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append((request.url.path, dict(request.url.params)))
        if request.url.path == ME:
            return httpx.Response(200, json=ALICE)
        if request.url.path == "/api/v1/datasets/6/":
            return httpx.Response(200, json={**every["results"][2], "files": []})
        return httpx.Response(200, json=every)

    console = Console("http://console.test", "tok", transport=httpx.MockTransport(answer))
    assert console.get_dataset("rows").id == 6
    assert asked[0] == ("/api/v1/datasets/", {"page_size": "100", "name": "rows"})
    assert asked[-1] == ("/api/v1/datasets/6/", {})


# --------------------------------------------------------------------------- jobs by name

JOBS = "/api/v1/training-jobs/"


def _job(pk: int, name: str, owner: str = "alice") -> dict[str, Any]:
    job = {"id": pk, "name": name, "owner": owner, "status": "completed", "max_trials": 4}
    return {**job, "metric": {"name": "loss"}, "best_trial": {"id": 41}}


NIGHTLY = _job(5, "nightly")


@pytest.mark.parametrize(
    ("command", "action"),
    [
        (["show"], None),
        (["watch"], None),
        (["best"], None),
        (["cancel"], "cancel"),
        (["pause"], "pause"),
        (["resume"], "resume"),
        (["extend", "--max-trials", "6"], "extend"),
    ],
)
def test_every_jobs_command_takes_a_job_by_its_exact_name(
    monkeypatch: pytest.MonkeyPatch, command: list[str], action: str | None
) -> None:
    # The list's ?search= matches part of a name: "nightly 2" comes back too.
    routes: dict[tuple[str, str], Any] = {
        ("GET", JOBS): _page(_job(6, "nightly 2"), NIGHTLY),
        ("GET", f"{JOBS}5/"): NIGHTLY,
        ("GET", f"{JOBS}5/trials/"): _page(),
        ("GET", "/api/v1/trials/41/"): {"id": 41, "job": 5, "status": "completed"},
    }
    if action:
        routes[("POST", f"{JOBS}5/{action}/")] = NIGHTLY
    fake = FakeConsole(routes)
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["jobs", command[0], "nightly", *command[1:], "--json"])
    assert result.exit_code == 0, result.output
    assert fake.sent[0][:2] == ("GET", JOBS)
    touched = {path for _, path, _ in fake.sent[1:] if path.startswith(JOBS)}
    assert touched <= {f"{JOBS}5/", f"{JOBS}5/trials/", f"{JOBS}5/{action}/"}
    if action:
        assert ("POST", f"{JOBS}5/{action}/") in [(m, p) for m, p, _ in fake.sent]


def test_a_job_name_two_of_the_callers_jobs_share_is_refused_with_their_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeConsole({("GET", JOBS): _page(NIGHTLY, _job(7, "nightly")), ("GET", ME): ALICE})
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    result = CliRunner().invoke(cli, ["jobs", "cancel", "nightly"])
    assert result.exit_code == 1
    assert result.stderr.replace("\n", " ") == (
        "Error: 2 jobs are named 'nightly' (2 of them yours): id 5 (owner alice), id 7 "
        "(owner alice). Use the id instead of the name to say which job you mean. "
    )
    assert [m for m, _, _ in fake.sent] == ["GET", "GET"]  # nothing canceled


def test_staff_get_a_job_by_a_shared_name_as_their_own_and_an_unknown_name_is_not_found() -> None:
    admins = _job(8, "nightly", owner="admin")
    fake = FakeConsole({("GET", JOBS): _page(NIGHTLY, admins), ("GET", ME): ADMIN})
    assert fake.console().get_job("nightly").id == 8
    with pytest.raises(NotFound, match="No job named 'weekly' was found."):
        fake.console().get_job("weekly")
