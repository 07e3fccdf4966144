"""A dataset or algorithm the console's worker refuses: the command line and the Python
client say the reason once, in the message (not again as a field message under it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sweepconsole import ConsoleError
from sweepconsole.cli import cli

from tests.client.fakes import FakeConsole

DATASET_REASON = "The archive holds a symbolic link: passwd -> /etc/passwd."
ALGORITHM_REASON = "The boot file train.py is not in the package."


def _failed_dataset() -> FakeConsole:
    processing = {"id": 9, "name": "linked", "owner": "alice", "status": "processing"}
    failed = {**processing, "status": "failed", "status_reason": DATASET_REASON}
    return FakeConsole(
        {("POST", "/api/v1/datasets/"): processing, ("GET", "/api/v1/datasets/9/"): failed}
    )


def _failed_algorithm() -> FakeConsole:
    failed = {
        "id": 4,
        "name": "broken",
        "owner": "alice",
        "status": "failed",
        "status_reason": ALGORITHM_REASON,
    }
    return FakeConsole({("POST", "/api/v1/algorithms/"): failed})


def _sweep(monkeypatch: pytest.MonkeyPatch, fake: FakeConsole, *args: str) -> Result:
    monkeypatch.setattr("sweepconsole.cli.Console", lambda url, token: fake.console())
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})


def test_a_failed_dataset_says_its_reason_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    archive = tmp_path / "linked.tar.gz"
    archive.write_bytes(b"not read here")
    result = _sweep(
        monkeypatch, _failed_dataset(), "datasets", "create", str(archive), "--name", "linked"
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: Dataset 'linked' (id 9) is failed: {DATASET_REASON}"


def test_a_failed_algorithm_says_its_reason_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "train.py"
    script.write_text("print('loss=1')\n")
    result = _sweep(
        monkeypatch,
        _failed_algorithm(),
        "algorithms",
        "create",
        str(script),
        "--name",
        "broken",
        "--metric",
        '{"name": "loss", "goal": "minimize", "regex": "loss=([0-9.]+)"}',
    )
    assert result.exit_code == 1, result.output
    said = f"Error: Algorithm 'broken' (id 4) is failed: {ALGORITHM_REASON}"
    assert result.stderr.strip() == said


@pytest.mark.parametrize("kind", ["dataset", "algorithm"])
def test_the_python_error_holds_the_reason_in_its_message_alone(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text("print('loss=1')\n")
    caught: Any
    with pytest.raises(ConsoleError) as caught:
        if kind == "dataset":
            _failed_dataset().console().create_dataset(path, name="linked")
        else:
            _failed_algorithm().console().create_algorithm(
                path,
                name="broken",
                metric={"name": "loss", "goal": "minimize", "regex": "loss=([0-9.]+)"},
            )
    reason = DATASET_REASON if kind == "dataset" else ALGORITHM_REASON
    assert caught.value.message.endswith(f"is failed: {reason}")
    assert caught.value.fields == {}
    assert str(caught.value).count(reason) == 1
