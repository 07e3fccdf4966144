"""``sweep datasets`` against a live console: a real file, archive and server folder
uploaded, read whole by a real worker, listed, shown and deleted; every refusal the
console's own words on its field, exit code 1 and nothing created."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from sweepconsole import Console, NotFound
from sweepconsole.cli import cli
from sweepconsole.formatting import format_size

from tests.client.conftest import ALGORITHM, stop
from tests.support.live import USERS, LiveConsole

Sweep = Callable[..., Result]
CSV = "".join(f"{i},{i * i}\n" for i in range(300))  # 2744 bytes


@pytest.fixture(scope="module")
def server_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one folder the console lets users register data from."""
    root = tmp_path_factory.mktemp("server-data")
    (root / "digits").mkdir()
    (root / "digits" / "train.csv").write_text(CSV)
    (root / "digits" / "test.csv").write_text(CSV[:100])
    return root


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, server_root: Path) -> Iterator[LiveConsole]:
    console = LiveConsole(
        tmp_path_factory.mktemp("live-datasets"),
        env_overrides={"DATASET_SERVER_ROOTS": str(server_root)},
    ).start()
    yield console
    console.stop()


@pytest.fixture(scope="module")
def alice(live: LiveConsole, alice_token: str) -> Iterator[Console]:
    with Console(live.url, alice_token) as console:
        yield console


@pytest.fixture
def sweep(live: LiveConsole, alice_token: str) -> Sweep:
    env = {"SWEEP_URL": live.url, "SWEEP_TOKEN": alice_token, "COLUMNS": "200"}

    def run(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=stdin, env=env)

    return run


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip("│ ").split("│")]


def _rows(text: str) -> dict[str, list[str]]:
    """A table's rows by their first cell."""
    return {c[0]: c for c in map(_cells, text.splitlines()) if len(c) > 1}


def test_a_file_is_uploaded_listed_shown_and_deleted(
    sweep: Sweep, alice: Console, tmp_path: Path
) -> None:
    path = tmp_path / "squares.csv"
    path.write_text(CSV)
    size = len(CSV.encode())

    created = sweep("datasets", "create", str(path), "--name", "squares", "--description", "x, x²")
    assert created.exit_code == 0, created.output
    dataset = alice.get_dataset("squares")
    assert (dataset.status, dataset.data["file_count"], dataset.data["size"]) == ("ready", 1, size)
    assert created.stdout == (
        f"Dataset 'squares' (id {dataset.id}) is ready: 1 file, {format_size(size)}.\n"
    )

    listed = sweep("datasets", "list")
    assert listed.exit_code == 0, listed.output
    row = _rows(listed.stdout)[str(dataset.id)]
    assert row[1:5] == ["squares", "ready", "1", "2.7 KB"]
    as_json = json.loads(sweep("datasets", "list", "--json").stdout)
    assert [(d["id"], d["name"], d["size"]) for d in as_json] == [(dataset.id, "squares", size)]

    shown = sweep("datasets", "show", "squares")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[:4] == [
        f"squares (id {dataset.id}) ready",
        "  owner: alice",
        "  description: x, x²",
        "  uploaded as squares.csv",
    ]
    assert lines[4].startswith(f"  1 file(s), 2.7 KB, sha256 {dataset.data['content_hash']}")
    assert _rows(shown.stdout).get("squares.csv") == ["squares.csv", "2.7 KB"], shown.stdout
    detail = json.loads(sweep("datasets", "show", str(dataset.id), "--json").stdout)
    assert detail["files"] == [{"path": "squares.csv", "size": size}]

    # Asked first, as the page asks: "no" keeps it.
    kept = sweep("datasets", "delete", "squares", stdin="n\n")
    assert kept.exit_code == 1
    assert f"Delete the dataset 'squares' (id {dataset.id})" in kept.stderr
    assert "Nothing was deleted." in kept.stderr
    assert alice.get_dataset(dataset.id).status == "ready"

    deleted = sweep("datasets", "delete", "squares", stdin="y\n")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout == f"Deleted the dataset 'squares' (id {dataset.id}).\n"
    with pytest.raises(NotFound):
        alice.get_dataset(dataset.id)
    assert json.loads(sweep("datasets", "list", "--json").stdout) == []


def test_a_folder_is_sent_as_one_zip_and_a_server_folder_is_registered(
    sweep: Sweep, alice: Console, tmp_path: Path, server_root: Path
) -> None:
    folder = tmp_path / "split"
    folder.mkdir()
    (folder / "train.csv").write_text(CSV)
    (folder / "test.csv").write_text(CSV[:100])
    uploaded = sweep("datasets", "create", str(folder), "--name", "split", "--json")
    assert uploaded.exit_code == 0, uploaded.output
    body = json.loads(uploaded.stdout)
    assert (body["status"], body["file_count"], body["original_name"]) == ("ready", 2, "split.zip")

    served = sweep(
        "datasets", "create", "--server-path", str(server_root / "digits"), "--name", "digits"
    )
    assert served.exit_code == 0, served.output
    dataset = alice.get_dataset("digits")
    assert (dataset.status, dataset.data["source"], dataset.data["file_count"]) == (
        "ready",
        "server_path",
        2,
    )
    assert f"Dataset 'digits' (id {dataset.id}) is ready: 2 files" in served.stdout
    shown = sweep("datasets", "show", "digits").stdout
    assert f"  from the server folder {server_root / 'digits'}" in shown
    assert set(_rows(shown)) >= {"test.csv", "train.csv"}
    for name in ("split", "digits"):
        assert sweep("datasets", "delete", name, "--yes").exit_code == 0


def test_bad_input_is_refused_on_its_field_and_nothing_is_created(
    sweep: Sweep, alice: Console, tmp_path: Path, server_root: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert sweep("datasets", "create", str(good), "--name", "taken", "--no-wait").exit_code == 0
    before = [d.id for d in alice.datasets()]

    cases = [
        (
            ("not a name!", str(good)),
            "  name: Name must be 1-64 ASCII letters (a-z, A-Z), digits, '_' or '-'; it has "
            "a space, '!'.",
        ),
        (("taken", str(good)), "  name: You already have a dataset named 'taken'."),
        (("empty", str(empty)), "  file: The uploaded file is empty."),
        (
            ("both", str(good), "--server-path", str(server_root / "digits")),
            "  file: Give either an uploaded file or a server folder, not both.",
        ),
        (
            ("outside", "--server-path", str(tmp_path)),
            f"  server_path: Server path '{tmp_path}' is outside the folders allowed on this "
            "server",
        ),
        (("nothing",), "Error: Give the data: a file, an archive or a folder, or --server-path."),
    ]
    for (name, *rest), message in cases:
        result = sweep("datasets", "create", *rest, "--name", name)
        assert result.exit_code == 1, (name, result.output)
        assert message in result.stderr, (name, result.stderr)
        assert result.stdout == ""
    assert [d.id for d in alice.datasets()] == before
    sweep("datasets", "delete", "taken", "--yes")


def test_an_archive_a_worker_refuses_ends_with_its_reason(
    sweep: Sweep, alice: Console, tmp_path: Path
) -> None:
    archive = tmp_path / "linked.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = CSV.encode()
        member = tarfile.TarInfo("rows.csv")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
        link = tarfile.TarInfo("passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    result = sweep("datasets", "create", str(archive), "--name", "linked")
    assert result.exit_code == 1, result.output
    dataset = alice.get_dataset("linked")
    assert dataset.status == "failed" and "symbolic link" in dataset.data["status_reason"]
    assert f"Dataset 'linked' (id {dataset.id}) is failed: " in result.stderr
    assert "symbolic link" in result.stderr
    assert sweep("datasets", "delete", "linked", "--yes").exit_code == 0


def test_a_dataset_a_job_uses_is_not_deleted_and_the_job_names_it(
    sweep: Sweep, alice: Console, algorithm_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "used.csv"
    path.write_text(CSV)
    dataset = alice.create_dataset(path, name="used")
    job = alice.submit(algorithm=ALGORITHM, dataset="used", fixed={"iterations": 5}, name="uses")
    stop(job)
    assert (job.data["dataset"], job.data["dataset_name"]) == (dataset.id, "used")

    refused = sweep("datasets", "delete", "used", "--yes")
    assert refused.exit_code == 1
    assert "Refused: Dataset 'used' is used by 1 training job; delete those jobs first." in (
        refused.stderr
    )
    assert alice.get_dataset(dataset.id).status == "ready"


def test_another_users_dataset_is_not_found(
    live: LiveConsole, alice: Console, tmp_path: Path
) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(CSV)
    dataset = alice.create_dataset(path, name="mine")
    bob = Console.get_token(live.url, "bob", USERS["bob"])
    env = {"SWEEP_URL": live.url, "SWEEP_TOKEN": bob}
    for command in (["show", str(dataset.id)], ["delete", str(dataset.id), "--yes"]):
        result = CliRunner().invoke(cli, ["datasets", *command], env=env)
        assert result.exit_code == 1
        assert f"Dataset {dataset.id} was not found" in result.stderr
    assert CliRunner().invoke(cli, ["datasets", "show", "mine"], env=env).exit_code == 1
    assert alice.get_dataset(dataset.id).status == "ready"


class _Recording(httpx.HTTPTransport):
    """Real HTTP, with each request's path and query kept."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, dict[str, str]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.asked.append((request.url.path, dict(request.url.params)))
        return super().handle_request(request)


def test_a_name_is_found_by_the_lists_filter_among_the_callers_own_only(
    live: LiveConsole, alice: Console, sweep: Sweep, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(CSV)
    mine = alice.create_dataset(path, name="lookup")
    alice.create_dataset(path, name="lookup-2", description="Not the one")
    bob_token = Console.get_token(live.url, "bob", USERS["bob"])
    recording = _Recording()
    with Console(live.url, bob_token, transport=recording) as bob:
        theirs = bob.create_dataset(path, name="lookup")
        bob.create_dataset(path, name="bobs-lookup")
        recording.asked.clear()
        assert bob.get_dataset("lookup").id == theirs.id
        # One filtered list request (no paging through every dataset), then the one it names.
        assert recording.asked == [
            ("/api/v1/datasets/", {"page_size": "100", "name": "lookup"}),
            (f"/api/v1/datasets/{theirs.id}/", {}),
        ]
        assert sorted(d.name for d in bob.datasets(search="LOOKUP")) == ["bobs-lookup", "lookup"]
    assert alice.get_dataset("lookup").id == mine.id
    with pytest.raises(NotFound, match="No dataset named 'bobs-lookup'"):
        alice.get_dataset("bobs-lookup")
    assert sorted(d.name for d in alice.datasets(search="lookup")) == ["lookup", "lookup-2"]
    listed = sweep("datasets", "list", "--search", "not the", "--json")
    assert listed.exit_code == 0, listed.output
    assert [d["name"] for d in json.loads(listed.stdout)] == ["lookup-2"]
